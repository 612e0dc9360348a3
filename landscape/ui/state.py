"""The app's settings: one registry of named fields, from which the widgets, the URL
parsing, the URL writing and the fuzz tests are all generated.

One source of truth: the settings live in a non-widget ``st.session_state`` entry
(so values survive pages that do not draw their widgets). On a session's first run
they are read from the URL (``load``); on every run the whole state is written back to
``st.query_params`` (``sync_url``), so the address bar is always a link to the view.
Every run tells each widget its value explicitly (``bind`` assigns
``st.session_state[name]`` before drawing it), so what a widget shows is what is
computed, whatever the browser remembered of an earlier page.

A widget's key is its field's name, e.g. ``"problem.n"``: that is also what AppTest
sets, what the URL carries and the CSS class ``st-key-problem-n`` in the browser.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import streamlit as st

from landscape.text import number

_STATE = "_settings"
_NOTES = "_settings_notes"

#: the longest value a link may give a setting (a custom vector of d = 200 numbers fits)
TEXT_MAX = 4000
#: how a field is drawn: the Streamlit widget function's name
WIDGETS = ("number_input", "selectbox", "radio", "toggle", "checkbox", "slider",
           "select_slider", "multiselect", "text_input", "tabs")


@dataclass(frozen=True)
class Field:
    """A setting: default, type, legal values, and the widget that shows it.

    ``choices`` (for str and list fields) are the legal values, ``labels`` what the
    widget shows for each; ``low``/``high`` bound numbers (the URL and the widget
    accept the same range); ``widget`` is one of WIDGETS, or None for a setting
    that no widget draws (a preset's name is drawn by its own selectbox)."""

    default: Any
    kind: type
    choices: tuple | None = None
    low: float | None = None
    high: float | None = None
    label: str = ""
    widget: str | None = None
    labels: Mapping = dataclass_field(default_factory=dict)
    options: Mapping = dataclass_field(default_factory=dict)  # more widget arguments
    #: False for a setting a link must not carry (a confirmation that protects the machine,
    #: the digest of another session's upload)
    in_url: bool = True
    #: legal values known only when a link is read (the server's data sets): raises
    #: ValueError saying why a value is not one of them
    check: Callable[[Any], None] | None = None

    def parse(self, text: str):
        """The value a URL string stands for, or ValueError saying why not."""
        if len(text) > TEXT_MAX:
            raise ValueError(f"expected at most {TEXT_MAX:,} characters; received {len(text):,}")
        if self.kind is bool:
            if text not in ("true", "false"):
                raise ValueError("expected true or false")
            return text == "true"
        if self.kind is list:  # comma-separated choices
            items = [t for t in text.split(",") if t]
            bad = [t for t in items if self.choices is not None and t not in self.choices]
            if bad:
                raise ValueError(f"unknown entries {', '.join(bad)}; expected some of "
                                 f"{', '.join(map(str, self.choices))}")
            return items
        try:
            value = self.kind(text)
        except ValueError:
            expected = ("an integer" if self.kind is int else "a number" if self.kind is float
                        else "text")
            raise ValueError(f"expected {expected}") from None
        if self.kind is float and not math.isfinite(value):
            raise ValueError("expected a finite number")
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"expected one of {', '.join(str(c) for c in self.choices if c != '')}"
                             + (" (or nothing)" if "" in self.choices else ""))
        if self.low is not None and value < self.low or self.high is not None and value > self.high:
            raise ValueError(f"expected a value in [{number(self.low)}, {number(self.high)}]"
                             if self.high is not None else f"expected at least {number(self.low)}")
        if self.check is not None:
            self.check(value)
        return value

    def format(self, value) -> str:
        """The value as a URL string (``parse(format(v)) == v``)."""
        if self.kind is bool:
            return "true" if value else "false"
        return ",".join(value) if self.kind is list else str(value)

    def display(self, value) -> str:
        """What the widget shows for ``value`` (labels for choices)."""
        if self.kind is list:
            return ", ".join(str(self.labels.get(v, v)) for v in value)
        if self.choices is not None or self.kind is bool:
            return str(self.labels.get(value, value))
        fmt = self.options.get("format")
        return fmt % value if fmt else str(value)


FIELDS: dict[str, Field] = {}


def register(**fields: Field) -> None:
    """Add fields (names with dots passed as ``**{"page.name": Field(...)}``)."""
    for name, f in fields.items():
        if f.widget is not None and f.widget not in WIDGETS:
            raise ValueError(f"{name}: widget must be one of {WIDGETS}; received {f.widget!r}.")
    FIELDS.update(fields)


