"""Loss on a plane and along a line, directions, projections (landscape/surface.py,
directions.py, projection.py).

Checked three ways: the fast plane evaluator (MATH.md 7) against
the direct reference on random, far-out, pole-crossing and minimiser planes; both
against an independent route, ``prob.loss`` / ``prob.evaluate`` at single cells
(which also pins the orientation ``values[j, i] = L(center + alphas[i] u + betas[j] v)``
on non-square grids); and values known by construction (directions, projections).
Bad input raises a ValueError whose message start is pinned; a plane crossing the pole
set is not an error.
"""

from __future__ import annotations

import dataclasses
import re
import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import brentq

import landscape as ls
from landscape.directions import DIRECTION_KINDS, Directions, default_view, make_directions
from landscape.limits import MAX_LINE_POINTS, MAX_RESOLUTION
from landscape.projection import Projection, project
from landscape.surface import Line, Surface, evaluate_plane_direct, grid, line_1d, surface_2d
from landscape.text import number

#: the issue's accuracy promise: fast vs direct on finite cells
FAST_RTOL = 1e-9
#: kinds and residual weights covered: softmax (0), the unified loss (1), a morph (0.3)
KIND_GAMMAS = [("softmax", None), ("unified", None), ("unified", 0.0), ("unified", 0.3),
               ("softmax", 1.0)]


def _raises(message: str):
    """pytest.raises(ValueError) with ``message`` matched literally from the start."""
    return pytest.raises(ValueError, match="^" + re.escape(message))


