"""Convergence plots of minimisers: the error and the gradient norm on log scales,
against iteration or against time, one line per run. The numbers come from
``landscape.optimize`` (``Trajectory``, ``Convergence``); nothing is computed here."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..optimize import Convergence, Trajectory
from .style import integer_ticks, log_ticks, method_name, method_style, positive_range, status_name

AGAINST = ("iteration", "time")
ERRORS = ("euclidean", "hessian")
#: repeated runs of one method (e.g. two gammas) cycle the dash
_DASHES = ("solid", "dash", "dot", "dashdot", "longdash")
_ERROR_TITLE = {"euclidean": "error ‖x<sub>k</sub> − x*‖<sub>2</sub>",
                "hessian": "error ‖x<sub>k</sub> − x*‖<sub>H*</sub>"}


#: runs up to this long are drawn with a marker per iterate (the method's symbol tells
#: coinciding lines apart); longer ones as lines only: a marker per step of a 100-step
#: run clutters the chart and its SVG nodes cost the browser half a second to draw
MARKED_STEPS = 30


def run_label(trajectory: Trajectory) -> str:
    """The legend name of a run: its method's display name, with ε for approximate
    Newton."""
    if trajectory.method == "approx_newton":
        return f"{method_name('approx_newton')} (ε = {trajectory.options['eps']:g})"
    return method_name(trajectory.method)


def convergence_figure(trajectories: Trajectory | Sequence[Trajectory],
                       diagnostics: Convergence | Sequence[Convergence | None] | None = None,
                       *, against: str = "iteration", error: str = "hessian",
                       labels: Sequence[str] | None = None,
                       colours: Sequence[str] | None = None, legend_title: str = "method",
                       title: str = "Convergence", gradient: bool = True) -> go.Figure:
    """Error and gradient norm of each run on log scales, side by side.

    Parameters
    ----------
    trajectories : one ``Trajectory`` or several (one line each).
    diagnostics : the matching ``Convergence`` of each run (``diagnose``), or None:
        then only the gradient panel is drawn. A None entry leaves that run out of
        the error panel.
    against : "iteration" (k) or "time" (``elapsed``, seconds).
    error : "hessian" (``||x_k - x*||_{H*}``) or "euclidean" (``||x_k - x*||_2``).
    labels : legend names (default ``run_label``).
    colours : one colour per run, when the runs differ by something other than their
        method (e.g. two losses); default each method's own colour (``style``).
    legend_title : what the legend's entries are ("method", "loss", ...).
    gradient : draw the gradient-norm panel (False: the error panel alone, which needs
        ``diagnostics``).

    Zeros (an exact hit) cannot sit on a log axis and are left out of the line.
    Hovering shows the run, k, the time, the value and the loss.
    """
    runs = [trajectories] if isinstance(trajectories, Trajectory) else list(trajectories)
    if not runs or not all(isinstance(t, Trajectory) for t in runs):
        raise ValueError("trajectories must be a Trajectory or a non-empty sequence of them; "
                         f"received {type(trajectories).__name__}.")
    if against not in AGAINST:
        raise ValueError(f"against must be one of {', '.join(map(repr, AGAINST))}; "
                         f"received {against!r}.")
    if error not in ERRORS:
        raise ValueError(f"error must be one of {', '.join(map(repr, ERRORS))}; "
                         f"received {error!r}.")
    if isinstance(diagnostics, Convergence):
        diagnostics = [diagnostics]
    if diagnostics is not None and len(diagnostics) != len(runs):
        raise ValueError(f"diagnostics must have one entry per trajectory ({len(runs)}); "
                         f"received {len(diagnostics)}.")
    names = [run_label(t) for t in runs] if labels is None else list(labels)
    if len(names) != len(runs):
        raise ValueError(f"labels must have one entry per trajectory ({len(runs)}); "
                         f"received {len(names)}.")

    if not gradient and diagnostics is None:
        raise ValueError("gradient=False draws the error panel alone: pass diagnostics.")
    panels = ["gradient norm ‖∇L(x<sub>k</sub>)‖<sub>2</sub>"] if gradient else []
    if diagnostics is not None:
        panels.insert(0, _ERROR_TITLE[error])
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=panels,
                        horizontal_spacing=0.1)
    seen: dict[str, int] = {}
    plotted: dict[int, list] = {}  # column -> the values drawn on its log axis
    for i, (run, name) in enumerate(zip(runs, names, strict=True)):
        repeat = seen.get(run.method, 0)
        seen[run.method] = repeat + 1
        style = method_style(run.method)
        line = dict(style["line"])
        if colours is not None:  # the runs are told apart by colour, not by method
            line = dict(color=colours[i], dash="solid")
            style = dict(style, marker=dict(style["marker"], color=colours[i]))
        elif repeat:  # another run of the same method: another dash, same colour
            others = [d for d in _DASHES if d != line.get("dash", "solid")]
            line["dash"] = others[(repeat - 1) % len(others)]
        if not run.success:
            name = f"{name} — {status_name(run.status)}"
        x = np.arange(run.n_iter + 1) if against == "iteration" else run.elapsed
        custom = np.column_stack([np.arange(run.n_iter + 1), run.elapsed, run.loss])
        columns = []
        if diagnostics is not None:
            conv = diagnostics[i]
            values = None if conv is None else (conv.error_hessian if error == "hessian"
                                                else conv.error)
            columns.append(("error", values))
        if gradient:
            columns.append(("‖∇L‖", run.grad_norm))
        for col, (quantity, values) in enumerate(columns, start=1):
            if values is None:
                continue
            plotted.setdefault(col, []).append(_positive(values))
            fig.add_trace(go.Scatter(
                x=x, y=_positive(values), customdata=custom, name=name, legendgroup=name,
                showlegend=col == len(columns), line=line,
                mode="lines+markers" if run.n_iter <= MARKED_STEPS else "lines",
                marker=dict(style["marker"], size=6),
                hovertemplate=(f"<b>{name}</b><br>k = %{{customdata[0]:d}}<br>"
                               "time = %{customdata[1]:.3g} s<br>"
                               f"{quantity} = %{{y:.3e}}<br>"
                               "loss = %{customdata[2]:.8g}<extra></extra>")),
                row=1, col=col)
    x_title = "iteration k" if against == "iteration" else "time (s)"
    ticks = integer_ticks(max(run.n_iter for run in runs)) if against == "iteration" else {}
    for col in range(1, len(panels) + 1):
        fig.update_xaxes(title_text=x_title, row=1, col=col, **ticks)
        fig.update_yaxes(**log_ticks(*positive_range(*plotted.get(col, []))), row=1, col=col)
    fig.update_layout(title=title, hovermode="closest", legend=dict(title=legend_title),
                      template="plotly_white", margin=dict(t=80))
    return fig


def _positive(values: np.ndarray) -> np.ndarray:
    """Values for a log axis: non-positive entries become gaps (NaN)."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(values > 0, values, np.nan)
