"""Spectrum figures (landscape.figures.spectrum): trace types, shapes, axes and hover
data; the builders only draw what the numerics computed. Then the README's visual
language ("One visual language") on the Hessian page's figures: integer axes have
integer ticks, legends sit outside the data, text is typeset (λ, Aᵀ) rather than code,
one colour per meaning, and the eigenvalue axis fits the values (log for positive ones,
symmetric log with enough labelled ticks for both signs, a short title)."""

from __future__ import annotations

import json
import re

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly_data import label_value

import landscape as ls
from landscape import spectral
from landscape.figures import spectrum as figures
from landscape.figures.eigen_axis import TICKS

COLOURS = figures.COLOURS


@pytest.fixture(scope="module")
def problem():
    prob = ls.make_problem(60, 10, seed=1, kind="unified", target="realizable", noise=0.3,
                           w="constant", w_value=0.02)
    x = 0.8 * np.random.default_rng(0).standard_normal(prob.d)
    return prob, x


@pytest.fixture(scope="module")
def page(problem):
    """The Hessian page's four figures at a point with negative eigenvalues (3 of 10),
    and a path through the pole set, as the page builds them."""
    prob, x = problem
    pole_prob = ls.Problem(np.eye(2), np.array([0.5, 0.5]), kind="unified")
    pole = np.array([0.8919437915660755, -3.3663275929465444])
    return {
        "eigenvalues": figures.eigenvalue_figure(spectral.spectrum(prob, x)),
        "density": figures.density_figure(spectral.spectral_density(
            prob, x, n_probes=8, n_steps=8, bins=20, n_grid=100)),
        "structure": figures.structure_figure(spectral.hessian_structure(prob, x)),
        "path": figures.trajectory_figure(spectral.trajectory_spectrum(
            prob, np.vstack([t * x for t in (0.0, 0.5, 1.0)]))),
        "pole path": figures.trajectory_figure(spectral.trajectory_spectrum(
            pole_prob, np.vstack([np.zeros(2), pole, 0.5 * pole]))),
    }


def _prescribed_spectrum(values, tolerance: float = 0.0) -> spectral.Spectrum:
    """A complete (dense) Spectrum with the given eigenvalues."""
    values = np.sort(np.asarray(values, dtype=float))
    return spectral.Spectrum(eigenvalues=values, positions=np.arange(values.size),
                             eigenvectors=None, d=values.size, smallest=values[0],
                             largest=values[-1], condition_number=np.nan,
                             n_negative=int(np.sum(values < -tolerance)), n_negative_exact=True,
                             method="dense", converged=True, message="prescribed",
                             tolerance=tolerance)


def _prescribed_structure(whole, diagonal, rank_two, tolerance: float = 0.0):
    """A HessianStructure with the given eigenvalues (interlacing bounds from Diag)."""
    whole, diagonal = np.sort(np.asarray(whole, float)), np.sort(np.asarray(diagonal, float))
    return spectral.HessianStructure(
        diagonal_part=diagonal, rank_two=np.asarray(rank_two, dtype=float), rank=2,
        whole=whole, interlacing_lower=np.r_[-np.inf, diagonal[:-1]],
        interlacing_upper=np.r_[diagonal[1:], np.inf], interlacing_holds=True,
        weyl_holds=True, n_negative_diagonal=int(np.sum(diagonal < -tolerance)),
        n_negative_whole=int(np.sum(whole < -tolerance)), message="prescribed",
        tolerance=tolerance)


def _prescribed_path(values) -> spectral.TrajectorySpectrum:
    """A TrajectorySpectrum with the given (m, r) eigenvalues, no pole on the way."""
    values = np.sort(np.asarray(values, dtype=float), axis=1)
    m, r = values.shape
    return spectral.TrajectorySpectrum(
        eigenvalues=values, positions=np.arange(r), smallest=values[:, 0],
        largest=values[:, -1], n_negative=np.sum(values < 0, axis=1).astype(float),
        at_pole=np.zeros(m, dtype=bool), converged=np.ones(m, dtype=bool), method="dense")


def _types(fig):
    return [trace.type for trace in fig.data]


def _serialisable(fig):
    json.loads(fig.to_json())  # NaN and read-only arrays survive the trip to the browser


