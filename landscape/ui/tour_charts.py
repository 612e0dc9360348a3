"""What each step of the guided tour computes, draws and claims: its one or two
charts, built by the pages' own cached views and figure builders on the step's
settings (``tour_view.values_of``), and its claim measured on the numbers behind
those charts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import landscape as ls
from landscape.figures import spectrum as spectrum_figures
from landscape.figures import tour as tour_figures
from landscape.figures.style import number_text
from landscape.optimize import fitted_order, row_sample
from landscape.spectral import spectrum, theory_checks

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


def _landscape(values: dict, *, view: str = "contour") -> tuple[go.Figure, str]:
    result = landscape_view.landscape_view(state.spec_of(values, "problem."),
                                           state.spec_of(values, "landscape."))
    figs = landscape_view.figures(result, log_scale=values["landscape.log"],
                                  show_poles=values["landscape.poles"])
    if figs.contour is None:  # d = 1 (the sidebar's problem, step 8): the loss along the axis
        return figs.slice, figs.caption
    return (figs.contour if view == "contour" else figs.surface3d), figs.caption


def _step_1(values: dict, tour: dict) -> Shown:
    return Shown([_landscape(values, view=tour["tour.view"])],
                 claims.measure("whole_landscape_2d", values))


def _step_2(values: dict, tour: dict) -> Shown:
    result = compare_view.comparison(state.spec_of(values, "problem."),
                                     state.spec_of(values, "compare."))
    figs = compare_view.figures(result, log_scale=values["compare.log"])
    gamma = values["compare.gamma_b"]
    return Shown([(figs.second, f"The loss with γ = {gamma:g}, log colour scale."),
                  (figs.difference, f"L(γ = {gamma:g}) − L(softmax) on the same plane.")],
                 claims.measure("softmax_vs_unified", values))


def _step_3(values: dict, tour: dict) -> Shown:
    return Shown([_landscape(values)], claims.measure("poles", values))


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
                         legend=dict(entrywidth=0.5, entrywidthmode="fraction"))
    where = "x = 0" if tour["tour.point"] == "zero" else "x = (1.5, …, 1.5)"
    return Shown([(figure, f"At {where}: the eigenvalues of the diagonal part, of the "
                           "rank-two part and of H.")], Claim(holds, text))


@dataclass(frozen=True)
class Sweep:
    """Step 5: the smallest eigenvalue of H at x for each constant w of ``W_SWEEP``."""

    smallest: np.ndarray
    tolerance: np.ndarray
    sufficient_w: float  # sqrt of the paper's required w² (l = 1), inf if none


@st.cache_data(max_entries=4, show_spinner="Sweeping the regularisation...")
def sweep(problem_spec: tuple, hessian_spec: tuple) -> Sweep:
    """λ_min(H(x; w)) for w in W_SWEEP, each from the library's own spectrum of the
    problem with that w (an independent route from adding w² AᵀA)."""
    prob = problem_from_spec(problem_spec)
    v = dict(hessian_spec)
    x = resolve_point(problem_spec, v["hessian.point"], v["hessian.custom_point"])
    smallest, tolerance = [], []
    for w in W_SWEEP:
        weighted = ls.Problem(prob.A, prob.b, kind=prob.kind, gamma=prob.gamma,
                              w=None if w == 0 else float(w))
        eig = spectrum(weighted, x)
        smallest.append(eig.smallest)
        tolerance.append(eig.tolerance)
    check = theory_checks(prob, x, strong_convexity=v["hessian.l"]).softmax_regularisation
    return Sweep(np.array(smallest), np.array(tolerance), float(np.sqrt(check.required_w2)))


def _step_5(values: dict, tour: dict) -> Shown:
    result = sweep(state.spec_of(values, "problem."), state.spec_of(values, "hessian."))
    w = tour["tour.w"]
    at = int(np.argmin(np.abs(W_SWEEP - w)))
    tol = float(np.max(result.tolerance))
    low, high = result.smallest[0], result.smallest[-1]
    holds = bool(low < -result.tolerance[0] and high > result.tolerance[-1])
    positive = W_SWEEP[result.smallest > result.tolerance]
    crossing = f"{number_text(positive[0], 3)}" if positive.size else "beyond the slider"
    figure = tour_figures.regularisation_figure(
        W_SWEEP, result.smallest, current=float(W_SWEEP[at]),
        current_smallest=float(result.smallest[at]), sufficient=result.sufficient_w,
        tolerance=tol, title="Smallest eigenvalue of H at x = (1.5, …, 1.5) against w")
    text = (f"λ_min(H) is {number_text(low, 3)} at w = 0 and {number_text(high, 3)} at "
            f"w = {W_HIGH:g}: it changes sign between the two ends of the slider (positive "
            f"from w = {crossing}); the paper's sufficient level is w = "
            f"{number_text(result.sufficient_w, 3)}.")
    return Shown([(figure, f"At w = {W_SWEEP[at]:g}: λ_min(H) = "
                           f"{number_text(result.smallest[at], 3)}.")], Claim(holds, text))


def _race(values: dict) -> newton_view.Race:
    return newton_view.race(state.spec_of(values, "problem."), state.spec_of(values, "newton."))


def _step_6(values: dict, tour: dict) -> Shown:
    race = _race(values)
    runs = {run.method: (run, diag) for run, diag in zip(race.runs, race.diagnostics,
                                                         strict=True)}
    (newton, newton_diag), (gd, gd_diag) = runs["newton"], runs["gd"]
    newton_order, gd_order = fitted_order(newton_diag.error), fitted_order(gd_diag.error)
    gd_rate = gd_diag.euclidean.rate
    holds = bool(newton_order >= 1.8 and 0.9 <= gd_order < 1.2)
    text = (f"fitted to the errors of every step, exact Newton converges with order "
            f"{number_text(newton_order, 2)} in {newton.n_iter} steps; gradient descent with "
            f"order {number_text(gd_order, 2)} "
            f"(linear, error × {number_text(gd_rate, 3)} per step), and after {gd.n_iter} "
            f"steps its error is still {number_text(float(gd_diag.error[-1]), 2)}.")
    paths = newton_view.paths_figure(race, step=10_000)
    paths.update_layout(title_text="The paths on a plane through x*")
    errors = tour_figures.error_figure([newton, gd], [newton_diag.error, gd_diag.error],
                                       title="Error per step", y_title="‖x_k − x*‖")
    return Shown([(paths, "Both paths on the plane through the minimiser x* spanned by "
                          "their principal components."),
                  (errors, "The distance to the minimiser per step, on a log axis.")],
                 Claim(holds, text))


@st.cache_data(max_entries=4, show_spinner="Sampling rows...")
def sample(problem_spec: tuple, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Step 7: A's first ROWS_SHOWN rows, their leverage scores, which of them one draw
    of approximate Newton's sample keeps at x = 0, and that draw's spectral error."""
    prob = problem_from_spec(problem_spec)
    drawn = row_sample(prob, np.zeros(prob.d), eps=eps, seed=0)
    kept = np.zeros(prob.n, dtype=bool)
    kept[drawn.kept] = True
    rows = slice(0, min(ROWS_SHOWN, prob.n))
    return (np.array(prob.A[rows]), drawn.scores[rows], kept[rows],
            float(drawn.spectral_error))


