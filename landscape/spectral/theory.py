"""The paper's conditions (MATH.md 4) checked at a point, beside the measured numbers.

With ``H = A^T (B + diag(w o w)) A`` and B (n, n) of MATH.md 3:

    softmax:     -6 (1 + ||b||_inf) I <= B <= (7 + 6 ||b||_inf) I          (everywhere)
    any gamma:   B >= -K(x) I,  K(x) = ||q||_inf ||c||_inf + |<c,f>| ||q||_inf
                                       + 2 ||p|| ||c o p|| + 2 |<c,f>| ||p||^2
    w_i^2 >= level + l / sigma_min(A)^2  for all i   =>   H >= l I
    softmax:     ||H(y) - H(y')|| <= (31 + 13 ||b||_2) ||A||_2^3 ||y - y'||

``HessianContext`` holds what the checks share at one point, each part computed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.sparse.linalg import LinearOperator

from .. import losses
from ..limits import DENSE_B_MAX_N, DENSE_DIFFERENCE_MAX_D, DENSE_SPECTRUM_MAX_D
from ..linalg import (BOUND_RTOL, ReadOnlyArrays, difference, eigenvalue_range,
                      extreme_eigenvalue, hessian_lipschitz_bound, singular_value_range,
                      symmetric_norm, zero_tolerance)
from ..problem import PoleError, Problem
from ..text import number
from ..validation import positive_int, real_scalar, seed_value
from .eigenvalues import check_problem


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
        self.prob.hessian_parts(self.x)  # raises PoleError on (or next to) the pole set

    @cached_property
    def scale_free(self) -> losses.ScaleFree:
        """The scale-free vectors f, p, q, c at x (MATH.md 6)."""
        return losses.scale_free(self.prob.A @ self.x, self.prob.b, self.prob.gamma)

    @cached_property
    def pointwise_level(self) -> float:
        """``K(x)``, with ``B >= -K(x) I`` at x for every gamma."""
        sf = self.scale_free
        cf = abs(float(sf.c @ sf.f))
        q_inf = float(np.abs(sf.q).max())
        p_norm = float(np.linalg.norm(sf.p))
        return (q_inf * float(np.abs(sf.c).max()) + cf * q_inf
                + 2 * p_norm * float(np.linalg.norm(sf.c * sf.p)) + 2 * cf * p_norm**2)

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
        return extreme_eigenvalue(_hessian(self.prob, self.x, DENSE_SPECTRUM_MAX_D),
                                  smallest=True, tol=1e-10)


def _hessian(prob: Problem, x: np.ndarray, dense_max_d: int):
    """H at x: a dense array while ``d <= dense_max_d``, else an operator."""
    return prob.hessian(x) if prob.d <= dense_max_d else prob.hessian_operator(x)


def _shown(value: float, zero: float) -> str:
    """A measured value as text: "0" within rounding (``|value| <= zero``, which also
    turns -0.0 into 0), else 4 significant digits."""
    return "0" if abs(value) <= zero else number(value)


# -- curvature of B -------------------------------------------------------------------------

@dataclass(frozen=True)
class CurvatureBoundCheck:
    """A bound ``lower I <= B <= upper I`` beside B's measured extreme eigenvalues at x.

    name : "softmax global bound" or "pointwise bound K(x)".
    applies : the bound is a theorem for this problem (the global one: softmax only).
    lower, upper : the bound (``upper`` is inf for the pointwise bound).
    b_smallest, b_largest : measured ``lambda_min(B)``, ``lambda_max(B)`` at x.
    holds : the measured eigenvalues lie inside the bound, within rounding.
    message : one sentence with the numbers.
    within_rounding : they lie outside by no more than B's rounding errors.
    """

    name: str
    applies: bool
    lower: float
    upper: float
    b_smallest: float
    b_largest: float
    holds: bool
    message: str
    within_rounding: bool = False


def curvature_bound_checks(context: HessianContext) -> tuple[CurvatureBoundCheck, ...]:
    """The softmax global bound ``-6(1 + ||b||_inf) <= B <= 7 + 6 ||b||_inf`` and the
    pointwise bound ``B >= -K(x)``, each beside B's measured extremes."""
    prob = context.prob
    low, high, zero = context.b_range
    b_inf = float(np.abs(prob.b).max())
    lower, upper = -6.0 * (1.0 + b_inf), 7.0 + 6.0 * b_inf
    tol = max(BOUND_RTOL * max(abs(low), abs(high), upper), zero)
    holds = bool(lower - tol <= low and high <= upper + tol)
    softmax = prob.gamma == 0
    scope = "" if softmax else f" (a theorem for softmax only; here γ = {number(prob.gamma)})"
    rounding = (f" (0: within rounding, ±{number(zero, 2)})" if min(abs(low), abs(high)) <= zero
                else "")
    global_check = CurvatureBoundCheck(
        name="softmax global bound", applies=softmax, lower=lower, upper=upper,
        b_smallest=low, b_largest=high, holds=holds,
        within_rounding=holds and not (lower <= low and high <= upper),
        message=(f"B's eigenvalues at x lie in [{_shown(low, zero)}, {_shown(high, zero)}]"
                 f"{rounding}, {'inside' if holds else 'OUTSIDE'} the bound "
                 f"[{number(lower)}, {number(upper)}]{scope}."))
    level = context.pointwise_level
    tol = max(BOUND_RTOL * max(abs(low), level), zero)
    holds = bool(low >= -level - tol)
    if low >= -level:
        relation = "above"
    elif holds:
        relation = (f"equal, within rounding (|difference| ≤ {number(tol, 2)}, the size of B's "
                    "rounding errors), to")
    else:
        relation = "BELOW"
    pointwise = CurvatureBoundCheck(
        name="pointwise bound K(x)", applies=True, lower=-level, upper=np.inf,
        b_smallest=low, b_largest=high, holds=holds, within_rounding=holds and low < -level,
        message=f"λ_min(B) = {_shown(low, zero)} at x is {relation} −K(x) = "
                f"{_shown(-level, 0.0)}.")
    return global_check, pointwise


