"""What every page shares: the navigation and the sidebar (drawn by app.py before the
page, so they are the same widgets on every page), a page's start, its settings
panel, presentation mode, messages, the problem summary and tables."""

from __future__ import annotations

import math
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

import landscape as ls
from landscape.deadline import TimeLimitExceeded, time_limit, watch
from landscape.figures.style import number_text

# every page's settings are registered before a URL is read
from . import (  # noqa: F401
    builder,
    claims,
    compare_view,
    datasets,
    hessian_view,
    landscape_view,
    newton_view,
    presets,
    state,
    tour_view,
)
from .markdown import literal

PAGE_DIR = Path(__file__).resolve().parents[2] / "pages"
#: set by ``run_app`` just before it runs the page, taken by the page's ``start``
_ENTRY = "_ui_entry_ran"

#: every page: a number in a table stays on one line ("2.743e-18", not "2.743e-" / "18")
_CSS = """<style>
[data-testid="stTable"] :is(td, th) p {white-space: nowrap !important;}
</style>"""
#: presentation mode: large text, a compact top of the page (no page title: the slide
#: names say what is shown), and a chart as tall as the
#: screen allows, so that the chart and its explanation fit above the fold of a
#: 1280 x 720 projector and fill a 1920 x 1080 one
_CHART_TOP = 720 - 380  # the chart's height: 380 px on a 1280 x 720 projector
_PRESENTATION_CSS = f"""<style>
html, body, [data-testid="stMarkdownContainer"] p,
[data-testid="stCaptionContainer"] {{font-size: 1.3rem;}}
h1 {{display: none;}}
[data-testid="stMainBlockContainer"] {{padding-top: 3.2rem !important;}}
[data-testid="stMain"] [data-testid="stVerticalBlock"] {{gap: 0.45rem;}}
[data-testid="stExpander"] summary {{padding-top: 0.3rem; padding-bottom: 0.3rem;}}
.st-key-tour-text p, .st-key-tour-question p {{font-size: 19px;}}
.st-key-tour-claim [data-testid="stCaptionContainer"] {{font-size: 17px;}}
.st-key-present-chart, .st-key-present-map {{
  height: max(calc(100vh - {_CHART_TOP}px), 300px) !important; flex: 0 0 auto !important;}}
.st-key-present-map {{
  width: min(100%, calc(max(100vh - {_CHART_TOP}px, 300px) - 30px + var(--band))) !important;
  align-self: center;}}
</style>"""
# (more on a larger screen); a square map's box is as wide as the map plus a band for
# its legend and colour bar (``--band``, set per slide), and centred


def pages() -> list:
    """The pages in pages/, in file order (``0_Home.py`` first, the default page);
    a page's title and URL path come from its file name after the number."""
    out = []
    for i, path in enumerate(sorted(PAGE_DIR.glob("*.py"))):
        name = path.stem.split("_", 1)[-1]
        out.append(st.Page(path, title=name.replace("_", " "), url_path=name, default=i == 0))
    return out


def run_app() -> None:
    """The entrypoint (app.py): read the settings from the URL on a session's first
    run, draw the navigation and the sidebar, write the URL, run the chosen page."""
    page = st.navigation(pages())
    state.load()
    st.set_page_config(page_title=f"{page.title} · Loss-landscape lab", layout="wide",
                       initial_sidebar_state="collapsed" if presenting() else "auto")
    st.markdown(_CSS + (_PRESENTATION_CSS if presenting() else ""), unsafe_allow_html=True)
    state.sync_url()  # every run: the address bar is a link to what is on screen
    notes = st.container()  # above the page; filled once the page has drawn its widgets
    st.session_state[_PANELS] = []
    st.session_state.pop(_CLAIM, None)
    st.session_state[_ENTRY] = True  # the page's ``start`` sees that app.py runs it
    try:
        with _watched(page.title):
            page.run()
    except PageEnd:  # the page said why it stops (``stop``, ``fail``, ``wait``)
        pass
    except TimeLimitExceeded as err:  # wherever the page was: say so, keep the settings
        st.error(literal(str(err)))
    except Exception:  # a bug: the settings stay usable under the traceback
        _finish(notes)
        raise
    _finish(notes)


#: pages that use the sidebar's problem only at times (the tour's last step): page
#: title -> whether it does now
SOMETIMES_ON_SIDEBAR_PROBLEM = {"Tour": tour_view.on_sidebar_problem}


