"""The app in a real browser: Debian's Chromium driven by Playwright against
``streamlit run`` on 127.0.0.1. Screenshots land in artifacts/screenshots/."""

import json
from pathlib import Path

import pytest
from browser_support import ROOT, SHOTS, requires_chromium

PAGES = ["", *(p.stem.split("_", 1)[1] for p in sorted((ROOT / "pages").glob("*.py")))]

pytestmark = [pytest.mark.e2e, requires_chromium]


SIDEBAR_BUILT = '[data-testid="stSidebarUserContent"] [data-testid="stRadio"]'


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p or "home")
def test_page_renders_without_exception(server, browser, page):
    tab = browser.new_page(viewport={"width": 1400, "height": 900})
    tab.goto(f"{server}/{page}", wait_until="domcontentloaded")
    tab.wait_for_selector('[data-testid="stMetricValue"], .js-plotly-plot', timeout=60_000)
    # app.py draws the sidebar after the page's first chart
    tab.wait_for_selector(SIDEBAR_BUILT, timeout=60_000)
    tab.wait_for_timeout(1000)  # let the last elements settle before the screenshot
    assert tab.locator('[data-testid="stException"]').count() == 0
    tab.screenshot(path=str(SHOTS / f"{page or 'home'}.png"), full_page=True)
    tab.close()


# when the first Plotly chart's element arrives and when it is drawn, and when the
# sidebar's first widget appears
ORDER_PROBE = """
window.__seen = {};
const look = () => {
  const now = performance.now();
  if (!window.__seen.element && document.querySelector('[data-testid="stPlotlyChart"]'))
    window.__seen.element = now;
  if (!window.__seen.chart && [...document.querySelectorAll('.js-plotly-plot')].some(
      (el) => el._fullLayout && el.getBoundingClientRect().height > 0)) window.__seen.chart = now;
  if (!window.__seen.sidebar && document.querySelector(SIDEBAR)) window.__seen.sidebar = now;
  requestAnimationFrame(look);
};
requestAnimationFrame(look);
""".replace("SIDEBAR", json.dumps(SIDEBAR_BUILT))


def test_the_sidebar_never_comes_before_the_first_chart_then_the_whole_page(server, browser):
    """app.py draws the sidebar after the page: the first chart reaches the browser
    before the sidebar's widgets (their code must not hold it back; they may appear in
    the same frame). Since the sidebar's data settings are folded, its few widgets
    may well be on screen before plotly.js has finished drawing the chart: that is
    the chart's own drawing, not a wait for the sidebar."""
    tab = browser.new_page(viewport={"width": 1400, "height": 900})
    tab.add_init_script(ORDER_PROBE)
    tab.goto(f"{server}/Compare", wait_until="domcontentloaded")
    tab.wait_for_function("() => window.__seen && window.__seen.chart && window.__seen.sidebar",
                          timeout=60_000)
    seen = tab.evaluate("window.__seen")
    assert seen["element"] <= seen["sidebar"], seen
    # then the whole page: both maps and the open tab's chart (the difference); the
    # closed tabs (spectra, Newton, morph) are not drawn until opened
    tab.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length === 3",
                          timeout=60_000)
    tab.get_by_role("tab", name="Newton on each").click()
    tab.wait_for_function(
        "() => !!document.querySelector('.st-key-chart-compare-newton .js-plotly-plot')",
        timeout=60_000)
    assert "compare.section=newton" in tab.url  # the open tab is in the link
    tab.locator('[data-testid="stMain"] [data-testid="stSlider"]').first.wait_for(timeout=30_000)
    assert tab.locator('[data-testid="stException"]').count() == 0
    tab.close()


def test_home_radio_recomputes_in_the_browser(server, browser):
    tab = browser.new_page(viewport={"width": 1400, "height": 900})
    tab.goto(server, wait_until="domcontentloaded")
    kind = tab.locator('[data-testid="stMetricValue"]').nth(2)
    kind.wait_for(timeout=60_000)
    assert kind.inner_text().strip() == "unified"
    tab.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').first.get_by_text(
        "softmax", exact=True).click()
    tab.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stMetricValue\"]')[2]"
        "?.innerText.trim() === 'softmax'", timeout=30_000)
    assert tab.locator('[data-testid="stException"]').count() == 0
    tab.close()


