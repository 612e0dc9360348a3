"""Newton lab: exact and approximate Newton against their peers on the current
problem: paths on the landscape, convergence, step-by-step playback, diagnostics."""

import streamlit as st

from landscape import ui
from landscape.ui import newton_view as nv

prob = ui.start("Newton")
st.title("Newton lab")
st.latex(r"x_{t+1} = x_t - \widetilde H_t^{-1} \nabla L(x_t), \qquad "
         r"\widetilde H_t = A^\top \widetilde D_t A + U C U^\top")

c1, c2, c3 = ui.controls("Methods and settings").columns([2, 1, 1])
ui.bind(c1.multiselect, "methods", "newton.methods", options=list(nv.METHODS),
        format_func=nv.METHOD_LABELS.get)
start = ui.bind(c2.selectbox, "start x₀", "newton.start", options=list(nv.POINTS),
                format_func=nv.POINT_LABELS.get)
if start == "custom":
    ui.bind(c2.text_input, f"x₀ ({prob.d} numbers, or one)", "newton.custom_start")
ui.bind(c2.number_input, "tolerance (‖∇L‖ relative to start)", "newton.tol", min_value=1e-300,
        max_value=1.0, format="%.1e")
ui.bind(c2.number_input, "max iterations", "newton.max_iter", min_value=1, max_value=10_000)
ui.bind(c3.slider, "ε of approximate Newton", "newton.eps", min_value=0.05, max_value=0.95,
        step=0.05, help="rows kept ~ d log(d/δ) / ε²; the error contracts by about ε per step")
ui.bind(c3.number_input, "sampling seed", "newton.seed", min_value=0)
ui.bind(c3.radio, "x axis", "newton.against", options=["iteration", "time"], horizontal=True)
ui.bind(c3.radio, "error norm", "newton.error", options=["hessian", "euclidean"], horizontal=True)

try:
    race = nv.race(ui.problem_spec(), ui.spec("newton."))
except ValueError as err:
    ui.fail(f"The race cannot be run: {err}")

longest = max(run.n_iter for run in race.runs)
if ui.get("newton.step") > longest:  # a new race: show the whole paths
    ui.put("newton.step", longest)
b1, b2, b3 = st.columns([1, 1, 8])
if not ui.staged():  # widgets come after the first chart in a staged run (ui.staging)
    b1.button("◀ previous", key="newton.previous", on_click=ui.nudge, args=("newton.step", -1, longest))
    b2.button("next ▶", key="newton.next", on_click=ui.nudge, args=("newton.step", 1, longest))
step = ui.bind(b3.slider, "step-by-step: iteration shown in the table and on the map",
               "newton.step", min_value=0, max_value=max(longest, 1))
figs = ui.surface_figures
contour = figs.contour_figure(race.surface, labels=race.directions.labels,
                              title="Paths on the plane through x* of their principal components")
for run, projection in zip(race.runs, race.projections):
    figs.add_trajectory(contour, nv.truncated(projection, min(step, run.n_iter)), run.method)
if step == longest and longest > 0:  # the whole race is drawn: let Plotly replay it (▶ play)
    figs.add_playback(contour, list(race.projections), [run.method for run in race.runs])


def convergence():  # drawn after the paths: a staged run (ui.staging) does not need it
    return ui.optimize_figures.convergence_figure(
        race.runs, race.diagnostics, against=ui.get("newton.against"), error=ui.get("newton.error"))


if ui.presenting():
    ui.present([("Paths", contour, "Each method's path on the plane of their principal "
                 "components; ▶ replays the race."),
                ("Convergence", convergence(), "Exact Newton: the error squares each step. "
                 "Approximate Newton: it shrinks by about ε per step.")])
    st.stop()
left, right = st.columns([1, 1])
left.plotly_chart(contour, key="chart.newton.paths", width="stretch")
ui.end_first_view()  # a browser's first view: the rest once this chart is drawn
conv = convergence()
with right:
    ui.show_table(nv.step_rows(race, step))
right.caption(f"Iteration {step}: each method's numbers (its last ones if it stopped "
              "earlier). 'distance from plane' says how faithfully the picture shows the path.")

st.plotly_chart(conv, key="chart.newton.convergence", width="stretch")
ui.exports.buttons("newton_runs", conv, ui.export.trajectories_table(list(race.runs)),
                   ui.export.trajectories_arrays(list(race.runs)),
                   ui.exports.newton_script(ui.problem_spec(), race.runs[0].xs[0], list(race.runs)))
ui.show_table(nv.run_table(race))
st.caption(f"Start: {race.start_label}. x* from exact Newton run to the rounding floor. Exact "
           "Newton converges quadratically near x* (order about 2); the approximate method "
           "linearly with rate about ε in the Hessian norm. The paper's basin condition is "
           "M‖x₀ − x*‖ ≤ 0.1 l with the measured l (smallest eigenvalue at x*) and M "
           "(Hessian-Lipschitz estimate).")
