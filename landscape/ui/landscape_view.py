"""Settings and the cached computation behind the Landscape page: a surface, a 1-D
slice through the centre along u, and optionally optimiser paths on the plane."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

import landscape as ls
from landscape.surface import DIRECTION_KINDS, MAX_RESOLUTION

from .builder import problem_from_spec
from .points import POINT_LABELS, POINTS, newton_path, parse_vector, resolve_point
from .state import Field, register

CENTERS, CENTER_LABELS = POINTS, POINT_LABELS
DIRECTION_LABELS = {"random": "random (seeded, orthonormal)", "hessian_top": "top Hessian eigenvectors",
                    "hessian_bottom": "bottom Hessian eigenvectors",
                    "gradient_newton": "gradient and Newton step",
                    "pca": "principal components of the Newton path",
                    "axes": "coordinate axes", "custom": "custom vectors"}
#: resolutions offered; the fast evaluator keeps 201 x 201 near 0.1 s at n = 10^4
RESOLUTIONS = (51, 101, 151, 201, 301, 401)

register(**{
    "landscape.center": Field("zero", str, CENTERS),
    "landscape.custom_center": Field("", str),
    "landscape.directions": Field("random", str, DIRECTION_KINDS),
    "landscape.seed": Field(0, int, low=0, high=2**31 - 1),
    "landscape.scale": Field("unit", str, ("unit", "center")),
    "landscape.axis_i": Field(1, int, low=1), "landscape.axis_j": Field(2, int, low=1),
    "landscape.custom_u": Field("", str), "landscape.custom_v": Field("", str),
    "landscape.span": Field(3.0, float, low=1e-6, high=1e6),
    "landscape.resolution": Field(101, int, low=2, high=MAX_RESOLUTION),
    "landscape.log": Field(False, bool),
    "landscape.poles": Field(True, bool),
    # contour first: a 3-D surface costs ~1.5 s of software WebGL on a machine without a GPU
    "landscape.view": Field("contour", str, ("contour", "3-D", "contour + 3-D")),
    "landscape.paths": Field(False, bool),
})


@dataclass(frozen=True)
class LandscapeView:
    """Everything the Landscape page draws."""

    surface: ls.Surface
    line: ls.Line
    directions: ls.Directions
    center_label: str
    paths: dict  # method name -> (Projection, losses)


@st.cache_data(max_entries=16, show_spinner=False)
def optimiser_paths(problem_spec: tuple, methods: tuple[str, ...]) -> dict:
    """Paths of several methods from x = 0, each as its iterates (k+1, d)."""
    prob = problem_from_spec(problem_spec)
    return {m: ls.minimize(prob, np.zeros(prob.d), m, max_iter=200).xs for m in methods}


@st.cache_data(max_entries=32, show_spinner="Computing the surface...")
def landscape_view(problem_spec: tuple, view_spec: tuple) -> LandscapeView:
    """The surface, slice and overlays for the given settings (ValueError on bad ones)."""
    prob = problem_from_spec(problem_spec)
    v = dict(view_spec)
    center_kind = v["landscape.center"]
    center = resolve_point(problem_spec, center_kind, v["landscape.custom_center"])
    kind = v["landscape.directions"]
    extra = {}
    if kind == "pca":
        extra["trajectory"] = newton_path(problem_spec)
    elif kind == "axes":
        extra["axes"] = (v["landscape.axis_i"] - 1, v["landscape.axis_j"] - 1)
    elif kind == "custom":
        extra["vectors"] = np.array([parse_vector(v["landscape.custom_u"], prob.d, "u"),
                                     parse_vector(v["landscape.custom_v"], prob.d, "v")])
    dirs = ls.make_directions(prob, center, kind, seed=v["landscape.seed"],
                              scale=v["landscape.scale"], **extra)
    axis = ls.grid(v["landscape.span"], v["landscape.resolution"])
    surface = ls.surface_2d(prob, center, dirs.u, dirs.v, axis, axis)
    line = ls.line_1d(prob, center, dirs.u, ls.grid(v["landscape.span"], 801))
    paths = {}
    if v["landscape.paths"]:
        for method, xs in optimiser_paths(problem_spec, ("newton", "gd", "lbfgs")).items():
            paths[method] = (ls.project(xs, center, dirs.u, dirs.v), prob.loss_batch(xs))
    return LandscapeView(surface, line, dirs, CENTER_LABELS[center_kind], paths)
