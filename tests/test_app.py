"""Every page runs headless (AppTest) on the default problem and on one with poles;
widgets set by key change what is computed; bad input gets a visible message."""

import io
import json
import re

import numpy as np
import pytest
from apptest_support import PAGES, go_to, open_page
from plotly_data import decode
from streamlit.testing.v1 import AppTest

from landscape.text import number
from landscape.ui.builder import DATA_FOLD
from landscape.ui.state import FIELDS

POLES = {"problem.matrix": "nonnegative", "problem.d": "5"}
PAGE = {name: name for name in PAGES}


def run(page: str, **params) -> AppTest:
    return open_page(page, **params)


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def no_trouble(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_every_page_is_listed():
    assert list(PAGES) == ["Home", "Landscape", "Hessian", "Newton", "Compare", "Tour"]


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("params", [{}, POLES], ids=["default", "poles"])
def test_page_runs_without_exception(page, params):
    at = run(page, **params)
    no_trouble(at)
    assert at.title
    assert at.sidebar.radio(key="problem.kind"), "the sidebar is drawn on every page"
    if page != "Home":
        assert charts(at), "every lab page draws at least one chart"


def shown(markdown: str) -> str:
    """The text a reader sees of Markdown whose punctuation is backslash-escaped."""
    return re.sub(r"\\(.)", r"\1", markdown)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_home_shows_the_current_problem_at_zero():
    at = run(PAGE["Home"])
    m = metrics(at)
    assert m["n (rows of A)"] == "200" and m["d (unknowns)"] == "10"
    assert m["loss kind"] == "unified"
    assert float(m["smallest eigenvalue of H(0)"]) <= float(m["largest eigenvalue of H(0)"])
    assert any("α = ⟨u, 1⟩ is positive" in c.value for c in at.caption)


def test_kind_radio_changes_the_loss_and_resets_gamma():
    at = run(PAGE["Home"])
    unified = metrics(at)
    at.radio(key="problem.kind").set_value("softmax").run()
    no_trouble(at)
    softmax = metrics(at)
    assert softmax["loss kind"] == "softmax" and softmax["L(0)"] != unified["L(0)"]
    assert at.slider(key="problem.gamma").value == 0.0
    assert at.query_params["problem.kind"] in ("softmax", ["softmax"])  # the URL follows


def test_settings_survive_a_page_that_does_not_draw_them():
    at = run(PAGE["Home"])
    go_to(at, "Landscape")
    at.number_input(key="landscape.span").set_value(1.5).run()
    go_to(at, "Hessian")
    no_trouble(at)
    go_to(at, "Landscape")
    assert at.number_input(key="landscape.span").value == 1.5


def sidebar_keys(at) -> set[str]:
    return {w.key for w in at.sidebar if getattr(w, "key", None)}


def test_the_data_settings_are_folded_until_opened_and_keep_their_values():
    """The sidebar's data settings are drawn only while their fold is open (their
    widgets cost the browser time on every page); folded, the loss radio, the γ slider
    and the summary line stay on screen, and the settings stay in use."""
    at = open_page("Landscape", data_folded=True, **{"problem.n": "60"})
    no_trouble(at)
    keys = sidebar_keys(at)
    assert {"problem.kind", "problem.gamma"} <= keys and "problem.n" not in keys
    assert any("n = 60," in shown(c.value) for c in at.sidebar.caption)
    at.session_state[DATA_FOLD] = True  # the user opens the fold
    at.run()
    assert at.sidebar.number_input(key="problem.n").value == 60
    at.sidebar.number_input(key="problem.n").set_value(80).run()
    at.session_state[DATA_FOLD] = False  # and closes it again
    go_to(at, "Hessian")
    assert "problem.n" not in sidebar_keys(at)
    assert any("n = 80," in shown(c.value) for c in at.sidebar.caption)
    assert at.query_params["problem.n"] in ("80", ["80"])
    at.session_state[DATA_FOLD] = True
    at.run()
    assert at.sidebar.number_input(key="problem.n").value == 80


@pytest.mark.parametrize("params", [{"problem.source": "upload"},
                                    {"problem.n": "100000", "problem.d": "50"}])
def test_the_data_settings_open_by_themselves_when_they_need_a_change(params):
    """No problem can be made (no file yet, a size to confirm): the fold opens, so the
    settings that fix it are on screen."""
    at = open_page("Landscape", data_folded=True, **params)
    assert not at.exception
    assert at.error or at.warning
    assert "problem.source" in sidebar_keys(at)


def contour(at) -> dict:
    return next(t for c in charts(at) for t in c["data"] if t["type"] == "contour")


def test_landscape_resolution_and_span_reach_the_surface():
    at = run(PAGE["Landscape"])
    assert decode(contour(at)["z"]).shape == (101, 101)
    at.select_slider(key="landscape.resolution").set_value(51).run()
    at.number_input(key="landscape.span").set_value(0.5).run()
    no_trouble(at)
    trace = contour(at)
    assert decode(trace["z"]).shape == (51, 51)
    assert decode(trace["x"]).max() == pytest.approx(0.5)


def test_landscape_shows_the_pole_set_for_non_negative_a():
    at = run(PAGE["Landscape"], **POLES, **{"landscape.span": "6"})
    no_trouble(at)
    names = {t.get("name") for c in charts(at) for t in c["data"]}
    assert "pole set (α = 0)" in names
    assert any("pole set" in c.value for c in at.caption)


def test_landscape_paths_overlay():
    at = run(PAGE["Landscape"], **{"landscape.paths": "true"})
    no_trouble(at)
    names = " ".join(str(t.get("name")) for t in charts(at)[0]["data"])
    assert "exact Newton" in names and "L-BFGS-B (SciPy)" in names and "lbfgs" not in names


def test_points_beyond_the_pole_set_get_a_message_not_a_crash():
    # non-negative A: x = -20 (every coordinate) gives z << 0, so alpha < 0
    beyond = {"hessian.point": "custom", "hessian.custom_point": "-20"}
    at = run(PAGE["Hessian"], **POLES, **beyond)
    assert not at.exception
    assert "α < 0" in at.warning[0].value
    at = run(PAGE["Newton"], **POLES, **{"newton.start": "custom", "newton.custom_start": "-20"})
    assert not at.exception
    assert "pole" in at.error[0].value.lower()
    assert at.sidebar.radio(key="problem.kind")


def test_hessian_bad_custom_point_says_what_is_wrong():
    at = run(PAGE["Hessian"], **{"hessian.point": "custom", "hessian.custom_point": "1, 2, x"})
    assert not at.exception
    assert "must be 10 numbers separated by commas" in at.error[0].value
    assert at.sidebar.radio(key="problem.kind")  # the sidebar still works


def test_newton_methods_widget_changes_the_race():
    at = run(PAGE["Newton"])
    at.multiselect(key="newton.methods").set_value(["newton", "bfgs"]).run()
    no_trouble(at)
    legend = {t.get("name") for c in charts(at) for t in c["data"]}
    assert any("BFGS (SciPy)" in str(n) for n in legend)
    assert not any("approximate" in str(n) for n in legend)


def test_newton_empty_method_list_asks_for_one():
    at = run(PAGE["Newton"])
    at.multiselect(key="newton.methods").set_value([]).run()
    no_trouble(at)
    assert "Choose at least one method" in at.info[-1].value


def test_compare_uses_one_colour_scale_and_animates():
    at = run(PAGE["Compare"], **POLES, **{"compare.morph": "true", "compare.section": "morph"})
    no_trouble(at)
    first, second = (c["data"][0] for c in charts(at)[:2])
    assert (first["zmin"], first["zmax"]) == (second["zmin"], second["zmax"])
    morph = next(c for c in charts(at) if c.get("frames"))
    assert len(morph["frames"]) == 11


# -- bad input -------------------------------------------------------------------

def npy(array, **kw) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, **kw)
    return buf.getvalue()


