"""The result of a minimisation run: ``Trajectory``, its ``Status``, and the recorder
the methods fill in as they go (users get the frozen ``Trajectory``)."""

from __future__ import annotations

import contextlib
import enum
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..linalg import frozen

__all__ = ["Status", "Trajectory"]


class Options(dict):
    """A read-only dict of method settings. Unlike ``types.MappingProxyType`` it
    pickles, so a Trajectory can come back from a worker process or a cache."""

    def _read_only(self, *args, **kwargs):
        raise TypeError("Trajectory.options is read-only.")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _read_only
    __ior__ = _read_only

    def __reduce__(self):
        return (Options, (dict(self),))


class Status(str, enum.Enum):
    """How a run ended: an outcome with a message, never an exception (README, "The
    library": only bad input raises). ``g_k`` is the gradient at the iterate ``x_k``;
    the allowance is how much rounding alone moves the loss
    (``_linesearch.rounding_allowance``)."""

    #: the stopping rule ``‖g_k‖ ≤ tol·‖g_0‖`` holds, and x_k is not on a run to
    #: infinity (the loss does not keep falling along the Newton direction)
    CONVERGED = "converged"
    #: ``max_iter`` steps taken (for L-BFGS-B: or its limit on evaluations reached)
    #: before the stopping rule held
    MAX_ITER = "max_iter"
    #: the search direction does not point downhill (``g·p ≥ 0``) although the
    #: decrease it should bring is above the allowance
    NOT_DESCENT = "not_descent"
    #: the Hessian (or its model) is not finite, or no shift ``(H + tau I)`` made it
    #: positive definite
    INDEFINITE = "indefinite"
    #: every shortening of the step still reached the pole set (alpha ≤ 0, or within
    #: ``losses.POLE_RTOL`` of it)
    POLE = "pole"
    #: the loss or the gradient stopped being finite (or every trial step overflowed)
    NON_FINITE = "non_finite"
    #: no further decrease of the loss is resolvable in float64 before the stopping
    #: rule held: the decrease the method expects from its step (``-½ t g·p``; for a
    #: SciPy peer its quadratic model's) is below the allowance
    STALLED = "stalled"
    #: a SciPy peer stopped by a rule of its own (quoted in the message) while its
    #: quadratic model still predicts a decrease above the allowance
    GAVE_UP = "gave_up"
    #: the iterates run off to infinity: the stopping rule held or progress stalled,
    #: yet from x_k the loss keeps falling along the Newton direction to 8 Newton
    #: steps, where a loss with a minimum near x_k would have risen again: x_k is no
    #: minimiser, the loss has none within reach (softmax with a one-hot target and
    #: no regulariser has its infimum at infinity)
    DIVERGING = "diverging"


