"""Hessian spectra, density, trace, structure and theory checks (landscape.spectral).

Against ``numpy.linalg.eigh`` of the dense Hessian (and of the n x n reference route),
against operators and problems with prescribed spectra, and against the statements of
MATH.md 3-4. Bad input: messages pinned.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
import reference
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.sparse.linalg import LinearOperator, aslinearoperator

import landscape as ls
from landscape import linalg, spectral
from landscape.spectral import HessianContext

#: a point exactly on the pole set: A = I (2 x 2), unified (gamma = 1); alpha sums to 0.0
POLE_X = np.array([0.8919437915660755, -3.3663275929465444])


def _raises(message: str):
    """pytest.raises(ValueError) with ``message`` matched literally from the start."""
    return pytest.raises(ValueError, match="^" + re.escape(message))


def _instance(kind="unified", gamma=None, w=0.1, n=40, d=8, seed=0, zmax=1.5):
    """A random problem and a point x with ||A x||_inf = zmax, away from the pole set."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    b = rng.dirichlet(np.ones(n))
    prob = ls.Problem(A, b, kind=kind, w=w, gamma=gamma)
    x = rng.standard_normal(d)
    x *= zmax / np.max(np.abs(A @ x))
    ev = prob.evaluate(x)
    assert ev.alpha_sign == 1 and not ev.near_pole
    return prob, x


def _prescribed(eigenvalues, scale: float = 1.0):
    """A softmax problem whose Hessian at x = 0 has exactly the given eigenvalues.

    Column j of A is ``scale (e_{2j} - e_{2j+1}) / sqrt(2)``: the columns are orthonormal
    (times scale), disjoint and orthogonal to 1, so at x = 0 (f = p = q = 1/n) the
    rank-two part vanishes (A^T p = 0) and ``H = scale^2 diag((D_2j + D_2j+1) / 2)``.
    With ``sum b = 1`` (then <c, f> = 0) and w = 0, ``D_i = 2/n^2 - b_i / n``; b is set
    so that ``D_2j = D_2j+1 = mu_j / scale^2``, one extra row makes the sum 1.
    """
    mu = np.asarray(eigenvalues, dtype=float) / scale**2
    d = mu.size
    n = 2 * d + 1
    A = np.zeros((n, d))
    A[2 * np.arange(d), np.arange(d)] = scale / np.sqrt(2)
    A[2 * np.arange(d) + 1, np.arange(d)] = -scale / np.sqrt(2)
    b = np.empty(n)
    b[:2 * d] = n * (2.0 / n**2 - np.repeat(mu, 2))
    b[-1] = 1.0 - b[:2 * d].sum()
    return ls.Problem(A, b, kind="softmax")


def _operator_with_spectrum(eigenvalues, seed=0) -> LinearOperator:
    """``Q diag(eigenvalues) Q^T`` with a random orthogonal Q, as a LinearOperator."""
    d = len(eigenvalues)
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return aslinearoperator((Q * np.asarray(eigenvalues)) @ Q.T)


def _rel(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.max(np.abs(b)))


# -- dense spectrum ---------------------------------------------------------------------

@pytest.mark.parametrize("kind,gamma,w", [
    ("softmax", None, None), ("unified", None, None), ("unified", None, 0.2),
    ("unified", 0.5, 0.05), ("softmax", None, 0.3)])
def test_dense_spectrum_matches_numpy_eigh(kind, gamma, w):
    prob, x = _instance(kind, gamma, w, seed=3)
    H = prob.hessian(x)
    expected = np.linalg.eigvalsh(H)
    spec = spectral.spectrum(prob, x, eigenvectors=True)
    assert spec.method == "dense" and spec.complete and spec.converged
    assert np.all(np.diff(spec.eigenvalues) >= 0)
    assert _rel(spec.eigenvalues, expected) < 1e-13
    # an independent route: the n x n matrix B of the reference module
    dense = reference.dense_hessian(prob.A, prob.b, prob.gamma, prob.w, x)
    assert _rel(spec.eigenvalues, np.linalg.eigvalsh(0.5 * (dense + dense.T))) < 1e-11
    V = spec.eigenvectors
    assert np.abs(V.T @ V - np.eye(prob.d)).max() < 1e-12
    assert np.abs(H @ V - V * spec.eigenvalues).max() < 1e-12 * np.abs(expected).max()
    assert spec.smallest == spec.eigenvalues[0] and spec.largest == spec.eigenvalues[-1]
    assert spec.smallest == pytest.approx(expected[0], abs=1e-13 * np.abs(expected).max())
    assert spec.n_negative == int(np.sum(expected < 0)) and spec.n_negative_exact
    magnitude = np.abs(expected)
    assert spec.condition_number == pytest.approx(magnitude.max() / magnitude.min(), rel=1e-9)
    np.testing.assert_array_equal(spec.positions, np.arange(prob.d))


