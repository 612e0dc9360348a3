"""The convergence figure: one line per run in each panel, log axes, the data of the
trajectories and diagnostics drawn as given, clear legends and hover text."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

import landscape as ls
from landscape.figures.optimize import convergence_figure, run_label
from landscape.optimize import diagnose, minimize


@pytest.fixture(scope="module")
def runs():
    prob = ls.make_problem(2000, 5, seed=1, kind="unified", target="realizable", noise=0.1,
                           w="constant", w_value=0.05)
    x0 = np.zeros(prob.d)
    trajs = [minimize(prob, x0, "newton"), minimize(prob, x0, "approx_newton", eps=0.3),
             minimize(prob, x0, "approx_newton", eps=0.6), minimize(prob, x0, "gd", max_iter=5)]
    x_star = trajs[0].x
    return trajs, [diagnose(prob, t, x_star) for t in trajs]


def test_two_panels_one_line_per_run(runs):
    trajs, convs = runs
    fig = convergence_figure(trajs, convs)
    assert isinstance(fig, go.Figure)
    assert len(fig.data) == 2 * len(trajs)
    errors = [t for t in fig.data if t.xaxis == "x"]
    grads = [t for t in fig.data if t.xaxis == "x2"]
    assert len(errors) == len(grads) == len(trajs)
    for trace, traj, conv in zip(errors, trajs, convs, strict=True):
        np.testing.assert_array_equal(trace.x, np.arange(traj.n_iter + 1))
        expected = np.where(conv.error_hessian > 0, conv.error_hessian, np.nan)
        np.testing.assert_array_equal(trace.y, expected)
    for trace, traj in zip(grads, trajs, strict=True):
        np.testing.assert_array_equal(trace.y, traj.grad_norm)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "log"
    assert fig.layout.xaxis.title.text == "iteration k"


def test_legend_names_each_run_once(runs):
    trajs, convs = runs
    fig = convergence_figure(trajs, convs)
    shown = [t.name for t in fig.data if t.showlegend]
    assert shown == ["exact Newton", "approximate Newton (ε = 0.3)", "approximate Newton (ε = 0.6)",
                     "gradient descent — iteration limit"]
    # both panels of a run toggle together and share its colour; repeats change the dash
    for name in shown:
        pair = [t for t in fig.data if t.legendgroup == name]
        assert len(pair) == 2 and pair[0].line.color == pair[1].line.color
    approx = [t for t in fig.data if t.name.startswith("approximate Newton") and t.showlegend]
    assert approx[0].line.color == approx[1].line.color
    assert approx[0].line.dash != approx[1].line.dash
    assert fig.data[0].line.color != approx[0].line.color


def test_against_time_uses_elapsed_seconds(runs):
    trajs, convs = runs
    fig = convergence_figure(trajs, convs, against="time", error="euclidean")
    for trace, traj in zip([t for t in fig.data if t.xaxis == "x"], trajs, strict=True):
        np.testing.assert_array_equal(trace.x, traj.elapsed)
    assert fig.layout.xaxis.title.text == "time (s)"
    assert "‖<sub>2</sub>" in fig.layout.annotations[0].text


def test_hover_shows_run_iteration_time_and_loss(runs):
    trajs, convs = runs
    fig = convergence_figure(trajs, convs)
    trace = fig.data[1]
    assert "exact Newton" in trace.hovertemplate
    for field in ("k = %{customdata[0]:d}", "time = %{customdata[1]:.3g} s",
                  "loss = %{customdata[2]:.8g}"):
        assert field in trace.hovertemplate
    custom = np.asarray(trace.customdata)
    np.testing.assert_array_equal(custom[:, 2], trajs[0].loss)
    np.testing.assert_array_equal(custom[:, 1], trajs[0].elapsed)


def test_without_diagnostics_only_the_gradient_panel(runs):
    trajs, _ = runs
    fig = convergence_figure(trajs[0])
    assert len(fig.data) == 1
    assert fig.data[0].showlegend
    assert fig.layout.annotations[0].text.startswith("gradient norm")


def test_a_missing_diagnostic_leaves_only_that_error_line_out(runs):
    trajs, convs = runs
    fig = convergence_figure(trajs[:2], [convs[0], None])
    assert len(fig.data) == 3
    assert [t.name for t in fig.data if t.showlegend] == ["exact Newton",
                                                          "approximate Newton (ε = 0.3)"]


def test_exact_zeros_become_gaps(runs):
    trajs, convs = runs
    fig = convergence_figure(trajs[0], convs[0])
    assert convs[0].error_hessian[-1] == 0  # x* is this run's own last iterate
    y = np.asarray(fig.data[0].y)
    assert np.isnan(y[-1]) and np.all(y[:-1] > 0)
    # the figure serialises (no NaN trouble in JSON)
    assert fig.to_json()


def test_labels_override_names(runs):
    trajs, convs = runs
    fig = convergence_figure(trajs[:1], convs[:1], labels=["exact"])
    assert {t.name for t in fig.data} == {"exact"}
    assert run_label(trajs[1]) == "approximate Newton (ε = 0.3)"


@pytest.mark.parametrize("kwargs,message", [
    (dict(against="wall"), "against must be one of 'iteration', 'time'; received 'wall'."),
    (dict(error="max"), "error must be one of 'euclidean', 'hessian'; received 'max'."),
])
def test_bad_options(runs, kwargs, message):
    trajs, _ = runs
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")
                       .replace(".", r"\.")):
        convergence_figure(trajs, **kwargs)


def test_bad_inputs(runs):
    trajs, convs = runs
    with pytest.raises(ValueError, match="^trajectories must be a Trajectory"):
        convergence_figure([])
    with pytest.raises(ValueError, match=r"^diagnostics must have one entry per trajectory \(4\); "
                                         r"received 1\."):
        convergence_figure(trajs, convs[:1])
    with pytest.raises(ValueError, match=r"^labels must have one entry per trajectory \(4\)"):
        convergence_figure(trajs, labels=["a"])


@pytest.mark.parametrize("steps", [1, 3, 7, 12, 40, 250])
def test_iteration_axes_have_integer_ticks_only(steps):
    """Iterations are whole numbers: the axis never offers 0.5 or 1.5, whatever the
    length of the run."""
    prob = ls.make_problem(40, 3, seed=1, kind="softmax")
    run = ls.minimize(prob, np.zeros(3), "gd", max_iter=steps, tol=1e-300)
    fig = convergence_figure(run)
    axis = fig.layout.xaxis
    assert float(axis.dtick).is_integer() and axis.tick0 == 0 and axis.tickformat == "d"
    assert run.n_iter / axis.dtick <= 8


def test_runs_told_apart_by_colour_use_the_colours_given():
    """Compare's two Newton runs differ by their loss, not their method: each gets the
    loss's colour (as in the page's other charts) and the legend says "loss"."""
    prob = ls.make_problem(40, 3, seed=1, kind="softmax")
    runs = [ls.minimize(prob, np.zeros(3), "newton") for _ in range(2)]
    fig = convergence_figure(runs, labels=["γ = 0", "γ = 1"], colours=["#111111", "#222222"],
                             legend_title="loss")
    assert {t.line.color for t in fig.data} == {"#111111", "#222222"}
    assert fig.layout.legend.title.text == "loss"


def test_short_runs_carry_a_marker_per_step_long_runs_are_lines():
    """A marker per iterate tells short coinciding runs apart; on a long run it only
    clutters (and costs the browser half a second of SVG)."""
    from landscape.figures.optimize import MARKED_STEPS
    prob = ls.make_problem(500, 10, seed=0, kind="softmax", matrix="ill_conditioned", cond=20,
                           w="constant", w_value=0.001)  # the ill-conditioned preset
    short = ls.minimize(prob, np.zeros(10), "newton")
    long = ls.minimize(prob, np.zeros(10), "gd", max_iter=MARKED_STEPS + 20)
    assert short.n_iter <= MARKED_STEPS < long.n_iter
    modes = {t.name.split(" —")[0]: t.mode for t in convergence_figure([short, long]).data}
    assert modes == {"exact Newton": "lines+markers", "gradient descent": "lines"}
