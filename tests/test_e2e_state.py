"""The app's settings in a real browser: whatever the user does (page links, Back and
Forward, reload, a link opened elsewhere, widgets, presets, settings that fail, a
server restart), every widget shows the setting in use, the sidebar's summary line
describes the problem in use, and the address bar is a link to what is on screen.

A seeded random walk drives ``streamlit run app.py`` in Debian's Chromium; after each
step it waits until the app has settled and checks (a) every widget bound to a
setting against the settings the URL stands for, (b) the summary line against them,
(c) that no exception box is shown, plus what the step itself must do (a change
takes effect; a page switch or reload keeps the problem). A failure prints the seed
and the log of steps; screenshots of page switches and reloads land in
artifacts/screenshots/walk-NN-*.png.
"""

from __future__ import annotations

import os
import random
import time
from urllib.parse import urlsplit

import browser_support as bs
import pytest

from landscape.ui.state import navigational

pytestmark = [pytest.mark.e2e, bs.requires_chromium]

#: the walk's seed (E2E_WALK_SEED overrides it to explore other walks)
SEED = int(os.environ.get("E2E_WALK_SEED", "20261130"))
#: how many steps of each kind the walk takes, in a shuffled order
PLAN = {"page": 9, "back": 3, "forward": 2, "reload": 3, "fresh": 2, "widget": 17, "preset": 3,
        "error": 4, "nudge": 1, "fold": 3}
STEPS = sum(PLAN.values())
START = "/Landscape?problem.n=30&problem.d=4&problem.kind=unified"
PAGES = {"Home": "/", "Landscape": "/Landscape", "Hessian": "/Hessian", "Newton": "/Newton",
         "Compare": "/Compare", "Tour": "/Tour"}
#: settings a step may leave changed when it switches pages (the Newton page clamps its
#: step slider to the race it shows)
DERIVED = {"newton.step"}
#: settings the walk does not touch: the presentation mode folds the sidebar away,
#: uploads need files, the size confirmation needs a large problem
UNTOUCHED = {"present", "problem.source", "problem.upload_a", "problem.upload_b",
             "problem.allow_large", "preset"}
MAX_N, MAX_D = 300, 12

#: values typed into number and text inputs (small problems only: n <= 300, d <= 12)
TYPED = {
    "problem.n": [30, 40, 60, 100, 150, 250, 300], "problem.d": [2, 3, 4, 6, 8, 12],
    "problem.seed": [0, 1, 2, 3], "problem.target_seed": [0, 1, 2],
    "problem.noise": [0.0, 0.05, 0.1, 0.3], "problem.w_value": [0.0, 0.01, 0.05, 0.2],
    "problem.strong_convexity": [0.5, 1.0, 2.0], "problem.cond": [10.0, 1000.0],
    "problem.rank": [1, 2, 3, 5],
    "landscape.seed": [0, 1, 2], "landscape.span": [1.5, 2.0, 3.0, 4.0],
    "landscape.custom_center": ["0.1", "abc", "0.2, -0.1"],
    "landscape.custom_u": ["1", "abc"], "landscape.custom_v": ["0.5", "abc"],
    "hessian.custom_point": ["0.1", "abc", "-0.5"], "hessian.l": [0.5, 1.0, 2.0],
    "hessian.k": [2, 6],
    "newton.custom_start": ["0.1", "abc"], "newton.tol": [1e-6, 1e-8, 1e-10],
    "newton.max_iter": [20, 50, 100], "newton.seed": [0, 1, 2],
    "compare.span": [2.0, 3.0, 4.0], "compare.seed": [0, 1], "compare.morph_frames": [3, 5, 11],
}


def small_presets() -> list[str]:
    """The presets whose problem is small (n <= 300, d <= 12), and "" (none)."""
    fields = bs.registry()
    out = [""]
    for name in bs.presets():
        s = bs.preset_settings(name)
        if (s.get("problem.n", fields["problem.n"].default) <= MAX_N
                and s.get("problem.d", fields["problem.d"].default) <= MAX_D):
            out.append(name)
    return out


