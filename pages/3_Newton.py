"""Newton lab: exact and approximate Newton against their peers on the current
problem: paths on the landscape, convergence, step-by-step playback, diagnostics."""

import streamlit as st

from landscape import ui
from landscape.ui import newton_view as nv

prob = ui.start("Newton")
st.title("Newton lab")
ui.formula(r"x_{t+1} = x_t - \widetilde H_t^{-1} \nabla L(x_t), \qquad "
           r"\widetilde H_t = A^\top \widetilde D_t A + U C U^\top")

methods, start = ui.get("newton.methods"), ui.get("newton.start")


def race_settings():
    ui.bind("newton.methods")  # a row of its own: every method's chip is read whole
    c1, c2, c3, c4 = st.columns(4)
    if ui.bind("newton.start", c1) == "custom":
        ui.bind("newton.custom_start", c1, label=f"x₀ ({prob.d} numbers, or one)")
    ui.bind("newton.tol", c2)
    ui.bind("newton.max_iter", c3)
    ui.bind("newton.eps", c4)
    ui.bind("newton.seed", c4)


ui.controls("Methods and settings", race_settings)
if not methods:
    ui.wait("Choose at least one method above.")
if start == "custom" and not ui.get("newton.custom_start").strip():
    ui.wait(f"Type the start x₀ above: {prob.d} numbers separated by commas, or one number "
            "for every coordinate.")
race_spec = ui.spec("newton.")
try:
    race = nv.race(ui.problem_spec(), race_spec)
except ValueError as err:
    ui.fail(f"The race cannot be run: {err}")

longest = max(run.n_iter for run in race.runs)
if ui.get("newton.step") > longest:  # a new race: show the whole paths
    ui.put("newton.step", longest)


def convergence():
    """The convergence chart in the page's display settings, built where it is drawn."""
    return nv.convergence_figure(race, against=ui.get("newton.against"),
                                 error=ui.get("newton.error"))


if ui.presenting():
    ui.present([("Paths", nv.paths_figure(race, step=ui.get("newton.step")),
                 "Each method's path on the plane of their principal components."),
                ("Convergence", convergence(), "Exact Newton: the error squares each step. "
                 "Approximate Newton: it shrinks linearly, by at most about ε per step.")])
    ui.stop()


timer = nv.PLAY_INTERVAL if nv.playing() else None


@st.fragment(run_every=timer)
def step_by_step():
    """The map and the table with the one step control that drives both (previous,
    play, next, slider, under the map); while playing, this part alone reruns every
    PLAY_INTERVAL seconds."""
    if nv.playing() != (timer is not None) or ui.spec("newton.") != race_spec:
        st.rerun()  # play/pause pressed, or a click on the map moved the start: the whole page
    nv.advance(longest)
    left, right = st.columns([1, 1])
    step = ui.get("newton.step")
    left.plotly_chart(nv.paths_figure(race, step=step), key="chart.newton.paths", width="stretch",
                      on_select=lambda: nv.start_from_click(
                          race, st.session_state["chart.newton.paths"].selection),
                      selection_mode="points")
    b1, b2, b3 = left.columns(3)  # under the map, like a player's controls
    b1.button("◀ previous", key="newton.previous", on_click=ui.nudge,
              args=("newton.step", -1, longest), width="stretch")
    b2.button("❚❚ pause" if nv.playing() else "▶ play", key="newton.play",
              on_click=nv.toggle_play, args=(longest,), width="stretch")
    b3.button("next ▶", key="newton.next", on_click=ui.nudge, args=("newton.step", 1, longest),
              width="stretch")
    ui.bind("newton.step", left, max_value=max(longest, 1))
    with right:
        ui.show_table(nv.step_rows(race, step))
    right.caption(f"Iteration {step}: each method's numbers (its last ones if it stopped "
                  "earlier). 'off plane', the distance from the drawn plane, says how "
                  "faithfully the picture shows the path. Click the map to start the race "
                  "from that point.")


step_by_step()
ui.show_controls()  # after the first chart (ui.controls)

against, error = st.columns([1, 1])  # the convergence chart's own display settings
ui.bind("newton.against", against)
ui.bind("newton.error", error)
conv = convergence()  # built after the map and the table have gone to the browser
st.plotly_chart(conv, key="chart.newton.convergence", width="stretch")
nv.export_buttons(race, nv.paths_figure(race, step=longest), conv, ui.problem_spec())
ui.show_table(nv.run_table(race))
st.caption(nv.run_messages(race))
st.caption(f"Start: {race.start_label}. x* from exact Newton run to the rounding floor. Exact "
           "Newton converges quadratically near x* (order about 2); the approximate method "
           "linearly, its rate in the Hessian norm at most about ε (the paper's bound). The "
           "paper's basin condition is M‖x₀ − x*‖ ≤ 0.1 l with the measured l (smallest "
           "eigenvalue at x*) and M (Hessian-Lipschitz estimate).")
ui.mathematics(8)
