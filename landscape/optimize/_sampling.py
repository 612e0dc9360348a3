"""Leverage-score sampling of the diagonal part of the Hessian (MATH.md 8).

The Hessian is ``H = A^T diag(D) A + U C U^T`` (MATH.md 3). The approximate Newton
method of Song, Wang and Yin replaces the diagonal part by a sampled one:

    D+ = max(D, 0),  D- = min(D, 0)          sampling needs weights >= 0
    sigma_i = leverage score of row i of M = sqrt(D+) A,   sum_i sigma_i = rank(M) <= d
    pi_i    = min(1, C sigma_i log(d / delta) / eps^2)
    keep row i with probability pi_i, weight D+_i / pi_i

    H~ = A_S^T diag(D+_S / pi_S) A_S  +  A^T diag(D-) A  +  U C U^T

The negative part and the rank-two part are exact. By the matrix Chernoff bound
(Tropp 2012), with ``C = 4`` and ``delta <= 1/8`` the sampled part satisfies
``(1 - eps) A^T D+ A <= A_S^T diag(D+_S / pi_S) A_S <= (1 + eps) A^T D+ A`` with
probability at least ``1 - delta`` when the scores are exact; about
``C d log(d / delta) / eps^2`` rows are kept in expectation.

Leverage scores come exactly from a thin QR of M (O(n d^2)), or approximately from
a sketch (O(nnz(A) + d^3)): a CountSketch ``S`` (one signed non-zero per column,
``m`` rows) compresses M to ``S M``, whose triangular factor ``R`` (``R^T R = (SM)^T
SM``) makes ``M R^{-1}`` nearly orthonormal; a Gaussian ``G`` (d, k) then gives
``sigma_i ~ ||M_i R^{-1} G||^2`` (Johnson-Lindenstrauss), so that only the product
``A (R^{-1} G)`` (n, k) touches A again. (Drineas, Magdon-Ismail, Mahoney, Woodruff
2012; Clarkson, Woodruff 2013.) Both passes may read a float32 copy of A.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from .. import rows as row_blocks
from ..linalg import ReadOnlyArrays
from ..problem import check_problem
from ..validation import choice, positive_int, real_scalar, seed_value

LEVERAGE = ("sketch", "qr")
#: the constant C of pi_i; 4 makes both Chernoff tails at most delta / 2
OVERSAMPLING = 4.0
#: columns of the Johnson-Lindenstrauss projection G. Each score is then a scaled
#: chi-square with 8 degrees of freedom (relative spread 0.5), which costs little
#: accuracy: at n = 2e5, d = 50, eps = 0.5 the measured spectral error of the
#: sampled Hessian was 0.17-0.19 with k = 8, 0.16-0.17 with exact scores (QR).
JL_DIM = 8
#: rows of the CountSketch per column of A (``m = 50 d``). The sketch's cost is the
#: scatter of n rows into the (m, d) output plus the Gram matrix of that output
#: (m d^2): at n = 1e6, d = 200 the former 2 d^2 rows (80000) cost 0.15 + 0.10 s a
#: step, 50 d rows (10000) 0.04 + 0.01 s (the output then stays in cache), and the
#: measured spectral error of the sampled Hessian was the same for m = 2000 to 80000
#: (0.11-0.15 at eps = 0.5; ``benchmarks/scale_newton.py``). A CountSketch needs
#: m ~ d^2 for a worst-case guarantee (two heavy rows of a coherent M may share a
#: bucket): pass ``sketch_size=2 * d * d`` for it.
SKETCH_ROWS_PER_COLUMN = 50


@dataclass(frozen=True)
class SampledDiagonal:
    """The sampled diagonal part: rows ``rows`` (m,) of A with weights ``weights``
    (m,), so that ``A[rows].T @ (weights[:, None] * A[rows])`` is ``A^T diag(D~) A``.

    ``sampled_mask`` (m,) marks the rows that come from the sample of D+; the others
    are the rows of the exact negative part (the two sets are disjoint).
    ``scores`` (n,) are the leverage scores sigma_i of ``sqrt(D+) A`` the sample was
    drawn from, ``probabilities`` (n,) the keep probabilities pi_i.
    """

    rows: np.ndarray
    weights: np.ndarray
    sampled_mask: np.ndarray
    scores: np.ndarray
    probabilities: np.ndarray


def leverage_scores_qr(A: np.ndarray, root_d: np.ndarray) -> np.ndarray:
    """Exact leverage scores of ``M = diag(root_d) A`` (n,) by a thin QR, O(n d^2)."""
    q = sla.qr(root_d[:, None] * A, mode="economic", check_finite=False)[0]
    return np.einsum("ij,ij->i", q, q)


def sketch_rows(n: int, d: int) -> int:
    """Rows of the CountSketch: ``SKETCH_ROWS_PER_COLUMN * d``, at most n."""
    return int(min(n, SKETCH_ROWS_PER_COLUMN * d))


def leverage_scores_sketch(A: np.ndarray, root_d: np.ndarray, rng: np.random.Generator, *,
                           sketch_size: int | None = None,
                           jl_dim: int | None = None) -> np.ndarray:
    """Approximate leverage scores of ``M = diag(root_d) A`` (n,) in O(nnz(A) + d^3).

    ``sketch_size`` rows of a CountSketch ``S`` (default ``sketch_rows(n, d) = 50 d``);
    ``R`` the triangular factor of ``S M`` (m, d); then with a Gaussian ``G`` (d, k),
    ``k = jl_dim`` (default ``JL_DIM``; ``G = I`` when k >= d),
    ``sigma_i ~ root_d_i^2 ||A_i R^{-1} G||^2``.

    ``A`` may be a float32 copy: the two passes over it then move half the bytes, and
    sampling needs the scores to a constant factor, not to many digits.
    """
    n, d = A.shape
    m = sketch_rows(n, d) if sketch_size is None else int(sketch_size)
    k = min(d, JL_DIM if jl_dim is None else int(jl_dim))
    draw = rng.integers(0, 2 * m, size=n, dtype=np.int32)  # bucket and sign in one draw
    root = root_d.astype(A.dtype)
    values = np.where(draw & 1, -root, root)  # +-root_d
    # S diag(root_d) as a CSC matrix with one entry per column: S M = (S diag(root_d)) A
    # costs one pass over A and never forms the scaled copy of A.
    sketch = sp.csc_matrix((values, draw >> 1, np.arange(n + 1, dtype=np.int32)),
                           shape=(m, n))
    r = _triangular_factor(np.asarray(row_blocks.left_product(sketch, A), dtype=np.float64))
    diag = np.abs(np.diag(r))
    # a rank-deficient sketch (rows of M = 0, or d > rank): lift tiny pivots so that
    # the solve stays finite; the affected directions get large (safe) scores
    floor = max(diag.max(), np.finfo(float).tiny) * 1e-10
    r = r.copy()
    idx = np.arange(d)
    r[idx, idx] = np.where(diag < floor, floor, r[idx, idx])
    if k >= d:
        y = sla.solve_triangular(r, np.eye(d), check_finite=False)
    else:
        g = rng.standard_normal((d, k)) / np.sqrt(k)
        y = sla.solve_triangular(r, g, check_finite=False)
    ay = row_blocks.product(A, y.astype(A.dtype))
    return root_d * root_d * np.einsum("ij,ij->i", ay, ay)


def _triangular_factor(x: np.ndarray) -> np.ndarray:
    """``R`` (d, d) with ``R^T R = X^T X`` for the small sketch X (m, d): Cholesky of
    the Gram matrix (about m d² flops in one matrix product, against 2 m d² for
    Householder QR; squaring the condition number costs digits that leverage estimates
    do not need), QR when the Gram matrix is numerically singular."""
    try:
        return sla.cholesky(x.T @ x, lower=False, check_finite=False)
    except np.linalg.LinAlgError:
        m, d = x.shape
        if m < d:  # fewer sketch rows than columns (n < d): R is square all the same
            x = np.vstack([x, np.zeros((d - m, d))])
        return sla.qr(x, mode="r", check_finite=False)[0][:d]


def subsample(A: np.ndarray, D: np.ndarray, *, eps: float, delta: float,
              rng: np.random.Generator, leverage: str = "sketch",
              oversampling: float = OVERSAMPLING, sketch_size: int | None = None,
              jl_dim: int | None = None, sketch_matrix: np.ndarray | None = None
              ) -> SampledDiagonal:
    """SubSample(D, A, eps, delta) of MATH.md 8: rows of the positive part kept with
    probability ``pi_i = min(1, C sigma_i log(d / delta) / eps^2)`` and reweighted by
    ``1 / pi_i``; the negative part of D added exactly. ``sketch_matrix`` (default A)
    is what the sketched scores read, e.g. a float32 copy of A."""
    n, d = A.shape
    positive = np.maximum(D, 0.0)
    root_d = np.sqrt(positive)
    if leverage == "qr":
        sigma = leverage_scores_qr(A, root_d)
    else:
        sigma = leverage_scores_sketch(A if sketch_matrix is None else sketch_matrix, root_d,
                                       rng, sketch_size=sketch_size, jl_dim=jl_dim)
    # a tiny eps or delta or a huge C overflows the factor: then every row of the
    # positive part is kept (pi = 1), the formula's limit
    with np.errstate(over="ignore", divide="ignore"):
        factor = oversampling * np.log(d / delta) / eps**2
        pi = np.minimum(1.0, factor * sigma) if np.isfinite(factor) else (sigma > 0) * 1.0
    keep = rng.random(n) < pi  # pi_i = 0 where D_i <= 0
    negative = D < 0
    rows = np.flatnonzero(keep | negative)
    sampled = keep[rows]
    weights = D[rows]  # a copy: D+_i on kept rows, D_i < 0 on the negative ones
    weights[sampled] /= pi[rows[sampled]]
    return SampledDiagonal(rows=rows, weights=weights, sampled_mask=sampled, scores=sigma,
                           probabilities=pi)


def gram(A: np.ndarray, rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``A[rows]^T diag(weights) A[rows]`` (d, d), symmetric."""
    h = row_blocks.gram(A, weights, rows)
    return 0.5 * (h + h.T)


