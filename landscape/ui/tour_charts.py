"""What each step of the guided tour computes, draws and claims: its one or two
charts, built by the pages' own cached views and figure builders on the step's
settings (``tour_view.values_of``), and its claim measured on the numbers behind
those charts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from landscape.figures import optimize as optimize_figures
from landscape.figures import spectrum as spectrum_figures
from landscape.figures import tour as tour_figures
from landscape.figures.style import number_text
from landscape.optimize import row_sample
from landscape.spectral import RegularisationSweep, regularisation_sweep, theory_checks

from . import claims, compare_view, hessian_view, landscape_view, newton_view, state
from .builder import problem_from_spec
from .claims import Claim
from .points import resolve_point
from .tour_view import W_HIGH

#: the weights of the regularisation sweep of step 5 (the slider's range)
W_SWEEP = np.round(np.linspace(0.0, W_HIGH, 41), 10)  # the slider's steps
#: rows of A drawn in step 7's picture
ROWS_SHOWN = 80
#: every chart of the tour: the height that fits a 1280 x 720 projector with its text
CHART_HEIGHT = 420


@dataclass
class Shown:
    """What a step draws: its charts (figure, caption) and its measured claim."""

    charts: list[tuple[go.Figure, str]]
    claim: Claim


def _landscape(values: dict, *, view: str = "contour"):
    """(the Landscape page's view, its map or 3-D surface (the slice for d = 1), the
    caption) on the settings ``values``."""
    result = claims.landscape_of(values)
    figs = landscape_view.figures(result, log_scale=values["landscape.log"],
                                  show_poles=values["landscape.poles"])
    if figs.contour is None:  # d = 1 (the sidebar's problem, step 8): the loss along the axis
        return result, figs.slice, figs.caption
    return result, (figs.contour if view == "contour" else figs.surface3d), figs.caption


def _step_1(values: dict, tour: dict) -> Shown:
    return Shown([_landscape(values, view=tour["tour.view"])[1:]],
                 claims.measure("whole_landscape_2d", values))


def _comparison(values: dict) -> compare_view.Comparison:
    return compare_view.comparison(state.spec_of(values, "problem."),
                                   state.spec_of(values, "compare."))


def _step_2(values: dict, tour: dict) -> Shown:
    result = _comparison(values)
    figs = compare_view.figures(result, log_scale=values["compare.log"])
    gamma = values["compare.gamma_b"]
    share = compare_view.difference_share(result)
    share_one = compare_view.difference_share(_comparison({**values, "compare.gamma_b": 1.0}))
    scale = number_text(result.surfaces.difference_scale, 3)
    holds = share_one >= 0.1 and (share == 0 if gamma == 0 else share > 0)
    now = ("at γ = 0 the two losses are one: the difference is 0 everywhere" if gamma == 0
           else f"at γ = {gamma:g} the difference map's colour range (±{scale}) is "
                f"{100 * share:.0f} % of the loss range")
    text = (f"{now} (the claim: at least 10 % at γ = 1)." if gamma == 1 else
            f"{now}; at γ = 1 it is {100 * share_one:.0f} % (the claim: at least 10 %).")
    return Shown([(figs.second, f"The loss with γ = {gamma:g}, log colour scale."),
                  (figs.difference, f"L(γ = {gamma:g}) − L(softmax) on the same plane.")],
                 Claim(holds, text))


def _step_3(values: dict, tour: dict) -> Shown:
    return Shown([_landscape(values)[1:]], claims.measure("poles", values))


def _hessian(values: dict) -> hessian_view.HessianView:
    return hessian_view.hessian_view(state.spec_of(values, "problem."),
                                     state.spec_of(values, "hessian."))


def _step_4(values: dict, tour: dict) -> Shown:
    view = _hessian(values)
    s = view.structure
    r_minus, r_plus = s.rank_two
    holds = bool(r_minus < -s.tolerance and r_plus > s.tolerance and s.interlacing_holds)
    text = (f"the rank-two part's eigenvalues are {number_text(r_minus, 3)} and "
            f"{number_text(r_plus, 3)} (rounding: {number_text(s.tolerance, 1)}); H's "
            f"eigenvalues {'interlace' if s.interlacing_holds else 'do not interlace'} the "
            f"diagonal part's; negative: {s.n_negative_diagonal} there, "
            f"{s.n_negative_whole} in H.")
    figure = spectrum_figures.structure_figure(
        s, scale="symlog", title="H = diagonal part + rank-two part (symmetric log axes)")
    # two legend entries a row, under a title without the axes' subtitle: the plot keeps
    # its height in the tour's smaller chart
    figure.update_layout(title_subtitle_text="", margin=dict(t=110),
                         legend=dict(entrywidth=0.5, entrywidthmode="fraction",
                                     font=dict(size=11)))
    where = "x = 0" if tour["tour.point"] == "zero" else "x = (1.5, …, 1.5)"
    return Shown([(figure, f"At {where}: the eigenvalues of the diagonal part, of the "
                           "rank-two part and of H.")], Claim(holds, text))


@dataclass(frozen=True)
class Sweep:
    """Step 5: the sweep over ``W_SWEEP`` and the paper's sufficient w (l = 1)."""

    sweep: RegularisationSweep
    sufficient_w: float  # sqrt of the paper's required w², inf if none


