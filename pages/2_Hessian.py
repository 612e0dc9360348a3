"""Hessian: eigenvalues at a point, their density, the diagonal-plus-rank-two
structure, and the paper's conditions checked on the current problem."""

import streamlit as st

from landscape import ui
from landscape.ui import hessian_view as hv

prob = ui.start("Hessian")
st.title("Hessian")
st.latex(r"\nabla^2 L(x) = A^\top \operatorname{diag}(D)\, A + U C U^\top, \quad "
         r"U = [A^\top p,\ A^\top s],\ C = \begin{pmatrix} g_0 & -1 \\ -1 & 0 \end{pmatrix}")

c1, c2, c3, c4 = ui.controls("Settings").columns(4)
point = ui.bind(c1.selectbox, "point x", "hessian.point", options=list(hv.POINTS),
                format_func=hv.POINT_LABELS.get)
if point == "custom":
    ui.bind(c1.text_input, f"x ({prob.d} numbers, or one)", "hessian.custom_point")
ui.bind(c2.radio, "eigenvalue axis", "hessian.scale", options=list(hv.SCALES), horizontal=True,
        help="symlog keeps negative eigenvalues visible beside large positive ones")
ui.bind(c3.number_input, "strong convexity l for the checks", "hessian.l", min_value=1e-12,
        format="%.3g")
ui.bind(c4.selectbox, "path for the extremes", "hessian.path", options=list(hv.PATH_METHODS))
if prob.d > hv.DENSE_MAX_D:
    ui.bind(c2.number_input, "k (Lanczos: k smallest and k largest)", "hessian.k", min_value=1)

try:
    view = hv.hessian_view(ui.problem_spec(), ui.spec("hessian."))
except ValueError as err:
    ui.fail(f"The Hessian cannot be shown here: {err}")

figs, scale, spec = ui.spectrum_figures, ui.get("hessian.scale"), view.spectrum
if ui.presenting():
    slides = [("Eigenvalues", figs.eigenvalue_figure(spec, scale=scale),
               f"At {view.point_label}: {spec.n_negative} negative eigenvalues; smallest "
               f"{ui.number(spec.smallest)}, largest {ui.number(spec.largest)}."),
              ("Density", figs.density_figure(view.density),
               "Stochastic Lanczos quadrature beside the exact histogram.")]
    if view.structure is not None:
        slides.append(("Structure", figs.structure_figure(view.structure, scale=scale),
                       "The rank-two part has one positive and one negative eigenvalue: "
                       + view.structure.message))
    ui.present(slides)
    st.stop()
st.caption(f"At {view.point_label}: {spec.message}")
if view.alpha_sign < 0:
    st.warning(f"At this point α < 0 (log|α| = {view.log_abs_alpha:.3g}): it lies beyond the "
               "pole set of the unified loss, where stationary points are spurious.")
m = st.columns(5)
m[0].metric("smallest eigenvalue", ui.number(spec.smallest))
m[1].metric("largest eigenvalue", ui.number(spec.largest))
m[2].metric("condition number", ui.number(spec.condition_number))
m[3].metric("negative eigenvalues", f"{spec.n_negative}" + ("" if spec.n_negative_exact else "+"))
m[4].metric("trace (exact)", f"{view.trace:.4g}",
            help=f"Hutchinson: {view.hutchinson.estimate:.4g} ± {view.hutchinson.standard_error:.2g}")

left, right = st.columns(2)
eigen_fig = figs.eigenvalue_figure(spec, scale=scale, title="Eigenvalues")
left.plotly_chart(eigen_fig, key="chart.hessian.eigenvalues", width="stretch")
ui.end_first_view()  # a browser's first view: the rest once this chart is drawn
right.plotly_chart(figs.density_figure(view.density, title="Spectral density: SLQ vs exact"),
                   key="chart.hessian.density", width="stretch")

ui.exports.buttons("hessian_spectrum", eigen_fig, ui.export.spectrum_table(spec),
                   ui.export.spectrum_table(spec),
                   ui.exports.spectrum_script(ui.problem_spec(), view.x, view.k))

st.subheader("The structure: diagonal part + rank two")
if view.structure is None:
    st.info(f"d = {prob.d} is above {hv.DENSE_MAX_D}: the structure view compares every "
            "eigenvalue of three d x d matrices and is shown for smaller d only.")
else:
    st.plotly_chart(figs.structure_figure(view.structure, scale=scale), key="chart.hessian.structure",
                    width="stretch")
    st.caption("The rank-two part U C U^T has one positive and one negative eigenvalue "
               "(det C = -1), so it can add one negative direction and remove one: the "
               f"eigenvalues of H interlace those of the diagonal part. {view.structure.message}")

st.subheader("The paper's claims, checked here")
for check in view.checks.all():
    verdict = "holds" if check.holds else "does not hold"
    applies = "" if check.applies else " (not a theorem for this loss; shown for reference)"
    show = st.info if not check.applies else st.success if check.holds else st.warning
    show(f"**{check.name}: {verdict}**{applies}. {check.message}")

st.subheader("Extremes along the path")
st.plotly_chart(figs.trajectory_figure(view.path, scale=scale), key="chart.hessian.path",
                width="stretch")
st.caption(f"{ui.get('hessian.path')} from x = 0: {view.path_message}")