def spectral_error(A: np.ndarray, D: np.ndarray, sample: SampledDiagonal) -> float:
    """``||H_D^{-1/2} H~_D H_D^{-1/2} - I||_2`` for ``H_D = A^T diag(D+) A`` and its
    sample ``H~_D``: the largest ``|lambda - 1|`` of the pencil ``(H~_D, H_D)``.
    O(n d^2) for the exact ``H_D``; NaN when ``H_D`` is not positive definite."""
    positive = np.maximum(D, 0.0)
    exact = row_blocks.gram(A, positive)
    exact = 0.5 * (exact + exact.T)
    rows = sample.rows[sample.sampled_mask]
    approx = gram(A, rows, sample.weights[sample.sampled_mask])
    try:
        lam = sla.eigh(approx, exact, eigvals_only=True, check_finite=False)
    except (np.linalg.LinAlgError, ValueError):
        return float("nan")
    return float(np.max(np.abs(lam - 1.0)))


@dataclass(frozen=True)
class RowSample(ReadOnlyArrays):
    """The rows of A that approximate Newton's sampled Hessian keeps at x (MATH.md 8).

    scores : (n,) leverage scores sigma_i of ``sqrt(D+) A`` (exact, or sketched as the
        method does); exact ones sum to its rank (<= d).
    probabilities : (n,) keep probabilities ``pi_i = min(1, C sigma_i log(d/delta) / eps^2)``.
    kept : (m,) indices of the rows kept: the sample of D+ and every row with D_i < 0.
    spectral_error : ``||H_D^{-1/2} H~_D H_D^{-1/2} - I||_2`` of this sample, for the
        sampled part ``H_D = A^T diag(D+) A`` (the rest of H is exact); at most eps with
        probability at least ``1 - delta`` (NaN if ``H_D`` is singular).
    """

    scores: np.ndarray
    probabilities: np.ndarray
    kept: np.ndarray
    spectral_error: float