def _point(problem_spec: tuple, hessian_spec: tuple) -> np.ndarray:
    v = dict(hessian_spec)
    return resolve_point(problem_spec, v["hessian.point"], v["hessian.custom_point"])


@st.cache_data(max_entries=4, show_spinner="Sweeping the regularisation...")
def sweep(problem_spec: tuple, hessian_spec: tuple) -> Sweep:
    """λ_min(H(x; w)) for every w of W_SWEEP (``spectral.regularisation_sweep``)."""
    prob = problem_from_spec(problem_spec)
    x = _point(problem_spec, hessian_spec)
    check = theory_checks(prob, x, strong_convexity=dict(hessian_spec)["hessian.l"])
    return Sweep(regularisation_sweep(prob, x, W_SWEEP),
                 float(np.sqrt(check.softmax_regularisation.required_w2)))


@st.cache_data(max_entries=16, show_spinner=False)
def smallest_at(problem_spec: tuple, hessian_spec: tuple, w: float) -> float:
    """λ_min(H(x; w)) at the slider's own w (which a link may set between sweep points)."""
    prob = problem_from_spec(problem_spec)
    return float(regularisation_sweep(prob, _point(problem_spec, hessian_spec), [w])
                 .smallest[0])


def _step_5(values: dict, tour: dict) -> Shown:
    specs = state.spec_of(values, "problem."), state.spec_of(values, "hessian.")
    result = sweep(*specs)
    swept, w = result.sweep, tour["tour.w"]
    now = smallest_at(*specs, w)
    low, high = swept.smallest[0], swept.smallest[-1]
    holds = bool(low < -swept.tolerance[0] and high > swept.tolerance[-1])
    crossing = (number_text(swept.first_positive, 3) if np.isfinite(swept.first_positive)
                else "beyond the slider")
    figure = tour_figures.regularisation_figure(
        swept.weights, swept.smallest, current=w, current_smallest=now,
        sufficient=result.sufficient_w, tolerance=float(np.max(swept.tolerance)),
        title="Smallest eigenvalue of H at x = (1.5, …, 1.5) against w")
    text = (f"λ_min(H) is {number_text(low, 3)} at w = 0 and {number_text(high, 3)} at "
            f"w = {W_HIGH:g}: it changes sign between the two ends of the slider (positive "
            f"from w = {crossing}); the paper's sufficient level (l = 1) is w = "
            f"{number_text(result.sufficient_w, 3)}.")
    return Shown([(figure, f"At w = {w:g}: λ_min(H) = {number_text(now, 3)}.")],
                 Claim(holds, text))


