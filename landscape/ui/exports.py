"""Download buttons for any of a page's figures (standalone interactive HTML, PNG,
SVG: each with its title, the problem in one line and the link to the view), the
page's data (CSV and NPZ) and a Python script that recomputes the figure with the
library. Files are made only when a button is pressed."""

from __future__ import annotations

import html
import os
import shutil
from collections.abc import Callable
from functools import partial
from urllib.parse import urlencode

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import landscape as ls
from landscape import export

from . import state
from .builder import generator_arguments, problem_line, problem_spec

#: where kaleido finds a browser; the app never downloads one
CHROMIUM = "/usr/bin/chromium"
IMAGE_SIZE = (1200, 800)


def chromium_path() -> str | None:
    """The Chromium kaleido will drive: $BROWSER_PATH, /usr/bin/chromium, or one on
    PATH; None when there is none."""
    for candidate in (os.environ.get("BROWSER_PATH"), CHROMIUM, shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def figure_image(fig: go.Figure, fmt: str) -> bytes:
    """The figure as PNG or SVG bytes (1200 x 800 px) rendered by kaleido in the
    installed Chromium."""
    path = chromium_path()
    if path is None:
        raise RuntimeError("no Chromium for kaleido: install Debian's chromium")
    os.environ.setdefault("BROWSER_PATH", path)
    width, height = IMAGE_SIZE
    return fig.to_image(format=fmt, width=width, height=height)


def figure_html(fig: go.Figure) -> str:
    """The figure as one HTML file with plotly.js inside (works offline)."""
    return fig.to_html(include_plotlyjs=True, full_html=True)


def view_link() -> str:
    """The address of the view on screen (page and settings), or "" outside a browser."""
    base = st.context.url
    if not base:
        return ""
    query = urlencode(state.url_params())
    return base + ("?" + query if query else "")


def standalone(fig: go.Figure, title: str, problem: str, link: str) -> go.Figure:
    """A copy of ``fig`` that says what it is on its own: ``title`` over it, the
    problem and the link to the view under the title (escaped: plain text)."""
    out = go.Figure(fig)
    note = html.escape(problem) + (f"<br>{html.escape(link)}" if link else "")
    margin = out.layout.margin
    out.update_layout(title=dict(text=f"{html.escape(title)}<br><sup>{note}</sup>", x=0.02,
                                 xanchor="left", font_size=18),
                      margin=dict(t=max(margin.t or 0, 110)))
    return out


def buttons(name: str, figures: dict[str, go.Figure | Callable[[], go.Figure]],
            table: dict, arrays: dict, script: str | None = None) -> None:
    """A row of downloads: the figure chosen among ``figures`` (by title; a figure, or
    a function that builds it when a button is pressed) as HTML, PNG or SVG, the page's
    ``table`` as CSV, its ``arrays`` as NPZ, and ``script``. ``name`` is the files'
    stem and the keys' prefix."""
    cols = st.columns([3, 1, 1, 1, 1, 1, 1] if script else [3, 1, 1, 1, 1, 1])
    titles = list(figures)
    title = cols[0].selectbox("figure to download", titles, key=f"export.{name}.figure",
                              label_visibility="collapsed",
                              help="Which of this page's figures the three figure buttons save")
    # the titled copy is made only when a button is pressed (copying a 101 x 101 map on
    # every rerun would be work thrown away)
    chosen, problem, link = figures[title], problem_line(problem_spec()), view_link()

    def labelled() -> go.Figure:
        return standalone(chosen() if callable(chosen) else chosen, title, problem, link)

    stem = f"{name}_{titles.index(title) + 1}" if len(titles) > 1 else name
    common = dict(on_click="ignore", width="stretch")
    cols[1].download_button("Figure (HTML)", lambda: figure_html(labelled()), f"{stem}.html",
                            "text/html", key=f"export.{name}.html", **common)
    no_browser = chromium_path() is None
    why = ("PNG and SVG are drawn by kaleido in Chromium, and none is installed here "
           "(apt-get install chromium)." if no_browser
           else "Drawn by kaleido in the installed Chromium.")
    for col, fmt, mime in ((cols[2], "png", "image/png"), (cols[3], "svg", "image/svg+xml")):
        col.download_button(f"Figure ({fmt.upper()})",
                            lambda f=fmt: figure_image(labelled(), f),
                            f"{stem}.{fmt}", mime, key=f"export.{name}.{fmt}",
                            disabled=no_browser, help=why, **common)
    cols[4].download_button("Data (CSV)", partial(export.table_csv, table), f"{name}.csv",
                            "text/csv", key=f"export.{name}.csv", **common)
    cols[5].download_button("Data (NPZ)", partial(export.arrays_npz, arrays), f"{name}.npz",
                            "application/octet-stream", key=f"export.{name}.npz", **common)
    if script:
        cols[6].download_button("Python script", script, f"{name}.py", "text/x-python",
                                key=f"export.{name}.py", **common)


def _vector(values: np.ndarray) -> str:
    return "np.array([" + ", ".join(repr(float(v)) for v in values) + "])"


def _prologue(problem_spec: tuple, what: str) -> str | None:
    """The script's opening lines: imports and the problem; None for uploaded data
    (the files are not in the script)."""
    if dict(problem_spec)["problem.source"] != "generator":
        return None
    return f'''"""Reproduces {what} of the loss-landscape lab with the landscape library."""
import numpy as np

import landscape as ls

prob = ls.make_problem(**{generator_arguments(problem_spec)!r})
'''


def _plane(surface: ls.Surface) -> str:
    """Script lines that define the surface's plane and grid exactly."""
    a, c = surface.alphas, surface.betas
    return (f"center = {_vector(surface.center)}\nu = {_vector(surface.u)}\n"
            f"v = {_vector(surface.v)}\n"
            f"alphas = np.linspace({float(a[0])!r}, {float(a[-1])!r}, {a.size})\n"
            f"betas = np.linspace({float(c[0])!r}, {float(c[-1])!r}, {c.size})\n")


def surface_script(problem_spec: tuple, surface: ls.Surface) -> str | None:
    """A script that rebuilds the problem and this surface and saves the contour map."""
    head = _prologue(problem_spec, "a Landscape figure")
    if head is None:
        return None
    return head + "from landscape.figures import surface as figures\n\n" + _plane(surface) + '''\
# values[j, i] = L(center + a_i u + c_j v)
surface = ls.surface_2d(prob, center, u, v, alphas, betas)
figures.contour_figure(surface).write_html("landscape_surface.html")
print("surface", surface.values.shape, "min", np.nanmin(surface.values))
'''


def spectrum_script(problem_spec: tuple, x: np.ndarray, k: int) -> str | None:
    """A script that recomputes the Hessian spectrum at x and saves its figure."""
    head = _prologue(problem_spec, "the Hessian spectrum")
    if head is None:
        return None
    return head + f'''from landscape.figures import spectrum as figures

x = {_vector(x)}
spectrum = ls.spectrum(prob, x, {int(k)})
figures.eigenvalue_figure(spectrum).write_html("hessian_spectrum.html")
print("eigenvalues", spectrum.eigenvalues)
'''


def newton_script(problem_spec: tuple, x0: np.ndarray, runs: list) -> str | None:
    """A script that reruns every method of the race and saves the convergence plot."""
    head = _prologue(problem_spec, "the Newton race")
    if head is None:
        return None
    calls = ",\n    ".join(
        f"ls.minimize(prob, x0, {run.method!r}, tol={run.options['tol']!r}, "
        f"max_iter={run.options['max_iter']!r}, seed={run.options['seed']!r}"
        + (f", eps={run.options['eps']!r}" if "eps" in run.options else "") + ")"
        for run in runs)
    return head + f'''from landscape.figures import optimize as figures

x0 = {_vector(x0)}
runs = [
    {calls},
]
figures.convergence_figure(runs).write_html("newton_runs.html")
for run in runs:
    print(run)
'''


def compare_script(problem_spec: tuple, comparison) -> str | None:
    """A script that recomputes both surfaces and their difference map."""
    head = _prologue(problem_spec, "the comparison of two losses")
    if head is None:
        return None
    return head + ("from landscape.figures import surface as figures\n"
                   "from landscape.surface import compare_surfaces\n\n"
                   + _plane(comparison.first)) + f'''\
comparison = compare_surfaces(prob, {comparison.gammas!r}, center, u, v,
                              alphas, betas)
figures.difference_figure(comparison).write_html("compare_difference.html")
print("difference", np.nanmin(comparison.difference), np.nanmax(comparison.difference))
'''
