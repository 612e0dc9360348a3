"""Surface figure builders draw what the Surface holds, with the right traces."""

import json
import re

import numpy as np
import plotly.io as pio
import pytest
from plotly_data import decode, label_value, traces

import landscape as ls
from landscape.figures import surface as figs


@pytest.fixture(scope="module")
def poles():
    """A unified problem on non-negative A and a plane that crosses its pole set."""
    prob = ls.make_problem(300, 5, seed=3, kind="unified", matrix="nonnegative",
                           target="realizable", noise=0.1, w="constant")
    center = np.zeros(prob.d)
    dirs = ls.make_directions(prob, center, "random", seed=1)
    surf = ls.surface_2d(prob, center, dirs.u, dirs.v, ls.grid(4, 41), ls.grid(4, 31))
    assert surf.has_poles and (surf.alpha_sign < 0).any()
    return prob, center, dirs, surf


@pytest.fixture(scope="module")
def smooth():
    prob = ls.default_problem(kind="softmax")
    center = np.zeros(prob.d)
    dirs = ls.make_directions(prob, center, "random")
    return prob, ls.surface_2d(prob, center, dirs.u, dirs.v, ls.grid(2, 21), ls.grid(1, 11))


def roundtrip(fig) -> dict:
    """The JSON the browser receives, parsed back."""
    return json.loads(pio.to_json(fig))


def test_contour_draws_the_values_in_plotly_orientation(smooth):
    _, surf = smooth
    fig = figs.contour_figure(surf)
    (loss,) = [t for t in traces(fig) if t["type"] == "contour"]
    z = decode(roundtrip(fig)["data"][0]["z"])
    assert z.shape == (11, 21)                      # rows betas, columns alphas
    np.testing.assert_allclose(z, surf.values)
    np.testing.assert_allclose(decode(loss["x"]), surf.alphas)
    np.testing.assert_allclose(decode(loss["y"]), surf.betas)
    assert loss["zmin"] == surf.display_min and loss["zmax"] == surf.display_max
    assert fig.layout.uirevision == figs.UIREVISION


def test_no_pole_traces_without_poles(smooth):
    _, surf = smooth
    assert not surf.has_poles
    assert [t["type"] for t in traces(figs.contour_figure(surf))] == ["contour"]


def test_contour_outlines_the_pole_set_and_veils_negative_alpha(poles):
    *_, surf = poles
    fig = figs.contour_figure(surf)
    names = [t.get("name") for t in traces(fig)]
    assert "pole set (α = 0)" in names and "α < 0 (veiled)" in names
    veil = next(t for t in traces(roundtrip(fig)) if t.get("name") == "α < 0 (veiled)")
    # Plotly shades where a constraint fails: "α > 0" veils exactly the cells with α < 0
    assert (veil["contours"]["type"], veil["contours"]["operation"],
            veil["contours"]["value"]) == ("constraint", ">", 0)
    np.testing.assert_array_equal(~(decode(veil["z"]) > 0), surf.alpha_sign <= 0)
    outline = next(t for t in traces(fig) if t.get("name") == "pole set (α = 0)")
    assert outline["contours"]["start"] == 0 and outline["contours"]["coloring"] == "lines"


def test_the_pole_set_is_drawn_where_alpha_vanishes_not_on_cell_steps(poles):
    """The drawn pole set is the zero contour of alpha interpolated between cells: on
    each row it crosses within a tenth of a cell of the true alpha = 0 (found by
    bisection on the problem itself); the sign alone would place it mid-cell, up to
    half a cell off."""
    prob, center, dirs, surf = poles
    field = figs.signed_alpha(surf)
    assert np.array_equal(np.sign(field), surf.alpha_sign) and np.all(np.isfinite(field))
    h = surf.alphas[1] - surf.alphas[0]
    errors = []

    def sign(a, beta):
        return prob.evaluate(center + a * dirs.u + beta * dirs.v).alpha_sign

    for j in range(0, surf.betas.size, 5):
        for i in np.flatnonzero(surf.alpha_sign[j, 1:] * surf.alpha_sign[j, :-1] < 0)[:1]:
            f0, f1 = field[j, i], field[j, i + 1]
            drawn = surf.alphas[i] + h * f0 / (f0 - f1)
            lo, hi = surf.alphas[i], surf.alphas[i + 1]
            for _ in range(50):
                mid = 0.5 * (lo + hi)
                same = sign(mid, surf.betas[j]) == sign(lo, surf.betas[j])
                lo, hi = (mid, hi) if same else (lo, mid)
            errors.append(abs(drawn - 0.5 * (lo + hi)) / h)
    assert errors and max(errors) < 0.1, errors


