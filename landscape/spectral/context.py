"""What the checks at one point x share: ``HessianContext``, each part computed once,
and the Hessian at a point as a dense array or an operator, by size.

The parts: the scale-free vectors f, p, q, c (MATH.md 6), the pointwise level K(x)
with ``B >= -K(x) I``, the extreme eigenvalues of B (n, n) of MATH.md 3, A's extreme
singular values and ``lambda_min(H)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.sparse.linalg import LinearOperator

from .. import losses
from ..limits import DENSE_B_MAX_N, DENSE_SPECTRUM_MAX_D
from ..linalg import eigenvalue_range, extreme_eigenvalue, singular_value_range, zero_tolerance
from ..problem import Problem, check_problem


@dataclass(frozen=True)
class HessianContext:
    """What the checks at a point x share; each part is computed when first asked for.

    Building it checks ``prob`` and x and raises ``PoleError`` where H does not exist.
    """

    prob: Problem
    x: np.ndarray

    def __post_init__(self) -> None:
        check_problem(self.prob)
        object.__setattr__(self, "x", self.prob.check_point(self.x))
        # raises PoleError on the pole set, or where H overflows next to it; a point whose
        # normaliser is a cancellation (``evaluate(x).near_pole``) is not refused: its
        # numbers carry relative errors of about κε (``alpha_condition``)
        self.prob.hessian_parts(self.x)

    @cached_property
    def scale_free(self) -> losses.ScaleFree:
        """The scale-free vectors f, p, q, c at x (MATH.md 6)."""
        return losses.scale_free(self.prob.forward(self.x), self.prob.b, self.prob.gamma)

    @cached_property
    def pointwise_level(self) -> float:
        """``K(x)``, with ``B >= -K(x) I`` at x for every gamma."""
        f, p, q, c = (self.scale_free.f, self.scale_free.p, self.scale_free.q,
                      self.scale_free.c)
        c_dot_f = abs(float(c @ f))
        q_inf = float(np.abs(q).max())
        p_norm = float(np.linalg.norm(p))
        return (q_inf * float(np.abs(c).max()) + c_dot_f * q_inf
                + 2 * p_norm * float(np.linalg.norm(c * p)) + 2 * c_dot_f * p_norm**2)

    @cached_property
    def b_range(self) -> tuple[float, float, float]:
        """``(lambda_min(B), lambda_max(B), zero)`` of ``B = diag(B_diag) + P C P^T``,
        ``P = [p, s]`` (n, 2): dense while ``n <= DENSE_B_MAX_N``, else Lanczos on B as
        an O(n) operator; ``zero`` is the rounding tolerance of B's eigenvalues."""
        n = self.prob.n
        b_diag, s, g0 = losses.hessian_weights(self.scale_free, self.prob.b, np.zeros(n))
        P = np.column_stack([self.scale_free.p, s])
        C = np.array([[g0, -1.0], [-1.0, 0.0]])
        zero = zero_tolerance(n, float(np.abs(b_diag).max() + np.sum(P**2) * np.linalg.norm(C, 2)))
        if n <= DENSE_B_MAX_N:
            B = P @ C @ P.T
            B[np.diag_indices(n)] += b_diag
            B = 0.5 * (B + B.T)
        else:
            B = LinearOperator((n, n), dtype=np.float64,
                               matvec=lambda v: b_diag * v.ravel() + P @ (C @ (P.T @ v.ravel())))
        return (*eigenvalue_range(B, tol=1e-12), zero)

    @cached_property
    def singular_values(self) -> tuple[float, float]:
        """``(sigma_min(A), sigma_max(A))`` (``linalg.singular_value_range``)."""
        return singular_value_range(self.prob.A)

    @cached_property
    def hessian_smallest(self) -> float:
        """``lambda_min(H)`` at x: dense while ``d <= DENSE_SPECTRUM_MAX_D``, else Lanczos."""
        return extreme_eigenvalue(hessian_at(self.prob, self.x, DENSE_SPECTRUM_MAX_D),
                                  smallest=True, tol=1e-10)



def hessian_at(prob: Problem, x: np.ndarray, dense_max_d: int):
    """H at x: a dense (d, d) array while ``d <= dense_max_d``, else a ``LinearOperator``
    (products only, O(nnz(A)) each)."""
    return prob.hessian(x) if prob.d <= dense_max_d else prob.hessian_operator(x)