def upload(files: dict) -> AppTest:
    at = run(PAGE["Home"], **{"problem.source": "upload"})
    for key, (name, data) in files.items():
        at.file_uploader(key=key).upload(name, data)
    return at.run()


def test_good_upload_builds_the_problem():
    rng = np.random.default_rng(0)
    at = upload({"upload.a": ("A.npy", npy(rng.standard_normal((30, 3)))),
                 "upload.b": ("b.csv", b"\n".join(b"%f" % v for v in np.full(30, 1 / 30)))})
    no_trouble(at)
    assert metrics(at)["n (rows of A)"] == "30" and metrics(at)["d (unknowns)"] == "3"


@pytest.mark.parametrize("name, data, message", [
    ("A.npy", npy(np.array([[1.0, np.nan], [0.0, 1.0]])), "must be finite"),
    ("A.csv", b"1,2\n3,abc\n", "must hold only numbers"),
    ("A.csv", b"", "is empty"),
    ("A.npy", npy(np.array([{"a": 1}], dtype=object), allow_pickle=True), "pickled"),
    ("A.npy", npy(np.zeros((2, 2, 2))), "must be a matrix"),
])
def test_bad_upload_of_a_is_reported(name, data, message):
    at = upload({"upload.a": (name, data), "upload.b": ("b.csv", b"0.5\n0.5\n")})
    assert not at.exception
    assert at.error and message in at.error[0].value, [e.value for e in at.error]
    assert at.sidebar.radio(key="problem.kind")


