"""SciPy's minimisers as peers: L-BFGS-B, BFGS, trust-exact and trust-krylov through
``scipy.optimize.minimize``, fed the same loss, gradient and Hessian as our methods
(loss and gradient from one shared pass, cached per point) and stopped by the same
rule, ``‖g‖ <= tol ‖g_0‖``, from the callback. Every iterate the callback
sees is recorded into the same ``Trajectory``.

The pole guard (unified loss, MATH.md 5). SciPy must never see an exception, and
must never step across the pole set. Every trial point SciPy asks about lies on a
segment from its current iterate, the *anchor* (the last iterate the callback
accepted): ``x_a + p``. Where the loss is defined at the trial point and that
segment stays off the pole set, SciPy sees the true loss and gradient. Elsewhere (the
segment touches ``alpha <= 0`` or comes within ``POLE_RTOL`` of it, or the values are
not finite) it sees a *wall*: the quadratic model

    m(x) = L(x_a) + g_a·(x - x_a) + mu/2 ‖x - x_a‖²,    mu = 2 s / (tau ‖p‖²),

with ``g_a`` the gradient at the anchor, ``s = -g_a·p`` the decrease rate along the
step and ``tau`` the fraction of the segment that stays off the pole set (0.1 where
values overflow). Along the step, ``m`` falls with the anchor's slope and has its
minimum at ``tau / 2``, half-way to the pole set; at the trial point it lies above
``L(x_a)`` and its gradient points back to the anchor. So the trial fails every
sufficient-decrease test and trust-region ratio, and the interpolating line searches
(Moré-Thuente in L-BFGS-B and BFGS) backtrack to half-way to the pole set, where the
loss is defined. A constant wall value does not work: a huge value with a zero (or
any) gradient makes the cubic and quadratic interpolation step collapse to about
``s / wall`` times the trial step, so L-BFGS-B "converged" at x0 without a step;
``inf`` makes the same arithmetic give 0 and NaN.

Where a peer stops on a rule of its own, ``_endings.what_is_left`` decides whether
that is a stall (no decrease resolvable) or a peer that gave up early.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict

import numpy as np
import scipy.optimize as so

from .. import losses
from ..deadline import check
from ..problem import Problem
from . import _endings
from ._descent import at_start, record
from ._linesearch import EPS, NEAR_POLE, Point, evaluate, segment_touches_pole
from ._messages import rule_missed, steps
from ._method import Method
from .result import Recorder, Status, Trajectory

SCIPY_METHODS = {"lbfgs": "L-BFGS-B", "bfgs": "BFGS", "trust_exact": "trust-exact",
                 "trust_krylov": "trust-krylov"}
#: evaluations kept: SciPy asks for the same point again (fun, then hess, then callback)
_CACHE = 8
#: the share of a trial step a wall aims for where the values at its end overflow (the
#: same factor as our line search's, _linesearch.line_search)
_OVERFLOW_FRACTION = 0.1
#: bisections locating where a step first touches the pole set, once bracketed within
#: a factor of two: tau/2 needs tau only to a few per cent
_BISECTIONS = 5


class _BrokenStep(Exception):
    """SciPy proposed a trial point with NaN or infinite entries (trust-krylov's
    Lanczos process breaks down once the gradient is tiny); every later trial would be
    the same, so the run ends there."""


class _Oracle:
    """Loss, gradient and Hessian at the points SciPy asks for. Raises only
    ``_BrokenStep`` (caught by ``run_scipy``), where SciPy's trial point is not finite.

    ``anchor`` is SciPy's current iterate (``run_scipy`` starts it at x0 and its
    callback moves it); a trial point is judged by the segment from it, and where that
    segment leaves the domain SciPy sees a wall (module docstring). ``refused_pole``
    and ``refused_overflow`` count the walls by cause.
    """

    def __init__(self, prob: Problem, parts: bool):
        self.prob = prob
        self.parts = parts
        self.cache: OrderedDict[bytes, tuple[np.ndarray | None, Point | None]] = OrderedDict()
        self.last_hessian = np.eye(prob.d)
        self.anchor: Point | None = None
        self.refused_pole = 0
        self.refused_overflow = 0

    def _evaluate(self, x: np.ndarray) -> tuple[np.ndarray | None, Point | None]:
        """``z = A x`` (None where not finite) and the point at x (None where alpha <= 0,
        next to the pole set, or anything is not finite)."""
        key = x.tobytes()
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        z = point = None
        if np.all(np.isfinite(x)):
            with np.errstate(**NEAR_POLE):
                z = self.prob.forward(x)
            if np.all(np.isfinite(z)):
                point = evaluate(self.prob, np.array(x), z, parts=self.parts)
                if point is not None and point.scale_free.near_pole:
                    point = None
            else:
                z = None
        self.cache[key] = (z, point)
        if len(self.cache) > _CACHE:
            self.cache.popitem(last=False)
        return z, point

    def point(self, x: np.ndarray) -> Point | None:
        """The point at x, whatever the segment to it (None where undefined)."""
        return self._evaluate(x)[1]

    def admissible(self, x: np.ndarray) -> tuple[Point | None, float, bool]:
        """``(point, tau, pole)``: the point at x if the step to it from the anchor
        stays where the loss is defined, else None, with ``tau``, the share of the step
        that does, and ``pole``, whether the step reaches the pole set (else the values
        overflow)."""
        z, point = self._evaluate(x)
        anchor = self.anchor
        if z is None:
            return None, _OVERFLOW_FRACTION, False
        if anchor is None or self.prob.gamma == 0:  # no pole set or no step
            return point, 1.0 if point is not None else _OVERFLOW_FRACTION, False
        tau = _share_off_pole(anchor, z - anchor.z, self.prob.gamma)
        if tau < 1.0:
            return None, tau, True
        if point is None:  # the end itself is undefined: at the pole set, or overflow
            scale_free = losses.scale_free(z, self.prob.b, self.prob.gamma)
            if scale_free.alpha_sign <= 0 or scale_free.near_pole:
                return None, 0.5, True
            return None, _OVERFLOW_FRACTION, False
        return point, 1.0, False

    def fun(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        if not np.all(np.isfinite(x)):  # SciPy's own arithmetic broke down: no wall helps
            raise _BrokenStep
        point, tau, pole = self.admissible(x)
        if point is not None:
            return point.loss, point.grad.copy()
        if pole:
            self.refused_pole += 1
        else:
            self.refused_overflow += 1
        return self.wall(x, tau)

    def wall(self, x: np.ndarray, tau: float) -> tuple[float, np.ndarray]:
        """The model ``m(x) = L_a + g_a·p + mu/2 ‖p‖²`` (``p = x - x_a``) whose minimum
        along p lies at ``tau / 2``, raised to just above ``L_a`` where it is not
        already: value and gradient (module docstring)."""
        a = self.anchor
        floor = a.loss + max(16 * EPS * abs(a.loss), np.finfo(np.float64).tiny)
        with np.errstate(**NEAR_POLE):
            p = x - a.x
            length2 = float(p @ p)
            drop = -float(a.grad @ p)  # > 0 along a descent direction
        if not (np.isfinite(length2) and np.isfinite(drop)) or length2 == 0:
            return floor, -a.grad
        if drop <= 0:  # not a descent step (a trust region's): only the value matters
            return floor, a.grad.copy()
        value = a.loss + drop * (1.0 / tau - 1.0)
        return max(value, floor), a.grad + (2.0 * drop / (tau * length2)) * p

    def hess(self, x: np.ndarray) -> np.ndarray:
        point = self.point(x)
        if point is not None:
            with np.errstate(**NEAR_POLE):
                h = losses.hessian_from_parts(self.prob.A, point.parts)
            if np.all(np.isfinite(h)):
                self.last_hessian = h
        return self.last_hessian

    def hessp(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        point = self.point(x)
        if point is None:
            return self.last_hessian @ v
        with np.errstate(**NEAR_POLE):
            hv = losses.hvp_from_parts(self.prob.A, point.parts, v)
        return hv if np.all(np.isfinite(hv)) else self.last_hessian @ v


def _share_off_pole(anchor: Point, dz: np.ndarray, gamma: float) -> float:
    """The largest ``tau`` in (0, 1] (1 exactly, or to within ``2^-_BISECTIONS``
    relative) such that ``alpha`` stays off the pole set on the step from the anchor
    ``z_a`` to ``z_a + tau dz``; by convexity the tangent bound
    ``alpha(t) >= alpha(0) (1 + t <p, dz>)`` clears short steps at no cost."""
    z = anchor.z
    with np.errstate(**NEAR_POLE):
        relative_slope = float(anchor.scale_free.p @ dz)  # alpha'(0) / alpha(0)
    if relative_slope >= -0.5 or not segment_touches_pole(z, dz, gamma, 1.0):
        return 1.0
    hi, lo = 1.0, 0.5
    while lo > 1e-300 and segment_touches_pole(z, dz, gamma, lo):
        hi, lo = lo, 0.5 * lo
    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if segment_touches_pole(z, dz, gamma, mid) else (mid, hi)
    return lo


def run_scipy(prob: Problem, x0: np.ndarray, rec: Recorder, method: str, *, tol: float,
              max_iter: int) -> Trajectory:
    """Run SciPy's ``method`` (one of ``SCIPY_METHODS``) from ``x0`` (d,)."""
    name = SCIPY_METHODS[method]
    oracle = _Oracle(prob, parts=method.startswith("trust"))
    start = oracle.point(x0)
    if start is None:
        return rec.finish(Status.NON_FINITE, "the loss or its derivatives are not finite at x0.")
    record(rec, start)
    oracle.anchor = start
    target = tol * start.grad_norm
    done = at_start(rec, start, target)
    if done is not None:
        return done
    outcome: dict[str, Status] = {}
    last = [x0]

    def callback(intermediate_result: so.OptimizeResult) -> None:
        check("the optimiser run")
        x = np.array(intermediate_result.x, dtype=np.float64)
        if np.array_equal(x, last[0]):  # a rejected trust-region step: no move
            return
        point, _, pole = oracle.admissible(x)
        if point is None:  # never with the walls; kept so that no such step is recorded
            outcome["status"] = Status.POLE if pole else Status.NON_FINITE
            raise StopIteration
        last[0] = x
        oracle.anchor = point
        record(rec, point)
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
    with warnings.catch_warnings(record=True) as caught, np.errstate(**NEAR_POLE):
        warnings.simplefilter("always")
        try:
            res = so.minimize(oracle.fun, x0, method=name, jac=True, callback=callback,
                              options=options, **kwargs)
        except _BrokenStep:
            res = None
    note = _refusals(oracle) + (f" SciPy warned: {caught[0].message}" if caught else "")
    x_end = last[0] if res is None else np.asarray(res.x, dtype=np.float64)
    if "status" not in outcome and not np.array_equal(x_end, last[0]):
        point = oracle.admissible(x_end)[0]
        if point is not None and point.loss <= rec.points["loss"][-1]:
            oracle.anchor = point
            record(rec, point)
            if point.grad_norm <= target:
                outcome["status"] = Status.CONVERGED
    return _ending(prob, rec, oracle, name, outcome.get("status"), res, target, max_iter, note)


