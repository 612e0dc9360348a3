"""The loss on a plane and along a line: the fast plane evaluator of MATH.md 7.

On the plane ``x = center + a u + c v`` every ``z = A x`` is ``P + a Q + c R`` with
``P = A center``, ``Q = A u``, ``R = A v`` (each (n,)). The exponential separates,
``exp(z_i) = exp(P_i + a Q_i) exp(c R_i)``, so every sum the loss needs is a matrix
product between a factor of the grid's columns (a) and one of its rows (c); the
rest are polynomials in a and c. ``surface_2d`` evaluates a G x G grid with five
(G x n)(n x G) products instead of G^2 n exponentials, and re-evaluates directly the
few cells where those sums lose digits. ``evaluate_plane_direct`` is the reference:
z broadcast in row chunks, one exponential per cell and row of A.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import losses, rows
from .deadline import check
from .limits import BATCH_ENTRIES, MAX_LINE_POINTS, MAX_RESOLUTION, PLANE_BLOCK_ROWS
from .linalg import ReadOnlyArrays
from .problem import Problem, check_problem
from .text import number
from .validation import ROOT_MAX, positive_int, real_array, real_scalar

_EPS = np.finfo(float).eps
#: a cell is recomputed directly when the sums' rounding could move its value by more
#: than this (relative); the direct route has only its own rounding
_FALLBACK_RTOL = 1e-11


@dataclass(frozen=True)
class Surface(ReadOnlyArrays):
    """The loss on a grid of the plane ``center + a u + c v``.

    ``values[j, i] = L(center + alphas[i] u + betas[j] v)``: rows follow betas and
    columns alphas, as Plotly expects. Every grid field has shape
    (len(betas), len(alphas)).

    pole : cells at or next to the pole set (alpha = 0 or alpha a cancellation of
        much larger terms)
    nonfinite : cells whose value is not finite (only at the pole itself)
    alpha_sign, log_abs_alpha : the normaliser alpha = <u(z), 1> per cell
    display_min, display_max : a colour range that one pole cannot swamp: the
        finite range, its top cut at the 95th percentile when poles are present
    fallback_cells : how many cells the fast evaluator re-evaluated directly
    """

    alphas: np.ndarray
    betas: np.ndarray
    values: np.ndarray
    pole: np.ndarray
    nonfinite: np.ndarray
    alpha_sign: np.ndarray
    log_abs_alpha: np.ndarray
    center: np.ndarray
    u: np.ndarray
    v: np.ndarray
    display_min: float
    display_max: float
    fallback_cells: int = 0
    method: str = "fast"

    @property
    def has_poles(self) -> bool:
        """True when the plane meets the pole set (a flagged cell or a sign change)."""
        return bool(self.pole.any() or (self.alpha_sign <= 0).any())


@dataclass(frozen=True)
class SurfaceComparison(ReadOnlyArrays):
    """Two losses (two gammas) on the same plane and grid.

    ``difference = second.values - first.values`` (NaN where either is at a pole);
    ``display_min``, ``display_max``: one colour range for both surfaces;
    ``difference_scale``: the 90th percentile of |difference| (next to a pole the
    difference is unbounded, and a scale set by its maximum would hide every other).
    """

    first: Surface
    second: Surface
    gammas: tuple[float, float]
    difference: np.ndarray
    display_min: float
    display_max: float
    difference_scale: float


@dataclass(frozen=True)
class Line(ReadOnlyArrays):
    """The loss along ``center + t direction``; every field shape (len(ts),)."""

    ts: np.ndarray
    values: np.ndarray
    pole: np.ndarray
    alpha_sign: np.ndarray
    log_abs_alpha: np.ndarray
    center: np.ndarray
    direction: np.ndarray
    display_min: float
    display_max: float


# -- grids and checks ----------------------------------------------------------

def grid(span: float, resolution: int, *, center: float = 0.0) -> np.ndarray:
    """``resolution`` evenly spaced points on ``[center - span, center + span]``, with
    ``|center| + span <= sqrt(max float / 16)`` (``validation.ROOT_MAX``)."""
    span = real_scalar("span", span, low=0.0, low_open=True)
    center = real_scalar("center", center)
    if abs(center) + span > ROOT_MAX:
        raise ValueError(f"|center| + span must be at most √(max float / 16) = "
                         f"{number(ROOT_MAX, 3)}, or squares of grid points overflow float64; "
                         f"received center = {number(center)}, span = {number(span)}.")
    resolution = positive_int("resolution", resolution, high=MAX_RESOLUTION)
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2; received {resolution}.")
    return np.linspace(center - span, center + span, resolution)


def _axis(name: str, values, cap: int) -> np.ndarray:
    values = real_array(name, values, ndim=1)
    if not 2 <= values.size <= cap:
        raise ValueError(f"{name} must hold between 2 and {cap} points; received {values.size}.")
    if np.any(np.diff(values) <= 0):
        raise ValueError(f"{name} must be strictly increasing (a positive span); received "
                         f"values from {number(values[0])} to {number(values[-1])}.")
    return values


def check_plane(prob: Problem, center, u, v) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(center, u, v)`` checked: points of length d, u and v non-zero and not parallel."""
    center = prob.check_point(center, "center")
    u = prob.check_point(u, "u")
    v = prob.check_point(v, "v")
    for name, vec in (("u", u), ("v", v)):
        if not np.linalg.norm(vec) > 0:
            raise ValueError(f"{name} must be a non-zero direction; received the zero vector.")
    cos = abs(u @ v) / (np.linalg.norm(u) * np.linalg.norm(v))
    if cos > 1 - 1e-10:
        raise ValueError("u and v must span a plane (not be parallel); received directions "
                         f"with |cos angle| = {cos:.12f}.")
    return center, u, v


