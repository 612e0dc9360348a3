"""The pole-safe backtracking line search of the descent methods (MATH.md 5).

A trial ``x + t p`` is accepted when it decreases the loss enough (Armijo, up to
rounding) and the segment to it stays off the pole set of the unified loss. Along a
step ``A p`` is formed once, so every trial ``z = A x + t A p`` costs O(n).

The pole guard: ``alpha(x + t p)`` is convex in ``t``, so its tangent at ``t = 0``
bounds it from below. Where that bound keeps alpha above half its starting value the
segment is safe at no cost; otherwise a cutting-plane search with tangent lower
bounds decides, in a few O(n) evaluations, whether alpha comes within ``POLE_RTOL``
of the size of its terms on the segment. Such a step, or one whose end lies next to
the pole set, is halved and counted in ``pole_rejections``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import losses, rows
from ..problem import Problem
from ._messages import number
from .result import Status

EPS = np.finfo(np.float64).eps
#: sufficient decrease ``L(x + t p) <= L(x) + ARMIJO t g.p`` (Nocedal & Wright 3.1)
ARMIJO = 1e-4
#: trial points of one line search before it gives up
MAX_TRIALS = 60
#: next to the pole set intermediate products may overflow; every result is checked
NEAR_POLE = dict(over="ignore", invalid="ignore", divide="ignore")


@dataclass
class Point:
    """An iterate with everything a step needs: ``z = A x`` (n,), the scale-free
    vectors, the loss, the gradient (d,) and (for Newton-type methods) the Hessian
    parts of MATH.md 3."""

    x: np.ndarray
    z: np.ndarray
    scale_free: losses.ScaleFree
    loss: float
    grad: np.ndarray
    grad_norm: float
    parts: losses.HessianParts | None
    #: ``A^T diag(D) A`` (d, d) when it shared the gradient's pass over A
    gram: np.ndarray | None = None


def fit_loss(prob: Problem, scale_free: losses.ScaleFree, z: np.ndarray) -> float:
    """``L = 1/2 ‖c‖² + 1/2 ‖w ∘ z‖²`` from the scale-free vectors at z (n,)."""
    with np.errstate(**NEAR_POLE):
        fit = 0.5 * float(scale_free.c @ scale_free.c)
        # without regularisation (w = 0) no z o z is made: a vector of length n
        return fit + 0.5 * float(prob.w2 @ (z * z)) if prob.w2.any() else fit


def evaluate(prob: Problem, x: np.ndarray, z: np.ndarray, *, parts: bool, gram: bool = False,
             scale_free: losses.ScaleFree | None = None) -> Point | None:
    """Loss, gradient ``A^T (p ∘ c - <c, f> p + w ∘ w ∘ z)`` and optionally the
    Hessian parts at ``x`` (d,) with ``z = A x`` and, if known, its scale-free
    vectors ``scale_free``, from one pass back over A; None where alpha <= 0 or
    anything is not finite. With ``gram``, for an A not in memory (a pass costs a
    read of A), the Gram ``A^T diag(D) A`` comes from the same pass."""
    if scale_free is None:
        scale_free = losses.scale_free(z, prob.b, prob.gamma)
    if scale_free.alpha_sign <= 0:
        return None
    loss = fit_loss(prob, scale_free, z)
    with np.errstate(**NEAR_POLE):
        weights = losses.gradient_weights(scale_free, z, prob.w2)
        hess = shared = None
        if parts:
            D, s, g0 = losses.hessian_weights(scale_free, prob.b, prob.w2)
            if gram and not rows.in_memory(prob.A):
                shared, (a, t, grad) = rows.gram_and_stacked_product(
                    prob.A, D, scale_free.p, s, weights)
            else:
                a, t, grad = losses.transpose_products(prob.A, scale_free.p, s, weights)
            hess = losses.assemble_parts(D, g0, a, t)
            if not (np.all(np.isfinite(D)) and np.all(np.isfinite(hess.U)) and np.isfinite(g0)):
                return None
        else:
            grad = losses.transpose_products(prob.A, weights)[0]
        grad_norm = float(np.linalg.norm(grad))
    if not (np.isfinite(loss) and np.isfinite(grad_norm)):
        return None
    return Point(x=x, z=z, scale_free=scale_free, loss=loss, grad=grad, grad_norm=grad_norm,
                 parts=hess, gram=shared)


def rounding_allowance(point: Point) -> float:
    """How much two evaluations of L at nearby points can differ by rounding alone:
    ``8 eps (|L| + kappa ‖c‖ ‖f‖)``. ``f = u / alpha`` carries a relative error of
    about ``kappa eps`` (``kappa`` the condition number of alpha,
    ``ScaleFree.alpha_condition``; 1 for softmax), so ``c`` does, and
    ``L = 1/2 ‖c‖² + ...`` one of ``kappa eps ‖c‖ ‖f‖``."""
    kappa = point.scale_free.alpha_condition
    c, f = point.scale_free.c, point.scale_free.f
    size = abs(point.loss) + kappa * float(np.linalg.norm(c) * np.linalg.norm(f))
    return 8 * EPS * size


def segment_touches_pole(z: np.ndarray, dz: np.ndarray, gamma: float, T: float) -> bool:
    """Whether ``alpha(t) = <exp(z + t dz) + gamma (z + t dz), 1>`` comes within
    ``POLE_RTOL`` of the size of its terms, ``sum(exp(z_i) + gamma |z_i|)``, for some
    ``t`` in ``[0, T]`` (z, dz of shape (n,)).

    ``alpha`` is convex in ``t``: its tangents bound it from below, so a cutting-plane
    search on ``[0, T]`` settles the question in a few O(n) evaluations. All terms
    are scaled by ``exp(-K)`` with K the largest exponent on the segment (MATH.md 6).
    """
    end = z + T * dz
    k = max(float(z.max()), float(end.max()))
    big = gamma * max(float(np.abs(z).max()), float(np.abs(end).max()))
    if big > 0:
        k = max(k, float(np.log(big)))
    linear = gamma * np.exp(-k)
    sz, sdz = float(z.sum()), float(dz.sum())

    def alpha(t: float) -> tuple[float, float, float]:
        zt = z + t * dz
        e = np.exp(zt - k)
        total = float(e.sum())
        return (total + linear * (sz + t * sdz), float(e @ dz) + linear * sdz,
                losses.POLE_RTOL * (total + linear * float(np.abs(zt).sum())))

    lo = (0.0, *alpha(0.0))
    hi = (T, *alpha(T))
    if lo[1] <= lo[3] or hi[1] <= hi[3]:
        return True
    if lo[2] >= 0 or hi[2] <= 0:  # alpha is monotone on the segment
        return False
    for _ in range(60):
        (t0, v0, d0, thr0), (t1, v1, d1, thr1) = lo, hi
        tc = (v1 - v0 + d0 * t0 - d1 * t1) / (d0 - d1)  # where the two tangents meet
        if v0 + d0 * (tc - t0) > max(thr0, thr1):  # lower bound of alpha on [t0, t1]
            return False
        mid = (tc, *alpha(tc))
        if mid[1] <= mid[3]:
            return True
        if mid[2] < 0:
            lo = mid
        else:
            hi = mid
        if hi[0] - lo[0] <= 1e-13 * T:
            break
    return True  # undecided after the budget: be conservative


@dataclass
class Step:
    """Outcome of a line search: the accepted factor, ``z`` and the scale-free vectors
    and loss there, or (z None) a status with its message."""

    t: float
    z: np.ndarray | None
    scale_free: losses.ScaleFree | None
    loss: float
    pole_rejections: int
    status: Status | None = None
    message: str = ""


def line_search(prob: Problem, point: Point, p: np.ndarray, slope: float,
                t: float = 1.0) -> Step:
    """Backtracking from ``t``: the first trial with ``L(x + t p) <= L(x) + ARMIJO t
    slope + rounding_allowance`` whose segment stays off the pole set (``slope =
    g·p < 0``). Shrinks by the minimiser of the interpolating quadratic, kept within
    [0.1 t, 0.5 t]; by 0.1 where ``A (x + t p)`` overflows."""
    with np.errstate(over="ignore", invalid="ignore"):
        dz = rows.product(prob.A, p)
    allowance = rounding_allowance(point)
    # alpha'(0) / alpha(0) = <p_sf, dz> (p_sf = u'/alpha): by convexity alpha(t) >=
    # alpha(0) (1 + t <p_sf, dz>), so short steps need no search along the segment
    with np.errstate(over="ignore", invalid="ignore"):
        relative_slope = float(point.scale_free.p @ dz) if prob.gamma > 0 else 0.0
    overflows = rejections = failures = 0
    for _ in range(MAX_TRIALS):
        z = scale_free = None  # a rejected trial's vectors go before the next one's are made
        with np.errstate(over="ignore", invalid="ignore"):  # a huge trial step overflows
            z = point.z + t * dz
        if not np.all(np.isfinite(z)):
            overflows += 1
            t *= 0.1
            continue
        if (prob.gamma > 0 and t * relative_slope < -0.5
                and segment_touches_pole(point.z, dz, prob.gamma, t)):
            rejections += 1
            t *= 0.5
            continue
        scale_free = losses.scale_free(z, prob.b, prob.gamma)  # kept for the accepted point
        if prob.gamma > 0 and (scale_free.alpha_sign <= 0 or scale_free.near_pole):
            rejections += 1
            t *= 0.5
            continue
        value = fit_loss(prob, scale_free, z)
        if np.isfinite(value) and value <= point.loss + ARMIJO * t * slope + allowance:
            return Step(t=t, z=z, scale_free=scale_free, loss=value, pole_rejections=rejections)
        failures += 1
        shrink = 0.5
        excess = value - point.loss - slope * t
        if np.isfinite(value) and excess > 0:
            shrink = min(0.5, max(0.1, -slope * t / (2.0 * excess)))
        t *= shrink
    status, message = _no_step(t, slope, allowance, overflows, rejections, failures)
    return Step(t=t, z=None, scale_free=None, loss=np.nan, pole_rejections=rejections,
                status=status, message=message)


def _no_step(t: float, slope: float, allowance: float, overflows: int, rejections: int,
             failures: int) -> tuple[Status, str]:
    """Why ``MAX_TRIALS`` trials found no step: every evaluable one reached the pole
    set (POLE), none was evaluable (NON_FINITE), or the loss did not fall where the
    decrease expected, ``-t g·p``, is below rounding (STALLED; above it, the loss
    does not follow its slope: NOT_DESCENT)."""
    if failures == 0 and rejections:
        return Status.POLE, (f"every one of {MAX_TRIALS} shortenings of the step (down to "
                             f"t = {number(t, 3)}) still reached the pole set (α ≤ 0)"
                             + (f", or overflowed ({overflows} of them)." if overflows else "."))
    if failures == 0:
        return Status.NON_FINITE, (f"A (x + t p) overflowed for every one of {MAX_TRIALS} "
                                   f"trial steps (t down to {number(t, 3)}).")
    expected = -t * slope
    if expected <= allowance:
        return Status.STALLED, (f"the line search found no decrease of the loss in "
                                f"{MAX_TRIALS} trials (t down to {number(t, 3)}), where the "
                                f"decrease expected, −t·g·p = {number(expected, 3)}, is below "
                                f"the rounding allowance {number(allowance, 3)} of the loss.")
    return Status.NOT_DESCENT, (f"the loss did not fall in {MAX_TRIALS} trials (t down to "
                                f"{number(t, 3)}) although its slope g·p = {number(slope, 3)} "
                                f"promises {number(expected, 3)} there, above rounding "
                                f"({number(allowance, 3)}).")
