"""Figures of Hessian spectra: the sorted eigenvalues, the spectral density, the
structure (diagonal part, rank-two part, whole) and the extremes along a path.

Builders take the results of ``landscape.spectral`` and return a ``go.Figure``; they
compute no eigenvalue or statistic. The eigenvalue axis is linear, logarithmic (every
value positive and spanning more than two decades) or symmetric-logarithmic,
``sign(y) log10(1 + |y| / c)``, linear below the threshold c and logarithmic above it,
so negative eigenvalues stay visible beside large positive ones; tick labels and hover
text show the true values, and a subtitle names the scale when it is not linear
(``eigen_axis.EigenvalueAxis``).

Colours on the Hessian page, one meaning each (``COLOURS``), in every figure here:
    red      negative eigenvalues: markers, the rank-two part's r₋ bar, and the number
             of negative eigenvalues along a path
    blue     positive eigenvalues: markers and the r₊ bar
    grey     eigenvalues zero within rounding
    light    context without a meaning of its own: stems, every eigenvalue along a
    grey     path, the zero line, the shading of eigenvalues not computed
    green    the diagonal part A^T diag(D) A and its interlacing band
    purple   the stochastic Lanczos quadrature (SLQ) estimate of the density
    brown    the exact histogram of the eigenvalues
    orange   the smallest eigenvalue along a path
    teal     the largest eigenvalue along a path
    black    iterates on the pole set
Legends sit above the plot area, and integer axes (index, iterate, count) have integer
ticks.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from landscape.spectral import HessianStructure, SpectralDensity, Spectrum, TrajectorySpectrum

from .eigen_axis import EigenvalueAxis, integer_axis
from .style import count, log_ticks, number_text, positive_range

#: one colour per meaning on the Hessian page (module docstring)
COLOURS = {"negative": "#d62728", "positive": "#1f77b4", "zero": "#7f7f7f",
           "context": "#bbbbbb", "diagonal": "#2ca02c", "slq": "#9467bd",
           "exact": "#8c564b", "smallest": "#ff7f0e", "largest": "#17becf",
           "pole": "#000000"}
#: fills: the not-computed middle of a Lanczos spectrum (context) and the interlacing
#: band (a tint of the diagonal part's colour)
CONTEXT_FILL = "#eeeeee"
BAND_FILL = "rgba(44,160,44,0.15)"
#: up to this many eigenvalues the sorted plot draws stems from zero
STEM_MAX = 200
#: up to this many eigenvalues per iterate the path figure draws every one
PATH_ALL_MAX = 100
#: a legend above the plot area, left-aligned, in rows
LEGEND_ABOVE = dict(orientation="h", x=0.0, xanchor="left", y=1.02, yanchor="bottom")
#: the title at the top of the chart, the legend just above the plot area, and a top
#: margin (px) that holds both (and the subtitle naming a non-linear scale)
TITLE_AT_TOP = dict(yref="container", y=1.0, yanchor="top", pad=dict(t=12))
TOP, TOP_WITH_SUBTITLE = 95, 115


def _number(value: float) -> str:
    return "not computed" if np.isnan(value) else number_text(value)


def _title(text: str, axes) -> dict:
    """Layout of a chart title with the scale of its non-linear eigenvalue axes as a
    subtitle (and room for it above the legend); ``axes`` are (where, axis) pairs,
    where = "" for a chart with one such axis."""
    notes = [(where, axis.note) for where, axis in axes if axis.note]
    if len({note for _, note in notes}) == 1 and len(notes) == len(axes):
        subtitle = f"eigenvalue axis: {notes[0][1]}"
    else:
        subtitle = "; ".join(f"{where}: {note}" if where else note for where, note in notes)
    return dict(title=dict(text=text, subtitle=dict(text=subtitle), **TITLE_AT_TOP),
                margin=dict(t=TOP_WITH_SUBTITLE if subtitle else TOP))


def _sign_groups(values: np.ndarray, tolerance: float):
    """(mask, meaning, colour) for the negative, zero-within-rounding and positive
    values (rounding is not a finding: grey, not red)."""
    return ((values < -tolerance, "negative", COLOURS["negative"]),
            (np.abs(values) <= tolerance, "zero within rounding", COLOURS["zero"]),
            (values > tolerance, "positive", COLOURS["positive"]))


def eigenvalue_figure(spec: Spectrum, *, scale: str = "auto", stems: bool | None = None,
                      title: str | None = None) -> go.Figure:
    """Sorted eigenvalues against their index 1..d: negative ones red, positive ones
    blue, those zero within rounding (``spec.tolerance``) grey, with stems from zero
    when there are at most ``STEM_MAX`` (or ``stems=True``; never on a logarithmic
    axis, which has no zero).

    For a Lanczos spectrum the uncomputed middle of the spectrum is shaded.
    """
    values = np.asarray(spec.eigenvalues, dtype=float)
    index = np.asarray(spec.positions) + 1
    draw_stems = stems if stems is not None else values.size <= STEM_MAX
    axis = EigenvalueAxis(values, scale, tolerance=spec.tolerance, include_zero=draw_stems)
    if axis.kind == "log":
        draw_stems = False
    y = axis(values)
    fig = go.Figure()
    if draw_stems:
        xs = np.repeat(index, 3).astype(float)
        ys = np.column_stack([np.zeros_like(y), y, np.full_like(y, np.nan)]).ravel()
        xs[2::3] = np.nan
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="stems",
                                 line=dict(color=COLOURS["context"], width=1),
                                 hoverinfo="skip", showlegend=False))
    for mask, name, colour in _sign_groups(values, spec.tolerance):
        if not mask.any():
            continue
        fig.add_trace(go.Scatter(
            x=index[mask], y=y[mask], mode="markers", name=f"{name} ({int(mask.sum())})",
            marker=dict(color=colour, size=6 if values.size <= STEM_MAX else 4),
            customdata=values[mask],
            hovertemplate="λ<sub>%{x}</sub> = %{customdata:.6g}<extra></extra>"))
    if not spec.complete and spec.positions.size:
        k = int(np.sum(spec.positions < spec.d // 2))
        fig.add_vrect(x0=k + 0.5, x1=spec.d - (spec.positions.size - k) + 0.5,
                      fillcolor=CONTEXT_FILL, line_width=0, layer="below",
                      annotation_text=f"{spec.d - spec.positions.size} eigenvalues not computed",
                      annotation_position="top left")
    summary = (f"{spec.method}: λ<sub>min</sub> = {_number(spec.smallest)}, "
               f"λ<sub>max</sub> = {_number(spec.largest)}, {spec.n_negative}"
               f"{'' if spec.n_negative_exact else ' or more'} negative, condition number "
               f"{_number(spec.condition_number)}")
    fig.update_layout(**_title(title or f"Hessian eigenvalues ({summary})", [("", axis)]),
                      xaxis=dict(title="index i (eigenvalues ascending)",
                                 **integer_axis(1, spec.d)),
                      yaxis=axis.layout("eigenvalue λ<sub>i</sub>"), legend=LEGEND_ABOVE,
                      showlegend=True, hovermode="closest")
    return fig


def density_figure(density: SpectralDensity, *, log_y: bool = False,
                   title: str | None = None) -> go.Figure:
    """The SLQ density estimate (smoothed line and binned bars) beside the exact
    histogram of eigenvalues when present, all as densities integrating to 1."""
    edges = np.asarray(density.bin_edges, dtype=float)
    centers, widths = 0.5 * (edges[:-1] + edges[1:]), np.diff(edges)
    fig = go.Figure()
    if density.exact_histogram is not None:
        fig.add_trace(go.Bar(x=centers, y=density.exact_histogram, width=widths,
                             name="exact histogram",
                             marker=dict(color=COLOURS["exact"]), opacity=0.45,
                             customdata=np.column_stack([edges[:-1], edges[1:]]),
                             hovertemplate="[%{customdata[0]:.4g}, %{customdata[1]:.4g}): "
                                           "density %{y:.4g}<extra>exact</extra>"))
    fig.add_trace(go.Bar(x=centers, y=density.slq_histogram, width=widths,
                         name="SLQ per bin", marker=dict(color=COLOURS["slq"]),
                         opacity=0.35,
                         customdata=np.column_stack([edges[:-1], edges[1:]]),
                         hovertemplate="[%{customdata[0]:.4g}, %{customdata[1]:.4g}): "
                                       "density %{y:.4g}<extra>SLQ</extra>"))
    fig.add_trace(go.Scatter(x=density.grid, y=density.density, mode="lines",
                             name=f"SLQ smoothed, σ = {number_text(density.bandwidth, 2)}",
                             line=dict(color=COLOURS["slq"], width=2),
                             hovertemplate="λ = %{x:.4g}: density %{y:.4g}"
                                           "<extra>SLQ</extra>"))
    fig.add_vline(x=0.0, line=dict(color=COLOURS["context"], dash="dot"))
    fig.update_layout(
        **_title(title or (f"Spectral density: stochastic Lanczos quadrature, "
                           f"{density.n_probes} probes × {density.n_steps} steps "
                           f"(seed {density.seed})"), []),
        xaxis=dict(title="eigenvalue λ", exponentformat="power"), barmode="overlay", bargap=0,
        yaxis=dict(title="density (integrates to 1)", exponentformat="power",
                   **(log_ticks(*positive_range(density.density, density.slq_histogram,
                                                 *([] if density.exact_histogram is None
                                                   else [density.exact_histogram])))
                      if log_y else dict(type="linear"))),
        legend=LEGEND_ABOVE, showlegend=True, hovermode="closest")
    return fig


def structure_figure(structure: HessianStructure, *, scale: str = "auto",
                     title: str | None = None) -> go.Figure:
    """Left: eigenvalues of H (coloured by sign) and of its diagonal part
    ``A^T diag(D) A`` against the index, with the interlacing band
    ``lambda_{i-1}(Diag) .. lambda_{i+1}(Diag)`` that must contain ``lambda_i(H)``.
    Right: the two eigenvalues r₋ <= 0 <= r₊ of the rank-two part ``U C U^T`` that can
    be non-zero (the other d - 2 are zero). Each panel has its own eigenvalue axis."""
    whole = np.asarray(structure.whole, dtype=float)
    diagonal = np.asarray(structure.diagonal_part, dtype=float)
    rank_two = np.asarray(structure.rank_two, dtype=float)
    d = whole.size
    zeros = max(d - 2, 0)
    index = np.arange(1, d + 1)
    left = EigenvalueAxis(np.concatenate([whole, diagonal]), scale, tolerance=structure.tolerance)
    right = EigenvalueAxis(rank_two, scale, tolerance=structure.tolerance, include_zero=True)
    # the band is unbounded at both ends: draw it to the edge of the data
    low_edge = min(whole.min(), diagonal.min())
    high_edge = max(whole.max(), diagonal.max())
    lower = np.where(np.isfinite(structure.interlacing_lower), structure.interlacing_lower,
                     low_edge)
    upper = np.where(np.isfinite(structure.interlacing_upper), structure.interlacing_upper,
                     high_edge)

    fig = make_subplots(rows=1, cols=2, column_widths=[0.75, 0.25], horizontal_spacing=0.1)
    fig.add_trace(go.Scatter(x=index, y=left(lower), mode="lines", line=dict(width=0),
                             showlegend=False, hoverinfo="skip", name="band lower"),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=index, y=left(upper), mode="lines", line=dict(width=0),
                             fill="tonexty", fillcolor=BAND_FILL,
                             name="interlacing band λ<sub>i−1</sub> … λ<sub>i+1</sub> "
                                  "of the diagonal part",
                             hoverinfo="skip"), row=1, col=1)
    fig.add_trace(go.Scatter(x=index, y=left(diagonal), mode="markers",
                             name="diagonal part A<sup>T</sup> diag(D) A",
                             marker=dict(symbol="circle-open", color=COLOURS["diagonal"],
                                         size=8, line=dict(width=1.5)),
                             customdata=diagonal,
                             hovertemplate="diagonal part: λ<sub>%{x}</sub> = "
                                           "%{customdata:.6g}<extra></extra>"),
                  row=1, col=1)
    for mask, meaning, colour in _sign_groups(whole, structure.tolerance):
        if not mask.any():
            continue
        fig.add_trace(go.Scatter(x=index[mask], y=left(whole[mask]), mode="markers",
                                 name=f"H: {meaning}" if meaning.startswith("zero")
                                 else f"H: {meaning} eigenvalues",
                                 marker=dict(color=colour, size=5), customdata=whole[mask],
                                 hovertemplate="H: λ<sub>%{x}</sub> = %{customdata:.6g}"
                                               "<extra></extra>"),
                      row=1, col=1)
    bar_colours = [next(c for m, _, c in _sign_groups(np.array([v]), structure.tolerance)
                        if m[0]) for v in rank_two]
    others = f"the other {zeros} eigenvalues are 0" if zeros else ""
    fig.add_trace(go.Bar(x=["negative r<sub>−</sub>", "positive r<sub>+</sub>"],
                         y=right(rank_two),
                         marker=dict(color=bar_colours), showlegend=False,
                         name="rank-two part U C U<sup>T</sup>", customdata=rank_two,
                         text=[number_text(v, 3) for v in rank_two], textposition="outside",
                         cliponaxis=False,
                         hovertemplate="%{x} = %{customdata:.6g}<extra>" + others
                                       + "</extra>"), row=1, col=2)
    status = "holds" if structure.interlacing_holds else "FAILS"
    fig.update_layout(
        **_title(title or (f"Structure: H = diagonal part + rank-two part; "
                               f"{count(structure.n_negative_whole, 'negative eigenvalue')} in H, "
                               f"{structure.n_negative_diagonal} in the diagonal part; "
                               f"interlacing {status}"),
                     [("H and its diagonal part", left), ("rank-two part", right)]),
        legend=dict(LEGEND_ABOVE, traceorder="normal"), showlegend=True, hovermode="closest")
    fig.update_xaxes(title_text="index i (eigenvalues ascending)", **integer_axis(1, d),
                     row=1, col=1)
    fig.update_xaxes(title_text=f"rank-two part U C U<sup>T</sup><br>(rank {structure.rank}"
                                + (f"; + {zeros} zeros)" if zeros else ")"),
                     row=1, col=2)
    fig.update_yaxes(**left.layout("eigenvalue λ<sub>i</sub>"), row=1, col=1)
    fig.update_yaxes(**right.layout("eigenvalue"), row=1, col=2)
    return fig


def trajectory_figure(path: TrajectorySpectrum, *, scale: str = "auto",
                      title: str | None = None) -> go.Figure:
    """Above: the smallest and largest eigenvalue at each iterate (every eigenvalue in
    light grey when there are at most ``PATH_ALL_MAX``) and crosses at iterates on the
    pole set. Below, on its own integer axis: the number of negative eigenvalues."""
    values = np.asarray(path.eigenvalues, dtype=float)
    m = values.shape[0]
    steps = np.arange(m)
    axis = EigenvalueAxis(values, scale)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.72, 0.28],
                        vertical_spacing=0.16,
                        subplot_titles=("", "number of negative eigenvalues"))
    if values.shape[1] <= PATH_ALL_MAX and values.shape[1] > 2:
        xs = np.tile(np.append(steps, np.nan), values.shape[1]).astype(float)
        ys = np.vstack([axis(values), np.full((1, values.shape[1]), np.nan)]).T.ravel()
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="every computed eigenvalue",
                                 line=dict(color=COLOURS["context"], width=1),
                                 hoverinfo="skip"), row=1, col=1)
    for name, series, key, symbol in (("smallest eigenvalue", path.smallest, "smallest",
                                       "triangle-down"),
                                      ("largest eigenvalue", path.largest, "largest",
                                       "triangle-up")):
        fig.add_trace(go.Scatter(x=steps, y=axis(series), mode="lines+markers", name=name,
                                 line=dict(color=COLOURS[key], width=2),
                                 marker=dict(color=COLOURS[key], symbol=symbol, size=7),
                                 customdata=np.asarray(series),
                                 hovertemplate="iterate %{x}: %{customdata:.6g}"
                                               "<extra>" + name + "</extra>"), row=1, col=1)
    fig.add_trace(go.Scatter(x=steps, y=path.n_negative, mode="lines+markers",
                             name="number of negative eigenvalues (lower panel)",
                             line=dict(color=COLOURS["negative"], shape="hv", width=2),
                             marker=dict(color=COLOURS["negative"], size=4),
                             hovertemplate="iterate %{x}: %{y} negative<extra></extra>"),
                  row=2, col=1)
    poles = steps[np.asarray(path.at_pole)]
    if poles.size:
        at = axis.floor if axis.kind == "log" else 0.0
        fig.add_trace(go.Scatter(x=poles, y=np.full(poles.size, at), mode="markers",
                                 name="iterate on the pole set (no Hessian)",
                                 marker=dict(symbol="x", size=10, color=COLOURS["pole"]),
                                 hovertemplate="iterate %{x}: on the pole set<extra></extra>"),
                      row=1, col=1)
    fig.update_layout(**_title(title or f"Hessian spectrum along the path ({path.method})",
                                   [("", axis)]),
                      legend=LEGEND_ABOVE, showlegend=True, hovermode="x unified", height=520)
    fig.update_xaxes(**integer_axis(0, m - 1))
    fig.update_xaxes(title_text="iterate", row=2, col=1)
    fig.update_yaxes(**axis.layout("eigenvalue"), row=1, col=1)
    counts = np.asarray(path.n_negative, dtype=float)
    top = int(np.nanmax(counts)) if np.isfinite(counts).any() else 0
    count_axis = integer_axis(0, max(top, 1), pad=0.3)
    count_axis["dtick"] = max(1, int(np.ceil(max(top, 1) / 3)))  # a small panel: few ticks
    fig.update_yaxes(title_text="count", **count_axis, row=2, col=1)
    return fig
