"""Exports parse and reload to the same numbers; the generated script reproduces the
surface; every page offers its downloads."""

import io
import runpy
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import landscape as ls
from landscape import export
from landscape.figures import surface as figures
from landscape.ui import exports, state

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def problem_spec():
    import landscape.ui.builder  # noqa: F401  (registers the problem.* fields)
    return tuple(sorted((k, f.default) for k, f in state.FIELDS.items() if k.startswith("problem.")))


@pytest.fixture(scope="module")
def surface(problem_spec):
    from landscape.ui.builder import problem_from_spec
    prob = problem_from_spec.__wrapped__(problem_spec)
    dirs = ls.make_directions(prob, np.zeros(prob.d), "random", seed=3)
    return ls.surface_2d(prob, np.zeros(prob.d), dirs.u, dirs.v, ls.grid(2, 31), ls.grid(1, 21))


def test_csv_reloads_to_the_same_numbers(surface):
    text = export.table_csv(export.surface_table(surface))
    data = np.genfromtxt(io.StringIO(text), delimiter=",", names=True)
    np.testing.assert_array_equal(data["loss"], surface.values.ravel())
    np.testing.assert_array_equal(data["a"].reshape(21, 31)[0], surface.alphas)
    np.testing.assert_array_equal(data["alpha_sign"], surface.alpha_sign.ravel())


def test_npz_reloads_to_the_same_arrays(surface):
    arrays = export.surface_arrays(surface)
    with np.load(io.BytesIO(export.arrays_npz(arrays)), allow_pickle=False) as back:
        for key, value in arrays.items():
            np.testing.assert_array_equal(back[key], value)


def test_html_is_standalone_and_holds_the_plot(surface):
    html = exports.figure_html(figures.contour_figure(surface))
    assert "<html>" in html[:100] and "plotly" in html.lower()
    assert "Plotly.newPlot" in html and '<script src="http' not in html  # works offline


def test_table_csv_refuses_ragged_columns():
    with pytest.raises(ValueError, match="columns must have equal lengths"):
        export.table_csv({"a": np.zeros(2), "b": np.zeros(3)})


def test_trajectory_exports_hold_every_iterate():
    prob = ls.default_problem()
    runs = [ls.minimize(prob, np.zeros(prob.d), m) for m in ("newton", "gd")]
    table = export.trajectories_table(runs)
    assert len(table["k"]) == sum(r.xs.shape[0] for r in runs)
    np.testing.assert_array_equal(table["x1"][: runs[0].xs.shape[0]], runs[0].xs[:, 0])
    text = export.table_csv(table)
    assert text.splitlines()[1].startswith("newton,0,")


def test_generated_script_reproduces_the_surface(problem_spec, surface, tmp_path, monkeypatch):
    script = exports.surface_script(problem_spec, surface)
    path = tmp_path / "landscape_surface.py"
    path.write_text(script)
    monkeypatch.chdir(tmp_path)
    namespace = runpy.run_path(str(path))
    np.testing.assert_array_equal(namespace["surface"].values, surface.values)
    assert (tmp_path / "landscape_surface.html").stat().st_size > 100_000


@pytest.mark.parametrize("page, count", [("pages/1_Landscape.py", 4), ("pages/2_Hessian.py", 3),
                                         ("pages/3_Newton.py", 3), ("pages/4_Compare.py", 3)])
def test_every_page_offers_its_downloads(page, count):
    at = AppTest.from_file(str(ROOT / page), default_timeout=120).run()
    assert not at.exception
    buttons = at.get("download_button")
    assert len(buttons) == count
