"""Curvature scales of the loss: ``‖A‖₂``, the global bounds of MATH.md 4 for softmax
(gradient Lipschitz constant L, Hessian Lipschitz constant M) and the power-iteration
estimate of ``|lambda|_max`` of the Hessian at a point."""

from __future__ import annotations

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

from ..problem import Problem

#: min(n, d) up to which ``‖A‖₂`` comes from a dense SVD; Lanczos above
DENSE_NORM_MAX_SIDE = 1000


def spectral_norm(A: np.ndarray) -> float:
    """``‖A‖₂`` of A (n, d): dense SVD up to ``DENSE_NORM_MAX_SIDE``, Lanczos on
    ``A^T A`` above."""
    # TODO(lead): use landscape.linalg (one ‖A‖₂ for the library)
    if min(A.shape) <= DENSE_NORM_MAX_SIDE:
        return float(np.linalg.norm(A, 2))
    op = LinearOperator((A.shape[1],) * 2, matvec=lambda v: A.T @ (A @ v), dtype=np.float64)
    top = eigsh(op, k=1, which="LA", v0=np.ones(A.shape[1]), return_eigenvectors=False)
    return float(np.sqrt(top[0]))


def softmax_lipschitz(prob: Problem) -> float:
    """``L = (7 + 6 ‖b‖_inf + max w²) ‖A‖₂²``: ``hess L <= L I`` everywhere for
    softmax, since ``B <= (7 + 6 ‖b‖_inf) I`` (MATH.md 4)."""
    return (7.0 + 6.0 * float(np.max(np.abs(prob.b))) + float(prob.w2.max())) \
        * spectral_norm(prob.A) ** 2


def hessian_lipschitz_bound(prob: Problem) -> float:
    """``M = (31 + 13 ‖b‖₂) ‖A‖₂³``, the softmax Hessian's Lipschitz constant
    (MATH.md 4); NaN for gamma > 0, where no x-independent bound exists."""
    # TODO(lead): use landscape.linalg.hessian_lipschitz_bound
    if prob.gamma != 0:
        return float("nan")
    return (31.0 + 13.0 * float(np.linalg.norm(prob.b))) * spectral_norm(prob.A) ** 3


def curvature_scale(prob: Problem, x0: np.ndarray, iterations: int = 20) -> float:
    """``|lambda|_max`` of ``hess L(x0)`` by power iteration from a fixed start (the
    same path every run); 1 where it is not finite or zero. The first trial step of
    backtracking gradient descent is its inverse."""
    # TODO(lead): use landscape.linalg (the shared power-iteration norm estimate)
    op = prob.hessian_operator(x0)
    v = np.ones(prob.d) / np.sqrt(prob.d)
    scale = 0.0
    for _ in range(iterations):
        hv = op @ v
        scale = float(np.linalg.norm(hv))
        if not np.isfinite(scale) or scale == 0:
            break
        v = hv / scale
    return scale if np.isfinite(scale) and scale > 0 else 1.0
