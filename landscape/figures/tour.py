"""The guided tour's own two pictures (the other steps reuse the pages' figures): the
smallest Hessian eigenvalue against the regularisation weight, and the rows of A that
approximate Newton keeps, under their leverage scores."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .spectrum import COLOURS
from .style import METHOD_COLOURS, METHOD_NAMES, number_text

_TITLE = dict(yref="container", y=1.0, yanchor="top", pad=dict(t=12))
#: the eigenvalue charts' colours: negative red, positive blue, left out grey; the paper's
#: level in the neutral grey of reference lines
_NEGATIVE, _POSITIVE, _GREY, _LEVEL = (COLOURS["negative"], COLOURS["positive"],
                                       COLOURS["context"], COLOURS["zero"])


def regularisation_figure(ws: np.ndarray, smallest: np.ndarray, *, current: float,
                          current_smallest: float, sufficient: float, tolerance: float,
                          title: str) -> go.Figure:
    """``lambda_min(H(x; w))`` against a constant weight w (ws, smallest: (m,)): red
    below minus ``tolerance``, blue above it; the current w as a marker and the
    paper's sufficient w as a dashed line (drawn where it lies within ws)."""
    fig = go.Figure()
    fig.add_hline(y=0, line=dict(color="#444444", width=1))
    fig.add_trace(go.Scatter(x=ws, y=smallest, mode="lines", name="λ_min(H) measured",
                             line=dict(color="#444444", width=2)))
    for mask, colour, name in ((smallest < -tolerance, _NEGATIVE, "negative: H indefinite"),
                               (smallest > tolerance, _POSITIVE, "positive: H positive definite")):
        fig.add_trace(go.Scatter(x=ws[mask], y=smallest[mask], mode="markers", name=name,
                                 marker=dict(color=colour, size=6)))
    fig.add_trace(go.Scatter(x=[current], y=[current_smallest], mode="markers",
                             name=f"the slider: w = {current:g}",
                             marker=dict(color="#000000", size=14, symbol="diamond-open",
                                         line=dict(width=3))))
    level = f"the paper's sufficient w = {number_text(sufficient, 3)}"
    if ws[0] <= sufficient <= ws[-1]:
        fig.add_vline(x=sufficient, line=dict(color=_LEVEL, dash="dash", width=2))
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=level,
                                 line=dict(color=_LEVEL, dash="dash", width=2)))
    elif sufficient > ws[-1]:  # far to the right: said at the edge, not drawn
        fig.add_annotation(x=1, xref="paper", y=0, yref="paper", xanchor="right",
                           yanchor="bottom", showarrow=False, text=f"{level} →",
                           font=dict(color=_LEVEL))
    fig.update_layout(title=dict(text=title, **_TITLE), height=420,
                      margin=dict(t=110, b=55, l=70, r=20),
                      legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom"))
    fig.update_xaxes(title="regularisation weight w (every wᵢ = w)")
    fig.update_yaxes(title="smallest eigenvalue of H", exponentformat="power")
    return fig


def row_sample_figure(A_rows: np.ndarray, scores: np.ndarray, kept: np.ndarray,
                      first: int, *, title: str) -> go.Figure:
    """Rows ``first .. first + m - 1`` of A (A_rows: (m, d), drawn as columns of a
    heat map) under their leverage scores (scores: (m,)); the rows approximate
    Newton keeps (kept: (m,) bool) in its colour, the others grey."""
    m, d = A_rows.shape
    index = np.arange(first, first + m) + 1
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.45, 0.55],
                        vertical_spacing=0.06)
    colour = METHOD_COLOURS["approx_newton"]
    for mask, name, shade in ((kept, "kept by " + METHOD_NAMES["approx_newton"], colour),
                              (~kept, "left out", _GREY)):
        fig.add_trace(go.Bar(x=index[mask], y=scores[mask], name=name, marker_color=shade,
                             marker_line_width=0), row=1, col=1)
    limit = float(np.max(np.abs(A_rows))) or 1.0
    fig.add_trace(go.Heatmap(x=index, y=np.arange(1, d + 1), z=A_rows.T, zmin=-limit,
                             zmax=limit, colorscale="RdBu", showscale=False,
                             hovertemplate="row %{x}, column %{y}: %{z:.3g}<extra></extra>"),
                  row=2, col=1)
    for row in index[kept]:  # a frame around each kept row of A
        fig.add_shape(type="rect", x0=row - 0.5, x1=row + 0.5, y0=0.5, y1=d + 0.5,
                      line=dict(color=colour, width=2), row=2, col=1)
    fig.update_layout(title=dict(text=title, **_TITLE), height=420, bargap=0.1,
                      margin=dict(t=90, b=55, l=70, r=20),
                      legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom"))
    fig.update_yaxes(title="leverage score", row=1, col=1)
    fig.update_yaxes(title="column of A", row=2, col=1, autorange="reversed")
    fig.update_xaxes(title="row of A", row=2, col=1)
    return fig

