"""Settings and the cached computation behind the Compare page: two losses (two
gammas) on the same A, b, plane and colour scale, with their difference, spectra and
Newton runs, and the gamma morph between them; for d = 1, the two losses along the
one axis. ``figures`` turns a comparison into the page's ready figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, partial

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import landscape as ls
from landscape import export
from landscape.figures import compare as compare_figures
from landscape.figures import optimize as optimize_figures
from landscape.figures import surface as surface_figures
from landscape.figures.style import status_name
from landscape.optimize import Trajectory, minimize
from landscape.spectral import Spectrum, spectrum
from landscape.surface import SurfaceComparison, compare_surfaces

from . import exports
from .builder import problem_from_spec
from .markdown import literal
from .points import on_plane, true_point
from .state import Field, register

GAMMA = dict(low=0.0, high=1.0, widget="slider", options=dict(step=0.05))
RESOLUTIONS = (51, 81, 101, 151, 201)

register(**{
    "compare.gamma_a": Field(0.0, float, label="γ left", **GAMMA),
    "compare.gamma_b": Field(1.0, float, label="γ right", **GAMMA),
    "compare.span": Field(3.0, float, low=1e-6, high=1e6, label="span", widget="number_input",
                          options=dict(format="%.4g")),
    "compare.resolution": Field(81, int, RESOLUTIONS, label="resolution", widget="select_slider"),
    "compare.seed": Field(0, int, low=0, high=2**31 - 1, label="direction seed",
                          widget="number_input"),
    "compare.log": Field(False, bool, label="log colour scale", widget="toggle"),
    "compare.morph_frames": Field(11, int, low=2, high=41, label="morph frames",
                                  widget="number_input"),
    # off by default: eleven frames of contours take seconds to draw in the browser
    "compare.morph": Field(False, bool, label="show the γ morph animation", widget="toggle"),
    "compare.section": Field("difference", str, ("difference", "spectra", "newton", "morph"),
                             widget="tabs",
                             labels={"difference": "Difference", "spectra": "Hessian spectra",
                                     "newton": "Newton on each", "morph": "Morph γ"}),
})


@dataclass(frozen=True)
class Comparison:
    """Two gammas through x = 0: surfaces on one plane (or, for d = 1, ``lines``
    along the axis, and ``surfaces`` None), spectra at 0, Newton runs from 0, and
    the morph frames between them (planes only)."""

    gammas: tuple[float, float]
    surfaces: SurfaceComparison | None
    lines: tuple[ls.Line, ls.Line] | None
    directions: ls.Directions | None
    spectra: tuple[Spectrum, Spectrum]
    runs: tuple[Trajectory, Trajectory]
    morph_gammas: tuple[float, ...]
    morph: tuple[ls.Surface, ...]
    x_true: ls.Projection | None = None  # x_true on the plane, when b is realizable


@st.cache_resource(max_entries=8, show_spinner="Comparing the two losses...")
def comparison(problem_spec: tuple, view_spec: tuple) -> Comparison:
    prob = problem_from_spec(problem_spec)
    v = dict(view_spec)
    gammas = (v["compare.gamma_a"], v["compare.gamma_b"])
    x0 = np.zeros(prob.d)
    k = min(6, max(1, (prob.d - 1) // 2))
    spectra = tuple(spectrum(prob.with_gamma(g), x0, k) for g in gammas)
    runs = tuple(minimize(prob.with_gamma(g), x0, "newton", max_iter=100) for g in gammas)
    if prob.d == 1:
        ts = ls.grid(v["compare.span"], 801)
        lines = tuple(ls.line_1d(prob.with_gamma(g), x0, np.ones(1), ts) for g in gammas)
        return Comparison(gammas, None, lines, None, spectra, runs, (), ())
    dirs = ls.make_directions(prob, x0, "axes" if prob.d == 2 else "random", seed=v["compare.seed"])
    axis = ls.grid(v["compare.span"], v["compare.resolution"])
    surfaces = compare_surfaces(prob, gammas, x0, dirs.u, dirs.v, axis, axis)
    x_true = true_point(prob, x0, dirs)
    if not v["compare.morph"]:
        return Comparison(gammas, surfaces, None, dirs, spectra, runs, (), (), x_true)
    morph_gammas = tuple(float(g) for g in
                         np.linspace(gammas[0], gammas[1], v["compare.morph_frames"]))
    coarse = ls.grid(v["compare.span"], min(v["compare.resolution"], 81))
    morph = tuple(ls.surface_2d(prob.with_gamma(g), x0, dirs.u, dirs.v, coarse, coarse)
                  for g in morph_gammas)
    return Comparison(gammas, surfaces, None, dirs, spectra, runs, morph_gammas, morph, x_true)


@dataclass
class CompareFigures:
    """The page's figures. The two maps are built at once; every other figure when it
    is first asked for (drawn or exported), so that the maps reach the browser before
    the rest is built (the morph, one contour map per frame, takes about 0.1 s). For
    d = 1, ``first`` holds both losses on one chart and ``second`` and ``morph`` are
    None."""

    first: go.Figure
    second: go.Figure | None
    #: "difference", "spectra", "newton", "morph" -> a function that builds it
    builders: dict[str, Callable[[], go.Figure | None]]

    @cached_property
    def difference(self) -> go.Figure:
        return self.builders["difference"]()

    @cached_property
    def spectra(self) -> go.Figure:
        return self.builders["spectra"]()

    @cached_property
    def newton(self) -> go.Figure:
        return self.builders["newton"]()

    @cached_property
    def morph(self) -> go.Figure | None:
        return self.builders["morph"]()


def figures(result: Comparison, *, log_scale: bool) -> CompareFigures:
    """The figures of a comparison (the log scale is a display setting)."""
    g1, g2 = result.gammas
    names = [f"γ = {g1:g}", f"γ = {g2:g}"]
    builders = dict(
        spectra=partial(compare_figures.spectra_overlay_figure, result.spectra, names,
                        title="Hessian eigenvalues at x = 0"),
        newton=partial(optimize_figures.convergence_figure, list(result.runs), labels=names,
                       colours=compare_figures.COLORS[:2], legend_title="loss",
                       title="Exact Newton on both losses"),
        morph=lambda: None)
    if result.surfaces is None:
        first, second = result.lines
        curves = dict(zip(names, (first.values, second.values), strict=True))
        both = compare_figures.curves_figure(first.ts, curves, x_title="x₁",
                                             title="The two losses along the one axis (d = 1)")
        if log_scale:
            both.update_yaxes(type="log", exponentformat="power")
        builders["difference"] = partial(
            compare_figures.curves_figure, first.ts,
            {f"L(γ = {g2:g}) − L(γ = {g1:g})": second.values - first.values},
            x_title="x₁", y_title="difference", title="Difference")
        return CompareFigures(both, None, builders)
    comp, labels = result.surfaces, result.directions.labels
    figs, shared = surface_figures, (comp.display_min, comp.display_max)
    first = figs.contour_figure(comp.first, labels=labels, log_scale=log_scale, zrange=shared,
                                title=names[0])
    second = figs.contour_figure(comp.second, labels=labels, log_scale=log_scale, zrange=shared,
                                 title=names[1])
    for fig in (first, second):  # no legend: a legend under one map only would shrink it
        fig.update_layout(showlegend=False)  # (the caption says what red and veiled mean)
        span = float(comp.first.alphas[-1])
        if on_plane(result.x_true, np.zeros(result.directions.u.size), span):
            figs.add_point(fig, result.x_true.alphas[0], result.x_true.betas[0], "x_true")
    builders["difference"] = partial(figs.difference_figure, comp, labels=labels,
                                     title="Difference")
    if result.morph:
        builders["morph"] = partial(figs.morph_figure, list(result.morph),
                                    list(result.morph_gammas), labels=labels,
                                    log_scale=log_scale)
    return CompareFigures(first, second, builders)


def spectra_shown(result: Comparison) -> str:
    """Which eigenvalues the spectra chart shows: all d, or the k at each end (Lanczos)."""
    spec = result.spectra[0]
    shown = len(spec.eigenvalues)
    return f"all {spec.d}" if shown == spec.d else f"the {shown // 2} smallest and largest"


def difference_share(result: Comparison) -> float:
    """How far apart the two maps are: the difference map's scale (the 90th percentile
    of |L₂ − L₁|) as a share of the range of L the maps show (for d ≥ 2)."""
    comp = result.surfaces
    return comp.difference_scale / (comp.display_max - comp.display_min)


def run_rows(result: Comparison) -> list[dict]:
    """One row per loss: how exact Newton from x = 0 ended on it."""
    return [{"γ": g, "status": status_name(run.status), "steps": run.n_iter,
             "final loss": float(run.loss[-1])}
            for g, run in zip(result.gammas, result.runs, strict=True)]


def run_messages(result: Comparison) -> str:
    """How each run ended, one sentence per loss (too long for a table cell)."""
    return "  \n".join(f"**γ = {g:g}:** {literal(run.message)}"
                       for g, run in zip(result.gammas, result.runs, strict=True))


def data_table(result: Comparison) -> dict[str, np.ndarray]:
    """Both losses and their difference, the columns named by γ (``loss_gamma_0``,
    ``loss_gamma_1``, ``loss_gamma_1_minus_loss_gamma_0``), per point of the line (d = 1:
    ``x1``) or per cell of the plane (``a``, ``c``)."""
    g1, g2 = result.gammas
    first_name, second_name = f"loss_gamma_{g1:g}", f"loss_gamma_{g2:g}"
    if result.surfaces is None:
        first, second = result.lines
        where = {"x1": first.ts}
    else:
        first, second = result.surfaces.first, result.surfaces.second
        where = {k: v for k, v in export.surface_table(first).items() if k in ("a", "c")}
    return {**where, first_name: first.values, second_name: second.values,
            f"{second_name}_minus_{first_name}": second.values - first.values}


def export_buttons(result: Comparison, figs: CompareFigures, problem_spec: tuple) -> None:
    """Downloads: any of the figures, both losses and their difference (columns named
    by γ), a script."""
    g1, g2 = result.gammas
    table = data_table(result)
    shown = {f"L with γ = {g1:g}": figs.first, f"L with γ = {g2:g}": figs.second,
             f"L(γ = {g2:g}) − L(γ = {g1:g})": lambda: figs.difference,
             "Hessian eigenvalues at x = 0": lambda: figs.spectra,
             "Exact Newton on both losses": lambda: figs.newton,
             "The γ morph": (lambda: figs.morph) if result.morph else None}
    shown = {t: f for t, f in shown.items() if f is not None}
    if result.surfaces is None:
        shown = {"Both losses along the one axis (d = 1)": figs.first,
                 **{t: f for t, f in shown.items() if f is not figs.first}}
        exports.buttons("compare_line", shown, table, table)
        return
    comp = result.surfaces
    exports.buttons("compare_difference", shown, table,
                    {**{k: v for k, v in table.items() if k not in ("a", "c")},
                     "alphas": comp.first.alphas, "betas": comp.first.betas},
                    exports.compare_script(problem_spec, comp))