def _axes(fig, letter: str) -> dict:
    """{"x": layout.xaxis, "x2": layout.xaxis2, ...} of the figure's axes of one letter."""
    layout = fig.to_plotly_json()["layout"]
    return {(letter + key[5:]): value for key, value in layout.items()
            if re.fullmatch(letter + r"axis\d*", key)}


def _integer_ticks(axis: dict) -> np.ndarray:
    """The tick values shown on an integer axis: it must place them itself (linear
    mode, integer start and step, integer format); None of these: not an integer axis."""
    assert axis.get("tickmode") == "linear", axis
    tick0, dtick = axis["tick0"], axis["dtick"]
    assert float(tick0).is_integer() and float(dtick).is_integer() and dtick >= 1, axis
    assert axis.get("tickformat") == "d", axis
    low, high = axis["range"]
    first = np.ceil((low - tick0) / dtick) * dtick + tick0
    return np.arange(first, high + 1e-9, dtick)


def _legend_outside(fig) -> bool:
    """The legend's box lies outside the plot area: above it or right of it."""
    legend = fig.layout.legend
    above = legend.y is not None and legend.y >= 1 and legend.yanchor == "bottom"
    right = legend.x is not None and legend.x >= 1 and legend.xanchor == "left"
    return above or right


def _plain(text: str) -> str:
    """What a viewer reads: Plotly's <sub>/<sup> tags removed, <br> a new line."""
    return re.sub(r"<[^>]+>", "", (text or "").replace("<br>", "\n"))


def _texts(fig) -> list[str]:
    """Every text a viewer can read: titles, axis titles and tick labels, annotations,
    legend names, hover templates and category labels."""
    doc = fig.to_plotly_json()
    layout, out = doc["layout"], []
    title = layout.get("title", {})
    out += [title.get("text", ""), title.get("subtitle", {}).get("text", "")]
    for key, axis in layout.items():
        if re.fullmatch(r"[xy]axis\d*", key):
            out.append(axis.get("title", {}).get("text", ""))
            out += list(axis.get("ticktext", []))
    out += [a.get("text", "") for a in layout.get("annotations", [])]
    for trace in doc["data"]:
        out += [trace.get("name", ""), trace.get("hovertemplate", "")]
        x = trace.get("x")
        if isinstance(x, (list, tuple)) and x and isinstance(x[0], str):
            out += list(x)
    return [t for t in out if t]


def _rgb(colour: str) -> tuple:
    if colour.startswith("#"):
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return tuple(int(float(v)) for v in re.findall(r"[\d.]+", colour)[:3])


#: legend name -> meaning, by the first key word it contains
MEANINGS = (("negative", "negative"), ("positive", "positive"), ("zero", "zero"),
            ("diagonal", "diagonal"), ("interlacing", "diagonal"), ("SLQ", "slq"),
            ("exact", "exact"), ("smallest", "smallest"), ("largest", "largest"),
            ("pole", "pole"), ("every computed", "context"))


def _meaning(name: str) -> str:
    """What a legend entry stands for (an entry without a key word: its own name)."""
    return next((meaning for word, meaning in MEANINGS if word in name), name)


def _trace_colour(trace) -> str | list:
    if trace.type == "scatter" and trace.fill:
        return trace.fillcolor
    if trace.type == "bar" or "markers" in (trace.mode or ""):
        return trace.marker.color
    return trace.line.color


# -- what each builder draws --------------------------------------------------------


def test_eigenvalue_figure_splits_signs_and_draws_stems(problem):
    prob, x = problem
    spec = spectral.spectrum(prob, x)
    fig = figures.eigenvalue_figure(spec)
    assert isinstance(fig, go.Figure)
    assert _types(fig) == ["scatter", "scatter", "scatter"]
    stems, negative, positive = fig.data
    assert stems.mode == "lines" and len(stems.x) == 3 * prob.d
    assert len(negative.x) + len(positive.x) == prob.d
    assert len(negative.x) == spec.n_negative
    assert negative.name == f"negative ({spec.n_negative})"
    np.testing.assert_array_equal(np.sort(np.r_[negative.customdata, positive.customdata]),
                                  spec.eigenvalues)
    assert "index" in fig.layout.xaxis.title.text
    assert "eigenvalue" in fig.layout.yaxis.title.text
    assert "λ<sub>%{x}</sub>" in positive.hovertemplate
    _serialisable(fig)