# -- the surface ----------------------------------------------------------------

def surface_2d(prob: Problem, center, u, v, alphas, betas, *, method: str = "fast") -> Surface:
    """The loss on the grid ``center + alphas[i] u + betas[j] v``.

    Parameters
    ----------
    prob : the problem
    center, u, v : (d,) the plane's origin and its two (non-parallel) directions
    alphas, betas : strictly increasing grid coordinates along u and v, 2 to
        ``MAX_RESOLUTION`` points each
    method : "fast" (MATH.md 7, with direct fallback per cell) or "direct"

    Returns
    -------
    Surface with ``values[j, i] = L(center + alphas[i] u + betas[j] v)``.
    """
    center, u, v = check_plane(check_problem(prob), center, u, v)
    alphas = _axis("alphas", alphas, MAX_RESOLUTION)
    betas = _axis("betas", betas, MAX_RESOLUTION)
    prob.check_reach("center + alphas u + betas v", float(
        np.linalg.norm(center) + np.abs(alphas).max() * np.linalg.norm(u)
        + np.abs(betas).max() * np.linalg.norm(v)))
    if not isinstance(method, str) or method not in ("fast", "direct"):
        raise ValueError(f"method must be 'fast' or 'direct'; received {method!r}.")
    P, Q, R = rows.products(prob.A, center, u, v)
    if method == "direct":
        vals = evaluate_plane_direct(prob, P, Q, R, alphas, betas)
        fallback = 0
    else:
        vals, fallback = _evaluate_plane_fast(prob, P, Q, R, alphas, betas)
    loss, sign, log_abs, near = vals
    lo, hi = _display_range(loss, near | (sign <= 0))
    return Surface(alphas=alphas, betas=betas, values=loss, pole=near | (sign == 0),
                   nonfinite=~np.isfinite(loss), alpha_sign=sign, log_abs_alpha=log_abs,
                   center=center, u=u, v=v, display_min=lo, display_max=hi,
                   fallback_cells=int(fallback), method=method)


