"""Shared code of the browser tests: starting and stopping ``streamlit run app.py``,
the Chromium fixture, waiting until the app has settled, and reading what each
widget shows, to compare with the settings the address bar carries.

Facts about Streamlit's page (1.67) this relies on, found in its DOM:

* an element created with ``key=K`` carries the CSS class ``st-key-`` + K with every
  character outside ``[a-zA-Z0-9_-]`` replaced by ``-`` (``problem.n`` ->
  ``st-key-problem-n``);
* ``[data-testid="stApp"]`` has ``data-test-script-state`` (``running`` while the
  script runs, ``notRunning`` after) and ``data-test-connection-state``
  (``CONNECTED`` when the websocket is up);
* every element container has ``data-stale``, ``"true"`` while it waits to be
  redrawn or removed by the run in progress;
* the code of each kind of widget is loaded lazily: until it has arrived, the
  widget's container holds a ``[data-testid="stSkeleton"]`` placeholder, and this
  can outlast the run (after a reload the script may finish first).

Set ``E2E_APP_ROOT`` to run the browser tests against another checkout of the app
(same layout and settings registry, with `Field.display`) instead of this one.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP_ROOT = Path(os.environ.get("E2E_APP_ROOT", ROOT)).resolve()
if APP_ROOT != ROOT:  # read the settings registry of the app under test
    sys.path.insert(0, str(APP_ROOT))
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
SHOTS = ARTIFACTS / "screenshots"
# the flags this sandbox needs: no sandboxing as root, no background network calls
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}

requires_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no /usr/bin/chromium: run scripts/ensure-chromium (apt) to enable the browser tests")


# --- the server ------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitServer:
    """``streamlit run app.py`` on 127.0.0.1; ``port`` is kept across restarts."""

    def __init__(self, log_name: str = "streamlit-e2e.log", port: int | None = None,
                 env: dict | None = None):
        self.extra_env = env or {}
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = ARTIFACTS / log_name
        self.proc: subprocess.Popen | None = None
        self._log = None

    def start(self, timeout: float = 60) -> StreamlitServer:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "a")
        env = {**os.environ, "PYTHONWARNINGS": "ignore", **self.extra_env}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(APP_ROOT / "app.py"),
             "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=APP_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2).status == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit did not start within {timeout:.0f} s on port "
                           f"{self.port}; see {self.log_path}")

    def stop(self, *, kill: bool = False) -> None:
        """End the server: SIGTERM (or SIGKILL with ``kill``), then wait for it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None


