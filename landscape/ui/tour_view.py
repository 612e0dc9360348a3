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

from . import builder, presets, state
from .state import Field, register

#: the largest regularisation weight of step 5's slider (and of its sweep)
W_HIGH = 0.08


@dataclass(frozen=True)
class Step:
    """One step: its title (and a short ``tab`` name), the preset its problem and
    views start from, more settings on top, the tour controls it draws (at most two),
    its text and the words it uses (a hover explanation), the question and its
    answer, the page to explore it further, and how many charts it draws."""

    title: str
    tab: str
    preset: str | None
    settings: dict
    controls: tuple[str, ...]
    notice: str
    words: str
    question: str
    answer: str
    page: str
    charts: int = 1  # how many charts it draws (the page's layout is made before them)


STEPS: tuple[Step, ...] = (
    Step("Softmax regression: the loss over a plane", "Softmax", "whole_landscape_2d",
         {}, ("tour.view",),
         "x has d = 2 numbers, so this plane is the whole space of x (a window of it). "
         "The model turns the n scores z = Ax into probabilities **f = softmax(z)** "
         "(fᵢ = e^zᵢ / Σⱼ e^zⱼ); the loss **L(x) = ½‖f − b‖²** says how far they are from "
         "the target b. Notice the one basin around x_true, the x that made b.",
         "**softmax**: turns any n numbers into n positive numbers that sum to 1. "
         "**level line**: where the loss has one value (a contour).",
         "Is this loss convex?",
         "Not on this map. The level lines of a convex function enclose convex regions "
         "(ovals, near x_true); farther out they bend into ridges and shallow plateaus. "
         "So softmax regression is not convex in general, and the paper needs conditions "
         "for it to be (step 5).",
         "Landscape"),
    Step("The unified loss: eᶻ + γz in place of eᶻ", "Unified", "softmax_vs_unified",
         {"compare.morph": False}, ("tour.gamma",),
         "The unified scheme (ResNet + softmax) uses **u(z) = e^z + γz** in place of e^z: "
         "γ = 0 is softmax, γ = 1 the unified loss. Move γ: the left map is the loss at "
         "that γ, the right one its difference from softmax on the same plane. A red "
         "line, where one appears (γ ≥ 0.35 here), is the **pole set**; the shaded side "
         "beyond it is explained next.",
         "**ResNet**: a network whose layers add their input back (x + F(x)): the γz. "
         "**γ**: how much of that residual term is added. **pole set**: where the loss "
         "divides by zero and blows up (none at γ = 0).",
         "At x = 0 both losses are equal. Why?",
         "At x = 0 every zᵢ = 0, so u = e⁰ + γ·0 = 1 for every row and f = 1/n for any γ. "
         "Near 0 they differ only a little (the difference grows with ‖x‖); far out γz "
         "matters, and where e^z + γz can be negative the normaliser can vanish (next "
         "step).",
         "Compare", charts=2),
    Step("Poles: where the normaliser vanishes", "Poles", "poles", {},
         ("tour.poles",),
         "The unified loss divides by the **normaliser α = ⟨e^z + γz, 1⟩**. With a "
         "non-negative A all zᵢ move together, and e^t + t < 0 for t < −0.567: α reaches 0 "
         "on a curve, the **pole set**, where the loss blows up on both sides. Beyond it "
         "α < 0: the **veiled** region.",
         "**normaliser**: the sum that makes the entries of f add up to 1. **pole**: "
         "where a function is divided by zero and blows up.",
         "A minimiser found in the veiled region: is it a good model?",
         "No. With α < 0 the 'probabilities' f = u / α have the wrong signs; a stationary "
         "point there is an artefact of the formula (spurious). Optimisers in this lab "
         "refuse steps that cross the pole set.",
         "Landscape"),
    Step("The Hessian: a diagonal part plus rank two", "Hessian", "psd_needs_regularisation",
         {}, ("tour.point",),
         "The **Hessian** H is **Aᵀ diag(D) A** (A's rows weighted by numbers Dᵢ: the "
         "'diagonal part') plus a **rank-two** part with one positive and one negative "
         "eigenvalue. So each sorted eigenvalue of H stays between the diagonal part's "
         "neighbours: they **interlace**.",
         "**Hessian**: the matrix of second derivatives, the curvature of L. "
         "**eigenvalue**: the curvature along one of its axes; negative means the loss "
         "bends down. **rank two**: the matrix acts on two directions only.",
         "The diagonal part has k negative eigenvalues. How many can H have?",
         "Between k − 1 and k + 1: a rank-two term with one positive and one negative "
         "eigenvalue moves each eigenvalue at most one place along the sorted list.",
         "Hessian"),
    Step("PSD needs conditions: regularise", "PSD", "psd_needs_regularisation", {},
         ("tour.w",),
         "Without regularisation H can have negative eigenvalues (it is not **PSD**): the "
         "loss is not convex there. The term ½‖w Ax‖² adds w² AᵀA to H. Move w and watch "
         "λ_min(H) cross zero. The paper's condition w² ≥ 6(1 + ‖b‖∞) makes H PSD at every "
         "x; adding l/σ_min(A)² makes H ⪰ l·I (shown for l = 1).",
         "**PSD** (positive semidefinite): no eigenvalue below 0, so the loss curves up "
         "(or is flat) in every direction. **σ_min(A)**: A's smallest singular value.",
         "The paper's level is much larger than where λ_min crosses zero here. Is the "
         "paper wrong?",
         "No: its condition is sufficient for every x at once, a worst case. At one point "
         "much less regularisation can be enough, as measured here; at other points more "
         "may be needed.",
         "Hessian"),
    Step("Newton against gradient descent", "Newton vs GD", "ill_conditioned",
         {"newton.methods": ["newton", "gd"]}, ("tour.cond",),
         "On an ill-conditioned A the loss is a narrow valley. **Gradient descent** follows "
         "the slope and zig-zags: its error shrinks by a fixed factor per step "
         "(**linear**). **Exact Newton** rescales by the Hessian: near the minimum the "
         "error squares each step (**quadratic**). Right: the errors on a log axis.",
         "**condition number**: how much longer than wide the valley is (the ratio of "
         "A's largest to smallest singular value). **order**: p in e_{k+1} ≈ C e_kᵖ; "
         "1 is linear, 2 quadratic.",
         "Make A worse conditioned. Which method notices?",
         "Gradient descent: its factor per step gets closer to 1 as the condition number "
         "grows. Exact Newton's steps undo the conditioning and it needs about the same "
         "handful.",
         "Newton", charts=2),
    Step("The approximate Newton method", "Approx. Newton", "exact_vs_approximate_newton",
         {}, ("tour.eps",),
         "Forming Aᵀ diag(D) A costs n·d². The paper's method keeps rows at random, each "
         "with a probability set by its **leverage score**, and reweights them. Left: rows "
         "of A, those its first step kept framed. Right: both methods' errors. A smaller "
         "ε keeps more rows.",
         "**leverage score**: how much a row matters to AᵀDA (they sum to d). **ε**: "
         "the sampled part AᵀDA is within a factor 1 ± ε of the exact one (with high "
         "probability). **cost**: a sampled step is cheaper than an exact one only when "
         "n·d² is large (0.7 of it at n = 2×10⁵, d = 50); at this size the exact step is "
         "the cheaper one (the times measured here are under the charts).",
         "Why does approximate Newton converge linearly, not quadratically?",
         "Only the sampled part of its Hessian is off, by a factor within 1 ± ε: each step "
         "leaves up to about a fraction ε of the error (in the Hessian's norm), every step "
         "alike. Exact Newton leaves a fraction that shrinks with the error itself.",
         "Newton", charts=2),
    Step("Your turn: your own problem", "Your turn", None, {}, (),
         "The sidebar holds **your** problem: choose n, d, A, b and w under 'Data and "
         "regularisation', or pick a preset. The map is its loss on the Landscape page's "
         "plane, and every page of the lab works on it.",
         "**preset**: a ready problem with the pages' settings that show one fact.",
         "What to try next?",
         "On a softmax problem (γ = 0), set w to 'strongly convex' and check on the "
         "Hessian page that every eigenvalue is positive. Choose a non-negative A with "
         "γ = 1 and find the poles on the Landscape page. Raise n and compare exact and "
         "approximate Newton on the Newton page.",
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
                    widget="slider", options=dict(step=0.002, format="%.3f")),
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
    values = presets.values_of(step.preset)
    values.update(step.settings)
    for name in step.controls:
        if name in CONTROL_SETTINGS:
            values[CONTROL_SETTINGS[name]] = tour[name]
    if "tour.point" in step.controls:
        values["hessian.point"], values["hessian.custom_point"] = POINTS[tour["tour.point"]]
    return values


def lab_settings(number: int, tour: dict) -> dict:
    """The lab's settings standing for step ``number``'s controls that the tour uses
    only to draw (step 1's view) or to sweep (step 5's w)."""
    out = {}
    controls = STEPS[number - 1].controls
    if "tour.view" in controls:
        out["landscape.view"] = tour["tour.view"]
    if "tour.w" in controls:
        w = tour["tour.w"]
        out["problem.w"] = "constant" if w > 0 else "none"
        if w > 0:
            out["problem.w_value"] = w
    return out


def on_sidebar_problem() -> bool:
    """Whether the current step works on the sidebar's problem (the last one does)."""
    return STEPS[state.get("step") - 1].preset is None


def problem_line(number: int) -> str:
    """What step ``number`` computes on, in one line (the builder's words)."""
    if STEPS[number - 1].preset is None:
        return "This step works on your problem, the sidebar's."
    spec = state.spec_of(current(number), "problem.")
    return (f"This step's own problem: {builder.problem_line(spec)}. The sidebar's problem "
            "is yours; step 8 turns to it.")


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
    """◀, the steps (on a projector: the step's title), ▶; the arrow keys ← and → press
    the buttons."""
    number = state.get("step")
    back, middle, forward = st.columns([2, 30, 2], vertical_alignment="center")
    back.button("◀", key="tour.previous", shortcut="Left", disabled=number == 1,
                on_click=_turn, args=(-1,), help="The previous step (←)")
    forward.button("▶", key="tour.next", shortcut="Right", disabled=number == len(STEPS),
                   on_click=_turn, args=(1,), help="The next step (→)")
    if state.get("present"):
        middle.subheader(f"{number} / {len(STEPS)} · {STEPS[number - 1].title}")
    else:
        state.bind("step", middle)


def open_in_lab(number: int) -> None:
    """Make step ``number``'s settings the lab's own (as choosing its preset does, with
    the tour's controls on top), for its page to explore further."""
    values = {**current(number), **lab_settings(number, tour_settings())}
    values["preset"] = STEPS[number - 1].preset or ""
    state.settings().update({k: v for k, v in values.items()
                             if k == "preset" or not state.navigational(k)})
    state.notes().clear()
    state.sync_url()


#: the page a step sends its reader to -> its file in pages/
PAGE_FILES = {"Landscape": "1_Landscape.py", "Hessian": "2_Hessian.py",
              "Newton": "3_Newton.py", "Compare": "4_Compare.py"}