def compare_surfaces(prob: Problem, gammas: tuple[float, float], center, u, v, alphas,
                     betas) -> SurfaceComparison:
    """``surface_2d`` of ``prob.with_gamma(g)`` for both gammas on one plane, with
    their difference and a shared colour range (the wider of the two)."""
    first, second = (surface_2d(prob.with_gamma(g), center, u, v, alphas, betas) for g in gammas)
    bad = first.pole | second.pole | first.nonfinite | second.nonfinite
    with np.errstate(invalid="ignore"):  # inf - inf at a pole: masked just below
        diff = np.where(bad, np.nan, second.values - first.values)
    finite = np.abs(diff[np.isfinite(diff)])
    return SurfaceComparison(first, second, (float(gammas[0]), float(gammas[1])), diff,
                             min(first.display_min, second.display_min),
                             max(first.display_max, second.display_max),
                             float(np.percentile(finite, 90)) if finite.size else 1.0)


def evaluate_plane_direct(prob: Problem, P, Q, R, alphas, betas):
    """Reference evaluator: ``z = P + a Q + c R`` broadcast per cell, in row chunks.

    Returns ``(loss, alpha_sign, log_abs_alpha, near_pole)``, each (len(betas), len(alphas)).
    """
    ga, gb = len(alphas), len(betas)
    aa, cc = np.meshgrid(alphas, betas)
    return _direct_cells(prob, P, Q, R, aa.ravel(), cc.ravel(), (gb, ga))