def test_upload_with_mismatched_b_is_reported():
    at = upload({"upload.a": ("A.npy", npy(np.eye(3))), "upload.b": ("b.csv", b"0.5\n0.5\n")})
    assert "b must have length 3" in at.error[0].value


def test_upload_over_the_size_limit_is_reported(monkeypatch):
    import landscape.loading
    monkeypatch.setattr(landscape.loading, "MAX_FILE_BYTES", 100)
    at = upload({"upload.a": ("A.npy", npy(np.zeros((20, 20)))), "upload.b": ("b.csv", b"1\n")})
    assert "files of at most" in at.error[0].value


def test_upload_with_no_file_yet_asks_for_one():
    at = run(PAGE["Landscape"], **{"problem.source": "upload"})
    assert not at.exception
    assert "upload a file for A" in at.error[0].value


def test_large_sizes_ask_before_computing():
    at = run(PAGE["Landscape"], **{"problem.n": "100000", "problem.d": "50"})
    assert not at.exception and not charts(at)
    assert "above 2,000,000" in at.warning[0].value
    assert at.checkbox(key="problem.allow_large")


def test_a_link_cannot_skip_the_confirmation_of_a_large_computation():
    """?problem.allow_large=true is ignored with a note: the link still asks first, and
    the URL never carries the confirmation."""
    at = run(PAGE["Landscape"], **{"problem.n": "41000", "problem.d": "50",
                                   "problem.allow_large": "true"})
    assert not at.exception and not charts(at)
    assert "problem.allow_large ignored" in " ".join(shown(w.value) for w in at.warning)
    assert not at.checkbox(key="problem.allow_large").value
    at.checkbox(key="problem.allow_large").check().run()
    assert "problem.allow_large" not in at.query_params


def test_bad_link_parameters_are_ignored_with_a_note():
    at = run(PAGE["Home"], **{"problem.n": "-5", "problem.matrix": "banana"})
    assert not at.exception
    notes = " ".join(shown(w.value) for w in at.warning)
    assert "problem.n='-5' ignored" in notes and "problem.matrix='banana' ignored" in notes
    assert metrics(at)["n (rows of A)"] == "200"


def test_strongly_convex_with_unified_explains_itself():
    at = run(PAGE["Home"], **{"problem.w": "strongly_convex"})
    assert not at.exception
    assert "needs the softmax loss" in at.error[0].value


