"""Landscape: the loss over a plane through a centre, as a contour map and a 3-D
surface, and along a line; the pole set outlined; optimiser paths on the plane."""

import streamlit as st

from landscape import ui
from landscape.ui import landscape_view as lv

prob = ui.start("Landscape")
st.title("Landscape")
st.latex(r"\text{values}[j, i] = L(x_0 + a_i\, u + c_j\, v)")

with ui.controls("Plane"):
    c1, c2, c3, c4 = st.columns(4)
    center = ui.bind(c1.selectbox, "centre x₀", "landscape.center", options=list(lv.CENTERS),
                     format_func=lv.CENTER_LABELS.get)
    if center == "custom":
        ui.bind(c1.text_input, f"x₀ ({prob.d} numbers, or one)", "landscape.custom_center")
    kind = ui.bind(c2.selectbox, "directions u, v", "landscape.directions",
                   options=list(lv.DIRECTION_LABELS), format_func=lv.DIRECTION_LABELS.get)
    if kind == "random":
        ui.bind(c2.number_input, "seed", "landscape.seed", min_value=0)
        ui.bind(c2.radio, "length", "landscape.scale", options=["unit", "center"],
                horizontal=True, format_func={"unit": "unit", "center": "‖x₀‖"}.get)
    elif kind == "axes":
        ui.bind(c2.number_input, "axis i", "landscape.axis_i", min_value=1, max_value=prob.d)
        ui.bind(c2.number_input, "axis j", "landscape.axis_j", min_value=1, max_value=prob.d)
    elif kind == "custom":
        ui.bind(c2.text_input, "u", "landscape.custom_u")
        ui.bind(c2.text_input, "v", "landscape.custom_v")
    ui.bind(c3.number_input, "span (a, c in ±span)", "landscape.span", min_value=1e-6,
            max_value=1e6, format="%.4g")
    ui.bind(c3.select_slider, "resolution", "landscape.resolution", options=list(lv.RESOLUTIONS))
    ui.bind(c4.radio, "show", "landscape.view", options=["contour", "3-D", "contour + 3-D"])
    ui.bind(c4.toggle, "log colour scale", "landscape.log")
    ui.bind(c4.toggle, "outline the pole set", "landscape.poles")
    ui.bind(c4.toggle, "optimiser paths from 0", "landscape.paths")

try:
    view = lv.landscape_view(ui.problem_spec(), ui.spec("landscape."))
except ValueError as err:
    ui.fail(f"This view cannot be drawn: {err}")

figs, surf, log = ui.surface_figures, view.surface, ui.get("landscape.log")
labels = view.directions.labels
contour = figs.contour_figure(surf, labels=labels, log_scale=log, show_poles=ui.get("landscape.poles"))
surface3d = figs.surface3d_figure(surf, labels=labels, log_scale=log)
for method, (projection, losses) in view.paths.items():
    figs.add_trajectory(contour, projection, method)
    figs.add_trajectory(surface3d, projection, method, losses=losses)

explain = ("The loss over the plane x₀ + a u + c v. Red: the pole set α = 0, where the unified "
           "loss blows up; veiled: α < 0, where its stationary points are spurious.")
if ui.presenting():
    ui.present([("Contour map", contour, explain), ("3-D surface", surface3d, explain),
                ("Slice along u", figs.slice_figure(view.line, label=labels[0], log_scale=log),
                 "The loss along the line x₀ + a u; dashed: where α changes sign.")])
    st.stop()
shown = ui.get("landscape.view")
cols = st.columns(2) if shown == "contour + 3-D" else [st.container()]
if shown != "3-D":
    cols[0].plotly_chart(contour, key="chart.landscape.contour", width="stretch")
    ui.end_first_view()  # a browser's first view: the rest once this chart is drawn
if shown != "contour":
    cols[-1].plotly_chart(surface3d, key="chart.landscape.surface3d", width="stretch")
    ui.end_first_view()
st.plotly_chart(figs.slice_figure(view.line, label=f"a (along {labels[0]})", log_scale=log),
                key="chart.landscape.slice", width="stretch")

notes = [f"Centre: {view.center_label}. Directions: {labels[0]}, {labels[1]}"
         + ("" if view.directions.orthonormal else " (not orthonormal)") + "."]
if surf.has_poles:
    notes.append("This plane meets the **pole set** α = 0 (red): the loss blows up on both "
                 "sides, and in the veiled region α < 0 its stationary points are spurious. "
                 "The colour scale stops at the 95th percentile so one pole cannot swamp it.")
if surf.fallback_cells:
    notes.append(f"{surf.fallback_cells} of {surf.values.size} cells were re-evaluated directly "
                 "because the fast sums could lose digits there.")
for method, (projection, _) in view.paths.items():
    notes.append(f"{method}: {len(projection.alphas) - 1} steps; the farthest iterate lies "
                 f"{projection.distance.max():.3g} from this plane.")
st.caption(" ".join(notes))
ui.exports.buttons("landscape_surface", contour, ui.export.surface_table(surf),
                   ui.export.surface_arrays(surf), ui.exports.surface_script(ui.problem_spec(), surf))
st.markdown("The surface is computed with the closed form of MATH.md 7: on the plane "
            "z = P + aQ + cR, and every exponential sum is a matrix product between a factor "
            "of a and a factor of c, so a 201 x 201 surface costs a few matrix products.")
