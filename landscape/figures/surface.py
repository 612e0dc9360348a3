"""Figures of loss surfaces and slices: contour map, 3-D surface, 1-D slice, and
trajectories drawn on the plane. Data in (``Surface``, ``Line``, ``Projection``),
``go.Figure`` out; the numbers all come from ``landscape.surface``."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..projection import Projection
from ..surface import Line, Surface
from .style import decade_text, log_ticks, method_name, method_style, number_text

#: keeps zoom, pan and the 3-D camera where the user left them across redraws
UIREVISION = "landscape"
COLORSCALE = "Viridis"
POLE_COLOR = "#d62728"
#: a loss this small relative to the largest value on the map is rounding (a sum of
#: squares of O(1) terms carries errors of a few eps): it is written as 0
ROUNDING = 16 * float(np.finfo(np.float64).eps)


def _shown_values(values: np.ndarray, hide: np.ndarray, log_scale: bool,
                  floor: float) -> np.ndarray:
    """Values as drawn: hidden cells become gaps; log10 for a log colour scale."""
    shown = np.where(hide | ~np.isfinite(values), np.nan, values)
    if log_scale:
        with np.errstate(invalid="ignore"):  # NaN gaps stay NaN
            shown = np.log10(np.maximum(shown, floor))
    return shown


def _log_floor(values: np.ndarray, lo: float, hi: float) -> float:
    """Smallest value drawn on a log scale: the minimum ``lo`` when it is positive and
    within 12 decades of the top ``hi``; at an exact fit (a cell at L = 0 or 1e-31),
    the 0.5th percentile of the positive values, so one cell cannot stretch the
    colour scale over dozens of decades (never below 1e-12 of the top)."""
    if lo > 0 and lo >= hi * 1e-12:
        return lo
    positive = values[np.isfinite(values) & (values > 0)]
    robust = float(np.percentile(positive, 0.5)) if positive.size else 0.0
    return max(robust, max(hi, 1e-300) * 1e-12)


def _colorbar(log_scale: bool, lo: float, hi: float) -> dict:
    if not log_scale:
        return dict(title="L(x)")
    # a label every decade, or every k-th when there are more than 8 (13 labels in a
    # 165 px colour bar overprinted each other)
    step = max(1, int(np.ceil((np.ceil(hi) - np.floor(lo)) / 8)))
    ticks = np.arange(np.ceil(hi), np.floor(lo) - 1, -step)[::-1]
    return dict(title="L(x)", tickvals=ticks, ticktext=[decade_text(t) for t in ticks])


def contour_figure(surface: Surface, *, labels: tuple[str, str] = ("a (along u)", "c (along v)"),
                   log_scale: bool = False, show_poles: bool = True,
                   title: str | None = None,
                   zrange: tuple[float, float] | None = None,
                   minimum: float | None = None, minimum_name: str = "L*") -> go.Figure:
    """Contour map of ``surface.values`` over (alphas, betas).

    The colour range is ``surface.display_min .. display_max`` so one pole cannot
    swamp it; cells at the pole are gaps; the pole set (alpha = 0) is outlined and
    the region alpha < 0, where the loss's stationary points are spurious, veiled.
    ``zrange`` overrides the colour range (to share one scale between figures).
    With ``minimum`` (the loss's minimum L*, or the smallest value on the map, named
    ``minimum_name``) the colour is log10(L - minimum): the level sets around the
    minimiser stay visible however flat the valley.
    """
    values, lo, hi = surface.values, *(zrange or (surface.display_min, surface.display_max))
    if minimum is not None:  # the excess; its smallest positive value is the log's floor
        values, hi, log_scale = values - minimum, hi - minimum, True
        positive = values[(values > 0) & np.isfinite(values)]
        lo = float(positive.min()) if positive.size else hi * 1e-12
    floor = _log_floor(values, lo, hi)
    z = _shown_values(values, surface.pole, log_scale, floor)
    zmin, zmax = (np.log10(max(lo, floor)), np.log10(max(hi, floor))) if log_scale else (lo, hi)
    colorbar = _colorbar(log_scale, zmin, zmax)
    if minimum is not None:  # a minimum below the map's rounding level is 0, not 3×10⁻³⁴
        at = ("0 within rounding" if abs(minimum) <= ROUNDING * abs(surface.display_max)
              else number_text(minimum))
        colorbar["title"] = f"L − {minimum_name}<br>({minimum_name} = {at})"
    fig = go.Figure(go.Contour(
        x=surface.alphas, y=surface.betas, z=z, zmin=zmin, zmax=zmax, zauto=False,
        colorscale=COLORSCALE, ncontours=30, contours=dict(coloring="heatmap"),
        line=dict(width=0.5, color="rgba(255,255,255,0.4)"),
        colorbar=colorbar, name="loss",
        customdata=surface.values,
        hovertemplate="a = %{x:.4g}<br>c = %{y:.4g}<br>L = %{customdata:.6g}<extra></extra>"))
    if show_poles and surface.has_poles:
        # the veil over alpha < 0 (where stationary points are spurious) and the red
        # pole set alpha = 0 are both drawn from a smooth function of alpha, so their
        # edge is interpolated between cells rather than a staircase of cells
        alpha = signed_alpha(surface)
        fig.add_trace(go.Contour(
            # a constraint contour shades where its constraint FAILS: "α > 0" veils α <= 0
            x=surface.alphas, y=surface.betas, z=alpha, fillcolor="rgba(30,30,30,0.45)",
            contours=dict(type="constraint", operation=">", value=0), line=dict(width=0),
            name="α < 0 (veiled)", hoverinfo="skip", showlegend=True))
        fig.add_trace(go.Contour(
            x=surface.alphas, y=surface.betas, z=alpha,
            contours=dict(start=0, end=0, size=1, coloring="lines"), showscale=False,
            colorscale=[[0, POLE_COLOR], [1, POLE_COLOR]], line=dict(width=3),
            name="pole set (α = 0)", hoverinfo="skip", showlegend=True))
    fig.update_layout(title=title, xaxis_title=labels[0], yaxis_title=labels[1],
                      uirevision=UIREVISION, legend=dict(orientation="h", y=-0.15),
                      margin=dict(l=60, r=20, t=50 if title else 20, b=60))
    # the plane exactly (overlays such as paths or a click grid must not widen it)
    fig.update_xaxes(range=[surface.alphas[0], surface.alphas[-1]])
    fig.update_yaxes(range=[surface.betas[0], surface.betas[-1]])
    return equal_scale(fig)


def signed_alpha(surface: Surface) -> np.ndarray:
    """The normaliser alpha per cell, from ``alpha_sign`` and ``log_abs_alpha``, its
    magnitude capped at e^700 so it stays finite: its zero contour, interpolated
    linearly between cells, is the pole set (the sign alone would draw a staircase)."""
    return surface.alpha_sign * np.exp(np.minimum(surface.log_abs_alpha, 700.0))


def equal_scale(fig: go.Figure) -> go.Figure:
    """Draw a map whose axes are in the same units at equal scale: a circle stays a
    circle, whatever the width of the column it is drawn in."""
    fig.update_xaxes(constrain="domain")
    fig.update_yaxes(scaleanchor="x", scaleratio=1, constrain="domain")
    return fig


def surface3d_figure(surface: Surface, *, labels: tuple[str, str] = ("a", "c"),
                     log_scale: bool = False, title: str | None = None) -> go.Figure:
    """3-D surface of the loss, clipped to the colour range: where the loss rises above
    it, and along the pole set where it blows up on both sides, the surface is a flat
    top at ``display_max`` (a smooth wall, never spikes that flatten everything else)."""
    lo, hi = surface.display_min, surface.display_max
    floor = _log_floor(surface.values, lo, hi)
    # the loss blows up on both sides of a pole: there the surface is the flat top
    top = surface.pole | _sign_changes(surface.alpha_sign) | ~np.isfinite(surface.values)
    z = _shown_values(np.where(top, hi, np.minimum(surface.values, hi)),
                      np.zeros(top.shape, bool), log_scale, floor)
    zmin, zmax = (np.log10(max(lo, floor)), np.log10(max(hi, floor))) if log_scale else (lo, hi)
    fig = go.Figure(go.Surface(
        x=surface.alphas, y=surface.betas, z=z, cmin=zmin, cmax=zmax, colorscale=COLORSCALE,
        colorbar=_colorbar(log_scale, zmin, zmax), name="loss",
        customdata=surface.values,
        hovertemplate="a = %{x:.4g}<br>c = %{y:.4g}<br>L = %{customdata:.6g}<extra></extra>"))
    fig.update_layout(title=title, uirevision=UIREVISION, margin=dict(l=0, r=0, t=40, b=0),
                      legend=dict(orientation="h", x=0, y=0, yanchor="top"),
                      scene=dict(xaxis_title=labels[0], yaxis_title=labels[1],
                                 zaxis_title="log10 L" if log_scale else "L",
                                 zaxis=dict(range=[zmin, zmax])))
    return fig


def _sign_changes(sign: np.ndarray) -> np.ndarray:
    """Cells with a 4-neighbour of another sign: where alpha crosses zero."""
    change = np.zeros(sign.shape, bool)
    rows, cols = sign[1:, :] != sign[:-1, :], sign[:, 1:] != sign[:, :-1]
    change[1:, :] |= rows
    change[:-1, :] |= rows
    change[:, 1:] |= cols
    change[:, :-1] |= cols
    return change


def slice_figure(line: Line, *, label: str = "t", log_scale: bool = False,
                 title: str | None = None) -> go.Figure:
    """The loss along a line; the pole set is marked by vertical lines where alpha
    changes sign and the stretches with alpha < 0 are shaded."""
    shown = np.where(line.pole | ~np.isfinite(line.values), np.nan, line.values)
    fig = go.Figure(go.Scatter(x=line.ts, y=shown, mode="lines", name="L",
                               hovertemplate=f"{label} = %{{x:.4g}}<br>L = %{{y:.6g}}"
                                             "<extra></extra>"))
    sign = line.alpha_sign
    for k in np.flatnonzero(sign[1:] != sign[:-1]):
        fig.add_vline(x=0.5 * (line.ts[k] + line.ts[k + 1]),
                      line=dict(color=POLE_COLOR, dash="dash"),
                      annotation_text="α = 0", annotation_position="top")
    for start, stop in _runs(sign < 0):
        fig.add_vrect(x0=line.ts[start], x1=line.ts[stop], fillcolor="#444", opacity=0.15,
                      line_width=0)
    top = line.display_max
    fig.update_layout(title=title, xaxis_title=label, yaxis_title="L(x)", uirevision=UIREVISION,
                      margin=dict(l=60, r=20, t=50 if title else 20, b=50))
    if log_scale:
        floor = _log_floor(line.values, line.display_min, top)
        low, high = max(line.display_min, floor), max(top, floor)
        fig.update_yaxes(range=[np.log10(low), np.log10(high) + 0.1],
                         **log_ticks(low, high * 10**0.1))  # 10⁻⁴, as elsewhere; not 100µ
    else:
        pad = 0.05 * (top - line.display_min)
        fig.update_yaxes(range=[line.display_min - pad, top + pad])
    return fig


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index pairs of the runs of True in a 1-D mask."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(int), [0]])))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def add_trajectory(fig: go.Figure, projection: Projection, method: str, *,
                   losses: np.ndarray | None = None) -> go.Figure:
    """Draw a method's path projected on the plane, in the method's colour, marker and
    dash (``style``), start (circle) and end (star) marked; each point's distance from
    the plane is in its hover text and the largest in the legend, so the picture says
    how much of the path it shows. With ``losses`` the path is drawn in 3-D (for
    ``surface3d_figure``)."""
    name = method_name(method)
    style = method_style(method)
    legend, custom = _path_labels(projection, name)
    hover = ("step %{customdata[0]}<br>a = %{x:.4g}<br>c = %{y:.4g}"
             "<br>distance from plane %{customdata[1]:.3g}<extra>" + name + "</extra>")
    line = dict(style["line"], width=3)
    colour = style["line"].get("color")
    if losses is None:
        fig.add_trace(go.Scatter(x=projection.alphas, y=projection.betas, mode="lines+markers",
                                 name=legend, legendgroup=name, line=line,
                                 marker=dict(style["marker"], size=8,
                                             line=dict(width=1, color="white")),
                                 customdata=custom, hovertemplate=hover))
        for idx, symbol, what in ((0, "circle-open", "start"), (-1, "star", "end")):
            fig.add_trace(go.Scatter(
                x=[projection.alphas[idx]], y=[projection.betas[idx]], mode="markers",
                marker=dict(symbol=symbol, size=16, color=colour or "white",
                            line=dict(width=2, color="black")),
                name=f"{name}: {what}", legendgroup=name, showlegend=False, hoverinfo="skip"))
    else:
        fig.add_trace(go.Scatter3d(x=projection.alphas, y=projection.betas, z=losses,
                                   mode="lines+markers", name=legend, legendgroup=name,
                                   line=dict(color=colour, width=6),
                                   marker=dict(size=3, color=colour)))
    return fig


def add_point(fig: go.Figure, a: float, c: float, label: str) -> go.Figure:
    """Mark one named point (a, c) of the plane, e.g. x_true, with its name beside it."""
    fig.add_trace(go.Scatter(x=[a], y=[c], mode="markers+text", text=[label],
                             textposition="top right", textfont=dict(color="white", size=14),
                             marker=dict(symbol="x-thin-open", size=16, color="white",
                                         line=dict(width=3, color="white")),
                             name=label, showlegend=False,
                             hovertemplate=f"{label}<br>a = %{{x:.4g}}<br>c = %{{y:.4g}}"
                                           "<extra></extra>"))
    return fig


def add_click_grid(fig: go.Figure, alphas: np.ndarray, betas: np.ndarray, *,
                   name: str = "click to start here", points: int = 25) -> go.Figure:
    """An invisible grid of ``points`` x ``points`` markers over the plane, so that a
    click anywhere on the map selects its nearest grid point (Plotly selects points of
    scatter traces, not contour cells); dragging pans, so a click is never taken for
    the start of a box selection."""
    a = np.linspace(alphas[0], alphas[-1], points)
    c = np.linspace(betas[0], betas[-1], points)
    aa, cc = np.meshgrid(a, c)
    step = max(a[1] - a[0], c[1] - c[0])
    fig.add_trace(go.Scatter(x=aa.ravel(), y=cc.ravel(), mode="markers", name=name,
                             marker=dict(size=12, color="rgba(0,0,0,0)"), showlegend=False,
                             hovertemplate=f"a = %{{x:.3g}}, c = %{{y:.3g}}<br>{name}"
                                           "<extra></extra>",
                             meta=dict(click_grid=True, step=float(step))))
    return fig.update_layout(clickmode="event+select", dragmode="pan")


def add_path_1d(fig: go.Figure, ts: np.ndarray, losses: np.ndarray, method: str) -> go.Figure:
    """Draw a method's path of a 1-D problem on the loss curve: iterate k at (t_k, L_k)
    in the method's style, start (circle) and end (star) marked."""
    ts, losses = np.asarray(ts, float), np.asarray(losses, float)
    name, style = method_name(method), method_style(method)
    colour = style["line"].get("color")
    fig.add_trace(go.Scatter(x=ts, y=losses, mode="lines+markers", name=name, legendgroup=name,
                             line=dict(style["line"], width=2),
                             marker=dict(style["marker"], size=9),
                             customdata=np.arange(ts.size),
                             hovertemplate="step %{customdata}<br>t = %{x:.4g}<br>L = %{y:.6g}"
                                           f"<extra>{name}</extra>"))
    for idx, symbol in ((0, "circle-open"), (-1, "star")):
        fig.add_trace(go.Scatter(x=[ts[idx]], y=[losses[idx]], mode="markers", showlegend=False,
                                 legendgroup=name,
                                 marker=dict(symbol=symbol, size=16, color=colour or "white",
                                             line=dict(width=2, color="black")),
                                 hoverinfo="skip"))
    return fig