def test_newton_has_one_step_control_for_the_map_and_the_table():
    at = run(PAGE["Newton"], **{"newton.methods": "newton,gd", "newton.max_iter": "20"})
    last = at.slider(key="newton.step").value
    assert last > 0
    assert not charts(at)[0].get("frames"), "no second (Plotly) step control"
    contour_trace = charts(at)[0]["data"][0]
    assert contour_trace["type"] == "contour"  # the landscape stays under the paths
    at.button(key="newton.previous").click().run()
    assert at.slider(key="newton.step").value == last - 1
    steps = int(at.table[-1].value.iloc[0]["steps"])
    assert int(at.table[0].value.iloc[0]["k"]) == min(last - 1, steps)
    for _ in range(last + 3):
        at.button(key="newton.previous").click().run()
    assert at.slider(key="newton.step").value == 0
    assert at.table[0].value.iloc[0]["k"] == "0"
    path = next(t for t in charts(at)[0]["data"] if str(t.get("name", "")).startswith("gradient"))
    assert decode(path["x"]).size == 1  # the map shows iteration 0 too
    at.button(key="newton.next").click().run()
    assert at.slider(key="newton.step").value == 1
    assert at.query_params["newton.step"] in ("1", ["1"])  # the URL follows
    no_trouble(at)


def test_newton_play_steps_through_the_race_then_stops():
    at = run(PAGE["Newton"], **{"newton.methods": "newton,gd", "newton.max_iter": "5"})
    last = at.slider(key="newton.step").value
    at.button(key="newton.play").click().run()  # at the end: play starts again from 0
    shown = [at.slider(key="newton.step").value]
    for _ in range(last + 2):
        at.run()  # what the fragment's timer does every PLAY_INTERVAL seconds
        shown.append(at.slider(key="newton.step").value)
    assert shown[:last + 1] == list(range(0, last + 1)) or shown[:last] == list(range(1, last + 1))
    assert shown[-1] == last and at.button(key="newton.play").proto.label == "▶ play"
    no_trouble(at)


@pytest.mark.parametrize("page", [p for p in PAGES if p not in ("Home", "Tour")])
def test_presentation_mode_shows_one_chart_at_a_time(page):
    at = run(page, **{"present": "true"})
    no_trouble(at)
    assert len(charts(at)) == 1
    slides = at.radio(key="present.slide")
    assert len(slides.options) >= 2
    first = charts(at)[0]
    at.radio(key="present.slide").set_value(slides.options[1]).run()
    no_trouble(at)
    assert charts(at)[0] != first and charts(at)[0]["layout"]["font"]["size"] == 18


def test_presentation_mode_turns_slides_with_the_arrow_buttons():
    """◀ and ▶ (keyboard ← and →) step through the charts and stop at the ends."""
    at = run(PAGE["Landscape"], **{"present": "true"})
    slides = at.radio(key="present.slide").options
    assert at.button(key="present.previous").disabled and not at.button(key="present.next").disabled
    assert at.button(key="present.next").proto.shortcut.lower() == "right"
    shown = [at.radio(key="present.slide").value]
    for _ in range(len(slides) - 1):
        at.button(key="present.next").click().run()
        no_trouble(at)
        shown.append(at.radio(key="present.slide").value)
    assert shown == slides and len(charts(at)) == 1
    assert at.button(key="present.next").disabled  # the last chart: no further
    at.button(key="present.previous").click().run()
    assert at.radio(key="present.slide").value == slides[-2]


def test_display_toggles_redraw_without_recomputing(monkeypatch):
    from landscape.ui import newton_view
    at = run(PAGE["Newton"], **{"newton.methods": "newton,gd", "newton.max_iter": "20"})
    calls = []
    original = newton_view.minimize
    monkeypatch.setattr(newton_view, "minimize",
                        lambda *a, **k: calls.append(1) or original(*a, **k))
    at.button(key="newton.previous").click().run()
    at.radio(key="newton.against").set_value("time").run()
    no_trouble(at)
    assert calls == []  # the race came from the cache both times


# -- one visual language -----------------------------------------------------------

def test_each_method_has_one_colour_and_one_name_on_the_newton_page():
    from landscape.figures.style import METHOD_COLOURS, METHOD_NAMES
    methods = ["newton", "approx_newton", "gd", "lbfgs"]
    at = run(PAGE["Newton"], **{"newton.methods": ",".join(methods)})
    no_trouble(at)
    seen = {}
    for chart in charts(at):
        for trace in chart["data"]:
            colour = (trace.get("line") or {}).get("color")
            for m in methods:
                if str(trace.get("name", "")).startswith(METHOD_NAMES[m]) and colour:
                    seen.setdefault(m, set()).add(colour)
    assert seen == {m: {METHOD_COLOURS[m]} for m in methods}  # map and convergence agree
    names = {row for table in at.table for row in table.value["method"]}
    assert names == {METHOD_NAMES[m] for m in methods}


