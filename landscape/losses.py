"""Loss, gradient, Hessian parts and Hessian-vector products (MATH.md 1-3, 6).

Everything here is a pure function of ``z = A x`` (and of ``A`` for products back
to x-space, which go through ``landscape.rows``: A may be in memory, memory-mapped
or a dask array). With ``u(z) = exp(z) + gamma z`` and ``alpha = <u, 1>``:

    f = u / alpha,  c = f - b,  L = 1/2 ||c||^2 + 1/2 ||w o z||^2

Stable evaluation (MATH.md 6): every quantity is a ratio over alpha, so a common
factor ``exp(K)`` cancels. We use ``K = max(max z, log(gamma max|z|))``, which keeps
every shifted term in [-1, 1]. (MATH.md also takes the max with 0; we drop it because
for softmax with all ``z << 0`` it would underflow every term to zero.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import rows

#: ``kappa > 1 / POLE_RTOL``: alpha is a cancellation of much larger terms, the point
#: is flagged as near the pole set (MATH.md 6). ``kappa = sum_i (exp(z_i) + gamma
#: |z_i|) / |alpha|`` is the condition number of the sum alpha: each term ``exp(z_i)``
#: and ``gamma z_i`` carries a relative error of about eps, so alpha, and with it f,
#: c, the loss and its derivatives, carry one of about ``kappa eps``. (The sum of
#: ``|u_i|`` is no measure: each ``u_i = exp(z_i) + gamma z_i`` is itself a difference,
#: which cancels where ``z_i`` is near ``-W(1) = -0.567``.)
POLE_RTOL = 1e-8


@dataclass(frozen=True)
class ScaleFree:
    """The scale-free vectors of MATH.md 1 at one point (all shape (n,)).

    ``p = u'/alpha``, ``q = u''/alpha``, ``f = u/alpha``, ``c = f - b``;
    ``alpha_sign`` and ``log_abs_alpha`` describe the normaliser;
    ``alpha_condition`` is its condition number ``kappa = sum_i (exp(z_i) + gamma
    |z_i|) / |alpha|`` (>= 1; inf at the pole set), the factor by which rounding is
    amplified in every ratio over alpha; ``near_pole`` is True where
    ``kappa > 1 / POLE_RTOL``: alpha is zero or a cancellation of much larger terms.
    """

    f: np.ndarray
    p: np.ndarray
    q: np.ndarray
    c: np.ndarray
    alpha_sign: int
    log_abs_alpha: float
    alpha_condition: float
    near_pole: bool

    @property
    def at_pole(self) -> bool:
        """alpha is exactly zero (or its shifted sum is): the loss is infinite."""
        return self.alpha_sign == 0


def _shift(z: np.ndarray, gamma: float) -> np.ndarray:
    """Per-row shift K = max(max z, log(gamma max|z|)) for z of shape (..., n)."""
    k = np.max(z, axis=-1)
    if gamma > 0:
        big = gamma * np.max(np.abs(z), axis=-1)
        with np.errstate(divide="ignore"):  # log(0) = -inf is the right neutral element
            k = np.maximum(k, np.log(big))
    return k


def scale_free(z: np.ndarray, b: np.ndarray, gamma: float) -> ScaleFree:
    """Stable f, p, q, c and alpha diagnostics at ``z`` (n,), MATH.md 6."""
    k = float(_shift(z, gamma))
    e = np.exp(z - k)
    # gamma e^-K: |gamma z e^-K| <= 1 by the choice of K; softmax skips it (e^-K may overflow)
    linear_weight = gamma * np.exp(-k) if gamma > 0 else 0.0
    linear = linear_weight * z
    u = e + linear
    alpha = float(np.sum(u))
    size = float(np.sum(e)) + float(np.sum(np.abs(linear)))  # the sizes of alpha's terms
    near_pole = bool(abs(alpha) < POLE_RTOL * size)
    sign = int(np.sign(alpha))
    del linear  # at n = 10^7 each vector is 80 MB: the divisions below reuse u and e
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # alpha == 0 is the pole itself: inf / nan here, flagged by alpha_sign == 0
        condition = size / abs(alpha) if alpha != 0 else np.inf
        f = np.divide(u, alpha, out=u)
        p = e + linear_weight
        p /= alpha
        q = np.divide(e, alpha, out=e)
        log_abs = float(np.log(abs(alpha)) + k) if alpha != 0 else -np.inf
    return ScaleFree(f=f, p=p, q=q, c=f - b, alpha_sign=sign, log_abs_alpha=log_abs,
                     alpha_condition=float(condition), near_pole=near_pole)


@dataclass(frozen=True)
class BatchValues:
    """Loss and normaliser diagnostics at k points, every field shape (k,)."""

    loss: np.ndarray
    alpha_sign: np.ndarray
    log_abs_alpha: np.ndarray
    near_pole: np.ndarray


def evaluate_batch(z: np.ndarray, b: np.ndarray, gamma: float, w2: np.ndarray) -> BatchValues:
    """Loss ``1/2 ||f - b||^2 + 1/2 ||w o z||^2`` for a batch of ``z`` (k, n).

    Points on the pole set (alpha = 0) get +inf, the limit from both sides;
    ``near_pole`` flags ``kappa > 1 / POLE_RTOL`` (``ScaleFree.alpha_condition``).
    ``z`` is not modified; one (k, n) temporary is used.
    """
    k = _shift(z, gamma)
    u = np.abs(z)
    # sum |z_i| as (max |z|) * sum(|z_i| / max |z|): the sum itself may overflow
    top = np.max(u, axis=1)
    top[top == 0] = 1.0
    u /= top[:, None]
    size_z = np.sum(u, axis=1)
    np.subtract(z, k[:, None], out=u)  # u is reused for the exponentials
    np.exp(u, out=u)
    size = np.sum(u, axis=1)
    if gamma > 0:
        linear_weight = gamma * np.exp(-k)  # per row
        size += (linear_weight * top) * size_z  # linear_weight * top <= 1 by the choice of K
        u += linear_weight[:, None] * z
    alpha = np.sum(u, axis=1)
    at_pole = alpha == 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # at the pole these rows become inf / nan; they are set to +inf below
        u /= alpha[:, None]  # u is now f, in place
        u -= b
        fit = 0.5 * np.einsum("ij,ij->i", u, u)
        log_abs = np.log(np.abs(alpha)) + k
    fit[at_pole] = np.inf
    reg = 0.5 * ((z * z) @ w2) if np.any(w2) else 0.0
    return BatchValues(loss=fit + reg, alpha_sign=np.sign(alpha).astype(int),
                       log_abs_alpha=log_abs,
                       near_pole=np.abs(alpha) < POLE_RTOL * size)


@dataclass(frozen=True)
class HessianParts:
    """``hess L = A^T diag(D) A + U C U^T`` (MATH.md 3).

    D : (n,)   ``B_diag + w o w`` with ``B_diag = p o p + q o c - <c, f> q``
    U : (d, 2) ``[A^T p, A^T s]`` with ``s = p o (2f - b)``
    C : (2, 2) ``[[g0, -1], [-1, 0]]`` with ``g0 = <3f - 2b, f>``

    The rank-two part ``U C U^T = g0 a a^T - a t^T - t a^T`` (``a = A^T p``,
    ``t = A^T s``) has inertia (1, 1) whenever a and t are independent:
    ``det C = -1 < 0``.
    """

    D: np.ndarray
    U: np.ndarray
    C: np.ndarray

    @property
    def rank_two(self) -> np.ndarray:
        """The rank-two part ``U C U^T`` as a (d, d) matrix."""
        m = self.U @ self.C @ self.U.T
        return 0.5 * (m + m.T)


def hessian_weights(scale_free: ScaleFree, b: np.ndarray,
                    w2: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """``(D, s, g0)`` of MATH.md 3 in O(n): ``D = p o p + q o c - <c, f> q + w o w``,
    ``s = p o (2f - b)``, ``g0 = <3f - 2b, f>``."""
    f, p, q, c = scale_free.f, scale_free.p, scale_free.q, scale_free.c
    c_dot_f = float(c @ f)
    D = p * p + q * c - c_dot_f * q + w2
    s = p * (2.0 * f - b)
    g0 = float((3.0 * f - 2.0 * b) @ f)
    return D, s, g0


def gradient_weights(scale_free: ScaleFree, z: np.ndarray, w2: np.ndarray) -> np.ndarray:
    """``p o c - <c, f> p + w o w o z`` (n,): the gradient is A^T times this."""
    f, p, c = scale_free.f, scale_free.p, scale_free.c
    return p * c - float(c @ f) * p + w2 * z


def transpose_products(A, *vectors: np.ndarray) -> np.ndarray:
    """``A^T y`` for several n-vectors y in one pass over A, shape (len(vectors), d).

    Stacked as rows, ``Y @ A`` is one matrix product, one pass over A
    (``benchmarks/core.py`` times it against ``A.T`` times the vectors as columns).
    """
    return rows.stacked_product(A, *vectors)


def assemble_parts(D: np.ndarray, g0: float, a: np.ndarray, t: np.ndarray) -> HessianParts:
    """``HessianParts`` from D (n,), g0 and ``a = A^T p``, ``t = A^T s`` (d,):
    ``U = [a, t]``, ``C = [[g0, -1], [-1, 0]]``."""
    return HessianParts(D=D, U=np.column_stack([a, t]), C=np.array([[g0, -1.0], [-1.0, 0.0]]))


def hessian_parts(A, scale_free: ScaleFree, b: np.ndarray,
                  w2: np.ndarray) -> HessianParts:
    """The parts of MATH.md 3 from the scale-free vectors; one pass over A."""
    D, s, g0 = hessian_weights(scale_free, b, w2)
    a, t = transpose_products(A, scale_free.p, s)
    return assemble_parts(D, g0, a, t)


def gradient_from_parts(A, scale_free: ScaleFree, z: np.ndarray,
                        w2: np.ndarray) -> np.ndarray:
    """``grad L = A^T (p o c - <c, f> p + w o w o z)``, shape (d,)."""
    return rows.transpose_product(A, gradient_weights(scale_free, z, w2))


def hessian_from_parts(A, parts: HessianParts) -> np.ndarray:
    """``A^T diag(D) A + U C U^T`` as a symmetric (d, d) matrix; O(n d^2), no n x n."""
    return hessian_from_gram(rows.gram(A, parts.D), parts)


def hessian_from_gram(gram: np.ndarray, parts: HessianParts) -> np.ndarray:
    """``G + U C U^T`` symmetrised, from the Gram ``G = A^T diag(D) A`` (d, d)."""
    h = gram + parts.U @ parts.C @ parts.U.T
    return 0.5 * (h + h.T)


def hvp_from_parts(A, parts: HessianParts, v: np.ndarray) -> np.ndarray:
    """``H v = A^T (D o (A v)) + U C (U^T v)`` for v (d,) or (d, m); O(nnz(A)) per column."""
    return rows.gram_product(A, parts.D, v) + parts.U @ (parts.C @ (parts.U.T @ v))