def typed_text(value) -> str:
    if isinstance(value, str):
        return value
    return f"{value:g}" if isinstance(value, float) else str(value)


class Walk:
    """One browser tab walking through the app; ``log`` says what each step did."""

    def __init__(self, browser, base: str, rng: random.Random):
        self.browser, self.base, self.rng = browser, base, rng
        self.context = self.page = None
        self.log: list[str] = []
        self.step = 0
        self.fields = bs.registry()
        self.presets = small_presets()

    # --- helpers ---------------------------------------------------------------
    def open(self, url: str) -> None:
        """Open ``url`` in a fresh browser context (no history, a new session)."""
        old = self.context
        self.context = self.browser.new_context(viewport=bs.VIEWPORT)
        self.context.set_default_timeout(15_000)
        self.context.add_init_script(bs.PROBE)
        self.page = self.context.new_page()
        self.page.goto(url, wait_until="domcontentloaded", timeout=60_000)
        bs.settle(self.page, None, timeout=60)
        if old is not None:
            old.close()

    def url(self) -> str:
        return self.page.evaluate("location.href")

    def settings(self) -> dict:
        return bs.url_settings(self.url())[0]

    def page_name(self) -> str:
        path = urlsplit(self.url()).path.rstrip("/") or "/"
        return next((name for name, p in PAGES.items() if p == path), path)

    def shoot(self, what: str) -> None:
        try:
            bs.plotly_drawn(self.page, timeout=5)
        except Exception:  # noqa: BLE001 - a chart still drawing only blurs the picture
            pass
        self.page.screenshot(path=str(bs.SHOTS / f"walk-{self.step:02d}-{what}.png"))

    def history(self) -> dict:
        """Whether Back and Forward stay within the app (never to about:blank)."""
        return self.page.evaluate(
            "() => { const n = window.navigation; if (!n || !n.currentEntry) return {};"
            " const e = n.entries(), i = n.currentEntry.index, o = location.origin;"
            " return {back: i > 0 && e[i - 1].url.startsWith(o),"
            "         forward: i + 1 < e.length && e[i + 1].url.startsWith(o)}; }")

    # --- the steps: each returns (description, check after settling) -------------
    def go_to_page(self):
        here = self.page_name()
        target = self.rng.choice([p for p in PAGES if p != here])
        before = self.settings()
        links = self.page.locator('[data-testid="stSidebarNavLink"]')
        paths = [urlsplit(h or "").path.rstrip("/") or "/"
                 for h in links.evaluate_all("(els) => els.map((e) => e.getAttribute('href'))")]
        if PAGES[target] not in paths:
            raise AssertionError(f"no sidebar link to {target} ({PAGES[target]}); links: {paths}")
        m = bs.mark(self.page)
        links.nth(paths.index(PAGES[target])).click()
        bs.settle(self.page, m)

        def check():
            problems = []
            if self.page_name() != target:
                problems.append(f"the address bar shows {self.url()!r}, not the {target} page")
            problems += kept(before, self.settings(), lambda n: n.startswith("problem."),
                             "a page switch")
            return problems
        return f"page link -> {target}", check, f"page-{target}"

    def back_or_forward(self, direction: str):
        m = bs.mark(self.page)
        if direction == "back":
            self.page.go_back(wait_until="commit", timeout=15_000)
        else:
            self.page.go_forward(wait_until="commit", timeout=15_000)
        bs.settle(self.page, m, expect_run=False)
        return direction, None, direction

    def reload(self):
        before, url = self.settings(), self.url()
        self.page.reload(wait_until="domcontentloaded", timeout=60_000)
        bs.settle(self.page, None, timeout=60)
        return "reload", self.same_view(before, url, "a reload"), "reload"

    def fresh_context(self):
        before, url = self.settings(), self.url()
        self.open(url)
        return (f"open {url} in a fresh context", self.same_view(before, url, "opening the link"),
                "fresh")

    def same_view(self, before: dict, url: str, what: str):
        def check():
            problems = kept(before, self.settings(), lambda n: True, what)
            if urlsplit(self.url()).path != urlsplit(url).path:
                problems.append(f"{what} of {url!r} shows {self.url()!r}")
            return problems
        return check

    def choose_preset(self):
        current_settings = self.settings()
        current = current_settings["preset"]
        name = self.rng.choice([p for p in self.presets if p != current])
        m = bs.mark(self.page)
        bs.choose_option(self.page, "preset", bs.display_text("preset", name))
        bs.settle(self.page, m)
        # a preset sets everything but how the lab is looked at (the tour's step, its
        # controls, the presentation mode): those stay as they were
        wanted = {n: f.default for n, f in self.fields.items() if not navigational(n)}
        if name:
            wanted.update(bs.preset_settings(name))
        wanted["preset"] = name
        wanted.update({n: v for n, v in current_settings.items()
                       if navigational(n) and n != "preset"})

        def check():
            now = self.settings()
            return [f"after choosing preset {name!r}, {n} = {now[n]!r} (the preset sets {v!r})"
                    for n, v in wanted.items() if n not in DERIVED and now[n] != v]
        return f"preset -> {name or '(none)'}", check, None

    def change_widget(self, name: str | None = None, value=None):
        """Change one widget bound to a setting (a random one, to a random new value,
        unless given) and check that the change took effect."""
        settings = self.settings()
        widgets = bs.bound_widgets(self.page)
        if name is None:  # a kind of widget, then one of that kind: rare kinds get their turn
            by_type: dict[str, list[str]] = {}
            for n, w in sorted(widgets.items()):
                if n not in UNTOUCHED and not w["disabled"] and (
                        w["type"] not in ("stNumberInput", "stTextInput") or n in TYPED):
                    by_type.setdefault(w["type"], []).append(n)
            if not by_type:
                return None
            name = self.rng.choice(by_type[self.rng.choice(sorted(by_type))])
        if name not in widgets or widgets[name]["disabled"]:
            return None
        w, old = widgets[name], settings[name]
        page, m = self.page, bs.mark(self.page)
        kind = w["type"]
        if kind == "stSlider":
            thumb = bs.widget(page, name).locator('input[type="range"]').first
            pos, low, high = (float(thumb.get_attribute(a)) for a in ("value", "min", "max"))
            key = ("ArrowLeft" if pos >= high else "ArrowRight" if pos <= low
                   else self.rng.choice(["ArrowLeft", "ArrowRight"]))
            times = self.rng.choice([1, 1, 2])
            bs.press_slider(page, name, key, times)
            bs.settle(page, m)
            return (f"{name}: slider {key} x{times} (was {old!r})",
                    self.took_effect(name, old=old, up=key == "ArrowRight"), None)
        if value is None:
            value = self.new_value(name, kind, old, w, settings)
            if value is None:
                return None
        if kind == "stNumberInput":
            bs.set_number(page, name, typed_text(value))
        elif kind == "stTextInput":
            bs.set_text(page, name, value)
        elif kind == "stSelectbox":
            bs.choose_option(page, name, bs.display_text(name, value))
        elif kind == "stRadio":
            bs.choose_radio(page, name, bs.display_text(name, value))
        elif kind == "stCheckbox":
            bs.flip_toggle(page, name)
        elif kind == "stMultiSelect":
            gone = [v for v in old if v not in value]
            if gone:
                bs.remove_tag(page, name, bs.display_text(name, [gone[0]]))
            else:
                bs.add_tag(page, name, bs.display_text(name, [value[-1]]))
        else:
            raise AssertionError(f"no way to change a {kind} ({name})")
        bs.settle(page, m)
        return f"{name} = {value!r} (was {old!r})", self.took_effect(name, value=value), None

    def new_value(self, name, kind, old, widget, settings):
        """A value other than the one in use and the one shown, that the widget offers."""
        shown, locked = widget["shown"], widget["locked"]
        field = self.fields[name]
        if kind == "stCheckbox":
            return not old
        if kind == "stMultiSelect":
            if len(old) > 1 and self.rng.random() < 0.5:
                gone = self.rng.choice(old)
                return [v for v in old if v != gone]
            missing = [c for c in field.choices if c not in old]
            return [*old, self.rng.choice(missing)] if missing else old[:-1]
        if name in TYPED:
            options = TYPED[name]
        elif field.choices:
            options = list(field.choices)
        else:
            return None
        if name in ("landscape.axis_i", "landscape.axis_j"):
            options = list(range(1, min(settings["problem.d"], 3) + 1))
        options = [v for v in options if v != old and bs.display_text(name, v) != shown
                   and bs.display_text(name, v) not in locked]
        return self.rng.choice(options) if options else None

    def took_effect(self, name: str, *, value=None, old=None, up=None):
        def check():
            now = self.settings()[name]
            if up is None:
                ok = now == value
                wanted = repr(value)
            else:
                ok = now > old if up else now < old
                wanted = f"{'more' if up else 'less'} than {old!r}"
            wrong = (f"after the change of {name}, the URL stands for {name} = {now!r}, "
                     f"wanted {wanted}")
            return [] if ok else [wrong]
        return check

    def provoke_error(self):
        """A setting that cannot be drawn: a custom point "abc" (in two steps: choose
        the custom point, then type), or the strongly convex regularisation (softmax
        only) on a loss with γ > 0 (after switching to unified if needed)."""
        s, shown = self.settings(), bs.bound_widgets(self.page)
        for select, text in (("landscape.center", "landscape.custom_center"),
                             ("hessian.point", "hessian.custom_point"),
                             ("newton.start", "newton.custom_start")):
            if select in shown:
                if s[select] != "custom":
                    return self.change_widget(select, "custom")
                if text in shown and s[text] != "abc":
                    return self.change_widget(text, "abc")
        if "problem.w" in shown and s["problem.gamma"] > 0 and s["problem.w"] != "strongly_convex":
            return self.change_widget("problem.w", "strongly_convex")
        if "problem.kind" in shown and s["problem.kind"] != "unified":
            return self.change_widget("problem.kind", "unified")
        return None

    def recover(self):
        """Undo what makes the page fail (so the page's own widgets come back)."""
        s, shown = self.settings(), bs.bound_widgets(self.page)
        if s["problem.w"] == "strongly_convex" and s["problem.gamma"] > 0:
            return self.change_widget("problem.w", "constant")
        for text in ("landscape.custom_center", "hessian.custom_point", "newton.custom_start"):
            if text in shown and s[text] == "abc":
                return self.change_widget(text, "0.1")
        return None

    def nudge(self):
        """Newton's ◀ previous / next ▶ buttons (they set newton.step)."""
        if self.page_name() != "Newton":
            return None
        label = self.rng.choice(["◀ previous", "next ▶"])
        button = self.page.get_by_role("button", name=label)
        if button.count() != 1 or button.is_disabled():
            return None
        m = bs.mark(self.page)
        button.click()
        bs.settle(self.page, m, expect_run=True)
        return f"button {label}", None, None

    def fold(self):
        """Open or close the sidebar's data settings (folded, they stay in use)."""
        before = self.settings()
        was_open = bs.data_fold_open(self.page)
        bs.toggle_data_fold(self.page)
        return (f"{'close' if was_open else 'open'} the data settings",
                self.same_view(before, self.url(), "folding the data settings"), None)

    def next_step(self, kind: str):
        """A step of this kind, or a widget change (or else a page switch) when it
        cannot be done here; returns (description, check or None, screenshot or None)."""
        nav = self.history()
        if kind in ("back", "forward") and nav.get(kind):
            return self.back_or_forward(kind)
        if kind == "preset" and "preset" in bs.bound_widgets(self.page):
            return self.choose_preset()
        if kind == "widget" and self.rng.random() < 0.5 and self.page.locator(
                '[data-testid="stAlertContentError"]').count():
            kind = "recover"  # half the time, a widget step first undoes an error
        step = {"page": self.go_to_page, "reload": self.reload, "fresh": self.fresh_context,
                "widget": self.change_widget, "error": self.provoke_error,
                "recover": self.recover, "nudge": self.nudge,
                "fold": self.fold}.get(kind, lambda: None)()
        return step or self.change_widget() or self.go_to_page()