def _rel(x, y) -> np.ndarray:
    """Entrywise relative difference |x - y| / |y|, 0 where they are equal (so an
    exact 0 against an exact 0 counts as agreement, 1e-33 against 0 does not)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == y, 0.0, np.abs(x - y) / np.abs(y))


def _fast_and_direct(prob, center, u, v, alphas, betas):
    fast = surface_2d(prob, center, u, v, alphas, betas, method="fast")
    direct = surface_2d(prob, center, u, v, alphas, betas, method="direct")
    return fast, direct


def _assert_agree(fast: Surface, direct: Surface, rtol: float = FAST_RTOL) -> float:
    """Same finiteness, same sign of alpha, values within ``rtol`` on finite cells."""
    assert fast.method == "fast" and direct.method == "direct"
    assert fast.values.shape == direct.values.shape == (len(fast.betas), len(fast.alphas))
    np.testing.assert_array_equal(fast.nonfinite, direct.nonfinite)
    np.testing.assert_array_equal(fast.alpha_sign, direct.alpha_sign)
    finite = ~direct.nonfinite
    worst = float(_rel(fast.values[finite], direct.values[finite]).max(initial=0.0))
    assert worst <= rtol, f"fast vs direct: largest relative difference {worst:.3e}"
    return worst


def _max_abs_z(prob, center, u, v, alphas, betas) -> float:
    """max |z_i| over the grid: z is linear in (a, c), so a corner attains it."""
    return max(float(np.abs(prob.A @ (center + a * u + c * v)).max())
               for a in (alphas[0], alphas[-1]) for c in (betas[0], betas[-1]))


def _random_plane(prob, seed: int, *, center_scale: float = 0.3):
    rng = np.random.default_rng(seed)
    center = center_scale * rng.standard_normal(prob.d)
    u, v = rng.standard_normal(prob.d), rng.standard_normal(prob.d)
    return center, u, v


# -- planes crossing the pole set of the unified loss ----------------------------------

def _pole_plane(gamma: float = 1.0, w: str = "none"):
    """A plane of a nonnegative-A unified problem through the pole set, with one grid
    cell (alphas[i0], betas[j0]) on the pole itself (a root of alpha found by brentq).

    With A >= 0, moving along u = -1/2 makes every z negative, and exp(t) + gamma t < 0
    for t negative enough, so alpha changes sign along u (MATH.md 5)."""
    prob = ls.make_problem(60, 4, seed=1, kind="unified", gamma=gamma, matrix="nonnegative",
                           w=w)
    center = np.zeros(4)
    u = -np.ones(4) / 2
    v = np.array([1.0, -1.0, 1.0, -1.0]) / 2

    def alpha(t: float) -> float:
        z = prob.A @ (center + t * u)
        return float(np.sum(np.exp(z) + gamma * z))

    hi = 1.0
    while alpha(hi) > 0:
        hi *= 2
    root = brentq(alpha, 0.0, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps)
    alphas = np.unique(np.r_[np.linspace(-2.0, 3 * hi, 40), root])
    betas = np.unique(np.r_[np.linspace(-3.0, 3.0, 36), 0.0])
    i0, j0 = int(np.searchsorted(alphas, root)), int(np.searchsorted(betas, 0.0))
    assert alphas[i0] == root and betas[j0] == 0.0
    return prob, center, u, v, alphas, betas, (j0, i0)


# == fast vs direct ======================================================================

@pytest.mark.parametrize("kind,gamma", KIND_GAMMAS)
@pytest.mark.parametrize("w", ["none", "constant", "vector"])
def test_fast_matches_direct_on_random_planes(kind, gamma, w):
    weights = {"none": None, "constant": 0.2,
               "vector": np.random.default_rng(5).uniform(0.0, 0.5, 150)}[w]
    base = ls.make_problem(150, 5, seed=11, kind=kind, gamma=gamma)
    prob = ls.Problem(base.A, base.b, kind=kind, gamma=gamma, w=weights)
    assert prob.w2.any() == (w != "none")
    for seed in range(3):
        center, u, v = _random_plane(prob, seed)
        alphas, betas = grid(1.5, 31), np.linspace(-1.0, 2.0, 22)
        fast, direct = _fast_and_direct(prob, center, u, v, alphas, betas)
        _assert_agree(fast, direct)
        assert direct.fallback_cells == 0
        assert not fast.nonfinite.any()


def _far_out_plane(prob, seed: int, zmax: float):
    """A random plane whose grid reaches max |z| = ``zmax`` exactly (at a corner), with
    a centre of its own far out (|A center|_inf = zmax / 4)."""
    center, u, v = _random_plane(prob, seed, center_scale=1.0)
    center = center * (zmax / 4) / np.abs(prob.A @ center).max()
    u = u / np.abs(prob.A @ u).max()
    v = v / np.abs(prob.A @ v).max()

    def axes(span):
        return grid(span, 25), np.linspace(-0.6 * span, span, 18)

    span = brentq(lambda t: _max_abs_z(prob, center, u, v, *axes(t)) - zmax, 1e-3, zmax)
    alphas, betas = axes(span)
    assert _max_abs_z(prob, center, u, v, alphas, betas) == pytest.approx(zmax, rel=1e-6)
    return center, u, v, alphas, betas


@pytest.mark.parametrize("kind,gamma", KIND_GAMMAS)
@pytest.mark.parametrize("w", ["none", "constant"])
@pytest.mark.parametrize("zmax", [300.0, 500.0, 700.0])
def test_fast_matches_direct_on_far_out_planes(kind, gamma, w, zmax):
    """|z| reaches several hundred: exp(z) overflows unless every sum is shifted."""
    prob = ls.make_problem(120, 5, seed=4, kind=kind, gamma=gamma, w=w)
    for seed in range(4):
        center, u, v, alphas, betas = _far_out_plane(prob, seed, zmax)
        fast, direct = _fast_and_direct(prob, center, u, v, alphas, betas)
        _assert_agree(fast, direct)
        assert not direct.nonfinite.any()
        assert np.isfinite(direct.log_abs_alpha).all()


@pytest.mark.parametrize("kind", ["softmax", "unified"])
def test_fast_matches_direct_on_planes_reaching_beyond_a_thousand(kind):
    """|z| up to 1500 (MATH.md 6 names z = +-800): the row and column shifts then sit
    far above some cells' true maximum, whose shifted sums underflow to 0; those cells
    fall back to direct evaluation, and no warning may escape on the way (warnings
    are errors here)."""
    prob = ls.make_problem(120, 5, seed=4, kind=kind)
    for seed in range(4):
        for zmax in (1000.0, 1500.0):
            center, u, v, alphas, betas = _far_out_plane(prob, seed, zmax)
            fast, direct = _fast_and_direct(prob, center, u, v, alphas, betas)
            _assert_agree(fast, direct)
            assert not direct.nonfinite.any()


@pytest.mark.parametrize("gamma", [1.0, 0.3])
@pytest.mark.parametrize("w", ["none", "constant"])
def test_fast_matches_direct_on_planes_crossing_the_pole_set(gamma, w):
    prob, center, u, v, alphas, betas, (j0, i0) = _pole_plane(gamma, w)
    fast, direct = _fast_and_direct(prob, center, u, v, alphas, betas)
    # the plane really crosses the pole set: alpha takes both signs
    assert set(np.unique(direct.alpha_sign)) >= {-1, 1}
    np.testing.assert_array_equal(fast.alpha_sign, direct.alpha_sign)
    # the direct evaluator's near-pole flags, straight from the reference
    P, Q, R = prob.A @ center, prob.A @ u, prob.A @ v
    _, sign, _, near = evaluate_plane_direct(prob, P, Q, R, alphas, betas)
    np.testing.assert_array_equal(sign, direct.alpha_sign)
    assert near[j0, i0], "the cell on the root of alpha must be flagged by direct"
    assert fast.pole[near].all() and direct.pole[near].all()
    assert fast.has_poles and direct.has_poles
    # no NaN anywhere except cells flagged non-finite
    for s in (fast, direct):
        assert not np.isnan(s.values[~s.nonfinite]).any()
        assert not np.isnan(s.log_abs_alpha[~s.nonfinite]).any()
        np.testing.assert_array_equal(s.nonfinite, ~np.isfinite(s.values))
    _assert_agree(fast, direct)
    # the loss blows up at the pole (MATH.md 5: L ~ 1/2 ||u||^2 / alpha^2)
    assert direct.values[j0, i0] > 1e12


@pytest.mark.parametrize("kind,gamma", KIND_GAMMAS)
def test_fast_matches_direct_through_the_minimiser(kind, gamma):
    """centre = x_true of a noise-free realizable problem: the fit is 0 there, so the
    relative difference is most demanding (an absolute error of eps is not small)."""
    prob = ls.make_problem(150, 5, seed=6, kind=kind, gamma=gamma, target="realizable")
    center = prob.x_true
    assert prob.loss(center) <= 1e-28
    rng = np.random.default_rng(2)
    u, v = rng.standard_normal(5), rng.standard_normal(5)
    alphas, betas = grid(0.5, 21), np.linspace(-0.4, 0.4, 15)
    fast, direct = _fast_and_direct(prob, center, u, v, alphas, betas)
    _assert_agree(fast, direct)
    assert fast.values[7, 10] == pytest.approx(prob.loss(center), abs=1e-28)


@given(seed=st.integers(0, 10_000),
       n=st.integers(3, 80),
       d=st.integers(2, 5),
       gamma=st.one_of(st.sampled_from([0.0, 0.3, 1.0]), st.floats(0.0, 1.0)),
       matrix=st.sampled_from(["gaussian", "uniform", "nonnegative"]),
       w=st.sampled_from(["none", "constant"]),
       log_span=st.floats(-2.0, np.log10(150.0)),
       log_center=st.floats(-2.0, np.log10(50.0)),
       ga=st.integers(2, 14), gb=st.integers(2, 14))
def test_fast_matches_direct_property(seed, n, d, gamma, matrix, w, log_span, log_center,
                                      ga, gb):
    """Random problems and planes with |z| up to about 200 (u, v scaled so that
    |A u|_inf = |A v|_inf = 1; far-out planes are covered above)."""
    prob = ls.make_problem(n, d, seed=seed, kind="unified", gamma=gamma, matrix=matrix, w=w)
    rng = np.random.default_rng(seed)
    center = rng.standard_normal(d)
    P = np.abs(prob.A @ center).max()
    center = center * (10**log_center / P if P > 0 else 1.0)
    u, v = rng.standard_normal(d), rng.standard_normal(d)
    Qm, Rm = np.abs(prob.A @ u).max(), np.abs(prob.A @ v).max()
    if Qm > 0:
        u = u / Qm
    if Rm > 0:
        v = v / Rm
    cos = abs(u @ v) / (np.linalg.norm(u) * np.linalg.norm(v))
    if cos > 0.999:  # (near-)parallel draws are a different test
        v = v - (v @ u) / (u @ u) * u
    span = 10**log_span
    alphas = np.linspace(-span, span, ga)
    betas = np.linspace(-0.5 * span, span, gb)
    fast, direct = _fast_and_direct(prob, center, u, v, alphas, betas)
    _assert_agree(fast, direct)
    assert (fast.pole | ~direct.pole).all()  # fast flags every cell direct flags
    assert fast.display_min <= fast.display_max


# == independent route: prob.loss / prob.evaluate at single cells =========================

def _sample_cells(shape, rng, k: int = 8):
    gb, ga = shape
    corners = [(0, 0), (0, ga - 1), (gb - 1, 0), (gb - 1, ga - 1)]
    rest = [(int(rng.integers(gb)), int(rng.integers(ga))) for _ in range(k)]
    return corners + rest


@pytest.mark.parametrize("method", ["fast", "direct"])
@pytest.mark.parametrize("kind,gamma", KIND_GAMMAS)
def test_values_match_loss_cell_by_cell_on_a_non_square_grid(method, kind, gamma):
    prob = ls.make_problem(90, 4, seed=3, kind=kind, gamma=gamma, w="constant", w_value=0.05)
    center, u, v = _random_plane(prob, 1)
    alphas = np.linspace(-2.0, 1.0, 17)      # 17 columns
    betas = np.linspace(-0.5, 1.5, 9)        # 9 rows: a transposition cannot fit
    s = surface_2d(prob, center, u, v, alphas, betas, method=method)
    assert s.values.shape == (9, 17)
    for field in (s.pole, s.nonfinite, s.alpha_sign, s.log_abs_alpha):
        assert field.shape == (9, 17)
    rng = np.random.default_rng(0)
    for j, i in _sample_cells(s.values.shape, rng):
        expected = prob.loss(center + alphas[i] * u + betas[j] * v)
        assert s.values[j, i] == pytest.approx(expected, rel=1e-12), (j, i)
    # the same numbers with the roles of a and c swapped would differ
    swapped = prob.loss(center + betas[-1] * u + alphas[0] * v)
    assert s.values[-1, 0] != pytest.approx(swapped, rel=1e-6)


def test_orientation_on_a_plane_where_only_one_direction_matters():
    """L changes along u only when A v = 0: every column of values is then constant."""
    rng = np.random.default_rng(8)
    A = rng.standard_normal((40, 3))
    A[:, 2] = 0.0                              # e3 is in the null space of A
    prob = ls.Problem(A, rng.dirichlet(np.ones(40)), kind="unified")
    u, v = np.array([1.0, 0.5, 0.0]), np.array([0.0, 0.0, 1.0])
    alphas, betas = np.linspace(-1.0, 1.0, 13), np.linspace(-3.0, 3.0, 5)
    for method in ("fast", "direct"):
        s = surface_2d(prob, np.zeros(3), u, v, alphas, betas, method=method)
        assert s.values.shape == (5, 13)
        np.testing.assert_allclose(s.values, np.broadcast_to(s.values[0], (5, 13)),
                                   rtol=1e-12)
        along = [prob.loss(a * u) for a in alphas]
        np.testing.assert_allclose(s.values[2], along, rtol=1e-12)
        assert np.ptp(s.values[0]) > 1e-3     # it does change along u


@pytest.mark.parametrize("method", ["fast", "direct"])
@pytest.mark.parametrize("kind,gamma", KIND_GAMMAS)
@pytest.mark.parametrize("w", ["none", "constant"])
@pytest.mark.parametrize("center_scale", [0.0, 0.5, 20.0])
def test_value_at_origin_of_the_plane_is_the_loss_at_the_center(method, kind, gamma, w,
                                                                center_scale):
    prob = ls.make_problem(80, 5, seed=2, kind=kind, gamma=gamma, w=w)
    center, u, v = _random_plane(prob, 4, center_scale=center_scale)
    alphas = np.linspace(-1.0, 1.0, 11)      # contains 0 exactly
    betas = np.linspace(-2.0, 1.0, 7)        # contains 0 exactly
    assert alphas[5] == 0.0 and betas[4] == 0.0
    s = surface_2d(prob, center, u, v, alphas, betas, method=method)
    assert s.values[4, 5] == pytest.approx(prob.loss(center), rel=1e-12)


@pytest.mark.parametrize("method", ["fast", "direct"])
def test_alpha_sign_and_log_abs_alpha_match_evaluate(method):
    prob, center, u, v, alphas, betas, (j0, i0) = _pole_plane(1.0, "constant")
    s = surface_2d(prob, center, u, v, alphas, betas, method=method)
    rng = np.random.default_rng(3)
    cells = _sample_cells(s.values.shape, rng, k=25) + [(j0, i0 - 3), (j0, i0 + 3)]
    signs = set()
    for j, i in cells:
        ev = prob.evaluate(center + alphas[i] * u + betas[j] * v)
        assert s.alpha_sign[j, i] == ev.alpha_sign, (j, i)
        assert s.log_abs_alpha[j, i] == pytest.approx(ev.log_abs_alpha, abs=1e-9), (j, i)
        assert bool(s.pole[j, i]) >= ev.near_pole
        signs.add(ev.alpha_sign)
    assert signs >= {-1, 1}
    ev0 = prob.evaluate(center + alphas[i0] * u)
    assert ev0.near_pole and s.pole[j0, i0]


def test_alpha_sign_and_log_abs_alpha_match_evaluate_softmax_far_center():
    """Softmax, centre far out (|z| about 150): log|alpha| ~ max z, never overflows."""
    prob = ls.make_problem(70, 4, seed=5, kind="softmax")
    center, u, v = _random_plane(prob, 2, center_scale=60.0)
    assert np.abs(prob.A @ center).max() > 100
    alphas, betas = np.linspace(-1.0, 1.0, 9), np.linspace(-1.0, 1.0, 6)
    s = surface_2d(prob, center, u, v, alphas, betas)
    assert (s.alpha_sign == 1).all() and not s.has_poles
    for j, i in _sample_cells(s.values.shape, np.random.default_rng(1)):
        ev = prob.evaluate(center + alphas[i] * u + betas[j] * v)
        assert s.log_abs_alpha[j, i] == pytest.approx(ev.log_abs_alpha, rel=1e-12)
        assert s.values[j, i] == pytest.approx(ev.loss, rel=1e-12)


# == line_1d =============================================================================

@pytest.mark.parametrize("kind,gamma", KIND_GAMMAS)
def test_line_equals_loss_along_the_line(kind, gamma):
    prob = ls.make_problem(50, 4, seed=7, kind=kind, gamma=gamma, w="constant")
    center, u, _ = _random_plane(prob, 3)
    ts = np.linspace(-3.0, 2.0, 37)
    line = line_1d(prob, center, u, ts)
    assert isinstance(line, Line)
    expected = [prob.loss(center + t * u) for t in ts]
    np.testing.assert_allclose(line.values, expected, rtol=1e-12)
    for field in (line.ts, line.values, line.pole, line.alpha_sign, line.log_abs_alpha):
        assert field.shape == ts.shape
    np.testing.assert_array_equal(line.direction, u)
    assert line.display_min <= line.display_max


def test_line_through_the_pole_set_flags_the_pole():
    prob, center, u, _, alphas, _, (_, i0) = _pole_plane(1.0)
    line = line_1d(prob, center, u, alphas)
    expected = np.array([prob.loss(center + t * u) for t in alphas])
    # at the pole itself alpha is rounding noise (z = P + t Q there, A (center + t u)
    # in prob.loss): both are huge, their ratio is not meaningful
    calm = ~line.pole
    np.testing.assert_allclose(line.values[calm], expected[calm], rtol=1e-12)
    assert line.pole[i0] and line.pole.sum() <= 3
    assert line.values[i0] > 1e12 and expected[i0] > 1e12
    assert not line.pole[0] and not line.pole[-1]
    assert set(np.unique(line.alpha_sign)) >= {-1, 1}
    assert (line.alpha_sign[:i0 - 1] == 1).all() and (line.alpha_sign[i0 + 2:] == -1).all()
    assert not np.isnan(line.values).any()
    finite = line.values[np.isfinite(line.values)]
    assert line.display_max < finite.max()


# == directions ==========================================================================

def _assert_orthonormal(dirs: Directions, atol: float = 1e-12):
    assert dirs.orthonormal
    assert np.linalg.norm(dirs.u) == pytest.approx(1.0, abs=atol)
    assert np.linalg.norm(dirs.v) == pytest.approx(1.0, abs=atol)
    assert abs(dirs.u @ dirs.v) <= atol


@pytest.fixture
def smooth_problem():
    """Unified, regularised, off the minimiser: distinct Hessian eigenvalues."""
    return ls.make_problem(80, 6, seed=2, kind="unified", target="realizable", noise=0.2,
                           w="constant", w_value=0.05)


def test_random_unit_directions_are_orthonormal_and_seeded(smooth_problem):
    center = np.full(6, 0.3)
    a = make_directions(smooth_problem, center, "random", seed=3)
    _assert_orthonormal(a)
    b = make_directions(smooth_problem, center, "random", seed=3)
    np.testing.assert_array_equal(a.u, b.u)
    np.testing.assert_array_equal(a.v, b.v)
    c = make_directions(smooth_problem, center, "random", seed=4)
    assert not np.allclose(a.u, c.u) and not np.allclose(a.v, c.v)


def test_random_center_scaled_directions(smooth_problem):
    center = np.arange(1.0, 7.0)
    dirs = make_directions(smooth_problem, center, "random", seed=1, scale="center")
    norm = np.linalg.norm(center)
    assert np.linalg.norm(dirs.u) == pytest.approx(norm, rel=1e-12)
    assert np.linalg.norm(dirs.v) == pytest.approx(norm, rel=1e-12)
    assert abs(dirs.u @ dirs.v) <= 1e-12 * norm**2
    assert not dirs.orthonormal
    unit = make_directions(smooth_problem, center, "random", seed=1)
    np.testing.assert_allclose(dirs.u, norm * unit.u, rtol=1e-12)


@pytest.mark.parametrize("route", ["dense", "lanczos"])
@pytest.mark.parametrize("kind", ["hessian_top", "hessian_bottom", "hessian_extremes"])
def test_hessian_directions_are_the_extreme_eigenvectors(smooth_problem, kind, route,
                                                         monkeypatch):
    prob = smooth_problem
    center = 0.5 * prob.x_true + 0.1
    H = prob.hessian(center)
    lam = np.linalg.eigh(H)[0]
    assert np.min(np.diff(lam)) > 1e-6 * np.abs(lam).max()  # distinct eigenvalues
    if route == "lanczos":  # as above DENSE_SPECTRUM_MAX_D: H is not formed
        monkeypatch.setattr("landscape.spectral.eigenvalues.DENSE_SPECTRUM_MAX_D", 2)
    dirs = make_directions(prob, center, kind)
    _assert_orthonormal(dirs)
    want = {"hessian_top": (lam[-1], lam[-2]), "hessian_bottom": (lam[0], lam[1]),
            "hessian_extremes": (lam[-1], lam[0])}[kind]
    scale = np.abs(lam).max()
    for vec, value in zip((dirs.u, dirs.v), want, strict=True):
        np.testing.assert_allclose(H @ vec, value * vec, atol=1e-9 * scale)
        assert vec @ H @ vec == pytest.approx(value, abs=1e-10 * scale)
    assert dirs.eigenvalues == pytest.approx(want, abs=1e-10 * scale)
    assert number(want[0], 3) in dirs.labels[0]


def test_gradient_newton_directions(smooth_problem):
    prob = smooth_problem
    center = 0.5 * prob.x_true + 0.1
    dirs = make_directions(prob, center, "gradient_newton")
    _assert_orthonormal(dirs)
    g = prob.gradient(center)
    np.testing.assert_allclose(dirs.u, g / np.linalg.norm(g), atol=1e-12)
    step = -np.linalg.solve(prob.hessian(center), g)
    # the Newton step lies in the plane the two directions span
    proj = project(step[None], np.zeros(6), dirs.u, dirs.v)
    assert proj.distance[0] <= 1e-9 * np.linalg.norm(step)
    assert abs(proj.betas[0]) > 1e-6 * np.linalg.norm(step)


def test_pca_directions_of_a_general_trajectory(smooth_problem):
    rng = np.random.default_rng(4)
    traj = np.cumsum(rng.standard_normal((12, 6)) * np.geomspace(1, 0.1, 6), axis=0)
    dirs = make_directions(smooth_problem, traj[-1], "pca", trajectory=traj)
    _assert_orthonormal(dirs)
    share = dirs.explained_variance
    assert share is not None and len(share) == 2
    assert share[0] >= share[1] >= 0
    assert sum(share) <= 1 + 1e-12
    assert sum(share) < 1 - 1e-6            # a 6-D cloud is not in a plane
    # the share is the variance about the last point along each direction
    diffs = traj - traj[-1]
    total = np.sum(diffs**2)
    assert share[0] == pytest.approx(np.sum((diffs @ dirs.u) ** 2) / total, rel=1e-10)
    assert share[1] == pytest.approx(np.sum((diffs @ dirs.v) ** 2) / total, rel=1e-10)
    # and no unit direction explains more than the first
    for _ in range(20):
        e = rng.standard_normal(6)
        e /= np.linalg.norm(e)
        assert np.sum((diffs @ e) ** 2) / total <= share[0] + 1e-12


def test_pca_of_a_planar_trajectory_explains_everything(smooth_problem):
    rng = np.random.default_rng(6)
    x0, p, q = rng.standard_normal(6), rng.standard_normal(6), rng.standard_normal(6)
    coeff = rng.standard_normal((9, 2))
    traj = x0 + coeff[:, :1] * p + coeff[:, 1:] * q
    dirs = make_directions(smooth_problem, traj[-1], "pca", trajectory=traj)
    _assert_orthonormal(dirs)
    assert sum(dirs.explained_variance) == pytest.approx(1.0, abs=1e-12)
    proj = project(traj, traj[-1], dirs.u, dirs.v)
    assert proj.distance.max() <= 1e-10 * np.abs(traj).max()


def test_axes_directions(smooth_problem):
    dirs = make_directions(smooth_problem, np.zeros(6), "axes", axes=(2, 0))
    _assert_orthonormal(dirs)
    np.testing.assert_array_equal(dirs.u, np.eye(6)[2])
    np.testing.assert_array_equal(dirs.v, np.eye(6)[0])
    assert dirs.labels == ("x3", "x1")


def test_custom_directions_kept_as_given(smooth_problem):
    vecs = np.array([[1.0, 2, 0, 0, 0, 0], [0.0, 1, 1, 0, 0, 0]])
    dirs = make_directions(smooth_problem, np.zeros(6), "custom", vectors=vecs)
    np.testing.assert_array_equal(dirs.u, vecs[0])
    np.testing.assert_array_equal(dirs.v, vecs[1])
    assert not dirs.orthonormal
    eye = make_directions(smooth_problem, np.zeros(6), "custom", vectors=np.eye(6)[[1, 4]])
    assert eye.orthonormal


def test_every_direction_kind_spans_a_plane_usable_by_surface_2d(smooth_problem):
    prob = smooth_problem
    center = 0.5 * prob.x_true + 0.1
    traj = center + np.random.default_rng(0).standard_normal((5, 6))
    extra = {"pca": dict(trajectory=traj), "custom": dict(vectors=np.eye(6)[[0, 3]])}
    for kind in DIRECTION_KINDS:
        dirs = make_directions(prob, center, kind, **extra.get(kind, {}))
        assert dirs.u.shape == dirs.v.shape == (6,)
        assert len(dirs.labels) == 2 and all(dirs.labels)
        s = surface_2d(prob, center, dirs.u, dirs.v, grid(0.5, 5), grid(0.25, 5))
        assert s.values[2, 2] == pytest.approx(prob.loss(center), rel=1e-12)


def test_default_view_for_d_2_is_the_whole_landscape():
    prob = ls.make_problem(30, 2, seed=0, kind="unified")
    center, dirs, span = default_view(prob)
    np.testing.assert_array_equal(center, np.zeros(2))
    np.testing.assert_array_equal(dirs.u, [1.0, 0.0])
    np.testing.assert_array_equal(dirs.v, [0.0, 1.0])
    assert dirs.labels == ("x1", "x2")
    assert span > 0
    assert default_view(prob, span=7.5)[2] == 7.5
    # the surface in these coordinates is the loss at (x1, x2) itself
    xs = np.linspace(-1.0, 1.0, 5)
    s = surface_2d(prob, center, dirs.u, dirs.v, xs, xs[:4])
    assert s.values[3, 1] == pytest.approx(prob.loss([xs[1], xs[3]]), rel=1e-12)


def test_default_view_for_larger_d_is_orthonormal_about_zero():
    prob = ls.make_problem(30, 5, seed=0)
    center, dirs, span = default_view(prob)
    np.testing.assert_array_equal(center, np.zeros(5))
    _assert_orthonormal(dirs)
    assert span > 0


# == project ===============================================================================

@pytest.mark.parametrize("orthonormal", [True, False])
def test_points_in_the_plane_have_distance_zero_and_recover_coordinates(orthonormal):
    rng = np.random.default_rng(10)
    center = rng.standard_normal(7)
    u, v = rng.standard_normal(7), rng.standard_normal(7)
    if orthonormal:
        basis, _ = np.linalg.qr(np.column_stack([u, v]))
        u, v = basis[:, 0], basis[:, 1]
    else:
        v = 0.3 * u + 2.0 * v              # skewed and unequal lengths
    a, c = rng.uniform(-3, 3, 15), rng.uniform(-3, 3, 15)
    points = center + a[:, None] * u + c[:, None] * v
    proj = project(points, center, u, v)
    assert isinstance(proj, Projection)
    np.testing.assert_allclose(proj.alphas, a, atol=1e-12)
    np.testing.assert_allclose(proj.betas, c, atol=1e-12)
    np.testing.assert_array_less(proj.distance, 1e-12)


def test_point_off_the_plane_has_the_right_distance():
    rng = np.random.default_rng(11)
    center = rng.standard_normal(5)
    u = rng.standard_normal(5)
    v = 0.5 * u + rng.standard_normal(5)   # not orthonormal
    basis, _ = np.linalg.qr(np.column_stack([u, v]), mode="complete")
    normal = basis[:, 2:4] @ np.array([0.6, 0.8])   # unit, orthogonal to u and v
    assert abs(normal @ u) < 1e-12 and abs(normal @ v) < 1e-12
    heights = np.array([0.0, 1e-3, 2.5, -4.0])
    points = center + 1.5 * u - 0.25 * v + heights[:, None] * normal
    proj = project(points, center, u, v)
    np.testing.assert_allclose(proj.distance, np.abs(heights), atol=1e-12)
    np.testing.assert_allclose(proj.alphas, 1.5, atol=1e-12)
    np.testing.assert_allclose(proj.betas, -0.25, atol=1e-12)


# == bad input =============================================================================

@pytest.fixture
def prob4():
    return ls.make_problem(20, 4, seed=0, kind="unified")


def test_grid_resolution_beyond_the_cap():
    with _raises(f"resolution must be at most {MAX_RESOLUTION}; received {MAX_RESOLUTION + 1}."):
        grid(1.0, MAX_RESOLUTION + 1)
    assert grid(1.0, MAX_RESOLUTION).size == MAX_RESOLUTION


@pytest.mark.parametrize("span,text", [(0, "0"), (-1, "−1"), (0.0, "0")])
def test_grid_span_must_be_positive(span, text):
    with _raises(f"span must lie in (0, ∞); received {text}."):
        grid(span, 11)


def test_grid_needs_two_points():
    with _raises("resolution must be at least 2; received 1."):
        grid(1.0, 1)


def test_grid_is_symmetric_about_its_center():
    g = grid(2.0, 5, center=1.0)
    np.testing.assert_allclose(g, [-1.0, 0.0, 1.0, 2.0, 3.0])


@pytest.mark.parametrize("axis", ["alphas", "betas"])
def test_axis_too_long(prob4, axis):
    long = np.linspace(-1, 1, MAX_RESOLUTION + 1)
    args = dict(alphas=grid(1.0, 5), betas=grid(1.0, 5))
    args[axis] = long
    with _raises(f"{axis} must hold between 2 and {MAX_RESOLUTION} points; "
                 f"received {MAX_RESOLUTION + 1}."):
        surface_2d(prob4, np.zeros(4), np.eye(4)[0], np.eye(4)[1], **args)


@pytest.mark.parametrize("values,shown", [([1.0, 0.0, -1.0], "1 to −1"),
                                          ([0.0, 0.0, 1.0], "0 to 1"),
                                          ([0.0, 1.0, 0.5], "0 to 0.5")])
@pytest.mark.parametrize("axis", ["alphas", "betas"])
def test_axis_must_increase(prob4, axis, values, shown):
    args = dict(alphas=grid(1.0, 5), betas=grid(1.0, 5))
    args[axis] = values
    with _raises(f"{axis} must be strictly increasing (a positive span); received values "
                 f"from {shown}."):
        surface_2d(prob4, np.zeros(4), np.eye(4)[0], np.eye(4)[1], **args)


def test_axis_with_a_single_point(prob4):
    with _raises(f"alphas must hold between 2 and {MAX_RESOLUTION} points; received 1."):
        surface_2d(prob4, np.zeros(4), np.eye(4)[0], np.eye(4)[1], [0.0], grid(1.0, 3))


@pytest.mark.parametrize("which", ["u", "v"])
def test_zero_direction(prob4, which):
    dirs = dict(u=np.eye(4)[0], v=np.eye(4)[1])
    dirs[which] = np.zeros(4)
    with _raises(f"{which} must be a non-zero direction; received the zero vector."):
        surface_2d(prob4, np.zeros(4), dirs["u"], dirs["v"], grid(1.0, 3), grid(1.0, 3))


@pytest.mark.parametrize("factor", [1.0, 2.0, -3.0])
def test_repeated_or_parallel_direction(prob4, factor):
    u = np.array([1.0, 2.0, -1.0, 0.5])
    with _raises("u and v must span a plane (not be parallel); received directions with "
                 "|cos angle| = 1.0"):
        surface_2d(prob4, np.zeros(4), u, factor * u, grid(1.0, 3), grid(1.0, 3))


@pytest.mark.parametrize("which,length", [("u", 3), ("v", 5), ("center", 3)])
def test_wrong_length(prob4, which, length):
    args = dict(center=np.zeros(4), u=np.eye(4)[0], v=np.eye(4)[1])
    args[which] = np.ones(length)
    with _raises(f"{which} must have length 4 (d, the number of columns of A); received "
                 f"shape ({length},)."):
        surface_2d(prob4, args["center"], args["u"], args["v"], grid(1.0, 3), grid(1.0, 3))


def test_center_with_nan(prob4):
    center = np.array([0.0, np.nan, 0.0, 0.0])
    with _raises("center must be finite; received 1 NaN and 0 infinite entries "
                 "(first at index 1)."):
        surface_2d(prob4, center, np.eye(4)[0], np.eye(4)[1], grid(1.0, 3), grid(1.0, 3))
    with _raises("center must be finite; received 1 NaN"):
        line_1d(prob4, center, np.eye(4)[0], grid(1.0, 3))


def test_alphas_with_nan(prob4):
    with _raises("alphas must be finite; received 1 NaN"):
        surface_2d(prob4, np.zeros(4), np.eye(4)[0], np.eye(4)[1], [0.0, np.nan],
                   grid(1.0, 3))


def test_unknown_method(prob4):
    with _raises("method must be 'fast' or 'direct'; received 'slow'."):
        surface_2d(prob4, np.zeros(4), np.eye(4)[0], np.eye(4)[1], grid(1.0, 3),
                   grid(1.0, 3), method="slow")


def test_unknown_direction_kind(prob4):
    with _raises("kind must be one of 'random', 'hessian_top', 'hessian_bottom', "
                 "'hessian_extremes', 'gradient_newton', 'pca', 'axes', 'custom'; "
                 "received 'bogus'."):
        make_directions(prob4, np.zeros(4), "bogus")


@pytest.mark.parametrize("shape", [(2, 4), (5, 3)])
def test_pca_with_too_few_points_or_wrong_length(prob4, shape):
    with _raises(f"trajectory must have at least 3 points of length d = 4; received shape "
                 f"{shape}."):
        make_directions(prob4, np.zeros(4), "pca", trajectory=np.ones(shape))


def test_pca_of_a_straight_trajectory(prob4):
    traj = np.outer(np.arange(5.0), [1.0, -2.0, 0.5, 0.0])
    with _raises("the trajectory moves along a single direction"):
        make_directions(prob4, np.zeros(4), "pca", trajectory=traj)


def test_axes_equal(prob4):
    with _raises("axes must be two different coordinates in 0..3 (counting from 0); "
                 "received (1, 1)."):
        make_directions(prob4, np.zeros(4), "axes", axes=(1, 1))


def test_axes_out_of_range_names_the_received_value(prob4):
    """axes are 0-based ((0, 1) gives x1, x2); the message must name what was passed."""
    with pytest.raises(ValueError, match="^axes ") as info:
        make_directions(prob4, np.zeros(4), "axes", axes=(0, 4))
    assert "received 4" in str(info.value) or "(0, 4)" in str(info.value), str(info.value)


@pytest.mark.parametrize("shape", [(3, 4), (2, 3), (1, 4)])
def test_custom_vectors_of_wrong_shape(prob4, shape):
    with _raises(f"vectors must have shape (2, 4); received {shape}."):
        make_directions(prob4, np.zeros(4), "custom", vectors=np.ones(shape))


def test_custom_vectors_parallel(prob4):
    with _raises("u and v must span a plane (not be parallel)"):
        make_directions(prob4, np.zeros(4), "custom", vectors=np.ones((2, 4)))


def test_random_scale_errors(prob4):
    with _raises("scale must be 'unit' or 'center'; received 'big'."):
        make_directions(prob4, np.zeros(4), "random", scale="big")
    with _raises("scale='center' needs a non-zero centre"):
        make_directions(prob4, np.zeros(4), "random", scale="center")


def test_line_bad_input(prob4):
    with _raises("direction must be non-zero; received the zero vector."):
        line_1d(prob4, np.zeros(4), np.zeros(4), grid(1.0, 3))
    with _raises("ts must be strictly increasing (a positive span); received values from "
                 "1 to −1."):
        line_1d(prob4, np.zeros(4), np.eye(4)[0], [1.0, 0.0, -1.0])
    with _raises(f"ts must hold between 2 and {MAX_LINE_POINTS} points; received "
                 f"{MAX_LINE_POINTS + 1}."):
        line_1d(prob4, np.zeros(4), np.eye(4)[0], np.linspace(0, 1, MAX_LINE_POINTS + 1))
    with _raises("direction must have length 4 (d, the number of columns of A); received "
                 "shape (3,)."):
        line_1d(prob4, np.zeros(4), np.ones(3), grid(1.0, 3))


def test_project_bad_input():
    with _raises("points must have 4 columns (the length of center); received shape (3, 3)."):
        project(np.ones((3, 3)), np.zeros(4), np.eye(4)[0], np.eye(4)[1])
    with _raises("u must have length 4 (the length of center); received shape (3,)."):
        project(np.ones((3, 4)), np.zeros(4), np.ones(3), np.eye(4)[1])


def test_a_plane_crossing_the_pole_set_is_not_an_error():
    prob, center, u, v, alphas, betas, (j0, i0) = _pole_plane(1.0)
    s = surface_2d(prob, center, u, v, alphas, betas)
    assert s.has_poles and s.pole[j0, i0]
    line = line_1d(prob, center, u, alphas)
    assert line.pole[i0]


# == the Surface result ======================================================================

def test_surface_arrays_are_read_only_and_the_callers_are_not(prob4):
    center, u, v = np.zeros(4), np.eye(4)[0].copy(), np.eye(4)[1].copy()
    alphas, betas = np.linspace(-1, 1, 5), np.linspace(-1, 1, 4)
    s = surface_2d(prob4, center, u, v, alphas, betas)
    for name in ("alphas", "betas", "values", "pole", "nonfinite", "alpha_sign",
                 "log_abs_alpha", "center", "u", "v"):
        arr = getattr(s, name)
        assert isinstance(arr, np.ndarray) and not arr.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            arr[(0,) * arr.ndim] = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.values = np.zeros((4, 5))
    for arr in (center, u, v, alphas, betas):  # the caller's arrays stay writable
        assert arr.flags.writeable
    line = line_1d(prob4, center, u, alphas)
    for name in ("ts", "values", "pole", "alpha_sign", "log_abs_alpha"):
        assert not getattr(line, name).flags.writeable, name
    proj = project(np.ones((2, 4)), center, u, v)
    for name in ("alphas", "betas", "distance"):
        assert not getattr(proj, name).flags.writeable, name


def test_display_range_without_poles():
    prob = ls.make_problem(40, 3, seed=0, kind="softmax", w="constant")
    center, u, v = _random_plane(prob, 0)
    s = surface_2d(prob, center, u, v, grid(2.0, 15), grid(1.0, 11))
    assert not s.has_poles and not s.pole.any()
    assert s.display_min <= s.display_max
    assert s.display_min == s.values.min() and s.display_max == s.values.max()


@pytest.mark.parametrize("method", ["fast", "direct"])
def test_one_pole_cannot_swamp_the_colour_scale(method):
    prob, center, u, v, alphas, betas, (j0, i0) = _pole_plane(1.0)
    s = surface_2d(prob, center, u, v, alphas, betas, method=method)
    finite = s.values[np.isfinite(s.values)]
    assert finite.max() > 1e12                 # huge values next to the pole
    assert s.display_min <= s.display_max < finite.max()
    assert s.display_max <= 1e3 * np.median(finite)
    assert s.display_min == finite.min()


# == memory ================================================================================

def test_memory_of_a_201_by_201_surface_at_n_1e5():
    """The issue's cap is 2 GB; A itself is 4 MB here and the evaluator works in
    blocks of columns, so the peak should stay far below it."""
    prob = ls.make_problem(10**5, 5, seed=0, kind="unified", w="constant", w_value=1e-3)
    center = np.zeros(5)
    dirs = make_directions(prob, center, "random", seed=1)
    alphas, betas = grid(1.0, 201), grid(1.5, 201)
    tracemalloc.start()
    try:
        s = surface_2d(prob, center, dirs.u, dirs.v, alphas, betas)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert s.values.shape == (201, 201)
    assert peak < 500e6, f"peak {peak / 1e6:.0f} MB"
    for j, i in [(0, 0), (100, 100), (200, 37), (13, 190)]:
        expected = prob.loss(center + alphas[i] * dirs.u + betas[j] * dirs.v)
        assert s.values[j, i] == pytest.approx(expected, rel=1e-10)


def test_hessian_extremes_span_the_steepest_and_the_flattest_direction(prob4):
    x = np.full(prob4.d, 0.1)
    dirs = ls.make_directions(prob4, x, "hessian_extremes")
    values = np.linalg.eigvalsh(prob4.hessian(x))
    H = prob4.hessian(x)
    assert dirs.eigenvalues == pytest.approx((values[-1], values[0]), rel=1e-10)
    np.testing.assert_allclose(H @ dirs.u, values[-1] * dirs.u, atol=1e-10)
    np.testing.assert_allclose(H @ dirs.v, values[0] * dirs.v, atol=1e-10)
    assert abs(dirs.u @ dirs.v) < 1e-10 and dirs.orthonormal
