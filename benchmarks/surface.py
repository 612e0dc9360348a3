"""Issue 3 speed and accuracy targets, as ratios measured in one run.

    201 x 201 plane, n = 10^4, d = 50, unified with w:
      fast (MATH.md 7)  vs  direct vectorised (z = P + aQ + cR in row chunks)   >= 20x
      fast              vs  prob.loss at each grid point in a Python loop       >= 500x
    accuracy: largest relative difference from direct on finite cells <= 1e-9,
      also on a plane where |z| reaches several hundred
    memory: n = 10^5 at 201 x 201 below 2 GB (tracemalloc peak of NumPy allocations)

Run: .venv/bin/python benchmarks/surface.py
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import MISSED_TARGET, best_times, report  # noqa: E402

import landscape as ls  # noqa: E402
from landscape.directions import make_directions  # noqa: E402
from landscape.surface import grid, surface_2d  # noqa: E402


def python_loop(prob, center, u, v, alphas, betas):
    """The way generic landscape tools do it: one loss call per grid point."""
    out = np.empty((len(betas), len(alphas)))
    for j, c in enumerate(betas):
        for i, a in enumerate(alphas):
            out[j, i] = prob.loss(center + a * u + c * v)
    return out


def max_rel_diff(fast, direct) -> float:
    ok = np.isfinite(fast.values) & np.isfinite(direct.values)
    return float(np.max(np.abs(fast.values[ok] - direct.values[ok]) / np.abs(direct.values[ok])))


def main() -> int:
    ok = True
    prob = ls.make_problem(10_000, 50, seed=0, kind="unified", target="realizable", noise=0.1,
                           w="constant", w_value=0.05)
    center = np.zeros(prob.d)
    dirs = make_directions(prob, center, "random", seed=0)
    axis = grid(2.0, 201)
    args = (prob, center, dirs.u, dirs.v, axis, axis)

    times = best_times({"direct vectorised (baseline)": lambda: surface_2d(*args, method="direct"),
                        "fast plane evaluator": lambda: surface_2d(*args)}, repeats=3)
    ok &= report("201 x 201 surface, n = 10^4, d = 50, unified with w", times,
                 "direct vectorised (baseline)", 20)

    start = time.perf_counter()
    loop_values = python_loop(*args)
    loop = time.perf_counter() - start
    fast = surface_2d(*args)
    ratio = loop / times["fast plane evaluator"]
    print(f"  Python loop over the grid, prob.loss per point  {loop * 1e3:10.0f} ms   x{1:8.1f}")
    print(f"  speed-up of the fast evaluator over the loop {ratio:.0f}x, target 500x: "
          f"{'meets' if ratio >= 500 else 'MISSES'}")
    ok &= ratio >= 500
    loop_err = np.max(np.abs(fast.values - loop_values) / np.abs(loop_values))
    print(f"  fast vs loop: max relative difference {loop_err:.1e}")

    print("\naccuracy, fast vs direct on finite cells (target <= 1e-9)")
    cases = {"the plane above": (prob, center, dirs.u, dirs.v, 2.0)}
    far = make_directions(prob, center, "random", seed=1, scale="unit")
    cases["far plane, |z| up to several hundred"] = (prob, center, far.u, far.v, 60.0)
    poles = ls.make_problem(10_000, 50, seed=0, kind="unified", matrix="nonnegative",
                            target="realizable", noise=0.1, w="constant", w_value=0.05)
    cases["plane crossing the pole set (non-negative A)"] = (poles, center, dirs.u, dirs.v, 3.0)
    for name, (p, c, u, v, span) in cases.items():
        ax = grid(span, 201)
        f, d = surface_2d(p, c, u, v, ax, ax), surface_2d(p, c, u, v, ax, ax, method="direct")
        zmax = max(np.abs(p.A @ (c + span * s * u + span * t * v)).max()
                   for s in (-1, 1) for t in (-1, 1))
        err = max_rel_diff(f, d)
        print(f"  {name:<46s} max |z| {zmax:6.0f}  max rel diff {err:.1e}  "
              f"direct fallback cells {f.fallback_cells}  pole cells {int(f.pole.sum())}")
        ok &= err <= 1e-9

    big = ls.make_problem(100_000, 50, seed=0, kind="unified", target="realizable", noise=0.1,
                          w="constant", w_value=0.05)
    big_dirs = make_directions(big, np.zeros(big.d), "random")
    tracemalloc.start()
    start = time.perf_counter()
    surface_2d(big, np.zeros(big.d), big_dirs.u, big_dirs.v, axis, axis)
    took = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"\nn = 10^5, 201 x 201: {took:.2f} s, peak memory of the evaluation "
          f"{peak / 2**20:.0f} MB "
          f"(A itself {big.A.nbytes / 2**20:.0f} MB), target < 2048 MB: "
          f"{'meets' if peak < 2**31 else 'MISSES'}")
    ok &= peak < 2**31
    return 0 if ok else MISSED_TARGET


if __name__ == "__main__":
    sys.exit(main())
