"""Settings and the cached computation behind the Hessian page: the spectrum at a
point, its density, the diagonal-plus-rank-two structure, the theory checks of
MATH.md 4 at that point, and the extremes along a Newton path."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

# names imported from the module: ``landscape.spectrum`` is also the function's name
from landscape.spectrum import (DENSE_MAX_D, HessianStructure, SpectralDensity, Spectrum,
                                TheoryChecks, TraceEstimate, TrajectorySpectrum, hessian_structure,
                                hessian_trace, hutchinson_trace, spectral_density, spectrum,
                                theory_checks, trajectory_spectrum)
from landscape.figures.spectrum import SCALES
from landscape.optimize import minimize

from .builder import problem_from_spec
from .points import POINT_LABELS, POINTS, resolve_point
from .state import Field, register

PATH_METHODS = ("newton", "approx_newton", "gd", "lbfgs")

register(**{
    "hessian.point": Field("zero", str, POINTS),
    "hessian.custom_point": Field("", str),
    "hessian.k": Field(6, int, low=1, high=500),
    "hessian.scale": Field("auto", str, SCALES),
    "hessian.l": Field(1.0, float, low=1e-12, high=1e6),
    "hessian.path": Field("newton", str, PATH_METHODS),
})


@dataclass(frozen=True)
class HessianView:
    """Everything the Hessian page draws; ``structure`` is None above DENSE_MAX_D."""

    point_label: str
    x: np.ndarray
    k: int
    alpha_sign: int
    log_abs_alpha: float
    spectrum: Spectrum
    density: SpectralDensity
    structure: HessianStructure | None
    checks: TheoryChecks
    trace: float
    hutchinson: TraceEstimate
    path: TrajectorySpectrum
    path_message: str


@st.cache_data(max_entries=16, show_spinner="Computing the spectrum...")
def hessian_view(problem_spec: tuple, view_spec: tuple) -> HessianView:
    """The Hessian page's results for these settings (ValueError on bad ones, e.g. a
    point on the pole set)."""
    prob = problem_from_spec(problem_spec)
    v = dict(view_spec)
    x = resolve_point(problem_spec, v["hessian.point"], v["hessian.custom_point"])
    k = min(v["hessian.k"], max(1, (prob.d - 1) // 2))
    eigen = spectrum(prob, x, k)
    structure = hessian_structure(prob, x) if prob.d <= DENSE_MAX_D else None
    run = minimize(prob, np.zeros(prob.d), v["hessian.path"], max_iter=60)
    here = prob.evaluate(x)
    return HessianView(
        point_label=POINT_LABELS[v["hessian.point"]], x=x, k=k, alpha_sign=here.alpha_sign,
        log_abs_alpha=here.log_abs_alpha, spectrum=eigen,
        density=spectral_density(prob, x), structure=structure,
        checks=theory_checks(prob, x, strong_convexity=v["hessian.l"]),
        trace=hessian_trace(prob, x), hutchinson=hutchinson_trace(prob, x),
        path=trajectory_spectrum(prob, run.xs, k=k), path_message=run.message)
