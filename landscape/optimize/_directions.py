"""Newton directions: ``(H + tau I) p = -g`` by Cholesky with an eigenvalue shift
where H is not positive definite, and truncated conjugate gradients on ``H p = -g``
with Hessian-vector products only (H, d x d; g, p of shape (d,))."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from ..linalg import eigenvalue_range

#: a modified Hessian's smallest eigenvalue is at least this times its largest |eigenvalue|
SHIFT_FLOOR = 1e-8
#: doublings of the shift tau before the Hessian counts as beyond repair
MAX_SHIFTS = 20


def _solve(H: np.ndarray, g: np.ndarray) -> np.ndarray | None:
    """``-H^{-1} g`` by Cholesky; None where the factorisation fails (H not
    numerically positive definite) or the solution is not finite."""
    try:
        p = -sla.cho_solve(sla.cho_factor(H, check_finite=False), g, check_finite=False)
    except np.linalg.LinAlgError:
        return None
    return p if np.all(np.isfinite(p)) else None


def newton_direction(H: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, float] | None:
    """``(p, tau)`` with ``p = -(H + tau I)^{-1} g``: ``tau = 0`` when the Cholesky
    factorisation of H succeeds and gives a descent direction (``g·p < 0``); otherwise
    ``tau`` lifts the smallest eigenvalue to ``max(|lambda_min|, SHIFT_FLOOR
    |lambda|_max)``, doubling while the factorisation fails or ``g·p >= 0``.

    None only where H is not finite or no shift gives a factorisation (the Hessian
    is beyond repair). Where factorisations succeed but ``g·p`` stays ``>= 0`` (g so
    small that rounding decides its sign), the last solution is returned and the
    caller judges the slope.
    """
    p = _solve(H, g)
    if p is not None and g @ p < 0:
        return p, 0.0
    if not np.all(np.isfinite(H)):
        return None
    solved = None if p is None else (p, 0.0)
    smallest, largest = eigenvalue_range(H)
    top = max(abs(smallest), abs(largest), np.finfo(float).tiny)
    tau = -smallest + max(abs(smallest), SHIFT_FLOOR * top) if smallest < 0 else SHIFT_FLOOR * top
    eye = np.eye(H.shape[0])
    for _ in range(MAX_SHIFTS):
        p = _solve(H + tau * eye, g)
        if p is not None:
            if g @ p < 0:
                return p, float(tau)
            solved = (p, float(tau))
        tau *= 2.0
    return solved


@dataclass
class ConjugateGradient:
    """What ``truncated_cg`` returns: the direction ``p`` (d,), the iterations used,
    and whether it met non-positive (``negative``) or non-finite curvature."""

    p: np.ndarray
    iterations: int
    negative: bool = False
    finite: bool = True


def truncated_cg(matvec: Callable[[np.ndarray], np.ndarray], g: np.ndarray, rtol: float,
                 max_iter: int) -> ConjugateGradient:
    """Approximate ``H p = -g`` by conjugate gradients from ``p = 0``, stopped when the
    residual is below ``rtol ‖g‖``, at ``max_iter``, or on a direction ``v`` of
    non-positive curvature ``v·Hv <= 0``: then the last iterate, or on the first
    iteration ``-g`` scaled by ``‖g‖² / |g·Hg|`` (the step at which the curvature
    term matches the linear decrease), with ``|g·Hg|`` kept above ``SHIFT_FLOOR ‖g‖
    ‖Hg‖``. p is a descent direction; each iterate satisfies ``p·Hp = -g·p``
    (Galerkin) while the curvature stays positive."""
    p = np.zeros_like(g)
    r = g.copy()  # residual H p + g
    direction = -r
    rr = float(r @ r)
    stop = rtol * np.sqrt(rr)
    for i in range(max_iter):
        hd = matvec(direction)
        curvature = float(direction @ hd)
        if not curvature > 0:
            finite = bool(np.isfinite(curvature))
            if i > 0:
                return ConjugateGradient(p, i + 1, negative=finite, finite=finite)
            floor = SHIFT_FLOOR * np.sqrt(rr) * float(np.linalg.norm(hd))
            scale = rr / max(abs(curvature), floor) if max(abs(curvature), floor) > 0 else 1.0
            return ConjugateGradient(-scale * g, 1, negative=finite, finite=finite)
        step = rr / curvature
        p += step * direction
        r += step * hd
        rr_new = float(r @ r)
        if np.sqrt(rr_new) <= stop:
            return ConjugateGradient(p, i + 1)
        direction = -r + (rr_new / rr) * direction
        rr = rr_new
    return ConjugateGradient(p, max_iter)
