"""The Hessian as a diagonal part plus a rank-two part, and the interlacing they obey.

    H = A^T diag(D) A + R,    R = U C U^T,   U (d, 2),  C = [[g0, -1], [-1, 0]]

R has inertia at most (1, 1) (``det C = -1``), so Weyl's inequalities for a rank-one
PSD and a rank-one NSD update give, for i = 1..d (ascending, ``lambda_0 = -inf``,
``lambda_{d+1} = +inf``),

    lambda_{i-1}(Diag) <= lambda_i(H) <= lambda_{i+1}(Diag)             (interlacing)
    lambda_i(Diag) + r_minus <= lambda_i(H) <= lambda_i(Diag) + r_plus   (Weyl)

and the number of negative eigenvalues changes by at most one each way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import losses, rows
from ..limits import DENSE_SPECTRUM_MAX_D
from ..linalg import BOUND_RTOL, ReadOnlyArrays, zero_tolerance
from ..problem import Problem, check_problem
from ..text import number
from .eigenvalues import rounding_scale


@dataclass(frozen=True)
class HessianStructure(ReadOnlyArrays):
    """The eigenvalues of ``H = A^T diag(D) A + U C U^T`` and of its two parts.

    Attributes
    ----------
    diagonal_part : (d,) eigenvalues of ``A^T diag(D) A``, ``D = B_diag + w o w``.
    rank_two : (2,) the two eigenvalues ``r_minus <= 0 <= r_plus`` of R that can be
        non-zero (the other d - 2 are zero), from a 2 x 2 problem.
    rank : numerical rank of R: its eigenvalues above 1e-12 of the largest magnitude
        among H, Diag and ``||U||^2 ||C||`` (2 when ``A^T p`` and ``A^T s`` are
        independent).
    whole : (d,) eigenvalues of H.
    interlacing_lower, interlacing_upper : (d,) ``lambda_{i-1}(Diag)`` and
        ``lambda_{i+1}(Diag)`` (-inf and +inf at the ends).
    interlacing_holds, weyl_holds : whether the measured eigenvalues obey them (to
        ``BOUND_RTOL`` of the largest magnitude).
    n_negative_diagonal, n_negative_whole : eigenvalues of Diag and of H below minus
        ``tolerance``.
    message : one sentence summing up.
    tolerance : eigenvalues within it of zero are zero (``rounding_tolerance``).
    """

    diagonal_part: np.ndarray
    rank_two: np.ndarray
    rank: int
    whole: np.ndarray
    interlacing_lower: np.ndarray
    interlacing_upper: np.ndarray
    interlacing_holds: bool
    weyl_holds: bool
    n_negative_diagonal: int
    n_negative_whole: int
    message: str
    tolerance: float = 0.0


def rank_two_eigenvalues(U: np.ndarray, C: np.ndarray) -> np.ndarray:
    """The two eigenvalues of ``U C U^T`` (U (d, 2), C symmetric (2, 2)) that can be
    non-zero, ascending, in O(d).

    With ``G = U^T U = V diag(g) V^T`` and ``G^(1/2) = V diag(sqrt g) V^T``, they are
    those of the symmetric (2, 2) ``G^(1/2) C G^(1/2)``; their product is
    ``det C det G``, negative for the Hessian's C when U has rank 2.
    """
    g, V = np.linalg.eigh(U.T @ U)
    root = (V * np.sqrt(np.maximum(g, 0.0))) @ V.T
    return np.linalg.eigvalsh(root @ C @ root)


def hessian_structure(prob: Problem, x) -> HessianStructure:
    """Eigenvalues of the diagonal part, the rank-two part and the whole Hessian at x.

    Needs ``d <= DENSE_SPECTRUM_MAX_D`` (every eigenvalue is computed densely,
    O(n d^2 + d^3)).
    """
    check_problem(prob)
    x = prob.check_point(x)
    if prob.d > DENSE_SPECTRUM_MAX_D:
        raise ValueError(f"d must be at most DENSE_SPECTRUM_MAX_D = {DENSE_SPECTRUM_MAX_D} for "
                         f"the structure view (it compares all eigenvalues of three d × d "
                         f"matrices); received d = {prob.d}.")
    parts = prob.hessian_parts(x)
    diagonal = rows.gram(prob.A, parts.D)
    diagonal = np.linalg.eigvalsh(0.5 * (diagonal + diagonal.T))
    whole = np.linalg.eigvalsh(losses.hessian_from_parts(prob.A, parts))
    rank_two = rank_two_eigenvalues(parts.U, parts.C)
    # below 1e-12 of the scale of the matrices involved, r is rounding noise around zero
    noise = 1e-12 * max(np.abs(whole).max(), np.abs(diagonal).max(),
                        np.sum(parts.U**2) * np.linalg.norm(parts.C, 2))
    rank = int(np.sum(np.abs(rank_two) > noise))

    lower = np.concatenate([[-np.inf], diagonal[:-1]])
    upper = np.concatenate([diagonal[1:], [np.inf]])
    tol = BOUND_RTOL * max(np.abs(diagonal).max(), np.abs(whole).max(), np.abs(rank_two).max(),
                           np.finfo(float).tiny)
    interlacing = bool(np.all(lower - tol <= whole) and np.all(whole <= upper + tol))
    weyl = bool(np.all(diagonal + rank_two[0] - tol <= whole)
                and np.all(whole <= diagonal + rank_two[1] + tol))
    zero = zero_tolerance(prob.d, rounding_scale(prob.A, parts))  # rounding is not a finding
    n_diag, n_whole = int(np.sum(diagonal < -zero)), int(np.sum(whole < -zero))
    message = (f"The rank-two part has eigenvalues {number(rank_two[0], 3)} and "
               f"{number(rank_two[1], 3)} (rank {rank}); H has {n_whole} negative "
               f"eigenvalue{'' if n_whole == 1 else 's'}, its diagonal part {n_diag}; "
               f"interlacing {'holds' if interlacing else 'FAILS'}.")
    return HessianStructure(diagonal_part=diagonal, rank_two=rank_two, rank=rank, whole=whole,
                            interlacing_lower=lower, interlacing_upper=upper,
                            interlacing_holds=interlacing, weyl_holds=weyl,
                            n_negative_diagonal=n_diag, n_negative_whole=n_whole,
                            message=message, tolerance=zero)