def step_seconds(run) -> float:
    """The median time of one step of a run (s), from its elapsed times."""
    return float(np.median(np.diff(run.elapsed))) if run.n_iter else float("nan")


def _step_7(values: dict, tour: dict) -> Shown:
    eps = values["newton.eps"]
    A_rows, scores, kept, error = sample(state.spec_of(values, "problem."), eps)
    race = _race(values)
    runs = {run.method: run for run in race.runs}
    approx, exact = runs["approx_newton"], runs["newton"]
    spectral = approx.spectral_error[np.isfinite(approx.spectral_error)]
    within = bool(spectral.size and np.max(spectral) <= eps)
    claim = claims.measure("exact_vs_approximate_newton", values)  # the preset's, re-measured
    diagnostics = dict(zip((run.method for run in race.runs), race.diagnostics, strict=True))
    share = float(np.max(approx.rows_kept)) / values["problem.n"]
    largest = number_text(float(np.max(spectral)), 2) if spectral.size else "not measured"
    text = (f"approximate Newton keeps ≤ {100 * share:.1f} % of the {values['problem.n']:,} "
            f"rows; its Hessians are within {largest} of H (ε = {eps:g}); linear, rate "
            f"{number_text(diagnostics['approx_newton'].hessian.rate, 2)}: {approx.n_iter} "
            f"steps of {number_text(1e3 * step_seconds(approx), 2)} ms. Exact Newton: order "
            f"{number_text(diagnostics['newton'].hessian.order, 2)}, {exact.n_iter} steps of "
            f"{number_text(1e3 * step_seconds(exact), 2)} ms.")
    picture = tour_figures.row_sample_figure(
        A_rows, scores, kept, 0, title=f"Rows 1–{len(kept)} of A: {int(kept.sum())} kept")
    errors = tour_figures.error_figure(
        [exact, approx], [diagnostics["newton"].error_hessian,
                          diagnostics["approx_newton"].error_hessian],
        title="Error per step", y_title="‖x_k − x*‖ in H's norm")
    return Shown([(picture, f"Leverage scores (top) and rows of A (bottom, one column per row); "
                            f"this draw's spectral error: {number_text(error, 2)}."),
                  (errors, "The distance to the minimiser per step in the Hessian's norm, "
                           "on a log axis.")],
                 Claim(claim.holds and within, text))


def _step_8(values: dict, tour: dict) -> Shown:
    figure, caption = _landscape(values)
    prob = problem_from_spec(state.spec_of(values, "problem."))
    result = landscape_view.landscape_view(state.spec_of(values, "problem."),
                                           state.spec_of(values, "landscape."))
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
