"""How the end of a run is judged: whether a decrease is still resolvable where a
method stops, and whether its iterates run off to infinity.

Two questions decide which ``Status`` is true at the last iterate x (d,):

* Is a decrease still resolvable? The quadratic model ``m(p) = L + g·p + 1/2 p·Hp``
  predicts ``-(g·p + 1/2 p·Hp) = -1/2 g·p`` at a conjugate-gradient iterate p on
  ``H p = -g``; rounding alone moves the loss by ``rounding_allowance``. A peer that
  stops with the prediction above the allowance gave up (GAVE_UP); below it, it
  stalled (STALLED).
* Do the iterates run off? Where the stopping rule holds (or progress stalls) the loss
  may still have no minimiser in reach: softmax with a one-hot target and ``w = 0``
  approaches its infimum only as ``‖x‖ -> inf``, while its gradient decays like
  ``exp(-‖x‖)`` and soon meets any relative tolerance. From such an x the loss keeps
  falling along the Newton direction p far beyond the Newton step, while near a
  minimiser (where the quadratic model holds) ``L(x + s p) - L(x) = (s²/2 - s) p·Hp``
  rises again beyond ``s = 2`` (by ``24 p·Hp`` at ``s = 8``). The loss is sampled at
  ``s = 1, 2, 4, 8``. (Along the ray itself the loss need not fall for ever: the
  escape is along a cone of directions, and p lies near it, not always inside.)
"""

from __future__ import annotations

import numpy as np

from .. import losses, rows
from ..problem import Problem
from ._directions import truncated_cg
from ._linesearch import NEAR_POLE, Point, rounding_allowance, segment_touches_pole
from ._messages import number, rule_met, steps
from .result import Recorder, Status, Trajectory

#: conjugate-gradient steps of the model check behind a peer's STALLED / GAVE_UP (one
#: Hessian-vector product each)
CHECK_CG = 20
#: conjugate-gradient steps for the Newton direction of the divergence probe
PROBE_CG = 50
#: multiples of the Newton step at which the divergence probe samples the loss
PROBE_STEPS = 2.0 ** np.arange(4)


def _newton_cg(prob: Problem, point: Point, rtol: float, max_iter: int):
    """CG on ``H p = -g`` at the point: products from the parts (a pass over A each),
    or from the Hessian the point already holds (A on disk: its Gram came with the
    gradient's pass, and each product would read A again)."""
    parts = point.parts
    with np.errstate(**NEAR_POLE):
        if parts is None:
            parts = losses.hessian_parts(prob.A, point.scale_free, prob.b, prob.w2)
        if point.gram is not None:
            hessian = losses.hessian_from_gram(point.gram, parts)
            return truncated_cg(lambda v: hessian @ v, point.grad, rtol, max_iter)
        return truncated_cg(lambda v: losses.hvp_from_parts(prob.A, parts, v), point.grad,
                            rtol, max_iter)


def predicted_decrease(prob: Problem, point: Point) -> float:
    """``-1/2 g·p`` at the iterate ``p`` of ``min(d, CHECK_CG)`` conjugate-gradient
    steps on ``H p = -g`` (its first step is the exact steepest-descent step of the
    model, its d-th Newton's): the decrease the quadratic model predicts, since CG's
    iterate has ``p·Hp = -g·p``. inf where the steps meet negative curvature, NaN
    where the Hessian is not finite. Two passes over A per step."""
    cg = _newton_cg(prob, point, 0.0, min(prob.d, CHECK_CG))
    if not cg.finite:
        return float("nan")
    if cg.negative:
        return float("inf")
    return -0.5 * float(point.grad @ cg.p)