@pytest.mark.parametrize("page, key", [("Landscape", "chart.landscape.contour"),
                                       ("Newton", "chart.newton.paths"),
                                       ("Compare", "chart.compare.first")])
def test_maps_are_drawn_at_equal_scale(page, key):
    at = run(PAGE[page])
    chart = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == key)
    assert chart["layout"]["yaxis"]["scaleanchor"] == "x"
    assert chart["layout"]["yaxis"]["scaleratio"] == 1


def test_the_loss_radio_names_the_loss_gamma_makes():
    at = run(PAGE["Home"])
    at.slider(key="problem.gamma").set_value(0.0).run()
    no_trouble(at)
    assert at.radio(key="problem.kind").value == "softmax"
    assert metrics(at)["loss kind"] == "softmax"
    at.slider(key="problem.gamma").set_value(1.0).run()
    assert at.radio(key="problem.kind").value == "unified"
    at.slider(key="problem.gamma").set_value(0.5).run()
    assert any("morph γ = 0.5" in shown(c.value) for c in at.sidebar.caption)


@pytest.mark.parametrize("page, params", [
    ("Hessian", {"hessian.point": "custom", "hessian.custom_point": "[Session expired](https://evil.example)"}),
    ("Newton", {"newton.start": "custom", "newton.custom_start": "![x](http://127.0.0.1:8799/t.png)"}),
])
def test_user_text_in_an_error_is_shown_literally(page, params):
    at = run(PAGE[page], **params)
    assert not at.exception
    message = at.error[0].value
    assert "](" not in message and r"\]\(" in message  # no link, no image: literal text
    assert "evil.example" in shown(message) or "127.0.0.1" in shown(message)


def test_a_preset_shows_its_claim_measured_beside_its_explanation():
    at = run(PAGE["Landscape"], preset="poles")
    no_trouble(at)
    measured = [c.value for c in at.caption if "Measured here" in c.value]
    assert len(measured) == 1 and "α changes sign inside the map" in measured[0]
    assert "does not hold" not in measured[0]
    at = run(PAGE["Landscape"], preset="poles", **{"problem.n": "150"})  # changed since
    no_trouble(at)
    assert not [c for c in at.caption if "Measured here" in c.value]


def test_a_replaced_upload_is_released_and_a_link_cannot_name_one():
    """Only the session's current A and b are kept (and they go with the session); a
    link cannot point at an upload's digest (another session's file)."""
    at = upload({"upload.a": ("A.npy", npy(np.eye(3))),
                 "upload.b": ("b.csv", b"0.5\n0.25\n0.25\n")})
    first = at.session_state["_uploads"]
    assert len(first) == 2
    at.file_uploader(key="upload.a").upload("A2.npy", npy(2 * np.eye(3))).run()
    no_trouble(at)
    assert len(at.session_state["_uploads"]) == 2  # the first A is gone
    digest = at.session_state["_settings"]["problem.upload_a"]
    other = run(PAGE["Home"], **{"problem.source": "upload", "problem.upload_a": digest})
    assert "problem.upload_a ignored" in " ".join(shown(w.value) for w in other.warning)
    assert "upload a file for A" in other.error[0].value  # nothing of the first session's


def test_an_upload_with_a_refused_extension_leaves_the_app_working():
    """A client that skips the browser's file-type filter gets a message, and the
    uploaders and the rest of the sidebar stay."""
    at = run(PAGE["Home"], **{"problem.source": "upload"})
    at.file_uploader(key="upload.a").upload("evil.exe", b"MZ\x90\x00").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.file_uploader(key="upload.a") and at.file_uploader(key="upload.b")
    assert "must end in .npy, .npz or .csv" in shown(at.error[0].value)


def test_tables_show_integers_as_integers_and_missing_numbers_as_a_dash():
    from landscape.ui.chrome import _cell
    assert [_cell(v) for v in (200, None, float("nan"), 0.000123456, "exact Newton")] == [
        "200", "–", "–", "0.0001235", "exact Newton"]


