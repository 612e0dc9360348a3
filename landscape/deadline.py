"""A time limit on a computation: ``with time_limit(30): ...`` makes the library's long
loops (optimiser iterations, blocks of a plane, SLQ probes, Lanczos products, points
of a path) stop with a ``TimeLimitExceeded`` once 30 s have passed.

The loops call ``check(what)`` between units of work, so a computation stops within
one unit of the limit (one optimiser step, one block of a surface): the limit is
cooperative, nothing is interrupted halfway and no result is left half-written. The
limit lives in a context variable, so it holds for the thread (a Streamlit session's
script run) that set it and for nothing else; without one, ``check`` costs a lookup.
"""

from __future__ import annotations

import contextvars
import time
from contextlib import contextmanager

from .text import number

#: (monotonic time at which the limit passes, the limit in seconds), or None
_LIMIT: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar(
    "landscape_time_limit", default=None)


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


def check(what: str) -> None:
    """Raise ``TimeLimitExceeded`` naming ``what`` (e.g. "the optimiser run") if the
    current time limit has passed; nothing without one."""
    limit = _LIMIT.get()
    if limit is not None and time.monotonic() > limit[0]:
        raise TimeLimitExceeded(
            f"{what} was stopped at the limit of {number(limit[1], 3)} s per computation on "
            "this server; a smaller n or d, a lower resolution or fewer iterations fit in it.")
