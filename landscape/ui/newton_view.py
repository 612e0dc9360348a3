"""Settings and the cached computation behind the Newton page: a race of methods
from one start on the current problem, their convergence diagnostics, and the
landscape of the plane that shows their paths best."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

import landscape as ls
from landscape.optimize import METHODS, Convergence, Trajectory, diagnose, minimize

from .builder import problem_from_spec
from .points import POINT_LABELS, POINTS, resolve_point
from .state import Field, register

METHOD_LABELS = {"newton": "Newton (exact)", "approx_newton": "approximate Newton (paper)",
                 "gd": "gradient descent", "newton_cg": "Newton-CG (matrix-free)",
                 "lbfgs": "L-BFGS-B (SciPy)", "bfgs": "BFGS (SciPy)",
                 "trust_exact": "trust-exact (SciPy)", "trust_krylov": "trust-krylov (SciPy)"}

register(**{
    "newton.methods": Field(["newton", "approx_newton", "gd", "lbfgs"], list, METHODS),
    "newton.start": Field("zero", str, POINTS),
    "newton.custom_start": Field("", str),
    "newton.tol": Field(1e-10, float, low=1e-300, high=1.0),
    "newton.max_iter": Field(100, int, low=1, high=10_000),
    "newton.eps": Field(0.5, float, low=1e-6, high=0.999999),
    "newton.seed": Field(0, int, low=0, high=2**31 - 1),
    "newton.against": Field("iteration", str, ("iteration", "time")),
    "newton.error": Field("hessian", str, ("hessian", "euclidean")),
    "newton.step": Field(10_000, int, low=0),  # clamped to the longest run: all of it
})


@dataclass(frozen=True)
class Race:
    """The runs (in the order asked), their diagnostics, and a plane through the
    minimiser spanned by the principal components of all paths."""

    runs: tuple[Trajectory, ...]
    diagnostics: tuple[Convergence | None, ...]
    x_star: np.ndarray
    surface: ls.Surface
    directions: ls.Directions
    projections: tuple[ls.Projection, ...]
    start_label: str


# cache_resource: the results are frozen and read-only, so sharing them is safe and
# saves pickling every path on each rerun
@st.cache_resource(max_entries=16, show_spinner="Running the methods...")
def race(problem_spec: tuple, view_spec: tuple) -> Race:
    """Run every chosen method from the chosen start (ValueError on bad settings)."""
    prob = problem_from_spec(problem_spec)
    v = dict(view_spec)
    if not v["newton.methods"]:
        raise ValueError("choose at least one method.")
    x0 = resolve_point(problem_spec, v["newton.start"], v["newton.custom_start"])
    runs = []
    for method in v["newton.methods"]:
        options = {"eps": v["newton.eps"]} if method == "approx_newton" else {}
        runs.append(minimize(prob, x0, method, tol=v["newton.tol"],
                             max_iter=v["newton.max_iter"],
                             seed=v["newton.seed"], **options))
    x_star = minimize(prob, x0, "newton", tol=1e-300, max_iter=60).x
    diagnostics = tuple(diagnose(prob, run, x_star) for run in runs)
    every = np.vstack([run.xs for run in runs] + [x_star[None]])
    try:
        dirs = ls.make_directions(prob, x_star, "pca", trajectory=every)
    except ValueError:  # all paths on one line: add the gradient at the start
        dirs = ls.make_directions(prob, x0, "gradient_newton") if prob.d > 1 else None
    projections = tuple(ls.project(run.xs, x_star, dirs.u, dirs.v) for run in runs)
    reach = max(float(np.max(np.abs(np.concatenate([p.alphas, p.betas])))) for p in projections)
    axis = ls.grid(1.25 * max(reach, 1e-3), 121)
    surface = ls.surface_2d(prob, x_star, dirs.u, dirs.v, axis, axis)
    return Race(tuple(runs), diagnostics, x_star, surface, dirs, projections,
                POINT_LABELS[v["newton.start"]])


def run_table(result: Race) -> list[dict]:
    """One row per run: how it ended and what was measured."""
    rows = []
    for run, diag in zip(result.runs, result.diagnostics):
        rows.append({
            "method": METHOD_LABELS[run.method], "status": run.status.value,
            "steps": run.n_iter, "final loss": float(run.loss[-1]),
            "final ‖∇L‖": float(run.grad_norm[-1]),
            "time (ms)": 1e3 * float(run.elapsed[-1]),
            "order (H-norm error)": diag.hessian.order if diag else float("nan"),
            "rate (H-norm error)": diag.hessian.rate if diag else float("nan"),
            "basin condition": "holds" if diag and diag.basin.holds else "does not hold",
            "rows kept (last step)": (int(run.rows_kept[-1]) if run.rows_kept is not None
                                      and run.rows_kept.size else None),
            "message": run.message,
        })
    return rows


def step_rows(result: Race, step: int) -> list[dict]:
    """The numbers of each run at iteration ``step`` (its last one if it stopped)."""
    rows = []
    for run, proj in zip(result.runs, result.projections):
        k = min(step, run.n_iter)
        rows.append({"method": METHOD_LABELS[run.method], "k": k, "loss": float(run.loss[k]),
                     "‖∇L‖": float(run.grad_norm[k]),
                     "log|α|": float(run.log_abs_alpha[k]),
                     "step length": float(run.step_length[k - 1]) if k else 0.0,
                     "distance from plane": float(proj.distance[k])})
    return rows


def truncated(projection: ls.Projection, step: int) -> ls.Projection:
    """The first ``step + 1`` points of a projection (for playback)."""
    k = step + 1
    return ls.Projection(projection.alphas[:k], projection.betas[:k], projection.distance[:k])