def test_results_are_frozen_with_read_only_arrays():
    prob, x = _instance()
    spec = spectral.spectrum(prob, x, eigenvectors=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.smallest = 0.0
    for array in (spec.eigenvalues, spec.eigenvectors, spec.positions):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 1.0
    density = spectral.spectral_density(prob, x, n_probes=2, n_steps=4)
    structure = spectral.hessian_structure(prob, x)
    path = spectral.trajectory_spectrum(prob, np.vstack([x, 0 * x]))
    for array in (density.nodes, density.density, structure.whole, structure.rank_two,
                  path.eigenvalues, path.at_pole):
        assert not array.flags.writeable


def test_prescribed_spectrum_is_recovered_by_every_route(monkeypatch):
    wanted = np.array([-3.0, -1.0, -0.25, 0.125, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0])
    prob = _prescribed(wanted, scale=3.0)
    x = np.zeros(prob.d)
    spec = spectral.spectrum(prob, x)
    np.testing.assert_allclose(spec.eigenvalues, wanted, rtol=0, atol=1e-12 * 64)
    assert spec.n_negative == 3
    assert spec.condition_number == pytest.approx(64 / 0.125, rel=1e-10)
    assert spectral.hessian_trace(prob, x) == pytest.approx(wanted.sum(), rel=1e-12)
    structure = spectral.hessian_structure(prob, x)
    assert structure.rank == 0 and np.all(np.abs(structure.rank_two) < 1e-30)
    np.testing.assert_allclose(structure.diagonal_part, wanted, atol=1e-12 * 64)
    monkeypatch.setattr("landscape.spectral.eigenvalues.DENSE_SPECTRUM_MAX_D", 4)
    lanczos = spectral.spectrum(prob, x, k=3)
    assert lanczos.method == "lanczos"
    np.testing.assert_allclose(lanczos.eigenvalues, wanted[[0, 1, 2, 9, 10, 11]], atol=1e-10)
    # all three smallest are negative: the count is only a lower bound
    assert lanczos.n_negative == 3 and not lanczos.n_negative_exact
    assert np.isnan(lanczos.condition_number)


# -- Lanczos ----------------------------------------------------------------------------

@pytest.mark.parametrize("kind,w", [("unified", 0.05), ("softmax", None)])
def test_lanczos_extremes_match_dense_at_mid_size(kind, w, monkeypatch):
    prob, x = _instance(kind, None, w, n=600, d=300, seed=5, zmax=2.0)
    dense = np.linalg.eigvalsh(prob.hessian(x))
    monkeypatch.setattr("landscape.spectral.eigenvalues.DENSE_SPECTRUM_MAX_D", 100)
    spec = spectral.spectrum(prob, x, k=8, eigenvectors=True)
    assert spec.method == "lanczos" and spec.converged and not spec.complete
    assert spec.eigenvalues.shape == (16,) and spec.eigenvectors.shape == (300, 16)
    np.testing.assert_array_equal(spec.positions, np.r_[0:8, 292:300])
    assert _rel(spec.eigenvalues, dense[spec.positions]) < 1e-10
    H = prob.hessian(x)
    residual = H @ spec.eigenvectors - spec.eigenvectors * spec.eigenvalues
    assert np.abs(residual).max() < 1e-8 * np.abs(dense).max()
    assert spec.smallest == pytest.approx(dense[0], rel=1e-10, abs=1e-12 * abs(dense[-1]))
    assert spec.largest == pytest.approx(dense[-1], rel=1e-10)
    assert spec.n_negative == min(8, int(np.sum(dense < 0)))
    if dense[0] > 0:
        assert spec.condition_number == pytest.approx(dense[-1] / dense[0], rel=1e-8)
    # the default k, the same seed: the same numbers
    again = spectral.spectrum(prob, x)
    assert again.eigenvalues.size == 2 * spectral.DEFAULT_K
    assert np.array_equal(again.eigenvalues, spectral.spectrum(prob, x).eigenvalues)


def test_lanczos_on_a_prescribed_operator():
    wanted = np.concatenate([[-5.0, -2.0], np.linspace(0.1, 1.0, 96), [7.0, 9.0]])
    spec = spectral.extreme_eigenvalues(_operator_with_spectrum(wanted), 2, eigenvectors=False)
    np.testing.assert_allclose(spec.eigenvalues, [-5.0, -2.0, 7.0, 9.0], rtol=1e-12)
    assert spec.condition_number != spec.condition_number  # NaN: |lambda| min not computed


def test_lanczos_one_end_at_a_time():
    wanted = np.concatenate([[-5.0, -2.0], np.linspace(0.1, 1.0, 96), [7.0, 9.0]])
    op = _operator_with_spectrum(wanted, seed=1)
    top = spectral.extreme_eigenvalues(op, 3, ends="largest")
    np.testing.assert_array_equal(top.positions, [97, 98, 99])
    np.testing.assert_allclose(top.eigenvalues, [1.0, 7.0, 9.0], rtol=1e-12)
    assert np.isnan(top.smallest) and top.largest == pytest.approx(9.0)
    assert not top.n_negative_exact and np.isnan(top.condition_number)
    bottom = spectral.extreme_eigenvalues(op, 3, ends="smallest")
    np.testing.assert_allclose(bottom.eigenvalues, [-5.0, -2.0, 0.1], rtol=1e-12)
    assert bottom.n_negative == 2 and bottom.n_negative_exact and np.isnan(bottom.largest)
    with _raises("k must be less than d = 100 for method 'lanczos' at one end; received "
                 "k = 100. Use method='dense' for all eigenvalues."):
        spectral.extreme_eigenvalues(op, 100, ends="largest")


def test_an_end_that_does_not_converge_leaves_the_other():
    # a graded spectrum 10 * 0.8^i: its smallest eigenvalues crowd at zero far below
    # tol ||H|| apart, and Lanczos cannot resolve them within the product budget
    op = _operator_with_spectrum(10 * 0.8 ** np.arange(200), seed=2)
    spec = spectral.extreme_eigenvalues(op, 2, tol=1e-10)
    assert not spec.converged and np.isnan(spec.smallest)
    assert np.all(np.isnan(spec.eigenvalues[:2]))
    np.testing.assert_allclose(spec.eigenvalues[2:], [8.0, 10.0], rtol=1e-9)
    assert spec.message.startswith("Lanczos did not converge for the smallest (")


def test_lanczos_that_does_not_converge_is_a_status_not_an_exception(monkeypatch):
    prob, x = _instance(n=600, d=300, seed=2)
    spec = spectral.spectrum(prob, x, k=20, method="lanczos", max_iter=1)
    assert not spec.converged and np.all(np.isnan(spec.eigenvalues))
    assert spec.message == ("Lanczos did not converge for the smallest (0 of 20 converged) and "
                            "the largest (0 of 20 converged) eigenvalues within 1 restarts; "
                            "those are NaN.")
    assert np.isnan(spec.smallest) and np.isnan(spec.largest) and not spec.n_negative_exact


# -- spectral density -------------------------------------------------------------------

def test_slq_is_exact_for_a_diagonal_operator_with_few_distinct_eigenvalues():
    """Rademacher probes have v_i^2 = 1/d, so for a diagonal operator every probe sees
    the exact spectral measure; Lanczos stops when the Krylov space is exhausted."""
    values = np.repeat([-3.0, 0.5, 2.0, 100.0], [5, 10, 25, 10])
    op = aslinearoperator(np.diag(values))
    nodes, weights = spectral.lanczos_quadrature(op, n_probes=3, n_steps=20, seed=1)
    assert nodes.size == 3 * 4  # each probe ended after 4 steps
    assert weights.sum() == pytest.approx(1.0, rel=1e-14)
    for value, count in ((-3.0, 5), (0.5, 10), (2.0, 25), (100.0, 10)):
        near = np.abs(nodes - value) < 1e-8 * 100
        assert near.sum() == 3
        assert weights[near].sum() == pytest.approx(count / 50, rel=1e-10)


def test_slq_moments_match_a_prescribed_operator():
    wanted = np.linspace(-1.0, 3.0, 200) ** 3
    op = _operator_with_spectrum(wanted, seed=4)
    nodes, weights = spectral.lanczos_quadrature(op, n_probes=64, n_steps=30, seed=0)
    H = op @ np.eye(200)
    for power in (1, 2, 3):
        Hp = np.linalg.matrix_power(H, power)
        # per probe, v^T H^p v / d has variance 2 (||H^p||_F^2 - sum diag^2) / d^2
        spread = np.sqrt(2 * (np.sum(Hp**2) - np.sum(np.diag(Hp) ** 2))) / 200
        error = abs(weights @ nodes**power - np.mean(wanted**power))
        assert error <= 4 * spread / np.sqrt(64)


@pytest.mark.parametrize("kind,w", [("unified", 0.1), ("softmax", None)])
def test_density_integrates_to_one_and_matches_the_exact_moments(kind, w):
    prob, x = _instance(kind, None, w, n=200, d=60, seed=7, zmax=2.0)
    density = spectral.spectral_density(prob, x, n_probes=32, n_steps=40, seed=3)
    eigs = np.linalg.eigvalsh(prob.hessian(x))
    assert np.trapezoid(density.density, density.grid) == pytest.approx(1.0, abs=1e-6)
    assert density.weights.sum() == pytest.approx(1.0, rel=1e-12)
    widths = np.diff(density.bin_edges)
    assert density.slq_histogram @ widths == pytest.approx(1.0, rel=1e-12)
    assert density.exact_histogram @ widths == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(density.exact_eigenvalues, eigs, atol=1e-12 * np.abs(eigs).max())
    H = prob.hessian(x)
    for power in (1, 2, 3):
        Hp = np.linalg.matrix_power(H, power)
        spread = np.sqrt(2 * (np.sum(Hp**2) - np.sum(np.diag(Hp) ** 2))) / prob.d
        moment = density.weights @ density.nodes**power  # estimates tr(H^power) / d
        assert abs(moment - np.mean(eigs**power)) <= 4 * spread / np.sqrt(32)
    # smoothing keeps the mean: the density's first moment is the nodes' one
    mean = np.trapezoid(density.grid * density.density, density.grid)
    assert mean == pytest.approx(density.weights @ density.nodes, rel=1e-6,
                                 abs=1e-9 * np.abs(eigs).max())
    # the same seed gives the same estimate; the histogram's range covers everything
    again = spectral.spectral_density(prob, x, n_probes=32, n_steps=40, seed=3)
    assert np.array_equal(again.density, density.density)
    everything = np.concatenate([density.exact_eigenvalues, density.nodes])
    assert density.bin_edges[0] == everything.min() and density.bin_edges[-1] == everything.max()


def test_density_without_the_exact_histogram():
    prob, x = _instance()
    density = spectral.spectral_density(prob, x, n_probes=4, n_steps=5, exact=False,
                                        bandwidth=0.5, bins=10, n_grid=50)
    assert density.exact_histogram is None and density.exact_eigenvalues is None
    assert density.grid.shape == (50,) and density.bin_edges.shape == (11,)
    assert density.bandwidth == 0.5 and density.nodes.size == 4 * 5


def test_density_of_a_single_eigenvalue():
    # d = 1: every node equals the eigenvalue up to rounding; no zero-width bins
    prob = ls.Problem(np.array([[1.0], [2.0], [-1.0]]), np.array([0.2, 0.3, 0.5]),
                      kind="unified")
    x = np.array([0.3])
    value = prob.hessian(x)[0, 0]
    density = spectral.spectral_density(prob, x, n_probes=4)
    np.testing.assert_allclose(density.nodes, value, rtol=1e-14)
    assert density.bandwidth == pytest.approx(0.01 * abs(value))
    assert np.trapezoid(density.density, density.grid) == pytest.approx(1.0, abs=1e-6)
    assert np.all(np.isfinite(density.exact_histogram))
    assert np.all(np.isfinite(density.slq_histogram))
    assert density.bin_edges[0] < value < density.bin_edges[-1]


# -- trace ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,gamma,w", [("softmax", None, None), ("unified", None, 0.3),
                                          ("unified", 0.4, None)])