def serving(srv: StreamlitServer):
    """A module fixture's body: start ``srv`` (or fail the tests), yield its URL, stop it."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    srv.log_path.unlink(missing_ok=True)
    try:
        srv.start()
    except RuntimeError as err:
        pytest.fail(str(err))
    yield srv.url
    srv.stop()


@pytest.fixture(scope="module")
def server():
    yield from serving(StreamlitServer())


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


# --- waiting until the app has settled -----------------------------------------------

#: Installed in every page before the app's code: counts script runs (transitions of
#: stApp's data-test-script-state to "running") and the messages from the server on
#: the websocket (a run so short that React never draws the "running" state still
#: sends its elements), and notes when each last happened, when the connection state
#: last changed and when elements were last added, removed or changed outside Plotly's
#: charts; ``doc`` tells one document (page load) from the next.
PROBE = """
(() => {
  const probe = window.__e2e = {doc: Math.random().toString(36).slice(2), runs: 0,
                                changed: performance.now(), states: [], messages: 0,
                                received: performance.now()};
  // messages from the server: a run too short to show in the script state still sends some
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => {
        probe.messages += 1;
        probe.received = performance.now();
      });
    }
  };
  new MutationObserver((records) => {
    // a short run can start and end before this callback: each record's new value is
    // the next record's old value (same element and attribute), or the current one
    records.forEach((r, i) => {
      const next = records.slice(i + 1).find(
          (q) => q.target === r.target && q.attributeName === r.attributeName);
      const v = next ? next.oldValue : r.target.getAttribute(r.attributeName);
      probe.changed = performance.now();
      probe.states.push(v);
      if (probe.states.length > 20) probe.states.shift();
      if (r.attributeName === 'data-test-script-state' && v === 'running') probe.runs += 1;
    });
  }).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                        attributeFilter: ['data-test-script-state', 'data-test-connection-state']});
  // the last change to the page's elements, Plotly's drawing inside a chart aside
  probe.drawn = performance.now();
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (!el || !el.closest('.js-plotly-plot')) { probe.drawn = performance.now(); return; }
    }
  }).observe(document, {subtree: true, childList: true, characterData: true});
})();
"""

#: The app has settled: connected, no script running, nothing stale, no widget still
#: waiting for its code (skeleton), the sidebar's settings drawn (a chart page's first
#: view may draw them in a second run), no state change, no message and no element
#: drawn for ``quiet`` ms, and a run or a message seen since the mark (or ``grace`` ms
#: passed).
_SETTLED = """
(a) => {
  const p = window.__e2e, app = document.querySelector('[data-testid="stApp"]');
  if (!p || !app) return false;
  const newDoc = p.doc !== a.doc, now = performance.now();
  const ran = newDoc ? p.runs > 0 || p.messages > 0 : p.runs > a.runs || p.messages > a.messages;
  if (!ran && !(a.grace !== null && now - (newDoc ? 0 : a.t) > a.grace)) return false;
  return app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && Math.min(now - p.changed, now - p.drawn, now - p.received) >= a.quiet
    && !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')
    && !!document.querySelector('[data-testid="stSidebarUserContent"] .st-key-preset');
}
"""

_STATE = """() => { const app = document.querySelector('[data-testid="stApp"]'), p = window.__e2e;
  return {script: app?.getAttribute('data-test-script-state'),
          connection: app?.getAttribute('data-test-connection-state'), runs: p?.runs,
          messages: p?.messages, recent: p?.states,
          quiet_ms: p && Math.round(performance.now() - Math.max(p.changed, p.drawn, p.received)),
          stale: document.querySelectorAll('[data-stale="true"]').length,
          skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
          sidebar: !!document.querySelector('[data-testid="stSidebarUserContent"] .st-key-preset'),
          url: location.href}; }"""


class NotSettled(AssertionError):
    pass


def mark(page) -> dict:
    """What ``settle`` compares with: the document and its run count, now."""
    return page.evaluate("() => ({doc: window.__e2e?.doc ?? null, runs: window.__e2e?.runs ?? 0,"
                         " messages: window.__e2e?.messages ?? 0, t: performance.now()})")


def settle(page, since: dict | None = None, *, expect_run: bool = True, timeout: float = 45,
           grace_ms: float = 1000, quiet_ms: float = 250) -> None:
    """Wait until the app has settled after an action taken at ``since`` (a ``mark``;
    None: a page load). ``expect_run``: wait up to 10 s for the rerun the action
    should cause before accepting a page without one (the checks then say what is
    wrong); otherwise ``grace_ms``. Raises NotSettled after ``timeout`` s."""
    since = since or {"doc": None, "runs": 0, "messages": 0, "t": 0}
    args = {**since, "grace": 10_000 if expect_run else grace_ms, "quiet": quiet_ms}
    try:
        page.wait_for_function(_SETTLED, arg=args, timeout=timeout * 1000, polling=50)
    except Exception as err:  # playwright's TimeoutError, or a closed page
        state = _safe_state(page)
        raise NotSettled(f"the app did not settle within {timeout:.0f} s: {state}") from err


def _safe_state(page):
    try:
        return page.evaluate(_STATE)
    except Exception as err:  # noqa: BLE001 - only for the message
        return f"(state unreadable: {err})"


def plotly_drawn(page, timeout: float = 20) -> None:
    """Wait until every Plotly chart on the page is laid out (before a screenshot)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].every((el) => el._fullLayout)",
        timeout=timeout * 1000)


