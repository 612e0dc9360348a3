"""Exports parse and reload to the same numbers; the generated script reproduces the
surface; every page offers its downloads."""

import io
import runpy
from pathlib import Path

import numpy as np
import pytest
from apptest_support import open_page

import landscape as ls
from landscape import export
from landscape.figures import surface as figures
from landscape.ui import exports, state

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def problem_spec():
    import landscape.ui.builder  # noqa: F401  (registers the problem.* fields)
    return tuple(sorted((k, f.default) for k, f in state.FIELDS.items()
                        if k.startswith("problem.")))


@pytest.fixture(scope="module")
def surface(problem_spec):
    from landscape.ui.builder import problem_from_spec
    prob = problem_from_spec.__wrapped__(problem_spec)
    dirs = ls.make_directions(prob, np.zeros(prob.d), "random", seed=3)
    return ls.surface_2d(prob, np.zeros(prob.d), dirs.u, dirs.v, ls.grid(2, 31), ls.grid(1, 21))


def test_csv_reloads_to_the_same_numbers(surface):
    text = export.table_csv(export.surface_table(surface))
    data = np.genfromtxt(io.StringIO(text), delimiter=",", names=True)
    np.testing.assert_array_equal(data["loss"], surface.values.ravel())
    np.testing.assert_array_equal(data["a"].reshape(21, 31)[0], surface.alphas)
    np.testing.assert_array_equal(data["alpha_sign"], surface.alpha_sign.ravel())


def test_npz_reloads_to_the_same_arrays(surface):
    arrays = export.surface_arrays(surface)
    with np.load(io.BytesIO(export.arrays_npz(arrays)), allow_pickle=False) as back:
        for key, value in arrays.items():
            np.testing.assert_array_equal(back[key], value)


def test_html_is_standalone_and_holds_the_plot(surface):
    html = exports.figure_html(figures.contour_figure(surface))
    assert "<html>" in html[:100] and "plotly" in html.lower()
    assert "Plotly.newPlot" in html and '<script src="http' not in html  # works offline


def test_table_csv_refuses_ragged_columns():
    with pytest.raises(ValueError, match="columns must have equal lengths"):
        export.table_csv({"a": np.zeros(2), "b": np.zeros(3)})


def test_trajectory_exports_hold_every_iterate():
    prob = ls.default_problem()
    runs = [ls.minimize(prob, np.zeros(prob.d), m) for m in ("newton", "gd")]
    table = export.trajectories_table(runs)
    assert len(table["k"]) == sum(r.xs.shape[0] for r in runs)
    np.testing.assert_array_equal(table["x1"][: runs[0].xs.shape[0]], runs[0].xs[:, 0])
    text = export.table_csv(table)
    assert text.splitlines()[1].startswith("newton,0,")


def test_generated_script_reproduces_the_surface(problem_spec, surface, tmp_path, monkeypatch):
    script = exports.surface_script(problem_spec, surface)
    path = tmp_path / "landscape_surface.py"
    path.write_text(script)
    monkeypatch.chdir(tmp_path)
    namespace = runpy.run_path(str(path))
    np.testing.assert_array_equal(namespace["surface"].values, surface.values)
    assert (tmp_path / "landscape_surface.html").stat().st_size > 100_000


@pytest.mark.parametrize("page, count", [("Landscape", 6), ("Hessian", 6), ("Newton", 6),
                                         ("Compare", 6)])
def test_every_page_offers_its_downloads(page, count):
    at = open_page(page)
    assert not at.exception
    buttons = at.get("download_button")
    assert len(buttons) == count


@pytest.mark.skipif(exports.chromium_path() is None,
                    reason="no Chromium: scripts/ensure-chromium installs Debian's")
@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_png_and_svg_come_from_the_installed_chromium(surface, fmt):
    data = exports.figure_image(figures.contour_figure(surface), fmt)
    if fmt == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert (width, height) == exports.IMAGE_SIZE
    else:
        assert data.lstrip().startswith(b"<svg") and b'width="1200"' in data[:500]


def test_image_buttons_say_when_there_is_no_chromium(monkeypatch):
    monkeypatch.setattr(exports, "chromium_path", lambda: None)
    at = open_page("Hessian")
    png = [b for b in at.get("download_button") if b.proto.label == "Figure (PNG)"][0]
    assert png.proto.disabled and "none is installed here" in png.proto.help


def run_script(text: str, tmp_path, monkeypatch) -> dict:
    path = tmp_path / "reproduce.py"
    path.write_text(text)
    monkeypatch.chdir(tmp_path)
    return runpy.run_path(str(path))


