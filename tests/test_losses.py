"""Derivatives and stable evaluation of the losses (MATH.md 1-6, 9).

Three ways, as the README promises ("tested against finite differences, complex steps
and an independent n x n route"): values known by hand, central finite differences
(coordinate and random directions), and independent routes (the dense n x n route of
``tests/reference.py``, complex steps, Hessian parts, Hessian-vector products).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import reference
from hypothesis import given
from hypothesis import strategies as st

import landscape as ls

KIND_GAMMAS = [
    ("softmax", None), ("unified", None),
    ("softmax", 0.25), ("unified", 0.0), ("unified", 0.25), ("unified", 0.7), ("softmax", 1.0),
]
WEIGHT_MODES = ["none", "scalar", "vector"]


def _weights(mode: str, n: int, rng: np.random.Generator):
    if mode == "none":
        return None
    if mode == "scalar":
        return 0.3
    return rng.uniform(0.0, 0.8, n)


def _instance(kind, gamma, wmode, rng, n=9, d=5, zmax=1.5):
    """A random problem and a point x with ||A x||_inf = zmax, alpha > 0 and far from
    the pole set."""
    A = rng.standard_normal((n, d))
    b = rng.dirichlet(np.ones(n))
    prob = ls.Problem(A, b, kind=kind, w=_weights(wmode, n, rng), gamma=gamma)
    x = rng.standard_normal(d)
    x *= zmax / np.max(np.abs(A @ x))
    ev = prob.evaluate(x)
    assert ev.alpha_sign == 1 and not ev.near_pole
    return prob, x


def _naive_vectors(prob, x):
    """f, p, q, c straight from MATH.md 1 with no shift (moderate z only)."""
    z = prob.A @ x
    u = np.exp(z) + prob.gamma * z
    alpha = u.sum()
    f = u / alpha
    return z, f, (np.exp(z) + prob.gamma) / alpha, np.exp(z) / alpha, f - prob.b


def _unit_directions(rng, d, k=4):
    v = rng.standard_normal((k, d))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


# -- finite differences -------------------------------------------------------------

@pytest.mark.parametrize("wmode", WEIGHT_MODES)
@pytest.mark.parametrize("kind,gamma", KIND_GAMMAS)
def test_gradient_matches_central_differences(kind, gamma, wmode, rng):
    prob, x = _instance(kind, gamma, wmode, rng)
    g = prob.gradient(x)
    gnorm = np.linalg.norm(g)
    assert gnorm > 1e-3  # a generic point: the comparison below is not vacuous

    def fd(v):
        h = 1e-5 / max(1.0, np.max(np.abs(prob.A @ v)))
        return (prob.loss(x + h * v) - prob.loss(x - h * v)) / (2 * h)

    # coordinate directions: the whole finite-difference gradient
    fd_coord = np.array([fd(e) for e in np.eye(prob.d)])
    assert np.linalg.norm(fd_coord - g) / gnorm < 1e-7
    # random unit directions: the directional derivative, relative to ||grad||
    for v in _unit_directions(rng, prob.d):
        assert abs(fd(v) - g @ v) / gnorm < 1e-7


@pytest.mark.parametrize("wmode", WEIGHT_MODES)
@pytest.mark.parametrize("kind,gamma", KIND_GAMMAS)
def test_hessian_matches_central_differences_of_gradient(kind, gamma, wmode, rng):
    prob, x = _instance(kind, gamma, wmode, rng)
    H = prob.hessian(x)

    def fd(v):
        h = 1e-5 / max(1.0, np.max(np.abs(prob.A @ v)))
        return (prob.gradient(x + h * v) - prob.gradient(x - h * v)) / (2 * h)

    fd_coord = np.column_stack([fd(e) for e in np.eye(prob.d)])
    assert np.linalg.norm(fd_coord - H) / np.linalg.norm(H) < 1e-7
    for v in _unit_directions(rng, prob.d):
        hv = H @ v
        assert np.linalg.norm(fd(v) - hv) / np.linalg.norm(hv) < 1e-7
        assert np.linalg.norm(prob.hvp(x, v) - hv) <= 1e-12 * np.linalg.norm(H)


@pytest.mark.parametrize("kind,gamma", [("softmax", None), ("unified", None)])
def test_taylor_remainder_slopes(kind, gamma, rng):
    """Pymanopt's check: with the exact gradient the first-order remainder shrinks
    like h^2, with the exact Hessian the second-order one like h^3."""
    prob, x = _instance(kind, gamma, "vector", rng)
    v = _unit_directions(rng, prob.d, 1)[0]
    L0, g, H = prob.loss(x), prob.gradient(x), prob.hessian(x)
    hs = np.array([1e-1, 5e-2, 2.5e-2, 1.25e-2])
    r1 = np.array([abs(prob.loss(x + h * v) - L0 - h * (g @ v)) for h in hs])
    r2 = np.array([abs(prob.loss(x + h * v) - L0 - h * (g @ v) - 0.5 * h * h * (v @ H @ v))
                   for h in hs])
    slope1 = np.polyfit(np.log(hs), np.log(r1), 1)[0]
    slope2 = np.polyfit(np.log(hs), np.log(r2), 1)[0]
    assert abs(slope1 - 2) < 0.2
    assert abs(slope2 - 3) < 0.3


# -- independent routes -------------------------------------------------------------

@pytest.mark.parametrize("wmode", WEIGHT_MODES)
@pytest.mark.parametrize("kind,gamma", KIND_GAMMAS)
def test_hessian_routes_agree(kind, gamma, wmode, rng):
    prob, x = _instance(kind, gamma, wmode, rng)
    H = prob.hessian(x)
    scale = np.linalg.norm(H)
    assert scale > 0

    # exactly symmetric (MATH.md 9.3)
    assert np.array_equal(H, H.T)

    # the dense route through the explicit (n, n) matrix B
    dense = reference.dense_hessian(prob.A, prob.b, prob.gamma, prob.w, x)
    assert np.linalg.norm(H - dense) <= 1e-12 * scale

    # rebuilt in the test from the parts: A^T diag(D) A + U C U^T
    parts = prob.hessian_parts(x)
    assert parts.D.shape == (prob.n,) and parts.U.shape == (prob.d, 2)
    assert parts.C.shape == (2, 2)
    rebuilt = prob.A.T @ np.diag(parts.D) @ prob.A + parts.U @ parts.C @ parts.U.T
    assert np.linalg.norm(H - rebuilt) <= 1e-12 * scale

    # Hessian-vector products, column by column
    cols = np.column_stack([prob.hvp(x, e) for e in np.eye(prob.d)])
    assert np.linalg.norm(H - cols) <= 1e-12 * scale

    # the LinearOperator built once from the parts, by matvec and by matmat
    op = prob.hessian_operator(x)
    assert op.shape == (prob.d, prob.d)
    assert np.linalg.norm(H - op.matmat(np.eye(prob.d))) <= 1e-12 * scale
    v = np.linspace(-1.0, 1.0, prob.d)
    assert np.linalg.norm(op.matvec(v) - H @ v) <= 1e-12 * scale * np.linalg.norm(v)


@pytest.mark.parametrize("wmode", WEIGHT_MODES)
@pytest.mark.parametrize("kind,gamma", KIND_GAMMAS)
def test_gradient_matches_complex_step(kind, gamma, wmode, rng):
    prob, x = _instance(kind, gamma, wmode, rng)
    g = prob.gradient(x)
    cs = reference.complex_step_gradient(prob.A, prob.b, prob.gamma, prob.w, x)
    assert np.linalg.norm(g - cs) <= 1e-12 * np.linalg.norm(cs)
    # and the loss itself against the naive definition
    naive = reference.naive_loss(prob.A, prob.b, prob.gamma, prob.w, x)
    assert prob.loss(x) == pytest.approx(float(np.real(naive)), rel=1e-13)


@pytest.mark.parametrize("wmode", WEIGHT_MODES)
@pytest.mark.parametrize("kind,gamma", [("softmax", None), ("unified", None), ("unified", 0.7)])
def test_derivatives_matches_separate_calls(kind, gamma, wmode, rng):
    prob, x = _instance(kind, gamma, wmode, rng)
    value, grad, hess = prob.derivatives(x)
    assert isinstance(value, float)
    assert value == pytest.approx(prob.loss(x), rel=1e-14)
    np.testing.assert_allclose(grad, prob.gradient(x), rtol=1e-14, atol=0)
    np.testing.assert_allclose(hess, prob.hessian(x), rtol=1e-14,
                               atol=1e-15 * np.abs(hess).max())
    assert np.array_equal(hess, hess.T)


# -- values known by hand ---------------------------------------------------------------

@pytest.mark.parametrize("wmode", WEIGHT_MODES)
@pytest.mark.parametrize("kind,gamma", KIND_GAMMAS)
def test_values_at_zero(kind, gamma, wmode, rng):
    n, d = 7, 4
    A = rng.standard_normal((n, d))
    b = rng.uniform(-1, 1, n)
    prob = ls.Problem(A, b, kind=kind, w=_weights(wmode, n, rng), gamma=gamma)
    x0 = np.zeros(d)
    ev = prob.evaluate(x0)
    np.testing.assert_allclose(ev.f, np.full(n, 1.0 / n), rtol=1e-15)
    np.testing.assert_allclose(ev.c, 1.0 / n - b, rtol=1e-14)
    assert ev.alpha_sign == 1
    assert ev.log_abs_alpha == pytest.approx(np.log(n), rel=1e-15)
    assert not ev.near_pole and not ev.at_pole
    expected = 0.5 * np.sum((1.0 / n - b) ** 2)  # w o A 0 = 0 adds nothing
    assert prob.loss(x0) == pytest.approx(expected, rel=1e-14)
    assert ev.loss == pytest.approx(expected, rel=1e-14)
    # gradient at 0: p = (1 + gamma)/n, so grad = (1+gamma)/n A^T (c - <c, f> 1)
    c = 1.0 / n - b
    expected_grad = (1 + prob.gamma) / n * A.T @ (c - c.mean())
    np.testing.assert_allclose(prob.gradient(x0), expected_grad, rtol=1e-12,
                               atol=1e-15 * np.abs(expected_grad).max())


def test_gamma_changes_the_loss_away_from_zero(rng):
    """gamma is really used: unified and softmax differ at a generic x."""
    A, b = rng.standard_normal((6, 3)), rng.dirichlet(np.ones(6))
    x = rng.standard_normal(3) * 0.3
    soft = ls.Problem(A, b, kind="softmax")
    uni = ls.Problem(A, b, kind="unified")
    assert soft.gamma == 0.0 and uni.gamma == 1.0
    assert abs(soft.loss(x) - uni.loss(x)) > 1e-6
    assert np.linalg.norm(soft.gradient(x) - uni.gradient(x)) > 1e-6


# -- the softmax bound of MATH.md 4 -------------------------------------------------------

@st.composite
def _z_and_b(draw):
    n = draw(st.integers(2, 30))
    z = np.array(draw(st.lists(st.floats(-30, 30), min_size=n, max_size=n)))
    how = draw(st.sampled_from(["simplex", "one_hot", "arbitrary"]))
    if how == "simplex":
        raw = np.array(draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n)))
        raw[draw(st.integers(0, n - 1))] += 1e-3  # a positive sum
        b = raw / raw.sum()
    elif how == "one_hot":
        b = np.zeros(n)
        b[draw(st.integers(0, n - 1))] = 1.0
    else:
        b = np.array(draw(st.lists(st.floats(-2.0, 2.0), min_size=n, max_size=n)))
    return z, b


@given(_z_and_b())
def test_softmax_b_matrix_bounds(zb):
    z, b = zb
    B = reference.dense_b_matrix(z, b, 0.0)
    assert np.all(np.isfinite(B))
    eigs = np.linalg.eigvalsh(0.5 * (B + B.T))
    binf = np.max(np.abs(b))
    tol = 1e-9 * (1 + binf)
    assert eigs[0] >= -6 * (1 + binf) - tol
    assert eigs[-1] <= 7 + 6 * binf + tol


# -- the rank-two part and D ------------------------------------------------------------

@pytest.mark.parametrize("wmode", WEIGHT_MODES)
@pytest.mark.parametrize("kind,gamma", KIND_GAMMAS)
def test_hessian_parts_structure(kind, gamma, wmode, rng):
    prob, x = _instance(kind, gamma, wmode, rng)
    parts = prob.hessian_parts(x)
    z, f, p, q, c = _naive_vectors(prob, x)

    # C = [[g0, -1], [-1, 0]], det C = -1
    assert np.linalg.det(parts.C) == pytest.approx(-1.0, rel=1e-14)
    g0 = (3 * f - 2 * prob.b) @ f
    np.testing.assert_allclose(parts.C, [[g0, -1.0], [-1.0, 0.0]], rtol=1e-12)

    # U = [A^T p, A^T s], s = p o (2f - b)
    s = p * (2 * f - prob.b)
    U = prob.A.T @ np.column_stack([p, s])
    np.testing.assert_allclose(parts.U, U, rtol=1e-12, atol=1e-14 * np.abs(U).max())

    # D = p o p + q o c - <c, f> q + w o w
    D = p * p + q * c - (c @ f) * q + prob.w ** 2
    np.testing.assert_allclose(parts.D, D, rtol=1e-12, atol=1e-14 * np.abs(D).max())

    # inertia (1, 1) of the rank-two part when U has rank two
    assert np.linalg.matrix_rank(parts.U) == 2
    R = parts.rank_two
    assert np.array_equal(R, R.T)
    eigs = np.linalg.eigvalsh(R)
    tol = 1e-10 * np.abs(eigs).max()
    assert np.sum(eigs > tol) == 1
    assert np.sum(eigs < -tol) == 1
    assert np.sum(np.abs(eigs) <= tol) == prob.d - 2


# -- stability: z = +-800 -----------------------------------------------------------------

@pytest.mark.parametrize("kind", ["softmax", "unified"])
def test_one_huge_logit_gives_basis_vector(kind):
    n = 5
    A = np.eye(n)
    b = np.array([0.1, 0.2, 0.3, 0.2, 0.2])
    prob = ls.Problem(A, b, kind=kind)
    x = np.zeros(n)
    x[0] = 800.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ev = prob.evaluate(x)
        e1 = np.eye(n)[0]
        np.testing.assert_allclose(ev.f, e1, rtol=0, atol=1e-300)
        assert ev.alpha_sign == 1
        assert ev.log_abs_alpha == pytest.approx(800.0, rel=1e-15)
        expected = 0.5 * np.sum((e1 - b) ** 2)
        assert prob.loss(x) == pytest.approx(expected, rel=1e-15)
        assert prob.loss_batch(x[None])[0] == pytest.approx(expected, rel=1e-15)
        # p = f = e1 to rounding, so grad = A^T (p o c - <c, f> p) = 0
        g = prob.gradient(x)
        assert np.all(np.isfinite(g))
        np.testing.assert_allclose(g, 0.0, atol=1e-300)
        H = prob.hessian(x)
        assert np.all(np.isfinite(H))


@pytest.mark.parametrize("kind", ["softmax", "unified"])
def test_one_huge_logit_with_weights(kind):
    n = 4
    w = np.array([0.5, 1.0, 0.0, 2.0])
    b = np.array([0.25, 0.25, 0.25, 0.25])
    prob = ls.Problem(np.eye(n), b, kind=kind, w=w)
    x = np.array([800.0, -3.0, 0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e1 = np.eye(n)[0]
        expected = 0.5 * np.sum((e1 - b) ** 2) + 0.5 * np.sum((w * x) ** 2)
        assert prob.loss(x) == pytest.approx(expected, rel=1e-15)
        # f = e1 up to terms of size e^-800: the fit part of the gradient vanishes
        np.testing.assert_allclose(prob.gradient(x), w * w * x, rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("level", [-800.0, 800.0])
@pytest.mark.parametrize("kind", ["softmax", "unified"])
def test_equal_logits_give_uniform_f(kind, level, rng):
    """A with a column of ones and x = level e1: z = level 1, so f = 1/n at any level."""
    n, d = 6, 3
    A = np.column_stack([np.ones(n), rng.standard_normal((n, d - 1))])
    b = rng.dirichlet(np.ones(n))
    prob = ls.Problem(A, b, kind=kind)
    x = np.zeros(d)
    x[0] = level
    c = 1.0 / n - b
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        expected = 0.5 * np.sum(c ** 2)
        assert prob.loss(x) == pytest.approx(expected, rel=1e-13)
        assert prob.loss_batch(np.vstack([x, np.zeros(d)])) == pytest.approx(
            [expected, expected], rel=1e-13)
        ev = prob.evaluate(x)
        np.testing.assert_allclose(ev.f, np.full(n, 1.0 / n), rtol=1e-14)
        assert ev.loss == pytest.approx(expected, rel=1e-13)
        # alpha = n u(level): its sign and log|alpha| by hand
        if kind == "softmax" or level > 0:
            assert ev.alpha_sign == 1
            assert ev.log_abs_alpha == pytest.approx(level + np.log(n), rel=1e-14)
            scale = 1.0 / n  # p = u'/alpha = 1/n to rounding
        else:
            # u(-800) = e^-800 - 800: alpha = -800 n
            assert ev.alpha_sign == -1
            assert ev.log_abs_alpha == pytest.approx(np.log(800.0 * n), rel=1e-14)
            scale = 1.0 / (-800.0 * n)  # p = (e^z + 1)/alpha
        # grad = A^T (p o c - <c, f> p) with p = scale 1, f = 1/n
        expected_grad = scale * A.T @ (c - c.mean())
        g = prob.gradient(x)
        np.testing.assert_allclose(g, expected_grad, rtol=1e-10,
                                   atol=1e-13 * np.abs(expected_grad).max())
        H = prob.hessian(x)
        assert np.all(np.isfinite(H))
        assert np.array_equal(H, H.T)


@pytest.mark.parametrize("shift", [-100.0, -700.0, -709.0, -720.0, -760.0, -1000.0, 750.0])
def test_softmax_is_shift_invariant_at_extreme_logits(shift, rng):
    """Softmax f(z + t 1) = f(z): with a column of ones in A, moving x along e1 changes
    nothing, however far (MATH.md 6: the shifted form is exact)."""
    n, d = 5, 3
    A = np.column_stack([np.ones(n), rng.standard_normal((n, d - 1))])
    prob = ls.Problem(A, rng.dirichlet(np.ones(n)), kind="softmax")
    x = np.array([0.0, 0.4, -0.3])
    moved = x + shift * np.eye(d)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert prob.loss(moved) == pytest.approx(prob.loss(x), rel=1e-12)
        ev, ev0 = prob.evaluate(moved), prob.evaluate(x)
        np.testing.assert_allclose(ev.f, ev0.f, rtol=1e-12)
        assert ev.log_abs_alpha == pytest.approx(ev0.log_abs_alpha + shift, rel=1e-12)
        g0 = prob.gradient(x)
        np.testing.assert_allclose(prob.gradient(moved), g0, rtol=1e-10,
                                   atol=1e-13 * np.abs(g0).max())
        H0 = prob.hessian(x)
        np.testing.assert_allclose(prob.hessian(moved), H0, rtol=1e-10,
                                   atol=1e-13 * np.abs(H0).max())


# -- poles of the unified loss -----------------------------------------------------------

@pytest.fixture(scope="module")
def pole_problem():
    """Unified loss with non-negative A, and the crossing of alpha = 0 on the segment
    from 0 (alpha = n > 0) to -t 1 (alpha < 0), found by bisection to adjacent floats."""
    prob = ls.make_problem(40, 3, seed=3, kind="unified", matrix="nonnegative")
    direction = -2.0 * np.ones(3)
    assert prob.evaluate(np.zeros(3)).alpha_sign == 1
    assert prob.evaluate(direction).alpha_sign == -1
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if prob.evaluate(mid * direction).alpha_sign > 0:
            lo = mid
        else:
            hi = mid
    return prob, direction, lo, hi


def test_alpha_negative_far_along_minus_ones(pole_problem):
    prob, direction, _, _ = pole_problem
    z = prob.A @ direction
    assert np.sum(np.exp(z) + z) < 0  # by hand
    ev = prob.evaluate(direction)
    assert ev.alpha_sign == -1
    assert ev.log_abs_alpha == pytest.approx(np.log(-np.sum(np.exp(z) + z)), rel=1e-13)
    assert np.isfinite(ev.loss)


def test_pole_crossing_flagged_and_sign_flips(pole_problem):
    prob, direction, lo, hi = pole_problem
    assert hi - lo <= 4 * np.spacing(hi)
    before, after = prob.evaluate(lo * direction), prob.evaluate(hi * direction)
    assert before.alpha_sign == 1
    assert after.alpha_sign in (-1, 0)
    assert before.near_pole and after.near_pole
    for ev in (before, after):
        assert not np.isnan(ev.loss)
        assert ev.loss == np.inf or ev.loss > 1e20
    # a moderate distance away, the flag is off again
    assert not prob.evaluate(0.9 * lo * direction).near_pole
    assert not prob.evaluate(1.1 * hi * direction).near_pole


def test_loss_grows_towards_the_pole_from_both_sides(pole_problem):
    prob, direction, lo, hi = pole_problem
    gaps = np.geomspace(1e-2, 1e-9, 8)
    inside = [prob.loss((lo - g) * direction) for g in gaps]
    outside = [prob.loss((hi + g) * direction) for g in gaps]
    for side in (inside, outside):
        assert np.all(np.isfinite(side))
        assert np.all(np.diff(side) > 0)
    # L ~ 1/2 ||u||^2 / alpha^2: a factor 10 closer is about 100 times larger
    assert inside[-1] / inside[-2] == pytest.approx(100, rel=0.05)
    assert outside[-1] / outside[-2] == pytest.approx(100, rel=0.05)


def test_loss_batch_across_the_pole_has_no_nan(pole_problem):
    prob, direction, lo, hi = pole_problem
    s = np.concatenate([np.linspace(0, 1, 101), [lo, hi], lo + np.spacing(lo) * np.arange(-3, 4)])
    X = s[:, None] * direction
    values = prob.loss_batch(X)
    assert values.shape == s.shape
    assert not np.any(np.isnan(values))
    assert np.all(values > 0)
    single = np.array([prob.loss(x) for x in X])
    assert not np.any(np.isnan(single))
    # X @ A.T and A @ x round differently and the loss is ill-conditioned at the pole:
    # compare where alpha is not a near-cancellation (|s - s*| > 1e-3)
    away = np.abs(s - lo) > 1e-3
    assert away.sum() > 90
    np.testing.assert_allclose(values[away], single[away], rtol=1e-9, atol=0)
    batch = prob.evaluate_batch(X)
    signs = np.array([prob.evaluate(x).alpha_sign for x in X])
    assert np.array_equal(batch.alpha_sign[away], signs[away])
    assert set(np.unique(signs[away])) == {-1, 1}
    assert np.all(batch.near_pole[-7:])  # the ulps around the crossing are flagged


def test_derivatives_next_to_the_pole_are_finite_or_pole_error(pole_problem):
    prob, direction, lo, hi = pole_problem
    for s in (lo, hi, lo * (1 - 1e-6), hi * (1 + 1e-6)):
        x = s * direction
        try:
            g = prob.gradient(x)
        except ls.PoleError as err:
            assert "pole set" in str(err)
        else:
            assert np.all(np.isfinite(g))
            assert np.linalg.norm(g) > 1e6  # grows like alpha^-3
        try:
            H = prob.hessian(x)
        except ls.PoleError as err:
            assert "pole set" in str(err)
        else:
            assert np.all(np.isfinite(H))


@pytest.fixture(scope="module")
def exact_pole():
    """A point where the computed alpha is exactly 0: A = I (n = d = 2), unified, both
    coordinates next to -W(1) = -0.567143..., the root of e^t + t."""
    prob = ls.Problem(np.eye(2), np.array([0.5, 0.5]), kind="unified")
    t0 = -0.5671432904097838
    ts = t0 + np.spacing(t0) * np.arange(-40, 41)
    for a in ts:
        for c in ts:
            x = np.array([a, c])
            if prob.evaluate(x).at_pole:
                return prob, x
    pytest.fail("no float point with alpha == 0 found near -W(1)")


def test_exact_pole_evaluation(exact_pole):
    prob, x = exact_pole
    ev = prob.evaluate(x)
    assert ev.at_pole and ev.near_pole
    assert ev.alpha_sign == 0
    assert ev.log_abs_alpha == -np.inf
    assert ev.loss == np.inf
    assert prob.loss(x) == np.inf
    values = prob.loss_batch(np.vstack([x, np.zeros(2), x]))
    assert values[0] == np.inf and values[2] == np.inf
    assert values[1] == pytest.approx(0.0, abs=1e-30)  # f = b = 1/2 at 0
    batch = prob.evaluate_batch(x[None])
    assert batch.alpha_sign[0] == 0 and batch.near_pole[0]


@pytest.mark.parametrize("method", ["gradient", "hessian", "hessian_parts", "derivatives", "hvp"])
def test_exact_pole_derivatives_raise_pole_error(exact_pole, method):
    prob, x = exact_pole
    assert issubclass(ls.PoleError, ValueError)
    args = (x, np.ones(2)) if method == "hvp" else (x,)
    with pytest.raises(ls.PoleError, match="pole set"):
        getattr(prob, method)(*args)


# -- batched evaluation ------------------------------------------------------------------

@pytest.mark.parametrize("wmode", WEIGHT_MODES)
@pytest.mark.parametrize("kind,gamma", [("softmax", None), ("unified", None), ("unified", 0.25)])
def test_loss_batch_matches_loss(kind, gamma, wmode, rng):
    prob, _ = _instance(kind, gamma, wmode, rng)
    X = rng.standard_normal((17, prob.d)) * 2
    X[3] = 0.0
    batch = prob.loss_batch(X)
    single = np.array([prob.loss(x) for x in X])
    assert batch.shape == (17,)
    np.testing.assert_allclose(batch, single, rtol=1e-12, atol=0)
    values = prob.evaluate_batch(X)
    evs = [prob.evaluate(x) for x in X]
    assert np.array_equal(values.alpha_sign, [e.alpha_sign for e in evs])
    np.testing.assert_allclose(values.log_abs_alpha, [e.log_abs_alpha for e in evs], rtol=1e-13)
    assert np.array_equal(values.near_pole, [e.near_pole for e in evs])


def test_loss_batch_over_several_chunks(rng):
    n, d, k = 2000, 3, 2500
    assert n * k > 2**22  # more than one chunk of rows
    A = rng.standard_normal((n, d))
    prob = ls.Problem(A, rng.dirichlet(np.ones(n)), kind="unified", w=rng.uniform(0, 0.1, n))
    X = rng.standard_normal((k, d)) * 0.5
    batch = prob.loss_batch(X)
    assert batch.shape == (k,)
    single = np.array([prob.loss(x) for x in X])
    np.testing.assert_allclose(batch, single, rtol=1e-12, atol=0)
    # the chunk boundary is invisible: rows in reverse order give the same values
    np.testing.assert_allclose(prob.loss_batch(X[::-1])[::-1], batch, rtol=1e-12, atol=0)


@pytest.mark.parametrize("kind", ["softmax", "unified"])
def test_loss_batch_of_no_points(kind, rng):
    prob = ls.Problem(rng.standard_normal((5, 3)), rng.dirichlet(np.ones(5)), kind=kind)
    out = prob.loss_batch(np.empty((0, 3)))
    assert isinstance(out, np.ndarray)
    assert out.shape == (0,)
    values = prob.evaluate_batch(np.empty((0, 3)))
    assert values.alpha_sign.shape == (0,) and values.near_pole.shape == (0,)
    assert values.log_abs_alpha.shape == (0,)


# -- the blocked weighted Gram product ---------------------------------------------------

@pytest.mark.parametrize("n, d", [(1, 3), (7, 2), (300, 5), (5000, 4), (5001, 4), (20000, 3)])
def test_weighted_gram_matches_one_product(n, d, rng, monkeypatch):
    """Every block boundary case (one block, exact multiples, a short last block)
    sums to the unblocked ``A^T diag(w) A``, with and without a row selection."""
    from landscape import rows as row_blocks
    monkeypatch.setattr(row_blocks, "GRAM_BLOCK_BYTES", 8 * 4 * d * 25)  # 100-row blocks
    A = rng.standard_normal((n, d))
    w = rng.standard_normal(n)
    np.testing.assert_allclose(row_blocks.gram(A, w), A.T @ (w[:, None] * A),
                               rtol=1e-12, atol=1e-12 * n)
    rows = np.sort(rng.choice(n, size=max(1, n // 3), replace=False))
    wr = rng.standard_normal(rows.size)
    np.testing.assert_allclose(row_blocks.gram(A, wr, rows),
                               A[rows].T @ (wr[:, None] * A[rows]), rtol=1e-12, atol=1e-12 * n)


def test_weighted_gram_default_blocks_on_a_tall_matrix(rng):
    """At the default block size a tall A is summed in many blocks and still agrees."""
    from landscape import rows as row_blocks
    A = rng.standard_normal((40_000, 6))
    w = rng.standard_normal(40_000)
    assert 40_000 > row_blocks.GRAM_BLOCK_BYTES // (8 * 6)  # several blocks really are used
    np.testing.assert_allclose(row_blocks.gram(A, w), A.T @ (w[:, None] * A), rtol=1e-11,
                               atol=1e-9)
