"""A large data set on the server, in the browser: the page asks first with an
estimate; once confirmed, a progress bar moves and Cancel stops the computation at its
next unit of work, long before it would have ended."""

import time

import browser_support as bs
import pytest

from landscape.data.writer import write_store
from landscape.ui import datasets

pytestmark = [pytest.mark.e2e, bs.requires_chromium]

#: n x d of the store: 8 million rows, so that the Landscape page's 101 x 101 plane
#: (8 x 10^10 loss terms, about 15 s here) takes far longer than Cancel may
N, D = 8_000_000, 4


@pytest.fixture(scope="module")
def data_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    write_store(folder / "tall.zarr", N, D, seed=0, chunk_rows=1_000_000)
    yield from bs.serving(bs.StreamlitServer(log_name="streamlit-e2e-datasets.log",
                                             env={datasets.DATA_DIR_ENV: str(folder)}))


def test_cancel_stops_a_confirmed_computation_on_a_large_data_set(data_server, browser):
    context = browser.new_context(viewport=bs.VIEWPORT)
    context.set_default_timeout(30_000)
    try:
        tab = context.new_page()
        tab.goto(f"{data_server}/Landscape?problem.source=server&problem.store=tall.zarr",
                 wait_until="domcontentloaded", timeout=60_000)
        warning = tab.locator('[data-testid="stAlertContentWarning"]').filter(
            has_text="passes over A")
        warning.wait_for(timeout=60_000)
        assert "n = 8,000,000, d = 4" in warning.inner_text()
        tab.locator(f".{bs.key_class('problem.allow_large')} label").click()
        # the bar names each stage (passes over A, the optimiser's steps); the plane's
        # loss, the long part, is what Cancel interrupts here
        tab.locator('[data-testid="stProgress"]').filter(
            has_text="the loss on the plane").wait_for(timeout=90_000)
        tab.screenshot(path=str(bs.SHOTS / "datasets-progress.png"))
        started = time.monotonic()
        tab.get_by_role("button", name="Cancel the computation").click()
        tab.get_by_text("Stopped by Cancel").wait_for(timeout=15_000)
        took = time.monotonic() - started
        assert took < 5, f"Cancel took {took:.1f} s to stop the computation"
        assert not tab.locator(".js-plotly-plot").count()  # nothing was drawn
        assert tab.locator(f".{bs.key_class('problem.allow_large')}").count()  # asks again
        tab.screenshot(path=str(bs.SHOTS / "datasets-cancelled.png"))
    finally:
        context.close()