@dataclass(frozen=True)
class Trajectory:
    """The iterates of one run and what was measured along the way.

    With ``k`` steps taken, per-iterate arrays have length ``k + 1`` (index 0 is
    the start) and per-step arrays length ``k``. All arrays are read-only.

    Attributes
    ----------
    method : the method name, as passed to ``minimize``.
    xs : (k+1, d) iterates, ``xs[0] = x0``.
    loss : (k+1,) ``L(x_i)``.
    grad_norm : (k+1,) ``‖∇L(x_i)‖₂``.
    alpha_sign : (k+1,) sign of the normaliser ``alpha(x_i) = <u(A x_i), 1>``
        (always 1 for softmax).
    log_abs_alpha : (k+1,) ``log|alpha(x_i)|``.
    elapsed : (k+1,) seconds from the call until ``x_i`` and its derivatives were
        known; ``elapsed[0]`` is the cost of evaluating the start.
    step_length : (k,) ``‖x_{i+1} - x_i‖₂``.
    step_size : (k,) line-search factor ``t`` of ``x_{i+1} = x_i + t p_i``
        (1 = the full step), or None for the SciPy peers.
    shift : (k,) ``tau >= 0`` added to the Hessian (model) to make it positive
        definite, ``(H + tau I) p = -g`` (0 = unmodified Newton step); None for
        methods without a Hessian solve.
    pole_rejections : (k,) trial steps refused because the segment to them
        crossed or touched the pole set (unified loss); None for SciPy peers.
    rows_kept : (k,) rows of A entering the sampled Hessian (approx_newton only,
        else None): the sampled rows plus the rows of the negative part.
    spectral_error : (k,) ``‖H_D^{-1/2} H~_D H_D^{-1/2} - I‖₂`` of the sampled
        diagonal part ``H~_D`` against the exact ``H_D = A^T diag(D+) A``
        (approx_newton only, NaN where not measured, else None).
    inner_iterations : (k,) conjugate-gradient iterations per step (newton_cg
        only, else None).
    status : how the run ended (``Status``).
    message : one sentence saying why, with the numbers.
    options : the settings the run used (a read-only dict: tol, max_iter, seed and
        the method's own options).
    """

    method: str
    xs: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    alpha_sign: np.ndarray
    log_abs_alpha: np.ndarray
    elapsed: np.ndarray
    step_length: np.ndarray
    step_size: np.ndarray | None
    shift: np.ndarray | None
    pole_rejections: np.ndarray | None
    rows_kept: np.ndarray | None
    spectral_error: np.ndarray | None
    inner_iterations: np.ndarray | None
    status: Status
    message: str
    options: Mapping

    @property
    def x(self) -> np.ndarray:
        """The last iterate (d,)."""
        return self.xs[-1]

    @property
    def n_iter(self) -> int:
        """Steps taken, ``k``."""
        return self.xs.shape[0] - 1

    @property
    def success(self) -> bool:
        return self.status is Status.CONVERGED

    @property
    def time_per_iteration(self) -> np.ndarray:
        """(k,) seconds spent on each step, ``diff(elapsed)``."""
        return np.diff(self.elapsed)

    def __repr__(self) -> str:
        return (f"Trajectory(method={self.method!r}, n_iter={self.n_iter}, "
                f"status={self.status.value!r}, loss={self.loss[-1]:.6g}, "
                f"grad_norm={self.grad_norm[-1]:.3g})")


class Recorder:
    """Collects iterates and per-step facts; ``finish`` freezes them."""

    def __init__(self, method: str, options: dict, *, per_step: tuple[str, ...] = ()):
        self.method = method
        self.options = dict(options)
        self.start = time.perf_counter()
        self.points: dict[str, list] = {k: [] for k in
                                        ("xs", "loss", "grad_norm", "alpha_sign",
                                         "log_abs_alpha", "elapsed")}
        self.steps: dict[str, list] = {k: [] for k in per_step}

    def point(self, x, loss: float, grad_norm: float, alpha_sign: int,
              log_abs_alpha: float) -> None:
        """Record an iterate; its time stamp is taken now."""
        p = self.points
        p["elapsed"].append(time.perf_counter() - self.start)
        p["xs"].append(np.array(x, dtype=np.float64))
        p["loss"].append(loss)
        p["grad_norm"].append(grad_norm)
        p["alpha_sign"].append(alpha_sign)
        p["log_abs_alpha"].append(log_abs_alpha)

    def step(self, **facts) -> None:
        """Record the facts of the step that led to the latest iterate."""
        for key, value in facts.items():
            self.steps[key].append(value)

    @contextlib.contextmanager
    def paused(self):
        """Time spent inside is left out of ``elapsed`` (diagnostics, not the method)."""
        begin = time.perf_counter()
        try:
            yield
        finally:
            self.start += time.perf_counter() - begin

    @property
    def n_points(self) -> int:
        return len(self.points["xs"])

    def finish(self, status: Status, message: str) -> Trajectory:
        p = self.points
        k = len(p["xs"]) - 1
        xs = frozen(p["xs"])
        step_length = frozen(np.linalg.norm(np.diff(xs, axis=0), axis=1))

        def per_step(name, dtype):
            if name not in self.steps:
                return None
            return frozen(self.steps[name][:k], dtype)

        return Trajectory(
            method=self.method, xs=xs, loss=frozen(p["loss"]), grad_norm=frozen(p["grad_norm"]),
            alpha_sign=frozen(p["alpha_sign"], np.int64),
            log_abs_alpha=frozen(p["log_abs_alpha"]), elapsed=frozen(p["elapsed"]),
            step_length=step_length, step_size=per_step("step_size", np.float64),
            shift=per_step("shift", np.float64),
            pole_rejections=per_step("pole_rejections", np.int64),
            rows_kept=per_step("rows_kept", np.int64),
            spectral_error=per_step("spectral_error", np.float64),
            inner_iterations=per_step("inner_iterations", np.int64),
            status=status, message=message, options=Options(self.options))
