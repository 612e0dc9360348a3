"""The descent loop shared by the line-search methods: ``x_{k+1} = x_k + t_k p_k``.

Each method supplies the direction ``p_k`` (d,) and its first trial factor; the loop
runs the pole-safe line search (``_linesearch``), records every iterate, and decides
how the run ends:

* CONVERGED when ``‖g_k‖ <= tol ‖g_0‖`` (unless the iterates run off, ``_endings``);
* STALLED when a step decreased neither the loss (beyond rounding) nor the gradient
  norm *and* the decrease expected from it, ``-1/2 t g·p``, is below the rounding
  allowance: only then is the tolerance below what float64 resolves. A step that
  merely overshoots within the allowance where a resolvable decrease was expected
  (gradient descent on an ill-conditioned loss) does not end the run;
* NOT_DESCENT where ``g·p >= 0`` although ``|g·p|`` is above the allowance (below
  it: STALLED), MAX_ITER at the limit, and the statuses the direction or the line
  search report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..deadline import check
from ..problem import Problem
from . import _endings
from ._linesearch import Point, Step, evaluate, line_search, rounding_allowance
from ._messages import number, rule_met, rule_missed
from .result import Recorder, Status, Trajectory


@dataclass
class Direction:
    """A search direction ``p`` (d,) with its first trial factor and the facts to
    record with the step, or (p None) a status with its message."""

    p: np.ndarray | None
    t0: float = 1.0
    facts: dict | None = None
    status: Status | None = None
    message: str = ""


def record(rec: Recorder, point: Point) -> None:
    """Record ``point`` as the next iterate."""
    rec.point(point.x, point.loss, point.grad_norm, point.scale_free.alpha_sign,
              point.scale_free.log_abs_alpha)


def at_start(rec: Recorder, point: Point, target: float) -> Trajectory | None:
    """The ending where x0 already meets the rule ``‖g_0‖ <= target``, else None."""
    if point.grad_norm > target:
        return None
    if point.grad_norm == 0:
        return rec.finish(Status.CONVERGED, "x0 is stationary: the gradient is exactly zero.")
    return rec.finish(Status.CONVERGED, f"x0 meets the stopping rule with tol = "
                                        f"{number(rec.options['tol'], 3)} ≥ 1: "
                                        f"{rule_met(point.grad_norm, target)}.")


def run(prob: Problem, x0: np.ndarray, rec: Recorder, *, tol: float, max_iter: int,
        parts: bool, direction: Callable[[Point], Direction], gram: bool = False,
        accepted: Callable[[Step], None] | None = None) -> Trajectory:
    """Iterate ``x <- x + t p`` from ``x0`` (d,) until ``‖g‖ <= tol ‖g_0‖``, recording
    every iterate; ``parts``: whether the points carry the Hessian parts;
    ``accepted`` sees every accepted step. Every other ending is a status."""
    point = evaluate(prob, x0, prob.forward(x0), parts=parts, gram=gram)
    if point is None:
        return rec.finish(Status.NON_FINITE, "the loss or its derivatives are not finite at x0.")
    record(rec, point)
    target = tol * point.grad_norm
    done = at_start(rec, point, target)
    if done is not None:
        return done
    for k in range(1, max_iter + 1):
        check("the optimiser run (steps)", k - 1, max_iter)
        d = direction(point)
        if d.p is None:
            return rec.finish(d.status, f"step {k}: {d.message}")
        slope = float(point.grad @ d.p)
        if not slope < 0:
            allowance = rounding_allowance(point)
            if abs(slope) <= allowance:
                return _endings.finish(
                    rec, prob, point, Status.STALLED,
                    f"step {k}: the direction promises no resolvable decrease (g·p = "
                    f"{number(slope, 3)}, within the rounding allowance "
                    f"{number(allowance, 3)}); {rule_missed(point.grad_norm, target)}: the "
                    "tolerance is below what float64 resolves here.")
            return rec.finish(Status.NOT_DESCENT, f"step {k}: the direction is not a descent "
                                                  f"direction (g·p = {number(slope, 3)} ≥ 0).")
        step = line_search(prob, point, d.p, slope, d.t0)
        if step.status is not None:
            return _endings.finish(rec, prob, point, step.status, f"step {k}: {step.message}")
        if accepted is not None:
            accepted(step)
        # what the checks below need of the old point, then its vectors of length n go
        # before the new point's are made (for a tall A they are most of the memory)
        old_loss, old_norm, allowance = point.loss, point.grad_norm, rounding_allowance(point)
        x_new, point = point.x + step.t * d.p, None
        # after the last step no direction is computed: its Hessian would go unused
        new = evaluate(prob, x_new, step.z, parts=parts, gram=gram and k < max_iter,
                       scale_free=step.scale_free)
        if new is None:
            return rec.finish(Status.NON_FINITE,
                              f"step {k}: the gradient overflows at the new point (next to "
                              "the pole set, where it grows like α⁻³).")
        record(rec, new)
        rec.step(step_size=step.t, pole_rejections=step.pole_rejections, **(d.facts or {}))
        if new.grad_norm <= target:
            return _endings.converged(rec, prob, new, k, target)
        expected = -0.5 * step.t * slope
        if step.loss >= old_loss and new.grad_norm >= old_norm and expected <= allowance:
            return _endings.finish(
                rec, prob, new, Status.STALLED,
                f"step {k} decreased neither the loss nor the gradient norm, and the "
                f"decrease it could bring, −½·t·g·p = {number(expected, 3)}, is below the "
                f"rounding allowance {number(allowance, 3)} of the loss; "
                f"{rule_missed(new.grad_norm, target)}: the tolerance is below what float64 "
                "resolves here.")
        # one name per point, so that `point = None` above lets its vectors go
        point, new = new, None
    return rec.finish(Status.MAX_ITER, f"stopped at the iteration limit, {max_iter} steps: "
                                       f"{rule_missed(point.grad_norm, target)}.")