def test_symmetric_log_axis_keeps_small_negative_eigenvalues_visible():
    values = np.array([-1e-3, -2e-5, 1e-4, 1.0, 1e2, 1e5])
    fig = figures.eigenvalue_figure(_prescribed_spectrum(values))
    axis = fig.layout.yaxis
    assert "symmetric log" in fig.layout.title.subtitle.text
    negative = fig.data[1]
    # -2e-5 sits clearly below zero, not squashed onto it
    assert np.all(np.asarray(negative.y) < -0.1)
    assert np.all(np.diff(np.asarray(axis.tickvals)) > 0)
    assert "0" in axis.ticktext and "10⁵" in axis.ticktext and "−0.001" in axis.ticktext
    # the true values stay in the hover data
    np.testing.assert_array_equal(negative.customdata, [-1e-3, -2e-5])
    linear = figures.eigenvalue_figure(_prescribed_spectrum(values), scale="linear")
    np.testing.assert_array_equal(linear.data[1].y, [-1e-3, -2e-5])
    assert linear.layout.title.subtitle.text == ""
    narrow = figures.eigenvalue_figure(_prescribed_spectrum([-1.0, 0.5, 2.0, 3.0]))
    assert narrow.layout.yaxis.ticktext is None and narrow.layout.yaxis.type is None


def test_eigenvalue_figure_of_a_lanczos_spectrum_shades_the_middle(problem, monkeypatch):
    prob = ls.make_problem(200, 40, seed=3, kind="softmax", w="constant")
    monkeypatch.setattr("landscape.spectral.eigenvalues.DENSE_SPECTRUM_MAX_D", 10)
    spec = spectral.spectrum(prob, np.zeros(prob.d), k=3)
    fig = figures.eigenvalue_figure(spec)
    xs = np.concatenate([trace.x for trace in fig.data[1:]])
    np.testing.assert_array_equal(np.sort(xs), [1, 2, 3, 38, 39, 40])
    assert len(fig.layout.shapes) == 1
    assert fig.layout.shapes[0].x0 == 3.5 and fig.layout.shapes[0].x1 == 37.5
    assert fig.layout.annotations[0].text == "34 eigenvalues not computed"
    ticks = _integer_ticks(_axes(fig, "x")["x"])  # the index axis covers all of 1..40
    assert ticks.min() <= 10 and ticks.max() >= 35


def test_eigenvalue_figure_rejects_an_unknown_scale(problem):
    prob, x = problem
    with pytest.raises(ValueError, match=r"^scale must be one of 'auto', 'linear', 'symlog'; "
                                         r"received 'log'\.$"):
        figures.eigenvalue_figure(spectral.spectrum(prob, x), scale="log")


def test_density_figure_with_and_without_the_exact_histogram(problem):
    prob, x = problem
    density = spectral.spectral_density(prob, x, n_probes=8, n_steps=8, bins=20, n_grid=100)
    fig = figures.density_figure(density)
    assert _types(fig) == ["bar", "bar", "scatter"]
    exact, slq, smooth = fig.data
    assert len(exact.x) == len(slq.x) == 20
    np.testing.assert_array_equal(exact.y, density.exact_histogram)
    np.testing.assert_allclose(exact.width, np.diff(density.bin_edges))
    assert len(smooth.x) == len(smooth.y) == 100
    assert fig.layout.barmode == "overlay"
    assert "density" in fig.layout.yaxis.title.text
    assert fig.layout.xaxis.title.text == "eigenvalue λ"
    assert f"σ = {density.bandwidth:.2g}" in smooth.name
    _serialisable(fig)
    estimate_only = spectral.spectral_density(prob, x, n_probes=4, n_steps=6, exact=False)
    fig = figures.density_figure(estimate_only, log_y=True)
    assert _types(fig) == ["bar", "scatter"] and fig.layout.yaxis.type == "log"


