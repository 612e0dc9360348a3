"""Settings of the server process, applied once (``configure``, called by the package
after importing every module of the app; measured with benchmarks/load.py, 20
concurrent sessions):

- every module a page needs is imported here, so no two sessions race on a first
  import (a page crashed once on "partially initialized module 'pandas'");
- the ~250,000 long-lived objects of these modules (NumPy, SciPy, Plotly, Streamlit)
  are moved out of the garbage collector's sight (``gc.freeze``): its full collections
  rescanned them all and took half the server's CPU (median rerun 2.31 -> 1.29 s);
- with glibc, every block above 1 MB gets its own mapping, given back to the system when
  freed: by default that threshold grows after the first large block is freed, and an
  upload's 20 MB then stayed with the process after its session had gone;
- and at most two malloc arenas: every session's script runs in a thread of its own, and
  glibc's default of one arena per thread (up to 16 here) kept each thread's freed
  blocks apart; 20 sessions then left the server 15-40 MB larger after they closed.
"""

import ctypes
import gc

import pandas  # noqa: F401  (st.table's)
import plotly.graph_objects  # noqa: F401
import scipy.optimize  # noqa: F401
import streamlit  # noqa: F401


def configure() -> None:
    """Large blocks given back when freed (glibc), then the objects alive now frozen."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 20)  # -3: M_MMAP_THRESHOLD
        libc.mallopt(-8, 2)  # -8: M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc: its allocator decides
        pass
    gc.freeze()