def kept(before: dict, after: dict, which, what: str) -> list[str]:
    """The settings (of names ``which`` accepts) that ``what`` changed."""
    return [f"{what} changed {n} from {before[n]!r} to {after[n]!r}"
            for n in before if which(n) and n not in DERIVED and before[n] != after[n]]


def test_random_walk_keeps_widgets_url_and_summary_in_step(server, browser):
    rng = random.Random(SEED)
    for old in bs.SHOTS.glob("walk-*.png"):
        old.unlink()
    bs.SHOTS.mkdir(parents=True, exist_ok=True)
    walk = Walk(browser, server, rng)
    started = time.monotonic()

    def fail(problems: list[str]) -> None:
        try:
            walk.page.screenshot(path=str(bs.SHOTS / f"walk-{walk.step:02d}-failure.png"))
        except Exception:  # noqa: BLE001 - the report matters more than the picture
            pass
        pytest.fail(f"random walk seed {SEED} (E2E_WALK_SEED={SEED} repeats it), step "
                    f"{walk.step}:\n  " + "\n  ".join(problems)
                    + "\nsteps:\n  " + "\n  ".join(walk.log)
                    + f"\napp state: {bs._safe_state(walk.page)}", pytrace=False)

    try:
        walk.open(server + START)
        walk.log.append(f"00 open {START}")
        _, problems = bs.check_page(walk.page)
        if problems:
            fail(problems)
        walk.shoot("open")
        plan = [kind for kind, count in PLAN.items() for _ in range(count)]
        rng.shuffle(plan)
        for walk.step, kind in enumerate(plan, start=1):
            t0 = time.monotonic()
            what, check, shot = walk.next_step(kind)
            walk.log.append(f"{walk.step:02d} {what}  [{time.monotonic() - t0:.1f} s] -> "
                            + walk.url().removeprefix(server))
            if shot:
                walk.shoot(shot)
            _, problems = bs.check_page(walk.page)
            if check is not None:
                problems += check()
            if problems:
                fail(problems)
    except Exception as err:  # noqa: BLE001 - report it with the seed and the log
        fail([f"{type(err).__name__}: {err}".strip()])
    finally:
        if walk.context is not None:
            walk.context.close()
    print(f"random walk seed {SEED}: {STEPS} steps in {time.monotonic() - started:.1f} s\n  "
          + "\n  ".join(walk.log))