def test_exact_trace_matches_the_dense_hessian(kind, gamma, w):
    prob, x = _instance(kind, gamma, w, seed=11)
    H = prob.hessian(x)
    assert spectral.hessian_trace(prob, x) == pytest.approx(np.trace(H), rel=1e-12)


def test_hutchinson_is_exact_on_a_diagonal_operator():
    op = aslinearoperator(np.diag(np.arange(1.0, 11.0)))
    estimate = spectral.hutchinson(op, n_probes=5, seed=2)
    assert estimate.estimate == pytest.approx(55.0, rel=1e-14)
    assert estimate.standard_error == pytest.approx(0.0, abs=1e-12)
    assert estimate.samples.shape == (5,)


def test_hutchinson_trace_lies_within_three_standard_errors_on_seeded_runs():
    prob, x = _instance("unified", None, 0.1, n=100, d=30, seed=13, zmax=2.0)
    exact = spectral.hessian_trace(prob, x)
    scores = []
    for seed in range(20):
        estimate = spectral.hutchinson_trace(prob, x, n_probes=50, seed=seed)
        assert estimate.standard_error > 0
        scores.append((estimate.estimate - exact) / estimate.standard_error)
    scores = np.array(scores)
    assert np.sum(np.abs(scores) >= 3) <= 1, scores  # 3 standard errors: rarely exceeded
    assert abs(scores.mean()) < 3 / np.sqrt(20)  # unbiased: the mean z-score is small


