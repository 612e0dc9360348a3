"""Gradient descent, ``x_{k+1} = x_k - t_k g_k / L``, with backtracking or the
constant step ``1/L`` of the global softmax bound."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..problem import Problem
from ..validation import choice
from . import _descent
from ._bounds import curvature_scale, softmax_lipschitz
from ._linesearch import Point, Step
from ._method import LINE_SEARCH, Method
from .result import Recorder, Trajectory

GD_STEPS = ("armijo", "constant")


@dataclass(frozen=True)
class GradientDescentOptions:
    """``step``: "armijo" (backtracking from an adaptive trial step, first
    ``1 / |lambda|_max(hess L(x0))``) or "constant" (``1/L`` with the global bound
    ``L = (7 + 6 ‖b‖_inf + max w²) ‖A‖₂²`` of MATH.md 4; softmax only)."""

    step: str = "armijo"

    def checked(self, prob: Problem) -> GradientDescentOptions:
        step = choice("step", self.step, GD_STEPS)
        if step == "constant" and prob.gamma != 0:
            raise ValueError("step='constant' needs the softmax loss (gamma = 0): only there "
                             "is the gradient globally Lipschitz (MATH.md 4); received gamma = "
                             f"{prob.gamma:g}. Use step='armijo'.")
        return replace(self, step=step)


def gradient_descent(prob: Problem, x0: np.ndarray, rec: Recorder, *, tol: float,
                     max_iter: int, seed: int,
                     options: GradientDescentOptions) -> Trajectory:
    """``p = -g / L``. Backtracking: the trial step grows by 2 after a full step was
    accepted and shrinks to what the line search accepted otherwise (Armijo);
    constant: ``L`` bounds the Hessian everywhere and the full step is always
    accepted."""
    adaptive = options.step == "armijo"
    lipschitz = curvature_scale(prob, x0) if adaptive else softmax_lipschitz(prob)
    scale = [1.0 / lipschitz]

    def direction(point: Point) -> _descent.Direction:
        return _descent.Direction(-scale[0] * point.grad)

    def accepted(step: Step) -> None:
        if adaptive:
            scale[0] *= 2.0 if step.t == 1.0 else step.t

    return _descent.run(prob, x0, rec, tol=tol, max_iter=max_iter, parts=False,
                        direction=direction, accepted=accepted)


METHODS = (Method("gd", gradient_descent, max_iter=10_000, options=GradientDescentOptions,
                  per_step=LINE_SEARCH),)
