"""The guided tour (issue 16): every step runs, draws its charts and its measured
claim holds on the numbers behind them; the step and its controls live in the URL;
the tour leaves the sidebar's problem alone until a reader asks to take a step's
problem into the lab."""

import json
import re

import numpy as np
import pytest
from apptest_support import open_page
from plotly_data import decode, traces

import landscape as ls
import landscape.ui.chrome  # noqa: F401  (registers every page's settings)
from landscape.optimize import fitted_order, row_sample
from landscape.ui import state
from landscape.ui import tour_charts as tc
from landscape.ui import tour_view as tv

DEFAULTS = {n: f.default for n, f in state.FIELDS.items()}
TOUR = {n: v for n, v in DEFAULTS.items() if n.startswith("tour.")}


def shown_step(number: int, **controls) -> tc.Shown:
    tour = {**TOUR, **controls}
    return tc.show(number, tv.values_of(number, tour, DEFAULTS), tour)


def shown(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_eight_steps_each_with_at_most_two_controls_and_a_text():
    assert len(tv.STEPS) == 8
    for step in tv.STEPS:
        assert len(step.controls) <= 2
        assert all(name in state.FIELDS for name in step.controls)
        assert step.notice and step.question and step.answer
        assert step.page in tv.PAGE_FILES


@pytest.mark.parametrize("number", range(1, 9))
def test_every_step_runs_in_the_app_and_its_claim_holds(number):
    at = open_page("Tour", step=str(number))
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.radio(key="step").value == number
    expected = shown_step(number)
    assert len(charts(at)) == len(expected.charts) == tv.STEPS[number - 1].charts
    assert expected.claim.holds, expected.claim.text
    captions = [shown(c.value) for c in at.caption]
    assert any(c.startswith("**Measured here:**") for c in captions), captions
    assert all(f.layout.title.text for f, _ in expected.charts), "every chart has a title"


def test_step_1_the_lowest_cell_is_x_true_and_the_view_switches_to_3d():
    claim = shown_step(1).claim
    assert claim.holds and "within one cell" in claim.text
    assert shown_step(1, **{"tour.view": "3-D"}).charts[0][0].data[0].type == "surface"


def test_step_2_the_difference_grows_with_gamma_and_vanishes_at_softmax():
    assert shown_step(2).claim.holds  # γ = 1: the difference is at least 10 % of the range
    at_zero = shown_step(2, **{"tour.gamma": 0.0})
    assert not at_zero.claim.holds  # γ = 0 is softmax itself: said, not claimed


def test_step_3_the_pole_set_crosses_the_map_and_its_outline_follows_the_toggle():
    on, off = shown_step(3), shown_step(3, **{"tour.poles": False})
    assert on.claim.holds and off.claim.holds
    assert "(red)" in on.charts[0][1] and "(red)" not in off.charts[0][1]


@pytest.mark.parametrize("point", ["zero", "far"])
def test_step_4_rank_two_has_one_positive_and_one_negative_eigenvalue(point):
    values = tv.values_of(4, {**TOUR, "tour.point": point}, DEFAULTS)
    s = tc._hessian(values).structure
    assert s.rank_two[0] < -s.tolerance < s.tolerance < s.rank_two[1]
    assert s.interlacing_holds
    assert abs(s.n_negative_whole - s.n_negative_diagonal) <= 1
    assert shown_step(4, **{"tour.point": point}).claim.holds


def test_step_5_lambda_min_changes_sign_between_the_ends_of_the_slider():
    values = tv.values_of(5, TOUR, DEFAULTS)
    sweep = tc.sweep(state.spec_of(values, "problem."), state.spec_of(values, "hessian."))
    assert sweep.smallest[0] < -sweep.tolerance[0]
    assert sweep.smallest[-1] > sweep.tolerance[-1]
    assert np.all(np.diff(sweep.smallest) > 0)  # adding w² AᵀA only lifts λ_min
    # an independent route: λ_min of H(0) + w² AᵀA at the slider's middle
    prob = ls.Problem(np.array(values_problem(values).A), values_problem(values).b,
                      kind="softmax")
    x = np.full(prob.d, 1.5)
    w = tc.W_SWEEP[20]
    direct = np.linalg.eigvalsh(prob.hessian(x) + w**2 * prob.A.T @ prob.A)[0]
    assert sweep.smallest[20] == pytest.approx(direct, rel=1e-10, abs=1e-12)
    figure = shown_step(5, **{"tour.w": 0.04}).charts[0][0]
    marker = next(t for t in traces(figure) if t["name"].startswith("the slider"))
    assert decode(marker["x"])[0] == pytest.approx(0.04)


def values_problem(values):
    from landscape.ui.builder import problem_from_spec
    return problem_from_spec(state.spec_of(values, "problem."))


@pytest.mark.parametrize("cond", [5.0, 20.0, 50.0])
def test_step_6_newton_is_quadratic_and_gradient_descent_linear(cond):
    values = tv.values_of(6, {**TOUR, "tour.cond": cond}, DEFAULTS)
    race = tc._race(values)
    diag = dict(zip((r.method for r in race.runs), race.diagnostics, strict=True))
    assert fitted_order(diag["newton"].error) >= 1.8
    assert 0.9 <= fitted_order(diag["gd"].error) < 1.2
    assert shown_step(6, **{"tour.cond": cond}).claim.holds


def test_step_7_few_rows_kept_the_picture_frames_them_and_the_error_is_within_eps():
    values = tv.values_of(7, TOUR, DEFAULTS)
    A_rows, scores, kept, error = tc.sample(state.spec_of(values, "problem."), 0.5)
    assert 0 < kept.sum() <= 0.2 * kept.size
    assert error <= 0.5
    picture = shown_step(7).charts[0][0]
    frames = [s for s in picture.layout.shapes if s.type == "rect"]
    assert len(frames) == kept.sum()
    bars = {t["name"]: decode(t["y"]) for t in traces(picture) if t["type"] == "bar"}
    assert sum(b.size for b in bars.values()) == kept.size
    assert shown_step(7).claim.holds


def test_step_8_shows_the_sidebars_own_problem():
    at = open_page("Tour", step="8", **{"problem.n": "120", "problem.d": "3"})
    assert "n = 120, d = 3" in " ".join(shown(c.value) for c in at.caption)


def test_the_tour_leaves_the_sidebars_problem_alone():
    at = open_page("Tour", step="6", **{"problem.n": "120"})
    assert at.session_state["_settings"]["problem.n"] == 120
    assert at.session_state["_settings"]["problem.cond"] == DEFAULTS["problem.cond"]
    assert "n = 120" in " ".join(shown(c.value) for c in at.sidebar.caption)


def test_next_and_previous_buttons_move_the_step_and_the_url():
    at = open_page("Tour")
    assert at.button(key="tour.previous").disabled
    at.button(key="tour.next").click().run()
    assert at.radio(key="step").value == 2 and at.query_params["step"] == "2"
    at.button(key="tour.previous").click().run()
    assert at.radio(key="step").value == 1 and "step" not in at.query_params
    at = open_page("Tour", step="8")
    assert at.button(key="tour.next").disabled


def test_a_link_carries_the_step_and_its_control():
    at = open_page("Tour", step="5", **{"tour.w": "0.04"})
    assert at.slider(key="tour.w").value == pytest.approx(0.04)
    assert any("At w = 0.04:" in shown(c.value) for c in at.caption)
    at.slider(key="tour.w").set_value(0.02).run()
    assert at.query_params["tour.w"] == "0.02" and at.query_params["step"] == "5"


@pytest.mark.parametrize("bad", ["0", "9", "two", "1e9"])
def test_a_bad_step_in_a_link_is_named_and_the_tour_starts_at_step_1(bad):
    at = open_page("Tour", step=bad)
    assert not at.exception
    assert at.radio(key="step").value == 1
    assert any("step" in shown(w.value) and "ignored" in shown(w.value) for w in at.warning)


def test_opening_a_step_in_the_lab_takes_its_problem_and_settings_along():
    at = open_page("Tour", step="6", **{"tour.cond": "50.0"})
    at.button(key="tour.open").click().run()
    settings = at.session_state["_settings"]
    assert settings["preset"] == "ill_conditioned"
    assert settings["problem.cond"] == 50.0 and settings["problem.matrix"] == "ill_conditioned"
    assert settings["newton.methods"] == ["newton", "gd"]
    assert not at.exception


# -- the library parts the tour added -------------------------------------------------

def test_fitted_order_of_linear_and_quadratic_sequences():
    assert fitted_order(0.9 ** np.arange(40)) == pytest.approx(1.0)
    quadratic = 0.5 ** (2.0 ** np.arange(6))
    assert fitted_order(quadratic) == pytest.approx(2.0)
    assert np.isnan(fitted_order([1.0, 0.5]))
    # errors at or under the floor are rounding, not the method: left out
    assert fitted_order(np.r_[0.9 ** np.arange(20), 1e-20, 1e-20], floor=1e-16) == \
        pytest.approx(1.0)


def test_row_sample_scores_probabilities_and_error():
    prob = ls.make_problem(3000, 6, seed=1, kind="softmax")
    x = np.zeros(prob.d)
    drawn = row_sample(prob, x, eps=0.5, seed=3)
    D = prob.hessian_parts(x).D
    M = np.sqrt(np.maximum(D, 0))[:, None] * prob.A
    Q, _ = np.linalg.qr(M)
    np.testing.assert_allclose(drawn.scores, np.sum(Q**2, axis=1), rtol=1e-9, atol=1e-14)
    assert drawn.scores.sum() == pytest.approx(np.linalg.matrix_rank(M))
    assert np.all((drawn.probabilities >= 0) & (drawn.probabilities <= 1))
    assert set(np.flatnonzero(D < 0)) <= set(drawn.kept)
    assert 0 <= drawn.spectral_error <= 0.5
    again = row_sample(prob, x, eps=0.5, seed=3)
    np.testing.assert_array_equal(drawn.kept, again.kept)  # the same seed, the same rows
    assert row_sample(prob, x, eps=0.25, seed=3).kept.size > drawn.kept.size
    with pytest.raises(ValueError, match="eps"):
        row_sample(prob, x, eps=1.5)


def test_a_preset_in_a_link_stays_the_sidebars_and_steps_1_to_7_do_not_show_it():
    at = open_page("Tour", preset="poles", step="2")
    assert at.selectbox(key="preset").value == "poles"
    assert not any("Preset:" in shown(i.value) for i in at.info)
    at = open_page("Tour", preset="poles", step="8", present="true")
    box = [shown(i.value) for i in at.info if "With a non-negative A" in shown(i.value)]
    assert box and "Changed since the preset" not in box[0]  # neither the step nor the mode


def test_presentation_mode_draws_the_steps_charts_its_text_and_controls():
    at = open_page("Tour", step="2", present="true")
    assert not at.exception and not at.error
    assert len(charts(at)) == 2
    assert at.slider(key="tour.gamma").value == 1.0
    assert at.button(key="tour.next").proto.shortcut.lower() == "right"
    assert at.button(key="tour.previous").proto.shortcut.lower() == "left"


def test_home_links_to_the_tour():
    def walk(node):
        for child in getattr(node, "children", {}).values():
            yield child
            yield from walk(child)

    at = open_page("Home")
    links = [el.proto for el in walk(at.main) if getattr(el, "type", "") == "page_link"]
    assert [link.page for link in links] == ["Tour"]
    assert "guided tour" in links[0].label


def test_each_step_says_which_problem_it_works_on():
    at = open_page("Tour", step="5")
    line = next(shown(c.value) for c in at.caption if "problem" in c.value)
    assert "own problem: n = 50, d = 8, softmax" in line
    at = open_page("Tour", step="8")
    assert any("your problem, the sidebar's" in shown(c.value) for c in at.caption)
