"""Settings and the cached computation behind the Compare page: two losses (two
gammas) on the same A, b, plane and colour scale; their spectra and Newton runs;
the gamma morph between them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

import landscape as ls
from landscape.optimize import Trajectory, minimize
from landscape.spectrum import Spectrum, spectrum
from landscape.surface import SurfaceComparison, compare_surfaces

from .builder import problem_from_spec
from .state import Field, register

register(**{
    "compare.gamma_a": Field(0.0, float, low=0.0, high=1.0),
    "compare.gamma_b": Field(1.0, float, low=0.0, high=1.0),
    "compare.span": Field(3.0, float, low=1e-6, high=1e6),
    "compare.resolution": Field(81, int, low=11, high=301),
    "compare.seed": Field(0, int, low=0, high=2**31 - 1),
    "compare.log": Field(False, bool),
    "compare.morph_frames": Field(11, int, low=2, high=41),
    # off by default: eleven frames of contours take seconds to draw in the browser
    "compare.morph": Field(False, bool),
})


@dataclass(frozen=True)
class Comparison:
    """Two gammas on one plane through 0: surfaces, spectra at 0, Newton runs from 0,
    and the morph frames between them."""

    surfaces: SurfaceComparison
    directions: ls.Directions
    spectra: tuple[Spectrum, Spectrum]
    runs: tuple[Trajectory, Trajectory]
    morph_gammas: tuple[float, ...]
    morph: tuple[ls.Surface, ...]


@st.cache_resource(max_entries=8, show_spinner="Comparing the two losses...")
def comparison(problem_spec: tuple, view_spec: tuple) -> Comparison:
    prob = problem_from_spec(problem_spec)
    v = dict(view_spec)
    gammas = (v["compare.gamma_a"], v["compare.gamma_b"])
    x0 = np.zeros(prob.d)
    dirs = ls.make_directions(prob, x0, "axes" if prob.d == 2 else "random", seed=v["compare.seed"])
    axis = ls.grid(v["compare.span"], v["compare.resolution"])
    surfaces = compare_surfaces(prob, gammas, x0, dirs.u, dirs.v, axis, axis)
    k = min(6, max(1, (prob.d - 1) // 2))
    spectra = tuple(spectrum(prob.with_gamma(g), x0, k) for g in gammas)
    runs = tuple(minimize(prob.with_gamma(g), x0, "newton", max_iter=100) for g in gammas)
    if not v["compare.morph"]:
        return Comparison(surfaces, dirs, spectra, runs, (), ())
    morph_gammas = tuple(float(g) for g in np.linspace(gammas[0], gammas[1], v["compare.morph_frames"]))
    coarse = ls.grid(v["compare.span"], min(v["compare.resolution"], 81))
    morph = tuple(ls.surface_2d(prob.with_gamma(g), x0, dirs.u, dirs.v, coarse, coarse)
                  for g in morph_gammas)
    return Comparison(surfaces, dirs, spectra, runs, morph_gammas, morph)
