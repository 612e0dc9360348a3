"""Compare: two losses of the family (softmax γ = 0, unified γ = 1, or any two γ) on
the same A, b, plane and colour scale, with their difference, spectra and Newton runs."""

import streamlit as st

from landscape import ui
from landscape.ui import compare_view as cv

prob = ui.start("Compare")
st.title("Compare softmax and unified")
st.latex(r"u_\gamma(z) = e^{z} + \gamma z: \quad \gamma = 0 \text{ softmax}, "
         r"\ \gamma = 1 \text{ unified ResNet + softmax}")

c1, c2, c3, c4 = ui.controls("Settings").columns(4)
ui.bind(c1.slider, "γ left", "compare.gamma_a", min_value=0.0, max_value=1.0, step=0.05)
ui.bind(c1.slider, "γ right", "compare.gamma_b", min_value=0.0, max_value=1.0, step=0.05)
ui.bind(c2.number_input, "span", "compare.span", min_value=1e-6, format="%.4g")
ui.bind(c2.select_slider, "resolution", "compare.resolution", options=[51, 81, 101, 151, 201])
ui.bind(c3.number_input, "direction seed", "compare.seed", min_value=0)
ui.bind(c3.toggle, "log colour scale", "compare.log")
ui.bind(c4.number_input, "morph frames", "compare.morph_frames", min_value=2, max_value=41)

try:
    result = cv.comparison(ui.problem_spec(), ui.spec("compare."))
except ValueError as err:
    ui.fail(f"The comparison cannot be drawn: {err}")
comp, labels, log = result.surfaces, result.directions.labels, ui.get("compare.log")
figs = ui.surface_figures
g1, g2 = comp.gammas
shared = (comp.display_min, comp.display_max)
if ui.presenting():
    slides = [(f"γ = {g}", figs.contour_figure(s, labels=labels, log_scale=log, zrange=shared),
               f"The loss with γ = {g}, on the shared colour scale.")
              for g, s in ((g1, comp.first), (g2, comp.second))]
    slides.append(("Difference", figs.difference_figure(comp, labels=labels),
                   f"L(γ = {g2}) − L(γ = {g1}): red where the second loss is higher."))
    ui.present(slides)
    st.stop()
left, right = st.columns(2)
left.plotly_chart(figs.contour_figure(comp.first, labels=labels, log_scale=log, zrange=shared,
                                      title=f"γ = {g1:g}"), key="chart.compare.first", width="stretch")
ui.end_first_view()  # a browser's first view: the rest once this chart is drawn
right.plotly_chart(figs.contour_figure(comp.second, labels=labels, log_scale=log, zrange=shared,
                                       title=f"γ = {g2:g}"), key="chart.compare.second", width="stretch")
st.caption("One plane through x = 0 and one colour scale for both maps. Red lines: the pole "
           "set α = 0 of a loss with γ > 0; softmax has none.")

left, right = st.columns(2)
difference = figs.difference_figure(comp, labels=labels, title="Difference")
left.plotly_chart(difference, key="chart.compare.difference", width="stretch")
right.plotly_chart(ui.compare_figures.spectra_overlay_figure(
    result.spectra, [f"γ = {g1:g}", f"γ = {g2:g}"], title="Hessian eigenvalues at x = 0"),
    key="chart.compare.spectra", width="stretch")

ui.exports.buttons("compare_difference", difference,
                   {**ui.export.surface_table(comp.first), "loss_second": comp.second.values,
                    "difference": comp.difference},
                   {"first": comp.first.values, "second": comp.second.values,
                    "difference": comp.difference, "alphas": comp.first.alphas,
                    "betas": comp.first.betas},
                   ui.exports.compare_script(ui.problem_spec(), comp))

st.subheader("Morph from one loss to the other")
if ui.bind(st.toggle, "show the γ morph animation", "compare.morph"):
    st.plotly_chart(figs.morph_figure(list(result.morph), list(result.morph_gammas), labels=labels,
                                      log_scale=log), key="chart.compare.morph", width="stretch")
st.caption("Press play: γ moves from the left value to the right one. Watch the pole set "
           "appear as soon as γ > 0 wherever the rows of A let α = ⟨e^z + γz, 1⟩ vanish.")

st.subheader("Newton from x = 0 on each")
st.plotly_chart(ui.optimize_figures.convergence_figure(
    list(result.runs), labels=[f"γ = {g1:g}", f"γ = {g2:g}"]), key="chart.compare.newton",
    width="stretch")
ui.show_table([{"γ": g, "status": run.status.value, "steps": run.n_iter,
                "final loss": float(run.loss[-1]), "message": run.message}
               for g, run in zip(comp.gammas, result.runs)])