def test_structure_figure_sets_the_parts_side_by_side(problem):
    prob, x = problem
    structure = spectral.hessian_structure(prob, x)
    fig = figures.structure_figure(structure)
    assert _types(fig) == ["scatter"] * 5 + ["bar"]
    lower, upper, diagonal, negative, positive, rank_two = fig.data
    assert upper.fill == "tonexty"
    for trace in (lower, upper, diagonal):
        assert len(trace.x) == prob.d
    np.testing.assert_array_equal(np.r_[negative.customdata, positive.customdata],
                                  structure.whole)
    assert len(negative.x) == structure.n_negative_whole > 0
    np.testing.assert_array_equal(diagonal.customdata, structure.diagonal_part)
    np.testing.assert_array_equal(rank_two.customdata, structure.rank_two)
    assert [_plain(c) for c in rank_two.x] == ["negative r−", "positive r+"]
    assert rank_two.xaxis == "x2" and rank_two.yaxis == "y2"
    assert np.all(np.isfinite(np.asarray(lower.y, dtype=float)))  # ends drawn to the data edge
    assert "interlacing holds" in fig.layout.title.text
    assert f"+ {prob.d - 2} zeros" in _plain(fig.layout.xaxis2.title.text)
    _serialisable(fig)


def test_trajectory_figure_marks_iterates_on_the_pole_set(page):
    fig = page["pole path"]
    names = [trace.name for trace in fig.data]
    assert names == ["smallest eigenvalue", "largest eigenvalue",
                     "number of negative eigenvalues (lower panel)",
                     "iterate on the pole set (no Hessian)"]
    assert list(fig.data[-1].x) == [1]
    assert len(fig.data[0].x) == 3 and np.isnan(fig.data[0].y[1])
    assert fig.data[-1].yaxis == fig.data[0].yaxis == "y"  # the cross on the eigenvalue axis
    _serialisable(fig)


def test_trajectory_figure_draws_every_eigenvalue_for_small_d(problem, page):
    prob, _ = problem
    fig = page["path"]
    every = fig.data[0]
    assert every.name == "every computed eigenvalue"
    assert len(every.x) == prob.d * (3 + 1)  # each eigenvalue's path, then a break
    assert _types(fig) == ["scatter"] * 4
    assert "eigenvalue" in fig.layout.yaxis.title.text


# -- integer axes have integer ticks ------------------------------------------------


@pytest.mark.parametrize("d", [1, 2, 3, 5, 7, 10, 13, 40, 123, 1000, 4096])
def test_index_axis_has_integer_ticks_for_any_d(d):
    values = np.linspace(-1.0, 3.0, d)
    fig = figures.eigenvalue_figure(_prescribed_spectrum(values))
    ticks = _integer_ticks(_axes(fig, "x")["x"])
    assert ticks.size >= min(d, 2) and ticks.size <= 12, ticks
    assert ticks.min() >= 0 and ticks.max() <= d
    if d >= 2:
        structure = _prescribed_structure(values, values + 0.01, [-0.1, 0.2])
        ticks = _integer_ticks(_axes(figures.structure_figure(structure), "x")["x"])
        assert 2 <= ticks.size <= 12, ticks


@pytest.mark.parametrize("m", [1, 2, 3, 4, 6, 11, 17, 60, 250])
def test_iterate_axis_has_integer_ticks_for_any_path_length(m):
    rng = np.random.default_rng(m)
    fig = figures.trajectory_figure(_prescribed_path(rng.standard_normal((m, 4))))
    for name, axis in _axes(fig, "x").items():  # both panels share the iterates
        ticks = _integer_ticks(axis)
        assert 1 <= ticks.size <= 12 and ticks.min() >= 0 and ticks.max() <= m - 1, (name, ticks)
        assert ticks.size >= min(m, 2)


def test_the_negative_count_has_its_own_labelled_integer_axis(page):
    for fig in (page["path"], page["pole path"]):
        count = next(t for t in fig.data if "number of negative eigenvalues" in t.name)
        eigen = next(t for t in fig.data if t.name == "smallest eigenvalue")
        assert count.yaxis != eigen.yaxis
        y = _axes(fig, "y")
        count_axis, eigen_axis = y[count.yaxis], y[eigen.yaxis]
        # a separate panel, not a second axis over the eigenvalues
        assert "overlaying" not in count_axis
        low, high = sorted(count_axis["domain"])
        assert high < min(eigen_axis["domain"])
        assert "count" in count_axis["title"]["text"]
        assert "eigenvalue" not in count_axis["title"]["text"]
        ticks = _integer_ticks(count_axis)
        counts = np.asarray(count.y, dtype=float)
        assert ticks.min() <= 0 and ticks.max() >= max(1, np.nanmax(counts))
        assert count.line.color == COLOURS["negative"]  # it counts the red ones
    big = _prescribed_path(np.column_stack([-np.arange(1.0, 26.0)[:, None] * np.ones((25, 24)),
                                            np.ones((25, 1))]))
    ticks = _integer_ticks(_axes(figures.trajectory_figure(big), "y")["y2"])
    assert 2 <= ticks.size <= 6 and ticks.max() >= 24  # 24 negative: few integer ticks


