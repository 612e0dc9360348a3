"""Points a page can look at (x = 0, the minimiser, x_true, a typed point), the
cached Newton path that finds the minimiser, and what a click on a map makes of a
point: the start of the optimisers (the Newton race's x₀) or a plane's centre."""

from __future__ import annotations

import numpy as np
import streamlit as st

import landscape as ls

from . import state
from .builder import problem_from_spec

POINTS = ("zero", "minimiser", "x_true", "custom")
POINT_LABELS = {"zero": "x = 0", "minimiser": "the minimiser", "x_true": "x_true",
                "custom": "a custom point"}


def parse_vector(text: str, d: int, name: str) -> np.ndarray:
    """A comma-separated vector of length d (one number: repeated), or a ValueError
    that says what is wrong."""
    try:
        values = [float(t) for t in text.replace(";", ",").split(",") if t.strip()]
    except ValueError:
        raise ValueError(f"{name} must be {d} numbers separated by commas; received "
                         f"{text!r}.") from None
    if len(values) == 1 and d > 1:
        values = values * d
    if len(values) != d:
        raise ValueError(f"{name} must have d = {d} numbers (or one, repeated); received "
                         f"{len(values)}.")
    return np.array(values)


@st.cache_data(max_entries=16, show_spinner="Running Newton from 0...")
def newton_path(problem_spec: tuple) -> np.ndarray:
    """Iterates of exact Newton from x = 0, (k+1, d); the last is the minimiser."""
    prob = problem_from_spec(problem_spec)
    return ls.minimize(prob, np.zeros(prob.d), "newton", tol=1e-10, max_iter=100).xs


def resolve_point(problem_spec: tuple, kind: str, custom: str) -> np.ndarray:
    """The point named by ``kind`` (one of POINTS) for this problem."""
    prob = problem_from_spec(problem_spec)
    if kind == "zero":
        return np.zeros(prob.d)
    if kind == "minimiser":
        return newton_path(problem_spec)[-1]
    if kind == "x_true":
        if prob.x_true is None:
            raise ValueError("x_true exists only for a realizable target b; choose another point.")
        return np.array(prob.x_true)
    return parse_vector(custom, prob.d, "the custom point")


def on_plane(where: ls.Projection | None, center: np.ndarray, span: float) -> bool:
    """Whether a projected point (one row) lies on its plane, to rounding, and inside
    the drawn square ``|a|, |c| <= span``."""
    if where is None:
        return False
    a, c = float(where.alphas[0]), float(where.betas[0])
    scale = 1.0 + float(np.linalg.norm(center)) + abs(a) + abs(c)
    return max(abs(a), abs(c)) <= span and where.distance[0] <= 1e-9 * scale


def true_point(prob: ls.Problem, center: np.ndarray, dirs: ls.Directions) -> ls.Projection | None:
    """x_true (a realizable b) projected on the plane through ``center``, or None."""
    if prob.x_true is None:
        return None
    return ls.project(np.asarray(prob.x_true)[None], center, dirs.u, dirs.v)


def format_point(x: np.ndarray) -> str:
    """A point as the text of a custom-point field (6 significant digits each)."""
    return ", ".join(f"{v:.6g}" for v in x)


def clicked(selection) -> tuple[float, float] | None:
    """The plane coordinates (a, c) of a click on a map (the ``selection`` of
    ``st.plotly_chart(..., on_select=...)``), or None when nothing was clicked."""
    points = getattr(selection, "points", None) or (selection or {}).get("points", [])
    if not points:
        return None
    return float(points[0]["x"]), float(points[0]["y"])


def use_as_start(x: np.ndarray) -> None:
    """Make ``x`` the optimisers' start (the Newton race's custom x₀), the race shown
    whole; the URL follows."""
    state.settings().update({"newton.start": "custom", "newton.custom_start": format_point(x),
                             "newton.step": state.FIELDS["newton.step"].default})
    state.sync_url()


def use_as_center(x: np.ndarray) -> None:
    """Make ``x`` the Landscape plane's (custom) centre; the URL follows."""
    state.settings().update({"landscape.center": "custom",
                             "landscape.custom_center": format_point(x)})
    state.sync_url()