def parse_url(params: Mapping[str, str]) -> tuple[dict, list[str]]:
    """Settings from URL parameters: the defaults, overlaid with the preset the URL
    names (``expand_preset(name)`` gives its settings), then with the URL's own
    values. Returns (settings, notes); a bad parameter is left out and noted."""
    values = {name: f.default for name, f in FIELDS.items()}
    notes, explicit = [], {}
    for name, text in params.items():
        if name not in FIELDS:
            continue
        if not FIELDS[name].in_url:
            notes.append(f"Link parameter {name} ignored: a link cannot carry it (a "
                         "confirmation or an uploaded file is given on the page itself).")
            continue
        try:
            explicit[name] = FIELDS[name].parse(text)
        except ValueError as err:
            f = FIELDS[name]
            using = (f.labels[""] if f.default == "" and "" in f.labels  # "" names nothing
                     else repr(f.format(f.default)))
            notes.append(f"Link parameter {name}={text!r} ignored: {err}; using {using}.")
    if explicit.get("preset"):  # the preset first, then what the link sets itself
        try:
            values.update(expand_preset(explicit["preset"]))
        except ValueError as err:
            notes.append(f"Link parameter preset ignored: {err}")
            explicit.pop("preset")
    values.update(explicit)
    return values, notes


def load() -> None:
    """Once per session (its first run): the settings from the URL. Later runs keep
    the session's settings, whatever the URL of a page link or of Back/Forward says,
    and ``sync_url`` writes them back.

    A session's first run normally comes from a page load, which sends no widget
    values. When it does bring some, a tab has reconnected to a restarted server and
    the run was caused by a change the user made on the widgets still on screen: those
    values are the user's, and this run adopts them (``bind``) instead of telling the
    widgets the URL's values."""
    if _STATE not in st.session_state:
        values, notes = parse_url(st.query_params)
        st.session_state[_STATE] = values
        st.session_state[_NOTES] = notes
        st.session_state[_RECONNECTED] = _widget_values_sent()
        st.session_state[_STALE] = False
    else:
        st.session_state[_RECONNECTED] = frozenset()


#: ids of the widgets whose values a reconnecting tab sent in this run (else empty)
_RECONNECTED = "_settings_reconnected"
#: a widget of this run showed something other than its setting (redraw: ``settle``)
_STALE = "_settings_stale"


def _session_internals():
    """Streamlit's SessionState of this run (not a public API: None if it moves)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    return getattr(getattr(ctx, "session_state", None), "_state", None)


def _widget_values_sent() -> frozenset:
    """Ids of the widgets whose values the browser sent with this run's request."""
    internals = _session_internals()
    try:
        return frozenset(internals._new_widget_state.states)
    except AttributeError:
        return frozenset()


def _sent_by_browser(name: str, sent: frozenset) -> bool:
    """Whether the widget keyed ``name`` is among the ids ``sent`` (a keyed widget's
    id ends with ``-`` and its key)."""
    return any(widget_id.endswith("-" + name) for widget_id in sent)


def settle() -> None:
    """End of a run: if a widget showed another value than its setting (only in the
    first run after a reconnect), rerun so every widget is drawn from the settings."""
    if st.session_state.get(_STALE):
        st.session_state[_STALE] = False
        sync_url()
        st.rerun()


def settings() -> dict:
    """The current settings (defaults until ``load`` has run)."""
    if _STATE not in st.session_state:
        st.session_state[_STATE] = {name: f.default for name, f in FIELDS.items()}
        st.session_state[_NOTES] = []
    return st.session_state[_STATE]


def notes() -> list[str]:
    """Messages about settings that were ignored or adjusted (shown above the page
    until the user changes a setting)."""
    settings()
    return st.session_state[_NOTES]


def note(message: str) -> None:
    if message not in notes():
        notes().append(message)


def get(name: str):
    return settings()[name]


def put(name: str, value) -> None:
    """Set a field; its widget (if drawn later in this run) shows it; the URL follows."""
    settings()[name] = value
    sync_url()


#: the settings a preset's name stands for; set by the presets module (which imports
#: this one), so that a link naming a preset is read and written the same way
def expand_preset(name: str) -> dict:
    return {}


def url_params() -> dict[str, str]:
    """The URL parameters of the current settings: every one that differs from what
    its absence would mean (the default, or the named preset's value), so the link
    stays short and complete."""
    current = settings()
    base = {name: f.default for name, f in FIELDS.items()}
    if current.get("preset"):
        base.update(expand_preset(current["preset"]))
    return {name: FIELDS[name].format(v) for name, v in current.items()
            if name in FIELDS and FIELDS[name].in_url
            and (v != base[name] or name == "preset" and v)}


def sync_url() -> None:
    """Write the whole state into the URL (called on every run, and after changes)."""
    wanted = url_params()
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def _store(name: str, after: Callable[[], None] | None) -> None:
    """Widget callback: the widget's new value becomes the setting."""
    settings()[name] = st.session_state[name]
    notes().clear()  # the user has acted: earlier notes about the link are stale
    if after is not None:
        after()
    sync_url()


def _clamped(name: str, value, low, high):
    """A number within the widget's range [low, high] (which may depend on the
    problem, e.g. an axis index <= d); a change is noted, so the user sees why."""
    if low is not None and value < low or high is not None and value > high:
        fixed = min(max(value, low if low is not None else value),
                    high if high is not None else value)
        shown = ("−∞" if low is None else number(low), "∞" if high is None else number(high))
        note(f"{name} = {number(value)} is outside the range this page allows "
             f"[{shown[0]}, {shown[1]}]; using {number(fixed)}.")
        settings()[name] = fixed
        sync_url()
        return fixed
    return value


