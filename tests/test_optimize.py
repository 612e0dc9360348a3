"""Minimisers (landscape.optimize): convergence orders and rates, the sampled Hessian's
guarantee, agreement of all methods, the sign of the step, the pole guard,
reproducibility, statuses and the messages of bad input."""

from __future__ import annotations

import dataclasses
import pickle
import re
from itertools import pairwise

import numpy as np
import pytest

import landscape as ls
from landscape.optimize import (
    METHODS,
    Convergence,
    Status,
    Trajectory,
    _linesearch,
    convergence_rate,
    diagnose,
    minimize,
)
from landscape.spectral import BasinCondition, basin_condition
from landscape.text import number


def _raises(message: str):
    """pytest.raises(ValueError) with ``message`` matched literally from the start."""
    return pytest.raises(ValueError, match="^" + re.escape(message))


@pytest.fixture(scope="module")
def convex():
    """Strongly convex softmax (MATH.md 4: hess L >= I everywhere)."""
    return ls.make_problem(300, 6, seed=4, kind="softmax", w="strongly_convex")


@pytest.fixture(scope="module")
def realizable():
    """Softmax on an exactly realizable target: the minimiser is x_true, c = 0 there."""
    return ls.make_problem(500, 8, seed=1, kind="softmax", target="realizable")


@pytest.fixture(scope="module")
def unified():
    return ls.make_problem(400, 6, seed=2, kind="unified", target="realizable", noise=0.1,
                           w="constant", w_value=0.05)


@pytest.fixture(scope="module")
def sampled():
    """Large n, small d: approximate Newton keeps a small share of the rows."""
    return ls.make_problem(20_000, 10, seed=2, kind="unified", target="realizable",
                           noise=0.1, w="constant", w_value=0.05)


@pytest.fixture(scope="module")
def sampled_star(sampled):
    return minimize(sampled, np.zeros(sampled.d), "newton", tol=1e-300, max_iter=30).x


@pytest.fixture(scope="module")
def pole_problem():
    """Non-negative A, unified loss: alpha <= 0 on a convex set around -t 1 (MATH.md 5).
    From x0 = 1 + noise, full Newton steps overshoot across that set."""
    prob = ls.make_problem(60, 4, seed=0, kind="unified", matrix="nonnegative")
    x0 = np.ones(4) + 0.3 * np.random.default_rng(0).standard_normal(4)
    return prob, x0


# -- convergence orders and rates --------------------------------------------------

@pytest.mark.parametrize("fixture", ["realizable", "unified"])
def test_newton_converges_quadratically(fixture, request):
    prob = request.getfixturevalue(fixture)
    x0 = np.zeros(prob.d) if fixture == "realizable" else 0.8 * prob.x_true
    traj = minimize(prob, x0, "newton")
    assert traj.status is Status.CONVERGED
    assert np.all(traj.shift[-3:] == 0) and traj.step_size[-3:].tolist() == [1.0, 1.0, 1.0]
    conv = diagnose(prob, traj)
    e = conv.error
    # errors roughly square: e_{k+1} <= C e_k^2 over the last steps above rounding
    tail = [(a, b) for a, b in pairwise(e) if 1e-9 < a < 0.1]
    assert len(tail) >= 2
    for a, b in tail:
        assert b <= 5.0 * a * a, (a, b)
    assert 1.6 <= conv.euclidean.order <= 2.5


def test_approx_newton_is_linear_with_rate_tracking_eps(sampled, sampled_star):
    x0 = np.zeros(sampled.d)
    rates = {}
    for eps in (0.5, 0.2):
        runs = [minimize(sampled, x0, "approx_newton", eps=eps, seed=s, tol=1e-12)
                for s in (0, 1)]
        convs = [diagnose(sampled, t, sampled_star) for t in runs]
        for t, c in zip(runs, convs, strict=True):
            assert t.status is Status.CONVERGED
            assert 0.6 <= c.hessian.order <= 1.4  # linear, not quadratic
            assert np.all(c.hessian.ratios[1:] < 2 * eps)  # contraction within the guarantee
        rates[eps] = np.mean([c.hessian.rate for c in convs])
        kept = np.concatenate([t.rows_kept for t in runs])
        assert np.all(kept < sampled.n)
    assert rates[0.2] < 0.6 * rates[0.5]
    assert rates[0.5] < 0.5