# -- regularisation ---------------------------------------------------------------------------

@dataclass(frozen=True)
class RegularisationCheck:
    """The condition ``w_i^2 >= level + l / sigma_min(A)^2`` for all i, which gives
    ``hess L >= l I`` (everywhere for the softmax level, at x for K(x)).

    Whatever the weights, ``B + W^2 >= diag(w^2) - level I`` gives

        lambda_min(H) >= sigma_min(A)^2 (min w^2 - level)   if min w^2 >= level
                         sigma_max(A)^2 (min w^2 - level)   otherwise

    reported as ``implied_lower`` beside the measured ``hessian_smallest``.

    name : "softmax regularisation" or "pointwise regularisation".
    applies : the level is a valid bound for this problem (softmax level: gamma = 0).
    scope : "everywhere" or "at x".
    strong_convexity : the l asked for.
    level : ``6 (1 + ||b||_inf)`` or ``K(x)``.
    sigma_min, sigma_max : extreme singular values of A (``sigma_min = 0`` when n < d;
        NaN where not computed, see ``linalg.singular_value_range``).
    required_w2 : ``level + l / sigma_min^2`` (inf when sigma_min = 0).
    min_w2 : ``min_i w_i^2``.
    implied_lower : the lower bound on ``lambda_min(H)`` above.
    hessian_smallest : measured ``lambda_min(H)`` at x.
    holds : ``min_w2 >= required_w2`` (the condition is met).
    message : one sentence with the numbers.
    """

    name: str
    applies: bool
    scope: str
    strong_convexity: float
    level: float
    sigma_min: float
    sigma_max: float
    required_w2: float
    min_w2: float
    implied_lower: float
    hessian_smallest: float
    holds: bool
    message: str
    within_rounding: bool = False  # a condition on w, not on rounded eigenvalues


def regularisation_checks(context: HessianContext, strong_convexity: float = 1.0,
                          ) -> tuple[RegularisationCheck, RegularisationCheck]:
    """The softmax condition ``w_i^2 >= 6(1 + ||b||_inf) + l/sigma_min^2`` (``H >= l I``
    everywhere) and the pointwise one ``w_i^2 >= K(x) + l/sigma_min^2`` (at x);
    ``l = strong_convexity > 0``."""
    l = real_scalar("strong_convexity", strong_convexity, low=0.0, low_open=True)
    b_inf = float(np.abs(context.prob.b).max())
    softmax = _regularisation(context, "softmax regularisation", "everywhere", l,
                              6.0 * (1.0 + b_inf), applies=context.prob.gamma == 0)
    pointwise = _regularisation(context, "pointwise regularisation", "at x", l,
                                context.pointwise_level, applies=True)
    return softmax, pointwise


