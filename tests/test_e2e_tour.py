"""The guided tour in a real browser (issue 16): every step at 1280 x 720 in presentation
mode draws its charts with its text and controls above the fold; the arrow keys move
between steps and the URL follows; a step's link opened in a fresh browser shows the
same step and control values. Screenshots: artifacts/screenshots/tour-N.png."""

import re

import browser_support as bs
import pytest
from browser_support import SHOTS, requires_chromium

from landscape.ui import tour_view as tv

pytestmark = [pytest.mark.e2e, requires_chromium]

PROJECTOR = {"width": 1280, "height": 720}
#: this many Plotly charts are on the page and drawn (the step's, not the last step's)
DRAWN = """(n) => { const charts = [...document.querySelectorAll('.js-plotly-plot')];
  return charts.length === n && charts.every((el) => el._fullLayout); }"""
MAIN_CAPTIONS = '[data-testid="stMain"] [data-testid="stCaptionContainer"]'


def open_tab(browser, url: str, viewport=PROJECTOR):
    context = browser.new_context(viewport=viewport)
    context.add_init_script(bs.PROBE)
    tab = context.new_page()
    tab.goto(url, wait_until="domcontentloaded")
    bs.settle(tab)
    tab.wait_for_selector(".js-plotly-plot", timeout=60_000)
    bs.plotly_drawn(tab)
    return context, tab


def bottom(tab, selector: str) -> float:
    """The lowest pixel of the elements matching ``selector`` (0 if none)."""
    return tab.evaluate("(s) => Math.max(0, ...[...document.querySelectorAll(s)].map("
                        "(el) => el.getBoundingClientRect().bottom))", selector)


def step_in_url(tab) -> int:
    found = re.search(r"[?&]step=(\d+)", tab.url)
    return int(found.group(1)) if found else 1


def test_every_step_fits_a_projector_and_the_arrow_keys_walk_the_tour(server, browser):
    context, tab = open_tab(browser, f"{server}/Tour?present=true")
    try:
        for number in range(1, len(tv.STEPS) + 1):
            tab.wait_for_function(DRAWN, arg=tv.STEPS[number - 1].charts, timeout=60_000)
            tab.screenshot(path=str(SHOTS / f"tour-{number}.png"))  # first: a failure has one
            assert step_in_url(tab) == number
            assert tab.locator('[data-testid="stException"]').count() == 0
            step = tv.STEPS[number - 1]
            tab.wait_for_function(DRAWN, arg=step.charts, timeout=60_000)
            heading = tab.get_by_role("heading", name=re.compile(re.escape(step.title)))
            assert heading.count() == 1 and heading.bounding_box()["y"] < 200, step.title
            charts = tab.locator(".js-plotly-plot")
            assert charts.count() == step.charts
            for i in range(charts.count()):  # every chart drawn and wholly on screen
                box = charts.nth(i).bounding_box()
                assert box and box["height"] > 250 and box["y"] + box["height"] <= 720, box
            for name in step.controls:
                control = f".{bs.key_class(name)}"
                assert tab.locator(control).count() == 1, name
                assert bottom(tab, control) <= 720, name
            claim = tab.get_by_text(re.compile("^Measured here"))
            assert claim.count() == 1 and bottom(tab, MAIN_CAPTIONS) <= 720
            text = tab.locator(".st-key-tour-text")
            box = text.bounding_box()
            assert box["y"] + box["height"] <= 720, box  # the step's text and its controls
            assert bottom(tab, ".st-key-tour-question summary") <= 720  # and its question
            if number < len(tv.STEPS):
                since = bs.mark(tab)
                tab.keyboard.press("ArrowRight")
                bs.settle(tab, since)
                tab.wait_for_function("(n) => new URL(location.href).searchParams.get('step')"
                                      " === String(n)", arg=number + 1, timeout=20_000)
                bs.plotly_drawn(tab)
        since = bs.mark(tab)
        tab.keyboard.press("ArrowLeft")
        bs.settle(tab, since)
        tab.wait_for_function("() => new URL(location.href).searchParams.get('step') === '7'",
                              timeout=20_000)
    finally:
        context.close()


def test_a_steps_link_opens_the_same_step_and_control_in_a_fresh_browser(server, browser):
    context, tab = open_tab(browser, f"{server}/Tour?step=5&tour.w=0.04",
                            viewport={"width": 1600, "height": 1000})
    try:
        assert bs.bound_widgets(tab)["tour.w"]["shown"] == "0.040"
        assert tab.get_by_text("At w = 0.04:").count() == 1
        tab.screenshot(path=str(SHOTS / "tour-5-link.png"))
        since = bs.mark(tab)
        tab.reload(wait_until="domcontentloaded")
        bs.settle(tab, since)
        bs.plotly_drawn(tab)
        assert "step=5" in tab.url and "tour.w=0.04" in tab.url
        assert bs.bound_widgets(tab)["tour.w"]["shown"] == "0.040"
    finally:
        context.close()


def test_a_tour_link_is_the_first_visit_after_the_server_starts(browser):
    """The first run of a fresh server runs the page file before the entrypoint: the
    page must not read a setting before ``start`` has read the URL (it did: the link's
    step and mode were replaced by the defaults)."""
    srv = bs.StreamlitServer()
    url = next(bs.serving(srv))
    try:
        context, tab = open_tab(browser, f"{url}/Tour?step=4&present=true")
        assert "step=4" in tab.url and "present=true" in tab.url
        assert tab.get_by_role("heading", name=re.compile(r"^4 \/ 8")).count() == 1
        context.close()
    finally:
        srv.stop()


def test_arrow_keys_on_a_slider_move_the_slider_not_the_step(server, browser):
    """← and → turn the steps, but not while a slider has the keyboard: a lecturer
    nudging γ must stay on the step."""
    context, tab = open_tab(browser, f"{server}/Tour?step=2&present=true")
    try:
        since = bs.mark(tab)
        bs.press_slider(tab, "tour.gamma", "ArrowLeft")
        bs.settle(tab, since)
        assert step_in_url(tab) == 2
        assert "tour.gamma=0.95" in tab.url
        assert bs.bound_widgets(tab)["tour.gamma"]["shown"] == "0.95"
    finally:
        context.close()
