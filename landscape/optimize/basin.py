"""The paper's start condition for Newton's method, ``M ‖x0 - x*‖ <= 0.1 l``
((l, M)-good loss, MATH.md 8), measured on a problem."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
from scipy.sparse.linalg import LinearOperator, eigsh

from ..problem import PoleError, Problem
from ..validation import positive_int, seed_value
from ._bounds import hessian_lipschitz_bound

__all__ = ["BasinCondition", "basin_condition"]

#: above this d, Hessians stay operators and eigenvalues come from Lanczos
DENSE_BASIN_MAX_D = 1000


@dataclass(frozen=True)
class BasinCondition:
    """The paper's start condition ``M ‖x0 - x*‖ <= 0.1 l`` ((l, M)-good loss).

    ``strong_convexity`` is the paper's l, the smallest eigenvalue of
    ``hess L(x*)``; ``hessian_lipschitz`` its M, measured as the largest
    ``‖hess L(y) - hess L(x*)‖₂ / ‖y - x*‖`` over points y on the segment to x0
    and in random directions at the same distance; ``lipschitz_bound`` the softmax
    bound ``(31 + 13 ‖b‖₂) ‖A‖₂³`` of MATH.md 4 (NaN for gamma > 0, where no
    such bound exists). ``holds`` uses the measured M, ``holds_bound`` the bound.
    """

    holds: bool
    holds_bound: bool
    distance: float
    strong_convexity: float
    hessian_lipschitz: float
    lipschitz_bound: float


def basin_condition(prob: Problem, x0, x_star, *, samples: int = 8,
                    seed: int = 0) -> BasinCondition:
    """Whether ``x0`` (d,) satisfies ``M ‖x0 - x*‖ <= 0.1 l`` around the minimiser
    ``x_star`` (d,).

    ``samples`` Hessians are compared with ``hess L(x*)`` (half on the segment from x*
    to x0, half at the same distance in seeded random directions); each costs
    O(n d²) (O(nnz(A)) per product through Lanczos above ``DENSE_BASIN_MAX_D``).
    """
    x0 = prob.check_point(x0, "x0")
    x_star = prob.check_point(x_star, "x_star")
    samples = positive_int("samples", samples)
    rng = np.random.default_rng(seed_value("seed", seed))
    distance = float(np.linalg.norm(x0 - x_star))
    h_star = hessian_at(prob, x_star)
    smallest = _extreme_eigenvalue(h_star, prob.d, which="SA")
    lipschitz = 0.0
    if distance > 0:
        on_segment = [x_star + (j / (samples // 2 or 1)) * (x0 - x_star)
                      for j in range(1, samples // 2 + 1)]
        directions = rng.standard_normal((samples - len(on_segment), prob.d))
        around = [x_star + distance * u / np.linalg.norm(u) for u in directions]
        for y in on_segment + around:
            try:
                diff = _difference(hessian_at(prob, y), h_star)
            except PoleError:
                lipschitz = float("inf")
                break
            norm = abs(_extreme_eigenvalue(diff, prob.d, which="LM"))
            lipschitz = max(lipschitz, norm / float(np.linalg.norm(y - x_star)))
    bound = hessian_lipschitz_bound(prob)
    rhs = 0.1 * smallest
    return BasinCondition(holds=bool(smallest > 0 and lipschitz * distance <= rhs),
                          holds_bound=bool(smallest > 0 and bound * distance <= rhs),
                          distance=distance, strong_convexity=smallest,
                          hessian_lipschitz=lipschitz, lipschitz_bound=bound)


def hessian_at(prob: Problem, x):
    """``hess L(x)``: a dense (d, d) array up to ``DENSE_BASIN_MAX_D``, else a
    ``LinearOperator``."""
    if prob.d <= DENSE_BASIN_MAX_D:
        return prob.hessian(x)
    return prob.hessian_operator(x)


def _difference(h1, h2):
    # TODO(lead): use landscape.linalg.difference
    if isinstance(h1, np.ndarray):
        return h1 - h2
    return LinearOperator(h1.shape, matvec=lambda v: h1 @ v - h2 @ v, dtype=np.float64)


def _extreme_eigenvalue(h, d: int, *, which: str) -> float:
    """The smallest ("SA") or largest-magnitude ("LM") eigenvalue of a symmetric h."""
    # TODO(lead): use landscape.linalg.extreme_eigenvalue / symmetric_norm
    if isinstance(h, np.ndarray):
        lam = sla.eigh(h, eigvals_only=True, check_finite=False)
        return float(lam[0] if which == "SA" else max(lam[0], lam[-1], key=abs))
    return float(eigsh(h, k=1, which=which, v0=np.ones(d), return_eigenvectors=False)[0])