# --- the settings registry ----------------------------------------------------------

def registry() -> dict:
    """``state.FIELDS`` of the app under test: setting name -> Field."""
    import landscape.ui  # noqa: F401 - registers every page's fields
    from landscape.ui import state
    return state.FIELDS


def key_class(key: str) -> str:
    """The CSS class Streamlit gives an element with this key."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def presets() -> dict[str, dict]:
    """Each preset's file: name -> {"title", "explanation", "settings"}."""
    return {p.stem: json.loads(p.read_text())
            for p in sorted((APP_ROOT / "assets" / "presets").glob("*.json"))}


def preset_settings(name: str) -> dict:
    fields = registry()
    return {k: fields[k].parse(fields[k].format(v)) for k, v in presets()[name]["settings"].items()}


def url_settings(url: str) -> tuple[dict, list[str]]:
    """The settings a URL stands for: the defaults, overlaid with the preset it names,
    then with its own parameters. Returns (settings, problems with the URL)."""
    fields = registry()
    values = {name: f.default for name, f in fields.items()}
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    explicit, problems = {}, []
    for name, text in params.items():
        if name in fields:
            try:
                explicit[name] = fields[name].parse(text)
            except ValueError as err:
                problems.append(f"the URL carries {name}={text!r}, which is invalid: {err}")
    if explicit.get("preset"):
        values.update(preset_settings(explicit["preset"]))
    values.update(explicit)
    return values, problems


def display_text(name: str, value) -> str:
    """The text the widget of setting ``name`` shows for ``value``."""
    return registry()[name].display(value)


# --- reading the widgets -----------------------------------------------------------

#: One reader per kind of widget (by its data-testid): what the widget shows.
#: Toggles and checkboxes are both stCheckbox; sliders and select_sliders both stSlider.
READ_WIDGETS = """
() => {
  const text = (el) => (el ? el.innerText.trim() : null);
  const readers = {
    stNumberInput: (w) => w.querySelector('input').value,
    stTextInput: (w) => w.querySelector('input').value,
    stSelectbox: (w) => w.querySelector('input[role="combobox"]')?.value ?? null,
    stRadio: (w) => text([...w.querySelectorAll('[data-testid="stRadioOption"]')]
                           .find((o) => o.querySelector('input').checked)),
    stCheckbox: (w) => w.querySelector('input[type="checkbox"]').checked,
    stSlider: (w) => [...w.querySelectorAll('input[type="range"]')].map(
        (thumb, i) => text(w.querySelectorAll('[data-testid="stSliderThumbValue"]')[i])
                      || thumb.getAttribute('aria-valuetext')).join(' – '),
    stMultiSelect: (w) => [...w.querySelectorAll(
        '[data-testid="stMultiSelectTagsContainer"] [data-tag] [title]')].map(
        (t) => t.getAttribute('title')),
  };
  const out = [];
  const containers = '[data-testid="stElementContainer"][class*="st-key-"]';
  const widgets = Object.keys(readers).map((t) => `[data-testid="${t}"]`).join(',');
  for (const el of document.querySelectorAll(containers)) {
    const key = [...el.classList].find((c) => c.startsWith('st-key-'));
    const widget = el.querySelector(widgets);
    if (!widget) continue;
    const type = widget.getAttribute('data-testid');
    out.push({key, type, shown: readers[type](widget),
              sidebar: !!el.closest('[data-testid="stSidebar"]'),
              disabled: [...widget.querySelectorAll('input')].every((i) => i.disabled),
              // the labels of options that cannot be chosen (radios)
              locked: [...widget.querySelectorAll('[data-testid="stRadioOption"]')]
                        .filter((o) => o.querySelector('input').disabled).map(text)});
  }
  return out;
}
"""


def read_widgets(page) -> list[dict]:
    """Every keyed widget on the page: {key (CSS class), type, shown, sidebar,
    disabled (the whole widget), locked (labels of options that are disabled)}."""
    return page.evaluate(READ_WIDGETS)