# -- legends, text, colours ---------------------------------------------------------


def test_legends_sit_outside_the_plot_area(page):
    for name, fig in page.items():
        assert _legend_outside(fig), (name, fig.layout.legend)
        assert fig.layout.showlegend is True, name  # the colour key is always there
    single = figures.eigenvalue_figure(_prescribed_spectrum([0.1, 0.2]))
    assert _legend_outside(single) and single.layout.showlegend is True


def test_text_is_typeset_not_code(page):
    code = re.compile(r"lambda|sigma|\^T|\bDiag\b|_\(|\bx\b(?!\})|r_minus|r_plus|_[a-z{]")
    for name, fig in page.items():
        for text in _texts(fig):
            visible = re.sub(r"%\{[^}]*\}", "", text)  # hover fields are not shown as typed
            assert not code.search(visible), (name, text)
    structure = page["structure"]
    assert "A<sup>T</sup> diag(D) A" in " ".join(t.name for t in structure.data)
    assert any("λ<sub>i" in text for text in _texts(structure))
    assert "8 probes × 8 steps" in page["density"].layout.title.text


def test_axis_titles_are_short_and_name_the_scale_elsewhere(page):
    wide = figures.eigenvalue_figure(_prescribed_spectrum([-1e-3, -2e-5, 1e-4, 1.0, 1e5]))
    figs = dict(page, symlog=wide,
                forced=figures.structure_figure(
                    _prescribed_structure([0.036, 0.04, 0.05, 0.7], [0.035, 0.045, 0.06, 0.74],
                                          [-0.0436, 0.000746]), scale="symlog"))
    for name, fig in figs.items():
        for letter in "xy":
            for axis_name, axis in _axes(fig, letter).items():
                text = _plain(axis.get("title", {}).get("text", ""))
                # a vertical title of a 300 px plot: about 30 characters at most
                limit = 30 if letter == "y" else 40
                assert max(map(len, text.split("\n"))) <= limit, (name, axis_name, text)
                assert "log" not in text, (name, axis_name, text)
    assert "symmetric log scale, linear within ±10⁻⁵" in _plain(wide.layout.title.subtitle.text)
    assert "symmetric log" in figs["forced"].layout.title.subtitle.text


def test_the_rank_two_panel_labels_fit_and_read(page):
    fig = page["structure"]
    title = fig.layout.xaxis2.title.text
    # the right panel is a quarter of the chart: each line of its title is short
    assert all(len(line) <= 24 for line in _plain(title).split("\n")), title
    bar = fig.data[-1]
    assert all("_" not in label for label in bar.x)
    assert fig.layout.xaxis.domain[1] - fig.layout.xaxis.domain[0] > 0.6


def test_every_legend_entry_has_one_colour(page):
    for name, fig in page.items():
        for trace in fig.data:
            if trace.showlegend is False:
                continue
            colour = _trace_colour(trace)
            assert isinstance(colour, str), (name, trace.name, colour)


def test_one_colour_per_meaning_across_the_page(page):
    assert len(set(COLOURS.values())) == len(COLOURS)
    meanings: dict[tuple, set] = {}
    for name, fig in page.items():
        for trace in fig.data:
            if trace.showlegend is False and trace.type != "bar":
                continue  # stems and the band's hidden lower edge
            colours = _trace_colour(trace)
            if trace.type == "bar" and not isinstance(colours, str):  # the rank-two part
                for value, colour in zip(trace.customdata, colours, strict=True):
                    sign = "negative" if value < 0 else "positive" if value > 0 else "zero"
                    meanings.setdefault(_rgb(colour), set()).add(sign)
                continue
            meaning = _meaning(trace.name)
            assert isinstance(colours, str), (name, trace.name, colours)
            meanings.setdefault(_rgb(colours), set()).add(meaning)
            if meaning in COLOURS:
                assert _rgb(colours) == _rgb(COLOURS[meaning]), (name, trace.name, colours)
    assert all(len(m) == 1 for m in meanings.values()), meanings
    # the signs, the parts, the estimates and the extremes all appear on the page
    assert {"negative", "positive", "diagonal", "slq", "exact", "smallest", "largest",
            "pole"} <= set().union(*meanings.values())


