"""Settings and the cached computation behind the Hessian page: the spectrum at a
point, its density, the diagonal-plus-rank-two structure, the theory checks of
MATH.md 4 at that point, and the extremes along a Newton path."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from landscape import export
from landscape.figures import spectrum as spectrum_figures
from landscape.figures.eigen_axis import SCALES
from landscape.figures.style import METHOD_NAMES
from landscape.limits import DENSE_SPECTRUM_MAX_D
from landscape.optimize import minimize
from landscape.spectral import (
    HessianStructure,
    RegularisationCheck,
    SpectralDensity,
    Spectrum,
    TheoryChecks,
    TraceEstimate,
    TrajectorySpectrum,
    hessian_structure,
    hessian_trace,
    hutchinson_trace,
    spectral_density,
    spectrum,
    theory_checks,
    trajectory_spectrum,
)

from . import exports
from .builder import problem_from_spec
from .points import POINT_LABELS, POINTS, resolve_point
from .state import Field, register

PATH_METHODS = ("newton", "approx_newton", "gd", "lbfgs")

register(**{
    "hessian.point": Field("zero", str, POINTS, label="point x", widget="selectbox",
                           labels=POINT_LABELS),
    "hessian.custom_point": Field("", str, label="x (d numbers, or one)", widget="text_input"),
    "hessian.k": Field(6, int, low=1, high=500, label="k (Lanczos: k smallest and k largest)",
                       widget="number_input"),
    "hessian.scale": Field("auto", str, SCALES, label="eigenvalue axis", widget="radio",
                           options=dict(horizontal=True, help="symlog keeps negative eigenvalues "
                                                              "visible beside large positive "
                                                              "ones")),
    "hessian.l": Field(1.0, float, low=1e-12, high=1e6, label="strong convexity l for the checks",
                       widget="number_input", options=dict(format="%.3g")),
    "hessian.path": Field("newton", str, PATH_METHODS, label="path for the extremes",
                          widget="selectbox", labels=METHOD_NAMES),
    "hessian.section": Field("structure", str, ("structure", "path"), widget="tabs",
                             labels={"structure": "Diagonal part + rank two",
                                     "path": "Extremes along an optimiser's path"}),
})


@dataclass(frozen=True)
class HessianView:
    """Everything the Hessian page draws; ``structure`` is None above DENSE_SPECTRUM_MAX_D."""

    point_label: str
    x: np.ndarray
    k: int
    alpha_sign: int
    log_abs_alpha: float
    alpha_condition: float  # κ of the normaliser at x: relative errors of about κε
    near_pole: bool
    spectrum: Spectrum
    density: SpectralDensity
    structure: HessianStructure | None
    checks: TheoryChecks
    trace: float
    hutchinson: TraceEstimate
    path: TrajectorySpectrum
    path_message: str
    path_method: str = "newton"

    @property
    def relative_error(self) -> float:
        """κε: the relative error the normaliser's cancellation puts on every number."""
        return self.alpha_condition * float(np.finfo(np.float64).eps)


@st.cache_data(max_entries=16, show_spinner="Computing the spectrum...")
def hessian_view(problem_spec: tuple, view_spec: tuple) -> HessianView:
    """The Hessian page's results for these settings (ValueError on bad ones, e.g. a
    point on the pole set)."""
    prob = problem_from_spec(problem_spec)
    v = dict(view_spec)
    x = resolve_point(problem_spec, v["hessian.point"], v["hessian.custom_point"])
    k = min(v["hessian.k"], max(1, (prob.d - 1) // 2))
    eigen = spectrum(prob, x, k)
    structure = hessian_structure(prob, x) if prob.d <= DENSE_SPECTRUM_MAX_D else None
    run = minimize(prob, np.zeros(prob.d), v["hessian.path"], max_iter=60)
    here = prob.evaluate(x)
    return HessianView(
        point_label=POINT_LABELS[v["hessian.point"]], x=x, k=k, alpha_sign=here.alpha_sign,
        log_abs_alpha=here.log_abs_alpha, alpha_condition=here.alpha_condition,
        near_pole=here.near_pole, spectrum=eigen,
        density=spectral_density(prob, x), structure=structure,
        checks=theory_checks(prob, x, strong_convexity=v["hessian.l"]),
        trace=hessian_trace(prob, x), hutchinson=hutchinson_trace(prob, x),
        path=trajectory_spectrum(prob, run.xs, k=k), path_message=run.message,
        path_method=v["hessian.path"])


def verdict(check) -> tuple[str, str]:
    """What a theory check found, in words, and its tone ("good", "neutral", "bad").

    A bound (the curvature of B) either holds or is violated: a violation is news. A
    regularisation condition is sufficient, not necessary: when it is not met, the
    guarantee does not apply, which is not a failure of anything (H may well be PD)."""
    if not check.applies:  # e.g. no Hessian-Lipschitz bound exists for the unified loss
        return "for reference only: not a theorem for this loss", "neutral"
    if isinstance(check, RegularisationCheck):
        return (("condition met: the guarantee applies", "good") if check.holds else
                ("condition not met: the guarantee does not apply", "neutral"))
    if check.within_rounding:
        return "holds within rounding", "good"
    return ("holds", "good") if check.holds else ("does not hold", "bad")


@dataclass
class HessianFigures:
    """The page's figures. The two at the top are built at once; ``structure`` (None
    above DENSE_SPECTRUM_MAX_D) and ``path`` when first asked for (drawn or exported),
    after the top ones have gone to the browser."""

    eigenvalues: go.Figure
    density: go.Figure
    view: HessianView
    scale: str

    @cached_property
    def structure(self) -> go.Figure | None:
        structure = self.view.structure
        return (None if structure is None
                else spectrum_figures.structure_figure(structure, scale=self.scale))

    @cached_property
    def path(self) -> go.Figure:
        return spectrum_figures.trajectory_figure(self.view.path, scale=self.scale)


def figures(view: HessianView, *, scale: str) -> HessianFigures:
    """The figures of a view (the eigenvalue axis is a display setting)."""
    figs = spectrum_figures
    return HessianFigures(figs.eigenvalue_figure(view.spectrum, scale=scale, title="Eigenvalues"),
                          figs.density_figure(view.density, title="Spectral density: SLQ vs exact"),
                          view, scale)


def export_buttons(view: HessianView, figs: HessianFigures, problem_spec: tuple) -> None:
    """Downloads: the eigenvalue figure, the spectrum, and a script that recomputes it."""
    table = export.spectrum_table(view.spectrum)
    shown = {"Eigenvalues of the Hessian": figs.eigenvalues,
             "Spectral density (SLQ against exact)": figs.density,
             "Diagonal part, rank-two part and H": ((lambda: figs.structure)
                                                    if view.structure is not None else None),
             f"Eigenvalues along the path of {METHOD_NAMES[view.path_method]}":
                 lambda: figs.path}
    exports.buttons("hessian_spectrum", {t: f for t, f in shown.items() if f is not None},
                    table, table,
                    exports.spectrum_script(problem_spec, view.x, view.k))