def what_is_left(prob: Problem, point: Point) -> tuple[bool, str]:
    """Whether a decrease is still resolvable at ``point`` (``predicted_decrease``
    above ``rounding_allowance``), and a sentence saying so with the numbers."""
    left = predicted_decrease(prob, point)
    allowance = rounding_allowance(point)
    if left > allowance:
        amount = ("without bound (negative curvature)" if left == np.inf
                  else f"by about {number(left, 2)}")
        return True, (f" Yet its quadratic model still falls {amount}, above the rounding "
                      f"level {number(allowance, 2)} of the loss: SciPy gave up before "
                      "float64 did.")
    return False, (f" No decrease is resolvable here: the quadratic model falls by at most "
                   f"{number(max(left, 0.0), 2)}, below the rounding level "
                   f"{number(allowance, 2)} of the loss.")


def runs_off(prob: Problem, point: Point) -> str | None:
    """A clause saying how the loss keeps falling along the Newton direction from
    ``point`` to ``PROBE_STEPS[-1]`` Newton steps (non-increasing within rounding at
    every sample, and below ``L(x)`` beyond rounding at the last), or None where it
    does not, where the gradient itself meets non-positive curvature (a saddle falls
    along it too), or where the ray leaves the domain (``point_limit``, the pole set).
    Later non-positive curvature ends CG with its last iterate, which spans positive
    curvature only (next to the infimum at infinity the Hessian is singular to
    rounding, with eigenvalues of both signs)."""
    if point.grad_norm == 0:
        return None
    cg = _newton_cg(prob, point, 1e-6, min(prob.d, PROBE_CG))
    p = cg.p
    length = float(np.linalg.norm(p))
    far = PROBE_STEPS[-1]
    if ((cg.negative and cg.iterations == 1) or not (cg.finite and np.all(np.isfinite(p)))
            or length == 0):
        return None  # -g itself has curvature <= 0: x may be a saddle, not on a run away
    if not np.linalg.norm(point.x) + far * length <= prob.point_limit:
        return None
    with np.errstate(**NEAR_POLE):
        dz = rows.product(prob.A, p)
        if prob.gamma > 0 and segment_touches_pole(point.z, dz, prob.gamma, far):
            return None
        values = prob.evaluate_batch(point.x + PROBE_STEPS[:, None] * p).loss
    allowance = rounding_allowance(point)
    path = np.concatenate([[point.loss], values])
    if not (np.all(np.isfinite(path)) and np.all(np.diff(path) <= allowance)
            and path[-1] < point.loss - allowance):
        return None
    return (f"the loss keeps falling along the Newton direction p, from "
            f"{number(point.loss, 3)} to {number(path[-1], 3)} at {far:g} Newton steps "
            f"(‖p‖ = {number(length, 3)}, ‖x‖ = {number(float(np.linalg.norm(point.x)), 3)})")


def _diverging(rec: Recorder, head: str, why: str, note: str = "") -> Trajectory:
    return rec.finish(Status.DIVERGING, f"{head}; yet {why}: x is no minimiser, the iterates "
                                        "run off to infinity and the loss has no minimiser "
                                        f"within reach.{note}")


def converged(rec: Recorder, prob: Problem, point: Point, k: int, target: float,
              note: str = "") -> Trajectory:
    """The ending where the stopping rule holds at the last iterate ``point`` after
    ``k`` steps: CONVERGED, or DIVERGING where ``runs_off`` says so."""
    rule = rule_met(point.grad_norm, target)
    why = runs_off(prob, point)
    if why is None:
        return rec.finish(Status.CONVERGED, f"converged in {steps(k)}: {rule}.{note}")
    return _diverging(rec, f"the stopping rule held after {steps(k)} ({rule})", why, note)


def finish(rec: Recorder, prob: Problem, point: Point, status: Status,
           message: str) -> Trajectory:
    """``rec.finish(status, message)``, where a STALLED ending at the last iterate
    ``point`` becomes DIVERGING if ``runs_off`` says so."""
    if status is Status.STALLED:
        why = runs_off(prob, point)
        if why is not None:
            return _diverging(rec, message.rstrip("."), why)
    return rec.finish(status, message)
