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
    c1, c2 = st.columns(2)
    if ui.bind("landscape.center", c1) == "custom":
        ui.bind("landscape.custom_center", c1, label=f"x₀ ({prob.d} numbers, or one)")
    if prob.d == 1:
        c1.caption("d = 1: the whole space is a line, drawn along the one axis x₁.")
    else:
        kind = ui.bind("landscape.directions", c1)
        if kind == "random":
            ui.bind("landscape.seed", c1)
            ui.bind("landscape.scale", c1, disabled=zero_center,
                    help="Length ‖x₀‖ scales u and v to the centre's norm; with the centre at "
                         "x = 0 unit length is used." if zero_center else None)
        elif kind == "axes":
            ui.bind("landscape.axis_i", c1, max_value=prob.d)
            ui.bind("landscape.axis_j", c1, max_value=prob.d)
        elif kind == "custom":
            ui.bind("landscape.custom_u", c1, label=f"u ({prob.d} numbers, or one)")
            ui.bind("landscape.custom_v", c1, label=f"v ({prob.d} numbers, or one)")
    ui.bind("landscape.span", c1)
    if prob.d > 1:
        ui.bind("landscape.resolution", c1)
        ui.bind("landscape.view", c2)
    ui.bind("landscape.log", c2)
    if prob.d > 1 and prob.gamma > 0:  # softmax (γ = 0) has no pole set to outline
        ui.bind("landscape.poles", c2)
    if prob.d > 1:
        ui.bind("landscape.click", c2)
    if ui.bind("landscape.paths", c2):  # from the Newton lab's start: one start everywhere
        if ui.bind("newton.start", c2, label="paths start at") == "custom":
            ui.bind("newton.custom_start", c2, label=f"start ({prob.d} numbers, or one)")


if prob.d > 1 and not ui.presenting():  # the map beside its settings: the picture is the control
    picture, side = st.columns([3, 2])
else:
    side, picture = st.container(), st.container()
with side:
    ui.controls("Plane" if prob.d > 1 else "Line", plane_settings)
with picture:
    if center == "custom" and not ui.get("landscape.custom_center").strip():
        ui.wait(f"Type the centre x₀ in the settings: {prob.d} numbers separated by commas, or "
                "one number for every coordinate.")
    if prob.d > 1 and ui.get("landscape.directions") == "custom" and not (
            ui.get("landscape.custom_u").strip() and ui.get("landscape.custom_v").strip()):
        ui.wait(f"Type the directions u and v in the settings: {prob.d} numbers each, "
                "separated by commas.")
    paths_from = ui.get("landscape.paths") and (ui.get("newton.start"),
                                                ui.get("newton.custom_start"))
    if paths_from and paths_from[0] == "custom" and not paths_from[1].strip():
        ui.wait(f"Type the paths' start in the settings: {prob.d} numbers separated by commas, "
                "or one number for every coordinate.")
    try:
        view = lv.landscape_view(ui.problem_spec(), ui.spec("landscape."), paths_from or None)
    except ValueError as err:
        ui.fail(f"This view cannot be drawn: {err}")
    click = ui.get("landscape.click")
    figs = lv.figures(view, log_scale=ui.get("landscape.log"),
                      show_poles=ui.get("landscape.poles"),
                      click=None if ui.presenting() else click)
    if ui.presenting():
        slides = [("Slice", figs.slice, figs.caption)] if figs.contour is None else [
            ("Contour map", figs.contour, figs.caption),
            ("3-D surface", figs.surface3d, figs.caption),
            ("Slice along u", figs.slice, "The loss along the line x₀ + a u; dashed: where α "
                                          "changes sign.")]
        ui.present(slides)
        ui.stop()
    shown = "slice" if figs.contour is None else ui.get("landscape.view")
    if shown in ("contour", "contour + 3-D"):
        st.plotly_chart(figs.contour, key="chart.landscape.contour", width="stretch",
                        selection_mode="points", on_select=lambda: lv.click_on_map(
                            view, st.session_state["chart.landscape.contour"].selection, click))
    if shown in ("3-D", "contour + 3-D"):
        st.plotly_chart(figs.surface3d, key="chart.landscape.surface3d", width="stretch")
    if shown == "slice":
        st.plotly_chart(figs.slice, key="chart.landscape.slice", width="stretch")
    ui.show_controls()  # after the first chart (ui.controls)
if shown != "slice":
    side.plotly_chart(figs.slice, key="chart.landscape.slice", width="stretch")
st.caption(figs.caption)
lv.export_buttons(view, figs, ui.problem_spec())
ui.mathematics(7)  # how the surface is computed: a few matrix products for a 201 x 201 grid
