"""Issue 15 speed target, as ratios measured in one run: the row-block path on a dask
array costs little over NumPy on the same in-memory data.

    n = 10^6, d = 100 (A 800 MB), unified loss, A wrapped as
    dask.array.from_array(A, chunks=(ROWS, d)) blocks of about 128 MB, Dask's local
    threaded scheduler (landscape.engine's default):
      gradient              dask / NumPy time  <= 1.5
      Hessian               dask / NumPy time  <= 1.5
      101 x 101 surface     dask / NumPy time  <= 1.5

Run: .venv/bin/python benchmarks/scale.py [n]   (n defaults to 10^6)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import MISSED_TARGET, best_times  # noqa: E402

import landscape as ls  # noqa: E402

D = 100
#: bytes per row block of the dask array: large enough that per-task overhead vanishes
BLOCK_BYTES = 128 << 20
#: largest allowed time ratio dask / NumPy
TARGET = 1.5


def main(n: int) -> int:
    import dask.array as da

    rng = np.random.default_rng(0)
    A = rng.standard_normal((n, D)) / np.sqrt(D)
    b = rng.random(n)
    b /= b.sum()
    numpy_prob = ls.Problem(A, b, kind="unified", w=0.01)
    del A
    rows = max(1, BLOCK_BYTES // (8 * D))
    dask_prob = ls.Problem(da.from_array(numpy_prob.A, chunks=(rows, D)), b, kind="unified",
                           w=0.01)
    x = rng.standard_normal(D) * 0.1
    u, v = rng.standard_normal(D), rng.standard_normal(D)
    axis = np.linspace(-1.0, 1.0, 101)
    cases = {
        "gradient": lambda p: p.gradient(x),
        "Hessian": lambda p: p.hessian(x),
        "101 x 101 surface": lambda p: ls.surface_2d(p, x, u, v, axis, axis),
    }
    print(f"n = {n}, d = {D}: A {n * D * 8 / 2**20:.0f} MB, {len(dask_prob.A.chunks[0])} "
          f"dask blocks of {rows} rows, local threaded scheduler; target dask / NumPy "
          f"<= {TARGET:g}")
    ok = True
    for name, case in cases.items():
        times = best_times({"NumPy": lambda case=case: case(numpy_prob),
                            "dask": lambda case=case: case(dask_prob)}, repeats=3)
        ratio = times["dask"] / times["NumPy"]
        verdict = "meets" if ratio <= TARGET else "MISSES"
        print(f"  {name:<20s} NumPy {times['NumPy'] * 1e3:9.1f} ms   dask "
              f"{times['dask'] * 1e3:9.1f} ms   ratio {ratio:5.2f}: {verdict}")
        ok &= ratio <= TARGET
    return 0 if ok else MISSED_TARGET


if __name__ == "__main__":
    sys.exit(main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 1_000_000))
