"""Every preset demonstrates what its explanation claims, measured on the same
computation the page draws (the cached view functions of landscape.ui, called with the
preset's settings)."""

import numpy as np
import pytest

import landscape as ls
import landscape.ui.chrome  # noqa: F401  (registers every page's settings)
from landscape.spectral import spectrum
from landscape.ui import compare_view, hessian_view, landscape_view, newton_view, presets, state
from landscape.ui.builder import problem_from_spec
from landscape.ui.claims import turn_backs


def settings(name: str, **changes) -> dict:
    values = {n: f.default for n, f in state.FIELDS.items()}
    values.update(presets.settings_of(name))
    values.update(changes)
    return values


spec = state.spec_of


def landscape_of(values):
    return landscape_view.landscape_view(spec(values, "problem."), spec(values, "landscape."))


def race_of(values):
    return newton_view.race(spec(values, "problem."), spec(values, "newton."))




def test_every_preset_has_a_claim_test():
    claimed = {name.removeprefix("test_").split("__")[0] for name in globals()
               if name.startswith("test_") and "__" in name}
    assert set(presets.presets()) <= claimed, set(presets.presets()) - claimed


def test_ill_conditioned__a_narrow_valley_that_gradient_descent_zig_zags_across():
    values = settings("ill_conditioned")
    view = landscape_of(values)
    z, h = view.surface.values, view.surface.alphas[1] - view.surface.alphas[0]
    m = z.shape[0] // 2  # the centre, the minimiser
    along_u = (z[m, m + 1] - 2 * z[m, m] + z[m, m - 1]) / h**2
    along_v = (z[m + 1, m] - 2 * z[m, m] + z[m - 1, m]) / h**2
    assert np.sqrt(along_u / along_v) >= 10  # level sets 10+ times longer than wide
    assert "times longer along v" in landscape_view.figures(view, log_scale=True,
                                                            show_poles=True).caption
    race = race_of(values)
    runs = {run.method: run for run in race.runs}
    assert turn_backs(runs["gd"].xs) >= 5
    assert not runs["gd"].success and runs["gd"].n_iter == 300
    assert runs["newton"].success and runs["newton"].n_iter <= 10


def test_exact_vs_approximate_newton__few_rows_and_linear_against_quadratic():
    values = settings("exact_vs_approximate_newton")
    race = race_of(values)
    runs = {run.method: (run, diag)
            for run, diag in zip(race.runs, race.diagnostics, strict=True)}
    approx, approx_diag = runs["approx_newton"]
    exact, exact_diag = runs["newton"]
    assert approx.success and exact.success
    assert np.max(approx.rows_kept) <= 0.2 * values["problem.n"]
    assert exact_diag.hessian.order >= 1.8
    assert approx_diag.hessian.rate < 0.9 and approx.n_iter > exact.n_iter


def test_poles__the_pole_set_crosses_the_visible_plane():
    view = landscape_of(settings("poles"))
    sign = view.surface.alpha_sign
    assert (sign > 0).sum() > 0.05 * sign.size and (sign < 0).sum() > 0.05 * sign.size
    inner = sign[1:-1, 1:-1]
    assert np.any(inner[:, 1:] != inner[:, :-1])  # alpha changes sign inside the map


def test_softmax_vs_unified__the_difference_is_visible():
    values = settings("softmax_vs_unified")
    result = compare_view.comparison(spec(values, "problem."), spec(values, "compare."))
    comp = result.surfaces
    difference = compare_view.figures(result, log_scale=False).difference
    shown = difference.data[0].zmax  # the colour scale's top: the 90th percentile of |diff|
    assert shown >= 0.1 * (comp.display_max - comp.display_min)
    assert len(result.morph) == values["compare.morph_frames"]
    # on the shared colour scale neither map is one flat colour: each spans a third of it
    figs = compare_view.figures(result, log_scale=values["compare.log"])
    for fig in (figs.first, figs.second):
        z, trace = np.asarray(fig.data[0].z, float), fig.data[0]
        assert np.nanmax(z) - np.nanmin(z) >= (trace.zmax - trace.zmin) / 3, fig.layout.title.text


