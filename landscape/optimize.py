"""Minimisers of the loss and diagnostics of how they converge.

    traj = minimize(prob, x0, method="newton")          # -> Trajectory
    conv = diagnose(prob, traj)                          # -> Convergence

One public dispatcher, ``minimize``, runs any of ``METHODS``:

=================  ==================================================================
``newton``         exact Newton: Cholesky solve of ``H p = -g``; an eigenvalue shift
                   ``(H + tau I)`` where H is not positive definite; backtracking
                   (Armijo) when the full step does not decrease the loss
``approx_newton``  the paper's method (MATH.md 8): the diagonal part of H sampled by
                   leverage scores, its negative part and rank-two part exact
``gd``             gradient descent, backtracking (``step="armijo"``) or ``1/L`` with
                   the global softmax bound (``step="constant"``)
``newton_cg``      matrix-free truncated Newton: conjugate gradients with
                   Hessian-vector products, for large d
``lbfgs``          SciPy's L-BFGS-B          \\
``bfgs``           SciPy's BFGS               | the peers, through
``trust_exact``    SciPy's trust-exact        | ``scipy.optimize.minimize`` with the
``trust_krylov``   SciPy's trust-krylov      /  same loss, gradient and Hessian
=================  ==================================================================

Every method stops when ``||grad L(x_k)|| <= tol * ||grad L(x_0)||`` and records its
iterates into a frozen ``Trajectory``. Outcomes (iteration limit, an indefinite
Hessian, a step into the pole set, non-finite values, no resolvable progress) are a
``Status`` with a message, never an exception; only bad input raises ValueError.

Our line-search methods guard the pole set of the unified loss (MATH.md 5): they
start where ``alpha(x0) > 0`` and shorten any step whose segment reaches
``alpha <= 0`` or whose end lies next to the pole set (``Trajectory.pole_rejections``
counts the refusals). The SciPy peers get the same guard from their oracle: a trial
point whose step from SciPy's current iterate reaches the pole set is answered with a
model that lies above the current loss and has its minimum half-way to the pole set,
so SciPy's line searches and trust regions shorten the step (landscape._peers); the
message counts these refusals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
from scipy.sparse.linalg import LinearOperator, eigsh

from . import _descent, _peers, _sampling
from ._trajectory import Recorder, Status, Trajectory
from .problem import PoleError, Problem
from .validation import choice, describe, flag, instance, positive_int, real_scalar, seed_value

__all__ = ["METHODS", "Status", "Trajectory", "minimize", "Rate", "BasinCondition",
           "Convergence", "convergence_rate", "basin_condition", "diagnose"]

METHODS = ("newton", "approx_newton", "gd", "newton_cg", "lbfgs", "bfgs", "trust_exact",
           "trust_krylov")
#: ``max_iter`` when none is given
DEFAULT_MAX_ITER = {"newton": 100, "approx_newton": 200, "gd": 10_000, "newton_cg": 200,
                    "lbfgs": 10_000, "bfgs": 10_000, "trust_exact": 200, "trust_krylov": 200}
#: largest number of stored iterate entries ((max_iter + 1) * d): 256 MB of float64
MAX_STORED = 2**25
#: method options and their defaults (None: chosen from the problem's size)
OPTIONS = {
    "newton": {},
    "approx_newton": dict(eps=0.5, delta=0.01, leverage="sketch",
                          oversampling=_sampling.OVERSAMPLING, sketch_size=None, jl_dim=None,
                          measure_error=None),
    "gd": dict(step="armijo"),
    "newton_cg": dict(cg_max_iter=None),
    "lbfgs": {}, "bfgs": {}, "trust_exact": {}, "trust_krylov": {},
}
#: ``measure_error=None`` measures the spectral error while ``n d^2`` is at most this
#: (the exact ``A^T D A`` it needs then costs about 10 ms)
MEASURE_ERROR_WORK = 2 * 10**7
GD_STEPS = ("armijo", "constant")


def minimize(prob: Problem, x0, method: str = "newton", *, tol: float = 1e-10,
             max_iter: int | None = None, seed: int = 0, **options) -> Trajectory:
    """Minimise ``prob``'s loss from ``x0`` with ``method``; the path as a Trajectory.

    Parameters
    ----------
    prob : Problem
    x0 : (d,) start, finite, off the pole set (``alpha(x0) > 0``; x = 0 gives
        ``alpha = n``).
    method : one of ``METHODS``.
    tol : stop when ``||grad L(x_k)||_2 <= tol * ||grad L(x0)||_2`` (relative, > 0).
    max_iter : most steps (default ``DEFAULT_MAX_ITER[method]``, capped so that the
        stored iterates stay within ``MAX_STORED`` entries).
    seed : seed of the random sampling of ``approx_newton`` (other methods are
        deterministic); the same seed gives the same path.
    **options : per method (``OPTIONS``):

        approx_newton
            ``eps`` in (0, 1), accuracy of the sampled Hessian (default 0.5);
            ``delta`` in (0, 1), failure probability over the run (0.01; each step
            uses ``delta / max_iter``); ``leverage``: "sketch" (CountSketch + JL,
            O(nnz(A) + d^3)) or "qr" (exact, O(n d^2)); ``oversampling``: the
            constant C of ``pi_i = min(1, C sigma_i log(d/delta) / eps^2)`` (4);
            ``sketch_size``, ``jl_dim``: rows of the CountSketch (default
            ``2 d^2``) and columns of the Johnson-Lindenstrauss projection
            (default 8); ``measure_error``: measure the spectral error of each
            sampled Hessian (O(n d^2), default on while ``n d^2 <= 2e7``; its time
            is left out of ``elapsed``).
        gd
            ``step``: "armijo" (backtracking from an adaptive trial step) or
            "constant" (``1/L`` with the global bound ``L = (7 + 6 ||b||_inf +
            max w^2) ||A||_2^2`` of MATH.md 4; softmax only).
        newton_cg
            ``cg_max_iter``: CG iterations per step (default 2 d).

    Returns
    -------
    Trajectory
        Iterates ``xs`` (k+1, d) and what was measured; ``status`` and ``message``
        say how the run ended.

    Raises
    ------
    ValueError
        For bad input only: an unknown method or option, ``tol <= 0``,
        ``max_iter <= 0``, ``eps`` or ``delta`` outside (0, 1), ``x0`` of the
        wrong length, not finite, or on (or beyond) the pole set.
    """
    instance("prob", prob, Problem, "a landscape.Problem")
    method = choice("method", method, METHODS)
    tol = real_scalar("tol", tol, low=0.0, low_open=True)
    seed = seed_value("seed", seed)
    x0 = np.array(prob.check_point(x0, "x0"))
    settings = _options(method, options, prob)
    limit = MAX_STORED // prob.d - 1
    if max_iter is None:
        max_iter = max(1, min(DEFAULT_MAX_ITER[method], limit))
    else:
        max_iter = positive_int("max_iter", max_iter, high=max(1, limit))
    _check_start(prob, x0)

    rec = Recorder(method, dict(tol=tol, max_iter=max_iter, seed=seed, **settings),
                   per_step=_PER_STEP[method])
    common = dict(tol=tol, max_iter=max_iter)
    if method == "newton":
        return _descent.newton(prob, x0, rec, **common)
    if method == "approx_newton":
        return _descent.approx_newton(prob, x0, rec, rng=np.random.default_rng(seed),
                                      **common, **settings)
    if method == "gd":
        constant = settings["step"] == "constant"
        lipschitz = _softmax_lipschitz(prob) if constant else _curvature_scale(prob, x0)
        return _descent.gradient_descent(prob, x0, rec, lipschitz=lipschitz,
                                         adaptive=not constant, **common)
    if method == "newton_cg":
        return _descent.newton_cg(prob, x0, rec, **common, **settings)
    return _peers.run_scipy(prob, x0, rec, method, **common)


_LINE_SEARCH = ("step_size", "pole_rejections")
_PER_STEP = {"newton": (*_LINE_SEARCH, "shift"),
             "approx_newton": (*_LINE_SEARCH, "shift", "rows_kept", "spectral_error"),
             "gd": _LINE_SEARCH, "newton_cg": (*_LINE_SEARCH, "inner_iterations"),
             "lbfgs": (), "bfgs": (), "trust_exact": (), "trust_krylov": ()}


def _options(method: str, options: dict, prob: Problem) -> dict:
    """The method's options, defaults filled in, each checked."""
    known = OPTIONS[method]
    unknown = sorted(set(options) - set(known))
    if unknown:
        allowed = ", ".join(known) if known else "none"
        name = unknown[0]
        raise ValueError(f"option {name!r} is not known for method {method!r} "
                         f"(its options: {allowed}); received {name}={options[name]!r}.")
    out = {**known, **options}
    if method == "approx_newton":
        out["eps"] = real_scalar("eps", out["eps"], low=0.0, high=1.0, low_open=True,
                                 high_open=True)
        out["delta"] = real_scalar("delta", out["delta"], low=0.0, high=1.0, low_open=True,
                                   high_open=True)
        out["leverage"] = choice("leverage", out["leverage"], _sampling.LEVERAGE)
        out["oversampling"] = real_scalar("oversampling", out["oversampling"], low=0.0,
                                          low_open=True)
        if out["sketch_size"] is not None:
            out["sketch_size"] = positive_int(
                "sketch_size", out["sketch_size"], high=prob.n,
                why="n, the rows of A: a CountSketch with more rows only adds empty ones")
        if out["jl_dim"] is not None:
            out["jl_dim"] = positive_int("jl_dim", out["jl_dim"])
        out["measure_error"] = (prob.n * prob.d**2 <= MEASURE_ERROR_WORK
                                if out["measure_error"] is None
                                else flag("measure_error", out["measure_error"]))
    elif method == "gd":
        out["step"] = choice("step", out["step"], GD_STEPS)
        if out["step"] == "constant" and prob.gamma != 0:
            raise ValueError("step='constant' needs the softmax loss (gamma = 0): only there "
                             "is the gradient globally Lipschitz (MATH.md 4); received gamma = "
                             f"{prob.gamma:g}. Use step='armijo'.")
    elif method == "newton_cg":
        out["cg_max_iter"] = (2 * prob.d if out["cg_max_iter"] is None
                              else positive_int("cg_max_iter", out["cg_max_iter"]))
    return out


