"""Streamlit glue, the only layer with streamlit besides app.py and pages/: the
navigation and shared sidebar (``chrome``), the settings registry kept in the URL
(``state``), and one view module per page that computes (cached on small specs) and
returns ready figures. Pages import this package and their view module only."""

import ctypes
import gc

import pandas  # noqa: F401  (st.table's; imported here, before any session can race on it)

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
    "wait",
]

# The server's long-lived objects (these modules, NumPy, SciPy, Plotly, Streamlit: some
# 250,000) are moved out of the garbage collector's sight once: its full collections
# otherwise rescan them all and took half the server's CPU under load (benchmarks/load.py).
gc.freeze()


def _return_large_blocks_to_the_system() -> None:
    """glibc: every allocation above 1 MB gets its own mapping, given back to the system
    when freed. By default that threshold grows after the first large block is freed,
    and an upload's 20 MB then stays with the process after its session has gone."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(-3, 1 << 20)  # -3: M_MMAP_THRESHOLD
    except (OSError, AttributeError):  # not glibc: its allocator decides
        pass


_return_large_blocks_to_the_system()