def _regularisation(context: HessianContext, name: str, scope: str, l: float, level: float, *,
                    applies: bool) -> RegularisationCheck:
    sigma_min, sigma_max = context.singular_values
    smallest = context.hessian_smallest
    min_w2 = float(context.prob.w2.min())
    if np.isnan(sigma_min):
        required = np.nan
    else:
        required = level + l / sigma_min**2 if sigma_min > 0 else np.inf
    holds = bool(min_w2 >= required * (1 - BOUND_RTOL)) if np.isfinite(required) else False
    gap = min_w2 - level
    implied = gap * sigma_min**2 if gap >= 0 else gap * sigma_max**2
    if np.isnan(required):
        verdict = "cannot be decided: σ_min(A) is not computed for A this large"
    elif holds:
        verdict = f"is met, so ∇²L ⪰ {number(l)} I {scope}"
    else:
        verdict = f"is not met, so ∇²L ⪰ {number(l)} I {scope} is not guaranteed"
    message = (f"min wᵢ² = {number(min_w2)} against level + l/σ_min² = {number(required)} "
               f"(level {number(level)}, σ_min(A) = {number(sigma_min)}): the condition "
               f"{verdict}; measured λ_min(H) = {number(smallest)}, implied bound "
               f"{number(implied)}.")
    if not applies:
        message += f" The softmax level is not a bound for γ = {number(context.prob.gamma)}."
    return RegularisationCheck(name=name, applies=applies, scope=scope, strong_convexity=l,
                               level=level, sigma_min=sigma_min, sigma_max=sigma_max,
                               required_w2=required, min_w2=min_w2, implied_lower=implied,
                               hessian_smallest=smallest, holds=holds, message=message)


# -- Hessian-Lipschitz ------------------------------------------------------------------------

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
            first, second = (_hessian(prob, point, DENSE_DIFFERENCE_MAX_D) for point in y)
        except PoleError:
            skipped += 1
            continue
        if distance > 0:
            ratios.append(symmetric_norm(difference(first, second), tol=1e-6) / distance)
    ratios = np.array(ratios)
    estimate = float(np.nanmax(ratios)) if np.isfinite(ratios).any() else np.nan
    softmax = prob.gamma == 0
    bound = hessian_lipschitz_bound(prob.b, sigma_max) if softmax else np.nan
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


# -- all of them ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TheoryChecks:
    """The checks of MATH.md 4 at one point. Each has ``name``, ``applies``, ``holds``
    and a one-sentence ``message`` beside its numbers."""

    softmax_bound: CurvatureBoundCheck
    pointwise_bound: CurvatureBoundCheck
    softmax_regularisation: RegularisationCheck
    pointwise_regularisation: RegularisationCheck
    lipschitz: LipschitzCheck

    def all(self) -> tuple:
        """The five checks in order."""
        return (self.softmax_bound, self.pointwise_bound, self.softmax_regularisation,
                self.pointwise_regularisation, self.lipschitz)


def theory_checks(prob: Problem, x, *, strong_convexity: float = 1.0, n_pairs: int = 16,
                  radius: float | None = None, seed: int = 0) -> TheoryChecks:
    """Every check of MATH.md 4 at x, sharing one ``HessianContext``."""
    context = HessianContext(prob, x)
    # the two checks with settings first: bad settings are refused before B is diagonalised
    softmax_reg, pointwise_reg = regularisation_checks(context, strong_convexity)
    lipschitz = lipschitz_check(context, n_pairs=n_pairs, radius=radius, seed=seed)
    softmax_bound, pointwise_bound = curvature_bound_checks(context)
    return TheoryChecks(softmax_bound=softmax_bound, pointwise_bound=pointwise_bound,
                        softmax_regularisation=softmax_reg,
                        pointwise_regularisation=pointwise_reg, lipschitz=lipschitz)