@pytest.mark.parametrize("leverage", ["sketch", "qr"])
@pytest.mark.parametrize("eps", [0.5, 0.3])
def test_sampled_hessian_within_its_guarantee(sampled, leverage, eps):
    # one step from several seeds; the measured spectral error of each sampled
    # diagonal part against the exact one must be below eps on (almost) every draw
    x0 = 0.5 * sampled.x_true
    errors = [minimize(sampled, x0, "approx_newton", eps=eps, seed=s, leverage=leverage,
                       max_iter=1, measure_error=True).spectral_error[0] for s in range(12)]
    errors = np.array(errors)
    assert np.all(np.isfinite(errors))
    assert np.mean(errors <= eps) >= 0.9
    assert np.median(errors) > 0.01 * eps  # it is a sample, not the exact matrix


def test_the_sketched_scores_hold_the_guarantee_on_a_coherent_a():
    """A CountSketch of 50 d rows (``_sampling.SKETCH_ROWS_PER_COLUMN``) on an A whose
    ten heavy rows (40 times the others) carry most of the leverage: two of them may
    share a bucket, yet the sampled part stays within eps on (almost) every draw."""
    rng = np.random.default_rng(5)
    A = rng.standard_normal((20_000, 10)) / 3
    A[rng.choice(20_000, 10, replace=False)] *= 40
    x_true = 0.3 * rng.standard_normal(10)
    u = np.exp(A @ x_true) + A @ x_true
    prob = ls.Problem(A, u / u.sum(), kind="unified", w=0.05)
    errors = np.array([minimize(prob, 0.5 * x_true, "approx_newton", eps=0.5, seed=s,
                                max_iter=1, measure_error=True).spectral_error[0]
                       for s in range(12)])
    assert np.mean(errors <= 0.5) >= 0.9, errors


def test_sampled_rows_scale_as_eps_squared(sampled):
    x0 = 0.5 * sampled.x_true
    kept = {eps: minimize(sampled, x0, "approx_newton", eps=eps, max_iter=1,
                          measure_error=False).rows_kept[0] for eps in (0.5, 0.35)}
    # pi_i ~ 1/eps^2: halving eps^2 about doubles the rows (fewer where pi_i hits 1)
    assert 1.5 < kept[0.35] / kept[0.5] < 2.2


def test_convergence_rate_on_known_sequences():
    quadratic = convergence_rate([1e-1, 1e-2, 1e-4, 1e-8, 1e-16], floor=1e-14)
    assert quadratic.order == pytest.approx(2.0)
    assert quadratic.n_used == 4
    linear = convergence_rate(0.3 ** np.arange(12))
    assert linear.order == pytest.approx(1.0)
    assert linear.rate == pytest.approx(0.3)
    assert np.isnan(convergence_rate([1.0, 0.5]).order)
    assert not linear.ratios.flags.writeable


# -- all methods agree ----------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_every_method_reaches_the_same_minimiser(convex, method):
    x0 = np.full(convex.d, 0.3)
    reference = minimize(convex, x0, "newton", tol=1e-12)
    traj = minimize(convex, x0, method, tol=1e-7)
    assert traj.status is Status.CONVERGED, traj.message
    assert traj.grad_norm[-1] <= 1e-7 * traj.grad_norm[0]
    np.testing.assert_allclose(traj.x, reference.x, rtol=0, atol=1e-7 * np.abs(x0).max())
    assert traj.loss[-1] == pytest.approx(reference.loss[-1], rel=1e-8)


@pytest.mark.parametrize("method", ["newton", "approx_newton", "trust_exact", "newton_cg",
                                    "lbfgs"])
def test_methods_agree_on_the_unified_loss(unified, method):
    reference = minimize(unified, np.zeros(unified.d), "newton", tol=1e-12)
    traj = minimize(unified, np.zeros(unified.d), method, tol=1e-7)
    assert traj.success, traj.message
    np.testing.assert_allclose(traj.x, reference.x, atol=1e-6)