def test_x_true_is_marked_where_it_lies_on_the_plane():
    """d = 2: the plane is the whole space, so x_true is on it and marked; on a random
    plane of d = 5 it is not, and the caption says how far off it lies."""
    at = run(PAGE["Landscape"], preset="whole_landscape_2d")
    no_trouble(at)
    names = [t.get("name") for t in charts(at)[0]["data"]]
    assert "x_true" in names
    at = run(PAGE["Landscape"], preset="poles")
    no_trouble(at)
    assert "x_true" not in [t.get("name") for t in charts(at)[0]["data"]]
    assert any("x_true is not drawn: it lies" in c.value for c in at.caption)


def test_the_two_compare_maps_are_drawn_the_same_size():
    """Neither map carries a legend that the other lacks (it would shrink one of them):
    same height, same margins, no legend; the difference map is smoothed, not blocky."""
    at = run(PAGE["Compare"], preset="softmax_vs_unified")
    no_trouble(at)
    first, second, difference = charts(at)[:3]
    for key in ("height", "margin", "showlegend"):
        assert first["layout"].get(key) == second["layout"].get(key), key
    assert first["layout"]["showlegend"] is False
    assert difference["data"][0]["zsmooth"] == "best"


@pytest.mark.parametrize("page, section", [("Landscape", "7."), ("Hessian", "4."),
                                           ("Newton", "8."), ("Compare", "5.")])
def test_the_page_opens_its_mathematics_from_math_md(page, section):
    """"MATH.md 7" is one click away: the section itself, folded, on the page."""
    at = run(PAGE[page])
    no_trouble(at)
    labels = [e.label for e in at.expander]
    assert any(label.startswith(f"The mathematics: MATH.md {section}") for label in labels), labels
    # drawn only when opened (its code blocks cost the browser ~0.2 s on every visit)
    box = next(e for e in at.expander if e.label.startswith(f"The mathematics: MATH.md {section}"))
    assert not box.markdown
    at.session_state[f"mathematics.{section.rstrip('.')}"] = True
    at.run()
    box = next(e for e in at.expander if e.label.startswith(f"The mathematics: MATH.md {section}"))
    assert box.markdown and len(box.markdown[0].value) > 200


def test_the_hessian_path_choice_names_methods_as_everywhere_else():
    at = run(PAGE["Hessian"], **{"hessian.section": "path"})
    box = at.selectbox(key="hessian.path")
    assert "exact Newton" in box.options and "newton" not in box.options


def test_the_server_ceiling_holds_even_after_the_confirmation():
    """n x d above SERVER_ENTRIES is refused with the limit named, confirmed or not,
    before anything is allocated."""
    from landscape.ui.builder import SERVER_ENTRIES
    at = run(PAGE["Landscape"], **{"problem.n": "1000000", "problem.d": "100"})
    at.checkbox(key="problem.allow_large").check().run()
    assert not at.exception and not charts(at)
    message = shown(at.error[0].value)
    assert f"ceiling of {SERVER_ENTRIES:,} entries" in message and "no setting" in message


def test_an_unmet_sufficient_condition_is_not_reported_as_a_failure():
    """The regularisation conditions are sufficient for PSD: unmet, the guarantee does
    not apply (neutral, blue), which is not "does not hold" (a warning) when H is PD."""
    at = run(PAGE["Hessian"], preset="exact_vs_approximate_newton")
    no_trouble(at)
    texts = [shown(m.value) for m in at.info] + [shown(m.value) for m in at.warning]
    regularisation = [t for t in texts if "regularisation:" in t]
    assert regularisation and all("condition not met: the guarantee does not apply" in t
                                  or "condition met" in t or "for reference only" in t
                                  for t in regularisation)
    assert any("condition not met: the guarantee does not apply" in t for t in regularisation)
    assert not [w for w in at.warning if "regularisation" in w.value]


