"""The time limit on a computation (landscape.deadline): every long loop of the library
stops at it with a message naming what stopped and the limit; nothing changes without
one; the app shows the message and stays usable."""

import time

import numpy as np
import pytest

import landscape as ls
from landscape import spectral
from landscape.deadline import TimeLimitExceeded, check, time_limit
from landscape.optimize import METHODS, minimize

PROB = ls.make_problem(200, 6, seed=0, kind="unified", target="realizable")
X0 = np.zeros(PROB.d)
PASSED = 1e-9  # a limit that has passed by the first check


def test_check_is_silent_without_a_limit_and_within_one():
    check("nothing")
    with time_limit(60):
        check("a quick step")


def test_check_raises_once_the_limit_has_passed_naming_what_and_the_limit():
    with time_limit(0.01):
        time.sleep(0.02)
        with pytest.raises(TimeLimitExceeded, match=r"^the plane was stopped at the limit of "
                                                    r"0.01 s per computation"):
            check("the plane")
    check("after the block")  # the limit ends with its block


def test_an_inner_limit_never_extends_an_outer_one():
    with time_limit(PASSED):
        time.sleep(0.001)
        with time_limit(60), pytest.raises(TimeLimitExceeded, match="10⁻⁹ s"):
            check("inner")


@pytest.mark.parametrize("seconds", [0, -1, float("nan")])
def test_a_limit_must_be_positive(seconds):
    with pytest.raises(ValueError, match="seconds must be positive"):
        with time_limit(seconds):
            pass


def test_the_limit_is_a_value_error_so_callers_that_refuse_input_catch_it():
    assert issubclass(TimeLimitExceeded, ValueError)


@pytest.mark.parametrize("method", METHODS)
def test_every_optimiser_stops_at_the_limit(method):
    with time_limit(PASSED), pytest.raises(TimeLimitExceeded, match="per computation"):
        minimize(PROB, X0, method)


@pytest.mark.parametrize("compute", [
    lambda: ls.surface_2d(PROB, X0, np.eye(PROB.d)[0], np.eye(PROB.d)[1], ls.grid(2, 41),
                          ls.grid(2, 41)),
    lambda: spectral.spectral_density(PROB, X0),
    lambda: spectral.trajectory_spectrum(PROB, [X0, X0 + 0.1, X0 + 0.2], k=2),
    lambda: spectral.spectrum(PROB, X0, 2, method="lanczos"),
], ids=["surface", "density", "path spectrum", "lanczos"])
def test_every_long_computation_stops_at_the_limit(compute):
    compute()  # fine without a limit
    with time_limit(PASSED), pytest.raises(TimeLimitExceeded, match="per computation"):
        compute()


def test_results_are_the_same_under_a_limit_that_is_not_reached():
    free = minimize(PROB, X0, "newton")
    with time_limit(600):
        limited = minimize(PROB, X0, "newton")
    np.testing.assert_array_equal(free.xs, limited.xs)


def test_a_watcher_hears_each_unit_of_a_long_computation_and_can_stop_it():
    """``watch(report)``: the plane's row blocks, the optimiser's steps and the row
    blocks of a pass over an A on disk report (what, done, total); a report that
    raises (the app's Cancel) stops the work there."""
    from landscape.deadline import watch

    heard = []
    prob = ls.make_problem(9000, 4, seed=0, kind="unified")
    axis = ls.grid(1.0, 11)
    with watch(lambda what, done, total: heard.append((what, done, total))):
        ls.surface_2d(prob, np.zeros(4), np.eye(4)[0], np.eye(4)[1], axis, axis)
        minimize(PROB, X0, "gd", max_iter=5)
    plane = [(d, t) for w, d, t in heard if w == "the loss on the plane"]
    assert [d for d, _ in plane] == [0, 4096, 8192] and {t for _, t in plane} == {9000}
    assert [d for w, d, _ in heard if w.startswith("the optimiser run")] == [0, 1, 2, 3, 4]

    class Cancelled(Exception):
        pass

    def cancel(what, done, total):
        if done >= 4096:
            raise Cancelled(what)

    with watch(cancel), pytest.raises(Cancelled, match="the loss on the plane"):
        ls.surface_2d(prob, np.zeros(4), np.eye(4)[0], np.eye(4)[1], axis, axis)
    check("outside", 1, 2)  # no watcher after the block
