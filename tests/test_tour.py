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
from landscape.optimize import convergence_rate, fitted_order, row_sample
from landscape.spectral import regularisation_sweep
from landscape.ui import claims, state
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


def test_step_2_the_difference_vanishes_at_softmax_and_grows_to_a_tenth_at_gamma_1():
    one = shown_step(2)
    assert one.claim.holds and "72 %" in one.claim.text
    zero = shown_step(2, **{"tour.gamma": 0.0})
    assert zero.claim.holds and "the difference is 0 everywhere" in zero.claim.text
    small = shown_step(2, **{"tour.gamma": 0.1})
    assert small.claim.holds and "at γ = 1 it is 72 %" in small.claim.text


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
    swept = tc.sweep(state.spec_of(values, "problem."), state.spec_of(values, "hessian.")).sweep
    assert swept.smallest[0] < -swept.tolerance[0]
    assert swept.smallest[-1] > swept.tolerance[-1]
    assert 0 < swept.first_positive < tv.W_HIGH
    assert shown_step(5).claim.holds


@pytest.mark.parametrize("w", [0.04, 0.031])  # on the sweep's grid, and between its points
def test_step_5_marks_the_sliders_own_w(w):
    values = tv.values_of(5, {**TOUR, "tour.w": w}, DEFAULTS)
    prob = values_problem(values)
    x = np.full(prob.d, 1.5)
    direct = np.linalg.eigvalsh(prob.hessian(x) + w**2 * prob.A.T @ prob.A)[0]
    step = shown_step(5, **{"tour.w": w})
    marker = next(t for t in traces(step.charts[0][0]) if t["name"].startswith("the slider"))
    assert decode(marker["x"])[0] == pytest.approx(w)
    assert decode(marker["y"])[0] == pytest.approx(direct, rel=1e-9)
    assert step.charts[0][1].startswith(f"At w = {w:g}:")


def values_problem(values):
    from landscape.ui.builder import problem_from_spec
    return problem_from_spec(state.spec_of(values, "problem."))


@pytest.mark.parametrize("cond", [5.0, 10.0, 20.0, 50.0])
def test_step_6_newton_is_quadratic_and_gradient_descent_linear(cond):
    values = tv.values_of(6, {**TOUR, "tour.cond": cond}, DEFAULTS)
    race = claims.race_of(values)
    diag = dict(zip((r.method for r in race.runs), race.diagnostics, strict=True))
    assert diag["newton"].euclidean.fitted_order >= 1.8
    assert 0.9 <= diag["gd"].euclidean.fitted_order < 1.2 and diag["gd"].euclidean.rate < 1
    step = shown_step(6, **{"tour.cond": cond})
    assert step.claim.holds
    gd = next(r for r in race.runs if r.method == "gd")
    # a run stopped by rounding is finished, not short of the minimum
    assert ("at the rounding floor" in step.claim.text) == (gd.status.value == "stalled")


def test_step_6_gradient_descent_slows_as_the_condition_number_grows():
    rates = []
    for cond in (5.0, 10.0, 20.0, 50.0):
        race = claims.race_of(tv.values_of(6, {**TOUR, "tour.cond": cond}, DEFAULTS))
        rates.append(dict(zip((r.method for r in race.runs), race.diagnostics,
                              strict=True))["gd"].euclidean.rate)
    assert rates == sorted(rates)  # the answer to the step's question


@pytest.mark.parametrize("eps", [0.2, 0.5, 0.9])  # both ends of the slider
def test_step_7_the_picture_frames_the_first_steps_rows_and_the_claim_holds(eps):
    values = tv.values_of(7, {**TOUR, "tour.eps": eps}, DEFAULTS)
    A_rows, scores, kept, error = tc.sample(state.spec_of(values, "problem."),
                                            state.spec_of(values, "newton."))
    run = next(r for r in claims.race_of(values).runs if r.method == "approx_newton")
    assert error == pytest.approx(run.spectral_error[0], rel=1e-12)  # the run's first draw
    assert error <= eps
    step = shown_step(7, **{"tour.eps": eps})
    assert step.claim.holds, step.claim.text
    picture = step.charts[0][0]
    frames = [s for s in picture.layout.shapes if s.type == "rect"]
    assert len(frames) == kept.sum() > 0
    bars = {t["name"]: decode(t["y"]) for t in traces(picture) if t["type"] == "bar"}
    assert sum(b.size for b in bars.values()) == kept.size


def test_step_7_a_smaller_eps_keeps_more_rows():
    kept = []
    for eps in (0.2, 0.5, 0.9):
        run = next(r for r in claims.race_of(tv.values_of(7, {**TOUR, "tour.eps": eps},
                                                          DEFAULTS)).runs
                   if r.method == "approx_newton")
        kept.append(int(np.max(run.rows_kept)))
    assert kept == sorted(kept, reverse=True)


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
    at = open_page("Tour", step="5", **{"tour.w": "0.04"})
    at.button(key="tour.open").click().run()
    settings = at.session_state["_settings"]
    assert (settings["problem.w"], settings["problem.w_value"]) == ("constant", 0.04)
    assert settings["hessian.point"] == "custom" and not at.exception


# -- the library parts the tour added -------------------------------------------------

