"""Eigenvalues of the Hessian at a point: all of them densely, or the extremes by Lanczos.

At x the Hessian is (MATH.md 3)

    H = A^T diag(D) A + U C U^T,    D (n,),  U = [A^T p, A^T s] (d, 2),  C = [[g0, -1], [-1, 0]]

``spectrum`` forms H and calls a dense ``eigh`` while ``d <= DENSE_SPECTRUM_MAX_D``;
above, ``extreme_eigenvalues`` runs Lanczos on ``Problem.hessian_operator`` (H never
formed). Eigenvalues within ``rounding_tolerance`` of zero are zero within rounding.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from scipy.linalg import eigh
from scipy.linalg.blas import dsyrk
from scipy.sparse.linalg import LinearOperator, aslinearoperator

from .. import losses, rows
from ..limits import DENSE_SPECTRUM_MAX_D, MAX_HESSIAN_D
from ..linalg import ReadOnlyArrays, lanczos_end, norm_estimate, zero_tolerance
from ..problem import PoleError, Problem, check_problem
from ..text import number
from ..validation import choice, describe, flag, positive_int, real_scalar, seed_value

#: eigenvalues computed at each end of the spectrum by Lanczos when k is not given
DEFAULT_K = 6
METHODS = ("auto", "dense", "lanczos")
ENDS = ("both", "smallest", "largest")


@dataclass(frozen=True)
class Spectrum(ReadOnlyArrays):
    """Eigenvalues of the Hessian at one point, ascending.

    Attributes
    ----------
    eigenvalues : (m,) ascending. ``method == "dense"``: all d eigenvalues (m = d).
        ``"lanczos"``: the k smallest and/or the k largest (m = 2k or k); NaN at an end
        where Lanczos did not converge.
    positions : (m,) int, the place of each eigenvalue in the full ascending spectrum
        (0 .. d-1): ``0..k-1`` and ``d-k..d-1`` for Lanczos (which can miss copies of
        a repeated eigenvalue, see ``extreme_eigenvalues``).
    eigenvectors : (d, m) orthonormal columns, ``H v_j = lambda_j v_j``, or None.
    d : the dimension of x.
    smallest, largest : ``lambda_min(H)`` and ``lambda_max(H)``; NaN when that end was
        not computed.
    condition_number : ``max|lambda| / min|lambda|`` (inf when H is singular within
        rounding). For Lanczos NaN unless both ends were computed and have one sign:
        otherwise the eigenvalue nearest zero may be one that was not computed.
    n_negative : eigenvalues below ``-tolerance`` among those computed.
    n_negative_exact : whether ``n_negative`` counts all of H's negative eigenvalues
        (always for dense; for Lanczos when the k smallest were computed and not all of
        them are negative; otherwise it is a lower bound).
    method : "dense" or "lanczos".
    converged : False when Lanczos stopped before convergence at an end.
    message : one sentence on how the eigenvalues were obtained.
    tolerance : eigenvalues with ``|lambda| <= tolerance`` are zero within rounding
        (``rounding_tolerance``).
    """

    eigenvalues: np.ndarray
    positions: np.ndarray
    eigenvectors: np.ndarray | None
    d: int
    smallest: float
    largest: float
    condition_number: float
    n_negative: int
    n_negative_exact: bool
    method: str
    converged: bool
    message: str
    tolerance: float = 0.0

    @property
    def complete(self) -> bool:
        """All d eigenvalues are present."""
        return self.eigenvalues.size == self.d

    @property
    def n_zero(self) -> int:
        """Computed eigenvalues that are zero within rounding (``|lambda| <= tolerance``)."""
        return int(np.sum(np.abs(self.eigenvalues) <= self.tolerance))


def rounding_scale(A: np.ndarray, parts) -> float:
    """``S = sum_i |D_i| ||a_i||^2 + ||U||_F^2 ||C||_2``: the size of the terms that
    cancel in any eigenvalue of ``H = A^T diag(D) A + U C U^T`` (S bounds
    ``|| |A|^T |D| |A| ||_2`` and the rank-two part's norm); O(n d)."""
    return float(np.abs(parts.D) @ rows.row_norms2(A)
                 + np.sum(parts.U**2) * np.linalg.norm(parts.C, 2))


def rounding_tolerance(prob: Problem, x) -> float:
    """``ROUNDING_FACTOR sqrt(d) eps S`` (``linalg.zero_tolerance``, S from
    ``rounding_scale``): e.g. the d - rank(A) zero eigenvalues of a low-rank A, or every
    eigenvalue when n = 1 and w = 0 (L constant), lie within it of zero."""
    x = prob.check_point(x)
    return zero_tolerance(prob.d, rounding_scale(prob.A, prob.hessian_parts(x)))


def spectrum(prob: Problem, x, k: int | None = None, *, eigenvectors: bool = False,
             method: str = "auto", ends: str = "both", tol: float = 0.0,
             max_iter: int | None = None, seed: int = 0) -> Spectrum:
    """Eigenvalues of ``H = hess L(x)`` (d, d), ascending, with their summary numbers.

    Parameters
    ----------
    prob : the problem.
    x : (d,) the point; must lie off the pole set (else ``PoleError``).
    k : eigenvalues at each end computed by Lanczos (default ``DEFAULT_K``);
        ``1 <= k <= d``, and for Lanczos ``2k < d`` (both ends) or ``k < d`` (one end).
        The dense method returns all d eigenvalues whatever k is.
    eigenvectors : also return the eigenvectors, (d, m).
    method : "auto" (dense while ``d <= DENSE_SPECTRUM_MAX_D``, else Lanczos), "dense"
        or "lanczos".
    ends : for Lanczos, "both", "smallest" or "largest".
    tol, max_iter, seed : Lanczos settings, see ``extreme_eigenvalues``.

    Notes
    -----
    Dense: the lower triangle of H is formed (O(n d^2), BLAS syrk) and LAPACK's
    ``syevd`` (O(d^3)) gives every eigenvalue to within a few ``eps ||H||``. Lanczos:
    products ``H v = A^T (D o A v) + U C U^T v``, two passes over A each.
    """
    check_problem(prob)
    x = prob.check_point(x)
    eigenvectors = flag("eigenvectors", eigenvectors)
    method = choice("method", method, METHODS)
    ends = choice("ends", ends, ENDS)
    k = check_k(k, prob.d)
    tol = real_scalar("tol", tol, low=0.0)
    if max_iter is not None:
        max_iter = positive_int("max_iter", max_iter, high=2**31 - 1,
                                why="ARPACK counts restarts in a 32-bit integer")
    seed = seed_value("seed", seed)
    if method == "auto":
        method = "dense" if prob.d <= DENSE_SPECTRUM_MAX_D else "lanczos"
    parts = prob.hessian_parts(x)
    zero = zero_tolerance(prob.d, rounding_scale(prob.A, parts))
    if method == "dense":
        return _dense_spectrum(_lower_hessian(prob, parts), eigenvectors, zero)
    k = DEFAULT_K if k is None else k
    check_lanczos_k(k, prob.d, ends)
    return extreme_eigenvalues(prob.hessian_operator(x), k, ends=ends, eigenvectors=eigenvectors,
                               tol=tol, max_iter=max_iter, seed=seed, zero_tol=zero)


def _lower_hessian(prob: Problem, parts) -> np.ndarray:
    """H in the lower triangle of a (d, d) array (the upper one is not H's).

    ``A^T diag(D) A = A_+^T A_+ - A_-^T A_-`` with ``A_+-`` the rows of A where D is
    positive / negative, scaled by ``sqrt(|D|)``: two symmetric rank-k updates (BLAS
    syrk) fill one triangle with half the flops of the general product ``A^T (D A)``,
    and ``eigh`` reads one triangle only.
    """
    if prob.d > MAX_HESSIAN_D:
        raise ValueError(f"d must be at most {MAX_HESSIAN_D} for a dense spectrum ({prob.d}² "
                         f"entries would not fit); received d = {prob.d}. Use method='lanczos'.")
    with np.errstate(over="ignore"):  # next to a pole; reported as a PoleError below
        # transposed: Fortran order, which syrk updates in place without a copy
        lower = (parts.U @ parts.C @ parts.U.T).T
        blocked = not rows.in_memory(prob.A)
        if blocked:  # one Gram pass over the row blocks, no gathered copy of A
            lower = losses.hessian_from_parts(prob.A, parts)
        for sign, kept in ((1.0, parts.D > 0), (-1.0, parts.D < 0)):
            if kept.any() and not blocked:
                scaled = rows.take(prob.A, kept)
                scaled *= np.sqrt(sign * parts.D[kept])[:, None]
                lower = dsyrk(sign, scaled.T, beta=1.0, c=lower, trans=0, lower=1,
                              overwrite_c=1)
    if not np.all(np.isfinite(lower)):
        raise PoleError("the Hessian overflows float64 at this x: it lies next to the pole set, "
                        "where it grows like α⁻⁴. Move x away from the pole set.")
    return lower


def _dense_spectrum(lower: np.ndarray, eigenvectors: bool, tolerance: float = 0.0) -> Spectrum:
    """Every eigenvalue of the symmetric matrix held in the lower triangle of ``lower``
    (which is overwritten); ``tolerance``: eigenvalues within it of zero are zero."""
    d = lower.shape[0]
    # LAPACK's divide and conquer (syevd) reading the lower triangle, in place
    result = eigh(lower, lower=True, eigvals_only=not eigenvectors, driver="evd",
                  overwrite_a=True, check_finite=False)
    values, vectors = result if eigenvectors else (result, None)
    zero = int(np.sum(np.abs(values) <= tolerance))
    note = (f"; {zero} of them are zero within rounding (|λ| ≤ {number(tolerance, 2)})"
            if zero else "")
    return Spectrum(eigenvalues=values, positions=np.arange(d), eigenvectors=vectors, d=d,
                    smallest=float(values[0]), largest=float(values[-1]),
                    condition_number=condition_number(values, tolerance),
                    n_negative=int(np.sum(values < -tolerance)),
                    n_negative_exact=True, method="dense", converged=True,
                    message=f"all {d} eigenvalues from a dense eigh of the formed Hessian{note}.",
                    tolerance=tolerance)


def condition_number(values: np.ndarray, tolerance: float = 0.0) -> float:
    """``max|lambda| / min|lambda|`` over ``values`` (inf if one is zero within
    ``tolerance``)."""
    magnitude = np.abs(values)
    if magnitude.max() <= tolerance or magnitude.min() <= tolerance:
        return np.inf
    return float(magnitude.max() / magnitude.min())


def extreme_eigenvalues(operator: LinearOperator, k: int, *, ends: str = "both",
                        eigenvectors: bool = False, tol: float = 0.0,
                        max_iter: int | None = None, seed: int = 0,
                        zero_tol: float = 0.0) -> Spectrum:
    """The k smallest and/or k largest eigenvalues of a symmetric (d, d) operator by
    Lanczos (``linalg.lanczos_end``: ARPACK on ``H + s I``, ``s ~ ||H||``).

    Parameters
    ----------
    operator : symmetric (d, d) ``LinearOperator`` (or array); only products are used.
    k : eigenvalues at each end; ``2k < d`` for both ends, ``k < d`` for one.
    ends : "both", "smallest" or "largest".
    eigenvectors : also return the eigenvectors, (d, m).
    tol : eigenvalues are accurate to about ``tol ||H||`` (0: machine precision).
    max_iter : Lanczos restarts allowed at each end (default: about
        ``LANCZOS_MAX_PRODUCTS`` products).
    seed : seed of the start vector.
    zero_tol : eigenvalues within it of zero count as zero (``rounding_tolerance``).

    Returns
    -------
    Spectrum with ``method == "lanczos"``; an end that does not converge gets NaN and
    ``converged`` False, not an exception.

    Notes
    -----
    Eigenvalues crowded closer than ``tol ||H||`` may not converge (the smallest end
    of a graded spectrum with condition number 1e20, say). Single-vector Lanczos sees
    one copy of a repeated eigenvalue: at an end with a multiple eigenvalue (the d - n
    zero eigenvalues of an H with n < d, say) some copies can be missing and the next
    distinct eigenvalues reported in their places.
    """
    operator = aslinearoperator(operator)
    d = operator.shape[0]
    k = positive_int("k", k)
    ends = choice("ends", ends, ENDS)
    check_lanczos_k(k, d, ends)
    v0 = np.random.default_rng(seed_value("seed", seed)).standard_normal(d)
    shift = norm_estimate(operator, v0) or 1.0  # H = 0: any positive shift will do
    which = ("smallest", "largest") if ends == "both" else (ends,)
    runs = [lanczos_end(operator, k, end, v0=v0, shift=shift, eigenvectors=eigenvectors,
                        tol=tol, max_iter=max_iter) for end in which]
    values = np.concatenate([run.values for run in runs])
    positions = np.concatenate([np.arange(k) if end == "smallest" else np.arange(d - k, d)
                                for end in which])
    bottom_done = "smallest" in which and runs[0].converged
    top_done = "largest" in which and runs[-1].converged
    computed = values[np.isfinite(values)]
    one_sign = computed.size and (computed.min() > zero_tol or computed.max() < -zero_tol)
    if bottom_done and top_done and one_sign:
        condition = condition_number(computed, zero_tol)
    elif bottom_done and top_done and np.any(np.abs(computed) <= zero_tol):
        condition = np.inf
    else:
        condition = np.nan
    failed = [f"{end} ({run.n_converged} of {k} converged)"
              for end, run in zip(which, runs, strict=True) if not run.converged]
    if failed:
        message = (f"Lanczos did not converge for the {' and the '.join(failed)} "
                   f"eigenvalues within {runs[0].restarts} restarts; those are NaN.")
    else:
        which_text = {"both": f"the {k} smallest and {k} largest", "smallest":
                      f"the {k} smallest", "largest": f"the {k} largest"}[ends]
        message = (f"{which_text} of {d} eigenvalues by Lanczos on Hessian-vector "
                   "products; the Hessian was not formed.")
    return Spectrum(eigenvalues=values, positions=positions,
                    eigenvectors=np.hstack([run.vectors for run in runs]) if eigenvectors else None,
                    d=d, smallest=float(values[0]) if bottom_done else np.nan,
                    largest=float(values[-1]) if top_done else np.nan,
                    condition_number=float(condition), n_negative=int(np.sum(computed < -zero_tol)),
                    n_negative_exact=bool(bottom_done and values[k - 1] >= -zero_tol),
                    method="lanczos", converged=not failed, message=message, tolerance=zero_tol)


# -- input checks shared by the spectral modules --------------------------------------------

def check_k(k, d: int) -> int | None:
    """``k`` (eigenvalues at each end) as an int in 1..d, or None."""
    if k is None:
        return None
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise ValueError(f"k must be a positive integer or None; received {describe(k)}.")
    k = int(k)
    if k <= 0:
        raise ValueError(f"k must be at least 1 (eigenvalues at each end); received k = {k}.")
    if k > d:
        raise ValueError(f"k must be at most d = {d} (the number of eigenvalues); "
                         f"received k = {k}.")
    return k


def check_lanczos_k(k: int, d: int, ends: str) -> None:
    """Lanczos needs ``2k < d`` for both ends (they must not overlap), ``k < d`` for one."""
    if ends == "both" and 2 * k >= d:
        raise ValueError(f"k must be less than d/2 = {d / 2:g} for method 'lanczos' (the "
                         f"k smallest and the k largest eigenvalues must not overlap); received "
                         f"k = {k}. Use method='dense' for all eigenvalues.")
    if k >= d:
        raise ValueError(f"k must be less than d = {d} for method 'lanczos' at one end; "
                         f"received k = {k}. Use method='dense' for all eigenvalues.")