@pytest.mark.parametrize("method", METHODS)
def test_recorded_values_match_the_problem(unified, method):
    traj = minimize(unified, np.zeros(unified.d), method, tol=1e-6)
    k = traj.n_iter
    assert traj.xs.shape == (k + 1, unified.d)
    for name in ("loss", "grad_norm", "alpha_sign", "log_abs_alpha", "elapsed"):
        assert getattr(traj, name).shape == (k + 1,)
    assert traj.step_length.shape == traj.time_per_iteration.shape == (k,)
    np.testing.assert_allclose(traj.loss, [unified.loss(x) for x in traj.xs], rtol=1e-10)
    grads = [np.linalg.norm(unified.gradient(x)) for x in traj.xs]
    np.testing.assert_allclose(traj.grad_norm, grads, rtol=1e-6, atol=1e-12 * grads[0])
    np.testing.assert_allclose(traj.step_length, np.linalg.norm(np.diff(traj.xs, axis=0),
                                                                axis=1))
    assert np.all(np.diff(traj.elapsed) >= 0) and traj.elapsed[0] >= 0
    assert np.all(traj.alpha_sign == 1)
    line_search = method in ("newton", "approx_newton", "gd", "newton_cg")
    assert (traj.step_size is not None) == line_search
    assert (traj.rows_kept is not None) == (method == "approx_newton")
    assert (traj.inner_iterations is not None) == (method == "newton_cg")
    if line_search:
        assert traj.step_size.shape == (k,) and np.all((traj.step_size > 0)
                                                        & (traj.step_size <= 1))
    assert np.all(np.diff(traj.loss) <= 1e-12 * np.abs(traj.loss[:-1]))  # monotone


# -- the sign of the update ---------------------------------------------------------

@pytest.mark.parametrize("method", ["newton", "approx_newton"])
def test_first_step_is_minus_h_inverse_g(unified, method):
    # a flipped sign (x + H^-1 g) would increase the loss and could not converge
    x0 = 0.8 * unified.x_true
    traj = minimize(unified, x0, method, seed=3)
    assert traj.status is Status.CONVERGED
    g, H = unified.gradient(x0), unified.hessian(x0)
    step = traj.xs[1] - traj.xs[0]
    assert traj.step_size[0] == 1.0
    assert step @ g < 0
    assert traj.loss[1] < traj.loss[0]
    if method == "newton":
        np.testing.assert_allclose(step, -np.linalg.solve(H, g), rtol=1e-9)
    else:  # within the sampling accuracy of the exact step, in the Hessian norm
        exact = -np.linalg.solve(H, g)
        gap = np.sqrt((step - exact) @ H @ (step - exact) / (exact @ H @ exact))
        assert gap < 0.5


def test_gradient_descent_moves_downhill(unified):
    traj = minimize(unified, np.zeros(unified.d), "gd", tol=1e-6)
    assert traj.status is Status.CONVERGED
    g0 = unified.gradient(np.zeros(unified.d))
    step = traj.xs[1] - traj.xs[0]
    np.testing.assert_allclose(step / np.linalg.norm(step), -g0 / np.linalg.norm(g0),
                               atol=1e-12)
    assert traj.loss[1] < traj.loss[0]


def test_constant_step_is_one_over_the_softmax_bound(convex):
    x0 = np.full(convex.d, 0.3)
    traj = minimize(convex, x0, "gd", step="constant", max_iter=3)
    assert np.all(traj.step_size == 1.0)
    L = (7 + 6 * np.abs(convex.b).max() + convex.w2.max()) * np.linalg.norm(convex.A, 2) ** 2
    np.testing.assert_allclose(traj.xs[1], x0 - convex.gradient(x0) / L, rtol=1e-12)
    assert np.all(np.diff(traj.loss) < 0)


# -- modified Newton where the Hessian is indefinite ----------------------------------