def contour_rows(tab) -> int:
    """Rows of the first contour trace's z as Plotly draws it (_fullData holds the
    decoded arrays; data keeps Plotly 7's base64 form)."""
    return tab.evaluate(
        "() => { for (const el of document.querySelectorAll('.js-plotly-plot')) {"
        "  for (const t of (el._fullData || [])) { if (t.type === 'contour') return t.z.length; } }"
        "  return -1; }")


def test_slider_redraws_the_landscape(server, browser):
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    tab.goto(f"{server}/Landscape", wait_until="domcontentloaded")
    tab.wait_for_selector(".js-plotly-plot", timeout=60_000)
    tab.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2",
                          timeout=60_000)
    assert contour_rows(tab) == 101
    # the sidebar's γ slider comes first; the resolution slider is in the main area
    thumb = tab.locator('[data-testid="stMain"] [data-testid="stSlider"] input[type="range"]').first
    thumb.focus()
    thumb.press("ArrowLeft")  # resolution 101 -> 51
    tab.wait_for_function(
        "() => { for (const el of document.querySelectorAll('.js-plotly-plot')) {"
        "  for (const t of (el._fullData || [])) {"
        "    if (t.type === 'contour') return t.z.length === 51; } }"
        "  return false; }", timeout=30_000)
    assert tab.locator('[data-testid="stException"]').count() == 0
    tab.close()


def test_png_download_in_the_browser(server, browser):
    tab = browser.new_page(accept_downloads=True)
    tab.goto(f"{server}/Hessian", wait_until="domcontentloaded")
    tab.wait_for_selector(".js-plotly-plot", timeout=60_000)
    with tab.expect_download(timeout=60_000) as info:
        tab.get_by_role("button", name="Figure (PNG)").first.click()
    data = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename == "hessian_spectrum_1.png"  # figure 1 of the page
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert tab.locator('[data-testid="stException"]').count() == 0
    tab.close()


def test_newton_play_moves_map_table_and_url_together(server, browser):
    """The one step control: ▶ play steps the map and the table to the end, over the
    landscape, and the URL follows."""
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    tab.goto(f"{server}/Newton?newton.methods=newton,gd&newton.max_iter=6",
             wait_until="domcontentloaded")
    tab.get_by_role("button", name="▶ play").wait_for(timeout=60_000)
    tab.get_by_role("button", name="▶ play").click()
    thumb = ".st-key-newton-step [data-testid='stSliderThumbValue']"
    tab.wait_for_function(f"() => document.querySelector(\"{thumb}\")?.innerText.trim() === '1'",
                          timeout=30_000)  # it starts again from the beginning
    tab.wait_for_function(f"() => document.querySelector(\"{thumb}\")?.innerText.trim() === '6'"
                          " && location.search.includes('newton.step=6')", timeout=30_000)
    tab.get_by_role("button", name="▶ play").wait_for(timeout=10_000)  # stopped at the end
    types = tab.evaluate(
        "() => document.querySelector('.js-plotly-plot')._fullData.map(t => t.type)")
    assert types[0] == "contour", types  # the landscape stays under the paths
    assert tab.locator('[data-testid="stException"]').count() == 0
    tab.close()


def test_a_click_on_the_newton_map_starts_the_race_there(server, browser):
    """The picture is the control: a click on the map makes that point the start; the
    URL, the start widget and the drawn paths all follow."""
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    tab.goto(f"{server}/Newton?newton.methods=newton,gd", wait_until="domcontentloaded")
    plot = tab.locator(".st-key-chart-newton-paths .nsewdrag").first
    plot.wait_for(timeout=60_000)
    tab.get_by_role("button", name="▶ play").wait_for(timeout=60_000)  # the page is complete
    first = tab.evaluate(
        "() => { const el = document.querySelector('.st-key-chart-newton-paths .js-plotly-plot');"
        " const t = el._fullData.find(t => (t.name || '').startsWith('exact Newton'));"
        " return [t.x[0], t.y[0]]; }")
    box = plot.bounding_box()
    tab.mouse.click(box["x"] + 0.25 * box["width"], box["y"] + 0.25 * box["height"])
    tab.wait_for_function("() => location.search.includes('newton.start=custom')"
                          " && location.search.includes('newton.custom_start=')", timeout=30_000)
    from urllib.parse import parse_qs, urlparse
    query = parse_qs(urlparse(tab.url).query)
    start = [float(v) for v in query["newton.custom_start"][0].split(",")]
    assert len(start) == 10
    field = tab.locator(".st-key-newton-custom_start input")
    field.wait_for(timeout=30_000)
    assert [float(v) for v in field.input_value().split(",")] == start  # the widget says it
    # the race was run again from there: exact Newton's first point has moved
    tab.wait_for_function(
        "(before) => {"
        " const el = document.querySelector('.st-key-chart-newton-paths .js-plotly-plot');"
        " const t = el && el._fullData.find(t => (t.name || '').startsWith('exact Newton'));"
        " return t && (t.x[0] !== before[0] || t.y[0] !== before[1]); }", arg=first, timeout=30_000)
    assert tab.locator('[data-testid="stException"]').count() == 0
    tab.close()


