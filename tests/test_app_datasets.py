"""The app's large data sets on the server (issue 15): stores in LANDSCAPE_DATA_DIR
chosen by name, described from metadata, estimated and confirmed before a large
computation, watched by a progress bar, stopped by Cancel."""

import io
import json
import re

import numpy as np
import pytest
from apptest_support import open_page
from plotly_data import decode

import landscape as ls
from landscape.data.writer import write_store
from landscape.ui import datasets


def shown(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """A small store (below the size that asks first) and a large one."""
    folder = tmp_path_factory.mktemp("data")
    write_store(folder / "small.zarr", 3000, 5, seed=1, kind="unified", chunk_rows=700)
    write_store(folder / "large.zarr", 250_000, 10, seed=2, chunk_rows=50_000)
    return folder


@pytest.fixture
def server_data(data_dir, monkeypatch):
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(data_dir))
    datasets.stores.clear()
    return data_dir


def charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def test_the_sidebar_lists_the_stores_and_describes_the_chosen_one(server_data):
    at = open_page("Home", **{"problem.source": "server"})
    assert not at.exception and not at.error, [e.value for e in at.error]
    chooser = at.sidebar.selectbox(key="problem.store")
    assert chooser.options == ["large.zarr", "small.zarr"]
    at.sidebar.selectbox(key="problem.store").set_value("small.zarr").run()
    captions = " ".join(shown(c.value) for c in at.sidebar.caption)
    assert "n = 3,000, d = 5" in captions and "on disk, stored in chunks of 700 rows" in captions
    assert "n = 3000, d = 5" in captions  # the summary line: the problem in use
    assert at.query_params["problem.store"] in ("small.zarr", ["small.zarr"])


def npy(array) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def test_a_small_store_shows_what_the_same_data_shows_in_memory(server_data):
    """The Home page's metrics on the store (A read by row blocks) equal those of the
    same A and b uploaded (A in memory), digit for digit; the Landscape map is drawn."""
    params = {"problem.source": "server", "problem.store": "small.zarr", "problem.w": "none"}
    at = open_page("Home", **params)
    assert not at.exception and not at.error, [e.value for e in at.error]
    on_disk = ls.open_store(server_data, "small.zarr")
    assert type(on_disk.A) is not np.ndarray  # A stayed on disk
    uploaded = open_page("Home", **{**params, "problem.source": "upload"})
    uploaded.file_uploader(key="upload.a").upload("A.npy", npy(np.asarray(on_disk.A)))
    uploaded.file_uploader(key="upload.b").upload("b.npy", npy(on_disk.b))
    uploaded.run()
    assert not uploaded.exception and not uploaded.error
    served = {m.label: m.value for m in at.metric}
    assert served == {m.label: m.value for m in uploaded.metric} and len(served) >= 5
    at = open_page("Landscape", **params)
    assert not at.exception and not at.error
    contour = next(t for c in charts(at) for t in c["data"] if t["type"] == "contour")
    assert np.isfinite(decode(contour["z"])).mean() > 0.5


@pytest.mark.parametrize("name", ["../etc", "/etc/passwd", "nothing.zarr", "small.zarr/.."])
def test_a_link_cannot_name_anything_but_a_listed_store(server_data, name):
    at = open_page("Landscape", **{"problem.source": "server", "problem.store": name})
    assert not at.exception
    messages = " ".join(shown(e.value) for e in [*at.error, *at.warning])
    assert (f"problem.store={name!r} ignored: there is no data set of that name in this "
            "server's data directory") in messages
    assert "using the first data set listed" in messages
    assert at.sidebar.selectbox(key="problem.store").value == "large.zarr"  # the first
    assert not charts(at)  # the first is large: it asks first


def test_no_data_directory_says_how_to_make_a_store(tmp_path, monkeypatch):
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(tmp_path / "missing"))
    datasets.stores.clear()
    at = open_page("Home", **{"problem.source": "server"})
    assert not at.exception
    assert any("python -m landscape.data make" in shown(i.value) for i in at.sidebar.info)


