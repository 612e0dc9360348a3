"""Settings and the cached computation behind the Newton page: a race of methods
from one start on the current problem, their convergence diagnostics, and the
landscape of the plane that shows their paths best."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import landscape as ls
from landscape import export
from landscape.figures import optimize as optimize_figures
from landscape.figures import surface as surface_figures
from landscape.figures.style import METHOD_NAMES, number_text, status_name
from landscape.optimize import METHODS, Convergence, Trajectory, diagnose, minimize

from . import exports, state
from .builder import problem_from_spec
from .markdown import literal
from .points import POINT_LABELS, POINTS, clicked, resolve_point, use_as_start
from .state import Field, register

#: display names of the methods (one name per method everywhere: figures.style)
METHOD_LABELS = METHOD_NAMES

register(**{
    "newton.methods": Field(["newton", "approx_newton", "gd", "lbfgs"], list, METHODS,
                            label="methods", widget="multiselect", labels=METHOD_LABELS),
    "newton.start": Field("zero", str, POINTS, label="start x₀", widget="selectbox",
                          labels=POINT_LABELS),
    "newton.custom_start": Field("", str, label="x₀ (d numbers, or one)", widget="text_input"),
    "newton.tol": Field(1e-10, float, low=1e-300, high=1.0, widget="number_input",
                        label="tolerance (‖∇L‖ relative to start)", options=dict(format="%.1e")),
    "newton.max_iter": Field(100, int, low=1, high=10_000, label="max iterations",
                             widget="number_input"),
    "newton.eps": Field(0.5, float, low=0.05, high=0.95, label="ε of approximate Newton",
                        widget="slider",
                        options=dict(step=0.05, help="rows kept ~ d log(d/δ) / ε²; the error "
                                                     "contracts by at most about ε per step")),
    "newton.seed": Field(0, int, low=0, high=2**31 - 1, label="sampling seed",
                         widget="number_input"),
    "newton.against": Field("iteration", str, ("iteration", "time"), label="x axis",
                            widget="radio", options=dict(horizontal=True)),
    "newton.error": Field("hessian", str, ("hessian", "euclidean"), label="error norm",
                          widget="radio", options=dict(horizontal=True)),
    # the iteration shown; above the longest run it means "all of it" (the page clamps)
    "newton.step": Field(10_000, int, low=0, high=10_000, widget="slider",
                         label="step-by-step: iteration shown in the table and on the map"),
})


@dataclass(frozen=True)
class Race:
    """The runs (in the order asked), their diagnostics, and a plane through the
    minimiser spanned by the principal components of all paths. For d = 1 the race
    is on a line: ``surface`` and ``directions`` are None, ``line`` is the loss
    around x*, and each projection is the path's coordinates x_k − x*."""

    runs: tuple[Trajectory, ...]
    diagnostics: tuple[Convergence | None, ...]
    x_star: np.ndarray
    surface: ls.Surface | None
    directions: ls.Directions | None
    projections: tuple  # of ls.Projection, or of (k+1,) arrays for d = 1
    start_label: str
    line: ls.Line | None = None
    loss_star: float = float("nan")  # L(x*), the bottom of the map's log(L − L*) colour


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
    if prob.d == 1:  # a race along a line: the loss around x* covering every iterate
        offsets = tuple(run.xs[:, 0] - x_star[0] for run in runs)
        reach = max(float(np.max(np.abs(o))) for o in offsets)
        line = ls.line_1d(prob, x_star, np.ones(1), ls.grid(1.25 * max(reach, 1e-3), 801))
        return Race(tuple(runs), diagnostics, x_star, None, None, offsets,
                    POINT_LABELS[v["newton.start"]], line)
    dirs = _race_plane(prob, x0, x_star, every)
    projections = tuple(ls.project(run.xs, x_star, dirs.u, dirs.v) for run in runs)
    reach = max(float(np.max(np.abs(np.concatenate([p.alphas, p.betas])))) for p in projections)
    axis = ls.grid(1.25 * max(reach, 1e-3), 101)
    surface = ls.surface_2d(prob, x_star, dirs.u, dirs.v, axis, axis)
    return Race(tuple(runs), diagnostics, x_star, surface, dirs, projections,
                POINT_LABELS[v["newton.start"]], loss_star=float(prob.loss(x_star)))


def _race_plane(prob: ls.Problem, x0: np.ndarray, x_star: np.ndarray,
                every: np.ndarray) -> ls.Directions:
    """The plane that shows the paths best: their principal components; if they lie
    on one line, that line and the gradient at the start; if no method moved (x0 is
    already the minimiser), seeded random directions through x*."""
    for kind, center, extra in (("pca", x_star, {"trajectory": every}),
                                ("gradient_newton", x0, {})):
        try:
            return ls.make_directions(prob, center, kind, **extra)
        except ValueError:
            continue
    return ls.make_directions(prob, x_star, "random", seed=0)


def run_table(result: Race) -> list[dict]:
    """One row per run: how it ended and what was measured."""
    rows = []
    for run, diag in zip(result.runs, result.diagnostics, strict=True):
        rows.append({
            "method": METHOD_LABELS[run.method], "status": status_name(run.status),
            "steps": run.n_iter, "final loss": float(run.loss[-1]),
            "final ‖∇L‖": float(run.grad_norm[-1]),
            "time (ms)": 1e3 * float(run.elapsed[-1]),
            "convergence (H-norm error)": observed(diag),
            "basin condition": "–" if diag is None else "met" if diag.basin.holds else "not met",
            "rows kept (last step)": (int(run.rows_kept[-1]) if run.rows_kept is not None
                                      and run.rows_kept.size else None),
        })
    return rows