def test_the_race_table_reports_convergence_that_the_numbers_support():
    """No order for a linear run (gradient descent's ratios near 1 make the order
    estimate noise), statuses in words, the basin condition 'met' or 'not met'."""
    from landscape.ui import newton_view as nv
    at = run(PAGE["Newton"], preset="ill_conditioned")
    no_trouble(at)
    table = at.table[-1].value
    rows = {row["method"]: row for _, row in table.iterrows()}
    assert rows["gradient descent"]["convergence (H-norm error)"].startswith("linear, rate")
    assert rows["exact Newton"]["convergence (H-norm error)"].startswith("order")
    assert rows["gradient descent"]["status"] == "iteration limit"
    assert set(table["basin condition"]) <= {"met", "not met", "–"}
    assert nv.observed(None) == "–"


def test_compare_marks_x_true_on_both_maps_where_it_lies_on_the_plane():
    at = run(PAGE["Compare"], preset="whole_landscape_2d")
    no_trouble(at)
    first, second = charts(at)[:2]
    for chart in (first, second):
        assert "x_true" in [t.get("name") for t in chart["data"]]


def _texts(at) -> list[str]:
    """Every number-bearing text a reader sees on the page: metrics (and their help),
    captions, messages, markdown and table cells."""
    out = [f"{m.label}: {m.value}" for m in at.metric]
    out += [m.proto.help for m in at.metric if m.proto.help]
    for kind in ("caption", "markdown", "success", "info", "warning", "error"):
        out += [shown(e.value) for e in getattr(at, kind)]
    for table in at.table:
        out += [str(cell) for cell in np.ravel(table.value.to_numpy())]
    return out


E_NOTATION = re.compile(r"\d(\.\d+)?e[-+]?\d")


#: every tab of the pages that have them, so that what a closed tab shows is read too
TABS = {"Hessian": [{}, {"hessian.section": "path"}],
        "Compare": [{}, {"compare.section": "spectra"}, {"compare.section": "newton"},
                    {"compare.section": "morph", "compare.morph": "true"}]}


@pytest.mark.parametrize("page, tab", [(p, t) for p in PAGES for t in TABS.get(p, [{}])])
@pytest.mark.parametrize("preset", ["", "realizable_vs_not", "ill_conditioned", "poles",
                                    "exact_vs_approximate_newton"])
def test_numbers_on_every_page_are_written_as_on_the_charts_never_in_e_notation(page, tab,
                                                                                preset):
    """1.19×10⁻⁵, as the axes and colour bars write it, never 1.19e-05."""
    at = run(page, **({"preset": preset} if preset else {}), **tab)
    no_trouble(at)
    texts = _texts(at)
    assert texts
    bad = [t for t in texts if E_NOTATION.search(t)]
    assert not bad, bad


@pytest.mark.parametrize("page, name, sections", [
    ("Hessian", "hessian.section", {"structure": "chart.hessian.structure",
                                    "path": "chart.hessian.path"}),
    ("Compare", "compare.section", {"difference": "chart.compare.difference",
                                    "spectra": "chart.compare.spectra",
                                    "newton": "chart.compare.newton"}),
])
def test_only_the_open_tab_is_drawn_and_the_link_says_which(page, name, sections):
    """A closed tab's chart is neither drawn nor sent (it cost the browser time before
    the page's first chart); the open tab is a setting, so a link reopens it."""
    for open_one in sections:
        at = run(page, **{name: open_one})
        no_trouble(at)
        keys = {c.key for c in at.get("plotly_chart")}
        for section, key in sections.items():
            assert (key in keys) == (section == open_one), (open_one, keys)
        assert at.session_state[name] == FIELDS[name].labels[open_one]


@pytest.mark.parametrize("params, visible", [({}, False), ({"preset": "softmax_vs_unified",
                                                          "compare.log": "false"}, True)])
def test_compare_says_how_far_apart_the_two_maps_are(params, visible):
    """Two maps that look the same are said to differ too little to see, with the
    measured share; a visible difference is not called invisible."""
    at = run(PAGE["Compare"], **params)
    no_trouble(at)
    caption = next(shown(c.value) for c in at.caption if "losses differ by up to" in c.value)
    first, second, difference = charts(at)[:3]
    share = difference["data"][0]["zmax"] / (first["data"][0]["zmax"] - first["data"][0]["zmin"])
    assert f"{number(100 * share, 2)} %" in caption
    assert ("too little to see" in caption) == (not visible) == (share < 0.05)


