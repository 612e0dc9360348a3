"""Settings and the cached computation behind the Landscape page: a surface over a
plane through a centre, a slice through the centre along u, optionally optimiser
paths from the optimisers' start (the Newton race's x₀); for d = 1, the loss along
the one axis. ``figures`` turns a view into the page's ready figures, and a click on
the map moves the start or the centre there (``click_on_map``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import landscape as ls
from landscape import export
from landscape.deadline import TimeLimitExceeded
from landscape.directions import DIRECTION_KINDS
from landscape.figures import surface as surface_figures
from landscape.figures.style import number_text
from landscape.limits import MAX_RESOLUTION

from . import exports, state
from .builder import problem_from_spec
from .points import (
    POINT_LABELS,
    POINTS,
    clicked,
    newton_path,
    parse_vector,
    resolve_point,
    true_point,
    use_as_center,
    use_as_start,
)
from .points import on_plane as points_on_plane
from .state import Field, register

CENTERS = POINTS
#: at most 22 characters: the chooser is one narrow column beside the map
DIRECTION_LABELS = {"random": "random (seeded)", "hessian_top": "H's top eigenvectors",
                    "hessian_bottom": "H's lowest eigenvectors",
                    "hessian_extremes": "steepest & flattest",
                    "gradient_newton": "gradient & Newton step",
                    "pca": "PCA of Newton's path",
                    "axes": "coordinate axes", "custom": "custom vectors"}
#: resolutions offered; the fast evaluator keeps 201 x 201 near 0.1 s at n = 10^4
RESOLUTIONS = (51, 101, 151, 201, 301, 401)
PATH_METHODS = ("newton", "gd", "lbfgs")

register(**{
    "landscape.center": Field("zero", str, CENTERS, label="centre x₀", widget="selectbox",
                              labels=POINT_LABELS),
    "landscape.custom_center": Field("", str, label="x₀ (d numbers, or one)", widget="text_input"),
    "landscape.directions": Field("random", str, DIRECTION_KINDS, label="directions u, v",
                                  widget="selectbox", labels=DIRECTION_LABELS),
    "landscape.seed": Field(0, int, low=0, high=2**31 - 1, label="seed", widget="number_input"),
    "landscape.scale": Field("unit", str, ("unit", "center"), label="length", widget="radio",
                             labels={"unit": "unit", "center": "‖x₀‖"},
                             options=dict(horizontal=True)),
    "landscape.axis_i": Field(1, int, low=1, high=5000, label="axis i", widget="number_input"),
    "landscape.axis_j": Field(2, int, low=1, high=5000, label="axis j", widget="number_input"),
    "landscape.custom_u": Field("", str, label="u (d numbers, or one)", widget="text_input"),
    "landscape.custom_v": Field("", str, label="v (d numbers, or one)", widget="text_input"),
    "landscape.span": Field(3.0, float, low=1e-6, high=1e6, label="span (a, c in ±span)",
                            widget="number_input", options=dict(format="%.4g")),
    "landscape.resolution": Field(101, int, RESOLUTIONS, label="resolution",
                                  widget="select_slider"),
    "landscape.log": Field(False, bool, label="log colour scale", widget="toggle"),
    "landscape.poles": Field(True, bool, label="outline the pole set", widget="toggle"),
    # contour first: a 3-D surface costs ~1.5 s of software WebGL on a machine without a GPU
    "landscape.view": Field("contour", str, ("contour", "3-D", "contour + 3-D"), label="show",
                            widget="radio"),
    "landscape.paths": Field(False, bool, label="optimiser paths", widget="toggle"),
    "landscape.click": Field("start", str, ("start", "center"), label="a click on the map",
                             widget="radio", labels={"start": "starts the paths there",
                                                     "center": "centres the plane there"}),
})
#: the map's height in pixels: a square map as wide as the page's left column
MAP_HEIGHT = 560
#: what the invisible click grid says under the pointer, per ``landscape.click``
CLICK_HINTS = {"start": "click to start the paths here", "center": "click to centre the plane here"}
assert max(RESOLUTIONS) <= MAX_RESOLUTION


@dataclass(frozen=True)
class LandscapeView:
    """Everything the Landscape page draws; ``surface`` and ``directions`` are None
    for d = 1 (then ``line`` is the loss along the one axis)."""

    surface: ls.Surface | None
    line: ls.Line
    directions: ls.Directions | None
    center_label: str
    paths: dict  # method name -> (Projection or 1-D coordinates, losses)
    center: np.ndarray | None = None  # x₀, the point at a = c = 0
    start_label: str = ""  # where the paths start
    x_true: ls.Projection | None = None  # x_true on the plane (a realizable b), if any


def center_is_zero(problem_spec: tuple, kind: str, custom: str) -> bool:
    """Whether the chosen centre is x = 0 (then a length ‖x₀‖ means nothing)."""
    if kind == "zero":
        return True
    try:
        return not np.any(resolve_point(problem_spec, kind, custom))
    except TimeLimitExceeded:  # not a bad point: the page must say the time ran out
        raise
    except ValueError:
        return False


@st.cache_data(max_entries=16, show_spinner=False)
def optimiser_paths(problem_spec: tuple, methods: tuple[str, ...], start: tuple[str, str]) -> dict:
    """Paths of several methods from the start ``(kind, custom text)`` (one of POINTS),
    each as its iterates (k+1, d)."""
    prob = problem_from_spec(problem_spec)
    x0 = resolve_point(problem_spec, *start)
    return {m: ls.minimize(prob, x0, m, max_iter=200).xs for m in methods}


@st.cache_data(max_entries=32, show_spinner="Computing the surface...")
def landscape_view(problem_spec: tuple, view_spec: tuple,
                   start: tuple[str, str] | None = None) -> LandscapeView:
    """The surface, slice and overlays for the given settings, with optimiser paths
    from ``start`` (a point's kind and custom text) when given (ValueError on bad
    settings)."""
    prob = problem_from_spec(problem_spec)
    v = dict(view_spec)
    center_kind = v["landscape.center"]
    center = resolve_point(problem_spec, center_kind, v["landscape.custom_center"])
    label = POINT_LABELS[center_kind]
    span = v["landscape.span"]
    xs = optimiser_paths(problem_spec, PATH_METHODS, start) if start else {}
    start_label = POINT_LABELS[start[0]] if start else ""
    if prob.d == 1:  # the whole space is a line: the loss along x1 around the centre
        line = ls.line_1d(prob, center, np.ones(1), ls.grid(span, 801))
        paths = {m: (path[:, 0] - center[0], prob.loss_batch(path)) for m, path in xs.items()}
        return LandscapeView(None, line, None, label, paths, center, start_label)
    kind = v["landscape.directions"]
    extra = {}
    if kind == "pca":
        extra["trajectory"] = newton_path(problem_spec)
        if len(extra["trajectory"]) < 3:
            raise ValueError(f"Newton from 0 stops after {len(extra['trajectory']) - 1} "
                             "steps here, too few for principal components (they need 3 "
                             "points); choose other directions.")
    elif kind == "axes":
        if v["landscape.axis_i"] == v["landscape.axis_j"]:
            raise ValueError(f"axis i and axis j must differ; both are "
                             f"{v['landscape.axis_i']}. Choose two different axes.")
        extra["axes"] = (v["landscape.axis_i"] - 1, v["landscape.axis_j"] - 1)
    elif kind == "custom":
        extra["vectors"] = np.array([parse_vector(v["landscape.custom_u"], prob.d, "u"),
                                     parse_vector(v["landscape.custom_v"], prob.d, "v")])
    dirs = ls.make_directions(prob, center, kind, seed=v["landscape.seed"],
                              scale=v["landscape.scale"], **extra)
    axis = ls.grid(span, v["landscape.resolution"])
    surface = ls.surface_2d(prob, center, dirs.u, dirs.v, axis, axis)
    line = ls.line_1d(prob, center, dirs.u, ls.grid(span, 801))
    paths = {m: (ls.project(path, center, dirs.u, dirs.v), prob.loss_batch(path))
             for m, path in xs.items()}
    x_true = true_point(prob, center, dirs)
    return LandscapeView(surface, line, dirs, label, paths, center, start_label, x_true)


def on_plane(view: LandscapeView) -> bool:
    """Whether x_true lies on the drawn plane (to rounding) and inside its span."""
    return points_on_plane(view.x_true, view.center, float(view.surface.alphas[-1]))


def click_on_map(view: LandscapeView, selection, action: str) -> None:
    """``on_select`` of the map: the clicked point x₀ + a u + c v becomes the paths'
    start (``action`` "start"; the paths are switched on) or the plane's centre
    ("center"); the URL holds it."""
    where = clicked(selection)
    if view.surface is None or where is None:
        return
    x = view.center + where[0] * view.directions.u + where[1] * view.directions.v
    if action == "center":
        use_as_center(x)
    else:  # the paths switched on first: the URL is written once, with both changes
        state.settings()["landscape.paths"] = True
        use_as_start(x)


@dataclass
class LandscapeFigures:
    """The page's figures: the map and 3-D surface (None for d = 1), the slice, and
    the caption that says what they show."""

    contour: go.Figure | None
    surface3d: go.Figure | None
    slice: go.Figure
    caption: str


def figures(view: LandscapeView, *, log_scale: bool, show_poles: bool,
            click: str | None = None) -> LandscapeFigures:
    """Ready figures of a view (display settings only: nothing is recomputed); with
    ``click`` (a ``landscape.click`` value) the map takes clicks."""
    figs = surface_figures
    if view.surface is None:
        line = figs.slice_figure(view.line, label="x₁ − x₀", log_scale=log_scale,
                                 title="The loss along the one axis (d = 1)")
        for method, (ts, losses) in view.paths.items():
            figs.add_path_1d(line, ts, losses, method)
        return LandscapeFigures(None, None, line, _caption(view, show_poles))
    labels = view.directions.labels
    # log colour: of the excess over the map's lowest value, so the level sets around a
    # minimum stay closed however flat its valley (log L alone shows a trough)
    lowest = float(np.nanmin(view.surface.values)) if log_scale else None
    contour = figs.contour_figure(view.surface, labels=labels, log_scale=log_scale,
                                  show_poles=show_poles, title="L(x₀ + a u + c v)",
                                  minimum=lowest, minimum_name="L<sub>min</sub>")
    contour.update_layout(height=MAP_HEIGHT)
    if on_plane(view):
        figs.add_point(contour, view.x_true.alphas[0], view.x_true.betas[0], "x_true")
    if click:
        figs.add_click_grid(contour, view.surface.alphas, view.surface.betas,
                            name=CLICK_HINTS[click])
    surface3d = figs.surface3d_figure(view.surface, labels=labels, log_scale=log_scale,
                                      title="L(x₀ + a u + c v) in 3-D")
    for method, (projection, losses) in view.paths.items():
        figs.add_trajectory(contour, projection, method)
        figs.add_trajectory(surface3d, projection, method, losses=losses)
    line = figs.slice_figure(view.line, label=f"a (along {labels[0]})", log_scale=log_scale,
                             title="L(x₀ + a u): the slice along u through the centre")
    caption = _caption(view, show_poles) + (f" {CLICK_HINTS[click].capitalize()} (on the map)."
                                            if click else "")
    return LandscapeFigures(contour, surface3d, line, caption)


def _caption(view: LandscapeView, show_poles: bool) -> str:
    """What the figures show, said only of what is drawn."""
    if view.surface is None:
        notes = [f"d = 1: the loss L(x₀ + t) along the one axis, centre {view.center_label}."]
        if np.any(view.line.alpha_sign[1:] != view.line.alpha_sign[:-1]):
            notes.append("Dashed: where α = ⟨u, 1⟩ changes sign (a pole of the unified loss).")
    else:
        labels = view.directions.labels
        notes = [f"Centre: {view.center_label}. Directions: {labels[0]}, {labels[1]}"
                 + ("" if view.directions.orthonormal else " (not orthonormal)") + "."]
        curv = view.directions.eigenvalues
        if curv is not None and curv[0] > 0 and curv[1] > 0 and curv[0] != curv[1]:
            ratio = (max(curv) / min(curv)) ** 0.5
            notes.append(f"Near x₀ the level sets are √(λᵤ / λᵥ) = {number_text(ratio, 3)} times "
                         f"{'longer' if curv[1] < curv[0] else 'shorter'} along v than along u.")
        surf = view.surface
        if surf.has_poles:
            where = " (red)" if show_poles else ""
            notes.append(f"This plane meets the **pole set** α = 0{where}: α changes sign there, "
                         "and where α < 0 the stationary points are spurious. The colour scale "
                         "stops at the 95th percentile so one pole cannot swamp it.")
        if on_plane(view):
            notes.append("×: x_true, where the realizable b was made (L is smallest there up "
                         "to the noise).")
        elif view.x_true is not None:
            far = number_text(view.x_true.distance[0], 3)
            notes.append(f"x_true is not drawn: it lies {far} from "
                         "this plane or outside its span.")
        if surf.fallback_cells:
            notes.append(f"{surf.fallback_cells} of {surf.values.size} cells were re-evaluated "
                         "directly because the fast sums could lose digits there.")
    if view.paths:
        notes.append(f"Optimiser paths start at {view.start_label}.")
    for method, (where, _) in view.paths.items():
        steps = (where.size if view.surface is None else where.alphas.size) - 1
        far = "" if view.surface is None else (
            f"; the farthest iterate lies {number_text(where.distance.max(), 3)} from this plane")
        notes.append(f"{surface_figures.method_name(method)}: {steps} steps{far}.")
    return " ".join(notes)


def export_buttons(view: LandscapeView, figs: LandscapeFigures, problem_spec: tuple) -> None:
    """Downloads: any of the figures, the surface's (or the 1-D line's) data, and a
    script for the surface."""
    if view.surface is None:
        table = {"x1_minus_center": view.line.ts, "loss": view.line.values}
        exports.buttons("landscape_line", {"The loss along the one axis (d = 1)": figs.slice},
                        table, table)
        return
    surf = view.surface
    exports.buttons("landscape_surface", {"The loss over the plane (contour map)": figs.contour,
                                          "The loss over the plane (3-D)": figs.surface3d,
                                          "The loss along u through the centre": figs.slice},
                    export.surface_table(surf), export.surface_arrays(surf),
                    exports.surface_script(problem_spec, surf))
