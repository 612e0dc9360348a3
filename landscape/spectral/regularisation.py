"""The smallest eigenvalue of the Hessian as a constant regularisation weight grows.

With every ``w_i = w`` the regulariser ``1/2 ||w A x||^2`` adds ``w^2 A^T A`` to the
Hessian (MATH.md 1, 3):

    H(x; w) = H(x; 0) + w^2 A^T A,    lambda_min(H(x; w)) non-decreasing in w

so the sweep shows where it crosses zero at x, beside the paper's sufficient level
(``theory.regularisation_checks``), which holds for every x at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..linalg import ReadOnlyArrays
from ..problem import Problem, check_problem
from .eigenvalues import spectrum


@dataclass(frozen=True)
class RegularisationSweep(ReadOnlyArrays):
    """weights (m,): the constant weights w; smallest (m,): ``lambda_min(H(x; w))`` of
    the problem with every ``w_i = w`` (its own weights replaced); tolerance (m,):
    each spectrum's rounding tolerance (within it an eigenvalue is zero)."""

    weights: np.ndarray
    smallest: np.ndarray
    tolerance: np.ndarray

    @property
    def first_positive(self) -> float:
        """The smallest swept w with ``lambda_min`` above rounding (NaN if none)."""
        above = np.flatnonzero(self.smallest > self.tolerance)
        return float(self.weights[above[0]]) if above.size else float("nan")


def regularisation_sweep(prob: Problem, x, weights) -> RegularisationSweep:
    """``lambda_min`` of the Hessian at x (d,) for each constant weight in ``weights``
    (m,), each from the spectrum of the problem with that weight: O(m (n d^2 + d^3))."""
    check_problem(prob)
    x = prob.check_point(x)
    ws = np.asarray(weights, dtype=np.float64)
    if ws.ndim != 1 or not np.all(np.isfinite(ws)) or np.any(ws < 0):
        raise ValueError("weights must be a 1-D array of finite numbers >= 0.")
    smallest, tolerance = [], []
    for w in ws:
        weighted = Problem(prob.A, prob.b, kind=prob.kind, gamma=prob.gamma,
                           w=float(w) if w > 0 else None)
        eig = spectrum(weighted, x)
        smallest.append(eig.smallest)
        tolerance.append(eig.tolerance)
    return RegularisationSweep(ws.copy(), np.array(smallest), np.array(tolerance))
