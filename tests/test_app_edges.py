"""Edge settings of the app, headless (AppTest): every legal setting gives a picture or
a clear next step, never a traceback or a blank page, and the sidebar is always drawn
("State you can trust"). Degenerate sizes (d = 1, n = 1, n < d), every "custom"
choice empty and filled (by link and by widget), the length ‖x₀‖ at x₀ = 0, and bad
or out-of-range link values. Numbers behind the charts are checked against the
library, not only the absence of errors."""

import json
import re

import numpy as np
import pytest
from apptest_support import PAGES, go_to, open_page
from plotly_data import decode

import landscape as ls
from landscape.directions import DIRECTION_KINDS
from landscape.ui.builder import generator_arguments
from landscape.ui.newton_view import METHOD_LABELS
from landscape.ui.state import FIELDS

SIZES = {"d=1": {"problem.d": "1"}, "n=1": {"problem.n": "1"},
         "n<d": {"problem.n": "3", "problem.d": "8"}}
D = FIELDS["problem.d"].default  # 10


# -- helpers -----------------------------------------------------------------------

def shown(markdown: str) -> str:
    """The text a reader sees of Markdown whose punctuation is backslash-escaped."""
    return re.sub(r"\\(.)", r"\1", markdown)


def messages(at, *kinds: str) -> list[str]:
    return [shown(m.value) for kind in (kinds or ("error", "warning", "info"))
            for m in getattr(at, kind)]


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def healthy(at) -> None:
    """No traceback, no error, and the sidebar drawn."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, messages(at, "error")
    assert at.sidebar.radio(key="problem.kind"), "the sidebar is drawn"


def widget(at, name: str):
    """The widget of setting ``name`` (its key is the name)."""
    return getattr(at, FIELDS[name].widget)(key=name)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def problem(**settings) -> ls.Problem:
    """The problem the app builds from the default settings overridden by these
    (``problem.`` left out of the names)."""
    s = {name: f.default for name, f in FIELDS.items() if name.startswith("problem.")}
    s.update({f"problem.{k}": v for k, v in settings.items()})
    return ls.make_problem(**generator_arguments(tuple(s.items())))


def trace(chart: dict, name: str) -> dict:
    return next(t for t in chart["data"] if t.get("name") == name)


def title(chart: dict, axis: str) -> str:
    t = chart["layout"].get(axis, {}).get("title", {})
    return t.get("text", "") if isinstance(t, dict) else str(t)


def loss_chart(at) -> dict:
    """The chart that holds the loss curve "L" (Landscape's slice, Newton's paths)."""
    return next(c for c in charts(at) if any(t.get("name") == "L" for t in c["data"]))


def contour_trace(at) -> dict:
    return next(t for c in charts(at) for t in c["data"] if t["type"] == "contour")


def check_surface(trace_: dict, prob: ls.Problem, x0, u, v) -> None:
    """values[j, i] = L(x0 + a_i u + c_j v) at a few cells."""
    a, c = decode(trace_["x"]), decode(trace_["y"])
    values = decode(trace_["customdata"]).reshape(c.size, a.size)
    for i, j in [(0, 0), (a.size // 2, c.size // 2), (a.size - 1, 7), (13, c.size - 1)]:
        assert values[j, i] == pytest.approx(prob.loss(x0 + a[i] * u + c[j] * v), rel=1e-7)


# -- 1. degenerate sizes on every page --------------------------------------------

@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("page", list(PAGES))
def test_degenerate_sizes_draw_a_picture(page, size):
    own = {"step": "8"} if page == "Tour" else {}  # the tour's step on the sidebar's problem
    at = open_page(page, **SIZES[size], **own)
    healthy(at)
    if page == "Home":
        m = metrics(at)
        assert (m["n (rows of A)"], m["d (unknowns)"]) == (SIZES[size].get("problem.n", "200"),
                                                           SIZES[size].get("problem.d", "10"))
        return
    drawn = charts(at)
    assert drawn, "a lab page draws at least one chart"
    if size == "d=1":  # a 1-D picture: no map, no 3-D surface anywhere
        kinds = {t["type"] for c in drawn for t in c["data"]}
        assert not kinds & {"contour", "surface", "heatmap"}, kinds


@pytest.mark.parametrize("params, center", [
    ({}, 0.0),
    ({"landscape.span": "1.5", "landscape.center": "custom",
      "landscape.custom_center": "0.5"}, 0.5),
], ids=["default", "custom-centre"])
def test_landscape_d1_is_the_loss_along_the_one_axis(params, center):
    at = open_page("Landscape", **{"problem.d": "1", **params})
    healthy(at)
    span = float(params.get("landscape.span", FIELDS["landscape.span"].default))
    (chart,) = charts(at)
    assert {t["type"] for t in chart["data"]} == {"scatter"}
    assert "x₁" in title(chart, "xaxis")
    line = trace(chart, "L")
    ts, ys = decode(line["x"]), decode(line["y"])
    assert ts.min() == pytest.approx(-span) and ts.max() == pytest.approx(span)
    assert np.isfinite(ys).mean() > 0.9
    prob = problem(d=1)
    for k in np.linspace(0, ts.size - 1, 7).astype(int):
        if np.isfinite(ys[k]):
            assert ys[k] == pytest.approx(prob.loss(np.array([center + ts[k]])), rel=1e-9)


def test_compare_d1_draws_both_losses_along_the_axis():
    at = open_page("Compare", **{"problem.d": "1", "compare.span": "2"})
    healthy(at)
    first, difference = charts(at)[:2]
    assert {t["type"] for t in first["data"]} == {"scatter"}
    prob = problem(d=1)
    curves = {}
    for g in (0.0, 1.0):
        t = trace(first, f"γ = {g:g}")
        ts, ys = decode(t["x"]), decode(t["y"])
        assert ts.min() == pytest.approx(-2.0) and ts.max() == pytest.approx(2.0)
        for k in (0, ts.size // 3, ts.size // 2, ts.size - 1):
            assert ys[k] == pytest.approx(prob.with_gamma(g).loss(np.array([ts[k]])), rel=1e-9)
        curves[g] = ys
    diff = decode(difference["data"][0]["y"])
    np.testing.assert_allclose(diff, curves[1.0] - curves[0.0], rtol=1e-9, atol=1e-12)


def test_newton_d1_draws_each_methods_iterates_on_the_loss_curve():
    at = open_page("Newton", **{"problem.d": "1"})  # crashed with AttributeError once
    healthy(at)
    prob = problem(d=1)
    chart = loss_chart(at)
    assert not {t["type"] for t in chart["data"]} - {"scatter"}
    curve = trace(chart, "L")
    ts, ys = decode(curve["x"]), decode(curve["y"])
    methods = FIELDS["newton.methods"].default
    paths = {m: trace(chart, METHOD_LABELS[m]) for m in methods}
    starts = {m: decode(p["x"])[0] for m, p in paths.items()}
    # every method starts at x = 0, drawn at offset 0 - x*: the same x* for all
    x_star = -starts["newton"]
    assert all(s == pytest.approx(-x_star) for s in starts.values())
    assert abs(prob.gradient(np.array([x_star]))[0]) < 1e-6  # x* is the minimiser
    for m, p in paths.items():
        px, py = decode(p["x"]), decode(p["y"])
        assert px.size >= 2, f"{m} has no iterates"
        for t, y in zip(px, py, strict=True):  # each iterate lies on the loss: (x_k - x*, L(x_k))
            assert y == pytest.approx(prob.loss(np.array([x_star + t])), rel=1e-9)
        assert ts.min() <= px.min() and px.max() <= ts.max()  # the curve covers the path
    for k in (0, ts.size // 4, ts.size // 2, ts.size - 1):
        assert ys[k] == pytest.approx(prob.loss(np.array([x_star + ts[k]])), rel=1e-9)


def test_hessian_d1_shows_the_one_eigenvalue():
    at = open_page("Hessian", **{"problem.d": "1"})
    healthy(at)
    h = problem(d=1).hessian(np.zeros(1))
    assert h.shape == (1, 1)
    m = metrics(at)
    assert m["smallest eigenvalue"] == m["largest eigenvalue"] == f"{h[0, 0]:.4g}"


# -- 2. every "custom" choice, empty and filled ------------------------------------

CUSTOM = {  # page, the choice, its text settings filled, what the prompt asks for
    "centre": ("Landscape", "landscape.center", {"landscape.custom_center": "0.5"}, "x₀"),
    "directions": ("Landscape", "landscape.directions",
                   {"landscape.custom_u": ",".join(["2"] + ["0"] * (D - 1)),
                    "landscape.custom_v": ",".join(["0", "0", "1"] + ["0"] * (D - 3))},
                   "u and v"),
    "point": ("Hessian", "hessian.point", {"hessian.custom_point": "0.3"}, "point x"),
    "start": ("Newton", "newton.start", {"newton.custom_start": "0.3"}, "x₀"),
}


def prompts(at) -> list[str]:
    return [m for m in messages(at, "info") if m.startswith("Type")]


@pytest.mark.parametrize("case", list(CUSTOM))
def test_empty_custom_choice_asks_for_input(case):
    page, choice, texts, asks = CUSTOM[case]
    at = open_page(page, **{choice: "custom"})
    healthy(at)
    assert not charts(at)
    (prompt,) = prompts(at)
    assert asks in prompt and f"{D} numbers" in prompt
    for name in texts:
        assert widget(at, name).value == ""  # the box to type in is on screen


@pytest.mark.parametrize("case", list(CUSTOM))
def test_filled_custom_choice_by_link_draws(case):
    page, choice, texts, _ = CUSTOM[case]
    at = open_page(page, **{choice: "custom", **texts})
    healthy(at)
    assert charts(at) and not prompts(at)
    for name, text in texts.items():
        assert widget(at, name).value == text


@pytest.mark.parametrize("case", list(CUSTOM))
def test_custom_choice_by_widget(case):
    page, choice, texts, asks = CUSTOM[case]
    at = open_page(page)
    widget(at, choice).set_value("custom").run()
    healthy(at)
    assert not charts(at) and asks in prompts(at)[0]
    names = list(texts)
    for k, name in enumerate(names):
        widget(at, name).input(texts[name]).run()
        healthy(at)
        if k < len(names) - 1:  # u without v: still asks
            assert not charts(at) and prompts(at)
    assert charts(at) and not prompts(at)
    for name, text in texts.items():
        assert at.query_params[name] in (text, [text])  # the URL follows
    widget(at, names[0]).input("").run()  # emptied again: the prompt is back
    healthy(at)
    assert not charts(at) and prompts(at)


def test_custom_centre_is_where_the_slice_passes():
    at = open_page("Landscape", **{"landscape.center": "custom",
                                   "landscape.custom_center": "0.5"})
    healthy(at)
    line = trace(loss_chart(at), "L")
    ts, ys = decode(line["x"]), decode(line["y"])
    k = int(np.argmin(np.abs(ts)))
    assert ys[k] == pytest.approx(problem().loss(np.full(D, 0.5)), rel=1e-7)


def test_custom_directions_span_the_plane_as_typed():
    page, choice, texts, _ = CUSTOM["directions"]
    at = open_page(page, **{choice: "custom", **texts})
    healthy(at)
    u = np.array([float(s) for s in texts["landscape.custom_u"].split(",")])
    v = np.array([float(s) for s in texts["landscape.custom_v"].split(",")])
    check_surface(contour_trace(at), problem(), np.zeros(D), u, v)
    contour_chart = next(c for c in charts(at) if c["data"][0]["type"] == "contour")
    assert "u" in title(contour_chart, "xaxis") and "v" in title(contour_chart, "yaxis")


def test_custom_hessian_point_is_where_the_eigenvalues_are_taken():
    at = open_page("Hessian", **{"hessian.point": "custom", "hessian.custom_point": "0.3"})
    healthy(at)
    eig = np.linalg.eigvalsh(problem().hessian(np.full(D, 0.3)))
    m = metrics(at)
    assert m["smallest eigenvalue"] == f"{eig[0]:.4g}"
    assert m["largest eigenvalue"] == f"{eig[-1]:.4g}"


def test_custom_newton_start_is_where_the_race_starts():
    at = open_page("Newton", **{"problem.d": "1", "newton.start": "custom",
                                "newton.custom_start": "0.3"})
    healthy(at)
    prob = problem(d=1)
    path = trace(loss_chart(at), METHOD_LABELS["newton"])
    px, py = decode(path["x"]), decode(path["y"])
    assert py[0] == pytest.approx(prob.loss(np.array([0.3])), rel=1e-9)
    xs = 0.3 + (px - px[0])  # offsets from x*, shifted back to the start
    np.testing.assert_allclose(py, [prob.loss(np.array([x])) for x in xs], rtol=1e-9)


# -- 3. length ‖x₀‖ at x₀ = 0 -------------------------------------------------------

def test_length_of_a_zero_centre_falls_back_to_unit():
    at = open_page("Landscape", **{"landscape.scale": "center"})
    healthy(at)
    scale = widget(at, "landscape.scale")
    assert scale.disabled and scale.value == "unit"
    prob = problem()
    dirs = ls.make_directions(prob, np.zeros(D), "random", seed=0, scale="unit")
    check_surface(contour_trace(at), prob, np.zeros(D), dirs.u, dirs.v)


def test_length_of_a_nonzero_centre_is_offered_and_used():
    at = open_page("Landscape", **{"landscape.scale": "center", "landscape.center": "custom",
                                   "landscape.custom_center": "1"})
    healthy(at)
    scale = widget(at, "landscape.scale")
    assert not scale.disabled and scale.value == "center"
    prob, x0 = problem(), np.ones(D)
    dirs = ls.make_directions(prob, x0, "random", seed=0, scale="center")
    check_surface(contour_trace(at), prob, x0, dirs.u, dirs.v)


def test_length_follows_the_centre_through_the_widgets():
    at = open_page("Landscape")
    assert widget(at, "landscape.scale").disabled
    widget(at, "landscape.center").set_value("custom").run()
    widget(at, "landscape.custom_center").input("1").run()
    healthy(at)
    assert not widget(at, "landscape.scale").disabled
    widget(at, "landscape.scale").set_value("center").run()
    healthy(at)
    assert charts(at) and widget(at, "landscape.scale").value == "center"
    widget(at, "landscape.custom_center").input("0").run()  # now the centre is x = 0
    healthy(at)
    scale = widget(at, "landscape.scale")
    assert scale.disabled and scale.value == "unit" and charts(at)


# -- 4. bad and out-of-range link values -------------------------------------------

BAD_LINKS = [  # page, link parameters, the bad one, the value used instead
    ("Landscape", {"problem.d": "4", "landscape.directions": "axes", "landscape.axis_i": "9"},
     "landscape.axis_i", 4),
    ("Landscape", {"problem.n": "abc"}, "problem.n", 200),
    ("Home", {"problem.d": "0"}, "problem.d", 10),
    ("Newton", {"newton.eps": "0.01"}, "newton.eps", 0.5),
    ("Newton", {"newton.methods": "newton,banana"}, "newton.methods",
     FIELDS["newton.methods"].default),
    ("Landscape", {"landscape.span": "nan"}, "landscape.span", 3.0),
    ("Landscape", {"landscape.resolution": "77"}, "landscape.resolution", 101),
    ("Landscape", {"landscape.center": "banana"}, "landscape.center", "zero"),
    ("Compare", {"compare.gamma_b": "2"}, "compare.gamma_b", 1.0),
]


@pytest.mark.parametrize("page, params, name, used", BAD_LINKS, ids=[c[2] for c in BAD_LINKS])
def test_bad_link_value_is_refused_or_clamped_with_a_note(page, params, name, used):
    at = open_page(page, **params)
    healthy(at)
    assert any(name in w for w in messages(at, "warning")), messages(at)
    assert widget(at, name).value == used
    if page != "Home":
        assert charts(at)


def test_clamped_axis_is_the_axis_drawn():
    at = open_page("Landscape", **{"problem.d": "4", "landscape.directions": "axes",
                                   "landscape.axis_i": "9"})
    assert not at.exception
    chart = next(c for c in charts(at) if c["data"][0]["type"] == "contour")
    assert title(chart, "xaxis") == "x4" and title(chart, "yaxis") == "x2"
    assert at.query_params["landscape.axis_i"] in ("4", ["4"])  # the link says what is used


# -- 5. messages name only settings the page has -------------------------------------

@pytest.mark.parametrize("params", [{"problem.n": "1"}, {"problem.n": "1", "problem.d": "2"}],
                         ids=["n=1", "n=1,d=2"])
def test_newton_with_one_row_suggests_only_its_own_settings(params):
    at = open_page("Newton", **params)
    assert not at.exception and at.sidebar.radio(key="problem.kind")
    text = " ".join(messages(at)).lower()
    foreign = [w for w in ("resolution", "span", "centre", "center", "direction", "hessian_top")
               if w in text]
    assert not foreign, messages(at)
    healthy(at)
    assert charts(at)


# -- every direction kind: a picture or a next step in the page's own terms ----------

INTERNALS = ("trajectory", "shape (", "counting from 0")


@pytest.mark.parametrize("params", [
    *({"problem.n": "1", "landscape.directions": k} for k in DIRECTION_KINDS),
    {"problem.d": "4", "landscape.directions": "axes", "landscape.axis_i": "2",
     "landscape.axis_j": "2"},
], ids=[*(f"n=1-{k}" for k in DIRECTION_KINDS), "axes-i=j"])
def test_every_direction_kind_gives_a_picture_or_a_next_step(params):
    at = open_page("Landscape", **params)
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.radio(key="problem.kind")
    said = messages(at, "error", "info")
    assert charts(at) or said, "neither a picture nor a message"
    for text in said:
        assert not any(word in text for word in INTERNALS), text


def test_sidebar_survives_a_failing_page_and_the_next_page_draws():
    at = open_page("Newton", **{"problem.n": "1"})
    assert at.sidebar.radio(key="problem.kind")
    go_to(at, "Landscape")
    healthy(at)
    assert charts(at)
    assert widget(at, "problem.n").value == 1
