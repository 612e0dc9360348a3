"""The condition number of the normaliser alpha (issue 14, diagnostic 1).

``near_pole`` used to test ``|alpha| < 1e-8 sum|u_i|``. But each ``u_i = exp(z_i) +
gamma z_i`` is itself a difference, which cancels where ``z_i`` is near ``-W(1) =
-0.567`` (the root of ``exp(t) + t``): then every ``|u_i|`` is small, their sum
is no measure of the terms that cancel, and a point where alpha has no correct digit
passed as well conditioned. The true condition number is ``kappa = sum_i (exp(z_i) +
gamma |z_i|) / |alpha|``.

The reproduction: standardised iris-like data (a seeded 150 x 4 matrix, standardised,
with an intercept column), the intercept weight at ``-W(1)`` and feature weights of
size eps. The reference values come from 60-digit decimal arithmetic (the standard
library's ``decimal``), which shares no code with ``landscape.losses``.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import numpy as np
import pytest

import landscape as ls

#: -W(1), the root of exp(t) + t (Lambert W; MATH.md 5)
ROOT = 0.5671432904097838


@pytest.fixture(scope="module")
def iris_like():
    """Unified loss on a standardised (150, 4) matrix with an intercept column, and a
    fixed direction v of the feature weights."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((150, 4)) * [0.8, 0.4, 1.7, 0.7] + [5.8, 3.0, 3.7, 1.2]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    A = np.column_stack([np.ones(150), X])
    b = np.zeros(150)
    b[rng.integers(0, 150, 3)] = 1.0
    prob = ls.Problem(A, b / b.sum(), kind="unified")
    return prob, rng.standard_normal(4)


def _start(v: np.ndarray, eps: float) -> np.ndarray:
    return np.concatenate([[-ROOT], eps * v])


def decimal_reference(prob: ls.Problem, x: np.ndarray) -> tuple[np.ndarray, float, float]:
    """``(gradient, alpha, kappa)`` at x in 60-digit arithmetic from the definitions
    (MATH.md 1-2): ``grad L = A^T (p o c - <c, f> p)`` for w = 0."""
    with localcontext() as ctx:
        ctx.prec = 60
        A = [[Decimal(float(a)) for a in row] for row in prob.A]
        xs = [Decimal(float(v)) for v in x]
        gamma = Decimal(float(prob.gamma))
        z = [sum(a * v for a, v in zip(row, xs, strict=True)) for row in A]
        e = [zi.exp() for zi in z]
        alpha = sum(ei + gamma * zi for ei, zi in zip(e, z, strict=True))
        f = [(ei + gamma * zi) / alpha for ei, zi in zip(e, z, strict=True)]
        p = [(ei + gamma) / alpha for ei in e]
        c = [fi - Decimal(float(bi)) for fi, bi in zip(f, prob.b, strict=True)]
        cf = sum(ci * fi for ci, fi in zip(c, f, strict=True))
        weights = [pi * ci - cf * pi for pi, ci in zip(p, c, strict=True)]
        grad = [sum(row[j] * wi for row, wi in zip(A, weights, strict=True)) for j in range(prob.d)]
        kappa = sum(ei + gamma * abs(zi) for ei, zi in zip(e, z, strict=True)) / abs(alpha)
        return np.array([float(g) for g in grad]), float(alpha), float(kappa)


@pytest.mark.parametrize("eps", [1e-13, 1e-6])
def test_cancellation_inside_each_u_is_flagged(iris_like, eps):
    prob, v = iris_like
    x = _start(v, eps)
    grad_ref, alpha_ref, kappa = decimal_reference(prob, x)
    assert kappa > 1e11  # alpha carries a relative error of kappa eps > 1e-5
    z = prob.A @ x
    u = np.exp(z) + z
    # the old measure sum|u_i| / |alpha| stays below 1e8: it saw nothing wrong here
    assert np.abs(u).sum() / abs(alpha_ref) < 1e8
    grad = prob.gradient(x)
    error = np.linalg.norm(grad - grad_ref) / np.linalg.norm(grad_ref)
    assert error > 1e-6  # the gradient has lost ten digits or more
    ev = prob.evaluate(x)
    assert ev.near_pole and ev.alpha_sign == 1
    assert ev.alpha_condition > 1e8
    assert 0.1 < ev.alpha_condition / kappa < 10  # alpha itself is that inaccurate
    assert prob.evaluate_batch(x[None]).near_pole[0]  # the batched flag agrees
    with pytest.raises(ValueError, match="^x0 must lie off the pole set .* received a point "
                                         r"next to it: α\(x0\) = e\^.* κε = "):
        ls.minimize(prob, x)


def test_the_same_direction_further_out_is_well_conditioned(iris_like):
    # the control: at eps = 1e-2 kappa is about 1e4, so the gradient keeps 12 digits
    prob, v = iris_like
    x = _start(v, 1e-2)
    grad_ref, _, kappa = decimal_reference(prob, x)
    assert 1e2 < kappa < 1e7
    ev = prob.evaluate(x)
    assert not ev.near_pole
    assert ev.alpha_condition == pytest.approx(kappa, rel=1e-6)
    grad = prob.gradient(x)
    error = np.linalg.norm(grad - grad_ref) / np.linalg.norm(grad_ref)
    assert error < 100 * kappa * np.finfo(float).eps
    traj = ls.minimize(prob, x, "newton", max_iter=1)
    assert traj.n_iter == 1


def test_the_condition_of_a_plain_sum_is_one():
    # softmax: every term of alpha is positive, nothing cancels
    prob = ls.make_problem(40, 3, seed=0, kind="softmax")
    ev = prob.evaluate(np.array([0.3, -2.0, 1.0]))
    assert ev.alpha_condition == pytest.approx(1.0, rel=1e-14)
    # the unified loss at x = 0: alpha = n, kappa = 1 as well
    assert ls.make_problem(40, 3, seed=0, kind="unified").evaluate(np.zeros(3)).alpha_condition \
        == pytest.approx(1.0)


def test_the_condition_is_infinite_on_the_pole_set():
    # a single row: alpha = exp(t) + t vanishes at t = -W(1), up to one rounding
    prob = ls.Problem(np.ones((1, 1)), np.ones(1), kind="unified")
    ev = prob.evaluate(np.array([-ROOT]))
    assert ev.near_pole and ev.alpha_condition > 1e14
