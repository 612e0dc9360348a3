"""SciPy's minimisers as peers (landscape.optimize._peers) next to the pole set of the unified
loss: they must descend where the first trial step crosses the pole set, never step
across it, and say truthfully why they stopped.

The reproduction: on the "poles" and "softmax_vs_unified" presets (non-negative A,
unified loss) L-BFGS-B's first trial step from x = 0, of unit length along -grad,
lands beyond the pole set. The oracle used to answer there with a constant wall
(1e30, zero gradient); Moré-Thuente's interpolation then shrank the step to about
1e-33, x did not move, and L-BFGS-B reported "stalled after 0 steps" at the start.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
import scipy.optimize as so

import landscape as ls
from landscape.optimize import Status, _endings, _linesearch, _peers, minimize

PEERS = ("lbfgs", "bfgs", "trust_exact", "trust_krylov")

#: the problems of the presets assets/presets/poles.json and softmax_vs_unified.json:
#: their settings over the registry's defaults (landscape.ui.builder.generator_arguments)
PRESETS = {
    "poles": dict(n=200, d=5, seed=0, kind="unified", gamma=1.0, matrix="nonnegative",
                  target="realizable", target_seed=0, noise=0.1, w="constant", w_value=0.05),
    "softmax_vs_unified": dict(n=200, d=5, seed=0, kind="unified", gamma=1.0,
                               matrix="nonnegative", target="realizable", target_seed=0,
                               noise=0.1, w="none"),
}


@pytest.fixture(scope="module", params=sorted(PRESETS))
def preset(request):
    """(name, problem, Newton's run from x = 0 to the rounding floor)."""
    prob = ls.make_problem(**PRESETS[request.param])
    reference = minimize(prob, np.zeros(prob.d), "newton", tol=1e-300, max_iter=30)
    return request.param, prob, reference


def _touches_pole(prob, a, b) -> bool:
    return bool(prob.gamma > 0 and _linesearch.segment_touches_pole(
        prob.A @ a, prob.A @ (b - a), prob.gamma, 1.0))


def _oracle_at(prob, x_anchor, parts=False):
    oracle = _peers._Oracle(prob, parts=parts)
    oracle.anchor = oracle.point(np.asarray(x_anchor, dtype=np.float64))
    assert oracle.anchor is not None
    return oracle


# -- the reproduction ------------------------------------------------------------------

def test_the_first_lbfgs_trial_on_the_pole_presets_lies_beyond_the_pole_set(preset):
    _, prob, _ = preset
    g = prob.gradient(np.zeros(prob.d))
    trial = -g / np.linalg.norm(g)  # L-BFGS-B's first trial: step length 1 / ||grad||
    assert prob.evaluate(trial).alpha_sign < 0
    # plain SciPy, which sees the true (spurious, finite) loss there, does descend
    plain = so.minimize(prob.loss, np.zeros(prob.d), jac=prob.gradient, method="L-BFGS-B",
                        options=dict(ftol=0.0))
    assert plain.nit >= 5


@pytest.mark.parametrize("method", PEERS)
def test_peers_descend_on_the_pole_presets_to_newtons_minimiser(preset, method):
    _, prob, reference = preset
    assert reference.grad_norm[-1] <= 1e-14 * reference.grad_norm[0]
    traj = minimize(prob, np.zeros(prob.d), method)
    assert traj.n_iter >= 2, traj.message  # L-BFGS-B took 0 steps here
    assert traj.loss[-1] <= reference.loss[-1] * (1 + 1e-12), traj.message
    np.testing.assert_allclose(traj.x, reference.x, atol=1e-5 * np.abs(reference.x).max())
    assert np.all(traj.alpha_sign == 1)
    assert not any(_touches_pole(prob, a, b) for a, b in pairwise(traj.xs))
    assert np.all(np.diff(traj.loss) <= 0)


@pytest.mark.parametrize("method", PEERS)
def test_statuses_on_the_pole_presets_are_true(preset, method):
    _, prob, _ = preset
    traj = minimize(prob, np.zeros(prob.d), method)
    target = 1e-10 * traj.grad_norm[0]
    if traj.status is Status.CONVERGED:
        assert traj.grad_norm[-1] <= target
        return
    assert traj.status in (Status.STALLED, Status.GAVE_UP), traj.message
    assert traj.grad_norm[-1] > target
    at_end = _linesearch.evaluate(prob, traj.x, prob.A @ traj.x, parts=False)
    left = _endings.predicted_decrease(prob, at_end)
    if left > _linesearch.rounding_allowance(at_end):  # a peer that stops early gave up
        assert traj.status is Status.GAVE_UP
        assert "SciPy gave up before float64 did" in traj.message
    else:  # a stall is a stall only where no decrease is resolvable
        assert traj.status is Status.STALLED
        assert "No decrease is resolvable here" in traj.message
    if method != "trust_krylov":  # trlib's last digits vary from run to run
        assert "No decrease is resolvable here" in traj.message, traj.message


def test_lbfgs_reaches_newtons_loss_on_random_pole_problems():
    reached = 0
    for seed in range(12):
        prob = ls.make_problem(120, 4 + seed % 5, seed=seed, kind="unified",
                               matrix="nonnegative", target="realizable", noise=0.1,
                               w="none" if seed % 2 else "constant", w_value=0.05)
        x0 = np.zeros(prob.d)
        reference = minimize(prob, x0, "newton", tol=1e-8)
        traj = minimize(prob, x0, "lbfgs", tol=1e-8)
        assert np.all(traj.alpha_sign == 1)
        assert not any(_touches_pole(prob, a, b) for a, b in pairwise(traj.xs))
        reached += traj.loss[-1] <= reference.loss[-1] + 1e-9 * abs(reference.loss[-1])
    assert reached == 12


# -- the wall ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def poles():
    return ls.make_problem(**PRESETS["poles"])


def _first_touch(prob, x_a, p, samples=20001) -> float:
    """The first t in [0, 1] with alpha(x_a + t p) <= 0 or next to it, by sampling."""
    t = np.linspace(0.0, 1.0, samples)
    batch = prob.evaluate_batch(x_a + t[:, None] * p)
    bad = (batch.alpha_sign <= 0) | batch.near_pole
    assert bad.any()
    return float(t[np.argmax(bad)])


def test_a_trial_beyond_the_pole_set_sends_the_line_search_half_way_back(poles):
    x_a = np.zeros(poles.d)
    oracle = _oracle_at(poles, x_a)
    g_a = oracle.anchor.grad
    p = -g_a / np.linalg.norm(g_a)  # ends beyond the pole set
    value, grad = oracle.fun(x_a + p)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert value > oracle.anchor.loss  # fails every sufficient-decrease test
    slope_a, slope_end = float(g_a @ p), float(grad @ p)
    assert slope_a < 0 < slope_end  # it points back
    # the quadratic through (0, L_a, slope_a) and (1, value, slope_end) is one model:
    # its minimum lies half-way to where the step first touches the pole set
    assert value == pytest.approx(oracle.anchor.loss + slope_a + (slope_end - slope_a) / 2,
                                  rel=1e-12)
    t_min = -slope_a / (slope_end - slope_a)
    touch = _first_touch(poles, x_a, p)
    assert 0.45 * touch <= t_min <= 0.5 * touch
    assert oracle.refused_pole == 1


def test_a_trial_across_the_pole_set_is_refused_even_where_alpha_is_positive_again(poles):
    x_a = np.zeros(poles.d)
    oracle = _oracle_at(poles, x_a)
    # alpha is convex: along -1 it falls below zero and, past the pole set, a direction
    # with mixed signs in A p brings it back above zero
    rng = np.random.default_rng(0)
    for _ in range(200):
        p = 30 * rng.standard_normal(poles.d)
        end = poles.evaluate(x_a + p)
        if end.alpha_sign > 0 and not end.near_pole and _touches_pole(poles, x_a, x_a + p):
            break
    else:
        pytest.fail("no step across the pole set to a point with alpha > 0 was found")
    value, grad = oracle.fun(x_a + p)
    assert value > oracle.anchor.loss and float(grad @ p) > 0
    assert oracle.refused_pole == 1
    # the same end seen from a point on its own side of the pole set is not refused
    oracle.anchor = oracle.point(x_a + p)
    value, _ = oracle.fun(x_a + 0.99 * p)
    assert value == pytest.approx(poles.loss(x_a + 0.99 * p), rel=1e-12)


def test_a_short_step_sees_the_true_loss_and_gradient(poles):
    x_a = np.zeros(poles.d)
    oracle = _oracle_at(poles, x_a)
    x = x_a - 0.01 * oracle.anchor.grad
    value, grad = oracle.fun(x)
    assert value == pytest.approx(poles.loss(x), rel=1e-13)
    np.testing.assert_allclose(grad, poles.gradient(x), rtol=1e-12, atol=0)
    assert oracle.refused_pole == oracle.refused_overflow == 0


def test_a_wall_is_above_the_anchor_even_when_the_step_is_below_rounding(poles):
    x_a = np.zeros(poles.d)
    oracle = _oracle_at(poles, x_a)
    p = -oracle.anchor.grad / np.linalg.norm(oracle.anchor.grad)
    value, _ = oracle.wall(x_a + 1e-30 * p, tau=1.0)
    assert value > oracle.anchor.loss


def test_an_overflowing_trial_is_refused_and_a_non_finite_one_ends_the_run(poles):
    oracle = _oracle_at(poles, np.zeros(poles.d))
    value, grad = oracle.fun(np.full(poles.d, 1e306))  # A x overflows
    assert np.isfinite(value) and value > oracle.anchor.loss and np.all(np.isfinite(grad))
    assert oracle.refused_overflow == 1
    with pytest.raises(_peers._BrokenStep):
        oracle.fun(np.full(poles.d, np.nan))


def test_a_broken_scipy_step_is_reported_not_retried(poles, monkeypatch):
    # trust-krylov's Lanczos process can return NaN steps once the gradient is tiny;
    # the run used to spend its whole iteration limit on them
    def broken(fun, x0, **kwargs):
        fun(np.full_like(x0, np.nan))

    monkeypatch.setattr(_peers.so, "minimize", broken)
    traj = minimize(poles, np.zeros(poles.d), "trust_krylov")
    assert traj.status is Status.GAVE_UP and traj.n_iter == 0
    assert "proposed a trial point with non-finite entries" in traj.message
    assert "SciPy gave up before float64 did" in traj.message  # x0 is far from stationary


def test_the_decrease_left_is_measured_by_the_model(poles):
    x0 = np.zeros(poles.d)
    start = _linesearch.evaluate(poles, x0, poles.A @ x0, parts=False)
    x_star = minimize(poles, x0, "newton", tol=1e-300, max_iter=30).x
    end = _linesearch.evaluate(poles, x_star, poles.A @ x_star, parts=False)
    g, h = start.grad, poles.hessian(x0)
    newton = 0.5 * float(g @ np.linalg.solve(h, g))
    if np.all(np.linalg.eigvalsh(h) > 0):  # d = 5 CG steps are Newton's step
        assert _endings.predicted_decrease(poles, start) == pytest.approx(newton, rel=1e-6)
    assert "SciPy gave up before float64 did" in _endings.what_is_left(poles, start)[1]
    assert "No decrease is resolvable here" in _endings.what_is_left(poles, end)[1]