def test_indefinite_hessian_gets_a_recorded_shift():
    prob = ls.make_problem(200, 5, seed=7, kind="unified")
    x0 = next(x for x in (0.8 * np.random.default_rng(s).standard_normal(5) for s in range(50))
              if np.linalg.eigvalsh(prob.hessian(x))[0] < 0 and prob.evaluate(x).alpha_sign > 0)
    lam = np.linalg.eigvalsh(prob.hessian(x0))
    traj = minimize(prob, x0, "newton", max_iter=200)
    assert traj.shift[0] >= -lam[0] > 0
    assert traj.loss[1] < traj.loss[0]
    assert traj.status in (Status.CONVERGED, Status.STALLED)
    assert np.linalg.eigvalsh(prob.hessian(traj.x))[0] > -1e-8  # a minimiser, not a saddle


# -- the pole set --------------------------------------------------------------------

def _segments_stay_positive(prob, xs, points=301):
    s = np.linspace(0.0, 1.0, points)[:, None]
    for a, b in pairwise(xs):
        batch = prob.evaluate_batch(a + s * (b - a))
        if not (np.all(batch.alpha_sign > 0) and not np.any(batch.near_pole)):
            return False
    return True


@pytest.mark.parametrize("method", ["newton", "approx_newton", "newton_cg"])
def test_pole_guard_keeps_alpha_positive(pole_problem, method):
    prob, x0 = pole_problem
    traj = minimize(prob, x0, method, tol=1e-8)
    assert traj.status is Status.CONVERGED
    assert traj.pole_rejections.sum() >= 1  # steps that would have crossed were shortened
    assert np.all(traj.alpha_sign == 1)
    assert _segments_stay_positive(prob, traj.xs)


def _across_the_pole_set():
    """A step that passes through the pole set and comes out on the other side: both
    ends have alpha > 0, the middle alpha < 0, and the target is fitted exactly at
    the far end, so the loss there (0) passes any sufficient-decrease test."""
    base = ls.make_problem(40, 3, seed=3, kind="unified", matrix="nonnegative")
    middle, v = -np.ones(3), 10.0 * np.array([1.0, -1.0, 0.0])
    x0, p = middle - v, 2.0 * v
    prob = ls.Problem(base.A, base.evaluate(x0 + p).f, kind="unified")
    assert prob.evaluate(middle).alpha_sign == -1
    for end in (x0, x0 + p):
        assert prob.evaluate(end).alpha_sign == 1 and not prob.evaluate(end).near_pole
    assert prob.loss(x0 + p) == pytest.approx(0.0, abs=1e-25)
    point = _linesearch.evaluate(prob, x0, prob.A @ x0, parts=False)
    return prob, point, p


def test_line_search_refuses_a_step_through_the_pole_set():
    prob, point, p = _across_the_pole_set()
    # a slope steep enough that the far end would pass the Armijo test
    step = _linesearch.line_search(prob, point, p, slope=-point.loss)
    assert step.pole_rejections >= 1
    if step.status is None:
        assert step.t < 1.0
        assert _segments_stay_positive(prob, [point.x, point.x + step.t * p])
    else:
        assert step.status is Status.STALLED


def test_without_the_guard_the_line_search_would_cross(monkeypatch):
    # the control for the test above: the same search with the segment check off
    prob, point, p = _across_the_pole_set()
    monkeypatch.setattr(_linesearch, "segment_touches_pole", lambda *args: False)
    step = _linesearch.line_search(prob, point, p, slope=-point.loss)
    assert step.status is None and step.t == 1.0
    assert not _segments_stay_positive(prob, [point.x, point.x + p])


def test_segment_check_matches_dense_sampling():
    prob = ls.make_problem(40, 3, seed=3, kind="unified", matrix="nonnegative")
    rng = np.random.default_rng(0)
    x0 = np.zeros(3)
    z = prob.A @ x0
    agree = 0
    for _ in range(40):
        p = rng.standard_normal(3) * 2
        crosses = _linesearch.segment_touches_pole(z, prob.A @ p, prob.gamma, 1.0)
        s = np.linspace(0, 1, 2001)[:, None]
        batch = prob.evaluate_batch(x0 + s * p)
        sampled = bool(np.any(batch.alpha_sign <= 0) or np.any(batch.near_pole))
        agree += crosses == sampled
        if sampled:
            assert crosses  # never misses a crossing the samples see
    assert agree >= 38  # the two can differ only for a crossing thinner than the grid