def _direct_cells(prob: Problem, P, Q, R, a, c, shape):
    out = [np.empty(a.size), np.empty(a.size, dtype=int), np.empty(a.size),
           np.empty(a.size, dtype=bool)]
    step = max(1, BATCH_ENTRIES // prob.n)
    for s in range(0, a.size, step):
        check("the loss on the plane", s, a.size)
        z = P + a[s:s + step, None] * Q + c[s:s + step, None] * R
        bv = losses.evaluate_batch(z, prob.b, prob.gamma, prob.w2)
        fields = (bv.loss, bv.alpha_sign, bv.log_abs_alpha, bv.near_pole)
        for dst, src in zip(out, fields, strict=True):
            dst[s:s + step] = src
    return tuple(o.reshape(shape) for o in out)


def _evaluate_plane_fast(prob: Problem, P, Q, R, alphas, betas):
    """MATH.md 7. Returns ``((loss, sign, log|alpha|, near_pole), fallback_count)``.

    With ``X[k, i] = exp(P_i + a_k Q_i - m_k)`` and ``Y[l, i] = exp(c_l R_i - n_l)``
    (row shifts m, n: each row's maximum exponent, so nothing overflows), the sums
    over i at cell (l, k), times ``exp(-(m_k + n_l))``, are

        S1 = X Y^T = sum e^z,   S2 = X^2 (Y^2)^T = sum e^2z,   Sb = (X o b) Y^T,
        Sz = (X o L) Y^T + c X (Y o R)^T = sum z e^z   (L[k, i] = P_i + a_k Q_i),

    and ``sum z``, ``sum z^2``, ``sum b z``, ``sum w^2 z^2`` are quadratics in a, c.
    """
    b, gamma, w2 = prob.b, prob.gamma, prob.w2
    m = _row_max(P, Q, alphas)                  # (ga,) max_i P_i + a_k Q_i
    nsh = _row_max(np.zeros_like(R), R, betas)  # (gb,) max_i c_l R_i
    ga, gb = len(alphas), len(betas)
    # the three sums sharing the factor Y are one stacked product [X; X o L; X o b] Y^T,
    # with L[k, i] = P_i + a_k Q_i the exponent of X itself
    stacked = np.zeros((3 * ga, gb))
    S2 = np.zeros((ga, gb))
    SR = np.zeros((ga, gb))
    # every block's factors go into these buffers: temporaries of a few MB each, made
    # afresh per block, cost a page fault per 4 kB in a process's first surface (at
    # n = 10^7, 101 x 101: 11.8 million faults, 19 s of system time)
    width = min(PLANE_BLOCK_ROWS, prob.n)
    left, X2 = np.empty((3 * ga, width)), np.empty((ga, width))
    right, right2 = np.empty((gb, width)), np.empty((gb, width))
    with np.errstate(under="ignore"):  # terms far below each row's maximum vanish
        for s in range(0, prob.n, PLANE_BLOCK_ROWS):
            check("the loss on the plane", s, prob.n)
            blk = slice(s, s + PLANE_BLOCK_ROWS)
            width = P[blk].size
            X, XL = left[:ga, :width], left[ga:2 * ga, :width]
            np.multiply.outer(alphas, Q[blk], out=XL)
            XL += P[blk]
            np.subtract(XL, m[:, None], out=X)
            np.exp(X, out=X)
            XL *= X
            np.multiply(X, b[blk], out=left[2 * ga:, :width])
            Y, YR = right[:, :width], right2[:, :width]
            np.multiply.outer(betas, R[blk], out=Y)
            Y -= nsh[:, None]
            np.exp(Y, out=Y)
            stacked += left[:, :width] @ Y.T
            SR += X @ np.multiply(Y, R[blk], out=YR).T
            S2 += np.multiply(X, X, out=X2[:, :width]) @ np.multiply(Y, Y, out=YR).T
    S1, SL, Sb = np.split(stacked, 3)
    # everything as (gb, ga): rows betas, columns alphas
    S1, S2, Sb, SL, SR = (t.T for t in (S1, S2, Sb, SL, SR))
    a = alphas[None, :]
    c = betas[:, None]
    shift = m[None, :] + nsh[:, None]           # sums above are times exp(-shift)
    Sz = SL + c * SR

    def quad(weight):
        """sum_i weight_i z_i^2 on the grid, z = P + a Q + c R."""
        pp, qq, rr = weight @ (P * P), weight @ (Q * Q), weight @ (R * R)
        pq, pr, qr = weight @ (P * Q), weight @ (P * R), weight @ (Q * R)
        return pp + a * a * qq + c * c * rr + 2 * (a * pq + c * pr + a * c * qr)

    sum_z = P.sum() + a * Q.sum() + c * R.sum()
    sum_z2 = quad(np.ones_like(P))
    sum_bz = b @ P + a * (b @ Q) + c * (b @ R)
    reg = 0.5 * quad(w2) if w2.any() else 0.0

    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        # a common scale exp(K): K >= shift + log S1 (the exponential part) and
        # K >= log(gamma sqrt(sum z^2)) (the linear part), as in MATH.md 6
        log_s1 = np.log(S1)
        K = shift + log_s1
        if gamma > 0:
            K = np.maximum(K, np.log(gamma * np.sqrt(sum_z2)))
        e1 = np.exp(shift - K)                  # exp(shift - K) <= 1 / S1
        lin = gamma * np.exp(-K)
        alpha = S1 * e1 + lin * sum_z           # alpha * exp(-K)
        size = S1 * e1 + lin * np.sqrt(prob.n * sum_z2)  # >= sum |u| exp(-K)
        u2 = S2 * e1 * e1 + 2 * lin * Sz * e1 + lin * lin * sum_z2   # sum u^2 exp(-2K)
        bu = Sb * e1 + lin * sum_bz             # sum b u exp(-K)
        bb = float(b @ b)
        ff = u2 / alpha**2
        fit = 0.5 * (ff - 2 * bu / alpha + bb)
        loss = fit + reg
        # rounding: each sum's error is eps times the sum of its terms' magnitudes
        # (|z| <= zmax, |b| <= bmax), carried through ff - 2 bu / alpha + bb
        zmax = np.abs(P).max() + np.abs(a) * np.abs(Q).max() + np.abs(c) * np.abs(R).max()
        mag_u2 = S2 * e1 * e1 + 2 * lin * zmax * S1 * e1 + lin * lin * sum_z2
        mag_bu = np.abs(b).max() * S1 * e1 + lin * np.sqrt(bb * sum_z2)
        rel_alpha = size / np.abs(alpha)
        magnitude = (mag_u2 / alpha**2 + 2 * ff * rel_alpha
                     + 2 * (mag_bu + np.abs(bu) * rel_alpha) / np.abs(alpha) + bb)
        err = 8 * _EPS * magnitude / np.maximum(loss, 1e-300)
        log_abs = np.log(np.abs(alpha)) + K
    # a NaN alpha (every shifted term underflowed) is recomputed directly below
    sign = np.where(np.isnan(alpha), 0, np.sign(alpha)).astype(int)
    near = np.abs(alpha) < losses.POLE_RTOL * size
    # a shifted sum that underflowed (log S1 far below 0) has lost its terms' digits
    redo = ~np.isfinite(loss) | ~(err < _FALLBACK_RTOL) | (log_s1 < -300) | near
    if redo.any():
        jj, ii = np.nonzero(redo)
        dl, ds, dla, dn = _direct_cells(prob, P, Q, R, alphas[ii], betas[jj], (ii.size,))
        loss[jj, ii], sign[jj, ii], log_abs[jj, ii], near[jj, ii] = dl, ds, dla, dn
    return (loss, sign, log_abs, near), int(redo.sum())


def _row_max(P: np.ndarray, Q: np.ndarray, ts: np.ndarray) -> np.ndarray:
    """``max_i P_i + t Q_i`` for each t, in blocks over i (memory independent of n), each
    block formed in one reused buffer (see ``_evaluate_plane_fast``)."""
    out = np.full(ts.size, -np.inf)
    buffer = np.empty((ts.size, min(PLANE_BLOCK_ROWS, P.size)))
    for s in range(0, P.size, PLANE_BLOCK_ROWS):
        rows = slice(s, s + PLANE_BLOCK_ROWS)
        block = np.multiply.outer(ts, Q[rows], out=buffer[:, :Q[rows].size])
        block += P[rows]
        np.maximum(out, block.max(axis=1), out=out)
    return out


def _display_range(values: np.ndarray, poles: np.ndarray) -> tuple[float, float]:
    """Colour limits: the finite range; when poles are present its top is the 95th
    percentile of the finite cells away from them, so one pole cannot swamp it."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    if poles.any():
        calm = values[np.isfinite(values) & ~poles]
        if calm.size:
            hi = min(hi, float(np.percentile(calm, 95)))
    return lo, max(hi, lo + 1e-12 * max(1.0, abs(lo)))


# -- 1-D slices -------------------------------------------------------------------

def line_1d(prob: Problem, center, direction, ts) -> Line:
    """The loss at ``center + ts[k] direction`` (direct evaluation, O(len(ts) n))."""
    center = check_problem(prob).check_point(center, "center")
    direction = prob.check_point(direction, "direction")
    if not np.linalg.norm(direction) > 0:
        raise ValueError("direction must be non-zero; received the zero vector.")
    ts = _axis("ts", ts, MAX_LINE_POINTS)
    prob.check_reach("center + ts direction", float(
        np.linalg.norm(center) + np.abs(ts).max() * np.linalg.norm(direction)))
    P, Q = rows.products(prob.A, center, direction)
    loss, sign, log_abs, near = _direct_cells(prob, P, Q, np.zeros_like(P), ts,
                                              np.zeros_like(ts), (ts.size,))
    lo, hi = _display_range(loss, near | (sign <= 0))
    return Line(ts=ts, values=loss, pole=near | (sign == 0), alpha_sign=sign,
                log_abs_alpha=log_abs, center=center, direction=direction,
                display_min=lo, display_max=hi)


