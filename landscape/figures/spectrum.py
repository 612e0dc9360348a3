"""Figures of Hessian spectra: the sorted eigenvalues, the spectral density, the
structure (diagonal part, rank-two part, whole) and the extremes along a path.

Builders take the results of ``landscape.spectrum`` and return a ``go.Figure``; they
compute no eigenvalue or statistic. Where magnitudes span more than three decades the
y axis is symmetric-logarithmic, ``sign(y) log10(1 + |y| / c)``, linear below the
threshold c and logarithmic above it, so negative eigenvalues stay visible beside
large positive ones; tick labels and hover text show the true values.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from landscape.spectrum import HessianStructure, SpectralDensity, Spectrum, TrajectorySpectrum

SCALES = ("auto", "linear", "symlog")
#: "auto" switches to the symmetric-log axis when max|y| / c exceeds this
SYMLOG_SPAN = 1e3
#: the linear threshold c is never below this fraction of max|y| (rounding noise,
#: about 1e-16 of max|y|, should not open empty decades around zero)
SYMLOG_FLOOR = 1e-12
NEGATIVE_COLOR = "#d62728"
POSITIVE_COLOR = "#1f77b4"
NEUTRAL_COLOR = "#7f7f7f"
#: up to this many eigenvalues the sorted plot draws stems from zero
STEM_MAX = 200
#: up to this many eigenvalues per iterate the path figure draws every one
PATH_ALL_MAX = 100


class _Axis:
    """A y axis, linear or symmetric-log with threshold ``c``, and its ticks."""

    def __init__(self, values: np.ndarray, scale: str) -> None:
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {', '.join(map(repr, SCALES))}; "
                             f"received {scale!r}.")
        finite = np.abs(values[np.isfinite(values)])
        largest = float(finite.max()) if finite.size else 0.0
        nonzero = finite[finite > SYMLOG_FLOOR * largest] if largest > 0 else finite[:0]
        if nonzero.size:
            self.c = float(10.0 ** np.floor(np.log10(nonzero.min())))
        else:
            self.c = 1.0
        if scale == "auto":
            scale = "symlog" if largest > SYMLOG_SPAN * self.c else "linear"
        self.symlog = scale == "symlog"
        self.largest = largest

    def __call__(self, values) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        if not self.symlog:
            return values
        return np.sign(values) * np.log10(1.0 + np.abs(values) / self.c)

    def layout(self, title: str) -> dict:
        if not self.symlog:
            return dict(title=title, zeroline=True, zerolinecolor="#999")
        top = int(np.ceil(np.log10(max(self.largest, self.c) / self.c)))
        step = max(1, int(np.ceil(top / 6)))  # at most about six decades labelled per sign
        # from one step above c: the labels of +-c would overlap the 0 between them
        magnitudes = self.c * 10.0 ** np.arange(step, top + 1, step)
        ticks = np.concatenate([-magnitudes[::-1], [0.0], magnitudes])
        return dict(title=f"{title} (symmetric log, linear below {self.c:.0e})",
                    tickvals=self(ticks).tolist(), ticktext=[_short(t) for t in ticks],
                    zeroline=True, zerolinecolor="#999")


def _number(value: float) -> str:
    return "not computed" if np.isnan(value) else f"{value:.4g}"


def _short(value: float) -> str:
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"  # 1e5, -1e-12: no '+' and no leading zero


def eigenvalue_figure(spec: Spectrum, *, scale: str = "auto", stems: bool | None = None,
                      title: str | None = None) -> go.Figure:
    """Sorted eigenvalues against their index 1..d: negative ones red, positive ones
    blue, those zero within rounding (``spec.tolerance``) grey, with stems from zero when there are at most ``STEM_MAX`` (or ``stems=True``).

    For a Lanczos spectrum the uncomputed middle of the spectrum is shaded.
    """
    values = np.asarray(spec.eigenvalues, dtype=float)
    index = np.asarray(spec.positions) + 1
    axis = _Axis(values, scale)
    y = axis(values)
    fig = go.Figure()
    if stems if stems is not None else values.size <= STEM_MAX:
        xs = np.repeat(index, 3).astype(float)
        ys = np.column_stack([np.zeros_like(y), y, np.full_like(y, np.nan)]).ravel()
        xs[2::3] = np.nan
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="stems",
                                 line=dict(color="#bbbbbb", width=1), hoverinfo="skip",
                                 showlegend=False))
    zero = np.abs(values) <= spec.tolerance  # rounding is not a finding: grey, not red
    for mask, name, color in ((values < -spec.tolerance, "negative eigenvalues", NEGATIVE_COLOR),
                              (zero, "zero within rounding", NEUTRAL_COLOR),
                              (values > spec.tolerance, "positive eigenvalues", POSITIVE_COLOR)):
        if not mask.any():
            continue
        fig.add_trace(go.Scatter(
            x=index[mask], y=y[mask], mode="markers", name=f"{name} ({int(mask.sum())})",
            marker=dict(color=color, size=6 if values.size <= STEM_MAX else 4),
            customdata=values[mask],
            hovertemplate="lambda_%{x} = %{customdata:.6g}<extra></extra>"))
    if not spec.complete and spec.positions.size:
        k = int(np.sum(spec.positions < spec.d // 2))
        fig.add_vrect(x0=k + 0.5, x1=spec.d - (spec.positions.size - k) + 0.5,
                      fillcolor="#eeeeee", line_width=0, layer="below",
                      annotation_text=f"{spec.d - spec.positions.size} eigenvalues not computed",
                      annotation_position="top left")
    summary = (f"{spec.method}: lambda_min = {_number(spec.smallest)}, lambda_max = "
               f"{_number(spec.largest)}, {spec.n_negative}"
               f"{'' if spec.n_negative_exact else ' or more'} negative, condition number "
               f"{_number(spec.condition_number)}")
    fig.update_layout(title=title or f"Hessian eigenvalues ({summary})",
                      xaxis_title="index i (eigenvalues ascending)",
                      yaxis=axis.layout("eigenvalue lambda_i"), legend=dict(x=0.01, y=0.99),
                      hovermode="closest")
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
                             name="exact histogram (dense eigh)",
                             marker=dict(color=POSITIVE_COLOR), opacity=0.45,
                             customdata=np.column_stack([edges[:-1], edges[1:]]),
                             hovertemplate="[%{customdata[0]:.4g}, %{customdata[1]:.4g}): "
                                           "density %{y:.4g}<extra>exact</extra>"))
    fig.add_trace(go.Bar(x=centers, y=density.slq_histogram, width=widths,
                         name="SLQ weights per bin", marker=dict(color=NEGATIVE_COLOR),
                         opacity=0.35,
                         customdata=np.column_stack([edges[:-1], edges[1:]]),
                         hovertemplate="[%{customdata[0]:.4g}, %{customdata[1]:.4g}): "
                                       "density %{y:.4g}<extra>SLQ</extra>"))
    fig.add_trace(go.Scatter(x=density.grid, y=density.density, mode="lines",
                             name=f"SLQ estimate, smoothed (sigma = {density.bandwidth:.3g})",
                             line=dict(color=NEGATIVE_COLOR, width=2),
                             hovertemplate="lambda = %{x:.4g}: density %{y:.4g}"
                                           "<extra>SLQ</extra>"))
    fig.add_vline(x=0.0, line=dict(color="#999", dash="dot"))
    fig.update_layout(
        title=title or (f"Spectral density: stochastic Lanczos quadrature, {density.n_probes} "
                        f"probes x {density.n_steps} steps (seed {density.seed})"),
        xaxis_title="eigenvalue lambda", barmode="overlay", bargap=0,
        yaxis=dict(title="density (integrates to 1)", type="log" if log_y else "linear"),
        legend=dict(x=0.99, xanchor="right", y=0.99), hovermode="closest")
    return fig


def structure_figure(structure: HessianStructure, *, scale: str = "auto",
                     title: str | None = None) -> go.Figure:
    """Left: eigenvalues of H and of its diagonal part ``A^T diag(D) A`` against the
    index, with the interlacing band ``lambda_{i-1}(Diag) .. lambda_{i+1}(Diag)`` that
    must contain ``lambda_i(H)``. Right: the two non-zero eigenvalues of the rank-two
    part ``U C U^T`` (the other d - 2 are zero)."""
    whole = np.asarray(structure.whole, dtype=float)
    diagonal = np.asarray(structure.diagonal_part, dtype=float)
    rank_two = np.asarray(structure.rank_two, dtype=float)
    d = whole.size
    index = np.arange(1, d + 1)
    axis = _Axis(np.concatenate([whole, diagonal, rank_two]), scale)
    # the band is unbounded at both ends: draw it to the edge of the data
    low_edge = min(whole.min(), diagonal.min())
    high_edge = max(whole.max(), diagonal.max())
    lower = np.where(np.isfinite(structure.interlacing_lower), structure.interlacing_lower,
                     low_edge)
    upper = np.where(np.isfinite(structure.interlacing_upper), structure.interlacing_upper,
                     high_edge)

    fig = make_subplots(rows=1, cols=2, column_widths=[0.78, 0.22], horizontal_spacing=0.1,
                        subplot_titles=("H and its diagonal part",
                                        f"rank-two part (rank {structure.rank})"))
    fig.add_trace(go.Scatter(x=index, y=axis(lower), mode="lines", line=dict(width=0),
                             showlegend=False, hoverinfo="skip", name="band lower"),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=index, y=axis(upper), mode="lines", line=dict(width=0),
                             fill="tonexty", fillcolor="rgba(127,127,127,0.2)",
                             name="interlacing band: lambda_(i-1)(Diag) .. lambda_(i+1)(Diag)",
                             hoverinfo="skip"), row=1, col=1)
    fig.add_trace(go.Scatter(x=index, y=axis(diagonal), mode="markers",
                             name="diagonal part A^T diag(D) A",
                             marker=dict(symbol="circle-open", color=NEUTRAL_COLOR, size=7),
                             customdata=diagonal,
                             hovertemplate="Diag: lambda_%{x} = %{customdata:.6g}<extra></extra>"),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=index, y=axis(whole), mode="markers", name="whole Hessian H",
                             marker=dict(color=np.where(
                                 whole < -structure.tolerance, NEGATIVE_COLOR,
                                 np.where(whole > structure.tolerance, POSITIVE_COLOR,
                                          NEUTRAL_COLOR)).tolist(), size=5),
                             customdata=whole,
                             hovertemplate="H: lambda_%{x} = %{customdata:.6g}<extra></extra>"),
                  row=1, col=1)
    fig.add_trace(go.Bar(x=["r_minus", "r_plus"], y=axis(rank_two),
                         marker=dict(color=[NEGATIVE_COLOR, POSITIVE_COLOR]),
                         name="rank-two part U C U^T", customdata=rank_two,
                         text=[f"{v:.3g}" for v in rank_two], textposition="outside",
                         hovertemplate="%{x} = %{customdata:.6g}<extra>plus "
                                       f"{max(d - 2, 0)} zeros</extra>"), row=1, col=2)
    status = "holds" if structure.interlacing_holds else "FAILS"
    fig.update_layout(
        title=title or (f"Structure: H = diagonal part + rank-two part; "
                        f"{structure.n_negative_whole}"
                        f" negative eigenvalues in H, {structure.n_negative_diagonal} in the "
                        f"diagonal part; interlacing {status}"),
        legend=dict(orientation="h", y=-0.2), hovermode="closest")
    fig.update_xaxes(title_text="index i (eigenvalues ascending)", row=1, col=1)
    fig.update_xaxes(title_text=f"its two non-zero eigenvalues (+ {max(d - 2, 0)} zeros)",
                     row=1, col=2)
    fig.update_yaxes(**axis.layout("eigenvalue"), row=1, col=1)
    fig.update_yaxes(**axis.layout("eigenvalue"), row=1, col=2)
    return fig


def trajectory_figure(path: TrajectorySpectrum, *, scale: str = "auto",
                      title: str | None = None) -> go.Figure:
    """Smallest and largest eigenvalue at each iterate (every eigenvalue in grey when
    there are at most ``PATH_ALL_MAX``), the number of negative eigenvalues on a second
    axis, and crosses at iterates on the pole set."""
    values = np.asarray(path.eigenvalues, dtype=float)
    m = values.shape[0]
    steps = np.arange(m)
    axis = _Axis(values, scale)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    if values.shape[1] <= PATH_ALL_MAX and values.shape[1] > 2:
        xs = np.tile(np.append(steps, np.nan), values.shape[1]).astype(float)
        ys = np.vstack([axis(values), np.full((1, values.shape[1]), np.nan)]).T.ravel()
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="every computed eigenvalue",
                                 line=dict(color="#cccccc", width=1), hoverinfo="skip"),
                      secondary_y=False)
    for name, series, color in (("smallest eigenvalue", path.smallest, NEGATIVE_COLOR),
                                ("largest eigenvalue", path.largest, POSITIVE_COLOR)):
        fig.add_trace(go.Scatter(x=steps, y=axis(series), mode="lines+markers", name=name,
                                 line=dict(color=color), customdata=np.asarray(series),
                                 hovertemplate="iterate %{x}: %{customdata:.6g}"
                                               "<extra>" + name + "</extra>"),
                      secondary_y=False)
    fig.add_trace(go.Scatter(x=steps, y=path.n_negative, mode="lines", name="negative eigenvalues",
                             line=dict(color=NEUTRAL_COLOR, dash="dot", shape="hv"),
                             hovertemplate="iterate %{x}: %{y} negative<extra></extra>"),
                  secondary_y=True)
    poles = steps[np.asarray(path.at_pole)]
    if poles.size:
        fig.add_trace(go.Scatter(x=poles, y=np.zeros(poles.size), mode="markers",
                                 name="iterate on the pole set (no Hessian)",
                                 marker=dict(symbol="x", size=10, color="black"),
                                 hovertemplate="iterate %{x}: on the pole set<extra></extra>"),
                      secondary_y=False)
    fig.update_layout(title=title or f"Hessian spectrum along the path ({path.method})",
                      xaxis_title="iterate", legend=dict(orientation="h", y=-0.2),
                      hovermode="x unified")
    fig.update_yaxes(**axis.layout("eigenvalue"), secondary_y=False)
    counts = np.asarray(path.n_negative, dtype=float)
    top = float(np.nanmax(counts)) if np.isfinite(counts).any() else 0.0
    fig.update_yaxes(title_text="number of negative eigenvalues", range=[0, max(1.0, top) * 1.05],
                     tickformat="d", dtick=max(1, int(np.ceil(top / 6))), secondary_y=True,
                     showgrid=False)
    return fig