def clamp(name: str, *, low=None, high=None):
    """Keep a number setting within a range the problem sets (an axis index <= d),
    before anything is computed from it; a change is noted. Returns the value."""
    f = FIELDS[name]
    return _clamped(name, get(name), f.low if low is None else low,
                    f.high if high is None else high)


def bind(name: str, where=None, *, after: Callable[[], None] | None = None, **overrides):
    """Draw the field's widget in ``where`` (a container, column or ``st.sidebar``;
    default the main area) showing the setting's value, and return that value. A
    change by the user becomes the setting (then ``after()`` runs) and the URL.
    ``overrides`` replace the field's widget arguments for this page (a label
    naming d, a range set by the problem)."""
    f = FIELDS[name]
    where = st if where is None else where
    kwargs = {**f.options, **overrides}
    label = kwargs.pop("label", f.label)
    value = get(name)
    if f.widget in ("number_input", "slider"):
        kwargs.setdefault("min_value", f.low if f.kind is float or f.low is None else int(f.low))
        kwargs.setdefault("max_value", f.high if f.kind is float or f.high is None else int(f.high))
        value = _clamped(name, value, kwargs["min_value"], kwargs["max_value"])
    elif f.widget in ("selectbox", "radio", "select_slider", "multiselect"):
        if "options" not in kwargs:  # a page may give them (the server's data sets)
            kwargs["options"] = list(f.choices)
        if f.labels:
            kwargs.setdefault("format_func", lambda v: f.labels.get(v, v))
    reconnected = st.session_state.get(_RECONNECTED)
    if not reconnected:
        # every run: the widget is told the value in use (the browser may remember another)
        st.session_state[name] = list(value) if isinstance(value, list) else value
    shown = getattr(where, f.widget)(label, key=name, on_change=_store, args=(name, after),
                                     **kwargs)
    if reconnected and shown != value:
        if _sent_by_browser(name, reconnected):  # the user's change, made before the restart
            settings()[name] = shown
            if after is not None:
                after()
        st.session_state[_STALE] = True  # redraw everything from the settings
    return shown


def tabs(name: str, where=None) -> dict:
    """Draw a str field's choices as tabs (in ``where``, default the main area), the
    setting's choice open, and return {choice: its tab's container if open, else
    None}. A closed tab's content is neither drawn nor sent to the browser
    (Streamlit's lazy tabs); opening one makes it the setting, and the URL."""
    f = FIELDS[name]
    labels = [f.labels.get(c, c) for c in f.choices]
    reconnected = st.session_state.get(_RECONNECTED)
    if not reconnected:  # as in ``bind``: the tabs are told the value in use
        st.session_state[name] = labels[f.choices.index(get(name))]
    boxes = (st if where is None else where).tabs(labels, key=name, on_change=_store_tab,
                                                  args=(name,))
    opened = dict(zip(labels, f.choices, strict=True)).get(st.session_state.get(name))
    if reconnected and opened is not None and opened != get(name):
        if _sent_by_browser(name, reconnected):  # opened by the user before the restart
            settings()[name] = opened
        st.session_state[_STALE] = True  # redraw everything from the settings
    return {c: box if box.open else None for c, box in zip(f.choices, boxes, strict=True)}


def _store_tab(name: str) -> None:
    """Tabs callback: the open tab's label becomes the setting's choice."""
    f = FIELDS[name]
    label = st.session_state[name]
    settings()[name] = next(c for c in f.choices if f.labels.get(c, c) == label)
    notes().clear()
    sync_url()


#: settings that only change how results are drawn, never what is computed; left out
#: of cache keys so that toggling them redraws without recomputing
DISPLAY_ONLY = {"landscape.view", "landscape.log", "landscape.poles", "landscape.click",
                "hessian.scale",
                "hessian.section", "newton.step", "newton.against", "newton.error",
                "compare.log", "compare.section"}


#: settings that say how and where the lab is looked at (a preset's name, the
#: presentation mode, the tour's step and its controls), never what a preset sets
NAVIGATION = {"preset", "present", "step"}


def navigational(name: str) -> bool:
    """Whether setting ``name`` is one of NAVIGATION or a control of the tour."""
    return name in NAVIGATION or name.startswith("tour.")


def spec(prefix: str) -> tuple[tuple[str, Any], ...]:
    """The current settings whose names start with ``prefix``, minus the display-only
    ones, as a hashable cache key (lists become tuples)."""
    return spec_of(settings(), prefix)


def spec_of(values: Mapping[str, Any], prefix: str) -> tuple[tuple[str, Any], ...]:
    """``spec`` of any settings ``values`` (name -> value), e.g. a preset's."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in values.items()
                        if k.startswith(prefix) and k not in DISPLAY_ONLY))