def test_a_large_store_is_estimated_and_confirmed_then_watched(
        server_data, monkeypatch):
    reports = []
    monkeypatch.setattr(datasets.Progress, "__call__",
                        lambda self, what, done, total: reports.append((what, done, total)))
    at = open_page("Landscape", **{"problem.source": "server", "problem.store": "large.zarr"})
    assert not at.exception and not charts(at)
    message = shown(at.warning[0].value)
    assert "n = 250,000, d = 10" in message and "passes over A" in message
    assert re.search(r"about [\d.]+ s, with about [\d.]+ MB", message), message
    at.checkbox(key="problem.allow_large").check().run()
    assert not at.exception and charts(at)
    assert reports and all(done <= total for _, done, total in reports)
    assert any(what == "the loss on the plane" for what, _, _ in reports)
    assert "cancel" not in [b.key for b in at.button]  # gone once the computation ended


def test_the_tours_own_steps_ignore_a_confirmed_large_sidebar_problem(server_data,
                                                                      monkeypatch):
    """Found in review: steps 1-7 ran under the large data set's long time limit, its
    progress bar and its Cancel button (whose click changed the sidebar's confirmation)."""
    import streamlit as st
    reports = []
    monkeypatch.setattr(datasets.Progress, "__call__",
                        lambda self, what, done, total: reports.append(what))
    at = open_page("Tour", step="8", **{"problem.source": "server",
                                        "problem.store": "large.zarr"})
    assert not charts(at) and "passes over A" in shown(at.warning[0].value)
    at.checkbox(key="problem.allow_large").check().run()
    assert charts(at) and reports  # step 8 is the sidebar's problem: watched
    st.cache_data.clear()
    st.cache_resource.clear()
    reports.clear()
    at.radio(key="step").set_value(3).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert charts(at) and not reports  # step 3's own problem: the ordinary time limit
    assert at.session_state["_settings"]["problem.allow_large"]  # the confirmation stays


@pytest.mark.parametrize("page", ["Home", "Landscape", "Hessian", "Newton", "Compare", "Tour"])
def test_the_estimate_counts_the_passes_over_a_the_page_makes(server_data, monkeypatch, page):
    """Found in review: the estimates said 3 passes where the Hessian page made 148.
    Each page's passes over A, counted on a small store with the default settings, lie
    within a factor of two of ``PAGE_PASSES``, on which the estimate stands."""
    import streamlit as st

    from landscape import rows

    passes = []
    original = rows.map_blocks
    monkeypatch.setattr(rows, "map_blocks", lambda *a, **k: passes.append(1) or original(*a, **k))
    st.cache_data.clear()
    st.cache_resource.clear()  # nothing computed before: every pass is counted
    own = {"step": "8"} if page == "Tour" else {}  # the tour's step on the sidebar's problem
    at = open_page(page, **{"problem.source": "server", "problem.store": "small.zarr"}, **own)
    assert not at.exception and not at.error, [e.value for e in at.error]
    passes.pop()  # opening the store (its check of every entry), which the estimate adds
    counted, declared = len(passes), datasets.PAGE_PASSES[page]
    assert declared / 2 <= counted <= 2 * declared, (page, counted, declared)


def test_a_store_name_with_markdown_in_it_is_shown_as_typed(tmp_path, monkeypatch):
    write_store(tmp_path / "**bold**_[x](y).zarr", 300, 4, seed=1, chunk_rows=100)
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(tmp_path))
    datasets.stores.clear()
    at = open_page("Home", **{"problem.source": "server"})
    assert not at.exception and not at.error, [e.value for e in at.error]
    summary = next(c.value for c in at.sidebar.caption if "Current problem" in c.value)
    assert r"data set \*\*bold\*\*\_\[x\]\(y\)\.zarr\:" in summary  # escaped: shown as typed


def test_a_large_store_that_cannot_be_read_says_so_before_the_estimate(tmp_path, monkeypatch):
    """The estimate reads the store's first row block: a damaged one gives the store's
    error on the page, not a traceback, and the sidebar stays usable."""
    write_store(tmp_path / "cut.zarr", 250_000, 10, seed=2, chunk_rows=50_000)
    chunk = sorted((tmp_path / "cut.zarr" / "A").rglob("c/*/*"))[0]
    with open(chunk, "r+b") as handle:
        handle.truncate(10)
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(tmp_path))
    datasets.stores.clear()
    datasets.pass_seconds.clear()
    at = open_page("Landscape", **{"problem.source": "server"})
    assert not at.exception, [e.value for e in at.exception]
    assert "cannot be read at rows 0 to" in shown(at.error[0].value)
    assert at.sidebar.selectbox(key="problem.store")