@pytest.mark.parametrize("page", list(PAGES)[1:])
def test_a_computation_past_the_time_limit_says_so_and_the_app_stays_usable(page, monkeypatch):
    """No setting overrides the server's time limit per computation: a page whose
    computation runs past it shows why, with the limit, and keeps its sidebar."""
    from landscape.ui import builder
    monkeypatch.setattr(builder, "COMPUTE_SECONDS", 1e-9)
    own = {"step": "8"} if page == "Tour" else {}  # the tour's step on the sidebar's problem
    at = run(page, **{"problem.seed": "424242"}, **own)  # nothing of it cached yet
    assert not at.exception, [e.value for e in at.exception]
    assert any("stopped at the limit of 10⁻⁹ s per computation" in shown(e.value)
               for e in at.error), [e.value for e in at.error]
    assert at.sidebar.radio(key="problem.kind")


def test_the_morph_figure_is_built_only_when_its_tab_or_export_asks():
    """Eleven contour maps take about 0.1 s to build: not on every rerun of the page."""
    from landscape.ui import compare_view as cv
    from landscape.ui.state import spec_of
    values = {n: f.default for n, f in FIELDS.items()} | {"compare.morph": True}
    result = cv.comparison(spec_of(values, "problem."), spec_of(values, "compare."))
    figs = cv.figures(result, log_scale=False)
    assert "morph" not in vars(figs)  # not built yet
    assert len(figs.morph.frames) == values["compare.morph_frames"]



def test_figures_below_the_first_chart_are_built_when_asked_for():
    """The first charts go to the browser before the figures below them are built:
    Compare's difference, spectra and Newton figures, Hessian's structure and path."""
    import plotly.graph_objects as go

    from landscape.ui import compare_view as cv
    from landscape.ui import hessian_view as hv
    from landscape.ui.state import spec_of
    values = {n: f.default for n, f in FIELDS.items()}
    result = cv.comparison(spec_of(values, "problem."), spec_of(values, "compare."))
    figs = cv.figures(result, log_scale=False)
    lazy = ("difference", "spectra", "newton")
    assert not set(lazy) & set(vars(figs))
    assert all(isinstance(getattr(figs, name), go.Figure) for name in lazy)
    view = hv.hessian_view(spec_of(values, "problem."), spec_of(values, "hessian."))
    figs = hv.figures(view, scale="linear")
    assert not {"structure", "path"} & set(vars(figs))
    assert isinstance(figs.structure, go.Figure) and isinstance(figs.path, go.Figure)

def test_a_hessian_point_next_to_the_pole_set_is_said_to_be_inaccurate():
    """α a cancellation of far larger terms (κ > 1e8): the page says how much error that
    puts on its numbers, instead of showing them as if exact."""
    import landscape as ls
    from landscape.ui.builder import generator_arguments
    from landscape.ui.state import spec_of
    values = {n: f.default for n, f in FIELDS.items()} | {
        "problem.matrix": "nonnegative", "problem.d": 5}
    prob = ls.make_problem(**generator_arguments(spec_of(values, "problem.")))
    lo, hi = 0.0, 4.0  # alpha(-t 1) > 0 at t = 0 and < 0 at t = 4: bisect to the pole
    assert prob.evaluate(-hi * np.ones(5)).alpha_sign < 0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        lo, hi = (mid, hi) if prob.evaluate(-mid * np.ones(5)).alpha_sign > 0 else (lo, mid)
    x = -lo * np.ones(5)
    ev = prob.evaluate(x)
    assert ev.alpha_sign > 0 and ev.near_pole, ev.alpha_condition
    point = ", ".join(repr(float(v)) for v in x)
    at = run(PAGE["Hessian"], **POLES, **{"hessian.point": "custom", "hessian.custom_point": point})
    assert not at.exception
    warning = next(shown(w.value) for w in at.warning if "cancellation" in w.value)
    assert "next to the pole set" in warning and "relative error of about" in warning
