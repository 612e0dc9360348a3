"""Presets: named settings with a short explanation, stored as
``assets/presets/NAME.json`` = {"title", "label" (the title in at most 24 characters, for
the sidebar's chooser), "explanation", "settings": {field: value}},
chosen in the sidebar or opened by a link ``?preset=NAME`` on any page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import state

PRESET_DIR = Path(__file__).resolve().parents[2] / "assets" / "presets"
#: the longest label the sidebar's preset chooser shows whole (about 300 px of 14 px text)
LABEL_MAX = 24


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    explanation: str
    settings: dict
    label: str  # the title, short enough for the sidebar's chooser (LABEL_MAX)


@lru_cache(maxsize=1)
def presets() -> dict[str, Preset]:
    """Every preset in PRESET_DIR, by file name (sorted)."""
    out = {}
    for path in sorted(PRESET_DIR.glob("*.json")):
        data = json.loads(path.read_text())
        out[path.stem] = Preset(path.stem, data["title"], data["explanation"], data["settings"],
                                data["label"])
    return out


def settings_of(name: str) -> dict:
    """The preset's settings checked against the registered fields (ValueError if a
    preset names an unknown field or a value its field would not accept)."""
    preset = presets().get(name)
    if preset is None:
        raise ValueError(f"preset must be one of {', '.join(presets())}; received {name!r}.")
    checked = {}
    for field_name, value in preset.settings.items():
        field = state.FIELDS.get(field_name)
        if field is None:
            raise ValueError(f"preset {name!r} sets the unknown setting {field_name!r}.")
        checked[field_name] = field.parse(field.format(value))
    return checked


def values_of(name: str) -> dict:
    """Every setting (name -> value): the defaults with preset ``name``'s on top (the
    defaults alone for "")."""
    values = {n: f.default for n, f in state.FIELDS.items()}
    if name:
        values.update(settings_of(name))
    return values


def apply(name: str) -> None:
    """Reset every setting to its default, then set the preset's (every widget shows
    the new values on the next draw: ``state.bind`` tells each its value). How the lab
    is looked at stays: the presentation mode, the tour's step and its controls."""
    values = {n: v for n, v in values_of(name).items() if not state.navigational(n)}
    values["preset"] = name
    state.settings().update(values)
    state.sync_url()


state.expand_preset = settings_of  # links naming a preset are read and written alike
