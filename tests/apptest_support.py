"""Open a page of the app headless (Streamlit AppTest) the way a browser does: the
entrypoint app.py draws the navigation and the sidebar, then the page runs."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from landscape.ui.builder import DATA_FOLD

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
PAGE_FILES = sorted((ROOT / "pages").glob("*.py"))
#: page name (as in the navigation and the URL) -> its file
PAGES = {p.stem.split("_", 1)[-1]: p for p in PAGE_FILES}


def open_page(name: str = "Home", *, data_folded: bool = False, **params: str) -> AppTest:
    """Run the app on page ``name`` with these URL query parameters, the sidebar's data
    settings opened (as a user who changes them has done) unless ``data_folded``."""
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params.update(params)
    if not data_folded:
        at.session_state[DATA_FOLD] = True
    at.run()
    if name != "Home":
        at.switch_page(str(PAGES[name].relative_to(ROOT))).run()
    return at


def go_to(at: AppTest, name: str) -> AppTest:
    """Switch an open app to page ``name`` (as a click in the navigation does)."""
    return at.switch_page(str(PAGES[name].relative_to(ROOT))).run()