def bound_widgets(page) -> dict[str, dict]:
    """The widgets bound to a setting, by setting name."""
    by_class = {key_class(name): name for name in registry()}
    return {by_class[w["key"]]: w for w in read_widgets(page) if w["key"] in by_class}


def half_unit(text: str) -> float:
    """Half a unit in the last digit of a number as written ("0.05" -> 0.005,
    "1.0e-10" -> 5e-12, "200" -> 0.5)."""
    m = re.fullmatch(r"\s*[-+]?\d*(?:\.(\d*))?(?:[eE]([-+]?\d+))?\s*", text)
    if not m:
        return math.inf
    decimals, exponent = len(m.group(1) or ""), int(m.group(2) or 0)
    return 0.5 * 10.0 ** (exponent - decimals)


def widget_mismatch(name: str, widget: dict, value) -> str | None:
    """None if the widget shows ``value``; otherwise what is wrong."""
    field = registry()[name]
    shown, kind = widget["shown"], widget["type"]
    if kind == "stCheckbox":
        ok = shown is bool(value)
        expected = bool(value)
    elif kind == "stTextInput":
        ok, expected = shown == value, value
    elif field.kind in (int, float) and kind in ("stNumberInput", "stSlider"):
        expected = display_text(name, value)
        try:
            number = float(shown)
        except (TypeError, ValueError):
            return f"{name}: the widget shows {shown!r}, not a number (expected {value!r})"
        tol = max(min(half_unit(shown), half_unit(expected)), 1e-12 * abs(value))
        ok = abs(number - value) <= tol * (1 + 1e-9)
    elif kind == "stMultiSelect":
        expected = display_text(name, value)
        ok = ", ".join(shown) == expected
    else:
        expected = display_text(name, value)
        ok = shown == expected
    if ok:
        return None
    where = "sidebar" if widget["sidebar"] else "page"
    return (f"{name} ({where} {kind}): the widget shows {shown!r}, the URL stands for "
            f"{value!r} (shown as {expected!r})")


SUMMARY = re.compile(r"Current problem:\s*(?:data set \S+: )?n = (\d+), d = (\d+), "
                     r"(softmax|unified|morph γ = ([-+0-9.eE]+))")


def loss_word(gamma: float) -> str:
    return {0.0: "softmax", 1.0: "unified"}.get(gamma, f"morph γ = {gamma:g}")


def summary_text(page) -> str | None:
    """The sidebar's "Current problem: ..." caption, or None."""
    captions = page.locator('[data-testid="stSidebar"] [data-testid="stCaptionContainer"]')
    for text in captions.all_inner_texts():
        if text.strip().startswith("Current problem:"):
            return text.strip()
    return None


def summary_mismatch(page, settings: dict) -> str | None:
    """None if the summary line describes the problem of ``settings`` (or no problem
    can be built and an error says so); otherwise what is wrong."""
    text = summary_text(page)
    if text is None:
        if page.locator('[data-testid="stAlertContentError"]').count():
            return None  # the problem cannot be built: an error instead of a summary
        return "no 'Current problem:' summary in the sidebar and no error on the page"
    m = SUMMARY.search(text)
    if not m:
        return f"the summary line has an unexpected form: {text!r}"
    n, d, loss, morph = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    want_loss = loss_word(settings["problem.gamma"])
    problems = []
    if n != settings["problem.n"] or d != settings["problem.d"]:
        problems.append(f"n = {n}, d = {d} (the URL: n = {settings['problem.n']}, "
                        f"d = {settings['problem.d']})")
    if morph is not None and want_loss.startswith("morph"):
        if abs(float(morph) - settings["problem.gamma"]) > half_unit(morph):
            problems.append(f"{loss} (the URL: γ = {settings['problem.gamma']})")
    elif loss != want_loss:
        problems.append(f"{loss} (the URL: {want_loss}, γ = {settings['problem.gamma']})")
    return f"the summary line says {'; '.join(problems)}: {text!r}" if problems else None


