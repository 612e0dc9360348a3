"""Tour: the paper told in eight live steps, each one idea with one or two live charts
and a claim measured on their numbers (landscape.ui.tour_view, tour_charts)."""

import streamlit as st

from landscape import ui
from landscape.ui import tour_charts as tc
from landscape.ui import tour_view as tv

ui.start("Tour", needs_problem=tv.on_sidebar_problem)  # steps 1-7 bring their own problems
number = ui.get("step")
step = tv.STEPS[number - 1]
st.title("A guided tour of the paper")
tv.navigation()  # in presentation mode it holds the step's title
text, pictures = st.columns([5, 11] if step.charts > 1 else [1, 2], gap="medium")
with text.container(key="tour-text"):
    if not ui.presenting():
        st.subheader(f"{number}. {step.title}")
    st.markdown(step.notice, help=step.words)
    for name in step.controls:
        ui.bind(name)
    if not ui.presenting():
        st.caption(tv.problem_line(number))
try:
    shown = tc.show(number, tv.current(number), tv.tour_settings())
except ValueError as err:
    ui.fail(f"This step cannot be drawn: {err}")
columns = pictures.columns(len(shown.charts))
for i, (figure, caption) in enumerate(shown.charts):
    columns[i].plotly_chart(figure, key=f"chart.tour.{i}",
                            width="content" if figure.layout.width else "stretch")
    if not ui.presenting():  # on a projector the charts' titles say what is drawn
        columns[i].caption(caption)
verdict = "Measured here" if shown.claim.holds else ("Measured here (the claim does not hold "
                                                     "on these settings)")
pictures.container(key="tour-claim").caption(f"**{verdict}:** {shown.claim.text}")
with text.container(key="tour-question"):
    with st.expander(f"Question: {step.question}"):
        st.markdown(step.answer)
with text:
    if not ui.presenting():
        label = (f"Open this step's problem on the {step.page} page" if step.preset else
                 f"Open the {step.page} page")
        if st.button(label, key="tour.open", help="Replaces the sidebar's settings with this "
                     "step's" if step.preset else None):
            if step.preset:
                tv.open_in_lab(number)
            st.switch_page(f"pages/{tv.PAGE_FILES[step.page]}")