def _check_start(prob: Problem, x0: np.ndarray) -> None:
    ev = prob.evaluate(x0)
    if ev.alpha_sign > 0 and not ev.near_pole:
        return
    if ev.alpha_sign == 0:
        where = "a point on it (alpha(x0) = 0)"
    elif ev.alpha_sign < 0:
        where = (f"a point beyond it (alpha(x0) < 0, log|alpha| = {ev.log_abs_alpha:.3g}), "
                 "where stationary points are spurious")
    else:
        where = (f"a point next to it (alpha(x0) = exp({ev.log_abs_alpha:.3g}) is below 1e-8 "
                 "of the size of its terms)")
    raise ValueError("x0 must lie off the pole set of the unified loss, where alpha(x0) > 0 "
                     f"(MATH.md 5; x0 = 0 gives alpha = n); received {where}.")


def _spectral_norm(A: np.ndarray) -> float:
    """``||A||_2``: dense SVD up to d = 1000, Lanczos above."""
    if min(A.shape) <= 1000:
        return float(np.linalg.norm(A, 2))
    op = LinearOperator((A.shape[1],) * 2, matvec=lambda v: A.T @ (A @ v), dtype=np.float64)
    top = eigsh(op, k=1, which="LA", v0=np.ones(A.shape[1]), return_eigenvectors=False)
    return float(np.sqrt(top[0]))