def _errors(race, methods: tuple[str, ...], *, error: str) -> go.Figure:
    """The error panel of the Newton page's convergence chart for ``methods`` (in that
    order), legend above the plot."""
    runs = {run.method: (run, diag) for run, diag in zip(race.runs, race.diagnostics,
                                                         strict=True)}
    figure = optimize_figures.convergence_figure(
        [runs[m][0] for m in methods], [runs[m][1] for m in methods], error=error,
        gradient=False, title="Error per step")
    return figure.update_layout(
        title=dict(yref="container", y=1.0, yanchor="top", pad=dict(t=12)),
        legend=dict(orientation="h", x=0, xanchor="left", y=0.9, yref="container",
                    yanchor="top", title=None), margin=dict(t=125))


def _step_6(values: dict, tour: dict) -> Shown:
    race = claims.race_of(values)
    runs = {run.method: (run, diag) for run, diag in zip(race.runs, race.diagnostics,
                                                         strict=True)}
    (newton, newton_diag), (gd, gd_diag) = runs["newton"], runs["gd"]
    newton_order = newton_diag.euclidean.fitted_order
    gd_order, gd_rate = gd_diag.euclidean.fitted_order, gd_diag.euclidean.rate
    holds = bool(newton_order >= 1.8 and 0.9 <= gd_order < 1.2 and gd_rate < 1)
    if gd.success or gd.status.value == "stalled":  # at the rounding floor: done, not short
        gd_end = f"at the rounding floor after {gd.n_iter} steps"
    else:
        gd_end = f"{number_text(float(gd_diag.error[-1]), 2)} from x* after {gd.n_iter} steps"
    text = (f"exact Newton: order {number_text(newton_order, 3)}, {newton.n_iter} steps. "
            f"Gradient descent: order {number_text(gd_order, 3)}, error × "
            f"{number_text(gd_rate, 3)} per step, {gd_end}. (Orders fitted over the last "
            "half of each run.)")
    paths = newton_view.paths_figure(race, step=10_000)
    paths.update_layout(title_text="The paths on a plane through x*")
    return Shown([(paths, "Both paths on the plane through the minimiser x* spanned by "
                          "their principal components."),
                  (_errors(race, ("newton", "gd"), error="euclidean"),
                   "The distance to the minimiser per step, on a log axis.")],
                 Claim(holds, text))


@st.cache_data(max_entries=4, show_spinner="Sampling rows...")
def sample(problem_spec: tuple, newton_spec: tuple) -> tuple[np.ndarray, np.ndarray,
                                                              np.ndarray, float]:
    """Step 7: A's first ROWS_SHOWN rows, their leverage scores, which of them the first
    step of approximate Newton (the race's settings) keeps, and that draw's spectral
    error (``optimize.row_sample`` makes the run's first draw again)."""
    prob = problem_from_spec(problem_spec)
    v = dict(newton_spec)
    first = row_sample(prob, np.zeros(prob.d), eps=v["newton.eps"],
                       max_iter=v["newton.max_iter"], seed=v["newton.seed"])
    kept = np.zeros(prob.n, dtype=bool)
    kept[first.kept] = True
    rows = slice(0, min(ROWS_SHOWN, prob.n))
    return (np.array(prob.A[rows]), first.scores[rows], kept[rows],
            float(first.spectral_error))


def milliseconds(run) -> str:
    """A run's median time per step, in ms."""
    return number_text(1e3 * float(np.median(run.time_per_iteration)), 2)


