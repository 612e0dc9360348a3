"""Checks of user input shared by the library. Every failure is a ValueError that
names the parameter, the rule and what was received."""

from __future__ import annotations

import numbers

import numpy as np

#: Largest number of entries of A (n * d) the library accepts: 10^8 float64 entries
#: are 800 MB; the Hessian assembly keeps one more copy of that size, which leaves
#: room on a 24 GB machine for the rest of the app.
MAX_ENTRIES = 10**8
#: Largest d for which a dense (d, d) Hessian is formed (800 MB at d = 10^4).
MAX_DENSE_D = 10_000


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
    all finite; the caller's array is never modified.

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
    bad = ~np.isfinite(arr)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        where = first[0] if len(first) == 1 else first
        n_nan = int(np.isnan(arr).sum())
        raise ValueError(f"{name} must be finite; received {n_nan} NaN and "
                         f"{int(bad.sum()) - n_nan} infinite entries (first at index {where}).")
    arr.setflags(write=False)
    return arr


def real_scalar(name: str, value, *, low: float | None = None, high: float | None = None,
                low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a finite float inside the given bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number; received {describe(value)}.")
    x = float(value)
    lo = "(" if low_open else "["
    hi = ")" if high_open else "]"
    interval = (f"{lo}{'-inf' if low is None else format(low, 'g')}, "
                f"{'inf' if high is None else format(high, 'g')}{hi}")
    if not np.isfinite(x):
        raise ValueError(f"{name} must be finite; received {x}.")
    if low is not None and (x < low or (low_open and x == low)):
        raise ValueError(f"{name} must lie in {interval}; received {x:g}.")
    if high is not None and (x > high or (high_open and x == high)):
        raise ValueError(f"{name} must lie in {interval}; received {x:g}.")
    return x


def positive_int(name: str, value, *, high: int | None = None) -> int:
    """``value`` as an int >= 1 (and <= high)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a positive integer; received {describe(value)}.")
    v = int(value)
    if v < 1:
        raise ValueError(f"{name} must be at least 1; received {v}.")
    if high is not None and v > high:
        raise ValueError(f"{name} must be at most {high}; received {v}.")
    return v


def check_size(n: int, d: int) -> None:
    """Refuse problems whose A would not fit comfortably in memory."""
    if n * d > MAX_ENTRIES:
        raise ValueError(
            f"n * d must be at most {MAX_ENTRIES:.0e} (A would take {n * d * 8 / 1e9:.1f} GB "
            f"and the Hessian assembly as much again); received n = {n}, d = {d}.")


def choice(name: str, value, options: tuple[str, ...]) -> str:
    """``value`` must be one of ``options`` (strings)."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; "
                         f"received {describe(value)}.")
    return value
