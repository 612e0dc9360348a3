"""Newton-type methods: exact Newton, the approximate Newton method of MATH.md 8
(leverage-score sampled Hessian) and matrix-free Newton-CG.

Each solves for ``p`` in ``H p = -g`` (or a model of it) and steps ``x + t p`` with the
pole-safe line search from ``t = 1``, so in the basin the full Newton steps of the
paper are taken. At an accepted point one product ``A^T [p, s, r]`` gives the
gradient and the rank-two factors of ``H = A^T diag(D) A + U C U^T`` together.

Passes over A (n, d) per step (``benchmarks/scale_newton.py`` times each):

    both     A p (line search; each trial is then O(n)),  [p, s, r]^T A (gradient, U)
    exact    A^T diag(D) A                                  O(n d^2) flops
    approx   S diag(sqrt(D+)) A32   CountSketch, (m, d), m = 50 d, float32 copy A32
             A32 (R^-1 G)           Johnson-Lindenstrauss scores, (n, k), k = 8
             A[rows]^T diag(w) A[rows]  kept rows of D+ (~ C d log(d/delta) / eps^2)
                                    and the rows with D_i < 0 only (the exact
                                    negative part; none near a realizable minimiser)

so the approximate step reads A twice in float64 and twice in float32 (one float32
copy per run), and its flops are O(n d + m d^2 + |rows| d^2) instead of O(n d^2).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import losses, rows
from ..problem import Problem
from ..validation import choice, flag, positive_int, real_scalar
from . import _descent, _sampling
from ._directions import newton_direction, truncated_cg
from ._linesearch import NEAR_POLE, Point
from ._method import LINE_SEARCH, Method, NoOptions
from .result import Recorder, Status, Trajectory

#: ``measure_error=None`` measures the spectral error while ``n d²`` is at most this
#: (the exact ``A^T D A`` it needs is then cheap next to a step)
MEASURE_ERROR_WORK = 2 * 10**7


def _indefinite() -> _descent.Direction:
    return _descent.Direction(None, status=Status.INDEFINITE,
                              message="the Hessian is not finite or no shift τI made it "
                                      "positive definite, so no Newton step exists.")


def _solved(H: np.ndarray, point: Point, **facts) -> _descent.Direction:
    solved = newton_direction(H, point.grad)
    if solved is None:
        return _indefinite()
    return _descent.Direction(solved[0], facts=dict(shift=solved[1], **facts))


# -- exact Newton ------------------------------------------------------------------------

def newton(prob: Problem, x0: np.ndarray, rec: Recorder, *, tol: float, max_iter: int,
           seed: int = 0, options: NoOptions | None = None) -> Trajectory:
    """Exact Newton: ``(H + tau I) p = -g`` by Cholesky (``tau = 0`` whenever H is
    positive definite), H (d, d) assembled from its parts in O(n d²)."""

    def direction(point: Point) -> _descent.Direction:
        with np.errstate(**NEAR_POLE):
            H = (losses.hessian_from_parts(prob.A, point.parts) if point.gram is None
                 else losses.hessian_from_gram(point.gram, point.parts))
        return _solved(H, point)

    return _descent.run(prob, x0, rec, tol=tol, max_iter=max_iter, parts=True,
                        direction=direction, gram=True)


def polish(prob: Problem, x: np.ndarray, *, max_iter: int = 30) -> Trajectory:
    """Exact Newton from ``x`` (off the pole set) to the rounding floor (``tol =
    1e-300``): the reference minimiser of ``diagnostics.diagnose``."""
    rec = Recorder("newton", dict(tol=1e-300, max_iter=max_iter, seed=0),
                   per_step=(*LINE_SEARCH, "shift"))
    return newton(prob, np.array(x, dtype=np.float64), rec, tol=1e-300, max_iter=max_iter)


# -- approximate Newton (MATH.md 8) -----------------------------------------------------

@dataclass(frozen=True)
class ApproxNewtonOptions:
    """``eps`` in (0, 1): accuracy of the sampled Hessian; ``delta`` in (0, 1): failure
    probability over the run (each step uses ``delta / max_iter``); ``leverage``:
    "sketch" (CountSketch + JL, O(nnz(A) + d³)) or "qr" (exact, O(n d²));
    ``oversampling``: the constant C of ``pi_i = min(1, C sigma_i log(d/delta) /
    eps²)``; ``sketch_size``, ``jl_dim``: rows of the CountSketch (default ``50 d``,
    at most n; ``_sampling.SKETCH_ROWS_PER_COLUMN`` says why) and columns of the
    Johnson-Lindenstrauss projection (default 8);
    ``measure_error``: measure the spectral error of each sampled Hessian (O(n d²);
    default on while ``n d² <= MEASURE_ERROR_WORK``; its time is left out of
    ``elapsed``)."""

    eps: float = 0.5
    delta: float = 0.01
    leverage: str = "sketch"
    oversampling: float = _sampling.OVERSAMPLING
    sketch_size: int | None = None
    jl_dim: int | None = None
    measure_error: bool | None = None

    def checked(self, prob: Problem) -> ApproxNewtonOptions:
        unit = dict(low=0.0, high=1.0, low_open=True, high_open=True)
        sketch_size = self.sketch_size
        if sketch_size is not None:
            sketch_size = positive_int(
                "sketch_size", sketch_size, high=prob.n,
                why="n, the rows of A: a CountSketch with more rows only adds empty ones")
        if self.leverage == "qr" and not rows.in_memory(prob.A):
            raise ValueError("leverage='qr' needs A in memory (a thin QR of the scaled n × d "
                             "matrix); use leverage='sketch' for a memory-mapped or dask A.")
        return replace(
            self, eps=real_scalar("eps", self.eps, **unit),
            delta=real_scalar("delta", self.delta, **unit),
            leverage=choice("leverage", self.leverage, _sampling.LEVERAGE),
            oversampling=real_scalar("oversampling", self.oversampling, low=0.0,
                                     low_open=True),
            sketch_size=sketch_size,
            jl_dim=None if self.jl_dim is None else positive_int("jl_dim", self.jl_dim),
            measure_error=(prob.n * prob.d**2 <= MEASURE_ERROR_WORK if self.measure_error is None
                           else flag("measure_error", self.measure_error)))


def approx_newton(prob: Problem, x0: np.ndarray, rec: Recorder, *, tol: float,
                  max_iter: int, seed: int, options: ApproxNewtonOptions) -> Trajectory:
    """The approximate Newton method of MATH.md 8: ``H~ p = -g`` with the diagonal part
    of H sampled by leverage scores (failure probability ``delta / max_iter`` per
    step), its negative part and the rank-two part exact; the random draws come from
    ``seed``. Sketched scores read a float32 copy of A, made once per run."""
    o = options
    rng = np.random.default_rng(seed)
    step_delta = o.delta / max_iter
    low = rows.as_float32(prob.A) if o.leverage == "sketch" else None

    def direction(point: Point) -> _descent.Direction:
        D = point.parts.D
        sample = _sampling.subsample(prob.A, D, eps=o.eps, delta=step_delta, rng=rng,
                                     leverage=o.leverage, oversampling=o.oversampling,
                                     sketch_size=o.sketch_size, jl_dim=o.jl_dim,
                                     sketch_matrix=low)
        H = _sampling.gram(prob.A, sample.rows, sample.weights) + point.parts.rank_two
        error = np.nan
        if o.measure_error:
            with rec.paused():  # a diagnostic, not part of the method's cost
                error = _sampling.spectral_error(prob.A, D, sample)
        return _solved(H, point, rows_kept=sample.rows.size, spectral_error=error)

    return _descent.run(prob, x0, rec, tol=tol, max_iter=max_iter, parts=True,
                        direction=direction)


# -- Newton-CG ---------------------------------------------------------------------------

@dataclass(frozen=True)
class NewtonCGOptions:
    """``cg_max_iter``: conjugate-gradient iterations per step (default ``2 d``)."""

    cg_max_iter: int | None = None

    def checked(self, prob: Problem) -> NewtonCGOptions:
        return replace(self, cg_max_iter=(2 * prob.d if self.cg_max_iter is None else
                                          positive_int("cg_max_iter", self.cg_max_iter)))


def newton_cg(prob: Problem, x0: np.ndarray, rec: Recorder, *, tol: float, max_iter: int,
              seed: int, options: NewtonCGOptions) -> Trajectory:
    """Matrix-free truncated Newton: CG on ``H p = -g`` with Hessian-vector products
    ``A^T (D ∘ (A v)) + U C U^T v`` (two passes over A each), to the forcing tolerance
    ``min(0.5, sqrt(‖g‖ / ‖g_0‖)) ‖g‖`` (superlinear near the minimiser)."""
    g0 = []

    def direction(point: Point) -> _descent.Direction:
        if not g0:
            g0.append(point.grad_norm)
        forcing = min(0.5, np.sqrt(point.grad_norm / g0[0]))
        with np.errstate(**NEAR_POLE):
            cg = truncated_cg(lambda v: losses.hvp_from_parts(prob.A, point.parts, v),
                              point.grad, forcing, options.cg_max_iter)
        if not (cg.finite and np.all(np.isfinite(cg.p))):
            return _descent.Direction(None, status=Status.NON_FINITE,
                                      message="the Hessian-vector products are not finite.")
        return _descent.Direction(cg.p, facts=dict(inner_iterations=cg.iterations))

    return _descent.run(prob, x0, rec, tol=tol, max_iter=max_iter, parts=True,
                        direction=direction)


METHODS = (
    Method("newton", newton, max_iter=100, per_step=(*LINE_SEARCH, "shift")),
    Method("approx_newton", approx_newton, max_iter=200, options=ApproxNewtonOptions,
           per_step=(*LINE_SEARCH, "shift", "rows_kept", "spectral_error")),
    Method("newton_cg", newton_cg, max_iter=200, options=NewtonCGOptions,
           per_step=(*LINE_SEARCH, "inner_iterations")),
)
