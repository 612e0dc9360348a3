"""Home page of the loss-landscape lab: what it is, and the current problem at a glance."""

import streamlit as st

from landscape import ui

prob = ui.start("Home")
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
    "α = ⟨u, 1⟩ can vanish: the unified loss has **poles**, and the lab marks them. "
    "Build a problem in the sidebar; every page looks at the same one, and the address "
    "bar always holds a link that reproduces what you see."
)
st.subheader("The current problem at x = 0")
ui.show_summary(ui.summary(ui.problem_spec()))
st.markdown(
    "**Pages.** *Landscape*: the loss over a plane and along a line, with the pole set "
    "outlined. *Hessian*: eigenvalues, the diagonal-plus-rank-two structure and the "
    "paper's conditions checked on this problem. *Newton*: exact and approximate Newton "
    "against their peers. *Compare*: softmax and unified side by side. *Tour*: the "
    "paper in eight live steps, for a class or a reader alone."
)
st.page_link("pages/5_Tour.py", label="Start the guided tour: the paper in eight live steps",
             icon="▶")
