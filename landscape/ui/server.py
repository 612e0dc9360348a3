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
  blocks apart; 20 sessions then left the server 15-40 MB larger after they closed;
- BLAS (OpenBLAS) on one thread: the sessions' computations are many small products,
  and beside other work OpenBLAS's waiting threads stall each other. The tour's
  approximate-Newton race (benchmarks/blas_threads.py, best of 3): quiet 0.37-0.41 s on
  one thread, 0.46-0.68 s on two; beside two busy processes 0.53-0.58 s on one,
  1.5-2.2 s on two (9.6-14 s in a first probe). A large single product on an idle
  machine loses 1.3-1.9x (A^T D A at n = 200 000, d = 50: 36 against 28 ms; a 2000 x
  2000 product: 245 against 130 ms). The library itself (``landscape`` without
  ``landscape.ui``) keeps the machine's setting.
"""

import ctypes
import gc

import pandas  # noqa: F401  (st.table's)
import plotly.graph_objects  # noqa: F401
import scipy.optimize  # noqa: F401
import streamlit  # noqa: F401
from threadpoolctl import threadpool_limits

#: BLAS threads of the server process (see above)
BLAS_THREADS = 1


def configure() -> None:
    """BLAS on BLAS_THREADS, large blocks given back when freed (glibc), then the
    objects alive now frozen."""
    threadpool_limits(limits=BLAS_THREADS, user_api="blas")  # process-wide, from now on
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 20)  # -3: M_MMAP_THRESHOLD
        libc.mallopt(-8, 2)  # -8: M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc: its allocator decides
        pass
    gc.freeze()
