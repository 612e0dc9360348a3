"""Home page of the loss-landscape lab: what it is, and the default problem at a glance."""

import streamlit as st

from landscape import ui

ui.page_setup("Home")
st.title("Loss-landscape lab")
st.markdown(
    "Look inside the loss of **softmax regression** and of the **unified ResNet + softmax "
    "regression** (Song, Wang, Yin, arXiv:2309.13482): loss surfaces, Hessian spectra and "
    "Newton trajectories, computed exactly and stably. The lab keeps the 1/2 of the "
    "least-squares loss (the paper's objective is 2L with w = 0)."
)
st.latex(r"L(x) = \tfrac12 \Big\| \frac{u(Ax)}{\langle u(Ax), \mathbf 1\rangle} - b \Big\|_2^2"
         r" + \tfrac12 \| w \circ Ax \|_2^2, \qquad u(z) = e^{z} + \gamma z")
st.markdown(
    "γ = 0 gives softmax regression, γ = 1 the unified scheme. For γ > 0 the normaliser "
    "α = ⟨u, 1⟩ can vanish: the unified loss has **poles**, and the lab marks them."
)

kind = st.radio("Loss", ["unified", "softmax"], format_func=ui.KIND_LABELS.get,
                horizontal=True, key="home.kind")
st.subheader("The default problem at x = 0")
ui.show_summary(ui.default_summary(kind))
st.caption("Default problem: Gaussian A (200 x 10), realizable target b = f(A x_true) with 10% "
           "noise, constant regularisation w = 0.05.")