def _softmax_lipschitz(prob: Problem) -> float:
    """``(7 + 6 ||b||_inf + max w^2) ||A||_2^2``: ``hess L <= L I`` everywhere for
    softmax, since ``B <= (7 + 6 ||b||_inf) I`` (MATH.md 4)."""
    return (7.0 + 6.0 * float(np.max(np.abs(prob.b))) + float(prob.w2.max())) \
        * _spectral_norm(prob.A) ** 2


def _curvature_scale(prob: Problem, x0: np.ndarray, iterations: int = 20) -> float:
    """``|lambda|_max`` of ``hess L(x0)`` by power iteration: the first trial step of
    backtracking gradient descent is its inverse."""
    op = prob.hessian_operator(x0)
    v = np.ones(prob.d) / np.sqrt(prob.d)  # a fixed start: the same path every run
    scale = 0.0
    for _ in range(iterations):
        hv = op @ v
        scale = float(np.linalg.norm(hv))
        if not np.isfinite(scale) or scale == 0:
            break
        v = hv / scale
    return scale if np.isfinite(scale) and scale > 0 else 1.0


# -- convergence diagnostics --------------------------------------------------------

@dataclass(frozen=True)
class Rate:
    """Order and rate of convergence estimated from an error sequence ``e_k``.

    ``ratios`` (m,) are ``e_{k+1} / e_k`` over the errors above the floor;
    ``order`` is the median of ``q_k = log(e_{k+1}/e_k) / log(e_k/e_{k-1})`` over the
    last three usable triples (1: linear, 2: quadratic), ``rate`` the median of the
    last five ratios (the linear contraction factor). NaN where too few errors lie
    above the floor.
    """

    order: float
    rate: float
    ratios: np.ndarray
    n_used: int