def _ending(prob: Problem, rec: Recorder, oracle: _Oracle, name: str,
            status: Status | None, res: so.OptimizeResult | None, target: float,
            max_iter: int, note: str) -> Trajectory:
    """The status and message of a finished peer: the callback's verdict, SciPy's
    iteration (or evaluation) limit, else a stall or a peer that gave up, as
    ``_endings.what_is_left`` finds a decrease unresolvable or still resolvable."""
    k = rec.n_points - 1
    grad_norm = rec.points["grad_norm"][-1]
    if status is Status.CONVERGED:
        return _endings.converged(rec, prob, oracle.anchor, k, target, note)
    if status is Status.POLE:
        return rec.finish(status, f"{name} stepped across the pole set (α ≤ 0) after "
                                  f"{steps(k)}.{note}")
    if status is Status.NON_FINITE:
        return rec.finish(status, f"{name} stepped where the loss is not finite after "
                                  f"{steps(k)}.{note}")
    if res is None:
        scipy_says = "it proposed a trial point with non-finite entries (its arithmetic broke down)"
    else:
        scipy_says = f"“{str(res.message).rstrip('.')}”"
    if res is not None and res.status == 1:
        return rec.finish(Status.MAX_ITER, f"{name} stopped at its iteration limit ("
                                           f"{max_iter}) after {steps(k)} accepted, saying "
                                           f"{scipy_says}: {rule_missed(grad_norm, target)}."
                                           f"{note}")
    resolvable, left = _endings.what_is_left(prob, oracle.anchor)
    return _endings.finish(rec, prob, oracle.anchor,
                           Status.GAVE_UP if resolvable else Status.STALLED,
                           f"{name} stopped after {steps(k)} with "
                           f"{rule_missed(grad_norm, target)}: {scipy_says}.{left}{note}")


def _refusals(oracle: _Oracle) -> str:
    """What the walls refused, for the message ("" where nothing was)."""
    parts = []
    if oracle.refused_pole:
        parts.append(f"{oracle.refused_pole} trial point{'s' if oracle.refused_pole > 1 else ''}"
                     " whose step reached the pole set (α ≤ 0)")
    if oracle.refused_overflow:
        parts.append(f"{oracle.refused_overflow} trial point"
                     f"{'s' if oracle.refused_overflow > 1 else ''} where the values overflow")
    return f" Refused: {' and '.join(parts)}." if parts else ""


def _peer(method: str) -> Method:
    def run(prob, x0, rec, *, tol, max_iter, seed, options):
        return run_scipy(prob, x0, rec, method, tol=tol, max_iter=max_iter)

    run.__doc__ = f"SciPy's {SCIPY_METHODS[method]} through ``scipy.optimize.minimize``."
    return Method(method, run, max_iter=200 if method.startswith("trust") else 10_000)


METHODS = tuple(_peer(method) for method in SCIPY_METHODS)
