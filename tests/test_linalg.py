"""Shared linear algebra (landscape/linalg.py), the table of size limits
(landscape/limits.py) and numbers in messages (landscape/text.py).

Each dense route against NumPy, each matrix-free route against the dense one.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.sparse.linalg import aslinearoperator

import landscape as ls
from landscape import limits, linalg
from landscape.text import number


def _symmetric(eigenvalues, seed=0) -> np.ndarray:
    """``Q diag(eigenvalues) Q^T`` with a random orthogonal Q."""
    d = len(eigenvalues)
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return (Q * np.asarray(eigenvalues, dtype=float)) @ Q.T


WANTED = np.concatenate([[-5.0, -2.0], np.linspace(0.1, 1.0, 46), [7.0, 9.0]])


# -- symmetric matrices and operators -------------------------------------------------------

def test_norm_estimate_is_a_lower_estimate_that_converges():
    H = _symmetric(WANTED)
    rough = linalg.norm_estimate(H, steps=2)
    close = linalg.norm_estimate(aslinearoperator(H), steps=200)
    assert 0 < rough <= 9.0 * (1 + 1e-12)
    assert close == pytest.approx(9.0, rel=1e-6)
    assert linalg.norm_estimate(np.zeros((4, 4))) == 0.0


@pytest.mark.parametrize("as_operator", [False, True])
def test_extreme_eigenvalues_range_and_norm(as_operator):
    H = _symmetric(WANTED, seed=1)
    matrix = aslinearoperator(H) if as_operator else H
    assert linalg.extreme_eigenvalue(matrix, smallest=True) == pytest.approx(-5.0, rel=1e-10)
    assert linalg.extreme_eigenvalue(matrix, smallest=False) == pytest.approx(9.0, rel=1e-10)
    np.testing.assert_allclose(linalg.eigenvalue_range(matrix), (-5.0, 9.0), rtol=1e-10)
    flipped = aslinearoperator(-H) if as_operator else -H  # ||H|| from its smallest end
    assert linalg.symmetric_norm(flipped) == pytest.approx(9.0, rel=1e-10)


def test_tiny_operators_are_formed_rather_than_given_to_arpack():
    op = aslinearoperator(np.array([[2.0, 1.0], [1.0, 2.0]]))
    np.testing.assert_allclose(linalg.eigenvalue_range(op), (1.0, 3.0), rtol=1e-14)


def test_difference_of_arrays_and_of_operators():
    first, second = _symmetric([1.0, 2.0, 3.0]), _symmetric([0.5, 1.0, 4.0], seed=2)
    dense = linalg.difference(first, second)
    assert isinstance(dense, np.ndarray)
    operator = linalg.difference(aslinearoperator(first), second)
    v = np.arange(1.0, 4.0)
    np.testing.assert_allclose(operator.matvec(v), dense @ v, rtol=1e-14)


def test_lanczos_end_reports_no_convergence_as_nan():
    H = _symmetric(10 * 0.8 ** np.arange(200), seed=3)
    v0 = np.random.default_rng(0).standard_normal(200)
    end = linalg.lanczos_end(H, 2, "smallest", v0=v0, shift=10.0, tol=1e-10, max_iter=1,
                             eigenvectors=True)
    assert not end.converged and end.restarts == 1
    assert np.all(np.isnan(end.values)) and end.vectors.shape == (200, 2)
    assert linalg.extreme_eigenvalue(H, smallest=False) == pytest.approx(10.0, rel=1e-12)


# -- rectangular A ----------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(30, 6), (4, 9)])
def test_singular_values_dense_and_by_lanczos(shape, monkeypatch):
    A = np.random.default_rng(4).standard_normal(shape)
    sigma = np.linalg.svd(A, compute_uv=False)
    tall = shape[0] >= shape[1]
    low, high = linalg.singular_value_range(A)
    assert low == (pytest.approx(sigma[-1], rel=1e-12) if tall else 0.0)
    assert high == pytest.approx(sigma[0], rel=1e-12)
    assert linalg.spectral_norm(A) == pytest.approx(sigma[0], rel=1e-12)
    monkeypatch.setattr(linalg, "DENSE_SVD_MAX_SIDE", 2)  # as for A above the dense limit
    low, high = linalg.singular_value_range(A)
    assert high == pytest.approx(sigma[0], rel=1e-8)
    assert np.isnan(low) if tall else low == 0.0
    assert linalg.spectral_norm(A) == pytest.approx(sigma[0], rel=1e-8)


def test_hessian_lipschitz_bound_is_the_formula_of_math_md_4():
    b = np.array([0.6, 0.8])
    assert linalg.hessian_lipschitz_bound(b, 2.0) == pytest.approx((31 + 13 * 1.0) * 8)


# -- results and rounding -------------------------------------------------------------------

def test_read_only_results():
    @dataclasses.dataclass(frozen=True)
    class Result(linalg.ReadOnlyArrays):
        values: np.ndarray
        label: str

    result = Result(np.arange(3.0), "x")
    with pytest.raises(ValueError, match="read-only"):
        result.values[0] = 1.0
    copy = linalg.frozen([1, 2], dtype=np.int64)
    assert copy.dtype == np.int64 and not copy.flags.writeable


def test_zero_tolerance_formula():
    assert linalg.zero_tolerance(16, 2.0) == 4.0 * 4.0 * np.finfo(float).eps * 2.0


# -- limits ---------------------------------------------------------------------------------

def _limits() -> dict[str, int]:
    return {name: value for name, value in vars(limits).items() if name.isupper()}


def test_limit_names_are_distinct_not_reorderings_of_each_other():
    """``MAX_DENSE_D`` beside ``DENSE_MAX_D`` with another value: never again."""
    words = [tuple(sorted(name.split("_"))) for name in _limits()]
    assert len(words) == len(set(words)), sorted(_limits())
    assert all(isinstance(value, int) and value > 0 for value in _limits().values())


def test_the_readme_names_stay_public():
    assert ls.MAX_ENTRIES == limits.MAX_ENTRIES
    assert ls.MAX_DENSE_D == limits.MAX_HESSIAN_D
    assert limits.DENSE_SPECTRUM_MAX_D <= limits.MAX_HESSIAN_D  # dense eigh needs H formed


# -- numbers in messages --------------------------------------------------------------------

@pytest.mark.parametrize("value,digits,text", [
    (0.05, 4, "0.05"), (-3.2, 4, "−3.2"), (8.419e-5, 4, "8.419×10⁻⁵"), (1e-20, 4, "10⁻²⁰"),
    (-2.5e300, 2, "−2.5×10³⁰⁰"), (-1e20, 3, "−10²⁰"), (123456.0, 3, "1.23×10⁵"),
    (float("inf"), 4, "∞"),
    (float("-inf"), 4, "−∞"), (float("nan"), 4, "NaN"), (0.0, 4, "0")])
def test_number_text(value, digits, text):
    assert number(value, digits) == text