# -- structure --------------------------------------------------------------------------

@pytest.mark.parametrize("kind,gamma,w", [("softmax", None, None), ("unified", None, None),
                                          ("unified", None, 0.2), ("unified", 0.6, 0.05)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_structure_parts_interlace(kind, gamma, w, seed):
    prob, x = _instance(kind, gamma, w, n=30, d=10, seed=seed, zmax=2.5)
    structure = spectral.hessian_structure(prob, x)
    parts = prob.hessian_parts(x)
    diagonal = prob.A.T @ np.diag(parts.D) @ prob.A
    np.testing.assert_allclose(structure.diagonal_part, np.linalg.eigvalsh(diagonal),
                               atol=1e-12 * np.abs(diagonal).max())
    np.testing.assert_allclose(structure.whole, np.linalg.eigvalsh(prob.hessian(x)),
                               atol=1e-12 * np.abs(structure.whole).max())
    dense_rank_two = np.linalg.eigvalsh(parts.rank_two)
    scale = np.abs(dense_rank_two).max()
    np.testing.assert_allclose(structure.rank_two, dense_rank_two[[0, -1]], atol=1e-12 * scale)
    np.testing.assert_allclose(dense_rank_two[1:-1], 0.0, atol=1e-12 * scale)  # the d - 2 others
    # rank two: exactly one negative and one positive eigenvalue, the rest zero
    assert structure.rank == 2
    assert structure.rank_two[0] < 0 < structure.rank_two[1]
    assert np.sum(dense_rank_two < -1e-10 * scale) == 1
    assert np.sum(dense_rank_two > 1e-10 * scale) == 1
    # interlacing and Weyl, as measured here
    assert structure.interlacing_holds and structure.weyl_holds
    tol = 1e-10 * max(np.abs(structure.whole).max(), np.abs(structure.diagonal_part).max())
    whole, diag = structure.whole, structure.diagonal_part
    assert np.all(diag[:-1] - tol <= whole[1:]) and np.all(whole[:-1] <= diag[1:] + tol)
    assert abs(structure.n_negative_whole - structure.n_negative_diagonal) <= 1


@given(U=st.lists(st.floats(-3, 3), min_size=8, max_size=8),
       g0=st.floats(-5, 5))
def test_rank_two_part_has_one_positive_and_one_negative_eigenvalue(U, g0):
    U = np.array(U).reshape(4, 2)
    C = np.array([[g0, -1.0], [-1.0, 0.0]])
    gram_det = np.linalg.det(U.T @ U)
    assume(gram_det > 1e-6 * max(1.0, np.sum(U**2)) ** 2)
    values = spectral.rank_two_eigenvalues(U, C)
    dense = np.linalg.eigvalsh(U @ C @ U.T)
    np.testing.assert_allclose(values, dense[[0, -1]], atol=1e-10 * np.abs(dense).max())
    assert values[0] < 0 < values[1]
    assert values[0] * values[1] == pytest.approx(-gram_det, rel=1e-6)


def test_rank_two_part_of_lower_rank():
    # d = 1: U C U^T is 1 x 1, one of the two values is zero
    prob, x = _instance(d=1, n=6, seed=1)
    structure = spectral.hessian_structure(prob, x)
    parts = prob.hessian_parts(x)
    one = float(parts.rank_two[0, 0])
    assert structure.rank == 1
    np.testing.assert_allclose(sorted([0.0, one]), structure.rank_two, atol=1e-14 * abs(one))
    assert structure.interlacing_holds


# -- theory checks ----------------------------------------------------------------------

@given(n=st.integers(1, 10), d=st.integers(1, 4), seed=st.integers(0, 2**16),
       zscale=st.floats(0.0, 8.0), bscale=st.floats(0.0, 2.0), w=st.floats(0.0, 3.0))
def test_softmax_bound_is_never_violated(n, d, seed, zscale, bscale, w):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    b = bscale * rng.uniform(-1.0, 1.0, n)
    prob = ls.Problem(A, b, kind="softmax", w=w)
    x = zscale * rng.standard_normal(d) / max(1.0, np.linalg.norm(A, 2))
    context = HessianContext(prob, x)
    global_bound, pointwise = spectral.curvature_bound_checks(context)
    assert global_bound.applies and global_bound.holds, global_bound.message
    assert pointwise.holds, pointwise.message
    b_inf = np.abs(b).max()
    assert global_bound.lower == -6 * (1 + b_inf) and global_bound.upper == 7 + 6 * b_inf
    softmax, at_x = spectral.regularisation_checks(context)
    for check in (softmax, at_x):
        tol = 1e-9 * max(1.0, abs(check.implied_lower), abs(check.hessian_smallest))
        assert check.hessian_smallest >= check.implied_lower - tol, check.message
        if check.holds:
            assert check.hessian_smallest >= check.strong_convexity - tol


@given(n=st.integers(2, 10), d=st.integers(1, 4), seed=st.integers(0, 2**16),
       gamma=st.floats(0.0, 1.0), zscale=st.floats(0.0, 3.0))
def test_pointwise_bound_holds_for_every_gamma(n, d, seed, gamma, zscale):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    prob = ls.Problem(A, rng.dirichlet(np.ones(n)), kind="unified", gamma=gamma, w=0.1)
    x = zscale * rng.standard_normal(d) / max(1.0, np.linalg.norm(A, 2))
    ev = prob.evaluate(x)
    assume(ev.alpha_sign == 1 and not ev.near_pole and ev.log_abs_alpha > -3)
    context = HessianContext(prob, x)
    _, pointwise = spectral.curvature_bound_checks(context)
    assert pointwise.holds, pointwise.message
    low = pointwise.b_smallest
    B = reference.dense_b_matrix(prob.A @ x, prob.b, prob.gamma)
    exact = np.linalg.eigvalsh(0.5 * (B + B.T))
    assert low == pytest.approx(exact[0], rel=1e-9, abs=1e-12 * np.abs(exact).max())


def test_pointwise_level_by_hand():
    prob, x = _instance("unified", 0.7, None, seed=9)
    z = prob.A @ x
    u = np.exp(z) + 0.7 * z
    f, p, q = u / u.sum(), (np.exp(z) + 0.7) / u.sum(), np.exp(z) / u.sum()
    c = f - prob.b
    cf = c @ f
    K = (np.abs(q).max() * np.abs(c).max() + abs(cf) * np.abs(q).max()
         + 2 * np.linalg.norm(p) * np.linalg.norm(c * p) + 2 * abs(cf) * np.linalg.norm(p) ** 2)
    assert HessianContext(prob, x).pointwise_level == pytest.approx(K, rel=1e-12)
    assert spectral.theory_checks(prob, x, n_pairs=1).pointwise_bound.lower == pytest.approx(-K)


def test_b_range_by_lanczos_matches_dense(monkeypatch):
    prob, x = _instance("unified", None, None, n=300, d=5, seed=4, zmax=3.0)
    dense = HessianContext(prob, x).b_range[:2]
    B = reference.dense_b_matrix(prob.A @ x, prob.b, prob.gamma)
    reference_values = np.linalg.eigvalsh(0.5 * (B + B.T))
    np.testing.assert_allclose(dense, reference_values[[0, -1]], rtol=1e-10)
    monkeypatch.setattr("landscape.spectral.context.DENSE_B_MAX_N", 50)
    np.testing.assert_allclose(HessianContext(prob, x).b_range[:2], dense, rtol=0,
                               atol=1e-9 * np.abs(reference_values).max())


def test_strongly_convex_softmax_weights_meet_the_condition():
    prob = ls.make_problem(60, 6, seed=2, kind="softmax", w="strongly_convex",
                           strong_convexity=1.0)
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = 3 * rng.standard_normal(prob.d)
        checks = spectral.theory_checks(prob, x, strong_convexity=1.0, n_pairs=4)
        reg = checks.softmax_regularisation
        assert reg.applies and reg.holds and reg.scope == "everywhere"
        assert reg.hessian_smallest >= 1.0 - 1e-9
        assert reg.implied_lower == pytest.approx(1.0, rel=1e-9)
        assert "is met, so ∇²L ⪰ 1 I everywhere" in reg.message
        assert checks.softmax_bound.holds and checks.lipschitz.holds


def test_unregularised_problem_does_not_meet_the_condition():
    prob, x = _instance("softmax", None, None, seed=1)
    softmax, at_x = spectral.regularisation_checks(HessianContext(prob, x), strong_convexity=0.5)
    for check in (softmax, at_x):
        assert not check.holds and check.min_w2 == 0.0
        assert "is not met" in check.message
    sigma = np.linalg.svd(prob.A, compute_uv=False)
    assert softmax.sigma_min == pytest.approx(sigma[-1])
    assert softmax.sigma_max == pytest.approx(sigma[0])
    assert softmax.required_w2 == pytest.approx(6 * (1 + prob.b.max()) + 0.5 / sigma[-1] ** 2)
    # more columns than rows: sigma_min(A) = 0 and no weight is enough
    wide = ls.Problem(np.random.default_rng(0).standard_normal((3, 5)), np.full(3, 1 / 3),
                      w=100.0)
    softmax, _ = spectral.regularisation_checks(HessianContext(wide, np.zeros(5)))
    assert softmax.sigma_min == 0.0 and softmax.required_w2 == np.inf and not softmax.holds


def test_the_checks_share_one_context(monkeypatch):
    """theory_checks computes A's singular values, B's extremes and K(x) once for all
    five checks (they used to be recomputed, or passed around in private pairs)."""
    from landscape.spectral import context as context_module
    calls = []

    def counted(name, function):
        def wrapper(*args, **kwargs):
            calls.append(name)
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(context_module, "singular_value_range",
                        counted("svd", context_module.singular_value_range))
    monkeypatch.setattr(context_module, "eigenvalue_range",
                        counted("B", context_module.eigenvalue_range))
    prob, x = _instance("softmax", None, 0.1, seed=2)
    checks = spectral.theory_checks(prob, x, n_pairs=2)
    assert sorted(calls) == ["B", "svd"]
    context = HessianContext(prob, x)
    assert context.pointwise_level is context.pointwise_level  # computed once, then kept
    assert checks.pointwise_bound.lower == -context.pointwise_level
    assert checks.softmax_regularisation.sigma_max == context.singular_values[1]
    assert checks.lipschitz.bound == pytest.approx(
        (31 + 13 * np.linalg.norm(prob.b)) * context.singular_values[1] ** 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.x = x


def test_unified_checks_say_what_does_not_apply():
    prob, x = _instance("unified", None, 0.1, seed=6)
    checks = spectral.theory_checks(prob, x, n_pairs=4)
    assert not checks.softmax_bound.applies
    assert "a theorem for softmax only; here γ = 1" in checks.softmax_bound.message
    assert not checks.softmax_regularisation.applies
    assert checks.pointwise_bound.applies and checks.pointwise_bound.holds
    assert checks.pointwise_regularisation.scope == "at x"
    lip = checks.lipschitz
    assert not lip.applies and not lip.holds and np.isnan(lip.bound)
    assert "no x-independent bound exists" in lip.message
    assert len(checks.all()) == 5
    for check in checks.all():
        assert isinstance(check.name, str) and isinstance(check.applies, bool)
        assert isinstance(check.holds, bool)
        assert isinstance(check.message, str) and check.message.endswith(".")
        with pytest.raises(dataclasses.FrozenInstanceError):
            check.holds = True
    assert [check.name for check in checks.all()] == [
        "softmax global bound", "pointwise bound K(x)", "softmax regularisation",
        "pointwise regularisation", "Hessian-Lipschitz estimate"]


def test_lipschitz_estimate_below_the_softmax_bound_and_reproducible(monkeypatch):
    prob, x = _instance("softmax", None, 0.1, n=40, d=6, seed=8)
    check = spectral.lipschitz_check(HessianContext(prob, x), n_pairs=12, seed=5)
    assert check.applies and check.holds and 0 < check.estimate <= check.bound
    norm_A = np.linalg.norm(prob.A, 2)
    assert check.bound == pytest.approx((31 + 13 * np.linalg.norm(prob.b)) * norm_A**3)
    assert check.radius == pytest.approx(1 / norm_A)
    assert check.ratios.shape == (12,) and check.estimate == check.ratios.max()
    again = spectral.lipschitz_check(HessianContext(prob, x), n_pairs=12, seed=5)
    assert again.estimate == check.estimate
    # the ratio is a local Lipschitz constant: it matches a finite difference of H
    v = np.random.default_rng(0).standard_normal(prob.d)
    h = 1e-4 / np.linalg.norm(v)
    slope = np.linalg.norm(prob.hessian(x + h * v) - prob.hessian(x), 2) / np.linalg.norm(h * v)
    assert slope < 3 * check.estimate
    # the Lanczos route for ||H(y) - H(y')|| gives the same numbers
    monkeypatch.setattr("landscape.spectral.lipschitz.DENSE_DIFFERENCE_MAX_D", 2)
    lanczos = spectral.lipschitz_check(HessianContext(prob, x), n_pairs=12, seed=5)
    np.testing.assert_allclose(lanczos.ratios, check.ratios, rtol=1e-6)


def test_sigma_min_above_the_dense_limit_is_not_guessed(monkeypatch):
    prob, x = _instance("softmax", None, 0.5, n=50, d=6, seed=3)
    monkeypatch.setattr("landscape.linalg.DENSE_SVD_MAX_SIDE", 4)
    softmax, _ = spectral.regularisation_checks(HessianContext(prob, x))
    assert np.isnan(softmax.sigma_min) and not softmax.holds
    assert softmax.sigma_max == pytest.approx(np.linalg.norm(prob.A, 2), rel=1e-8)
    assert "cannot be decided" in softmax.message


# -- along a trajectory ---------------------------------------------------------------------

def test_trajectory_spectrum_dense_and_lanczos(monkeypatch):
    prob, x = _instance(n=80, d=12, seed=2)
    xs = np.vstack([x * t for t in np.linspace(0, 1, 4)])
    path = spectral.trajectory_spectrum(prob, xs)
    assert path.method == "dense" and path.eigenvalues.shape == (4, 12)
    for row, point in zip(path.eigenvalues, xs, strict=True):
        np.testing.assert_allclose(row, np.linalg.eigvalsh(prob.hessian(point)), rtol=1e-12,
                                   atol=1e-14)
    np.testing.assert_array_equal(path.smallest, path.eigenvalues[:, 0])
    assert not path.at_pole.any() and path.converged.all()
    monkeypatch.setattr("landscape.spectral.path.DENSE_SPECTRUM_MAX_D", 5)
    path = spectral.trajectory_spectrum(prob, xs, k=2)
    assert path.method == "lanczos" and path.eigenvalues.shape == (4, 4)
    np.testing.assert_array_equal(path.positions, [0, 1, 10, 11])


def test_trajectory_through_the_pole_set_gets_nan_and_a_flag():
    prob = ls.Problem(np.eye(2), np.array([0.5, 0.5]), kind="unified")
    xs = np.vstack([np.zeros(2), POLE_X, 0.5 * POLE_X])
    path = spectral.trajectory_spectrum(prob, xs)
    np.testing.assert_array_equal(path.at_pole, [False, True, False])
    assert np.all(np.isnan(path.eigenvalues[1])) and np.isnan(path.n_negative[1])
    assert np.isnan(path.smallest[1]) and np.isfinite(path.smallest[[0, 2]]).all()
    np.testing.assert_array_equal(path.converged, [True, False, True])


# -- bad input ----------------------------------------------------------------------------

def test_a_point_on_the_pole_set_is_refused_clearly():
    prob = ls.Problem(np.eye(2), np.array([0.5, 0.5]), kind="unified")
    assert prob.evaluate(POLE_X).at_pole
    for call in (lambda: spectral.spectrum(prob, POLE_X),
                 lambda: spectral.spectral_density(prob, POLE_X),
                 lambda: spectral.hessian_trace(prob, POLE_X),
                 lambda: spectral.hessian_structure(prob, POLE_X),
                 lambda: spectral.theory_checks(prob, POLE_X)):
        with pytest.raises(ls.PoleError, match="^x lies on the pole set of the unified loss"):
            call()


@pytest.mark.parametrize("k,message", [
    (0, "k must be at least 1 (eigenvalues at each end); received k = 0."),
    (-2, "k must be at least 1 (eigenvalues at each end); received k = -2."),
    (9, "k must be at most d = 8 (the number of eigenvalues); received k = 9."),
    (2.5, "k must be a positive integer or None; received 2.5."),
    (True, "k must be a positive integer or None; received True."),
    ("3", "k must be a positive integer or None; received '3'."),
])
def test_bad_k(k, message):
    prob, x = _instance()
    with _raises(message):
        spectral.spectrum(prob, x, k)
    with _raises(message):
        spectral.trajectory_spectrum(prob, x[None], k=k)


def test_bad_points_and_options():
    prob, x = _instance()
    with _raises("x must have length 8 (d, the number of columns of A); received shape (7,)."):
        spectral.spectrum(prob, x[:7])
    bad = x.copy()
    bad[2] = np.nan
    with _raises("x must be finite; received 1 NaN and 0 infinite entries (first at index 2)."):
        spectral.spectrum(prob, bad)
    with _raises("x must be a vector (1-D); received shape (2, 8)."):
        spectral.spectrum(prob, np.vstack([x, x]))
    with _raises("method must be one of 'auto', 'dense', 'lanczos'; received 'eig'."):
        spectral.spectrum(prob, x, method="eig")
    with _raises("k must be less than d/2 = 4 for method 'lanczos' (the k smallest and the "
                 "k largest eigenvalues must not overlap); received k = 4."):
        spectral.spectrum(prob, x, 4, method="lanczos")
    with _raises("prob must be a landscape.Problem; received an array of shape (3, 3)"):
        spectral.spectrum(np.eye(3), x)
    with _raises("tol must lie in [0, ∞); received −1."):
        spectral.spectrum(prob, x, tol=-1.0)
    with _raises("n_probes must be at least 2 for a standard error; received 1."):
        spectral.hutchinson_trace(prob, x, n_probes=1)
    with _raises("bandwidth must lie in (0, ∞); received 0."):
        spectral.spectral_density(prob, x, bandwidth=0.0)
    with _raises("n_steps must be at least 1; received 0."):
        spectral.spectral_density(prob, x, n_steps=0)
    with _raises("exact must be True, False or None; received 'yes'."):
        spectral.spectral_density(prob, x, exact="yes")
    with _raises("strong_convexity must lie in (0, ∞); received 0."):
        spectral.theory_checks(prob, x, strong_convexity=0.0)
    with _raises("radius must lie in (0, ∞); received −1."):
        spectral.theory_checks(prob, x, radius=-1.0)
    with _raises("n_pairs must be at least 1; received 0."):
        spectral.theory_checks(prob, x, n_pairs=0)
    with _raises("xs must have shape (m, d) with m ≥ 1 and d = 8 (one iterate per row); "
                 "received shape (3, 7)."):
        spectral.trajectory_spectrum(prob, np.zeros((3, 7)))
    with _raises("xs must be a matrix (2-D); received shape (8,)."):
        spectral.trajectory_spectrum(prob, x)


def test_structure_refuses_sizes_above_the_dense_limit(monkeypatch):
    prob, x = _instance()
    monkeypatch.setattr("landscape.spectral.structure.DENSE_SPECTRUM_MAX_D", 5)
    with _raises("d must be at most DENSE_SPECTRUM_MAX_D = 5 for the structure view (it compares "
                 "all eigenvalues of three d × d matrices); received d = 8."):
        spectral.hessian_structure(prob, x)


# -- rounding is not a finding -------------------------------------------------------



def test_the_zero_eigenvalues_of_a_low_rank_a_are_zero_within_rounding():
    prob = ls.make_problem(200, 10, matrix="low_rank", rank=2, w="none")
    for x in (np.zeros(10), np.full(10, 0.7)):
        spec = ls.spectrum(prob, x)
        raw = np.sum(spec.eigenvalues < 0)
        assert raw > 0, "the rounding noise is there (else this test proves nothing)"
        assert spec.n_zero == 10 - 2 and spec.n_negative == 0
        assert spec.condition_number == np.inf
        assert "zero within rounding" in spec.message
        # the tolerance is ROUNDING_FACTOR sqrt(d) eps S, far above the noise, far below
        # the smallest genuine eigenvalue
        noise = np.sort(np.abs(spec.eigenvalues))[:8].max()
        genuine = np.sort(np.abs(spec.eigenvalues))[8]
        assert noise < spec.tolerance / 10 and spec.tolerance < genuine / 1e10


def test_one_row_has_a_constant_loss_and_no_negative_eigenvalue():
    prob = ls.make_problem(1, 10, w="none")  # f = u / <u, 1> = 1 for every x
    spec = ls.spectrum(prob, np.full(10, 0.3))
    assert spec.n_negative == 0 and spec.n_zero == 10 and spec.condition_number == np.inf
    structure = spectral.hessian_structure(prob, np.full(10, 0.3))
    assert structure.n_negative_whole == 0 and structure.n_negative_diagonal == 0


def test_a_realizable_b_at_x_true_meets_the_pointwise_bound_within_rounding():
    prob = ls.make_problem(100, 4, kind="softmax", target="realizable", noise=0.0, w="none")
    x = np.array(prob.x_true)
    _, pointwise = spectral.curvature_bound_checks(HessianContext(prob, x))
    assert pointwise.lower == 0.0 or abs(pointwise.lower) < 1e-15  # c = 0: K(x) vanishes
    assert pointwise.holds
    if pointwise.b_smallest < pointwise.lower:  # rounding put it below: said so
        assert pointwise.within_rounding and "within rounding" in pointwise.message
    assert "BELOW" not in pointwise.message
    assert ls.spectrum(prob, x).n_negative == 0


def test_a_genuinely_negative_eigenvalue_is_still_reported():
    prob = ls.make_problem(50, 8, kind="softmax", target="one_hot", w="none")
    spec = ls.spectrum(prob, np.full(8, 1.5))
    assert spec.smallest < -1e3 * spec.tolerance
    assert spec.n_negative >= 1 and spec.condition_number < np.inf
    assert spec.n_negative == np.sum(spec.eigenvalues < -spec.tolerance)


def test_the_tolerance_is_the_documented_formula():
    prob = ls.make_problem(30, 6, seed=2)
    x = np.full(6, 0.2)
    parts = prob.hessian_parts(x)
    scale = (np.abs(parts.D) @ np.sum(prob.A**2, axis=1)
             + np.sum(parts.U**2) * np.linalg.norm(parts.C, 2))
    expected = linalg.ROUNDING_FACTOR * np.sqrt(6) * np.finfo(float).eps * scale
    assert spectral.rounding_tolerance(prob, x) == pytest.approx(expected, rel=1e-12)
    assert ls.spectrum(prob, x).tolerance == pytest.approx(expected, rel=1e-12)
    lanczos = ls.spectrum(prob, x, 2, method="lanczos")
    assert lanczos.tolerance == pytest.approx(expected, rel=1e-12)


def test_theory_check_messages_show_rounding_noise_as_zero():
    """At x_true of a noiseless realizable b, B's smallest eigenvalue is rounding noise
    (~1e-20) and K(x) = 0: the messages say 0 (within rounding), never -8.985e-21 or
    "-0"."""
    prob = ls.make_problem(100, 4, seed=0, kind="softmax", target="realizable", noise=0.0,
                           w="none")
    text = " ".join(c.message for c in spectral.theory_checks(prob, np.asarray(prob.x_true)).all())
    assert "−K(x) = 0." in text and "lie in [0," in text
    assert not re.search(r"-0(?![.\d])", text), text
    assert not re.search(r"e-(1[7-9]|[2-9]\d)", text), text  # no noise-sized numbers