# -- the eigenvalue axis ------------------------------------------------------------


def test_auto_scale_with_positive_eigenvalues_is_log_or_linear_never_symlog():
    wide = np.logspace(-6, 0, 12)
    fig = figures.eigenvalue_figure(_prescribed_spectrum(wide))
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.ticktext is None
    assert "symmetric" not in fig.layout.title.subtitle.text
    assert "logarithmic" in fig.layout.title.subtitle.text
    assert all(np.all(np.asarray(t.y, dtype=float)[np.isfinite(t.y)] > 0) for t in fig.data)
    narrow = figures.eigenvalue_figure(_prescribed_spectrum(np.linspace(0.036, 0.7, 5)))
    assert narrow.layout.yaxis.type is None and narrow.layout.yaxis.ticktext is None
    path = figures.trajectory_figure(_prescribed_path(np.tile(wide, (4, 1))))
    assert path.layout.yaxis.type == "log" and path.layout.yaxis.ticktext is None
    structure = figures.structure_figure(_prescribed_structure(wide, wide * 1.01, [-1e-7, 2e-7]))
    assert structure.layout.yaxis.type == "log"
    # a value zero within rounding is not positive: no log axis for it
    rounded = figures.eigenvalue_figure(_prescribed_spectrum(np.r_[1e-17, wide], tolerance=1e-15))
    assert rounded.layout.yaxis.type != "log"
    # both signs over decades: symmetric log
    mixed = figures.eigenvalue_figure(_prescribed_spectrum(np.r_[-wide[:3], wide]))
    assert mixed.layout.yaxis.ticktext is not None and mixed.layout.yaxis.type != "log"


def _ticks_within(axis: dict, low: float, high: float) -> list[str]:
    """Labels of the array ticks whose true values lie within [low, high]."""
    return [label for label in axis["ticktext"]
            if low - 1e-12 <= label_value(label) <= high + 1e-12]


def test_symmetric_log_axes_label_enough_ticks():
    # the poles preset's structure: H and Diag in 0.036..0.74, rank two -0.0436, 0.000746
    whole, diagonal = [0.036, 0.04, 0.045, 0.05, 0.7], [0.035, 0.039, 0.044, 0.055, 0.74]
    fig = figures.structure_figure(_prescribed_structure(whole, diagonal, [-0.0436, 0.000746]),
                                   scale="symlog")
    y = _axes(fig, "y")
    assert len(_ticks_within(y["y"], 0.035, 0.74)) >= 3, y["y"]["ticktext"]
    assert len(_ticks_within(y["y2"], -0.0436, 0.000746)) >= 2, y["y2"]["ticktext"]
    cases = [np.linspace(0.036, 0.7, 5), [-5.0, -0.2, 3e-3, 40.0], [-1e-3, 1e-9, 2e5],
             np.r_[-np.logspace(-8, 8, 9), np.logspace(-8, 8, 9)], [1.5, 1.6, 1.7]]
    for values in cases:
        axis = _axes(figures.eigenvalue_figure(_prescribed_spectrum(values), scale="symlog",
                                               stems=False), "y")["y"]
        within = _ticks_within(axis, min(values), max(values))
        assert len(within) >= 3 or len(set(values)) < 3, (values, axis["ticktext"])
        assert len(axis["ticktext"]) == len(set(axis["ticktext"])) <= TICKS + 1
        spacing = np.diff(axis["tickvals"])
        assert np.all(spacing > 0)
        assert spacing.min() >= 0.5 * (max(axis["tickvals"]) - min(axis["tickvals"])) \
            / (TICKS + 1), (values, axis["ticktext"])  # labels do not overlap