def run_messages(result: Race) -> str:
    """How each run ended, one sentence per method (too long for a table cell)."""
    return "  \n".join(f"**{METHOD_LABELS[run.method]}:** {literal(run.message)}"
                       for run in result.runs)


def observed(diag: Convergence | None) -> str:
    """The observed convergence in words: "order 1.9" where the error falls faster than
    linearly (rate below 0.5 and order at least 1.5), else "linear, rate 0.99". An order
    estimated from ratios near 1 is noise (log r_{k+1} / log r_k of two tiny numbers), so
    a slow run never shows one."""
    if diag is None or np.isnan(diag.hessian.rate):
        return "–"
    rate, order = diag.hessian.rate, diag.hessian.order
    if rate <= 0.5 and order >= 1.5:
        return f"order {number_text(order, 2)}"
    return f"linear, rate {number_text(rate, 2)}"


def step_rows(result: Race, step: int) -> list[dict]:
    """The numbers of each run at iteration ``step`` (its last one if it stopped)."""
    rows = []
    for run, proj in zip(result.runs, result.projections, strict=True):
        k = min(step, run.n_iter)
        off_plane = 0.0 if result.surface is None else float(
            surface_figures.off_plane(proj)[k])
        rows.append({"method": METHOD_LABELS[run.method], "k": k, "loss": float(run.loss[k]),
                     "‖∇L‖": float(run.grad_norm[k]),
                     "log|α|": float(run.log_abs_alpha[k]),
                     "‖step‖": float(run.step_length[k - 1]) if k else 0.0,
                     "off plane": off_plane})
    return rows


def truncated(projection: ls.Projection, step: int) -> ls.Projection:
    """The first ``step + 1`` points of a projection (for playback)."""
    k = step + 1
    return ls.Projection(projection.alphas[:k], projection.betas[:k], projection.distance[:k])


def paths_figure(race: Race, *, step: int) -> go.Figure:
    """The paths up to iteration ``step`` (the page's one step control), on the plane
    through x* of their principal components, or on the loss curve for d = 1."""
    figs = surface_figures
    if race.surface is None:
        paths = figs.slice_figure(race.line, label="x₁ − x*",
                                  title="The race along the one axis (d = 1)")
        for run, offsets in zip(race.runs, race.projections, strict=True):
            k = min(step, run.n_iter) + 1
            figs.add_path_1d(paths, offsets[:k], run.loss[:k], run.method)
        return paths
    paths = figs.contour_figure(race.surface, labels=race.directions.labels,
                                minimum=race.loss_star,
                                title="Paths on the plane through x* of their principal "
                                      "components")
    figs.add_click_grid(paths, race.surface.alphas, race.surface.betas)
    for run, projection in zip(race.runs, race.projections, strict=True):
        figs.add_trajectory(paths, truncated(projection, min(step, run.n_iter)), run.method)
    # the legend under the axis title (right under the axes it covered the title)
    return paths.update_layout(height=640, margin=dict(t=60, b=150),
                               legend=dict(orientation="h", x=0, y=-0.17, yanchor="top"))


def convergence_figure(race: Race, *, against: str, error: str) -> go.Figure:
    """Error and gradient norm of every run against iteration or time."""
    return optimize_figures.convergence_figure(race.runs, race.diagnostics, against=against,
                                               error=error)


def data_table(race: Race) -> dict[str, np.ndarray]:
    """Every iterate of every run, one row each; the method column holds the
    method's display name (``figures.style``), as every chart and table does."""
    table = export.trajectories_table(list(race.runs))
    table["method"] = np.array([METHOD_LABELS[m] for m in table["method"]])
    return table


def export_buttons(race: Race, paths: go.Figure, convergence: go.Figure,
                   problem_spec: tuple) -> None:
    """Downloads: the paths map or the convergence figure, every run's numbers (each
    row names its method), and a script."""
    runs = list(race.runs)
    table = data_table(race)
    exports.buttons("newton_runs", {"Convergence": convergence, "Paths on the plane": paths},
                    table,
                    export.trajectories_arrays(runs),
                    exports.newton_script(problem_spec, runs[0].xs[0], runs))


#: seconds between two steps when the race is played
PLAY_INTERVAL = 0.6
_PLAYING = "_newton_playing"


def playing() -> bool:
    """Whether the race is being played (a transient action, not a setting)."""
    return bool(st.session_state.get(_PLAYING, False))


def toggle_play(longest: int) -> None:
    """Button callback: play from the start (or from the step shown), or pause."""
    st.session_state[_PLAYING] = not playing()
    if playing() and state.get("newton.step") >= longest:
        state.put("newton.step", 0)


def advance(longest: int) -> None:
    """While playing, one step further each fragment run; at the end, stop playing
    (a whole-page rerun, so the timer stops too)."""
    if not playing():
        return
    if state.get("newton.step") < longest:
        state.put("newton.step", state.get("newton.step") + 1)
    else:
        st.session_state[_PLAYING] = False
        st.rerun()


def start_from_click(race: Race, selection) -> None:
    """``on_select`` of the paths map: a click at (a, c) of the plane makes
    x0 = x* + a u + c v the race's (custom) start; the URL holds it."""
    where = clicked(selection)
    if race.surface is None or where is None:
        return
    use_as_start(race.x_star + where[0] * race.directions.u + where[1] * race.directions.v)
