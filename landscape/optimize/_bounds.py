"""Curvature scales of the loss for gradient descent: the global gradient Lipschitz
constant L of MATH.md 4 for softmax, and the power-iteration estimate of
``|lambda|_max`` of the Hessian at a point."""

from __future__ import annotations

import numpy as np

from .. import linalg
from ..problem import Problem

#: power steps of ``curvature_scale``: enough for the first trial step of gradient
#: descent, which only needs the scale of the curvature, not its value
CURVATURE_STEPS = 20


def softmax_lipschitz(prob: Problem) -> float:
    """``L = (7 + 6 ‖b‖_∞ + max w²) ‖A‖₂²``: ``hess L ⪯ L I`` everywhere for
    softmax, since ``B ⪯ (7 + 6 ‖b‖_∞) I`` (MATH.md 4)."""
    return (7.0 + 6.0 * float(np.max(np.abs(prob.b))) + float(prob.w2.max())) \
        * linalg.spectral_norm(prob.A) ** 2


def curvature_scale(prob: Problem, x0: np.ndarray) -> float:
    """``|lambda|_max`` of ``hess L(x0)`` by ``CURVATURE_STEPS`` power steps from a
    fixed start (``linalg.norm_estimate``: the same path every run); 1 where that is
    not finite or zero. The first trial step of backtracking gradient descent is its
    inverse."""
    scale = linalg.norm_estimate(prob.hessian_operator(x0), steps=CURVATURE_STEPS)
    return scale if np.isfinite(scale) and scale > 0 else 1.0
