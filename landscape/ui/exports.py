"""Download buttons for a page's figure (standalone interactive HTML), its data (CSV
and NPZ) and, for surfaces, a Python script that recomputes the figure with the
library. Files are made only when a button is pressed."""

from __future__ import annotations

from functools import partial

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import landscape as ls
from landscape import export

from .builder import generator_arguments


def figure_html(fig: go.Figure) -> str:
    """The figure as one HTML file with plotly.js inside (works offline)."""
    return fig.to_html(include_plotlyjs=True, full_html=True)


def buttons(name: str, fig: go.Figure, table: dict, arrays: dict, script: str | None = None) -> None:
    """A row of download buttons; ``name`` is the files' stem and the keys' prefix."""
    cols = st.columns(4 if script else 3)
    common = dict(on_click="ignore", width="stretch")
    cols[0].download_button("Figure (HTML)", partial(figure_html, fig), f"{name}.html",
                            "text/html", key=f"export.{name}.html", **common)
    cols[1].download_button("Data (CSV)", partial(export.table_csv, table), f"{name}.csv",
                            "text/csv", key=f"export.{name}.csv", **common)
    cols[2].download_button("Data (NPZ)", partial(export.arrays_npz, arrays), f"{name}.npz",
                            "application/octet-stream", key=f"export.{name}.npz", **common)
    if script:
        cols[3].download_button("Python script", script, f"{name}.py", "text/x-python",
                                key=f"export.{name}.py", **common)


def _vector(values: np.ndarray) -> str:
    return "np.array([" + ", ".join(repr(float(v)) for v in values) + "])"


def surface_script(problem_spec: tuple, surface: ls.Surface) -> str | None:
    """A script that rebuilds the problem and this surface and saves the contour map;
    None for uploaded data (the files are not in the script)."""
    if dict(problem_spec)["problem.source"] != "generator":
        return None
    a, c = surface.alphas, surface.betas
    return f'''"""Reproduces a Landscape figure of the loss-landscape lab (run: python landscape_surface.py)."""
import numpy as np

import landscape as ls
from landscape.figures import surface as figures

prob = ls.make_problem(**{generator_arguments(problem_spec)!r})
center = {_vector(surface.center)}
u = {_vector(surface.u)}
v = {_vector(surface.v)}
alphas = np.linspace({float(a[0])!r}, {float(a[-1])!r}, {a.size})
betas = np.linspace({float(c[0])!r}, {float(c[-1])!r}, {c.size})
surface = ls.surface_2d(prob, center, u, v, alphas, betas)  # values[j, i] = L(center + a_i u + c_j v)
figures.contour_figure(surface).write_html("landscape_surface.html")
print("surface", surface.values.shape, "min", np.nanmin(surface.values))
'''
