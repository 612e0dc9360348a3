"""Streamlit glue, the only layer with streamlit besides app.py and pages/: the
navigation and shared sidebar (``chrome``), the settings registry kept in the URL
(``state``), and one view module per page that computes (cached on small specs) and
returns ready figures. Pages import this package and their view module only."""

from . import server
from .builder import problem_spec
from .chrome import controls
from .chrome import fail
from .chrome import formula
from .chrome import mathematics
from .chrome import nudge
from .chrome import number
from .chrome import present
from .chrome import presenting
from .chrome import run_app
from .chrome import show_controls
from .chrome import show_summary
from .chrome import show_table
from .chrome import start
from .chrome import stop
from .chrome import summary
from .chrome import wait
from .markdown import literal
from .state import bind
from .state import clamp
from .state import get
from .state import put
from .state import spec
from .state import tabs

__all__ = [
    "bind",
    "clamp",
    "controls",
    "fail",
    "formula",
    "mathematics",
    "get",
    "literal",
    "nudge",
    "number",
    "present",
    "presenting",
    "problem_spec",
    "put",
    "run_app",
    "show_controls",
    "show_summary",
    "show_table",
    "spec",
    "start",
    "stop",
    "summary",
    "tabs",
    "wait",
]

server.configure()  # once per process, now that every module of the app is loaded