@pytest.mark.parametrize("method", ["lbfgs", "bfgs", "trust_exact", "trust_krylov", "gd"])
def test_peers_never_raise_near_the_pole_set(pole_problem, method):
    prob, x0 = pole_problem
    traj = minimize(prob, x0, method, tol=1e-8)
    assert isinstance(traj, Trajectory)
    assert np.all(traj.alpha_sign == 1)
    assert np.all(np.isfinite(traj.loss))


def test_start_on_or_beyond_the_pole_set_is_refused():
    prob = ls.make_problem(40, 3, seed=3, kind="unified", matrix="nonnegative")
    with _raises("x0 must lie off the pole set of the unified loss, where α(x0) > 0 "
                 "(MATH.md 5; x0 = 0 gives α = n); received a point beyond it "
                 "(α(x0) < 0"):
        minimize(prob, -2.0 * np.ones(3))
    lo, hi = 0.0, 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        lo, hi = (mid, hi) if prob.evaluate(-mid * np.ones(3)).alpha_sign > 0 else (lo, mid)
    with pytest.raises(ValueError, match=r"received a point (next to it|on it)"):
        minimize(prob, -lo * np.ones(3))


# -- reproducibility, statuses, outcomes -------------------------------------------------

def test_seeds_make_runs_reproducible(sampled):
    x0 = np.zeros(sampled.d)
    a = minimize(sampled, x0, "approx_newton", seed=5, max_iter=3, measure_error=False)
    b = minimize(sampled, x0, "approx_newton", seed=5, max_iter=3, measure_error=False)
    c = minimize(sampled, x0, "approx_newton", seed=6, max_iter=3, measure_error=False)
    np.testing.assert_array_equal(a.xs, b.xs)
    np.testing.assert_array_equal(a.rows_kept, b.rows_kept)
    assert not np.array_equal(a.xs[1:], c.xs[1:])
    d1 = minimize(sampled, x0, "newton", max_iter=2)
    d2 = minimize(sampled, x0, "newton", max_iter=2)
    np.testing.assert_array_equal(d1.xs, d2.xs)


@pytest.mark.parametrize("method", METHODS)
def test_iteration_limit_is_a_status(unified, method):
    traj = minimize(unified, np.zeros(unified.d), method, max_iter=1)
    assert traj.status is Status.MAX_ITER
    assert traj.n_iter <= 1
    assert not traj.success
    assert "max_iter" in traj.message or "iteration limit" in traj.message


def test_stationary_start_converges_at_once():
    # b = 1/n and x = 0: f = b, c = 0, so the gradient vanishes exactly
    A = np.random.default_rng(0).standard_normal((30, 4))
    prob = ls.Problem(A, np.full(30, 1 / 30), kind="softmax")
    for method in ("newton", "lbfgs"):
        traj = minimize(prob, np.zeros(4), method)
        assert traj.status is Status.CONVERGED and traj.n_iter == 0
        assert traj.message == "x0 is stationary: the gradient is exactly zero."


def test_a_diverging_run_keeps_its_path():
    # softmax on a one-hot target without regularisation: the infimum 0 is approached
    # only as ||x|| grows without bound
    prob = ls.make_problem(50, 3, seed=0, kind="softmax", target="one_hot")
    traj = minimize(prob, np.zeros(3), "newton", tol=1e-300, max_iter=60)
    assert traj.status in (Status.MAX_ITER, Status.DIVERGING, Status.NON_FINITE)
    assert traj.n_iter >= 5
    assert np.linalg.norm(traj.xs[-1]) > 5 * max(np.linalg.norm(traj.xs[1]), 1e-3)
    assert np.all(np.diff(traj.loss) <= 0)
    assert traj.message


@pytest.mark.parametrize("method", METHODS)
def test_more_columns_than_rows_is_an_outcome_not_an_error(method):
    # n < d: the Hessian is singular everywhere (rank <= n), the sketch has fewer rows
    # than columns; every method must still return its path with a status
    prob = ls.make_problem(30, 40, seed=2, kind="unified")
    traj = minimize(prob, np.zeros(40), method, tol=1e-12, max_iter=100)
    assert isinstance(traj.status, Status) and traj.message
    assert np.all(np.isfinite(traj.loss)) and traj.loss[-1] < traj.loss[0]