def off_plane(projection: Projection) -> np.ndarray:
    """Each point's distance from the plane, with rounding noise (below 1e-12 of the
    coordinates' size, e.g. 3.7e-16 when d = 2 and the plane is the whole space) as 0."""
    size = max(1.0, float(np.max(np.abs(projection.alphas), initial=0.0)),
               float(np.max(np.abs(projection.betas), initial=0.0)))
    return np.where(projection.distance <= 1e-12 * size, 0.0, projection.distance)


def _path_labels(projection: Projection, name: str) -> tuple[str, np.ndarray]:
    """A path's legend entry (with its largest distance from the plane) and its hover
    data (step, distance) per point."""
    dist = off_plane(projection)
    legend = (name if not dist.size else f"{name} (in the plane)" if not dist.any()
              else f"{name} (off-plane ≤ {number_text(dist.max(), 2)})")
    return legend, np.column_stack([np.arange(dist.size), dist])


def difference_figure(comparison, *, labels: tuple[str, str] = ("a (along u)", "c (along v)"),
                      title: str | None = None) -> go.Figure:
    """Heat map of ``second - first`` of a ``SurfaceComparison``, on a diverging scale
    centred at 0 (blue: the second loss is lower, red: higher), saturating at
    ``comparison.difference_scale`` (the 90th percentile of |difference|)."""
    diff, top = comparison.difference, comparison.difference_scale
    g1, g2 = comparison.gammas
    fig = go.Figure(go.Heatmap(
        x=comparison.first.alphas, y=comparison.first.betas, z=diff, zmid=0,
        zmin=-top, zmax=top, colorscale="RdBu_r", zsmooth="best",
        colorbar=dict(title=f"L(γ={g2:g}) − L(γ={g1:g})"),
        hovertemplate="a = %{x:.4g}<br>c = %{y:.4g}<br>difference %{z:.4g}<extra></extra>"))
    fig.update_layout(title=title, xaxis_title=labels[0], yaxis_title=labels[1],
                      uirevision=UIREVISION, margin=dict(l=60, r=20, t=50 if title else 20, b=50))
    return equal_scale(fig)


