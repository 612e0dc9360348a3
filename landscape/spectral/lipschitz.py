"""The Hessian-Lipschitz constant M: measured near a point beside the softmax bound
``||H(y) - H(y')|| <= (31 + 13 ||b||_2) ||A||_2^3 ||y - y'||`` (MATH.md 4), and the
paper's start condition for Newton's method, ``M ||x0 - x*|| <= 0.1 l`` ((l, M)-good
loss, MATH.md 8), which is about the same constant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..limits import DENSE_BASIN_MAX_D, DENSE_DIFFERENCE_MAX_D
from ..linalg import (
    ReadOnlyArrays,
    difference,
    extreme_eigenvalue,
    hessian_lipschitz_bound,
    spectral_norm,
    symmetric_norm,
)
from ..problem import PoleError, Problem
from ..text import number
from ..validation import positive_int, real_scalar, seed_value
from .context import HessianContext, hessian_at


def _softmax_bound(prob: Problem, norm_a: float) -> float:
    """``(31 + 13 ||b||_2) ||A||_2^3`` given ``norm_a = ||A||_2``; NaN for gamma > 0,
    where no x-independent bound exists (the loss has poles)."""
    return hessian_lipschitz_bound(prob.b, norm_a) if prob.gamma == 0 else np.nan


# -- measured near a point --------------------------------------------------------------------

@dataclass(frozen=True)
class LipschitzCheck(ReadOnlyArrays):
    """Empirical Hessian-Lipschitz constant near x beside the softmax bound.

    name : "Hessian-Lipschitz estimate".
    estimate : ``max ||H(y) - H(y')||_2 / ||y - y'||`` over the sampled pairs (a lower
        bound on the local Lipschitz constant).
    ratios : (m,) the ratio of each pair that lay off the pole set (NaN where Lanczos
        did not converge on the difference).
    bound : ``(31 + 13 ||b||_2) ||A||_2^3``, NaN for gamma > 0 (no x-independent bound).
    applies : gamma = 0.
    radius : both points of a pair lie within this distance of x.
    n_pairs, seed : the sampling; ``n_skipped`` pairs met the pole set.
    holds : ``estimate <= bound`` (False when there is no bound).
    message : one sentence with the numbers.
    """

    name: str
    estimate: float
    ratios: np.ndarray
    bound: float
    applies: bool
    radius: float
    n_pairs: int
    n_skipped: int
    seed: int
    holds: bool
    message: str
    within_rounding: bool = False  # an estimate against a bound, not rounded eigenvalues


def lipschitz_check(context: HessianContext, *, n_pairs: int = 16, radius: float | None = None,
                    seed: int = 0) -> LipschitzCheck:
    """Empirical Hessian-Lipschitz estimate near x beside the softmax bound.

    ``n_pairs`` pairs ``(y, y')``, each point ``x + r u`` with u uniform on the unit
    sphere and r uniform in [0, radius] (default ``1 / ||A||_2``, so that
    ``||A (y - x)|| <= 1``). ``||H(y) - H(y')||_2`` is dense while
    ``d <= DENSE_DIFFERENCE_MAX_D``, else Lanczos on the difference of two operators.
    """
    prob, x = context.prob, context.x
    n_pairs = positive_int("n_pairs", n_pairs)
    sigma_max = context.singular_values[1]
    if radius is None:
        radius = 1.0 / sigma_max if sigma_max > 0 else 1.0
    else:
        radius = real_scalar("radius", radius, low=0.0, low_open=True)
    rng = np.random.default_rng(seed_value("seed", seed))
    ratios, skipped = [], 0
    for _ in range(n_pairs):
        directions = rng.standard_normal((2, prob.d))
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        y = x + radius * rng.uniform(0.0, 1.0, (2, 1)) * directions
        distance = float(np.linalg.norm(y[0] - y[1]))
        try:
            first, second = (hessian_at(prob, point, DENSE_DIFFERENCE_MAX_D) for point in y)
        except PoleError:
            skipped += 1
            continue
        if distance > 0:
            ratios.append(symmetric_norm(difference(first, second), tol=1e-6) / distance)
    ratios = np.array(ratios)
    estimate = float(np.nanmax(ratios)) if np.isfinite(ratios).any() else np.nan
    softmax = prob.gamma == 0
    bound = _softmax_bound(prob, sigma_max)
    holds = bool(softmax and estimate <= bound)
    message = (f"largest ‖H(y) − H(y′)‖ / ‖y − y′‖ over {ratios.size} pairs within "
               f"{number(radius, 3)} of x is {number(estimate)}")
    if softmax:
        message += (f", {'below' if holds else 'ABOVE'} the bound (31 + 13‖b‖)‖A‖³ = "
                    f"{number(bound)}.")
    else:
        message += (f"; for γ = {number(prob.gamma)} no x-independent bound exists (the loss "
                    "has poles).")
    if skipped:
        message += f" {skipped} pairs met the pole set and were skipped."
    return LipschitzCheck(name="Hessian-Lipschitz estimate", estimate=estimate, ratios=ratios,
                          bound=bound, applies=softmax, radius=float(radius), n_pairs=n_pairs,
                          n_skipped=skipped, seed=int(seed), holds=holds, message=message)


# -- the basin condition ---------------------------------------------------------------------

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
    h_star = hessian_at(prob, x_star, DENSE_BASIN_MAX_D)
    smallest = extreme_eigenvalue(h_star, smallest=True)
    lipschitz = 0.0
    if distance > 0:
        on_segment = [x_star + (j / (samples // 2 or 1)) * (x0 - x_star)
                      for j in range(1, samples // 2 + 1)]
        directions = rng.standard_normal((samples - len(on_segment), prob.d))
        around = [x_star + distance * u / np.linalg.norm(u) for u in directions]
        for y in on_segment + around:
            try:
                diff = difference(hessian_at(prob, y, DENSE_BASIN_MAX_D), h_star)
            except PoleError:
                lipschitz = float("inf")
                break
            lipschitz = max(lipschitz, symmetric_norm(diff) / float(np.linalg.norm(y - x_star)))
    bound = _softmax_bound(prob, spectral_norm(prob.A))
    rhs = 0.1 * smallest
    return BasinCondition(holds=bool(smallest > 0 and lipschitz * distance <= rhs),
                          holds_bound=bool(smallest > 0 and bound * distance <= rhs),
                          distance=distance, strong_convexity=smallest,
                          hessian_lipschitz=lipschitz, lipschitz_bound=bound)
