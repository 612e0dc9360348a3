"""How a trajectory approaches the minimiser: errors in two norms, the order and rate
of convergence, and the basin condition at its start (``spectral.lipschitz``).

    conv = diagnose(prob, traj)            # -> Convergence
    rate = convergence_rate(errors)        # -> Rate
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..limits import DENSE_BASIN_MAX_D
from ..linalg import frozen
from ..problem import Problem
from ..spectral.context import hessian_at
from ..spectral.lipschitz import BasinCondition, basin_condition
from ..validation import describe
from . import _endings
from ._linesearch import evaluate
from ._newton import polish
from .result import Status, Trajectory

__all__ = ["Convergence", "Rate", "convergence_rate", "diagnose"]


@dataclass(frozen=True)
class Rate:
    """Order and rate of convergence estimated from an error sequence ``e_k``.

    ``ratios`` (m,) are ``e_{k+1} / e_k`` over the errors above the floor;
    ``order`` is the median of ``q_k = log(e_{k+1}/e_k) / log(e_k/e_{k-1})`` over the
    last three usable triples (1: linear, 2: quadratic), ``rate`` the median of the
    last five ratios (the linear contraction factor), ``fitted_order`` the slope of a
    least-squares fit over the last half of the usable errors (``fitted_order``). NaN
    where too few errors lie above the floor, or where there is no minimiser to
    converge to.
    """

    order: float
    rate: float
    ratios: np.ndarray
    n_used: int
    fitted_order: float = float("nan")


def _usable(errors, floor: float) -> np.ndarray:
    """The leading run of ``errors`` above ``floor`` (below it rounding, not the method,
    sets the error)."""
    e = np.asarray(errors, dtype=np.float64)
    above = np.isfinite(e) & (e > floor)
    return e[:int(np.argmin(above)) if not above.all() else e.size]


def convergence_rate(errors, *, floor: float = 0.0) -> Rate:
    """``Rate`` of ``errors`` (k+1,), using the leading run of errors above ``floor``
    (below it rounding, not the method, sets the error)."""
    e = _usable(errors, floor)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = e[1:] / e[:-1]
        logs = np.log(ratios)
        q = logs[1:] / logs[:-1]
    q = q[np.isfinite(q) & (ratios[:-1] < 1)]
    order = float(np.median(q[-3:])) if q.size else float("nan")
    rate = float(np.median(ratios[-5:])) if ratios.size else float("nan")
    return Rate(order=order, rate=rate, ratios=frozen(ratios), n_used=e.size,
                fitted_order=fitted_order(e))


def fitted_order(errors, *, floor: float = 0.0) -> float:
    """The order p of the least-squares fit ``log e_{k+1} = p log e_k + log C`` over the
    last half (at least three) of the leading run of ``errors`` (k+1,) above ``floor``:
    1 for linear convergence (``e_{k+1} = r e_k``), 2 for quadratic.

    The last half leaves out a damped start (Newton's first steps are linear) and,
    unlike ``Rate.order`` (the last three triples), stays steady for a slow linear
    method, whose ratios near 1 make single-triple estimates noise. An order near 1
    does not tell linear from sublinear convergence (``e_k = 1/k`` fits 1 as well): the
    ratios ``e_{k+1} / e_k`` staying below a bound < 1 do. NaN with fewer than three
    errors."""
    e = _usable(errors, floor)
    logs = np.log(e[min(e.size // 2, max(e.size - 3, 0)):])
    if logs.size < 3 or np.ptp(logs[:-1]) == 0:
        return float("nan")
    return float(np.polyfit(logs[:-1], logs[1:], 1)[0])


_NO_RATE = Rate(order=float("nan"), rate=float("nan"), ratios=frozen([]), n_used=0)


@dataclass(frozen=True)
class Convergence:
    """How a trajectory approached the point ``x_star`` (d,).

    ``error`` (k+1,) is ``‖x_k - x*‖₂``; ``error_hessian`` (k+1,) is
    ``‖x_k - x*‖_{H*} = sqrt((x_k - x*)^T hess L(x*) (x_k - x*))``, the norm in
    which approximate Newton contracts by about eps per step (MATH.md 8).
    ``euclidean`` and ``hessian`` are their estimated orders and rates; ``basin``
    the paper's start condition at ``xs[0]``. ``is_minimiser`` is False where x* is
    no minimiser (exact Newton does not settle there, or the loss keeps falling along
    the Newton direction from it: no minimiser within reach, as for softmax with a
    one-hot target and no regulariser): the errors are then distances to a point on
    the way, and the rates are NaN; ``message`` says so ("" otherwise).
    """

    x_star: np.ndarray
    error: np.ndarray
    error_hessian: np.ndarray
    euclidean: Rate
    hessian: Rate
    basin: BasinCondition
    is_minimiser: bool = True
    message: str = ""


def diagnose(prob: Problem, trajectory: Trajectory, x_star=None, *,
             seed: int = 0) -> Convergence:
    """Errors, order and rate of convergence of ``trajectory`` and the basin condition
    at its start.

    ``x_star`` defaults to a tight exact Newton solve (run to the rounding floor) from
    the trajectory's last iterate; where that solve does not settle (CONVERGED or
    STALLED), or where a given x* is on a run to infinity (``_endings.runs_off``),
    ``is_minimiser`` is False. Errors below ``1e-11 max(‖x*‖, e_0)`` (in each
    norm, with that norm's ``‖x*‖`` and first error ``e_0``) are left out of the
    rates: there rounding in x* dominates.
    """
    if not isinstance(trajectory, Trajectory):
        raise ValueError(f"trajectory must be a Trajectory; received {describe(trajectory)}.")
    why = None
    if x_star is None:
        reference = polish(prob, trajectory.x)
        x_star = reference.x
        if reference.status not in (Status.CONVERGED, Status.STALLED):
            why = (f"exact Newton from the last iterate did not settle ({reference.status.value}: "
                   f"{reference.message.rstrip('.')})")
    x_star = prob.check_point(x_star, "x_star")
    delta = trajectory.xs - x_star
    error = np.linalg.norm(delta, axis=1)
    h_star = hessian_at(prob, x_star, DENSE_BASIN_MAX_D)
    h_delta = (h_star @ delta.T).T if isinstance(h_star, np.ndarray) else \
        np.array([h_star @ row for row in delta])
    error_hessian = np.sqrt(np.maximum(np.einsum("ij,ij->i", delta, h_delta), 0.0))
    star_hessian = np.sqrt(max(float(x_star @ (h_star @ x_star)), 0.0))
    floor = 1e-11 * max(float(np.linalg.norm(x_star)), float(error[0]))
    floor_hessian = 1e-11 * max(star_hessian, float(error_hessian[0]))
    if why is None:
        at_star = evaluate(prob, x_star, prob.forward(x_star), parts=False)
        seen = None if at_star is None else _endings.runs_off(prob, at_star)
        why = None if seen is None else f"from it {seen}"
    message = "" if why is None else (
        f"x* is no minimiser: {why}. The errors are distances to a point on the way, not "
        "to a minimiser, and no rate is estimated.")
    return Convergence(x_star=frozen(x_star), error=frozen(error),
                       error_hessian=frozen(error_hessian),
                       euclidean=convergence_rate(error, floor=floor) if why is None else _NO_RATE,
                       hessian=(convergence_rate(error_hessian, floor=floor_hessian)
                                if why is None else _NO_RATE),
                       basin=basin_condition(prob, trajectory.xs[0], x_star, seed=seed),
                       is_minimiser=why is None, message=message)
