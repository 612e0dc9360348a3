"""Every page runs headless (AppTest) and its widgets change what is computed."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_runs_without_exception(page):
    at = AppTest.from_file(str(page), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title or at.header or at.subheader


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_home_shows_the_default_problem_at_zero():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    m = metrics(at)
    assert m["n (rows of A)"] == "200" and m["d (unknowns)"] == "10"
    assert m["loss kind"] == "unified"
    assert float(m["smallest eigenvalue of H(0)"]) <= float(m["largest eigenvalue of H(0)"])
    assert any("alpha = <u, 1> is positive" in c.value for c in at.caption)


def test_home_kind_widget_changes_the_computation():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    unified = metrics(at)
    at.radio(key="problem.kind").set_value("softmax").run()
    softmax = metrics(at)
    assert not at.exception
    assert softmax["loss kind"] == "softmax"
    assert softmax["L(0)"] != unified["L(0)"]
