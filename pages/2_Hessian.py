"""Hessian: eigenvalues at a point, their density, the diagonal-plus-rank-two
structure, and the paper's conditions checked on the current problem."""

import streamlit as st

from landscape import ui
from landscape.ui import hessian_view as hv

prob = ui.start("Hessian")
st.title("Hessian")
ui.formula(r"\nabla^2 L(x) = A^\top \operatorname{diag}(D)\, A + U C U^\top, \quad "
           r"U = [A^\top p,\ A^\top s],\ C = \begin{pmatrix} g_0 & -1 \\ -1 & 0 \end{pmatrix}")

point = ui.get("hessian.point")


def hessian_settings():
    c1, c2, c3 = st.columns(3)
    if ui.bind("hessian.point", c1) == "custom":
        ui.bind("hessian.custom_point", c1, label=f"x ({prob.d} numbers, or one)")
    ui.bind("hessian.scale", c2)
    ui.bind("hessian.l", c3)
    if prob.d > hv.DENSE_SPECTRUM_MAX_D:
        ui.bind("hessian.k", c2)


ui.controls("Settings", hessian_settings)
if point == "custom" and not ui.get("hessian.custom_point").strip():
    ui.wait(f"Type the point x above: {prob.d} numbers separated by commas, or one number "
            "for every coordinate.")
try:
    view = hv.hessian_view(ui.problem_spec(), ui.spec("hessian."))
except ValueError as err:
    ui.fail(f"The Hessian cannot be shown here: {err}")

spec = view.spectrum
figs = hv.figures(view, scale=ui.get("hessian.scale"))
if ui.presenting():
    slides = [("Eigenvalues", figs.eigenvalues,
               f"At {view.point_label}: {spec.n_negative} negative "
               f"eigenvalue{'' if spec.n_negative == 1 else 's'}; smallest "
               f"{ui.number(spec.smallest)}, largest {ui.number(spec.largest)}."),
              ("Density", figs.density,
               "Stochastic Lanczos quadrature beside the exact histogram.")]
    if figs.structure is not None:
        slides.append(("Structure", figs.structure,
                       "The rank-two part has one positive and one negative eigenvalue: "
                       + view.structure.message))
    ui.present(slides)
    ui.stop()
st.caption(f"At {view.point_label}: {spec.message}")
if view.near_pole and view.alpha_sign > 0:
    st.warning(f"At this point α is a cancellation of terms {ui.number(view.alpha_condition, 2)} "
               "times larger (next to the pole set): every number on this page carries a "
               "relative error of about "
               f"{ui.number(view.relative_error, 2)}.")
if view.alpha_sign < 0:
    log_alpha = ui.number(view.log_abs_alpha, digits=3)
    st.warning(f"At this point α < 0 (log|α| = {log_alpha}): it lies beyond the "
               "pole set of the unified loss, where stationary points are spurious.")
m = st.columns(5)
m[0].metric("smallest eigenvalue", ui.number(spec.smallest))
m[1].metric("largest eigenvalue", ui.number(spec.largest))
m[2].metric("condition number", "∞ (singular)" if spec.condition_number == float("inf")
            else ui.number(spec.condition_number),
            help=f"eigenvalues with |λ| ≤ {ui.number(spec.tolerance, digits=2)} are zero "
                 "within rounding")
m[3].metric("negative eigenvalues", f"{spec.n_negative}" + ("" if spec.n_negative_exact else "+"),
            help=f"below −{ui.number(spec.tolerance, digits=2)}; {spec.n_zero} are zero "
                 "within rounding")
m[4].metric("trace (exact)", ui.number(view.trace),
            help=f"Hutchinson: {ui.number(view.hutchinson.estimate)} ± "
                 f"{ui.number(view.hutchinson.standard_error, digits=2)}")

left, right = st.columns(2)
left.plotly_chart(figs.eigenvalues, key="chart.hessian.eigenvalues", width="stretch")
ui.show_controls()  # after the first chart (ui.controls)
right.plotly_chart(figs.density, key="chart.hessian.density", width="stretch")
hv.export_buttons(view, figs, ui.problem_spec())

sections = ui.tabs("hessian.section")  # only the open one is drawn
if sections["structure"] is not None:
    with sections["structure"]:
        if view.structure is None:
            st.info(f"d = {prob.d} is above {hv.DENSE_SPECTRUM_MAX_D}: the structure view "
                    "compares every eigenvalue of three d x d matrices and is shown for "
                    "smaller d only.")
        else:
            st.plotly_chart(figs.structure, key="chart.hessian.structure", width="stretch")
            st.caption("The rank-two part U C Uᵀ has one positive and one negative eigenvalue "
                       "(det C = −1), so it can add one negative direction and remove one: the "
                       "eigenvalues of H interlace those of the diagonal part. "
                       f"{view.structure.message}")
        ui.mathematics(3)
if sections["path"] is not None:
    with sections["path"]:
        ui.bind("hessian.path", st.columns(3)[0])
        st.plotly_chart(figs.path, key="chart.hessian.path", width="stretch")
        st.caption(f"{hv.METHOD_NAMES[ui.get('hessian.path')]} from x = 0: {view.path_message}")

st.subheader("The paper's claims, checked here")
for check in view.checks.all():
    verdict, tone = hv.verdict(check)
    show = {"good": st.success, "neutral": st.info, "bad": st.warning}[tone]
    show(f"**{check.name}: {verdict}**. {check.message}")
ui.mathematics(4)