def check_page(page) -> tuple[dict, list[str]]:
    """The settings of the page's URL, and every disagreement found: (a) widgets vs
    the URL's settings, (b) the summary line vs them, (c) exception boxes."""
    url = page.evaluate("location.href")
    settings, problems = url_settings(url)
    for name, widget in sorted(bound_widgets(page).items()):
        wrong = widget_mismatch(name, widget, settings[name])
        if wrong:
            problems.append(wrong)
    wrong = summary_mismatch(page, settings)
    if wrong:
        problems.append(wrong)
    if problems and settings["preset"]:
        problems.append(f"(note: the URL names preset {settings['preset']!r}; a setting the URL "
                        "leaves out stands for the preset's value, as when the link is opened)")
    for text in page.locator('[data-testid="stException"]').all_inner_texts():
        problems.append("an exception box: " + text.strip().replace("\n", " ")[:300])
    return settings, problems


# --- changing the widgets ----------------------------------------------------------

def widget(page, name: str):
    """The element container of the widget bound to setting ``name``; a data setting
    in the sidebar's fold is first revealed by opening the fold, as a person would."""
    box = page.locator(f".{key_class(name)}")
    if name.startswith("problem.") and not box.count():
        open_data_fold(page)
        box.first.wait_for()
    return box


#: the sidebar's fold with the data settings (``builder.DATA_FOLD``)
DATA_FOLD = ".st-key-sidebar-data"


def data_fold_open(page) -> bool:
    return bool(page.locator(f"{DATA_FOLD} details[open]").count())


def toggle_data_fold(page) -> None:
    """Open or close the sidebar's data fold (a click on its label) and wait for the
    rerun that draws or removes its widgets."""
    m = mark(page)
    page.locator(f"{DATA_FOLD} summary").click()
    settle(page, m)
    # the fold's opening is animated; a list opened while it moves closes at once
    page.wait_for_function(f"""() => {{ const el = document.querySelector('{DATA_FOLD}');
        return !el || el.getAnimations({{subtree: true}}).length === 0; }}""", polling=50)


def open_data_fold(page) -> None:
    if not data_fold_open(page):
        toggle_data_fold(page)


def set_number(page, name: str, text: str) -> None:
    box = widget(page, name).locator('input[data-testid="stNumberInputField"]')
    box.fill(text)
    box.press("Enter")


def set_text(page, name: str, text: str) -> None:
    box = widget(page, name).locator("input")
    box.fill(text)
    box.press("Enter")


def open_options(page, name: str) -> None:
    """Open the option list of a selectbox or multiselect. The widget is scrolled to
    the middle of the view first: the list closes if its container scrolls while it
    is open (as it would when Playwright scrolls an option into view)."""
    box = widget(page, name)
    box.evaluate("(el) => el.scrollIntoView({block: 'center'})")
    box.locator('button[aria-label="Open"]').click()
    page.get_by_role("listbox").first.wait_for(state="visible", timeout=5_000)


def choose_option(page, name: str, label: str) -> None:
    """Open a selectbox and click the option with this label."""
    open_options(page, name)
    page.get_by_role("option", name=label, exact=True).click()


def choose_radio(page, name: str, label: str) -> None:
    widget(page, name).locator('[data-testid="stRadioOption"]').get_by_text(
        label, exact=True).click()


def flip_toggle(page, name: str) -> None:
    widget(page, name).locator("label").first.click()


def press_slider(page, name: str, key: str, times: int = 1) -> None:
    """Move a slider's thumb with the keyboard (``key`` ArrowLeft or ArrowRight)."""
    thumb = widget(page, name).locator('input[type="range"]').first
    thumb.focus()
    for _ in range(times):
        thumb.press(key)


def remove_tag(page, name: str, label: str) -> None:
    widget(page, name).locator(f'button[aria-label="Remove {label}"]').click()


def add_tag(page, name: str, label: str) -> None:
    open_options(page, name)
    page.get_by_role("option", name=label, exact=True).click()
    page.keyboard.press("Escape")