def test_pole_cells_are_gaps_and_the_colour_range_is_not_swamped(poles):
    prob, center, dirs, _ = poles
    # a fine line through the pole set has huge values next to it
    surf = ls.surface_2d(prob, center, dirs.u, dirs.v, ls.grid(4, 201), ls.grid(4, 201))
    finite = surf.values[np.isfinite(surf.values)]
    assert surf.display_max < finite.max() / 10
    z = decode(roundtrip(figs.contour_figure(surf))["data"][0]["z"])
    assert np.isnan(z[surf.pole | surf.nonfinite]).all()


def test_log_scale_draws_log10_with_readable_ticks(smooth):
    _, surf = smooth
    fig = figs.contour_figure(surf, log_scale=True)
    z = decode(roundtrip(fig)["data"][0]["z"])
    np.testing.assert_allclose(z, np.log10(surf.values))
    ticks = fig.data[0].colorbar.ticktext  # powers of ten, in the charts' one style
    assert ticks and all(np.log10(label_value(t)).is_integer() for t in ticks), ticks
    assert all("e" not in t for t in ticks)


def test_surface3d_is_clipped_flat_at_the_top_of_the_colour_range(poles):
    """Above the colour range the surface is a flat top at display_max (a smooth rim,
    not a ragged edge of missing cells); elsewhere it is the loss as computed."""
    *_, surf = poles
    fig = figs.surface3d_figure(surf)
    (trace,) = traces(roundtrip(fig))
    assert trace["type"] == "surface"
    z = decode(trace["z"])
    assert z.shape == surf.values.shape
    above = (surf.values > surf.display_max) & np.isfinite(z)
    assert above.any() and np.all(z[above] == surf.display_max)
    wall = surf.pole | figs._sign_changes(surf.alpha_sign)  # where α changes sign
    keep = ~above & ~wall & np.isfinite(surf.values)
    assert keep.mean() > 0.5  # most of the plane is drawn
    np.testing.assert_allclose(z[keep], surf.values[keep])  # as computed where drawn
    assert fig.layout.uirevision == figs.UIREVISION  # the camera stays across reruns


def test_slice_marks_each_sign_change_of_alpha(poles):
    prob, center, dirs, _ = poles
    line = ls.line_1d(prob, center, dirs.u, ls.grid(4, 401))
    changes = int(np.sum(line.alpha_sign[1:] != line.alpha_sign[:-1]))
    assert changes >= 1
    fig = figs.slice_figure(line, label="a")
    vlines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(vlines) == changes
    (trace,) = traces(roundtrip(fig))
    y = decode(trace["y"])
    assert np.isnan(y[line.pole]).all()
    np.testing.assert_allclose(y[~line.pole], line.values[~line.pole])


def test_trajectory_overlay_marks_start_end_and_distance(smooth):
    prob, surf = smooth
    pts = np.array([surf.center + t * surf.u + t * t * surf.v for t in np.linspace(0, 1, 6)])
    pts[3] += 0.25 * np.linalg.svd(np.column_stack([surf.u, surf.v]))[0][:, 2]  # off the plane
    proj = ls.project(pts, surf.center, surf.u, surf.v)
    fig = figs.add_trajectory(figs.contour_figure(surf), proj, "newton")
    path, start, end = traces(roundtrip(fig))[-3:]
    np.testing.assert_allclose(decode(path["x"]), proj.alphas)
    assert "off-plane ≤ 0.25" in path["name"]
    assert start["marker"]["symbol"] == "circle-open" and end["marker"]["symbol"] == "star"
    fig3 = figs.add_trajectory(figs.surface3d_figure(surf), proj, "newton",
                               losses=prob.loss_batch(pts))
    assert fig3.data[-1].type == "scatter3d"


def test_compare_shares_the_plane_and_the_difference_is_second_minus_first(poles):
    from landscape.surface import compare_surfaces
    prob, center, dirs, _ = poles
    axis_a, axis_c = ls.grid(3, 21), ls.grid(3, 17)
    comp = compare_surfaces(prob, (0.0, 1.0), center, dirs.u, dirs.v, axis_a, axis_c)
    soft = ls.surface_2d(prob.with_gamma(0.0), center, dirs.u, dirs.v, axis_a, axis_c)
    np.testing.assert_allclose(comp.first.values, soft.values)
    ok = ~np.isnan(comp.difference)
    np.testing.assert_allclose(comp.difference[ok], (comp.second.values - comp.first.values)[ok])
    assert np.isnan(comp.difference[comp.second.pole]).all()
    assert comp.display_max >= max(comp.first.display_max, comp.second.display_max)
    fig = figs.difference_figure(comp)
    assert fig.data[0].type == "heatmap" and fig.data[0].zmid == 0