def test_a_link_after_a_preset_and_a_default_value_reproduces_the_view(server, browser):
    """Found by the walk: after a preset, setting a value back to its default must
    still give a link that reproduces the view (reloading it shows the same)."""
    context = browser.new_context(viewport=bs.VIEWPORT)
    context.set_default_timeout(15_000)
    context.add_init_script(bs.PROBE)
    try:
        tab = context.new_page()
        tab.goto(f"{server}/Landscape?preset=realizable_vs_not", wait_until="domcontentloaded",
                 timeout=60_000)
        bs.settle(tab, None, timeout=60)
        default = bs.registry()["problem.w"].default
        assert bs.preset_settings("realizable_vs_not")["problem.w"] != default
        bs.open_data_fold(tab)
        m = bs.mark(tab)
        bs.choose_option(tab, "problem.w", bs.display_text("problem.w", default))
        bs.settle(tab, m)
        _, problems = bs.check_page(tab)
        shown = {n: w["shown"] for n, w in bs.bound_widgets(tab).items()}
        summary, link = bs.summary_text(tab), tab.evaluate("location.href")
        tab.reload(wait_until="domcontentloaded", timeout=60_000)
        bs.settle(tab, None, timeout=60)
        bs.open_data_fold(tab)  # a new session starts with the data settings folded
        again = {n: w["shown"] for n, w in bs.bound_widgets(tab).items()}
        problems += [f"reloading {link!r} changed {n} from {shown[n]!r} to {again.get(n)!r}"
                     for n in shown if again.get(n) != shown[n]]
        if bs.summary_text(tab) != summary:
            problems.append(f"reloading changed the summary from {summary!r} to "
                            f"{bs.summary_text(tab)!r}")
        if problems:
            pytest.fail("preset realizable_vs_not, then w back to its default:\n  "
                        + "\n  ".join(problems), pytrace=False)
    finally:
        context.close()


