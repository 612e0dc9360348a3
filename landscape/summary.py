"""A one-glance summary of a problem at a point, for the home page and notebooks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problem import Problem, check_problem
from .spectral import spectrum


@dataclass(frozen=True)
class ProblemSummary:
    """n, d, the loss kind and gamma, and at the point x: the loss, log|alpha| with
    its sign, and the smallest and largest Hessian eigenvalues."""

    n: int
    d: int
    kind: str
    gamma: float
    regularised: bool
    loss: float
    alpha_sign: int
    log_abs_alpha: float
    near_pole: bool
    eig_min: float
    eig_max: float


def summarize(prob: Problem, x=None) -> ProblemSummary:
    """Summary of ``prob`` at ``x`` (default 0, where alpha = n for every kind)."""
    check_problem(prob)
    x = np.zeros(prob.d) if x is None else prob.check_point(x)
    ev = prob.evaluate(x)
    if ev.at_pole:
        lo = hi = float("nan")
    else:  # dense up to DENSE_SPECTRUM_MAX_D, else bounded Lanczos (NaN if it does not converge)
        spec = spectrum(prob, x, k=1)
        lo, hi = spec.smallest, spec.largest
    return ProblemSummary(n=prob.n, d=prob.d, kind=prob.kind, gamma=prob.gamma,
                          regularised=bool(prob.w.any()), loss=ev.loss,
                          alpha_sign=ev.alpha_sign, log_abs_alpha=ev.log_abs_alpha,
                          near_pole=ev.near_pole, eig_min=lo, eig_max=hi)
