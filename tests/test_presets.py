"""Presets load and render on every page; links reproduce what was computed."""

import json
import re

import pytest
from apptest_support import PAGES, ROOT, open_page
from streamlit.testing.v1 import AppTest

from landscape.ui.presets import LABEL_MAX

PRESETS = sorted(p.stem for p in (ROOT / "assets" / "presets").glob("*.json"))


def run(page: str, params: dict) -> AppTest:
    return open_page(page, **params)


def test_there_are_the_presets_a_classroom_needs():
    assert len(PRESETS) >= 7
    for name in PRESETS:
        data = json.loads((ROOT / "assets" / "presets" / f"{name}.json").read_text())
        assert data["title"] and len(data["explanation"]) > 80 and data["settings"]
        # the sidebar chooser shows it whole (a title was cut: "Softmax vs unified on the same c")
        assert 0 < len(data["label"]) <= LABEL_MAX and len(data["label"]) <= len(data["title"])


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("page", list(PAGES))
def test_preset_renders_on_every_page(preset, page):
    own = {"step": "8"} if page == "Tour" else {}  # the tour's step on the sidebar's problem
    at = run(page, {"preset": preset, **own})
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any(preset_title(preset) in i.value for i in at.info)
    assert at.selectbox(key="preset").value == preset


def preset_title(name: str) -> str:
    return json.loads((ROOT / "assets" / "presets" / f"{name}.json").read_text())["title"]


def test_preset_settings_reach_the_widgets_and_link_parameters_override_them():
    at = run("Landscape", {"preset": "whole_landscape_2d"})
    assert at.number_input(key="problem.d").value == 2
    assert at.selectbox(key="landscape.directions").value == "axes"
    at = run("Landscape", {"preset": "whole_landscape_2d",
                                                  "landscape.span": "1.5"})
    assert at.number_input(key="landscape.span").value == 1.5


def test_choosing_a_preset_in_the_sidebar_applies_it_and_writes_the_url():
    at = run("Home", {})
    at.selectbox(key="preset").set_value("poles").run()
    assert not at.exception
    assert at.selectbox(key="problem.matrix").value == "nonnegative"
    assert at.query_params["preset"] in ("poles", ["poles"])


def test_unknown_preset_in_a_link_is_a_note():
    at = run("Home", {"preset": "nope"})
    assert not at.exception
    notes = re.sub(r"\\(.)", r"\1", " ".join(w.value for w in at.warning))
    assert "preset='nope' ignored: expected one of exact_vs_approximate_newton" in notes


def metric_values(at) -> dict:
    return {m.label: m.value for m in at.metric}


def test_a_link_reproduces_the_numbers():
    at = run("Home", {})
    at.radio(key="problem.kind").set_value("softmax").run()
    at.number_input(key="problem.n").set_value(321).run()
    at.number_input(key="problem.seed").set_value(7).run()
    at.selectbox(key="problem.target").set_value("one_hot").run()
    link = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert link["problem.n"] == "321" and link["problem.seed"] == "7"
    fresh = run("Home", link)
    assert metric_values(fresh) == metric_values(at)
    assert metric_values(fresh)["n (rows of A)"] == "321"


def test_a_preset_changed_since_says_so():
    at = run("Landscape", {"preset": "whole_landscape_2d"})
    assert not any("Changed since" in i.value for i in at.info)
    at.selectbox(key="problem.matrix").set_value("ill_conditioned").run()
    note = next(i.value for i in at.info if "whole landscape" in i.value)
    assert "Changed since the preset: A" in note


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_landscape_map_spreads_its_colours(preset):
    """No preset draws a flat map on the Landscape page: the middle 90 % of the cells
    span at least a fifth of the colour range (a linear scale on a loss that is flat
    but for one corner used to leave the whole map one colour)."""
    import numpy as np
    from plotly_data import decode

    at = open_page("Landscape", preset=preset)
    chart = next((json.loads(c.proto.spec) for c in at.get("plotly_chart")
                  if json.loads(c.proto.spec)["data"][0].get("type") == "contour"), None)
    if chart is None:  # d = 1: a curve, not a map
        return
    trace = chart["data"][0]
    z = np.clip(np.asarray(decode(trace["z"]), float), trace["zmin"], trace["zmax"])
    low, high = np.nanpercentile(z, [5, 95])
    assert high - low >= 0.2 * (trace["zmax"] - trace["zmin"]), (low, high, trace)
