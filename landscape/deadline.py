"""A time limit on a computation, and a watcher of its progress: ``with time_limit(30):
...`` makes the library's long loops (optimiser iterations, blocks of a plane, SLQ
probes, Lanczos products, points of a path, row blocks of A on disk) stop with a
``TimeLimitExceeded`` once 30 s have passed; ``with watch(report): ...`` calls
``report(what, done, total)`` from the loops that know how far they are.

The loops call ``check(what)`` between units of work, so a computation stops within
one unit of the limit (one optimiser step, one block of a surface): the limit is
cooperative, nothing is interrupted halfway and no result is left half-written. The
limit lives in a context variable, so it holds for the thread (a Streamlit session's
script run) that set it and for nothing else; without one, ``check`` costs a lookup.
A watcher may raise to stop the work (the app's Cancel button does, through Streamlit's
own interruption of a script run at its next call).
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from contextlib import contextmanager

from .text import number

#: (monotonic time at which the limit passes, the limit in seconds), or None
_LIMIT: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar(
    "landscape_time_limit", default=None)
#: report(what, done, total), or None
_WATCHER: contextvars.ContextVar[Callable[[str, int, int], None] | None] = (
    contextvars.ContextVar("landscape_watcher", default=None))


class TimeLimitExceeded(ValueError):
    """A computation ran past the time limit set by ``time_limit`` (a ValueError, like
    every refusal of input the library cannot serve)."""


@contextmanager
def time_limit(seconds: float):
    """Within the block, ``check`` raises ``TimeLimitExceeded`` once ``seconds`` have
    passed. An inner limit never extends an outer one."""
    if not seconds > 0:
        raise ValueError(f"seconds must be positive; received {seconds!r}.")
    outer = _LIMIT.get()
    end = time.monotonic() + seconds
    token = _LIMIT.set(min(outer, (end, seconds)) if outer is not None else (end, seconds))
    try:
        yield
    finally:
        _LIMIT.reset(token)


@contextmanager
def watch(report: Callable[[str, int, int], None]):
    """Within the block, ``check(what, done, total)`` calls ``report(what, done, total)``
    (``done`` of ``total`` units of ``what``); watchers nest, the inner one reports."""
    token = _WATCHER.set(report)
    try:
        yield
    finally:
        _WATCHER.reset(token)


def check(what: str, done: int | None = None, total: int | None = None) -> None:
    """Raise ``TimeLimitExceeded`` naming ``what`` (e.g. "the optimiser run") if the
    current time limit has passed; nothing without one. With ``done`` of ``total``
    units, the current watcher (``watch``) hears how far ``what`` is."""
    if total is not None:
        report = _WATCHER.get()
        if report is not None:
            report(what, done, total)
    limit = _LIMIT.get()
    if limit is not None and time.monotonic() > limit[0]:
        raise TimeLimitExceeded(
            f"{what} was stopped at the limit of {number(limit[1], 3)} s per computation on "
            "this server; a smaller n or d, a lower resolution or fewer iterations fit in it.")
