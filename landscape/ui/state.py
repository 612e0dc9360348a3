"""The app's settings: one registry of named fields with defaults, kept in a
non-widget ``st.session_state`` entry (so values survive pages that do not draw their
widgets) and mirrored into ``st.query_params`` (so a link reproduces the view).

Widgets are bound to a field with ``bind``; its key is the field's name, e.g.
``"problem.n"``, which is also what AppTest sets and what the URL carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import streamlit as st

from . import staging

_STATE = "_settings"
_NOTES = "_settings_notes"


@dataclass(frozen=True)
class Field:
    """A setting: its default and how to read it back from a URL string."""

    default: Any
    kind: type
    choices: tuple | None = None
    low: float | None = None
    high: float | None = None

    def parse(self, text: str):
        """The value a URL string stands for, or ValueError."""
        if self.kind is bool:
            if text not in ("true", "false"):
                raise ValueError("expected true or false")
            return text == "true"
        if self.kind is list:  # comma-separated choices
            items = [t for t in text.split(",") if t]
            bad = [t for t in items if self.choices is not None and t not in self.choices]
            if bad:
                raise ValueError(f"unknown entries {bad}; expected some of "
                                 f"{', '.join(map(str, self.choices))}")
            return items
        value = self.kind(text)
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"expected one of {', '.join(map(str, self.choices))}")
        if self.low is not None and value < self.low or self.high is not None and value > self.high:
            raise ValueError(f"expected a value in [{self.low}, {self.high}]")
        return value

    def format(self, value) -> str:
        if self.kind is bool:
            return "true" if value else "false"
        return ",".join(value) if self.kind is list else str(value)


FIELDS: dict[str, Field] = {}


def register(**fields: Field) -> None:
    """Add fields (names with dots passed as ``**{"page.name": Field(...)}``)."""
    FIELDS.update(fields)


def settings() -> dict:
    """The current settings; on a session's first run, defaults overlaid with the
    URL's query parameters (bad ones are noted, shown by ``url_notes``, and ignored)."""
    if _STATE not in st.session_state:
        values = {name: f.default for name, f in FIELDS.items()}
        notes = []
        explicit = {}
        for name, text in st.query_params.items():
            if name not in FIELDS:
                continue
            try:
                explicit[name] = FIELDS[name].parse(text)
            except ValueError as err:
                notes.append(f"Link parameter {name}={text!r} ignored: {err}.")
        if explicit.get("preset"):  # the preset first, then what the link sets itself
            from .presets import settings_of
            try:
                values.update(settings_of(explicit["preset"]))
            except ValueError as err:
                notes.append(f"Link parameter preset ignored: {err}")
                explicit.pop("preset")
        values.update(explicit)
        st.session_state[_STATE] = values
        st.session_state[_NOTES] = notes
    state = st.session_state[_STATE]
    for name, f in FIELDS.items():  # fields registered after the first run
        state.setdefault(name, f.default)
    return state


def url_notes() -> list[str]:
    settings()
    return st.session_state[_NOTES]


def get(name: str):
    return settings()[name]


def put(name: str, value, *, sync: bool = True) -> None:
    """Set a field (and the widget bound to it, if any) and update the URL."""
    settings()[name] = value
    if name in st.session_state:
        st.session_state[name] = value
    if sync:
        sync_url()


def sync_url() -> None:
    """Write every non-default setting into the URL (and drop the defaults)."""
    state = settings()
    wanted = {name: FIELDS[name].format(v) for name, v in state.items()
              if name in FIELDS and v != FIELDS[name].default}
    current = dict(st.query_params)
    if current != wanted:
        st.query_params.from_dict(wanted)


def _store(name: str, after: Callable[[], None] | None) -> None:
    settings()[name] = st.session_state[name]
    if after is not None:
        after()
    sync_url()


def bind(widget: Callable, label: str, name: str, *, after: Callable[[], None] | None = None,
         **kwargs):
    """Draw ``widget(label, key=name, ...)`` showing the field's value; a change is
    copied into the settings (then ``after()`` runs) and into the URL. In a staged
    run (see ``staging``) no widget is drawn: the field's value is returned."""
    if staging.staged():
        return get(name)
    if name not in st.session_state:
        st.session_state[name] = get(name)
    return widget(label, key=name, on_change=_store, args=(name, after), **kwargs)


#: settings that only change how results are drawn, never what is computed; left out
#: of cache keys so that toggling them redraws without recomputing
DISPLAY_ONLY = {"landscape.view", "landscape.log", "landscape.poles", "hessian.scale",
                "newton.step", "newton.against", "newton.error", "compare.log"}


def spec(prefix: str) -> tuple[tuple[str, Any], ...]:
    """The settings whose names start with ``prefix``, minus the display-only ones, as
    a hashable cache key (lists become tuples)."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                        for k, v in settings().items()
                        if k.startswith(prefix) and k not in DISPLAY_ONLY))
