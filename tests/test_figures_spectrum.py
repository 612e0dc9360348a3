"""Spectrum figures (landscape.figures.spectrum): trace types, shapes, axes and hover
data; the builders only draw what the numerics computed."""

from __future__ import annotations

import importlib
import json

import numpy as np
import plotly.graph_objects as go
import pytest

import landscape as ls
from landscape.figures import spectrum as figures

spectral = importlib.import_module("landscape.spectrum")


@pytest.fixture(scope="module")
def problem():
    prob = ls.make_problem(60, 10, seed=1, kind="unified", target="realizable", noise=0.3,
                           w="constant", w_value=0.02)
    x = 0.8 * np.random.default_rng(0).standard_normal(prob.d)
    return prob, x


def _prescribed_spectrum(values) -> spectral.Spectrum:
    """A complete (dense) Spectrum with the given eigenvalues."""
    values = np.sort(np.asarray(values, dtype=float))
    return spectral.Spectrum(eigenvalues=values, positions=np.arange(values.size),
                             eigenvectors=None, d=values.size, smallest=values[0],
                             largest=values[-1], condition_number=np.nan,
                             n_negative=int(np.sum(values < 0)), n_negative_exact=True,
                             method="dense", converged=True, message="prescribed")


def _types(fig):
    return [trace.type for trace in fig.data]


def _serialisable(fig):
    json.loads(fig.to_json())  # NaN and read-only arrays survive the trip to the browser


def test_eigenvalue_figure_splits_signs_and_draws_stems(problem):
    prob, x = problem
    spec = spectral.spectrum(prob, x)
    fig = figures.eigenvalue_figure(spec)
    assert isinstance(fig, go.Figure)
    assert _types(fig) == ["scatter", "scatter", "scatter"]
    stems, negative, positive = fig.data
    assert stems.mode == "lines" and len(stems.x) == 3 * prob.d
    assert len(negative.x) + len(positive.x) == prob.d
    assert len(negative.x) == spec.n_negative
    np.testing.assert_array_equal(np.sort(np.r_[negative.customdata, positive.customdata]),
                                  spec.eigenvalues)
    assert "index" in fig.layout.xaxis.title.text
    assert "eigenvalue" in fig.layout.yaxis.title.text
    assert "lambda_%{x}" in positive.hovertemplate
    _serialisable(fig)


def test_symmetric_log_axis_keeps_small_negative_eigenvalues_visible():
    values = np.array([-1e-3, -2e-5, 1e-4, 1.0, 1e2, 1e5])
    fig = figures.eigenvalue_figure(_prescribed_spectrum(values))
    axis = fig.layout.yaxis
    assert "symmetric log" in axis.title.text
    negative = fig.data[1]
    # -2e-5 sits clearly below zero, not squashed onto it
    assert np.all(np.asarray(negative.y) < -0.1)
    assert np.all(np.diff(np.asarray(axis.tickvals)) > 0)
    assert "0" in axis.ticktext and "1e5" in axis.ticktext and "-1e5" in axis.ticktext
    # the true values stay in the hover data
    np.testing.assert_array_equal(negative.customdata, [-1e-3, -2e-5])
    linear = figures.eigenvalue_figure(_prescribed_spectrum(values), scale="linear")
    np.testing.assert_array_equal(linear.data[1].y, [-1e-3, -2e-5])
    narrow = figures.eigenvalue_figure(_prescribed_spectrum([-1.0, 0.5, 2.0, 3.0]))
    assert "symmetric log" not in narrow.layout.yaxis.title.text


def test_eigenvalue_figure_of_a_lanczos_spectrum_shades_the_middle(problem, monkeypatch):
    prob = ls.make_problem(200, 40, seed=3, kind="softmax", w="constant")
    monkeypatch.setattr(spectral, "DENSE_MAX_D", 10)
    spec = spectral.spectrum(prob, np.zeros(prob.d), k=3)
    fig = figures.eigenvalue_figure(spec)
    xs = np.concatenate([trace.x for trace in fig.data[1:]])
    np.testing.assert_array_equal(np.sort(xs), [1, 2, 3, 38, 39, 40])
    assert len(fig.layout.shapes) == 1
    assert fig.layout.shapes[0].x0 == 3.5 and fig.layout.shapes[0].x1 == 37.5
    assert fig.layout.annotations[0].text == "34 eigenvalues not computed"


