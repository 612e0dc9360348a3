"""The first chart before the settings, on a browser's first chart page.

Streamlit's browser code loads plotly.js (4.7 MB) and the code of each kind of widget
lazily, the first time a page needs them. On a 2-core machine without a GPU, the
widgets of the sidebar and of the page's settings are fetched and run before and
beside plotly.js and delay the first chart by about a second (benchmarks/app_speed.py
and the README). So the first time a browser session opens a chart page, that run is
*staged*: it draws the title and the first chart only (widgets are skipped, ``bind``
returns the setting's value) and a watcher that, once the chart is on screen, asks
for the next run, which draws the whole page. Later runs of the session draw
everything at once.

Only a browser is staged (a session with a User-Agent header): headless runs, such as
AppTest, get the whole page in one run.
"""

from __future__ import annotations

import streamlit as st

#: session key: this session's browser has drawn a chart (no more staged runs)
_DONE = "_ui_chart_drawn"
#: session key: whether the current run is staged (set by ``begin`` on every run)
_STAGED = "_ui_staged_run"

# The watcher: wait until a Plotly chart is drawn, let the browser paint it, then
# report; after 10 s report anyway, so the page is completed whatever happens.
_WATCHER_JS = """
export default function ({ setTriggerValue }) {
  const start = performance.now();
  let stopped = false;
  const drawn = () => [...document.querySelectorAll(".js-plotly-plot")].some(
    (el) => el._fullLayout && el.getBoundingClientRect().height > 0);
  const poll = () => {
    if (stopped) return;
    if (drawn() || performance.now() - start > 10000) {
      requestAnimationFrame(() => setTimeout(() => { if (!stopped) setTriggerValue("drawn", true); }, 0));
    } else {
      setTimeout(poll, 50);
    }
  };
  poll();
  return () => { stopped = true; };
}
"""
_watcher = st.components.v2.component("landscape_lab.first_chart_watcher", js=_WATCHER_JS)


def _browser() -> bool:
    """Whether a browser is on the other end (AppTest and other headless runs send
    no headers)."""
    try:
        return "user-agent" in {k.lower() for k in st.context.headers.keys()}
    except Exception:  # no script run context: not a browser session
        return False


def begin(*, chart_page: bool) -> bool:
    """Decide, at the start of a run, whether it is staged; return that. Staged:
    a chart page, in a browser session that has not drawn a chart yet."""
    staged = chart_page and not st.session_state.get(_DONE, False) and _browser()
    st.session_state[_STAGED] = staged
    return staged


def staged() -> bool:
    """Whether this run draws only the title and the first chart."""
    return bool(st.session_state.get(_STAGED, False))


def _chart_drawn() -> None:
    st.session_state[_DONE] = True


def end_first_view() -> None:
    """Call right after a page's first chart. In a staged run: add the watcher
    (invisible) and end the run here; the browser asks for the whole page once the
    chart is drawn. Otherwise nothing."""
    if staged():
        _watcher(key="ui.first_chart_watcher", on_drawn_change=_chart_drawn, height=0)
        st.stop()


def cancel() -> None:
    """A staged run that cannot show its chart (a message instead): draw the whole
    page now, so the settings that can fix it are there."""
    if staged():
        _chart_drawn()
        st.rerun()
