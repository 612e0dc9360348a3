"""Timing for benchmarks: each contender timed in alternation, the best of several
runs kept (the machine is shared; the minimum is the least disturbed run)."""

from __future__ import annotations

import time
from collections.abc import Callable

#: a benchmark's exit status when it ran to the end but missed one of its targets (each
#: miss is printed as MISSES, and the README says why); 1 is left for a failure
MISSED_TARGET = 3


def best_times(contenders: dict[str, Callable[[], object]], repeats: int = 5) -> dict[str, float]:
    """Seconds of the fastest of ``repeats`` calls of each contender, interleaved so
    that a burst of load elsewhere hits all of them alike."""
    best = {name: float("inf") for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def report(title: str, times: dict[str, float], baseline: str, target: float) -> bool:
    """Print each time and its speed-up over ``baseline``; True if the fastest
    non-baseline contender reaches ``target``x."""
    print(f"\n{title}")
    for name, t in times.items():
        print(f"  {name:<44s} {t * 1e3:10.2f} ms   x{times[baseline] / t:8.1f}")
    ours = min(t for name, t in times.items() if name != baseline)
    ratio = times[baseline] / ours
    verdict = "meets" if ratio >= target else "MISSES"
    print(f"  speed-up {ratio:.1f}x, target {target:g}x: {verdict}")
    return ratio >= target