@contextmanager
def _watched(title: str):
    """The page's time limit; on a confirmed large data set that the page computes on,
    a longer one, a progress bar and a Cancel button. A click on Cancel makes Streamlit
    stop this run at its next call (the bar's next draw, within one unit of work); the
    next run then asks for the confirmation again."""
    on_sidebar = SOMETIMES_ON_SIDEBAR_PROBLEM.get(title, lambda: True)()
    if not (on_sidebar and builder.confirmed_large(builder.problem_spec())):
        with time_limit(builder.COMPUTE_SECONDS):
            yield
        return
    slot = st.empty()
    box = slot.container()
    if box.button("Cancel the computation", key="cancel"):
        state.put("problem.allow_large", False)
        slot.empty()
        st.info("Stopped by Cancel: nothing more is computed until you confirm again.")
        yield
        return
    try:
        with time_limit(datasets.LARGE_COMPUTE_SECONDS), watch(datasets.Progress(box.empty())):
            yield
    finally:
        slot.empty()  # ended: no Cancel button beside the results or the message


def _show_claim() -> None:
    """Under the preset's explanation: its claim measured on this preset's numbers."""
    box, name = st.session_state.pop(_CLAIM, (None, None))
    if box is None or name not in claims.MEASUREMENTS:
        return
    claim = claims.measure(name, presets.values_of(name))
    box.caption(("**Measured here:** " if claim.holds else "**Measured here (the claim does not "
                 "hold on these numbers):** ") + claim.text)


def _finish(notes) -> None:
    """After the page: the notes on the settings (a link's ignored values, values the
    page's widgets clamped) and the sidebar. The sidebar comes after the page because
    the page reads the settings, not the widgets; its first chart then reaches the
    browser before the widgets' code, which competes with plotly.js on a small machine."""
    show_controls()  # a page that stopped before its first chart
    _show_claim()
    for message in state.notes():
        notes.warning(literal(message))
    builder.sidebar()
    builder.sidebar_summary()
    state.settle()


class PageEnd(Exception):
    """Raised by ``stop``: the page has drawn what it can; app.py draws the sidebar."""


def stop() -> None:
    """End the page here (like ``st.stop``, but the sidebar is still drawn)."""
    raise PageEnd


def start(title: str, *, needs_problem=True) -> ls.Problem | None:
    """Start a page: the preset's explanation, and the current problem. When there is
    none (bad settings, a size to confirm), the page stops after the message that says
    why; the sidebar is already drawn, so the settings that fix it are on screen.
    A page that does not use the sidebar's problem (``needs_problem`` False, or a
    function of the settings saying so, asked once they are read from the URL: the
    tour's steps with problems of their own) gets None, and neither the preset's text
    nor a message about the sidebar's settings. A page reads no setting before
    ``start``: on a session's first run that would fix the defaults before the URL is
    read.

    Streamlit runs a file in pages/ directly, without app.py, while no session of
    the server has called ``st.navigation`` yet (its pages/ folder convention: the
    first visit after a start, and every AppTest run). Then this page runs the
    entrypoint itself, which draws the sidebar and runs this page again, and stops."""
    if not st.session_state.pop(_ENTRY, False):
        run_app()
        st.stop()
    if not (needs_problem() if callable(needs_problem) else needs_problem):
        return None
    chosen = presets.presets().get(state.get("preset"))
    if chosen is not None:
        # the settings changed since the preset was chosen: its text may no longer hold
        changed = sorted(state.FIELDS[n].label or n for n in state.url_params()
                         if not state.navigational(n) and n not in state.DISPLAY_ONLY)
        text = chosen.explanation + (
            f" *(Changed since the preset: {', '.join(changed)}; this text describes the "
            "preset's own settings.)*" if changed else "")
        box = st.expander(f"Preset: {chosen.title}") if presenting() else st.container()
        box.info(text if presenting() else f"**Preset: {chosen.title}.** {text}")
        if not changed:  # measured after the page has drawn (``_finish``)
            st.session_state[_CLAIM] = (box, chosen.name)
    prob = builder.current_problem(title)
    if prob is None:
        stop()
    return prob


def presenting() -> bool:
    """Whether the presentation (projector) mode is on."""
    return bool(state.get("present"))


_PANELS = "_ui_panels"
#: (the preset's box, its name) while its measured claim is still to be shown
_CLAIM = "_ui_claim"


