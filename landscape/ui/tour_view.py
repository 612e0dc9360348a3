"""The guided tour: the paper told in eight live steps, for a class and for a reader
alone. Each step is one idea: a short text (what to notice, a question for the class
and its answer), at most two controls, one or two charts, and a claim measured on
the numbers behind those charts.

Steps 1-7 run on their own small problems (a preset's settings, ``Step.settings``),
computed by the pages' own cached views: the sidebar's problem is the visitor's and
is left alone; step 8 turns to it. ``step`` and the tour's controls (``tour.*``) live
in the URL like every other setting: ``/Tour?step=5&tour.w=0.4``.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from . import presets, state
from .state import Field, register

#: the largest regularisation weight of step 5's slider (and of its sweep)
W_HIGH = 0.2


@dataclass(frozen=True)
class Step:
    """One step: its title (and a short ``tab`` name), the preset its problem and
    views start from, more settings on top, the tour controls it draws (at most two),
    its text, the question and its answer, and the page to explore it further."""

    title: str
    tab: str
    preset: str | None
    settings: dict
    controls: tuple[str, ...]
    notice: str
    question: str
    answer: str
    page: str


STEPS: tuple[Step, ...] = (
    Step("Softmax regression: the loss over a plane", "Softmax", "whole_landscape_2d",
         {}, ("tour.view",),
         "A has n rows; x has d = 2 numbers, so the map shows every x. "
         "**f = softmax(Ax)** turns the n scores z = Ax into probabilities "
         "(fᵢ = e^zᵢ / Σⱼ e^zⱼ), and the loss **L(x) = ½‖f − b‖²** measures how far they "
         "are from the target b. Notice the one basin: its bottom is the x that fits b "
         "(marked x_true).",
         "Far from the basin the level lines open up and run straight. Why does the loss "
         "stop changing there?",
         "Far out one score zᵢ dominates, so f is almost a corner of the simplex (one entry "
         "≈ 1, the rest ≈ 0) and stays there: L is almost constant. These flat plateaus are "
         "why gradient methods can stall far from the minimum.",
         "Landscape"),
    Step("The unified loss: add γz to the exponent", "Unified", "softmax_vs_unified",
         {"compare.morph": False}, ("tour.gamma",),
         "The paper's unified scheme (ResNet + softmax) replaces e^z by **u(z) = e^z + γz**: "
         "γ = 0 is softmax, γ = 1 the unified loss. Move γ and watch the map on the left "
         "change; the right map is the difference from softmax on the same plane.",
         "Near x = 0 both losses agree. Why?",
         "At x = 0 every zᵢ = 0, so u = 1 + 0 for every row and f = 1/n for any γ: the two "
         "losses are equal there. Far out γz matters, and where e^z + γz can be negative "
         "the normaliser can vanish (next step).",
         "Compare"),
    Step("Poles: where the normaliser vanishes", "Poles", "poles", {},
         ("tour.poles",),
         "The unified loss divides by the **normaliser α = ⟨e^z + γz, 1⟩**. With a "
         "non-negative A every zᵢ moves together, and e^t + t < 0 for t < −0.567, so α can "
         "reach 0: the loss blows up on both sides of that curve (the **pole set**). Beyond "
         "it α < 0 (**veiled**): f there is no probability vector.",
         "A minimiser found in the veiled region: is it a good model?",
         "No. With α < 0 the 'probabilities' f = u / α have the wrong signs; a stationary "
         "point there is an artefact of the formula (spurious). Optimisers in this lab "
         "refuse steps that cross the pole set.",
         "Landscape"),
    Step("The Hessian: a diagonal part plus rank two", "Hessian", "psd_needs_regularisation",
         {}, ("tour.point",),
         "The **Hessian** H (the matrix of second derivatives: the curvature) is "
         "**Aᵀ diag(D) A + U C Uᵀ**: a diagonal part plus a part of rank two. The rank-two "
         "part has one positive and one negative eigenvalue, so it can push one "
         "eigenvalue of H below the diagonal part's and lift one above: the eigenvalues "
         "**interlace**.",
         "If the diagonal part has k negative eigenvalues, how many can H have?",
         "Between k − 1 and k + 1: a rank-two term with one positive and one negative "
         "eigenvalue moves each eigenvalue at most one place along the sorted list.",
         "Hessian"),
    Step("PSD needs conditions: regularise", "PSD", "psd_needs_regularisation", {},
         ("tour.w",),
         "Without regularisation H can have negative eigenvalues (not **positive "
         "semidefinite**, PSD): the loss is not convex there. Adding ½‖w·Ax‖² adds w² AᵀA "
         "to H. Move w and watch the smallest eigenvalue λ_min(H) cross zero. The paper's "
         "condition w² ≥ 6(1 + ‖b‖∞) + l/σ_min(A)² guarantees PSD everywhere.",
         "The paper's level is much larger than where λ_min crosses zero here. Is the "
         "paper wrong?",
         "No: its condition is sufficient for every x at once, a worst case. At one point "
         "much less regularisation can be enough, as measured here; at other points more "
         "may be needed.",
         "Hessian"),
    Step("Newton against gradient descent", "Newton vs GD", "ill_conditioned",
         {"newton.methods": ["newton", "gd"]}, ("tour.cond",),
         "On an ill-conditioned A the loss is a long narrow valley. **Gradient descent** "
         "follows the steepest slope and zig-zags; its error shrinks by a fixed factor per "
         "step (**linear** convergence). **Newton's method** rescales by the Hessian: near "
         "the minimum the error squares each step (**quadratic**). The right chart has a "
         "log axis: a straight line is linear convergence, a plunge quadratic.",
         "Make A worse conditioned. Which method notices?",
         "Gradient descent: its rate per step gets closer to 1 as the condition number "
         "grows. Newton's steps undo the conditioning and it needs about the same handful.",
         "Newton"),
    Step("The approximate Newton method", "Approx. Newton", "exact_vs_approximate_newton",
         {}, ("tour.eps",),
         "Forming Aᵀ diag(D) A costs n·d² for n rows. The paper's method keeps a random "
         "sample of rows, each with a probability set by its **leverage score** (how much "
         "the row matters to the Hessian), and reweights them. Left: rows of A, the kept "
         "ones framed. Right: both methods' errors. Smaller ε keeps more rows.",
         "Why does the sampled method converge linearly, not quadratically?",
         "Its Hessian is off by a factor within 1 ± ε: each step removes most of the error, "
         "but leaves about a fraction ε of it (in the Hessian's norm), the same fraction "
         "every step.",
         "Newton"),
    Step("Your turn: your own problem", "Your turn", None, {}, (),
         "The sidebar holds **your** problem: choose n, d, A, b and w under 'Data and "
         "regularisation', or pick a preset. The map shows its loss through x = 0; every "
         "page of the lab works on it.",
         "What to try next?",
         "Set w to 'strongly convex' and check on the Hessian page that every eigenvalue "
         "is positive. Choose a non-negative A with γ = 1 and find the poles on the "
         "Landscape page. Raise n and compare exact and approximate Newton on the Newton "
         "page.",
         "Landscape"),
)

TABS = {i + 1: f"{i + 1} · {s.tab}" for i, s in enumerate(STEPS)}
#: what each tour control sets in its step's settings (name -> setting)
CONTROL_SETTINGS = {"tour.gamma": "compare.gamma_b", "tour.poles": "landscape.poles",
                    "tour.cond": "problem.cond", "tour.eps": "newton.eps"}
#: step 4's points: x = 0, or the preset's point far from the minimiser
POINTS = {"zero": ("zero", ""), "far": ("custom", "1.5")}

register(**{
    "step": Field(1, int, tuple(TABS), label="step", widget="radio", labels=TABS,
                  options=dict(horizontal=True, label_visibility="collapsed")),
    "tour.view": Field("contour", str, ("contour", "3-D"), label="picture", widget="radio",
                       options=dict(horizontal=True)),
    "tour.gamma": Field(1.0, float, low=0.0, high=1.0, label="γ (0: softmax, 1: unified)",
                        widget="slider", options=dict(step=0.05)),
    "tour.poles": Field(True, bool, label="outline the pole set (red)", widget="toggle"),
    "tour.point": Field("far", str, tuple(POINTS), label="point x", widget="radio",
                        labels={"zero": "x = 0", "far": "x = (1.5, …, 1.5)"},
                        options=dict(horizontal=True)),
    "tour.w": Field(0.0, float, low=0.0, high=W_HIGH, label="regularisation w",
                    widget="slider", options=dict(step=0.005, format="%.3f")),
    "tour.cond": Field(20.0, float, (5.0, 10.0, 20.0, 50.0), label="condition number of A",
                       widget="select_slider"),
    "tour.eps": Field(0.5, float, low=0.2, high=0.9, label="ε of approximate Newton",
                      widget="slider", options=dict(step=0.05)),
})


def values_of(number: int, tour: dict, own: dict) -> dict:
    """All settings of step ``number`` (name -> value): the defaults, its preset's, its
    own, then its controls' values from ``tour`` (the ``tour.*`` settings). The last
    step, which has no preset, is the visitor's ``own`` settings (the sidebar's)."""
    step = STEPS[number - 1]
    if step.preset is None:
        return dict(own)
    values = {name: f.default for name, f in state.FIELDS.items()}
    if step.preset:
        values.update(presets.settings_of(step.preset))
    values.update(step.settings)
    for name in step.controls:
        if name in CONTROL_SETTINGS:
            values[CONTROL_SETTINGS[name]] = tour[name]
    if "tour.point" in step.controls:
        values["hessian.point"], values["hessian.custom_point"] = POINTS[tour["tour.point"]]
    return values


def tour_settings() -> dict:
    """The tour's controls now (``tour.*`` name -> value)."""
    return {name: value for name, value in state.settings().items() if name.startswith("tour.")}


