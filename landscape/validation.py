"""Checks of user input shared by the library. Every failure is a ValueError that
names the parameter, the rule and what was received."""

from __future__ import annotations

import numbers

import numpy as np

from . import rows
from .limits import MAX_ENTRIES, MEMORY_PER_A
from .linalg import read_only
from .text import number

#: Largest sum of squares an input may reach: 1/16 of the largest float64 (1.1e307),
#: which leaves room for the few such sums the loss and its derivatives add together.
SQUARES_MAX = float(np.finfo(np.float64).max) / 16
#: ``sqrt(SQUARES_MAX)`` (3.3e153): the largest norm of an input vector.
ROOT_MAX = float(np.sqrt(SQUARES_MAX))


def magnitude_limit(size: int) -> float:
    """Largest ``|entry|`` of an array of ``size`` entries whose sum of squares stays
    at most ``SQUARES_MAX``: ``sqrt(SQUARES_MAX / size)``."""
    return ROOT_MAX / np.sqrt(max(size, 1))


def describe(value) -> str:
    """A short description of what was received, for error messages."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return f"{type(value).__name__} of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def real_array(name: str, value, *, ndim: int, length: int | None = None,
               length_name: str = "", copy: bool = False) -> np.ndarray:
    """``value`` as a read-only C-contiguous float64 array of ``ndim`` dimensions,
    all finite, entries at most ``magnitude_limit(size)`` in magnitude (so its sum of
    squares does not overflow); the caller's array is never modified.

    ``length`` (optional) is the required size of the first axis; ``length_name``
    says where it comes from (e.g. "n, the number of rows of A"). ``copy=True``
    returns an array that owns its data (for values an object keeps).
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise ValueError(f"{name} must be a real numeric array; received {describe(value)}.")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as err:  # ragged nested lists, odd objects
        raise ValueError(f"{name} must be a rectangular numeric array; received "
                         f"{describe(value)} ({err}).") from None
    if arr.dtype == object or arr.dtype.kind in "USVMm":
        raise ValueError(f"{name} must be a real numeric array; received an array of "
                         f"dtype {arr.dtype} (object, text or time data is not read).")
    if arr.dtype.kind == "c":
        raise ValueError(f"{name} must be real; received a complex array (dtype "
                         f"{arr.dtype}). Pass its real part if that is what you mean.")
    if arr.ndim != ndim:
        shape_rule = {1: "a vector (1-D)", 2: "a matrix (2-D)"}.get(ndim, f"{ndim}-D")
        raise ValueError(f"{name} must be {shape_rule}; received shape {arr.shape}.")
    if length is not None and arr.shape[0] != length:
        raise ValueError(f"{name} must have length {length} ({length_name}); "
                         f"received shape {arr.shape}.")
    if copy:
        arr = np.array(arr, dtype=np.float64, order="C")
    else:  # a view: freezing it must not freeze the caller's array
        arr = np.ascontiguousarray(arr, dtype=np.float64).view()
    # max and min propagate NaN: two passes without an (n, d) temporary when all is well
    top = float(max(arr.max(), -arr.min())) if arr.size else 0.0
    if not np.isfinite(top):
        bad = ~np.isfinite(arr)
        n_nan = int(np.isnan(arr).sum())
        raise ValueError(f"{name} must be finite; received {n_nan} NaN and "
                         f"{int(bad.sum()) - n_nan} infinite entries (first at index "
                         f"{_index(bad)}).")
    limit = magnitude_limit(arr.size)
    if top > limit:
        raise ValueError(f"{name} is too large: its entries must be at most √(max float "
                         f"/ 16 / size) = {number(limit, 3)} in magnitude, or its sum of "
                         f"squares overflows float64; received |entry| = {number(top, 3)} "
                         f"(at index {_index(np.abs(arr) == top)}).")
    return read_only(arr)


