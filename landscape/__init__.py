"""landscape: loss landscapes of softmax regression and the unified ResNet + softmax loss.

    import landscape as ls
    prob = ls.make_problem(200, 10, seed=0, kind="unified", target="realizable")
    prob.loss(x), prob.gradient(x), prob.hessian(x), prob.hvp(x, v)

The formulas are those of MATH.md (Song, Wang, Yin, arXiv:2309.13482), with the 1/2:
``L(x) = 1/2 ||f(Ax) - b||^2 + 1/2 ||w o Ax||^2``.
"""

from .data import DEFAULT_PROBLEM, MATRICES, TARGETS, WEIGHTS, default_problem, make_problem
from .directions import Directions, default_view, make_directions
from .limits import MAX_ENTRIES, MAX_HESSIAN_D
from .loading import load_array, load_problem
from .losses import BatchValues, HessianParts
from .optimize import Trajectory, minimize
from .problem import KINDS, Evaluation, PoleError, Problem
from .projection import Projection, project
from .spectral import Spectrum, spectrum
from .stores import StoreInfo, list_stores, open_problem, open_store
from .summary import ProblemSummary, summarize
from .surface import Line, Surface, grid, line_1d, surface_2d

#: the README's name for ``limits.MAX_HESSIAN_D``: the largest d whose dense Hessian is formed
MAX_DENSE_D = MAX_HESSIAN_D

__all__ = [
    "BatchValues", "DEFAULT_PROBLEM", "Directions", "Evaluation", "HessianParts", "KINDS",
    "Line", "MATRICES", "MAX_DENSE_D", "MAX_ENTRIES", "PoleError", "Problem", "ProblemSummary",
    "Projection", "Surface", "TARGETS", "WEIGHTS", "default_problem", "default_view", "grid",
    "line_1d", "load_array", "load_problem", "make_directions", "make_problem", "project",
    "summarize", "surface_2d", "Trajectory", "minimize", "Spectrum", "spectrum",
    "StoreInfo", "list_stores", "open_problem", "open_store",
]
