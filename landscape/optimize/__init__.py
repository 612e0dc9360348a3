"""Minimisers of the loss: the dispatcher ``minimize`` over a table of methods.

    traj = minimize(prob, x0, method="newton")          # -> Trajectory (result.py)
    conv = diagnose(prob, traj)                          # -> Convergence (diagnostics.py)

=================  ==================================================================
``newton``         exact Newton: Cholesky solve of ``H p = -g``; an eigenvalue shift
                   ``(H + tau I)`` where H is not positive definite (``_newton``)
``approx_newton``  the paper's method (MATH.md 8): the diagonal part of H sampled by
                   leverage scores (``_sampling``), its negative and rank-two parts exact
``gd``             gradient descent, backtracking or the constant step ``1/L`` of the
                   global softmax bound (``_first_order``)
``newton_cg``      matrix-free truncated Newton: conjugate gradients with
                   Hessian-vector products, for large d (``_newton``)
``lbfgs``          SciPy's L-BFGS-B          \\
``bfgs``           SciPy's BFGS               | the peers (``_peers``), through
``trust_exact``    SciPy's trust-exact        | ``scipy.optimize.minimize`` with the
``trust_krylov``   SciPy's trust-krylov      /  same loss, gradient and Hessian
=================  ==================================================================

Each method declares its options (names, defaults, checks) next to its code, in a
``_method.Method`` row of the table. Every method stops when ``‖g_k‖ <= tol ‖g_0‖``
and records its iterates into a frozen ``Trajectory``; how it ended is a ``Status``
with a message, never an exception (``_endings`` judges stalls and runs to
infinity); only bad input raises ValueError.

The line-search methods (``_descent``, ``_linesearch``) guard the pole set of the
unified loss (MATH.md 5): they start where ``alpha(x0) > 0`` off the pole set and
shorten any step whose segment reaches it. The SciPy peers get the same guard from
their oracle, which answers a trial step across the pole set with a model whose
minimum lies half-way to it.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np

from ..limits import MAX_STORED
from ..losses import POLE_RTOL
from ..problem import Problem, check_problem
from ..text import number
from ..validation import choice, positive_int, real_scalar, seed_value
from . import _first_order, _newton, _peers
from ._sampling import RowSample, row_sample
from .diagnostics import Convergence, Rate, convergence_rate, diagnose, fitted_order
from .result import Recorder, Status, Trajectory

__all__ = ["METHODS", "Status", "Trajectory", "minimize", "Rate", "Convergence",
           "convergence_rate", "diagnose", "fitted_order", "RowSample", "row_sample"]

METHODS = ("newton", "approx_newton", "gd", "newton_cg", "lbfgs", "bfgs", "trust_exact",
           "trust_krylov")
_TABLE = {m.name: m for m in (*_newton.METHODS, *_first_order.METHODS, *_peers.METHODS)}
assert set(_TABLE) == set(METHODS)


def minimize(prob: Problem, x0, method: str = "newton", *, tol: float = 1e-10,
             max_iter: int | None = None, seed: int = 0, **options) -> Trajectory:
    """Minimise ``prob``'s loss from ``x0`` with ``method``; the path as a Trajectory.

    Parameters
    ----------
    prob : Problem
    x0 : (d,) start, finite, off the pole set: ``alpha(x0) > 0`` and not a
        cancellation (``Evaluation.near_pole``; x = 0 gives ``alpha = n``).
    method : one of ``METHODS``.
    tol : stop when ``‖∇L(x_k)‖₂ <= tol ‖∇L(x0)‖₂`` (relative, > 0).
    max_iter : most steps (default per method: 100 for newton, 200 for
        approx_newton, newton_cg and the trust-region peers, 10 000 for gd, lbfgs and
        bfgs; capped so that the stored iterates stay within ``MAX_STORED`` entries).
    seed : seed of the random sampling of ``approx_newton`` (other methods are
        deterministic); the same seed gives the same path.
    **options : the method's own, each documented on its options class:
        approx_newton: ``_newton.ApproxNewtonOptions`` (eps, delta, leverage,
        oversampling, sketch_size, jl_dim, measure_error); gd:
        ``_first_order.GradientDescentOptions`` (step); newton_cg:
        ``_newton.NewtonCGOptions`` (cg_max_iter); the others have none.

    Returns
    -------
    Trajectory
        Iterates ``xs`` (k+1, d) and what was measured; ``status`` and ``message``
        say how the run ended.

    Raises
    ------
    ValueError
        For bad input only: an unknown method or option, ``tol <= 0``,
        ``max_iter <= 0``, an option outside its range, ``x0`` of the wrong
        length, not finite, or on, beyond or next to the pole set.
    """
    check_problem(prob)
    method = choice("method", method, METHODS)
    tol = real_scalar("tol", tol, low=0.0, low_open=True)
    seed = seed_value("seed", seed)
    x0 = np.array(prob.check_point(x0, "x0"))
    spec = _TABLE[method]
    settings = spec.settings(options, prob)
    limit = max(1, MAX_STORED // prob.d - 1)
    max_iter = (min(spec.max_iter, limit) if max_iter is None
                else positive_int("max_iter", max_iter, high=limit))
    _check_start(prob, x0)
    rec = Recorder(method, dict(tol=tol, max_iter=max_iter, seed=seed, **asdict(settings)),
                   per_step=spec.per_step)
    return spec.run(prob, x0, rec, tol=tol, max_iter=max_iter, seed=seed, options=settings)


def _check_start(prob: Problem, x0: np.ndarray) -> None:
    """Refuse a start on, beyond or next to the pole set (``near_pole``: the
    normaliser's condition number ``kappa`` above ``1 / losses.POLE_RTOL``)."""
    ev = prob.evaluate(x0)
    if ev.alpha_sign > 0 and not ev.near_pole:
        return
    if ev.alpha_sign == 0:
        where = "a point on it (α(x0) = 0)"
    elif ev.alpha_sign < 0:
        where = (f"a point beyond it (α(x0) < 0, log|α| = {number(ev.log_abs_alpha, 3)}), "
                 "where stationary points are spurious")
    else:
        kappa = ev.alpha_condition
        where = (f"a point next to it: α(x0) = e^{number(ev.log_abs_alpha, 3)} cancels terms "
                 f"κ = Σ(e^z + γ|z|) / |α| = {number(kappa, 2)} times larger (above "
                 f"{number(1 / POLE_RTOL)}), so the loss and its derivatives there carry "
                 f"relative errors of about κε = {number(kappa * np.finfo(float).eps, 2)}")
    raise ValueError("x0 must lie off the pole set of the unified loss, where α(x0) > 0 "
                     f"(MATH.md 5; x0 = 0 gives α = n); received {where}.")