def _click_map(tab, key: str, fx: float, fy: float) -> tuple[float, float]:
    """Click the map of chart ``key`` at fractions (fx, fy) of its plot area; return the
    plane coordinates (a, c) under the pointer (from Plotly's own axes)."""
    plot = tab.locator(f".st-key-{key} .nsewdrag").first
    plot.wait_for(timeout=60_000)
    box = plot.bounding_box()
    x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
    where = tab.evaluate(
        "([key, fx, fy]) => { const L = document.querySelector(`.st-key-${key} .js-plotly-plot`)"
        "._fullLayout;"
        " return [L.xaxis.p2l(fx * L.xaxis._length), L.yaxis.p2l(fy * L.yaxis._length)]; }",
        [key, fx, fy])
    tab.mouse.click(x, y)
    return where


def _query(tab) -> dict:
    from urllib.parse import parse_qs, urlparse
    return {k: v[0] for k, v in parse_qs(urlparse(tab.url).query).items()}


def test_a_click_on_the_landscape_map_starts_the_paths_or_centres_the_plane(server, browser):
    """The Landscape map is a control too: a click starts the optimiser paths there
    (the Newton race's start, in the URL and its widget) or, when chosen, makes the
    clicked point the plane's centre; the point is x0 + a u + c v of the click."""
    tab = browser.new_page(viewport={"width": 1600, "height": 1000})
    tab.goto(f"{server}/Landscape?problem.d=2&landscape.directions=axes",
             wait_until="domcontentloaded")
    tab.locator(".st-key-landscape-click").wait_for(timeout=60_000)  # the page is complete
    a, c = _click_map(tab, "chart-landscape-contour", 0.25, 0.25)
    tab.wait_for_function("() => location.search.includes('newton.custom_start=')",
                          timeout=30_000)
    query = _query(tab)
    start = [float(v) for v in query["newton.custom_start"].split(",")]
    # with the coordinate axes through x0 = 0, the clicked point is (a, c) itself, up to
    # the invisible click grid's spacing (25 points over 2 x span = 6)
    assert abs(start[0] - a) <= 0.25 and abs(start[1] - c) <= 0.25, (start, a, c)
    assert query["landscape.paths"] == "true"
    field = tab.locator(".st-key-newton-custom_start input")
    field.wait_for(timeout=30_000)
    assert [float(v) for v in field.input_value().split(",")] == start  # the widget says it
    tab.wait_for_function(  # the paths are drawn from there
        "(s) => {"
        " const el = document.querySelector('.st-key-chart-landscape-contour .js-plotly-plot');"
        " const t = el && el._fullData.find(t => (t.name || '').startsWith('exact Newton'));"
        " return t && Math.abs(t.x[0] - s[0]) < 1e-4 && Math.abs(t.y[0] - s[1]) < 1e-4; }",
        arg=start, timeout=30_000)
    # now a click centres the plane: the URL holds the new centre
    tab.locator(".st-key-landscape-click").get_by_text("centres the plane there").click()
    tab.wait_for_function("() => location.search.includes('landscape.click=center')",
                          timeout=30_000)
    tab.wait_for_timeout(500)
    a, c = _click_map(tab, "chart-landscape-contour", 0.75, 0.5)
    tab.wait_for_function("() => location.search.includes('landscape.custom_center=')",
                          timeout=30_000)
    center = [float(v) for v in _query(tab)["landscape.custom_center"].split(",")]
    assert abs(center[0] - a) <= 0.25 and abs(center[1] - c) <= 0.25, (center, a, c)
    tab.locator(".st-key-landscape-custom_center input").wait_for(timeout=30_000)
    assert tab.locator('[data-testid="stException"]').count() == 0
    tab.screenshot(path=str(SHOTS / "landscape_click.png"))
    tab.close()