def current(number: int) -> dict:
    """All settings step ``number`` computes from now."""
    return values_of(number, tour_settings(), state.settings())


def _turn(delta: int) -> None:
    """Button callback: the previous or next step."""
    state.put("step", min(max(state.get("step") + delta, 1), len(STEPS)))


def navigation() -> None:
    """◀, the steps, ▶; the arrow keys ← and → press the buttons."""
    number = state.get("step")
    back, steps, forward = st.columns([2, 30, 2], vertical_alignment="center")
    back.button("◀", key="tour.previous", shortcut="Left", disabled=number == 1,
                on_click=_turn, args=(-1,), help="The previous step (←)")
    forward.button("▶", key="tour.next", shortcut="Right", disabled=number == len(STEPS),
                   on_click=_turn, args=(1,), help="The next step (→)")
    state.bind("step", steps)


def open_in_lab(number: int) -> None:
    """Make step ``number``'s settings the lab's own (as choosing its preset does, with
    the tour's controls on top), for its page to explore further."""
    values = current(number)
    values["preset"] = STEPS[number - 1].preset or ""
    state.settings().update({k: v for k, v in values.items() if not k.startswith("tour.")
                             and k != "step"})
    state.notes().clear()
    state.sync_url()


#: the page a step sends its reader to -> its file in pages/
PAGE_FILES = {"Landscape": "1_Landscape.py", "Hessian": "2_Hessian.py",
              "Newton": "3_Newton.py", "Compare": "4_Compare.py"}
