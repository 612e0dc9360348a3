"""Linear algebra the library shares: norms, extreme eigenvalues, singular values,
read-only results.

A symmetric (d, d) matrix H comes as a dense array or as a ``LinearOperator`` (only
products ``H v`` are used, H is never formed). Lanczos (ARPACK's ``eigsh``) runs on
``H + s I`` with ``s ~ ||H||_2``: the Krylov spaces, and so the convergence, are H's,
but ARPACK's test ``|residual| <= tol |theta|`` becomes ``tol ||H||``, which
eigenvalues near zero can meet too.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from scipy.linalg import eigh
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, aslinearoperator, eigsh

from . import rows
from .deadline import check
from .limits import DENSE_SVD_MAX_SIDE

#: eigenvalues within ``ROUNDING_FACTOR sqrt(d) eps S`` of zero are zero (see
#: ``zero_tolerance``); measured rounding noise is at most 0.41 eps S (low-rank A,
#: n = 1, n < d, d up to 400), so sqrt(d) * 4 leaves a margin of 30x or more
ROUNDING_FACTOR = 4.0
#: relative tolerance for comparing eigenvalues with bounds: a few hundred rounding
#: errors of the largest magnitude involved
BOUND_RTOL = 1e-10
#: default budget of operator products for each end of a Lanczos run (the restarts
#: allowed are derived from it): enough for separated extremes, a bounded wait otherwise
LANCZOS_MAX_PRODUCTS = 1500


# -- read-only results ----------------------------------------------------------------

def read_only(array: np.ndarray) -> np.ndarray:
    """``array`` itself, made read-only in place (freezing a view leaves the array it
    views writable)."""
    array.setflags(write=False)
    return array


def frozen(values, dtype=np.float64) -> np.ndarray:
    """A read-only copy of ``values`` as an array of ``dtype``."""
    return read_only(np.array(values, dtype=dtype))


class ReadOnlyArrays:
    """Mixin for frozen dataclasses: every ndarray field is made read-only."""

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, np.ndarray):
                read_only(value)


# -- rounding ---------------------------------------------------------------------------

def zero_tolerance(size: int, scale: float) -> float:
    """``ROUNDING_FACTOR sqrt(size) eps S``: forming a symmetric (size, size) matrix from
    terms of total size S and ``eigh`` each perturb its eigenvalues by a few ``eps S``,
    so an eigenvalue within this of zero is zero within rounding, not a finding."""
    return ROUNDING_FACTOR * np.sqrt(size) * np.finfo(float).eps * scale


# -- symmetric matrices and operators -----------------------------------------------------

def norm_estimate(operator, v0: np.ndarray | None = None, *, steps: int = 8) -> float:
    """A lower estimate of ``||H||_2`` for symmetric H: ``||H v||`` after ``steps`` power
    steps from v0 (default ``1 / sqrt(d)``, the same every run); 0 when ``H v0 = 0``,
    and not finite when the products overflow."""
    operator = aslinearoperator(operator)
    v = np.ones(operator.shape[0]) if v0 is None else np.asarray(v0, dtype=np.float64)
    v = v / np.linalg.norm(v)
    estimate = 0.0
    for _ in range(steps):
        w = operator.matvec(v)
        estimate = float(np.linalg.norm(w))
        if not np.isfinite(estimate) or estimate == 0:
            break
        v = w / estimate
    return estimate


def difference(first, second):
    """``H1 - H2`` of two (d, d) symmetric arrays, or as an operator if either is one."""
    if isinstance(first, np.ndarray) and isinstance(second, np.ndarray):
        return first - second
    first, second = aslinearoperator(first), aslinearoperator(second)
    return LinearOperator(first.shape, dtype=np.float64,
                          matvec=lambda v: first.matvec(v) - second.matvec(v))


@dataclass(frozen=True)
class LanczosEnd(ReadOnlyArrays):
    """The k eigenpairs at one end of a symmetric operator's spectrum.

    values : (k,) ascending; NaN when Lanczos did not converge.
    vectors : (d, k) orthonormal columns (NaN when not converged), or None.
    n_converged : eigenvalues that converged (k on success).
    restarts : the Lanczos restarts allowed.
    """

    values: np.ndarray
    vectors: np.ndarray | None
    n_converged: int
    restarts: int

    @property
    def converged(self) -> bool:
        return self.n_converged == self.values.size


def lanczos_end(operator, k: int, end: str, *, v0: np.ndarray, shift: float,
                eigenvectors: bool = False, tol: float = 0.0,
                max_iter: int | None = None) -> LanczosEnd:
    """The k smallest (``end="smallest"``) or largest eigenpairs of a symmetric (d, d)
    operator H, by ARPACK's implicitly restarted Lanczos on ``H + shift I`` from v0.

    ``shift`` is about ``||H||_2`` (``norm_estimate``); ``k < d``; ``max_iter``: restarts,
    default as many as make about ``LANCZOS_MAX_PRODUCTS`` products. Eigenvalues are
    accurate to about ``tol ||H||`` (0: machine precision).
    """
    operator = aslinearoperator(operator)
    d = operator.shape[0]

    def product(v: np.ndarray) -> np.ndarray:
        check("Lanczos")
        return operator.matvec(v) + shift * v.ravel()

    shifted = LinearOperator((d, d), dtype=np.float64, matvec=product)
    ncv = min(d, max(2 * k + 1, 20))
    restarts = max_iter or max(1, LANCZOS_MAX_PRODUCTS // (ncv - k))
    try:
        result = eigsh(shifted, k=k, which="SA" if end == "smallest" else "LA", v0=v0,
                       ncv=ncv, tol=tol, maxiter=restarts, return_eigenvectors=eigenvectors)
    except ArpackNoConvergence as err:
        return LanczosEnd(np.full(k, np.nan), np.full((d, k), np.nan) if eigenvectors else None,
                          len(err.eigenvalues), restarts)
    values, vectors = result if eigenvectors else (result, None)
    order = np.argsort(values)
    return LanczosEnd(values[order] - shift, None if vectors is None else vectors[:, order], k,
                      restarts)


def extreme_eigenvalue(matrix, *, smallest: bool, tol: float = 0.0) -> float:
    """``lambda_min(H)`` (``smallest``) or ``lambda_max(H)`` of a symmetric (d, d) H: a
    dense ``eigh`` of an array, Lanczos on an operator (NaN when it does not converge)."""
    return _ends(matrix, ("smallest" if smallest else "largest",), tol)[0]


def eigenvalue_range(matrix, *, tol: float = 0.0) -> tuple[float, float]:
    """``(lambda_min(H), lambda_max(H))`` of a symmetric H (array: one ``eigh``;
    operator: Lanczos at each end, NaN where it does not converge)."""
    low, high = _ends(matrix, ("smallest", "largest"), tol)
    return low, high


def symmetric_norm(matrix, *, tol: float = 0.0) -> float:
    """``||H||_2 = max(|lambda_min|, |lambda_max|)`` of a symmetric H (array or
    operator; NaN when Lanczos does not converge)."""
    return float(np.max(np.abs(eigenvalue_range(matrix, tol=tol))))


def _ends(matrix, ends: tuple[str, ...], tol: float) -> list[float]:
    """The extreme eigenvalue at each of ``ends`` ("smallest", "largest")."""
    if not isinstance(matrix, np.ndarray):
        operator = aslinearoperator(matrix)
        d = operator.shape[0]
        if d > 2:  # ARPACK needs room for a Krylov space: a tiny operator is formed instead
            v0 = np.random.default_rng(0).standard_normal(d)
            shift = norm_estimate(operator, v0)
            shift = shift if np.isfinite(shift) and shift > 0 else 1.0
            return [float(lanczos_end(operator, 1, end, v0=v0, shift=shift, tol=tol).values[0])
                    for end in ends]
        matrix = operator.matmat(np.eye(d))
    values = eigh(matrix, eigvals_only=True, check_finite=False)
    return [float(values[0] if end == "smallest" else values[-1]) for end in ends]


# -- rectangular A ----------------------------------------------------------------------

def singular_value_range(A: np.ndarray, *, dense: bool = False) -> tuple[float, float]:
    """``(sigma_min, sigma_max)`` of A (n, d), with ``sigma_min = sigma_d`` (0 when
    n < d). A dense SVD while ``min(n, d) <= DENSE_SVD_MAX_SIDE`` or ``dense`` (for a
    caller that needs sigma_min whatever the size); above, sigma_max by Lanczos on the
    smaller of ``A^T A``, ``A A^T`` and sigma_min NaN unless n < d (the smallest
    singular value converges too slowly). A blocked A (``landscape.rows``) is replaced
    by its triangular factor R (d, d) with the same singular values (n >= d), or read
    into memory (n < d)."""
    n, d = A.shape
    if not rows.in_memory(A) and (dense or min(n, d) <= DENSE_SVD_MAX_SIDE):
        A = rows.triangular_factor(A) if n >= d else rows.take(A, np.arange(n))
    if dense or min(n, d) <= DENSE_SVD_MAX_SIDE:
        sigma = np.linalg.svd(A, compute_uv=False)
        return (float(sigma[-1]) if n >= d else 0.0), float(sigma[0])
    if n >= d:
        gram = LinearOperator((d, d), matvec=lambda v: rows.gram_product(A, None, v.ravel()),
                              dtype=np.float64)
    else:
        gram = LinearOperator((n, n), dtype=np.float64, matvec=lambda v: rows.product(
            A, rows.transpose_product(A, v.ravel())))
    top = extreme_eigenvalue(gram, smallest=False, tol=1e-10)
    return (0.0 if n < d else np.nan), float(np.sqrt(top))


def spectral_norm(A: np.ndarray) -> float:
    """``||A||_2 = sigma_max(A)`` (see ``singular_value_range``)."""
    n, d = A.shape
    if min(n, d) <= DENSE_SVD_MAX_SIDE and rows.in_memory(A):
        return float(np.linalg.norm(A, 2))
    return singular_value_range(A)[1]


def hessian_lipschitz_bound(b: np.ndarray, norm_a: float) -> float:
    """``M = (31 + 13 ||b||_2) ||A||_2^3``: ``||hess L(y) - hess L(y')|| <= M ||y - y'||``
    for softmax (MATH.md 4), given ``norm_a = ||A||_2``."""
    return (31.0 + 13.0 * float(np.linalg.norm(b))) * norm_a**3
