"""SciPy's minimisers as peers: L-BFGS-B, BFGS, trust-exact and trust-krylov through
``scipy.optimize.minimize``, fed the same loss, gradient and Hessian as our methods
(loss and gradient from one shared pass, cached per point) and stopped by the same
rule, ``||grad|| <= tol ||grad(x0)||``, from the callback. Every iterate the callback
sees is recorded into the same ``Trajectory``.

SciPy must never see an exception: on and beyond the pole set (alpha <= 0, where
the unified loss is infinite or on its spurious side) and wherever the loss is not
finite, the callbacks return the finite wall value ``WALL`` with a zero gradient,
which every line search and trust region treats as "much worse": it shortens the
step.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict

import numpy as np
import scipy.optimize as so

from . import losses
from ._descent import _NEAR_POLE, Point, _record, evaluate
from ._trajectory import Recorder, Status, Trajectory
from .problem import Problem

SCIPY_METHODS = {"lbfgs": "L-BFGS-B", "bfgs": "BFGS", "trust_exact": "trust-exact",
                 "trust_krylov": "trust-krylov"}
#: what SciPy sees where the loss is undefined: large, finite (inf breaks some line
#: searches' arithmetic), far above any loss of a bounded problem.
WALL = 1e30
#: evaluations kept: SciPy asks for the same point again (fun, then hess, then callback)
_CACHE = 8


class _Oracle:
    """Loss, gradient and Hessian at the points SciPy asks for; never raises."""

    def __init__(self, prob: Problem, parts: bool):
        self.prob = prob
        self.parts = parts
        self.cache: OrderedDict[bytes, Point | None] = OrderedDict()
        self.last_hessian = np.eye(prob.d)

    def point(self, x: np.ndarray) -> Point | None:
        key = x.tobytes()
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        point = None
        if np.all(np.isfinite(x)):
            with np.errstate(**_NEAR_POLE):
                z = self.prob.A @ x
            if np.all(np.isfinite(z)):
                point = evaluate(self.prob, np.array(x), z, parts=self.parts)
                if point is not None and point.sf.near_pole:
                    point = None
        self.cache[key] = point
        if len(self.cache) > _CACHE:
            self.cache.popitem(last=False)
        return point

    def fun(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        point = self.point(x)
        if point is None:
            return WALL, np.zeros(self.prob.d)
        return point.loss, point.grad.copy()

    def hess(self, x: np.ndarray) -> np.ndarray:
        point = self.point(x)
        if point is not None:
            with np.errstate(**_NEAR_POLE):
                h = losses.hessian_from_parts(self.prob.A, point.parts)
            if np.all(np.isfinite(h)):
                self.last_hessian = h
        return self.last_hessian

    def hessp(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        point = self.point(x)
        if point is None:
            return self.last_hessian @ v
        with np.errstate(**_NEAR_POLE):
            hv = losses.hvp_from_parts(self.prob.A, point.parts, v)
        return hv if np.all(np.isfinite(hv)) else self.last_hessian @ v


def run_scipy(prob: Problem, x0: np.ndarray, rec: Recorder, method: str, *, tol: float,
              max_iter: int) -> Trajectory:
    """Run SciPy's ``method`` (one of ``SCIPY_METHODS``) from ``x0``."""
    name = SCIPY_METHODS[method]
    oracle = _Oracle(prob, parts=method.startswith("trust"))
    start = oracle.point(x0)
    if start is None:
        return rec.finish(Status.NON_FINITE, "the loss or its derivatives are not finite at x0.")
    _record(rec, start)
    target = tol * start.grad_norm
    if start.grad_norm <= target:
        return rec.finish(Status.CONVERGED, "x0 is stationary: the gradient is exactly zero.")
    outcome: dict[str, Status] = {}
    last = [x0]

    def callback(intermediate_result: so.OptimizeResult) -> None:
        x = np.array(intermediate_result.x, dtype=np.float64)
        if np.array_equal(x, last[0]):  # a rejected trust-region step: no move
            return
        point = oracle.point(x)
        if point is None:
            outcome["status"] = Status.NON_FINITE
            raise StopIteration
        last[0] = x
        _record(rec, point)
        if point.grad_norm <= target:
            outcome["status"] = Status.CONVERGED
            raise StopIteration

    # SciPy's own stopping tests are switched off; ours runs in the callback
    options = {"L-BFGS-B": dict(maxiter=max_iter, maxfun=max(15_000, 50 * max_iter),
                                ftol=0.0, gtol=0.0),
               "BFGS": dict(maxiter=max_iter, gtol=0.0),
               "trust-exact": dict(maxiter=max_iter, gtol=0.0),
               "trust-krylov": dict(maxiter=max_iter, gtol=0.0)}[name]
    kwargs = {}
    if name == "trust-exact":
        kwargs["hess"] = oracle.hess
    elif name == "trust-krylov":
        kwargs["hessp"] = oracle.hessp
    # SciPy's arithmetic on singular or indefinite Hessians can warn (0 * inf in the
    # Lanczos of trust-krylov); the outcome is its status, the warning goes in the message
    with warnings.catch_warnings(record=True) as caught, np.errstate(**_NEAR_POLE):
        warnings.simplefilter("always")
        res = so.minimize(oracle.fun, x0, method=name, jac=True, callback=callback,
                          options=options, **kwargs)
    note = f" SciPy warned: {caught[0].message}" if caught else ""
    x_end = np.asarray(res.x, dtype=np.float64)
    if "status" not in outcome and not np.array_equal(x_end, last[0]):
        point = oracle.point(x_end)
        if point is not None and point.loss <= rec.points["loss"][-1]:
            _record(rec, point)
            if point.grad_norm <= target:
                outcome["status"] = Status.CONVERGED
    k = rec.n_points - 1
    grad_norm = rec.points["grad_norm"][-1]
    status = outcome.get("status")
    if status is Status.CONVERGED:
        return rec.finish(status, f"converged in {k} steps: ||grad|| = {grad_norm:.3g} <= "
                                  f"tol * ||grad(x0)|| = {target:.3g}.{note}")
    if status is Status.NON_FINITE:
        return rec.finish(status, f"{name} stepped where the loss is not finite after {k} "
                                  f"steps.{note}")
    scipy_says = str(res.message).rstrip(".")
    if res.status == 1:
        return rec.finish(Status.MAX_ITER, f"{name} stopped at its iteration limit "
                                           f"(max_iter = {max_iter}) after {k} accepted steps: "
                                           f"||grad|| = {grad_norm:.3g} > {target:.3g}.{note}")
    return rec.finish(Status.STALLED, f"{name} stopped after {k} steps with ||grad|| = "
                                      f"{grad_norm:.3g} > {target:.3g}: {scipy_says}.{note}")

