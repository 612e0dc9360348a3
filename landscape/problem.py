"""The regression problem: data, loss kind and regularisation, with its derivatives.

``Problem`` holds ``A`` (n, d), ``b`` (n,), the weights ``w`` (n,) and the residual
weight ``gamma``; its methods evaluate MATH.md 1-3 through ``landscape.losses``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy.sparse.linalg import LinearOperator

from . import losses, rows
from .limits import BATCH_ENTRIES, MAX_HESSIAN_D
from .linalg import read_only
from .text import number
from .validation import (
    ROOT_MAX,
    SQUARES_MAX,
    check_size,
    choice,
    instance,
    real_array,
    real_row_blocks,
    real_scalar,
)

KINDS = ("softmax", "unified")
#: residual weight gamma of each kind: u(z) = exp(z) + gamma z
KIND_GAMMA = {"softmax": 0.0, "unified": 1.0}
#: next to a pole, derivatives may overflow; ``_finite`` turns that into a PoleError
_NEAR_POLE = dict(over="ignore", invalid="ignore")


class PoleError(ValueError):
    """The point lies on the pole set of the unified loss (alpha = 0), where the
    loss is infinite and its derivatives do not exist."""


@dataclass(frozen=True)
class Evaluation:
    """The loss and the quantities a page shows at one point ``x`` (d,).

    ``f`` and ``c`` have shape (n,). ``alpha_sign`` is -1, 0 or 1;
    ``log_abs_alpha = log|alpha|``; ``alpha_condition`` is the condition number
    ``kappa = sum_i (exp(z_i) + gamma |z_i|) / |alpha|`` of the normaliser (every
    value here carries a relative error of about ``kappa eps``); ``near_pole`` flags
    ``kappa > 1e8`` (alpha is a cancellation of much larger terms,
    ``losses.POLE_RTOL``), ``at_pole`` alpha = 0.
    """

    x: np.ndarray
    loss: float
    f: np.ndarray
    c: np.ndarray
    alpha_sign: int
    log_abs_alpha: float
    alpha_condition: float
    near_pole: bool
    at_pole: bool


class Problem:
    """Softmax regression, the unified ResNet + softmax loss, or a morph between them.

    ``L(x) = 1/2 ||f(Ax) - b||^2 + 1/2 ||w o (Ax)||^2`` with ``f = u / <u, 1>`` and
    ``u(z) = exp(z) + gamma z`` (MATH.md 1). The paper's objective is ``2 L`` with
    ``w = 0``.

    Parameters
    ----------
    A : (n, d) real array: in memory, memory-mapped (``np.load(path, mmap_mode="r")``,
        not copied) or a ``dask.array.Array`` chunked by rows (``landscape.rows``)
    b : (n,) real array, the target (a dask vector is computed into memory)
    kind : "softmax" (gamma = 0) or "unified" (gamma = 1)
    w : None, a scalar or an (n,) array of regularisation weights, all >= 0
    gamma : optional residual weight in [0, 1]; overrides the kind's own
    x_true : optional (d,) point the target was generated from (realizable b)

    Sizes that overflow float64 are refused (``validation.SQUARES_MAX``, 1/16 of the
    largest float): every array's sum of squares must stay below it, and so must the
    softmax Hessian bound of MATH.md 4, ``(7 + 6 max|b| + max w^2) ||A||_F^2``. Points
    (and directions) must then satisfy ``||x||_2 <= point_limit = sqrt(SQUARES_MAX) /
    max(1, sqrt((7 + 6 max|b| + max w^2) ||A||_F^2))``: there ``A x``, ``w o A x``, the
    loss and (away from the pole set) its gradient and Hessian are all finite.

    ``notes`` (a tuple of strings, empty for NumPy input) says how a memory-mapped or
    dask A was adapted (rechunked, cast block by block).
    """

    def __init__(self, A, b, kind: str = "softmax", w=None, gamma=None, *,
                 x_true=None) -> None:
        if rows.in_memory(A):
            shape = np.shape(A) if hasattr(A, "shape") else ()
            if len(shape) == 2:  # refuse an oversized A before converting (copying) it
                check_size(*shape)
            A = real_array("A", A, ndim=2, copy=True)
            _check_not_empty(A.shape)
            check_size(*A.shape)
            notes, squares = (), rows.frobenius2(A)  # finite: real_array bounds every entry
        else:  # memory-mapped or dask: checked block by block, never copied
            _check_not_empty(A.shape)
            A, notes, squares = real_row_blocks("A", A)
        n, d = A.shape
        self.A = A
        self.notes = notes
        self.b = real_array("b", rows.to_numpy(b), ndim=1, length=n,
                            length_name="n, the number of rows of A", copy=True)
        self.kind = choice("kind", kind, KINDS)
        self.gamma = (KIND_GAMMA[kind] if gamma is None
                      else real_scalar("gamma", gamma, low=0.0, high=1.0))
        self.w = _weights(w, n)
        self.w2 = (np.broadcast_to(self.w[0] ** 2, (n,)) if self.w.strides == (0,)
                   else read_only(self.w * self.w))
        self.point_limit = _point_limit(squares, self.b, self.w2)
        self.x_true = (None if x_true is None else
                       real_array("x_true", x_true, ndim=1, length=d,
                                  length_name="d, the number of columns of A"))

    def with_gamma(self, gamma: float) -> Problem:
        """The same A, b, w with another residual weight gamma in [0, 1] (arrays are
        shared, not copied: they are read-only). Kind follows gamma: 0 is softmax."""
        gamma = real_scalar("gamma", gamma, low=0.0, high=1.0)
        other = object.__new__(Problem)
        other.__dict__.update(self.__dict__)
        other.gamma = gamma
        other.kind = "softmax" if gamma == 0 else "unified"
        return other

    @property
    def n(self) -> int:
        return self.A.shape[0]

    @property
    def d(self) -> int:
        return self.A.shape[1]

    def __repr__(self) -> str:
        reg = "none" if not self.w.any() else f"w in [{self.w.min():.3g}, {self.w.max():.3g}]"
        return (f"Problem(n={self.n}, d={self.d}, kind={self.kind!r}, gamma={self.gamma:g}, "
                f"regularisation: {reg})")

    # -- points -----------------------------------------------------------------
    def check_point(self, x, name: str = "x") -> np.ndarray:
        """``x`` as a finite float64 vector of length d with ``||x||_2 <=
        point_limit``, or a ValueError."""
        x = real_array(name, x, ndim=1, length=self.d,
                       length_name="d, the number of columns of A")
        self.check_reach(name, float(np.linalg.norm(x)))
        return x

    def check_reach(self, name: str, norm: float) -> None:
        """Refuse points of norm ``norm`` above ``point_limit`` (``name`` says which)."""
        if not norm <= self.point_limit:
            raise ValueError(f"{name} is too large for this problem: ‖{name}‖₂ = "
                             f"{number(norm, 3)} exceeds point_limit = "
                             f"{number(self.point_limit, 3)}, beyond which the loss or its "
                             "derivatives may overflow float64 (see Problem.point_limit).")

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``z = A x`` (n,) for a checked point x (d,), read-only. For A on disk or on
        a cluster, where a pass costs seconds, the last product is kept until it is
        asked for once more: checking a start and then starting from it read A once."""
        if rows.in_memory(self.A):
            return rows.product(self.A, x)
        x = np.asarray(x, dtype=np.float64)
        key = (x.shape, x.tobytes())
        last = self.__dict__.pop("_last_product", None)  # used once, then let go
        if last is not None and last[0] == key:
            return last[1]
        z = read_only(rows.product(self.A, x))
        self._last_product = (key, z)
        return z

    def _state(self, x) -> tuple[np.ndarray, np.ndarray, losses.ScaleFree]:
        x = self.check_point(x)
        z = self.forward(x)
        return x, z, losses.scale_free(z, self.b, self.gamma)

    def _smooth_state(self, x, what: str):
        x = self.check_point(x)
        z = self.forward(x)
        return x, z, self._scale_free(z, what)

    def _scale_free(self, z: np.ndarray, what: str) -> losses.ScaleFree:
        """The scale-free vectors at z, or a PoleError where alpha = 0."""
        scale_free = losses.scale_free(z, self.b, self.gamma)
        if scale_free.at_pole:
            raise PoleError(f"x lies on the pole set of the unified loss (α(x) = 0, "
                            f"γ = {number(self.gamma)}): the loss is infinite and its {what} "
                            "does not exist there. Move x off the pole set.")
        return scale_free

    def evaluate(self, x) -> Evaluation:
        """Loss, f, c and the normaliser's diagnostics at ``x``; never raises at poles."""
        x, z, scale_free = self._state(x)
        value = float(losses.evaluate_batch(z[None], self.b, self.gamma, self.w2).loss[0])
        return Evaluation(x=x, loss=value, f=scale_free.f, c=scale_free.c,
                          alpha_sign=scale_free.alpha_sign,
                          log_abs_alpha=scale_free.log_abs_alpha,
                          alpha_condition=scale_free.alpha_condition,
                          near_pole=scale_free.near_pole, at_pole=scale_free.at_pole)

    # -- loss and derivatives ------------------------------------------------------
    def loss(self, x) -> float:
        """``L(x)``; +inf on the pole set (its limit from both sides)."""
        x = self.check_point(x)
        return float(losses.evaluate_batch(self.forward(x)[None], self.b, self.gamma,
                                           self.w2).loss[0])

    def loss_batch(self, X) -> np.ndarray:
        """``L`` at each row of ``X`` (k, d) -> (k,), in row chunks of bounded memory."""
        return self.evaluate_batch(X).loss

    def evaluate_batch(self, X) -> losses.BatchValues:
        """Loss, sign of alpha, log|alpha| and the near-pole flag at each row of X (k, d)."""
        X = real_array("X", X, ndim=2)
        if X.shape[1] != self.d:
            raise ValueError(f"X must have d = {self.d} columns (one point per row); "
                             f"received shape {X.shape}.")
        if X.size:
            self.check_reach("X", float(np.linalg.norm(X, axis=1).max()))
        step = max(1, BATCH_ENTRIES // self.n)
        parts = [losses.evaluate_batch(rows.points_product(self.A, X[i:i + step]), self.b,
                                       self.gamma, self.w2)
                 for i in range(0, X.shape[0], step)]
        if not parts:
            empty = np.empty(0)
            return losses.BatchValues(empty, empty.astype(int), empty, empty.astype(bool))
        fields = zip(*((p.loss, p.alpha_sign, p.log_abs_alpha, p.near_pole) for p in parts),
                     strict=True)
        return losses.BatchValues(*(np.concatenate(field) for field in fields))

    def gradient(self, x) -> np.ndarray:
        """``grad L = A^T (p o c - <c, f> p + w o w o z)``, shape (d,)."""
        _, z, scale_free = self._smooth_state(x, "gradient")
        with np.errstate(**_NEAR_POLE):
            return _finite(losses.gradient_from_parts(self.A, scale_free, z, self.w2),
                           "gradient", scale_free)

    def hessian_parts(self, x) -> losses.HessianParts:
        """``hess L = A^T diag(D) A + U C U^T`` (MATH.md 3): D (n,), U (d, 2), C (2, 2)."""
        _, _, scale_free = self._smooth_state(x, "Hessian")
        with np.errstate(**_NEAR_POLE):
            parts = losses.hessian_parts(self.A, scale_free, self.b, self.w2)
        _finite(parts.D, "Hessian", scale_free)
        _finite(parts.U, "Hessian", scale_free)
        return parts

    def hessian(self, x) -> np.ndarray:
        """The (d, d) Hessian, exactly symmetric; O(n d^2), never an n x n matrix."""
        self._check_dense()
        parts = self.hessian_parts(x)
        with np.errstate(**_NEAR_POLE):
            return _finite(losses.hessian_from_parts(self.A, parts), "Hessian", None)

    def _check_dense(self) -> None:
        if self.d > MAX_HESSIAN_D:
            raise ValueError(f"d must be at most {MAX_HESSIAN_D} to form the dense Hessian "
                             f"({self.d}² entries would not fit); received d = {self.d}. "
                             "Use hvp, hessian_operator or hessian_parts instead.")

    def hvp(self, x, v) -> np.ndarray:
        """Hessian-vector product ``H v`` (d,) in O(nnz(A)), without forming H.

        Forward ``Ax``, ``Av``; back ``A^T [p, s, D o Av]`` in one pass. For
        many products at one x, ``hessian_operator(x)`` reuses the parts.
        """
        x = self.check_point(x)
        v = self.check_point(v, "v")
        z, av = rows.products(self.A, x, v)  # in memory two GEMVs beat one skinny GEMM
        scale_free = self._scale_free(z, "Hessian")
        with np.errstate(**_NEAR_POLE):
            D, s, g0 = losses.hessian_weights(scale_free, self.b, self.w2)
            a, t, diagonal_part = losses.transpose_products(self.A, scale_free.p, s, D * av)
            av_a, av_t = float(a @ v), float(t @ v)
            return _finite(diagonal_part + (g0 * av_a - av_t) * a - av_a * t,
                           "Hessian-vector product", scale_free)

    def hessian_operator(self, x) -> LinearOperator:
        """``H`` at ``x`` as a SciPy ``LinearOperator`` (d, d), e.g. for ``eigsh``;
        the parts are computed once, each product then costs two passes over A."""
        parts = self.hessian_parts(x)
        matvec = partial(losses.hvp_from_parts, self.A, parts)
        return LinearOperator((self.d, self.d), matvec=matvec, matmat=matvec, rmatvec=matvec,
                              dtype=np.float64)

    def derivatives(self, x) -> tuple[float, np.ndarray, np.ndarray]:
        """``(L, grad L, hess L)`` at ``x`` sharing the passes over A (for Newton)."""
        self._check_dense()
        x = self.check_point(x)
        z = self.forward(x)
        scale_free = self._scale_free(z, "Hessian")
        with np.errstate(**_NEAR_POLE):
            value = 0.5 * float(scale_free.c @ scale_free.c) + 0.5 * float(self.w2 @ (z * z))
            D, s, g0 = losses.hessian_weights(scale_free, self.b, self.w2)
            weights = losses.gradient_weights(scale_free, z, self.w2)
            a, t, grad = losses.transpose_products(self.A, scale_free.p, s, weights)
            grad = _finite(grad, "gradient", scale_free)
            parts = losses.assemble_parts(D, g0, a, t)
            hess = _finite(losses.hessian_from_parts(self.A, parts), "Hessian", scale_free)
        return value, grad, hess


def _check_not_empty(shape: tuple) -> None:
    if 0 in shape:
        raise ValueError("A must have at least one row and one column (n ≥ 1 and "
                         f"d ≥ 1); received shape {shape}.")


def _weights(w, n: int) -> np.ndarray:
    """Regularisation weights as an (n,) array >= 0; None (zeros) and a scalar are one
    number broadcast to n entries (no memory: at n = 10^7 a vector is 80 MB)."""
    if w is None:
        out = np.broadcast_to(0.0, (n,))
    elif np.ndim(w) == 0 and not isinstance(w, (str, bytes)):
        value = real_scalar("w", w if not isinstance(w, np.ndarray) else w.item(), low=0.0)
        real_array("w", np.full(1, value), ndim=1)  # the size rule, as for a vector
        out = np.broadcast_to(float(value), (n,))
    else:
        out = real_array("w", w, ndim=1, length=n, length_name="n, the number of rows of A",
                         copy=True)
        if (out < 0).any():
            i = int(np.argmax(out < 0))
            raise ValueError(f"w must be non-negative (weights enter as w ∘ w); received "
                             f"{int((out < 0).sum())} negative entries (first w[{i}] = "
                             f"{number(out[i], 6)}).")
        if (out == out[0]).all():  # one number, however it was given: the same sums
            out = np.broadcast_to(out[0], (n,))
    return read_only(out)


def _point_limit(fro2: float, b: np.ndarray, w2: np.ndarray) -> float:
    """``sqrt(SQUARES_MAX) / max(1, S)`` with ``S^2 = (7 + 6 max|b| + max w^2) ||A||_F^2``,
    the softmax Hessian bound of MATH.md 4 with ``||A||_F >= ||A||_2``; refuses data
    whose S^2 exceeds ``SQUARES_MAX``; ``fro2 = ||A||_F^2``."""
    level = 7.0 + 6.0 * float(np.abs(b).max()) + float(w2.max())
    if not fro2 <= SQUARES_MAX / level:
        raise ValueError("A, b and w are too large together: the Hessian bound (7 + 6 max|b| + "
                         f"max w²) ‖A‖_F² = {number(level, 3)} × {number(fro2, 3)} must be at "
                         f"most max float / 16 = {number(SQUARES_MAX, 3)}, or the derivatives "
                         "overflow float64 (MATH.md 4); scale A, b or w down.")
    return ROOT_MAX / max(1.0, float(np.sqrt(level * fro2)))


def _finite(value: np.ndarray, what: str, scale_free: losses.ScaleFree | None) -> np.ndarray:
    """Pass ``value`` through, or explain that it overflowed next to a pole."""
    if not np.all(np.isfinite(value)):
        where = ("" if scale_free is None
                 else f" (log|α| = {number(scale_free.log_abs_alpha, 3)})")
        raise PoleError(f"the {what} overflows float64 at this x: it lies next to the pole "
                        f"set{where}, where it grows like "
                        "α⁻³ (gradient) or α⁻⁴ (Hessian). Move x away from the "
                        "pole set.")
    return value


def check_problem(prob) -> Problem:
    """``prob`` itself, which must be a ``Problem`` (ValueError naming it otherwise)."""
    return instance("prob", prob, Problem, "a landscape.Problem")
