"""Line-search descent methods: exact Newton, the approximate Newton method of
MATH.md 8, gradient descent and Newton-CG, sharing one pole-safe line search.

Every method iterates ``x_{k+1} = x_k + t_k p_k`` with a direction ``p_k`` and a
backtracking (Armijo) factor ``t_k``; the full step ``t = 1`` is tried first, so in
the basin Newton and approximate Newton take exactly the steps of the paper. The
evaluations share passes over A: at an accepted point one product ``A^T [p, s, r]``
gives the gradient and the rank-two factors together; along a step, ``A p`` is
formed once and every trial ``z = A x + t A p`` costs O(n).

The pole guard (unified loss, MATH.md 5): ``alpha(x + t p)`` is convex in ``t``, so
its tangent at ``t = 0`` bounds it from below. Where that bound keeps alpha above half
its starting value the segment is safe at no cost; otherwise a cutting-plane search
with tangent lower bounds decides, in a few O(n) evaluations, whether alpha reaches
zero on the segment. A step whose segment touches the pole set, or whose end lies
next to it, is halved and counted in ``pole_rejections``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.linalg as sla

from . import _sampling, losses
from ._trajectory import Recorder, Status, Trajectory
from .problem import Problem

EPS = np.finfo(np.float64).eps
#: sufficient decrease ``L(x + t p) <= L(x) + ARMIJO t grad.p`` (Nocedal & Wright 3.1)
ARMIJO = 1e-4
#: trial points of one line search before it gives up
MAX_TRIALS = 60
#: a modified Hessian's smallest eigenvalue is at least this times its largest |eigenvalue|
SHIFT_FLOOR = 1e-8
#: next to the pole set intermediate products may overflow; every result is checked
_NEAR_POLE = dict(over="ignore", invalid="ignore", divide="ignore")


@dataclass
class Point:
    """An iterate with everything a step needs: ``z = A x``, the scale-free vectors,
    loss, gradient and (for Newton-type methods) the Hessian parts."""

    x: np.ndarray
    z: np.ndarray
    sf: losses.ScaleFree
    loss: float
    grad: np.ndarray
    grad_norm: float
    parts: losses.HessianParts | None


def fit_loss(prob: Problem, sf: losses.ScaleFree, z: np.ndarray) -> float:
    """``L = 1/2 ||c||^2 + 1/2 ||w o z||^2`` from the scale-free vectors at z."""
    with np.errstate(**_NEAR_POLE):
        return 0.5 * float(sf.c @ sf.c) + 0.5 * float(prob.w2 @ (z * z))


def evaluate(prob: Problem, x: np.ndarray, z: np.ndarray, *, parts: bool,
             sf: losses.ScaleFree | None = None) -> Point | None:
    """Loss, gradient and optionally the Hessian parts at ``x`` (with ``z = A x`` and,
    if known, its scale-free vectors ``sf``), from one pass back over A; None where
    alpha <= 0 or anything is not finite."""
    if sf is None:
        sf = losses.scale_free(z, prob.b, prob.gamma)
    if sf.alpha_sign <= 0:
        return None
    loss = fit_loss(prob, sf, z)
    with np.errstate(**_NEAR_POLE):
        weights = losses.gradient_weights(sf, z, prob.w2)
        hess = None
        if parts:
            D, s, g0 = losses.hessian_weights(sf, prob.b, prob.w2)
            a, t, grad = losses.back(prob.A, sf.p, s, weights)
            hess = losses.parts_from(D, g0, a, t)
            if not (np.all(np.isfinite(D)) and np.all(np.isfinite(hess.U)) and np.isfinite(g0)):
                return None
        else:
            grad = losses.back(prob.A, weights)[0]
        grad_norm = float(np.linalg.norm(grad))
    if not (np.isfinite(loss) and np.isfinite(grad_norm)):
        return None
    return Point(x=x, z=z, sf=sf, loss=loss, grad=grad, grad_norm=grad_norm, parts=hess)


# -- the pole guard --------------------------------------------------------------------

def segment_touches_pole(z: np.ndarray, dz: np.ndarray, gamma: float, T: float) -> bool:
    """Whether ``alpha(t) = <exp(z + t dz) + gamma (z + t dz), 1>`` comes within
    ``POLE_RTOL`` of the size of its terms for some ``t`` in ``[0, T]``.

    ``alpha`` is convex in ``t``: its tangents bound it from below, so a cutting-plane
    search on ``[0, T]`` settles the question in a few O(n) evaluations. All terms
    are scaled by ``exp(-K)`` with K the largest exponent on the segment (MATH.md 6).
    """
    end = z + T * dz
    k = max(float(z.max()), float(end.max()))
    big = gamma * max(float(np.abs(z).max()), float(np.abs(end).max()))
    if big > 0:
        k = max(k, float(np.log(big)))
    lin = gamma * np.exp(-k)
    sz, sdz = float(z.sum()), float(dz.sum())

    def alpha(t: float) -> tuple[float, float, float]:
        zt = z + t * dz
        e = np.exp(zt - k)
        total = float(e.sum())
        return (total + lin * (sz + t * sdz), float(e @ dz) + lin * sdz,
                losses.POLE_RTOL * (total + lin * float(np.abs(zt).sum())))

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


# -- the line search -----------------------------------------------------------------

@dataclass
class Step:
    """Outcome of a line search: the accepted factor and the loss there, or a status."""

    t: float
    z: np.ndarray | None
    sf: losses.ScaleFree | None
    loss: float
    pole_rejections: int
    status: Status | None = None
    message: str = ""


def rounding_allowance(point: Point) -> float:
    """How much two evaluations of L at nearby points can differ by rounding alone:
    ``c`` carries errors of a few ulps of ``f``, so ``L`` does of ``||c|| ||f||``."""
    size = abs(point.loss) + float(np.linalg.norm(point.sf.c) * np.linalg.norm(point.sf.f))
    return 8 * EPS * size


def line_search(prob: Problem, point: Point, p: np.ndarray, slope: float,
                t: float = 1.0) -> Step:
    """Backtracking from ``t``: the first trial with ``L(x + t p) <= L(x) + ARMIJO t slope``
    (up to rounding) whose segment stays off the pole set. Shrinks by the minimiser of
    the interpolating quadratic, kept within [0.1 t, 0.5 t]."""
    with np.errstate(over="ignore", invalid="ignore"):
        dz = prob.A @ p
    allowance = rounding_allowance(point)
    # alpha'(0) / alpha(0) = <p_sf, dz> (p_sf = u'/alpha): by convexity alpha(t) >=
    # alpha(0) (1 + t <p_sf, dz>), so short steps need no search along the segment
    with np.errstate(over="ignore", invalid="ignore"):
        relative_slope = float(point.sf.p @ dz) if prob.gamma > 0 else 0.0
    rejections = 0
    for _ in range(MAX_TRIALS):
        with np.errstate(over="ignore", invalid="ignore"):  # a huge trial step overflows
            z = point.z + t * dz
        if not np.all(np.isfinite(z)):
            t *= 0.1
            continue
        if (prob.gamma > 0 and t * relative_slope < -0.5
                and segment_touches_pole(point.z, dz, prob.gamma, t)):
            rejections += 1
            t *= 0.5
            continue
        sf = losses.scale_free(z, prob.b, prob.gamma)  # kept for the accepted point
        if prob.gamma > 0 and (sf.alpha_sign <= 0 or sf.near_pole):
            rejections += 1
            t *= 0.5
            continue
        value = fit_loss(prob, sf, z)
        if np.isfinite(value) and value <= point.loss + ARMIJO * t * slope + allowance:
            return Step(t=t, z=z, sf=sf, loss=value, pole_rejections=rejections)
        shrink = 0.5
        excess = value - point.loss - slope * t
        if np.isfinite(value) and excess > 0:
            shrink = min(0.5, max(0.1, -slope * t / (2.0 * excess)))
        t *= shrink
    if rejections == MAX_TRIALS:
        return Step(t=t, z=None, sf=None, loss=np.nan, pole_rejections=rejections,
                    status=Status.POLE,
                    message=f"every one of {MAX_TRIALS} shortenings of the step (down to "
                            f"t = {t:.3g}) still touched the pole set (alpha <= 0).")
    return Step(t=t, z=None, sf=None, loss=np.nan, pole_rejections=rejections,
                status=Status.STALLED,
                message=f"the line search found no decrease of the loss in {MAX_TRIALS} "
                        f"trials (t down to {t:.3g}); the loss is flat to rounding along the "
                        "step.")


# -- directions --------------------------------------------------------------------------

def newton_direction(H: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, float] | None:
    """``p = -(H + tau I)^{-1} g`` with ``tau = 0`` when the Cholesky factorisation of
    H succeeds and gives a descent direction; otherwise ``tau`` lifts the smallest
    eigenvalue to ``max(|lambda_min|, SHIFT_FLOOR |lambda|_max)`` (doubling while the
    factorisation still fails). None if no shift helps (non-finite H)."""
    d = H.shape[0]
    try:
        p = -sla.cho_solve(sla.cho_factor(H, check_finite=False), g, check_finite=False)
        if np.all(np.isfinite(p)) and g @ p < 0:
            return p, 0.0
    except np.linalg.LinAlgError:
        pass
    if not np.all(np.isfinite(H)):
        return None
    lam = sla.eigh(H, eigvals_only=True, check_finite=False)
    top = max(abs(lam[0]), abs(lam[-1]), np.finfo(float).tiny)
    tau = -lam[0] + max(abs(lam[0]), SHIFT_FLOOR * top) if lam[0] < 0 else SHIFT_FLOOR * top
    for _ in range(20):
        try:
            p = -sla.cho_solve(sla.cho_factor(H + tau * np.eye(d), check_finite=False), g,
                               check_finite=False)
            if np.all(np.isfinite(p)) and g @ p < 0:
                return p, float(tau)
        except np.linalg.LinAlgError:
            pass
        tau *= 2.0
    return None


def truncated_cg(matvec: Callable[[np.ndarray], np.ndarray], g: np.ndarray, rtol: float,
                 max_iter: int) -> tuple[np.ndarray, int]:
    """Approximate ``H p = -g`` by conjugate gradients from ``p = 0``, stopped when the
    residual is below ``rtol ||g||``, at ``max_iter``, or on a direction of
    non-positive curvature: then the last iterate, or on the first iteration ``-g``
    scaled by ``||g||^2 / |g^T H g|`` (the step at which the curvature term matches
    the linear decrease; the line search shortens it), with ``|g^T H g|`` kept above
    ``SHIFT_FLOOR ||g|| ||H g||``. Returns ``(p, iterations)``; p is a descent
    direction."""
    p = np.zeros_like(g)
    r = g.copy()  # residual H p + g
    direction = -r
    rr = float(r @ r)
    stop = rtol * np.sqrt(rr)
    for i in range(max_iter):
        hd = matvec(direction)
        curvature = float(direction @ hd)
        if not curvature > 0:
            if i > 0:
                return p, i + 1
            floor = SHIFT_FLOOR * np.sqrt(rr) * float(np.linalg.norm(hd))
            scale = rr / max(abs(curvature), floor) if max(abs(curvature), floor) > 0 else 1.0
            return -scale * g, 1
        step = rr / curvature
        p += step * direction
        r += step * hd
        rr_new = float(r @ r)
        if np.sqrt(rr_new) <= stop:
            return p, i + 1
        direction = -r + (rr_new / rr) * direction
        rr = rr_new
    return p, max_iter


# -- the shared loop ----------------------------------------------------------------

@dataclass
class Direction:
    """A search direction, the first trial factor and the facts to record with it."""

    p: np.ndarray | None
    t0: float = 1.0
    facts: dict | None = None
    status: Status | None = None
    message: str = ""


def run(prob: Problem, x0: np.ndarray, rec: Recorder, *, tol: float, max_iter: int,
        parts: bool, direction: Callable[[Point], Direction],
        accepted: Callable[[Step], None] | None = None) -> Trajectory:
    """Iterate ``x <- x + t p`` until ``||grad|| <= tol ||grad(x0)||``, recording every
    iterate; every other ending is a status with a message."""
    point = evaluate(prob, x0, prob.A @ x0, parts=parts)
    if point is None:
        return rec.finish(Status.NON_FINITE, "the loss or its derivatives are not finite at x0.")
    _record(rec, point)
    target = tol * point.grad_norm
    if point.grad_norm <= target:
        return rec.finish(Status.CONVERGED, "x0 is stationary: the gradient is exactly zero.")
    for k in range(1, max_iter + 1):
        d = direction(point)
        if d.p is None:
            return rec.finish(d.status, f"step {k}: {d.message}")
        slope = float(point.grad @ d.p)
        if not slope < 0:
            return rec.finish(Status.NOT_DESCENT,
                              f"step {k}: the direction is not a descent direction "
                              f"(grad . p = {slope:.3g} >= 0).")
        step = line_search(prob, point, d.p, slope, d.t0)
        if step.status is not None:
            return rec.finish(step.status, f"step {k}: {step.message}")
        if accepted is not None:
            accepted(step)
        new = evaluate(prob, point.x + step.t * d.p, step.z, parts=parts, sf=step.sf)
        if new is None:
            return rec.finish(Status.NON_FINITE,
                              f"step {k}: the gradient overflows at the new point (next to "
                              "the pole set, where it grows like alpha^-3).")
        _record(rec, new)
        rec.step(step_size=step.t, pole_rejections=step.pole_rejections, **(d.facts or {}))
        if new.grad_norm <= target:
            return rec.finish(Status.CONVERGED,
                              f"converged in {k} steps: ||grad|| = {new.grad_norm:.3g} <= "
                              f"tol * ||grad(x0)|| = {target:.3g}.")
        if step.loss >= point.loss and new.grad_norm >= point.grad_norm:
            return rec.finish(Status.STALLED,
                              f"step {k} decreased neither the loss (beyond rounding) nor the "
                              f"gradient norm ({new.grad_norm:.3g}, target {target:.3g}): "
                              "the tolerance is below what float64 resolves here.")
        point = new
    return rec.finish(Status.MAX_ITER,
                      f"stopped at max_iter = {max_iter} steps: ||grad|| = "
                      f"{point.grad_norm:.3g} > tol * ||grad(x0)|| = {target:.3g}.")


def _record(rec: Recorder, point: Point) -> None:
    rec.point(point.x, point.loss, point.grad_norm, point.sf.alpha_sign,
              point.sf.log_abs_alpha)


# -- the methods ----------------------------------------------------------------------

def newton(prob: Problem, x0: np.ndarray, rec: Recorder, *, tol: float,
           max_iter: int) -> Trajectory:
    """Exact Newton: ``(H + tau I) p = -g`` by Cholesky (``tau = 0`` whenever H is
    positive definite), then the pole-safe backtracking line search from t = 1."""

    def direction(point: Point) -> Direction:
        with np.errstate(**_NEAR_POLE):
            H = losses.hessian_from_parts(prob.A, point.parts)
        solved = newton_direction(H, point.grad)
        if solved is None:
            return _indefinite()
        return Direction(solved[0], facts=dict(shift=solved[1]))

    return run(prob, x0, rec, tol=tol, max_iter=max_iter, parts=True, direction=direction)


def approx_newton(prob: Problem, x0: np.ndarray, rec: Recorder, *, tol: float,
                  max_iter: int, rng: np.random.Generator, eps: float, delta: float,
                  leverage: str, oversampling: float, sketch_size: int | None,
                  jl_dim: int | None, measure_error: bool) -> Trajectory:
    """The approximate Newton method of MATH.md 8: ``H~ p = -g`` with the diagonal part
    of H sampled by leverage scores (failure probability ``delta / max_iter`` per step),
    its negative part and the rank-two part exact. Sketched scores read a float32 copy
    of A, made once per run."""
    step_delta = delta / max_iter
    low = prob.A.astype(np.float32) if leverage == "sketch" else None

    def direction(point: Point) -> Direction:
        D = point.parts.D
        sample = _sampling.subsample(prob.A, D, eps=eps, delta=step_delta, rng=rng,
                                     leverage=leverage, oversampling=oversampling,
                                     sketch_size=sketch_size, jl_dim=jl_dim,
                                     sketch_matrix=low)
        H = _sampling.gram(prob.A, sample.rows, sample.weights) + point.parts.rank_two
        error = np.nan
        if measure_error:
            with rec.paused():  # a diagnostic, not part of the method's cost
                error = _sampling.spectral_error(prob.A, D, sample)
        solved = newton_direction(H, point.grad)
        if solved is None:
            return _indefinite()
        return Direction(solved[0], facts=dict(shift=solved[1], rows_kept=sample.rows.size,
                                               spectral_error=error))

    return run(prob, x0, rec, tol=tol, max_iter=max_iter, parts=True, direction=direction)


def gradient_descent(prob: Problem, x0: np.ndarray, rec: Recorder, *, tol: float,
                     max_iter: int, lipschitz: float, adaptive: bool) -> Trajectory:
    """``p = -g / L``. With ``adaptive`` the trial step grows by 2 after a full step was
    accepted and shrinks to what the backtracking accepted otherwise (Armijo); without,
    ``L`` is a global bound of the Hessian and the full step is always accepted."""
    scale = [1.0 / lipschitz]

    def direction(point: Point) -> Direction:
        return Direction(-scale[0] * point.grad)

    def accepted(step: Step) -> None:
        if adaptive:
            scale[0] *= 2.0 if step.t == 1.0 else step.t

    return run(prob, x0, rec, tol=tol, max_iter=max_iter, parts=False, direction=direction,
               accepted=accepted)


def newton_cg(prob: Problem, x0: np.ndarray, rec: Recorder, *, tol: float, max_iter: int,
              cg_max_iter: int) -> Trajectory:
    """Matrix-free truncated Newton: CG on ``H p = -g`` with Hessian-vector products
    from the parts (two passes over A each), to the forcing tolerance
    ``min(0.5, sqrt(||g|| / ||g0||)) ||g||`` (superlinear near the minimiser)."""
    g0 = []

    def direction(point: Point) -> Direction:
        if not g0:
            g0.append(point.grad_norm)
        forcing = min(0.5, np.sqrt(point.grad_norm / g0[0]))
        with np.errstate(**_NEAR_POLE):
            p, inner = truncated_cg(lambda v: losses.hvp_from_parts(prob.A, point.parts, v),
                                    point.grad, forcing, cg_max_iter)
        if not np.all(np.isfinite(p)):
            return Direction(None, status=Status.NON_FINITE,
                             message="the Hessian-vector products are not finite.")
        return Direction(p, facts=dict(inner_iterations=inner))

    return run(prob, x0, rec, tol=tol, max_iter=max_iter, parts=True, direction=direction)


def _indefinite() -> Direction:
    return Direction(None, status=Status.INDEFINITE,
                     message="the Hessian is not finite or no shift tau I made it positive "
                             "definite, so no Newton step exists.")