def test_with_gamma_shares_the_data_and_changes_only_gamma(poles):
    prob = poles[0]
    soft = prob.with_gamma(0.0)
    assert soft.A is prob.A and soft.b is prob.b and soft.kind == "softmax"
    x = np.full(prob.d, 0.1)
    assert soft.loss(x) == ls.Problem(prob.A, prob.b, kind="softmax", w=prob.w).loss(x)
    with pytest.raises(ValueError, match=r"gamma must lie in \[0, 1\]; received 2"):
        prob.with_gamma(2.0)


def test_morph_has_one_frame_per_gamma_with_the_same_traces(poles):
    prob, center, dirs, _ = poles
    gammas = [0.0, 0.5, 1.0]
    surfs = [ls.surface_2d(prob.with_gamma(g), center, dirs.u, dirs.v, ls.grid(3, 15),
                           ls.grid(3, 15)) for g in gammas]
    fig = figs.morph_figure(surfs, gammas)
    assert [f.name for f in fig.frames] == ["0", "0.5", "1"]
    assert {len(f.data) for f in fig.frames} == {3}
    # each frame on its own colour range: the frame with poles does not flatten the others
    for frame, surf in zip(fig.frames, surfs, strict=True):
        assert (frame.data[0].zmin, frame.data[0].zmax) == (surf.display_min, surf.display_max)
    assert len({f.data[0].zmax for f in fig.frames}) == 3
    assert len(fig.layout.sliders[0].steps) == 3


def test_3d_surface_draws_the_pole_set_as_a_flat_topped_wall_not_spikes(poles):
    prob, center, dirs, _ = poles
    surf = ls.surface_2d(prob, center, dirs.u, dirs.v, ls.grid(6, 61), ls.grid(6, 61))
    assert np.any(surf.alpha_sign < 0) and np.any(surf.alpha_sign > 0)
    z = np.array(figs.surface3d_figure(surf).data[0].z, dtype=float)
    sign = surf.alpha_sign
    change = np.zeros(sign.shape, bool)  # cells next to a change of sign of alpha
    change[1:, :] |= sign[1:, :] != sign[:-1, :]
    change[:-1, :] |= sign[1:, :] != sign[:-1, :]
    change[:, 1:] |= sign[:, 1:] != sign[:, :-1]
    change[:, :-1] |= sign[:, 1:] != sign[:, :-1]
    assert np.all(z[change] == surf.display_max)  # the loss blows up there: the flat top
    assert np.all(np.isfinite(z)) and np.max(z) <= surf.display_max  # no gap, no spike


def test_a_map_coloured_by_the_excess_over_the_minimum(smooth):
    """With ``minimum`` = L* the colour is log10(L − L*) (the level sets around the
    minimiser stay visible), floored at the smallest positive excess on the grid."""
    prob, surf = smooth
    l_star = float(np.nanmin(surf.values)) - 1e-6
    trace = figs.contour_figure(surf, minimum=l_star).data[0]
    np.testing.assert_allclose(np.asarray(trace.z, float), np.log10(surf.values - l_star))
    assert trace.zmin == pytest.approx(np.log10(np.nanmin(surf.values) - l_star))
    assert "L − L*" in trace.colorbar.title.text
    np.testing.assert_array_equal(np.asarray(trace.customdata), surf.values)  # hover: L itself


def test_an_exact_fit_does_not_stretch_the_log_colour_scale():
    """Centred at x_true of a noiseless realizable b, one cell has L = 0 (or 1e-31):
    the log scale starts at a robust floor (0.5th percentile of the positive values),
    a few decades below the top, not 12 or 30 decades; that cell is drawn at the
    floor's colour, not as a gap."""
    prob = ls.make_problem(100, 4, seed=0, kind="softmax", target="realizable", noise=0.0,
                           w="none")
    x_true = np.asarray(prob.x_true)
    dirs = ls.make_directions(prob, x_true, "random", seed=0)
    surf = ls.surface_2d(prob, x_true, dirs.u, dirs.v, ls.grid(3, 101), ls.grid(3, 101))
    assert np.nanmin(surf.values) <= 1e-28  # the exact fit is on the grid
    trace = figs.contour_figure(surf, log_scale=True).data[0]
    assert trace.zmax - trace.zmin <= 6, (trace.zmin, trace.zmax)
    z = np.asarray(trace.z, float)
    assert np.isfinite(z[50, 50]) and z[50, 50] == pytest.approx(trace.zmin)