def _step_7(values: dict, tour: dict) -> Shown:
    eps = values["newton.eps"]
    A_rows, scores, kept, error = sample(state.spec_of(values, "problem."),
                                         state.spec_of(values, "newton."))
    race = claims.race_of(values)
    runs = {run.method: (run, diag) for run, diag in zip(race.runs, race.diagnostics,
                                                         strict=True)}
    (approx, approx_diag), (exact, exact_diag) = runs["approx_newton"], runs["newton"]
    spectral = approx.spectral_error[np.isfinite(approx.spectral_error)]
    share = float(np.max(approx.rows_kept)) / values["problem.n"]
    order, exact_order = approx_diag.hessian.fitted_order, exact_diag.hessian.fitted_order
    # true at every ε: the sample within ε, a linear method against a quadratic one
    holds = bool(spectral.size and np.max(spectral) <= eps and approx.success
                 and approx_diag.hessian.rate < 1 and 0.8 <= order < 1.3
                 and exact_order >= 1.8)
    largest = number_text(float(np.max(spectral)), 2) if spectral.size else "not measured"
    text = (f"approximate Newton keeps ≤ {100 * share:.1f} % of the {values['problem.n']:,} "
            f"rows; its sampled part AᵀDA is within {largest} of the exact one (ε = {eps:g}); "
            f"order {number_text(order, 3)}, error × "
            f"{number_text(approx_diag.hessian.rate, 2)} per step: {approx.n_iter} steps of "
            f"{milliseconds(approx)} ms. Exact Newton: order {number_text(exact_order, 3)}, "
            f"{exact.n_iter} steps of {milliseconds(exact)} ms.")
    picture = tour_figures.row_sample_figure(
        A_rows, scores, kept, 0, title=f"Rows 1–{len(kept)} of A: {int(kept.sum())} kept")
    return Shown([(picture, "Leverage scores (top) and rows of A (bottom, one column per "
                            "row), framed where the first step keeps them; that sample's "
                            f"spectral error: {number_text(error, 2)}."),
                  (_errors(race, ("newton", "approx_newton"), error="hessian"),
                   "The distance to the minimiser per step in the Hessian's norm, on a log "
                   "axis.")],
                 Claim(holds, text))


def _step_8(values: dict, tour: dict) -> Shown:
    result, figure, caption = _landscape(values)
    prob = problem_from_spec(state.spec_of(values, "problem."))
    low = float(np.nanmin(result.line.values if result.surface is None else
                          result.surface.values))
    text = (f"your problem: n = {prob.n:,}, d = {prob.d:,}; the lowest loss drawn is "
            f"{number_text(low, 4)}.")
    return Shown([(figure, caption)], Claim(True, text))


DRAW = (_step_1, _step_2, _step_3, _step_4, _step_5, _step_6, _step_7, _step_8)


def show(number: int, values: dict, tour: dict) -> Shown:
    """The charts and the measured claim of step ``number`` on ``values``."""
    shown = DRAW[number - 1](values, tour)
    for figure, _ in shown.charts:
        _fit(figure, beside=len(shown.charts) > 1)
    return shown


def _fit(figure: go.Figure, *, beside: bool) -> None:
    """The tour's chart size (CHART_HEIGHT); a map's legend in one row above the plot,
    clear of the axis titles, and a width that fits the square map. A map beside another
    chart has half the width: its legend is left out (the chart beside names the same
    methods in the same colours and markers) and its colour bar is thin, so that the
    map keeps its size."""
    figure.update_layout(height=CHART_HEIGHT)
    if figure.layout.yaxis.scaleanchor != "x":  # the other charts keep their own layout
        return
    figure.update_layout(margin=dict(t=80, b=55, l=60, r=10),
                         legend=dict(orientation="h", x=0, y=1.0, xanchor="left",
                                     yanchor="bottom"))
    if not beside:  # as wide as the square map and its colour bar, not the column
        figure.update_layout(width=CHART_HEIGHT + 90)
        return
    figure.update_layout(showlegend=False, margin=dict(t=55))
    for trace in figure.data:  # a title along the bar: two maps side by side stay one size
        if hasattr(trace, "colorbar") and trace.colorbar.title.text:
            first_line = trace.colorbar.title.text.split("<br>")[0]
            trace.colorbar.update(thickness=10, xpad=4, title=dict(text=first_line,
                                                                   side="right"))
