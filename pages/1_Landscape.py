"""Landscape: the loss over a plane through a centre, as a contour map and a 3-D
surface, and along a line; the pole set outlined; optimiser paths on the plane."""

import streamlit as st

from landscape import ui
from landscape.ui import landscape_view as lv

prob = ui.start("Landscape")
st.title("Landscape")
ui.formula(r"\text{values}[j, i] = L(x_0 + a_i\, u + c_j\, v)" if prob.d > 1
           else r"L(x_0 + t), \quad x \in \mathbb{R}^1")

center = ui.get("landscape.center")
if prob.d > 1 and ui.get("landscape.directions") == "axes":  # the problem sets the range
    ui.clamp("landscape.axis_i", high=prob.d)
    ui.clamp("landscape.axis_j", high=prob.d)
zero_center = lv.center_is_zero(ui.problem_spec(), center, ui.get("landscape.custom_center"))
if zero_center and ui.get("landscape.scale") == "center":
    ui.put("landscape.scale", "unit")  # a length ‖x₀‖ = 0 means nothing: the widget says why


def plane_settings():
    c1, c2, c3, c4 = st.columns(4)
    if ui.bind("landscape.center", c1) == "custom":
        ui.bind("landscape.custom_center", c1, label=f"x₀ ({prob.d} numbers, or one)")
    if prob.d == 1:
        c2.caption("d = 1: the whole space is a line, drawn along the one axis x₁.")
    else:
        kind = ui.bind("landscape.directions", c2)
        if kind == "random":
            ui.bind("landscape.seed", c2)
            ui.bind("landscape.scale", c2, disabled=zero_center,
                    help="Length ‖x₀‖ scales u and v to the centre's norm; with the centre at "
                         "x = 0 unit length is used." if zero_center else None)
        elif kind == "axes":
            ui.bind("landscape.axis_i", c2, max_value=prob.d)
            ui.bind("landscape.axis_j", c2, max_value=prob.d)
        elif kind == "custom":
            ui.bind("landscape.custom_u", c2, label=f"u ({prob.d} numbers, or one)")
            ui.bind("landscape.custom_v", c2, label=f"v ({prob.d} numbers, or one)")
    ui.bind("landscape.span", c3)
    if prob.d > 1:
        ui.bind("landscape.resolution", c3)
        ui.bind("landscape.view", c4)
    ui.bind("landscape.log", c4)
    if prob.d > 1:
        ui.bind("landscape.poles", c4)
    ui.bind("landscape.paths", c4)


ui.controls("Plane" if prob.d > 1 else "Line", plane_settings)
if center == "custom" and not ui.get("landscape.custom_center").strip():
    ui.wait(f"Type the centre x₀ above: {prob.d} numbers separated by commas, or one number "
            "for every coordinate.")
if prob.d > 1 and ui.get("landscape.directions") == "custom" and not (
        ui.get("landscape.custom_u").strip() and ui.get("landscape.custom_v").strip()):
    ui.wait(f"Type the directions u and v above: {prob.d} numbers each, separated by commas.")
try:
    view = lv.landscape_view(ui.problem_spec(), ui.spec("landscape."))
except ValueError as err:
    ui.fail(f"This view cannot be drawn: {err}")
figs = lv.figures(view, log_scale=ui.get("landscape.log"), show_poles=ui.get("landscape.poles"))

explain = figs.caption
if ui.presenting():
    slides = [("Slice", figs.slice, explain)] if figs.contour is None else [
        ("Contour map", figs.contour, explain), ("3-D surface", figs.surface3d, explain),
        ("Slice along u", figs.slice, "The loss along the line x₀ + a u; dashed: where α "
                                      "changes sign.")]
    ui.present(slides)
    ui.stop()
if figs.contour is None:
    st.plotly_chart(figs.slice, key="chart.landscape.slice", width="stretch")
    ui.show_controls()
else:
    shown = ui.get("landscape.view")
    cols = st.columns(2) if shown == "contour + 3-D" else [st.container()]
    if shown != "3-D":
        cols[0].plotly_chart(figs.contour, key="chart.landscape.contour", width="stretch")
    if shown != "contour":
        cols[-1].plotly_chart(figs.surface3d, key="chart.landscape.surface3d", width="stretch")
    ui.show_controls()  # after the first chart (ui.controls)
    st.plotly_chart(figs.slice, key="chart.landscape.slice", width="stretch")
st.caption(figs.caption)
lv.export_buttons(view, figs, ui.problem_spec())
st.markdown("The surface is computed with the closed form of MATH.md 7: on the plane "
            "z = P + aQ + cR, and every exponential sum is a matrix product between a factor "
            "of a and a factor of c, so a 201 x 201 surface costs a few matrix products.")