def real_row_blocks(name: str, value) -> tuple[object, tuple[str, ...], float]:
    """A memory-mapped or dask matrix checked like ``real_array`` in one pass over its
    row blocks, never read into memory: ``(A, notes, ||A||_F^2)``.

    A dask A comes back as float64 with one column chunk (rechunked, with a note); a
    memory-mapped A as a read-only view. ``notes`` says what was changed, for display.
    """
    dtype = np.dtype(value.dtype)
    if dtype.kind in "OUSVMmc" or value.ndim != 2:
        raise ValueError(f"{name} must be a real numeric matrix (2-D); received "
                         f"{describe(value)}.")
    notes = []
    if rows.is_dask(value):
        if len(value.chunks[1]) > 1:
            notes.append(f"{name} came in {len(value.chunks[1])} column chunks; it was "
                         "rechunked to one, so that each task reads whole rows.")
            value = value.rechunk({1: -1})
        if dtype != np.float64:
            notes.append(f"{name} has dtype {dtype}; its blocks are read as float64.")
            value = value.astype(np.float64)
    else:
        if dtype != np.float64:
            notes.append(f"{name} has dtype {dtype}; its blocks are read as float64.")
        value = read_only(value.view())
        step = rows.row_bounds(value)[0][1]
        notes.append(f"{name} is memory-mapped from {value.filename or 'a file'}: read in "
                     f"blocks of {step} rows, never loaded whole.")
    stats = rows.entry_stats(value)
    if stats.nonfinite:
        raise ValueError(f"{name} must be finite; received {stats.nans} NaN and "
                         f"{stats.nonfinite - stats.nans} infinite entries (first at index "
                         f"{stats.first_nonfinite}).")
    limit = magnitude_limit(value.shape[0] * value.shape[1])
    if stats.largest > limit:
        raise ValueError(f"{name} is too large: its entries must be at most √(max float "
                         f"/ 16 / size) = {number(limit, 3)} in magnitude, or its sum of "
                         f"squares overflows float64; received |entry| = "
                         f"{number(stats.largest, 3)}.")
    return value, tuple(notes), stats.squares


def _index(mask: np.ndarray):
    """The index of the first True entry of ``mask`` (an int for a vector)."""
    first = tuple(int(i) for i in np.argwhere(mask)[0])
    return first[0] if len(first) == 1 else first


def real_scalar(name: str, value, *, low: float | None = None, high: float | None = None,
                low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite float inside the given bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number; received {describe(value)}.")
    try:
        x = float(value)
    except OverflowError:  # an int beyond float64
        raise ValueError(f"{name} must be finite; received {describe(value)}.") from None
    if not np.isfinite(x):
        raise ValueError(f"{name} must be finite; received {number(x)}.")
    if ((low is not None and (x < low or (low_open and x == low)))
            or (high is not None and (x > high or (high_open and x == high)))):
        raise ValueError(f"{name} must lie in {interval(low, high, low_open, high_open)}; "
                         f"received {number(x, 6)}.")
    return x


def interval(low: float | None, high: float | None, low_open: bool = False,
             high_open: bool = False) -> str:
    """The interval as text: ``[0, 1]``, ``(0, ∞)``; a missing bound is ``−∞`` or ``∞``,
    always open (values are finite)."""
    left = "(−∞" if low is None else ("(" if low_open else "[") + number(low, 6)
    right = "∞)" if high is None else number(high, 6) + (")" if high_open else "]")
    return f"{left}, {right}"


def positive_int(name: str, value, *, high: int | None = None, why: str = "") -> int:
    """``value`` as an int ≥ 1 (and ≤ high; ``why`` explains the limit)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a positive integer; received {describe(value)}.")
    v = int(value)
    if v < 1:
        raise ValueError(f"{name} must be at least 1; received {describe(v)}.")
    if high is not None and v > high:
        raise ValueError(f"{name} must be at most {high}{f' ({why})' if why else ''}; "
                         f"received {describe(v)}.")
    return v


def seed_value(name: str, value) -> int:
    """``value`` as a seed: an int ≥ 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer; received {describe(value)}.")
    return int(value)


def flag(name: str, value) -> bool:
    """``value`` as a bool (True or False, NumPy's included)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; received {describe(value)}.")
    return bool(value)


def instance(name: str, value, cls: type, what: str):
    """``value`` itself, which must be an instance of ``cls`` (``what`` names it)."""
    if not isinstance(value, cls):
        raise ValueError(f"{name} must be {what}; received {describe(value)}.")
    return value


def check_size(n: int, d: int) -> None:
    """Refuse an in-memory A that would not fit comfortably in this machine's memory
    (``limits.MAX_ENTRIES``: 1/MEMORY_PER_A of it)."""
    if n * d > MAX_ENTRIES:
        raise ValueError(
            f"n × d must be at most {number(MAX_ENTRIES)} entries ({MAX_ENTRIES * 8 / 1e9:.1f} "
            f"GB of float64, 1/{MEMORY_PER_A} of this machine's memory) for A held in memory "
            f"(A would take {n * d * 8 / 1e9:.1f} GB and the Hessian assembly as much again); "
            f"received n = {n}, d = {d}. Larger data can stay on disk: "
            "landscape.open_problem reads a zarr store or a .npy file by row blocks.")


def choice(name: str, value, options: tuple[str, ...]) -> str:
    """``value`` must be one of ``options`` (strings)."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; "
                         f"received {describe(value)}.")
    return value
