"""Figures that set two losses side by side: their spectra overlaid."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from landscape.spectral import Spectrum

from .style import integer_ticks

COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd")


def spectra_overlay_figure(spectra: Sequence[Spectrum], labels: Sequence[str], *,
                           title: str | None = None) -> go.Figure:
    """Sorted eigenvalues of several Hessians against their index, one marker series
    each; negative eigenvalues are drawn with open markers."""
    fig = go.Figure()
    d = max(spec.d for spec in spectra)
    for i, (spec, label) in enumerate(zip(spectra, labels, strict=True)):
        color = COLORS[i % len(COLORS)]
        values = np.asarray(spec.eigenvalues, dtype=float)
        index = np.asarray(spec.positions) + 1
        symbols = np.where(values < 0, "circle-open", "circle")
        fig.add_trace(go.Scatter(
            x=index, y=values, mode="lines+markers", name=label,
            line=dict(color=color, width=1), marker=dict(color=color, size=8, symbol=symbols),
            hovertemplate=f"{label}<br>λ_%{{x}} = %{{y:.6g}}<extra></extra>"))
    fig.add_hline(y=0, line=dict(color="#999", dash="dot"))
    fig.update_layout(title=title, xaxis_title="index i (ascending)", yaxis_title="eigenvalue λᵢ",
                      legend=dict(orientation="h", y=1.02, yanchor="bottom"),
                      margin=dict(l=60, r=20, t=60, b=50))
    return fig.update_xaxes(**integer_ticks(d))


def curves_figure(ts: np.ndarray, curves: dict[str, np.ndarray], *, x_title: str,
                  y_title: str = "L(x)", title: str | None = None) -> go.Figure:
    """Several functions of one variable on one chart (the 1-D counterpart of the side
    by side maps); non-finite values (poles) leave gaps."""
    fig = go.Figure()
    for i, (label, values) in enumerate(curves.items()):
        color = COLORS[i % len(COLORS)]
        values = np.asarray(values, dtype=float)
        fig.add_trace(go.Scatter(x=ts, y=np.where(np.isfinite(values), values, np.nan),
                                 mode="lines", name=label, line=dict(color=color, width=2),
                                 hovertemplate=f"{label}<br>%{{x:.4g}}: %{{y:.6g}}<extra></extra>"))
    fig.update_layout(title=title, xaxis_title=x_title, yaxis_title=y_title,
                      legend=dict(orientation="h", y=1.02, yanchor="bottom"),
                      margin=dict(l=60, r=20, t=60, b=50))
    return fig