@pytest.mark.parametrize("page, size", [("Landscape", (1280, 720)), ("Hessian", (1280, 720)),
                                        ("Newton", (1280, 720)), ("Compare", (1280, 720)),
                                        ("Landscape", (1920, 1080)), ("Newton", (1920, 1080))])
def test_presentation_mode_puts_the_chart_above_the_fold_of_a_projector(server, browser, page,
                                                                        size):
    width, height = size
    tab = browser.new_page(viewport={"width": width, "height": height})
    tab.goto(f"{server}/{page}?present=true&preset=poles", wait_until="domcontentloaded")
    tab.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].some(el => el._fullLayout)",
        timeout=60_000)
    chart = tab.locator(".js-plotly-plot").first.bounding_box()
    assert chart["y"] >= 0 and chart["y"] + chart["height"] <= height, chart
    assert chart["height"] >= 0.3 * height  # and it uses the screen: larger on a larger one
    explanation = tab.locator(".st-key-present-explanation").bounding_box()
    assert explanation["y"] + 30 <= height, explanation  # its first line is on screen
    for button in ("previous", "next"):  # the slide buttons show their arrows, not "..."
        box = tab.locator(f".st-key-present-{button} button").first.bounding_box()
        assert box["width"] >= 48, box
    ticks = tab.evaluate(
        "() => Math.min(...[...document.querySelectorAll('.js-plotly-plot .xtick text')]"
        ".map(t => parseFloat(getComputedStyle(t).fontSize)))")
    assert ticks >= 16, ticks  # tick labels readable from the back of the room
    assert tab.locator('[data-testid="stException"]').count() == 0
    tab.screenshot(path=str(SHOTS / f"present-{page}-{width}.png"))
    tab.close()


def test_arrow_keys_turn_the_slides_in_presentation_mode(server, browser):
    tab = browser.new_page(viewport={"width": 1280, "height": 720})
    tab.goto(f"{server}/Landscape?present=true", wait_until="domcontentloaded")
    tab.locator(".st-key-present-next button").first.wait_for(timeout=60_000)
    checked = ".st-key-present-slide input:checked"
    first = tab.locator(checked).evaluate("el => el.closest('label').innerText")
    tab.mouse.click(640, 120)  # focus the page (the title), not a widget
    tab.keyboard.press("ArrowRight")
    tab.wait_for_function(
        "([first, checked]) => { const el = document.querySelector(checked);"
        " return el && el.closest('label').innerText !== first; }", arg=[first, checked],
        timeout=30_000)
    tab.wait_for_function("() => document.querySelector('.js-plotly-plot') && document"
                          ".querySelector('.js-plotly-plot')._fullData[0].type === 'surface'",
                          timeout=30_000)  # the second chart, the 3-D surface, is drawn
    tab.keyboard.press("ArrowLeft")
    tab.wait_for_function(
        "([first, checked]) => { const el = document.querySelector(checked);"
        " return el && el.closest('label').innerText === first; }", arg=[first, checked],
        timeout=30_000)
    assert tab.locator('[data-testid="stException"]').count() == 0
    tab.close()


def test_numbers_in_tables_stay_on_one_line(server, browser):
    """"2.743e-18" is never broken into "2.743e-" / "18": every table cell is one line."""
    tab = browser.new_page(viewport={"width": 1400, "height": 900})
    tab.goto(f"{server}/Newton", wait_until="domcontentloaded")
    tab.wait_for_selector('[data-testid="stTable"] td', timeout=60_000)
    heights = tab.evaluate("() => [...document.querySelectorAll('[data-testid=\"stTable\"] td')]"
                           ".map(td => td.getBoundingClientRect().height)")
    assert heights and max(heights) <= 1.5 * min(heights), heights
    tab.close()