def morph_figure(surfaces: list[Surface], gammas: list[float], *,
                 labels: tuple[str, str] = ("a (along u)", "c (along v)"),
                 log_scale: bool = False) -> go.Figure:
    """An animated contour map, one frame per gamma (play button and slider), each
    frame on its own colour range (``Surface.display_min .. display_max``): one range
    for all would be set by the frame with a pole and leave the others one flat colour.
    The pole set is outlined in every frame."""
    frames = [contour_figure(s, labels=labels, log_scale=log_scale) for s in surfaces]
    blank = go.Contour(x=[0], y=[0], z=[[np.nan]], showscale=False, hoverinfo="skip",
                       showlegend=False)

    def padded(fig):  # every frame has the same three traces so Plotly can swap them
        data = list(fig.data)
        return data + [blank] * (3 - len(data))

    fig = go.Figure(data=padded(frames[0]), layout=frames[0].layout,
                    frames=[go.Frame(data=padded(f), name=f"{g:g}")
                            for f, g in zip(frames, gammas, strict=True)])
    steps = [dict(method="animate", label=f"{g:g}",
                  args=[[f"{g:g}"], dict(mode="immediate", frame=dict(duration=0, redraw=True))])
             for g in gammas]
    fig.update_layout(
        sliders=[dict(steps=steps, currentvalue=dict(prefix="γ = "), pad=dict(t=50))],
        updatemenus=[dict(type="buttons", showactive=False, direction="left", x=1, y=1.02,
                          xanchor="right", yanchor="bottom",
                          buttons=[dict(label="▶ play", method="animate",
                                        args=[None, dict(frame=dict(duration=400, redraw=True),
                                                         fromcurrent=True)]),
                                   dict(label="❚❚ pause", method="animate",
                                        args=[[None], dict(mode="immediate",
                                                           frame=dict(duration=0))])])],
        legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom"), margin=dict(t=60, b=90))
    return fig