def test_eigenvalue_figure_rejects_an_unknown_scale(problem):
    prob, x = problem
    with pytest.raises(ValueError, match=r"^scale must be one of 'auto', 'linear', 'symlog'; "
                                         r"received 'log'\.$"):
        figures.eigenvalue_figure(spectral.spectrum(prob, x), scale="log")


def test_density_figure_with_and_without_the_exact_histogram(problem):
    prob, x = problem
    density = spectral.spectral_density(prob, x, n_probes=8, n_steps=8, bins=20, n_grid=100)
    fig = figures.density_figure(density)
    assert _types(fig) == ["bar", "bar", "scatter"]
    exact, slq, smooth = fig.data
    assert len(exact.x) == len(slq.x) == 20
    np.testing.assert_array_equal(exact.y, density.exact_histogram)
    np.testing.assert_allclose(exact.width, np.diff(density.bin_edges))
    assert len(smooth.x) == len(smooth.y) == 100
    assert fig.layout.barmode == "overlay"
    assert "density" in fig.layout.yaxis.title.text and "lambda" in fig.layout.xaxis.title.text
    _serialisable(fig)
    estimate_only = spectral.spectral_density(prob, x, n_probes=4, n_steps=6, exact=False)
    fig = figures.density_figure(estimate_only, log_y=True)
    assert _types(fig) == ["bar", "scatter"] and fig.layout.yaxis.type == "log"


def test_structure_figure_sets_the_parts_side_by_side(problem):
    prob, x = problem
    structure = spectral.hessian_structure(prob, x)
    fig = figures.structure_figure(structure)
    assert _types(fig) == ["scatter", "scatter", "scatter", "scatter", "bar"]
    lower, upper, diagonal, whole, rank_two = fig.data
    assert upper.fill == "tonexty"
    for trace in (lower, upper, diagonal, whole):
        assert len(trace.x) == prob.d
    np.testing.assert_array_equal(whole.customdata, structure.whole)
    np.testing.assert_array_equal(diagonal.customdata, structure.diagonal_part)
    np.testing.assert_array_equal(rank_two.customdata, structure.rank_two)
    assert list(rank_two.x) == ["r_minus", "r_plus"]
    assert np.all(np.isfinite(np.asarray(lower.y, dtype=float)))  # ends drawn to the data edge
    assert "interlacing holds" in fig.layout.title.text
    _serialisable(fig)


def test_trajectory_figure_marks_iterates_on_the_pole_set():
    prob = ls.Problem(np.eye(2), np.array([0.5, 0.5]), kind="unified")
    pole = np.array([0.8919437915660755, -3.3663275929465444])
    path = spectral.trajectory_spectrum(prob, np.vstack([np.zeros(2), pole, 0.5 * pole]))
    fig = figures.trajectory_figure(path)
    names = [trace.name for trace in fig.data]
    assert names == ["smallest eigenvalue", "largest eigenvalue", "negative eigenvalues",
                     "iterate on the pole set (no Hessian)"]
    assert list(fig.data[-1].x) == [1]
    assert len(fig.data[0].x) == 3 and np.isnan(fig.data[0].y[1])
    assert fig.data[2].yaxis == "y2"
    _serialisable(fig)


def test_trajectory_figure_draws_every_eigenvalue_for_small_d(problem):
    prob, x = problem
    path = spectral.trajectory_spectrum(prob, np.vstack([t * x for t in (0.0, 0.5, 1.0)]))
    fig = figures.trajectory_figure(path, scale="linear")
    every = fig.data[0]
    assert every.name == "every computed eigenvalue"
    assert len(every.x) == prob.d * (3 + 1)  # each eigenvalue's path, then a break
    assert _types(fig) == ["scatter"] * 4
    assert "eigenvalue" in fig.layout.yaxis.title.text
    assert fig.layout.yaxis2.title.text == "number of negative eigenvalues"