def convergence_rate(errors, *, floor: float = 0.0) -> Rate:
    """``Rate`` of ``errors`` (k+1,), using the leading run of errors above ``floor``
    (below it rounding, not the method, sets the error)."""
    e = np.asarray(errors, dtype=np.float64)
    above = np.isfinite(e) & (e > floor)
    used = int(np.argmin(above)) if not above.all() else e.size
    e = e[:used]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = e[1:] / e[:-1]
        logs = np.log(ratios)
        q = logs[1:] / logs[:-1]
    q = q[np.isfinite(q) & (ratios[:-1] < 1)]
    order = float(np.median(q[-3:])) if q.size else float("nan")
    rate = float(np.median(ratios[-5:])) if ratios.size else float("nan")
    return Rate(order=order, rate=rate, ratios=_readonly(ratios), n_used=used)


@dataclass(frozen=True)
class BasinCondition:
    """The paper's start condition ``M ||x0 - x*|| <= 0.1 l`` ((l, M)-good loss).

    ``strong_convexity`` is the paper's l, the smallest eigenvalue of
    ``hess L(x*)``; ``hessian_lipschitz`` its M, measured as the largest
    ``||hess L(y) - hess L(x*)||_2 / ||y - x*||`` over points y on the segment to x0
    and in random directions at the same distance; ``lipschitz_bound`` the softmax
    bound ``(31 + 13 ||b||_2) ||A||_2^3`` of MATH.md 4 (NaN for gamma > 0, where no
    such bound exists). ``holds`` uses the measured M, ``holds_bound`` the bound.
    """

    holds: bool
    holds_bound: bool
    distance: float
    strong_convexity: float
    hessian_lipschitz: float
    lipschitz_bound: float