def test_fitted_order_of_linear_and_quadratic_sequences():
    assert fitted_order(0.9 ** np.arange(40)) == pytest.approx(1.0)
    quadratic = 0.5 ** (2.0 ** np.arange(6))
    assert fitted_order(quadratic) == pytest.approx(2.0)
    assert np.isnan(fitted_order([1.0, 0.5]))
    # errors at or under the floor are rounding, not the method: left out
    assert fitted_order(np.r_[0.9 ** np.arange(20), 1e-20, 1e-20], floor=1e-16) == \
        pytest.approx(1.0)
    # a damped start (linear) then quadratic: the last half is the quadratic phase
    damped = np.r_[0.8 ** np.arange(5), 0.8 ** 4 * 0.5 ** (2.0 ** np.arange(1, 6))]
    assert fitted_order(damped) >= 1.8
    assert fitted_order(damped[:5]) == pytest.approx(1.0)  # the damped phase alone


def test_the_rate_carries_the_fitted_order_above_the_floor():
    errors = np.r_[0.5 ** (2.0 ** np.arange(5)), 1e-30]
    rate = convergence_rate(errors, floor=1e-20)
    assert rate.n_used == 5 and rate.fitted_order == pytest.approx(fitted_order(errors[:5]))


def test_regularisation_sweep_lifts_lambda_min_by_w2_ata():
    prob = ls.make_problem(50, 6, seed=2, kind="softmax", target="realizable")
    x = np.full(prob.d, 1.5)
    ws = np.linspace(0.0, 0.5, 6)
    swept = regularisation_sweep(prob, x, ws)
    H0, G = prob.hessian(x), prob.A.T @ prob.A
    for w, smallest in zip(ws, swept.smallest, strict=True):  # an independent route
        assert smallest == pytest.approx(np.linalg.eigvalsh(H0 + w**2 * G)[0], rel=1e-9,
                                         abs=1e-12)
    assert np.all(np.diff(swept.smallest) >= -swept.tolerance[1:])
    assert not swept.smallest.flags.writeable
    with pytest.raises(ValueError, match="weights"):
        regularisation_sweep(prob, x, [-1.0])


def test_row_sample_scores_probabilities_and_error():
    prob = ls.make_problem(3000, 6, seed=1, kind="softmax")
    x = np.zeros(prob.d)
    drawn = row_sample(prob, x, eps=0.5, seed=3, leverage="qr")
    D = prob.hessian_parts(x).D
    M = np.sqrt(np.maximum(D, 0))[:, None] * prob.A
    Q, _ = np.linalg.qr(M)
    np.testing.assert_allclose(drawn.scores, np.sum(Q**2, axis=1), rtol=1e-9, atol=1e-14)
    assert drawn.scores.sum() == pytest.approx(np.linalg.matrix_rank(M))
    expected = np.minimum(1.0, 4.0 * drawn.scores * np.log(prob.d / 0.01) / 0.5**2)
    np.testing.assert_allclose(drawn.probabilities, expected, rtol=1e-12)
    assert set(np.flatnonzero(D < 0)) <= set(drawn.kept)
    assert 0 <= drawn.spectral_error <= 0.5
    assert not drawn.kept.flags.writeable
    again = row_sample(prob, x, eps=0.5, seed=3, leverage="qr")
    np.testing.assert_array_equal(drawn.kept, again.kept)  # the same seed, the same rows
    assert row_sample(prob, x, eps=0.25, seed=3, leverage="qr").kept.size > drawn.kept.size
    with pytest.raises(ValueError, match="eps"):
        row_sample(prob, x, eps=1.5)
    with pytest.raises(ValueError):
        row_sample("not a problem", x)


def test_row_sample_is_the_first_draw_of_approximate_newton():
    prob = ls.make_problem(4000, 8, seed=4, kind="unified", target="realizable", noise=0.1)
    run = ls.minimize(prob, np.zeros(prob.d), "approx_newton", eps=0.4, seed=7, max_iter=30)
    drawn = row_sample(prob, np.zeros(prob.d), eps=0.4, max_iter=30, seed=7)
    assert drawn.kept.size == run.rows_kept[0]
    assert drawn.spectral_error == pytest.approx(run.spectral_error[0], rel=1e-12)


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


def test_choosing_a_preset_in_the_sidebar_keeps_the_tours_step_and_the_mode():
    """Found in review of the tour: a preset reset every setting, the tour's step and the
    presentation mode too, so a preset chosen on step 8 threw the class back to step 1."""
    at = open_page("Tour", step="8", present="true", **{"tour.w": "0.04"})
    at.selectbox(key="preset").set_value("poles").run()
    settings = at.session_state["_settings"]
    assert (settings["step"], settings["present"], settings["tour.w"]) == (8, True, 0.04)
    assert settings["problem.matrix"] == "nonnegative" and not at.exception


def test_step_2_names_the_red_line_only_where_its_map_draws_one():
    """Step 2's text says a red line appears for gamma >= 0.35 on its plane: at every value
    of its slider the pole set is drawn exactly there."""
    from landscape.ui import tour_charts

    assert "γ ≥ 0.35 here" in tv.STEPS[1].notice and "**pole set**" in tv.STEPS[1].words
    for gamma in np.round(np.arange(0.0, 1.0001, 0.05), 2):
        values = tv.values_of(2, {"tour.gamma": float(gamma)}, {})
        result = tour_charts._comparison(values)
        assert result.surfaces.second.has_poles == (gamma >= 0.35), gamma