def controls(label: str, draw) -> None:
    """The page's settings panel (open normally, folded when presenting) at this place
    on the page; ``draw()`` fills it with the widgets after the page's first chart
    (``show_controls``), or before the page stops. The page computes from the settings,
    not from the widgets, so its first chart reaches the browser before the widgets'
    lazily loaded code, which competes with plotly.js on a small machine."""
    box = st.expander(label, expanded=not presenting())
    st.session_state.setdefault(_PANELS, []).append((box, draw))


def show_controls() -> None:
    """Fill the settings panels still empty (call right after the first chart)."""
    panels = st.session_state.get(_PANELS, [])
    while panels:
        box, draw = panels.pop(0)
        with box:
            draw()


def fail(message: str) -> None:
    """Show why the page cannot be drawn, and stop (the settings stay on screen). The
    message may quote what the user typed: it is shown as literal text."""
    st.error(literal(message))
    stop()


def wait(message: str) -> None:
    """A legal setting that needs more input (an empty custom vector): say what to
    enter, and stop the page without an error."""
    st.info(message)
    stop()


_SLIDE = "present.slide"


def present(slides: list[tuple[str, object, str]]) -> None:
    """Presentation mode: one chart at a time, large, with its explanation.
    ``slides`` are (title, figure, explanation); the arrow keys ← and → (or the
    buttons beside the chart names) turn to the previous and next chart."""
    titles = [title for title, _, _ in slides]
    if st.session_state.get(_SLIDE) not in titles:
        st.session_state[_SLIDE] = titles[0]
    at = titles.index(st.session_state[_SLIDE])
    back, names, forward = st.columns([3, 20, 3], vertical_alignment="center")
    back.button("◀", key="present.previous", shortcut="Left", disabled=at == 0,
                on_click=_turn, args=(titles, -1), help="The previous chart")
    forward.button("▶", key="present.next", shortcut="Right", disabled=at == len(titles) - 1,
                   on_click=_turn, args=(titles, 1), help="The next chart")
    chosen = names.radio("chart", titles, horizontal=True, key=_SLIDE,
                         label_visibility="collapsed")
    title, fig, explanation = slides[titles.index(chosen)]
    # the slide's name is its title, and the legend must not take the plot's height: a
    # square map is narrower than the screen, so it is drawn at the left and its legend
    # stands in the empty band on its right; other charts get one row above the plot
    square = fig.layout.yaxis.scaleanchor == "x"
    fig.update_layout(font=dict(size=18), height=None, autosize=True, title=None,
                      margin=dict(t=40, b=50, l=60, r=20),
                      legend=dict(orientation="v", x=1, y=1, xanchor="right", yanchor="top",
                                  font_size=16) if square else
                      dict(orientation="h", x=0, y=1.0, xanchor="left", yanchor="bottom"))
    if square:
        fig.update_xaxes(constraintoward="left")
    fig.update_xaxes(tickfont_size=16)
    fig.update_yaxes(tickfont_size=16)
    # the chart's box is as tall as the screen allows (the CSS above): 380 px at 720
    if square:
        st.html(f"<style>.st-key-present-map {{--band: {_legend_band(fig)}px;}}</style>")
    with st.container(key="present-map" if square else "present-chart"):
        st.plotly_chart(fig, key=f"chart.present.{titles.index(chosen)}", width="stretch",
                        height="stretch")
    st.container(key="present-explanation").markdown(explanation)


def _legend_band(fig) -> int:
    """Pixels right of a square map for its legend (16 px text) and its colour bar
    (18 px title), estimated from the longest texts: the map's box is no wider."""
    names = [t.name or "" for t in fig.data if t.showlegend is not False and t.name]
    legend = 40 + 7.5 * max(map(len, names)) if names and fig.layout.showlegend is not False else 0
    bars = [t.colorbar.title.text or "" for t in fig.data
            if hasattr(t, "colorbar") and t.showscale is not False]
    lines = [line for title in bars for line in title.replace("<br>", "\n").split("\n")]
    colour_bar = 40 + 7 * max(map(len, lines), default=0) if bars else 0
    return int(legend + colour_bar + 40)


def _turn(titles: list[str], delta: int) -> None:
    """Button callback: show the chart ``delta`` places along ``titles``."""
    at = titles.index(st.session_state.get(_SLIDE, titles[0])) + delta
    st.session_state[_SLIDE] = titles[min(max(at, 0), len(titles) - 1)]