def test_log_slices_write_powers_of_ten_not_si_prefixes(smooth):
    prob, _ = smooth
    line = ls.line_1d(prob, np.zeros(prob.d), np.eye(prob.d)[0], ls.grid(2, 101))
    axis = figs.slice_figure(line, log_scale=True).layout.yaxis
    assert axis.type == "log" and len(axis.ticktext) >= 2
    for text in axis.ticktext:  # written out, in one style: 0.05, 10⁻⁴ or 2×10⁻⁴, never 100µ
        assert re.fullmatch(r"\d+(\.\d+)?|(\d×)?10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+", text), text


def test_a_path_in_the_plane_is_said_to_be_in_it_not_off_by_rounding_noise():
    """d = 2: the plane is the whole space, distances are 1e-16-sized noise: the
    legend says "in the plane", not "off-plane ≤ 3.7e-16"; a real offset is kept."""
    noise = ls.Projection(alphas=np.array([0.0, 1.5]), betas=np.array([0.0, -2.0]),
                          distance=np.array([0.0, 3.7e-16]))
    fig = figs.add_trajectory(go_figure(), noise, "newton")
    assert fig.data[0].name == "exact Newton (in the plane)"
    real = ls.Projection(alphas=np.array([0.0, 1.5]), betas=np.array([0.0, -2.0]),
                         distance=np.array([0.0, 0.03]))
    assert figs.add_trajectory(go_figure(), real, "newton").data[0].name == \
        "exact Newton (off-plane ≤ 0.03)"


def go_figure():
    import plotly.graph_objects as go
    return go.Figure()


def test_a_log_colour_bar_never_crowds_more_than_nine_labels(smooth):
    """Thirteen decades in a short colour bar overprinted; above eight, every k-th."""
    prob, surf = smooth
    bar = figs._colorbar(True, -12.3, 0.4)
    assert 2 <= len(bar["tickvals"]) <= 9 and bar["ticktext"][-1] == "10"
    assert len(figs._colorbar(True, -2.5, 0.5)["tickvals"]) == 5  # every decade, -3..1


def test_numbers_in_titles_and_legends_use_the_charts_exponent_style():
    from landscape.figures.style import number_text
    assert [number_text(v) for v in (8.419e-05, 0.0002645, -2.3e-07, 3.0)] == [
        "8.419×10⁻⁵", "0.0002645", "−2.3×10⁻⁷", "3"]
    noise = ls.Projection(alphas=np.array([0.0, 1.0]), betas=np.array([0.0, 1.0]),
                          distance=np.array([0.0, 3.5e-5]))
    name = figs.add_trajectory(go_figure(), noise, "gd").data[0].name
    assert name == "gradient descent (off-plane ≤ 3.5×10⁻⁵)"


@pytest.mark.parametrize("low, high, expected", [
    (1e-18, 10.0, ["10⁻¹⁸", "10⁻¹⁵", "10⁻¹²", "10⁻⁹", "10⁻⁶", "10⁻³", "1"]),
    (1e-17, 1e-16, ["10⁻¹⁷", "2×10⁻¹⁷", "5×10⁻¹⁷", "10⁻¹⁶"]),
    (0.003, 0.0055, ["0.003", "0.004", "0.005"]),
    (1e-300, 1e300, ["10⁻³⁰⁰", "10⁻²⁰⁰", "10⁻¹⁰⁰", "1", "10¹⁰⁰", "10²⁰⁰", "10³⁰⁰"]),
])
def test_log_axes_label_every_tick_in_one_style_never_bare_minor_digits(low, high, expected):
    from landscape.figures.style import log_ticks
    ticks = log_ticks(low, high)
    assert ticks["type"] == "log" and ticks["ticktext"] == expected
    assert all(low <= v <= high for v in ticks["tickvals"])


def test_a_minimum_at_rounding_level_is_written_as_zero_not_as_noise():
    """L* = 3.8×10⁻³⁴ on a map whose values reach 1 is rounding: the colour bar says
    "0 within rounding"; a minimum of 10⁻³ is a value and is written."""
    prob = ls.make_problem(60, 3, seed=0, kind="softmax", target="realizable", noise=0.0,
                           w="none")
    x = np.asarray(prob.x_true)
    surf = ls.surface_2d(prob, x, np.eye(3)[0], np.eye(3)[1], ls.grid(1, 21), ls.grid(1, 21))
    noise = figs.contour_figure(surf, minimum=3.8e-34).data[0].colorbar.title.text
    value = figs.contour_figure(surf, minimum=1e-3 * surf.display_max).data[0].colorbar.title.text
    assert "L* = 0 within rounding" in noise and "10⁻³⁴" not in noise
    assert "within rounding" not in value and "L* = " in value