def test_spectrum_and_compare_scripts_reproduce_the_numbers(problem_spec, surface, tmp_path,
                                                            monkeypatch):
    from landscape.surface import compare_surfaces
    from landscape.ui.builder import problem_from_spec
    prob = problem_from_spec.__wrapped__(problem_spec)
    x = np.full(prob.d, 0.1)
    ns = run_script(exports.spectrum_script(problem_spec, x, 3), tmp_path, monkeypatch)
    np.testing.assert_array_equal(ns["spectrum"].eigenvalues, ls.spectrum(prob, x, 3).eigenvalues)
    comp = compare_surfaces(prob, (0.0, 1.0), surface.center, surface.u, surface.v,
                            surface.alphas, surface.betas)
    ns = run_script(exports.compare_script(problem_spec, comp), tmp_path, monkeypatch)
    np.testing.assert_array_equal(ns["comparison"].difference, comp.difference)


def test_newton_script_reruns_the_same_paths(problem_spec, tmp_path, monkeypatch):
    from landscape.ui.builder import problem_from_spec
    prob = problem_from_spec.__wrapped__(problem_spec)
    x0 = np.zeros(prob.d)
    runs = [ls.minimize(prob, x0, "newton"),
            ls.minimize(prob, x0, "approx_newton", eps=0.3, seed=4)]
    ns = run_script(exports.newton_script(problem_spec, x0, runs), tmp_path, monkeypatch)
    for mine, theirs in zip(runs, ns["runs"], strict=True):
        np.testing.assert_array_equal(mine.xs, theirs.xs)


def test_uploaded_data_gets_no_script():
    spec = (("problem.source", "upload"),)
    assert exports.surface_script(spec, None) is None


def test_an_exported_figure_says_what_it_is_on_its_own():
    """The title, the problem line and the link go into the figure, as plain text: a
    hostile value cannot become markup in the file."""
    fig = figures.contour_figure(ls.surface_2d(ls.make_problem(20, 3), np.zeros(3), np.eye(3)[0],
                                               np.eye(3)[1], ls.grid(1, 11), ls.grid(1, 11)))
    out = exports.standalone(fig, "The loss <b>map</b>", "n = 20, d = 3, softmax",
                             "http://host/Landscape?preset=<script>")
    text = out.layout.title.text
    assert text.startswith("The loss &lt;b&gt;map&lt;/b&gt;<br>")
    assert "n = 20, d = 3, softmax" in text and "preset=&lt;script&gt;" in text
    assert out.layout.margin.t >= 110
    assert fig.layout.title.text is None  # the page's own figure is untouched


@pytest.mark.parametrize("d", [1, 3])
def test_compare_csv_columns_say_which_gamma(problem_spec, d):
    """The comparison's table names each loss column by its γ (not first/second)."""
    import landscape.ui.compare_view as cv
    spec = tuple((k, d if k == "problem.d" else 30 if k == "problem.n" else v)
                 for k, v in problem_spec)
    view = {**{k: f.default for k, f in state.FIELDS.items() if k.startswith("compare.")},
            "compare.gamma_a": 0.25, "compare.resolution": 21}
    table = cv.data_table(cv.comparison.__wrapped__(spec, tuple(sorted(view.items()))))
    first, second = "loss_gamma_0.25", "loss_gamma_1"
    assert set(table) == ({"x1"} if d == 1 else {"a", "c"}) | {
        first, second, f"{second}_minus_{first}"}
    assert np.array_equal(table[f"{second}_minus_{first}"], table[second] - table[first],
                          equal_nan=True)
    assert export.table_csv(table).splitlines()[0].count("gamma") == 4


def test_newton_csv_names_each_method_as_the_charts_do():
    import landscape.ui.newton_view as nv
    at = open_page("Newton", **{"newton.methods": "newton,gd"})
    assert not at.exception
    race = nv.race(tuple(sorted((k, v) for k, v in dict(at.session_state["_settings"]).items()
                                if k.startswith("problem."))), _newton_spec(at))
    table = nv.data_table(race)
    assert set(table["method"]) == {"exact Newton", "gradient descent"}


def _newton_spec(at):
    settings = at.session_state["_settings"]
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in settings.items()
                        if k.startswith("newton.") and k not in state.DISPLAY_ONLY))


@pytest.mark.parametrize("page, shown", [("Landscape", 3), ("Hessian", 4), ("Newton", 2),
                                         ("Compare", 5)])
def test_every_figure_of_a_page_can_be_downloaded(page, shown):
    """The figure buttons save any of the page's figures: the chooser lists every chart
    the page can draw (at least every one it draws now)."""
    at = open_page(page)
    assert not at.exception
    chooser = [s for s in at.selectbox if s.key.startswith("export.")]
    assert len(chooser) == 1 and len(chooser[0].options) == shown
    assert len(chooser[0].options) >= len(at.get("plotly_chart"))