MATH_FILE = PAGE_DIR.parent / "docs" / "MATH.md"


@st.cache_data(show_spinner=False)
def math_section(number: int) -> tuple[str, str]:
    """(title, text) of section ``number`` of docs/MATH.md (its "## N. Title" heading)."""
    parts = MATH_FILE.read_text(encoding="utf-8").split("\n## ")
    for part in parts[1:]:
        heading, _, body = part.partition("\n")
        if heading.startswith(f"{number}. "):
            return heading, body.strip()
    raise ValueError(f"docs/MATH.md has no section {number}.")


def mathematics(number: int) -> None:
    """The page's mathematics, folded: section ``number`` of docs/MATH.md (the project's
    own text, checked against finite differences), so "MATH.md 7" is one click away."""
    if presenting():
        return
    title, text = math_section(number)
    box = st.expander(f"The mathematics: MATH.md {title}", key=f"mathematics.{number}",
                      on_change="rerun")
    if box.open:  # drawn when opened: its code blocks load a 1.5 MB highlighter (~0.2 s)
        box.markdown(text)


def formula(latex: str) -> None:
    """The page's formula at this place, typeset once the first chart is drawn (KaTeX
    is loaded lazily by the browser and would hold the chart back); left out in
    presentation mode, where the chart needs the room."""
    if not presenting():
        box = st.empty()
        st.session_state.setdefault(_PANELS, []).append((box, lambda: st.latex(latex)))


@st.cache_data(show_spinner=False, max_entries=64)
def summary(problem_spec: tuple) -> ls.ProblemSummary:
    """Summary at x = 0 of the problem of these settings."""
    return ls.summarize(builder.problem_from_spec(problem_spec))


def show_summary(summary: ls.ProblemSummary) -> None:
    """The summary as a row of metrics, with the normaliser's state spelled out."""
    cols = st.columns(6)
    cols[0].metric("n (rows of A)", f"{summary.n:,}")  # 50,000 as in the texts
    cols[1].metric("d (unknowns)", f"{summary.d:,}")
    cols[2].metric("loss kind", builder.loss_name(summary.gamma), help=f"γ = {summary.gamma:g}")
    cols[3].metric("L(0)", number(summary.loss))
    cols[4].metric("smallest eigenvalue of H(0)", number(summary.eig_min, "undefined (pole)"))
    cols[5].metric("largest eigenvalue of H(0)", number(summary.eig_max, "undefined (pole)"))
    state_word = ("positive" if summary.alpha_sign > 0 else
                  "negative" if summary.alpha_sign < 0 else "zero")
    st.caption(f"At x = 0 the normaliser α = ⟨u, 1⟩ is {state_word} "
               f"(log|α| = {number(summary.log_abs_alpha)}; α = n for every kind); "
               f"regularisation {'on' if summary.regularised else 'off'}. "
               + _curvature_note(summary))


def _curvature_note(summary: ls.ProblemSummary) -> str:
    """Say whether H(0) is positive definite for this problem, rather than assume it."""
    if math.isnan(summary.eig_min):
        return "The Hessian does not exist at a pole."
    if summary.eig_min > 0:
        return "H(0) is positive definite here: the loss is locally strictly convex at 0."
    return ("H(0) has a negative eigenvalue here: the loss is not convex at 0 "
            "(PSD needs enough regularisation, MATH.md 4).")


def show_table(rows: list[dict]) -> None:
    """A small table of records as static HTML (numbers to 4 significant digits; no
    interactive grid, which costs a second of loading in the browser)."""
    st.table([{k: _cell(v) for k, v in row.items()} for row in rows])


def _cell(value) -> str:
    """A table cell's text: floats to 4 significant digits, integers as integers (a
    column mixing them with empty cells must not turn 200 into 200.0000), and "–" for
    a number that does not exist (None, NaN)."""
    if value is None or isinstance(value, float) and math.isnan(value):
        return "–"
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def nudge(name: str, delta: int, high: int) -> None:
    """Button callback: move an integer setting by ``delta`` within [0, high]."""
    state.put(name, min(max(state.get(name) + delta, 0), high))


def number(value: float, missing: str = "not computed", digits: int = 4) -> str:
    """A number in the page's text: ``digits`` significant digits in the charts'
    exponent style (1.19×10⁻⁵, never 1.19e-05), or ``missing`` for NaN."""
    return missing if math.isnan(value) else number_text(value, digits)