def test_tolerance_below_rounding_stalls(unified):
    traj = minimize(unified, np.zeros(unified.d), "newton", tol=1e-300, max_iter=50)
    assert traj.status is Status.STALLED
    assert traj.message.endswith("the tolerance is below what float64 resolves here.")
    assert "is below the rounding allowance" in traj.message
    assert traj.grad_norm[-1] < 1e-13


def test_trajectory_is_frozen(unified):
    traj = minimize(unified, np.zeros(unified.d), "approx_newton", max_iter=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        traj.status = Status.CONVERGED
    for name in ("xs", "loss", "grad_norm", "alpha_sign", "log_abs_alpha", "elapsed",
                 "step_length", "step_size", "shift", "rows_kept", "spectral_error"):
        assert not getattr(traj, name).flags.writeable, name
    with pytest.raises(TypeError):
        traj.options["eps"] = 0.1
    assert traj.options["eps"] == 0.5 and traj.options["seed"] == 0
    assert repr(traj).startswith("Trajectory(method='approx_newton', n_iter=")


def test_trajectory_pickles(unified):
    # results travel from worker processes and caches
    traj = minimize(unified, np.zeros(unified.d), "approx_newton", max_iter=2)
    back = pickle.loads(pickle.dumps(traj))
    np.testing.assert_array_equal(back.xs, traj.xs)
    assert back.status is traj.status and back.options == traj.options
    with pytest.raises(TypeError):
        back.options["eps"] = 0.1


def test_newton_cg_is_matrix_free_for_large_d():
    prob = ls.make_problem(1500, 300, seed=0, kind="unified", target="realizable",
                           noise=0.1, w="constant", w_value=0.1)
    traj = minimize(prob, np.zeros(prob.d), "newton_cg", tol=1e-8)
    assert traj.status is Status.CONVERGED
    assert np.all(traj.inner_iterations >= 1)
    assert np.all(traj.inner_iterations <= 2 * prob.d)


# -- diagnostics ----------------------------------------------------------------------

def test_basin_condition_near_and_far(realizable):
    x_star = minimize(realizable, np.zeros(realizable.d), "newton", tol=1e-12).x
    near = basin_condition(realizable, x_star + 1e-6, x_star)
    far = basin_condition(realizable, x_star + 1.0, x_star)
    assert isinstance(near, BasinCondition)
    assert near.holds and not far.holds
    assert near.distance == pytest.approx(1e-6 * np.sqrt(realizable.d))
    assert near.strong_convexity == pytest.approx(far.strong_convexity)
    assert near.strong_convexity == pytest.approx(
        np.linalg.eigvalsh(realizable.hessian(x_star))[0])
    assert far.hessian_lipschitz * far.distance > 0.1 * far.strong_convexity


@pytest.mark.parametrize("fixture", ["convex", "realizable"])
def test_softmax_lipschitz_bound_dominates_the_measured_one(fixture, request):
    prob = request.getfixturevalue(fixture)
    x_star = minimize(prob, np.zeros(prob.d), "newton", tol=1e-12).x
    basin = basin_condition(prob, x_star + 0.5, x_star)
    assert basin.lipschitz_bound >= basin.hessian_lipschitz > 0
    assert basin.holds_bound <= basin.holds  # the bound is the more demanding test
    if fixture == "convex":  # hess L >= l I with l = 1 by construction (MATH.md 4)
        assert basin.strong_convexity >= 1.0 - 1e-9


def test_basin_bound_is_nan_for_the_unified_loss(unified):
    x_star = minimize(unified, np.zeros(unified.d), "newton", tol=1e-12).x
    basin = basin_condition(unified, x_star + 1e-3, x_star)
    assert np.isnan(basin.lipschitz_bound) and basin.holds_bound is False
    assert basin.hessian_lipschitz > 0 and basin.strong_convexity > 0


def test_diagnose_errors_in_both_norms(unified):
    traj = minimize(unified, np.zeros(unified.d), "newton")
    conv = diagnose(unified, traj)
    assert isinstance(conv, Convergence)
    H = unified.hessian(conv.x_star)
    delta = traj.xs - conv.x_star
    np.testing.assert_allclose(conv.error, np.linalg.norm(delta, axis=1))
    np.testing.assert_allclose(conv.error_hessian,
                               np.sqrt(np.einsum("ij,jk,ik->i", delta, H, delta)), rtol=1e-10)
    assert conv.error[-1] < 1e-12
    assert not conv.error.flags.writeable


# -- bad input -----------------------------------------------------------------------

def test_unknown_method(unified):
    with _raises("method must be one of 'newton', 'approx_newton', 'gd', 'newton_cg', "
                 "'lbfgs', 'bfgs', 'trust_exact', 'trust_krylov'; received 'Newton'."):
        minimize(unified, np.zeros(unified.d), "Newton")


@pytest.mark.parametrize("tol,shown", [(0, "0"), (-1e-3, "−0.001")])
def test_tol_must_be_positive(unified, tol, shown):
    with _raises(f"tol must lie in (0, ∞); received {shown}."):
        minimize(unified, np.zeros(unified.d), tol=tol)


def test_tol_must_be_a_number(unified):
    with _raises("tol must be a real number; received '1e-8'."):
        minimize(unified, np.zeros(unified.d), tol="1e-8")


@pytest.mark.parametrize("max_iter,message", [
    (0, "max_iter must be at least 1; received 0."),
    (-5, "max_iter must be at least 1; received -5."),
    (2.5, "max_iter must be a positive integer; received 2.5."),
])
def test_max_iter_must_be_positive(unified, max_iter, message):
    with _raises(message):
        minimize(unified, np.zeros(unified.d), max_iter=max_iter)


@pytest.mark.parametrize("eps", [0, 1, 1.5, -0.1])
def test_eps_must_lie_in_the_open_unit_interval(unified, eps):
    with _raises(f"eps must lie in (0, 1); received {number(eps, 6)}."):
        minimize(unified, np.zeros(unified.d), "approx_newton", eps=eps)


def test_delta_must_lie_in_the_open_unit_interval(unified):
    with _raises("delta must lie in (0, 1); received 1."):
        minimize(unified, np.zeros(unified.d), "approx_newton", delta=1.0)


def test_leverage_must_be_known(unified):
    with _raises("leverage must be one of 'sketch', 'qr'; received 'exact'."):
        minimize(unified, np.zeros(unified.d), "approx_newton", leverage="exact")


def test_unknown_option_names_the_method(unified):
    with _raises("option 'eps' is not known for method 'newton' (its options: none); "
                 "received eps=0.5."):
        minimize(unified, np.zeros(unified.d), "newton", eps=0.5)
    with _raises("option 'step' is not known for method 'newton_cg' (its options: "
                 "cg_max_iter); received step='armijo'."):
        minimize(unified, np.zeros(unified.d), "newton_cg", step="armijo")


def test_constant_step_needs_softmax(unified):
    with _raises("step='constant' needs the softmax loss (gamma = 0): only there is the "
                 "gradient globally Lipschitz (MATH.md 4); received gamma = 1. "
                 "Use step='armijo'."):
        minimize(unified, np.zeros(unified.d), "gd", step="constant")


def test_x0_of_the_wrong_length(unified):
    with _raises("x0 must have length 6 (d, the number of columns of A); received shape (5,)."):
        minimize(unified, np.zeros(5))


def test_x0_not_finite(unified):
    x0 = np.zeros(unified.d)
    x0[2] = np.nan
    with _raises("x0 must be finite; received 1 NaN and 0 infinite entries (first at index 2)."):
        minimize(unified, x0)


@pytest.mark.parametrize("seed", [-1, 1.5, True])
def test_seed_must_be_a_non_negative_integer(unified, seed):
    with _raises(f"seed must be a non-negative integer; received {seed!r}."):
        minimize(unified, np.zeros(unified.d), "approx_newton", seed=seed)


def test_prob_must_be_a_problem():
    with _raises("prob must be a landscape.Problem; received 'softmax'."):
        minimize("softmax", np.zeros(3))


def test_memory_limit_on_stored_iterates(unified):
    with _raises("max_iter must be at most"):
        minimize(unified, np.zeros(unified.d), max_iter=10**9)
