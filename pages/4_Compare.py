"""Compare: two losses of the family (softmax γ = 0, unified γ = 1, or any two γ) on
the same A, b, plane and colour scale, with their difference, spectra and Newton runs."""

import streamlit as st

from landscape import ui
from landscape.ui import compare_view as cv

prob = ui.start("Compare")
st.title("Compare softmax and unified")
ui.formula(r"u_\gamma(z) = e^{z} + \gamma z: \quad \gamma = 0 \text{ softmax}, "
           r"\ \gamma = 1 \text{ unified ResNet + softmax}")



def compare_settings():
    c1, c2, c3, c4 = st.columns(4)
    ui.bind("compare.gamma_a", c1)
    ui.bind("compare.gamma_b", c1)
    ui.bind("compare.span", c2)
    if prob.d > 1:
        ui.bind("compare.resolution", c2)
        ui.bind("compare.seed", c3)
    ui.bind("compare.log", c3)
    if prob.d > 1:
        ui.bind("compare.morph_frames", c4)


ui.controls("Settings", compare_settings)
try:
    result = cv.comparison(ui.problem_spec(), ui.spec("compare."))
except ValueError as err:
    ui.fail(f"The comparison cannot be drawn: {err}")
figs = cv.figures(result, log_scale=ui.get("compare.log"))
g1, g2 = result.gammas
if ui.presenting():
    slides = [(f"γ = {g1:g}", figs.first, f"The loss with γ = {g1:g}, on the shared colour scale.")]
    if figs.second is not None:
        slides.append((f"γ = {g2:g}", figs.second, f"The loss with γ = {g2:g}, on the same scale."))
    slides.append(("Difference", figs.difference,
                   f"L(γ = {g2:g}) − L(γ = {g1:g}): red where the second loss is higher."))
    ui.present(slides)
    ui.stop()
if figs.second is None:
    st.plotly_chart(figs.first, key="chart.compare.first", width="stretch")
    ui.show_controls()  # after the first chart (ui.controls)
    st.caption("d = 1: both losses along the one axis through x = 0.")
else:
    left, right = st.columns(2)
    left.plotly_chart(figs.first, key="chart.compare.first", width="stretch")
    ui.show_controls()  # after the first chart (ui.controls)
    right.plotly_chart(figs.second, key="chart.compare.second", width="stretch")
    share = cv.difference_share(result)
    st.caption("One plane through x = 0 and one colour scale for both maps. Red lines: the pole "
               "set α = 0 of a loss with γ > 0 (softmax has none); veiled: where α < 0 and "
               "the loss's stationary points are spurious. Here the two losses differ by up "
               f"to {ui.number(100 * share, digits=2)} % of the range of L on these maps"
               + (" (too little to see: the Difference tab shows where)."
                  if share < 0.05 else "; the Difference tab shows where."))

sections = ui.tabs("compare.section")  # only the open one is drawn
if sections["difference"] is not None:
    left, right = sections["difference"].columns(2)
    left.plotly_chart(figs.difference, key="chart.compare.difference", width="stretch")
    right.caption(f"L(γ = {g2:g}) − L(γ = {g1:g}) on the same plane: red where the second "
                  "loss is higher, blue where it is lower, white where they agree; the colour "
                  "scale is symmetric about 0.")
if sections["spectra"] is not None:
    left, right = sections["spectra"].columns(2)
    left.plotly_chart(figs.spectra, key="chart.compare.spectra", width="stretch")
    right.caption(f"The Hessian's eigenvalues at x = 0 for each loss, sorted: "
                  f"{cv.spectra_shown(result)}.")
if sections["newton"] is not None:
    with sections["newton"]:
        st.plotly_chart(figs.newton, key="chart.compare.newton", width="stretch")
        ui.show_table(cv.run_rows(result))
        st.caption(cv.run_messages(result))
if sections["morph"] is not None:
    with sections["morph"]:
        if prob.d == 1:
            st.caption("The morph animation moves a contour map; with d = 1 the chart above "
                       "already shows both losses.")
        elif ui.bind("compare.morph"):
            st.plotly_chart(figs.morph, key="chart.compare.morph", width="stretch")
            st.caption("Press play: γ moves from the left value to the right one. Each frame "
                       "has its own colour scale (see its colour bar), so every frame shows "
                       "its shape; watch the pole set appear as soon as γ > 0 wherever the "
                       "rows of A let α = ⟨e^z + γz, 1⟩ vanish.")
cv.export_buttons(result, figs, ui.problem_spec())
ui.mathematics(5)