def basin_condition(prob: Problem, x0, x_star, *, samples: int = 8,
                    seed: int = 0) -> BasinCondition:
    """Whether ``x0`` satisfies ``M ||x0 - x*|| <= 0.1 l`` around the minimiser ``x_star``.

    ``samples`` Hessians are compared with ``hess L(x*)`` (half on the segment from x*
    to x0, half at the same distance in seeded random directions); each costs
    O(n d^2) (O(nnz(A)) per product through Lanczos above d = 1000).
    """
    x0 = prob.check_point(x0, "x0")
    x_star = prob.check_point(x_star, "x_star")
    samples = positive_int("samples", samples)
    rng = np.random.default_rng(seed_value("seed", seed))
    distance = float(np.linalg.norm(x0 - x_star))
    h_star = _hessian_at(prob, x_star)
    smallest = _extreme_eigenvalue(h_star, prob.d, smallest=True)
    lipschitz = 0.0
    if distance > 0:
        on_segment = [x_star + (j / (samples // 2 or 1)) * (x0 - x_star)
                      for j in range(1, samples // 2 + 1)]
        directions = rng.standard_normal((samples - len(on_segment), prob.d))
        around = [x_star + distance * u / np.linalg.norm(u) for u in directions]
        for y in on_segment + around:
            try:
                diff = _difference(_hessian_at(prob, y), h_star)
            except PoleError:
                lipschitz = float("inf")
                break
            lipschitz = max(lipschitz, _norm_2(diff, prob.d) / float(np.linalg.norm(y - x_star)))
    bound = float("nan")
    if prob.gamma == 0:
        bound = (31.0 + 13.0 * float(np.linalg.norm(prob.b))) * _spectral_norm(prob.A) ** 3
    rhs = 0.1 * smallest
    return BasinCondition(holds=bool(smallest > 0 and lipschitz * distance <= rhs),
                          holds_bound=bool(smallest > 0 and bound * distance <= rhs),
                          distance=distance, strong_convexity=smallest, hessian_lipschitz=lipschitz,
                          lipschitz_bound=bound)


@dataclass(frozen=True)
class Convergence:
    """How a trajectory approached the minimiser ``x_star``.

    ``error`` (k+1,) is ``||x_k - x*||_2``; ``error_hessian`` (k+1,) is
    ``||x_k - x*||_{H*} = sqrt((x_k - x*)^T hess L(x*) (x_k - x*))``, the norm in
    which approximate Newton contracts by about eps per step (MATH.md 8).
    ``euclidean`` and ``hessian`` are their estimated orders and rates; ``basin``
    the paper's start condition at ``xs[0]``.
    """

    x_star: np.ndarray
    error: np.ndarray
    error_hessian: np.ndarray
    euclidean: Rate
    hessian: Rate
    basin: BasinCondition


def diagnose(prob: Problem, trajectory: Trajectory, x_star=None, *,
             seed: int = 0) -> Convergence:
    """Errors, order and rate of convergence of ``trajectory`` and the basin condition
    at its start.

    ``x_star`` defaults to a tight exact Newton solve (run to the rounding floor) from
    the trajectory's last iterate. Errors below ``1e-11 max(||x*||, e_0)`` (in each
    norm, with that norm's ``||x*||`` and first error ``e_0``) are left out of the
    rates: there rounding in x* dominates.
    """
    if not isinstance(trajectory, Trajectory):
        raise ValueError(f"trajectory must be a Trajectory; received {describe(trajectory)}.")
    if x_star is None:
        x_star = minimize(prob, trajectory.x, "newton", tol=1e-300, max_iter=30).x
    x_star = prob.check_point(x_star, "x_star")
    delta = trajectory.xs - x_star
    error = np.linalg.norm(delta, axis=1)
    h_star = _hessian_at(prob, x_star)
    h_delta = (h_star @ delta.T).T if isinstance(h_star, np.ndarray) else \
        np.array([h_star @ row for row in delta])
    error_hessian = np.sqrt(np.maximum(np.einsum("ij,ij->i", delta, h_delta), 0.0))
    star_hessian = np.sqrt(max(float(x_star @ (h_star @ x_star)), 0.0))
    floor = 1e-11 * max(float(np.linalg.norm(x_star)), float(error[0]))
    floor_hessian = 1e-11 * max(star_hessian, float(error_hessian[0]))
    return Convergence(x_star=_readonly(x_star), error=_readonly(error),
                       error_hessian=_readonly(error_hessian),
                       euclidean=convergence_rate(error, floor=floor),
                       hessian=convergence_rate(error_hessian, floor=floor_hessian),
                       basin=basin_condition(prob, trajectory.xs[0], x_star, seed=seed))


def _readonly(a) -> np.ndarray:
    out = np.array(a, dtype=np.float64)
    out.setflags(write=False)
    return out


#: above this d, Hessians stay operators and eigenvalues come from Lanczos
_DENSE_DIAGNOSTICS_D = 1000


def _hessian_at(prob: Problem, x):
    if prob.d <= _DENSE_DIAGNOSTICS_D:
        return prob.hessian(x)
    return prob.hessian_operator(x)


def _difference(h1, h2):
    if isinstance(h1, np.ndarray):
        return h1 - h2
    return LinearOperator(h1.shape, matvec=lambda v: h1 @ v - h2 @ v, dtype=np.float64)


def _extreme_eigenvalue(h, d: int, *, smallest: bool) -> float:
    if isinstance(h, np.ndarray):
        lam = sla.eigh(h, eigvals_only=True, check_finite=False)
        return float(lam[0] if smallest else lam[-1])
    which = "SA" if smallest else "LA"
    return float(eigsh(h, k=1, which=which, v0=np.ones(d), return_eigenvectors=False)[0])


def _norm_2(h, d: int) -> float:
    if isinstance(h, np.ndarray):
        lam = sla.eigh(h, eigvals_only=True, check_finite=False)
        return float(max(abs(lam[0]), abs(lam[-1])))
    return float(abs(eigsh(h, k=1, which="LM", v0=np.ones(d), return_eigenvectors=False)[0]))