TABS_AFTER_RESTART = 3


def test_a_change_after_a_server_restart_takes_effect(browser):
    """Tabs open on a page; the server is killed and started again on the same port;
    once each tab has reconnected, one change (n to 60) must take effect: the widget,
    the URL and the summary line all say 60."""
    srv = bs.StreamlitServer(log_name="streamlit-e2e-restart.log")
    srv.log_path.unlink(missing_ok=True)
    try:
        srv.start()
    except RuntimeError as err:
        pytest.fail(str(err))
    context = browser.new_context(viewport=bs.VIEWPORT)
    context.set_default_timeout(15_000)
    context.add_init_script(bs.PROBE)
    try:
        tabs = []
        for _ in range(TABS_AFTER_RESTART):
            tab = context.new_page()
            tab.goto(f"{srv.url}/Landscape?problem.n=40", wait_until="domcontentloaded",
                     timeout=60_000)
            bs.settle(tab, None, timeout=60)
            tabs.append(tab)
        srv.stop(kill=True)
        for tab in tabs:
            try:
                tab.wait_for_function(
                    "() => document.querySelector('[data-testid=\"stApp\"]')"
                    "?.getAttribute('data-test-connection-state') !== 'CONNECTED'",
                    timeout=30_000)
            except Exception as err:  # noqa: BLE001
                pytest.fail(f"a tab did not notice the server had stopped within 30 s: {err}")
        marks = [bs.mark(tab) for tab in tabs]
        try:
            srv.start()
        except RuntimeError as err:
            pytest.fail(f"after the restart: {err}")
        for tab, m in zip(tabs, marks, strict=True):  # reconnected (with or without a rerun)
            bs.settle(tab, m, expect_run=False, grace_ms=0, timeout=60)
        failures = []
        for i, tab in enumerate(tabs):
            bs.open_data_fold(tab)
            m = bs.mark(tab)
            bs.set_number(tab, "problem.n", "60")
            try:
                bs.settle(tab, m)
            except bs.NotSettled as err:
                failures.append(f"tab {i}: {err}")
                continue
            settings, problems = bs.check_page(tab)
            shown = bs.bound_widgets(tab).get("problem.n", {}).get("shown")
            summary = bs.summary_text(tab) or ""
            if shown != "60" or settings["problem.n"] != 60 or "n = 60," not in summary:
                problems.append(f"the change to n = 60 did not take effect: the widget shows "
                                f"{shown!r}, the URL {tab.evaluate('location.href')!r}, the "
                                f"summary {summary!r}")
            failures += [f"tab {i}: {p}" for p in problems]
        if failures:
            pytest.fail("after a server restart:\n  " + "\n  ".join(failures), pytrace=False)
    finally:
        context.close()
        srv.stop()
