"""The paper's curvature conditions (MATH.md 4) checked at a point, beside the
measured numbers; ``theory_checks`` runs them all, with the Hessian-Lipschitz check of
``lipschitz.py``.

With ``H = A^T (B + diag(w o w)) A`` and B (n, n) of MATH.md 3:

    softmax:     -6 (1 + ||b||_inf) I <= B <= (7 + 6 ||b||_inf) I          (everywhere)
    any gamma:   B >= -K(x) I,  K(x) = ||q||_inf ||c||_inf + |<c,f>| ||q||_inf
                                       + 2 ||p|| ||c o p|| + 2 |<c,f>| ||p||^2
    w_i^2 >= level + l / sigma_min(A)^2  for all i   =>   H >= l I

The checks share one ``HessianContext`` (``context.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..linalg import BOUND_RTOL
from ..problem import Problem
from ..text import number
from ..validation import real_scalar
from .context import HessianContext
from .lipschitz import LipschitzCheck, lipschitz_check


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
        message=f"λₘᵢₙ(B) = {_shown(low, zero)} at x is {relation} −K(x) = "
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
    ell = real_scalar("strong_convexity", strong_convexity, low=0.0, low_open=True)
    b_inf = float(np.abs(context.prob.b).max())
    softmax = _regularisation(context, "softmax regularisation", "everywhere", ell,
                              6.0 * (1.0 + b_inf), applies=context.prob.gamma == 0)
    pointwise = _regularisation(context, "pointwise regularisation", "at x", ell,
                                context.pointwise_level, applies=True)
    return softmax, pointwise


def _regularisation(context: HessianContext, name: str, scope: str, ell: float, level: float,
                    *, applies: bool) -> RegularisationCheck:
    """One regularisation check; ``ell`` is the strong convexity l asked for."""
    sigma_min, sigma_max = context.singular_values
    smallest = context.hessian_smallest
    min_w2 = float(context.prob.w2.min())
    if np.isnan(sigma_min):
        required = np.nan
    else:
        required = level + ell / sigma_min**2 if sigma_min > 0 else np.inf
    holds = bool(min_w2 >= required * (1 - BOUND_RTOL)) if np.isfinite(required) else False
    gap = min_w2 - level
    implied = gap * sigma_min**2 if gap >= 0 else gap * sigma_max**2
    if np.isnan(required):
        verdict = "cannot be decided: σₘᵢₙ(A) is not computed for A this large"
    elif holds:
        verdict = f"is met, so ∇²L ⪰ {number(ell)} I {scope}"
    else:
        verdict = f"is not met, so ∇²L ⪰ {number(ell)} I {scope} is not guaranteed"
    message = (f"min wᵢ² = {number(min_w2)} against level + l/σₘᵢₙ² = {number(required)} "
               f"(level {number(level)}, σₘᵢₙ(A) = {number(sigma_min)}): the condition "
               f"{verdict}; measured λₘᵢₙ(H) = {number(smallest)}, implied bound "
               f"{number(implied)}.")
    if not applies:
        message += f" The softmax level is not a bound for γ = {number(context.prob.gamma)}."
    return RegularisationCheck(name=name, applies=applies, scope=scope, strong_convexity=ell,
                               level=level, sigma_min=sigma_min, sigma_max=sigma_max,
                               required_w2=required, min_w2=min_w2, implied_lower=implied,
                               hessian_smallest=smallest, holds=holds, message=message)


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