def row_sample(prob, x, *, eps: float = 0.5, delta: float = 0.01, max_iter: int = 1,
               seed: int = 0, leverage: str = "sketch") -> RowSample:
    """One draw of SubSample(D, A, eps, delta) at x (MATH.md 8), with its scores and its
    measured spectral error: what a picture of the sampled rows shows.

    Parameters
    ----------
    prob : Problem, A in memory (the error measure forms ``A^T diag(D+) A``, O(n d^2)).
    x : (d,) the point.
    eps, delta : accuracy and failure probability over a run, in (0, 1).
    max_iter : the run's most steps: each step draws with ``delta / max_iter``.
    seed : the random draws.
    leverage : "sketch" (as ``minimize`` does by default, on a float32 copy of A) or
        "qr" (exact scores).

    With a run's eps, delta, max_iter, seed and leverage this is the draw of the first
    step of ``minimize(prob, x, "approx_newton", ...)`` (the same rows).
    """
    check_problem(prob)
    eps = real_scalar("eps", eps, low=0.0, high=1.0, low_open=True, high_open=True)
    delta = real_scalar("delta", delta, low=0.0, high=1.0, low_open=True, high_open=True)
    leverage = choice("leverage", leverage, LEVERAGE)
    max_iter = positive_int("max_iter", max_iter)
    if not row_blocks.in_memory(prob.A):
        raise ValueError("row_sample needs A in memory: its spectral error forms the "
                         "d x d sampled and exact parts from every row.")
    x = prob.check_point(x)
    D = prob.hessian_parts(x).D
    sample = subsample(prob.A, D, eps=eps, delta=delta / max_iter, leverage=leverage,
                       rng=np.random.default_rng(seed_value("seed", seed)),
                       sketch_matrix=row_blocks.as_float32(prob.A) if leverage == "sketch"
                       else None)
    return RowSample(scores=sample.scores, probabilities=sample.probabilities,
                     kept=sample.rows, spectral_error=spectral_error(prob.A, D, sample))