def test_realizable_vs_not__zero_loss_and_a_psd_hessian_at_x_true():
    values = settings("realizable_vs_not")
    prob = problem_from_spec(spec(values, "problem."))
    x_true = np.array(prob.x_true)
    assert prob.loss(x_true) <= 1e-28
    assert spectrum(prob, x_true).n_negative == 0
    simplex = problem_from_spec(spec(settings("realizable_vs_not", **{"problem.target": "simplex"}),
                                     "problem."))
    best = ls.minimize(simplex, np.zeros(simplex.d), "newton", tol=1e-12)
    assert best.loss[-1] > 1e-6  # no x fits a random point of the simplex


def test_psd_needs_regularisation__negative_curvature_until_w_is_large_enough():
    values = settings("psd_needs_regularisation")
    view = hessian_view.hessian_view(spec(values, "problem."), spec(values, "hessian."))
    assert view.spectrum.n_negative >= 1
    regularised = settings("psd_needs_regularisation", **{"problem.w": "strongly_convex"})
    view = hessian_view.hessian_view(spec(regularised, "problem."), spec(regularised, "hessian."))
    assert view.spectrum.smallest >= regularised["problem.strong_convexity"] * (1 - 1e-9)


def test_whole_landscape_2d__one_basin_around_x_true():
    values = settings("whole_landscape_2d")
    view = landscape_of(values)
    prob = problem_from_spec(spec(values, "problem."))
    surf = view.surface
    j, i = np.unravel_index(np.nanargmin(surf.values), surf.values.shape)
    h = surf.alphas[1] - surf.alphas[0]
    assert abs(surf.alphas[i] - prob.x_true[0]) <= h and abs(surf.betas[j] - prob.x_true[1]) <= h
    assert view.directions.labels == ("x1", "x2")


@pytest.mark.parametrize("name", sorted(presets.presets()))
def test_the_measured_fact_shown_beside_each_preset_holds(name):
    """The sentence the app prints under a preset's explanation is measured on the
    preset's own numbers, and the claim holds there."""
    from landscape.ui import claims
    claim = claims.measure(name, settings(name))
    assert claim.holds, claim.text
    assert any(ch.isdigit() for ch in claim.text)  # a number, not a slogan


def test_a_claim_that_fails_is_reported_as_failing():
    """The measurement can say no: the ill-conditioned claim on a well-conditioned A."""
    from landscape.ui import claims
    claim = claims.measure("ill_conditioned", settings("ill_conditioned",
                                                       **{"problem.matrix": "gaussian"}))
    assert not claim.holds


def test_ill_conditioned__the_map_shows_closed_level_sets_ten_times_longer_than_wide():
    """On the page's own map (log colour of L − L_min): a level set around the centre
    closes inside the map and its extent is at least 10 times longer than wide."""
    values = settings("ill_conditioned")
    view = landscape_of(values)
    contour = landscape_view.figures(view, log_scale=True, show_poles=True).contour
    z = np.asarray(contour.data[0].z, float)  # log10(L − L_min), as coloured
    assert "L − L" in contour.data[0].colorbar.title.text
    m = z.shape[0] // 2
    best = 0.0
    for level in np.linspace(np.nanmin(z), np.nanmax(z), 30)[1:]:  # the drawn levels, about
        inside = z < level
        if not inside[m, m] or inside[0].any() or inside[-1].any() or inside[:, 0].any() \
                or inside[:, -1].any():
            continue  # not around the centre, or not closed within the map
        rows, cols = np.nonzero(inside)
        height, width = np.ptp(rows) + 1, np.ptp(cols) + 1
        best = max(best, max(height, width) / min(height, width))
    assert best >= 10, best
