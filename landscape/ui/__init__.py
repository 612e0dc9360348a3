"""Streamlit glue: page set-up, the shared problem builder, settings kept across pages
and in the URL, cached computations keyed on small specs. With app.py and pages/, the
only place that imports streamlit."""

from __future__ import annotations

import math

import streamlit as st

import landscape as ls
from landscape.figures import compare as compare_figures
from landscape.figures import optimize as optimize_figures
from landscape.figures import spectrum as spectrum_figures
from landscape.figures import surface as surface_figures

from landscape import export

from . import (compare_view, exports, hessian_view, landscape_view, newton_view, presets, staging,
               state)
from .builder import current_problem, problem_from_spec, problem_spec, sidebar, sidebar_summary
from .staging import end_first_view, staged
from .state import bind, get, put, spec

__all__ = ["bind", "end_first_view", "fail", "staged", "staging", "show_table", "number", "nudge", "presenting", "present", "controls", "export", "exports", "current_problem", "get", "landscape_view", "page_setup", "problem_spec",
           "put", "show_summary", "sidebar", "spec", "start", "state", "summary",
           "surface_figures", "spectrum_figures", "optimize_figures", "hessian_view",
           "newton_view", "compare_view", "compare_figures", "KIND_LABELS"]

KIND_LABELS = {"softmax": "Softmax regression", "unified": "Unified ResNet + softmax"}


_PRESENTATION_CSS = """<style>
html, body, [data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] {font-size: 1.3rem;}
h1 {font-size: 3.2rem !important;}
</style>"""


def page_setup(title: str) -> None:
    """Common page configuration; call first on every page. In presentation mode
    the sidebar starts folded and the fonts are larger."""
    st.set_page_config(page_title=f"{title} · Loss-landscape lab", layout="wide",
                       initial_sidebar_state="collapsed" if presenting() else "auto")
    if presenting():
        st.markdown(_PRESENTATION_CSS, unsafe_allow_html=True)


def presenting() -> bool:
    """Whether the presentation (projector) mode is on."""
    return bool(get("present"))


def controls(label: str):
    """The container for a page's settings: open normally, folded away when presenting;
    in a staged run (see ``staging``) an empty placeholder, the widgets come next run."""
    if staged():
        return st.container()
    return st.expander(label, expanded=not presenting())


def fail(message: str) -> None:
    """Show why the page cannot be drawn and stop; in a staged run, draw the whole
    page at once instead, so the settings that can fix it are on screen."""
    staging.cancel()
    st.error(message)
    st.stop()


def present(slides: list[tuple[str, object, str]]) -> None:
    """Presentation mode: one chart at a time, large, with its explanation.
    ``slides`` are (title, figure, explanation)."""
    titles = [title for title, _, _ in slides]
    chosen = st.radio("chart", titles, horizontal=True, key="present.slide",
                      label_visibility="collapsed")
    title, fig, explanation = slides[titles.index(chosen)]
    fig.update_layout(font=dict(size=18), height=640)
    st.plotly_chart(fig, key=f"chart.present.{titles.index(chosen)}", width="stretch")
    st.markdown(explanation)


def start(title: str, *, chart_page: bool = True) -> ls.Problem:
    """Set up a page: configuration, the sidebar's problem builder, and the current
    problem; when there is none (bad settings, a size to confirm) the page stops
    after the message that says why. A chart page's run may be staged (see
    ``staging``): then the sidebar comes in the next run, after the first chart."""
    page_setup(title)
    staging.begin(chart_page=False)  # nothing is skipped while the problem is checked
    preset = get("preset")
    if preset in presets.presets():
        chosen = presets.presets()[preset]
        st.info(f"**Preset: {chosen.title}.** {chosen.explanation}")
    prob = current_problem()
    if prob is not None and staging.begin(chart_page=chart_page and not presenting()):
        return prob
    sidebar()
    if prob is None:
        st.stop()
    sidebar_summary(prob)
    return prob


@st.cache_data(show_spinner=False, max_entries=64)
def summary(problem_spec: tuple) -> ls.ProblemSummary:
    """Summary at x = 0 of the problem of these settings."""
    return ls.summarize(problem_from_spec(problem_spec))


def show_summary(summary: ls.ProblemSummary) -> None:
    """The summary as a row of metrics, with the normaliser's state spelled out."""
    cols = st.columns(6)
    cols[0].metric("n (rows of A)", f"{summary.n}")
    cols[1].metric("d (unknowns)", f"{summary.d}")
    cols[2].metric("loss kind", summary.kind, help=f"gamma = {summary.gamma:g}")
    cols[3].metric("L(0)", f"{summary.loss:.6g}")
    cols[4].metric("smallest eigenvalue of H(0)", number(summary.eig_min, "undefined (pole)"))
    cols[5].metric("largest eigenvalue of H(0)", number(summary.eig_max, "undefined (pole)"))
    state_word = ("positive" if summary.alpha_sign > 0 else
                  "negative" if summary.alpha_sign < 0 else "zero")
    st.caption(f"At x = 0 the normaliser alpha = <u, 1> is {state_word} "
               f"(log|alpha| = {summary.log_abs_alpha:.4g}, alpha = n for every kind); "
               f"regularisation {'on' if summary.regularised else 'off'}. "
               + _curvature_note(summary))


def show_table(rows: list[dict]) -> None:
    """A small table of records as static HTML (numbers to 4 significant digits; no
    interactive grid, which costs a second of loading in the browser)."""
    st.table([{k: (f"{v:.4g}" if isinstance(v, float) else v) for k, v in row.items()}
              for row in rows])


def _curvature_note(summary: ls.ProblemSummary) -> str:
    """Say whether H(0) is positive definite for this problem, rather than assume it."""
    if math.isnan(summary.eig_min):
        return "The Hessian does not exist at a pole."
    if summary.eig_min > 0:
        return "H(0) is positive definite here: the loss is locally strictly convex at 0."
    return ("H(0) has a negative eigenvalue here: the loss is not convex at 0 "
            "(PSD needs enough regularisation, MATH.md 4).")


def nudge(name: str, delta: int, high: int) -> None:
    """Button callback: move an integer setting by ``delta`` within [0, high]."""
    put(name, min(max(get(name) + delta, 0), high))


def number(value: float, missing: str = "not computed") -> str:
    """A metric's text: 4 significant digits, or ``missing`` for NaN."""
    return missing if math.isnan(value) else f"{value:.4g}"
