"""Where problems come from: seeded generators of A, b, w, and A, b read from files.

Files are read as plain numbers only (``.npy``/``.npz`` with ``allow_pickle=False``,
``.csv`` as text); nothing is ever unpickled. A ``.npy`` header (and that of every
member of a ``.npz``) is checked against the size limits before any data is read or
decompressed: a file has at most ``MAX_FILE_BYTES`` bytes, an array at most
``MAX_ENTRIES`` entries (declared in its header, or counted in a CSV before parsing).
"""

from __future__ import annotations

import inspect
import io
import math
import os
import tokenize
import zipfile
import zlib
from pathlib import Path

import numpy as np

from . import losses
from .limits import MAX_ENTRIES, MAX_FILE_BYTES, MAX_HEADER_BYTES
from .problem import KIND_GAMMA, KINDS, Problem
from .validation import (check_size, choice, describe, magnitude_limit, positive_int, real_array,
                         real_scalar, seed_value)

MATRICES = ("gaussian", "uniform", "nonnegative", "ill_conditioned", "low_rank")
TARGETS = ("simplex", "realizable", "one_hot")
WEIGHTS = ("none", "constant", "strongly_convex")
#: the problem the app opens on: small enough to feel instant, realizable with a little
#: noise so the minimiser is near x_true, lightly regularised
DEFAULT_PROBLEM = dict(n=200, d=10, seed=0, kind="unified", matrix="gaussian",
                       target="realizable", noise=0.1, w="constant", w_value=0.05)


def make_problem(n: int, d: int, seed: int = 0, *, kind: str = "softmax",
                 gamma: float | None = None, matrix: str = "gaussian", cond: float = 1e3,
                 rank: int | None = None, target: str = "simplex",
                 target_seed: int | None = None, noise: float = 0.0, w: str = "none",
                 w_value: float = 0.1, strong_convexity: float = 1.0) -> Problem:
    """A seeded random problem; the same arguments give the same problem.

    Parameters
    ----------
    n, d : rows and columns of A.
    seed : seed of A (and of b unless ``target_seed`` is given).
    kind, gamma : the loss, as in ``Problem``.
    matrix : "gaussian" (N(0, 1) entries), "uniform" (U(-1, 1)), "nonnegative"
        (U(0, 1): the unified normaliser vanishes on part of the space),
        "ill_conditioned" (singular values geometric from sqrt(n) to sqrt(n)/cond,
        needs n >= d), "low_rank" (rank ``rank``, default min(n, d) // 2).
    target : "simplex" (uniform on the simplex), "realizable" (``b = f(A x_true)``
        plus ``noise * ||f|| * g / ||g||`` with g Gaussian; x_true scaled so that
        ``A x_true`` has unit RMS), "one_hot" (a random basis vector).
    w : "none", "constant" (every weight ``w_value``) or "strongly_convex": the
        softmax level of MATH.md 4, ``w_i^2 = 6 (1 + ||b||_inf) + l / sigma_min(A)^2``
        with ``l = strong_convexity``, which makes ``hess L >= l I`` everywhere.
    """
    n = positive_int("n", n, high=MAX_ENTRIES, why="n * d is at most MAX_ENTRIES")
    d = positive_int("d", d, high=MAX_ENTRIES, why="n * d is at most MAX_ENTRIES")
    check_size(n, d)
    seed = seed_value("seed", seed)
    target_seed = seed if target_seed is None else seed_value("target_seed", target_seed)
    kind = choice("kind", kind, KINDS)
    gamma_value = KIND_GAMMA[kind] if gamma is None else real_scalar("gamma", gamma, low=0, high=1)
    matrix = choice("matrix", matrix, MATRICES)
    target = choice("target", target, TARGETS)
    w = choice("w", w, WEIGHTS)
    w_value = real_scalar("w_value", w_value, low=0.0)
    noise = real_scalar("noise", noise, low=0.0)
    cond = real_scalar("cond", cond, low=1.0)
    rank = None if rank is None else positive_int("rank", rank, high=min(n, d))
    strong_convexity = real_scalar("strong_convexity", strong_convexity, low=0.0, low_open=True)
    for name, value in (("noise", noise), ("w_value", w_value)):
        if value > magnitude_limit(n):  # |b_i| <= 1 + noise; w^2 summed over the rows
            raise ValueError(f"{name} must be at most sqrt(max float / 16 / n) = "
                             f"{magnitude_limit(n):.3g}, or sums of squares over the n rows "
                             f"overflow float64; received {value:g}.")

    A = _matrix(matrix, n, d, np.random.default_rng([seed, 0]), cond=cond, rank=rank)
    rng_b = np.random.default_rng([target_seed, 1])
    x_true = None
    if target == "simplex":
        b = rng_b.dirichlet(np.ones(n))
    elif target == "one_hot":
        b = np.zeros(n)
        b[rng_b.integers(n)] = 1.0
    else:
        x_true, b = _realizable(A, gamma_value, noise, rng_b)

    if w == "none":
        weights = None
    elif w == "constant":
        weights = w_value
    else:
        weights = _strongly_convex_weights(A, b, gamma_value, strong_convexity)
    return Problem(A, b, kind=kind, w=weights, gamma=gamma, x_true=x_true)


def default_problem(**overrides) -> Problem:
    """The app's default problem (``DEFAULT_PROBLEM``), with any arguments replaced."""
    unknown = sorted(set(overrides) - set(inspect.signature(make_problem).parameters))
    if unknown:
        raise ValueError(f"{unknown[0]} is not an argument of make_problem; received "
                         f"{unknown[0]}={describe(overrides[unknown[0]])}.")
    return make_problem(**{**DEFAULT_PROBLEM, **overrides})


def _matrix(matrix: str, n: int, d: int, rng: np.random.Generator, *, cond: float,
            rank: int | None) -> np.ndarray:
    if matrix == "gaussian":
        return rng.standard_normal((n, d))
    if matrix == "uniform":
        return rng.uniform(-1.0, 1.0, (n, d))
    if matrix == "nonnegative":
        return rng.uniform(0.0, 1.0, (n, d))
    if matrix == "ill_conditioned":
        if n < d:
            raise ValueError(f"matrix='ill_conditioned' needs n >= d (full column rank); "
                             f"received n = {n}, d = {d}.")
        left, _ = np.linalg.qr(rng.standard_normal((n, d)))
        right, _ = np.linalg.qr(rng.standard_normal((d, d)))
        sigma = np.sqrt(n) * np.geomspace(1.0, 1.0 / cond, d)
        return (left * sigma) @ right.T
    top = min(n, d)
    r = max(1, top // 2) if rank is None else rank
    return rng.standard_normal((n, r)) @ rng.standard_normal((r, d)) / np.sqrt(r)


def _realizable(A: np.ndarray, gamma: float, noise: float,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``x_true`` with unit-RMS ``A x_true`` and ``b = f(A x_true)`` plus noise."""
    x_true = rng.standard_normal(A.shape[1])
    rms = np.sqrt(np.mean((A @ x_true) ** 2))
    if rms > 0:
        x_true /= rms
    sf = losses.scale_free(A @ x_true, np.zeros(A.shape[0]), gamma)
    while sf.alpha_sign <= 0 or sf.near_pole:  # keep x_true where the loss is smooth
        x_true /= 2.0
        sf = losses.scale_free(A @ x_true, np.zeros(A.shape[0]), gamma)
    g = rng.standard_normal(A.shape[0])
    b = sf.f + noise * np.linalg.norm(sf.f) * g / np.linalg.norm(g)
    return x_true, b


def _strongly_convex_weights(A: np.ndarray, b: np.ndarray, gamma: float, l) -> np.ndarray:
    """Softmax: ``w_i^2 = 6 (1 + ||b||_inf) + l / sigma_min(A)^2`` (MATH.md 4)."""
    if gamma != 0:
        raise ValueError("w='strongly_convex' needs the softmax loss (gamma = 0): the unified "
                         "loss has no x-independent level that makes it convex (MATH.md 4); "
                         f"received gamma = {gamma:g}. Use w='constant' instead.")
    sigma = np.linalg.svd(A, compute_uv=False)
    sigma_min = sigma[-1] if A.shape[0] >= A.shape[1] else 0.0
    if sigma_min <= 1e-12 * sigma[0]:
        raise ValueError("w='strongly_convex' needs A of full column rank: sigma_min(A) = "
                         f"{sigma_min:.3g}, so no weights of this form give hess L >= l I. "
                         "Use another matrix or w='constant'.")
    with np.errstate(over="ignore"):  # an overflow is refused just below
        level = 6.0 * (1.0 + np.max(np.abs(b))) + l / sigma_min**2
    if not level <= magnitude_limit(A.shape[0]) ** 2:
        raise ValueError("strong_convexity is too large for this A: w_i^2 = 6 (1 + ||b||_inf) + "
                         f"l / sigma_min(A)^2 = {level:.3g} must be at most max float / 16 / n "
                         f"= {magnitude_limit(A.shape[0]) ** 2:.3g}; received strong_convexity "
                         f"= {l:g}.")
    return np.full(A.shape[0], np.sqrt(level))


# -- files ---------------------------------------------------------------------------

def load_array(source, *, name: str = "A", filename: str | None = None) -> np.ndarray:
    """Read one numeric array (1-D or 2-D) from a ``.npy``, ``.npz`` or ``.csv`` file.

    ``source`` is a path or the file's bytes (then ``filename`` gives the format).
    From an ``.npz`` the member called ``name`` is taken, or its only member. CSV:
    numbers separated by commas or by spaces (one kind per file), one row per line; a
    first line in which no field is a number (column names) and text after ``#`` are
    skipped.
    """
    if not isinstance(name, str):
        raise ValueError(f"name must be a string; received {describe(name)}.")
    data, filename = _read_bytes(source, filename)
    label = f"{name} file '{filename}'"
    if not data:
        raise ValueError(f"{label} is empty; it must hold a numeric array.")
    suffix = Path(filename).suffix.lower()
    if suffix == ".npy":
        array = _load_npy(data, label)
    elif suffix == ".npz":
        array = _load_npz(data, label, name)
    elif suffix in (".csv", ".txt"):
        array = _load_csv(data, label)
    else:
        raise ValueError(f"{label} must end in .npy, .npz or .csv; received '{suffix or 'no suffix'}'.")
    if array.ndim not in (1, 2):
        raise ValueError(f"{name} (from '{filename}') must be a matrix (2-D) or a vector (1-D); "
                         f"received shape {array.shape}.")
    return real_array(f"{name} (from '{filename}')", array, ndim=array.ndim)


def load_problem(a_source, b_source=None, *, a_filename: str | None = None,
                 b_filename: str | None = None, kind: str = "softmax", w=None,
                 gamma=None) -> Problem:
    """A ``Problem`` from files: A and b in two files, or both in one ``.npz``
    (members ``A`` and ``b``). An A of one column may be stored 1-D; a b stored as
    one row or one column is flattened."""
    A = load_array(a_source, name="A", filename=a_filename)
    b = load_array(a_source if b_source is None else b_source, name="b",
                   filename=a_filename if b_source is None else b_filename)
    if b.ndim == 2:
        if 1 not in b.shape:
            raise ValueError("b must be a vector (1-D), or one row or one column; received "
                             f"shape {b.shape}.")
        b = b.ravel()
    if A.ndim == 1:
        A = A[:, None]
    return Problem(A, b, kind=kind, w=w, gamma=gamma)


def _read_bytes(source, filename: str | None) -> tuple[bytes, str]:
    if filename is not None and not isinstance(filename, str):
        raise ValueError(f"filename must be a string; received {describe(filename)}.")
    if isinstance(source, (bytes, bytearray, memoryview)):
        if filename is None:
            raise ValueError("filename must be given with file contents, to tell the format "
                             "(.npy, .npz or .csv); received None.")
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            if not path.is_file():
                raise ValueError(f"file '{path}' does not exist or is not a file.")
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ValueError(f"file '{path}' is {size / 2**20:.0f} MB; files of at most "
                                 f"{MAX_FILE_BYTES // 2**20} MB are read.")
            data = path.read_bytes()
        except OSError as err:  # a name too long, no permission, a device that fails
            raise ValueError(f"file '{str(path)[:200]}' cannot be read: {err.strerror}.") from None
        filename = filename or path.name
    else:
        raise ValueError(f"source must be a path or the file's bytes; received {describe(source)}.")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"file '{filename}' is {len(data) / 2**20:.0f} MB; files of at most "
                         f"{MAX_FILE_BYTES // 2**20} MB are read.")
    return data, filename


def _npy_header(stream, label: str, pickle_note: str = ".") -> tuple[int, int]:
    """Check the .npy header at the start of ``stream`` (magic, header length, dtype,
    declared size) without reading data: ``(header bytes, data bytes)``."""
    magic = stream.read(8)
    if len(magic) < 8 or not magic.startswith(b"\x93NUMPY"):
        raise ValueError(f"{label} is not a valid .npy array (it lacks the NumPy signature); save "
                         "it with np.save, or give a .csv name if it is text.")
    if magic[6] not in (1, 2, 3):
        raise ValueError(f"{label} is not a valid .npy array: unknown format version "
                         f"{magic[6]}.{magic[7]}.")
    size_field = stream.read(2 if magic[6] == 1 else 4)
    length = int.from_bytes(size_field, "little")
    if length > MAX_HEADER_BYTES:
        raise ValueError(f"{label} is not a valid .npy array: its header is too long ({length:,} "
                         f"bytes; at most {MAX_HEADER_BYTES:,} are read, np.save writes 128).")
    header = stream.read(length)
    if len(size_field) < (2 if magic[6] == 1 else 4) or len(header) < length:
        raise ValueError(f"{label} is not a valid .npy array: it is truncated inside its header.")
    read = (np.lib.format.read_array_header_1_0 if magic[6] == 1
            else np.lib.format.read_array_header_2_0)  # version 3 differs only in encoding
    try:
        shape, _, dtype = read(io.BytesIO(size_field + header))
    except (ValueError, UnicodeDecodeError, tokenize.TokenError) as err:  # NumPy's parser
        raise ValueError(f"{label} is not a valid .npy array: its header is malformed "
                         f"({str(err)[:200]}).") from None
    if dtype.hasobject:
        raise ValueError(f"{label} holds pickled Python objects; only plain numeric arrays are "
                         f"read{pickle_note}")
    if dtype.kind not in "biufc":
        raise ValueError(f"{label} must hold numbers; its header declares dtype {dtype}.")
    if any(k < 0 for k in shape):
        raise ValueError(f"{label} is not a valid .npy array: its header declares the "
                         f"negative shape {shape}.")
    count = math.prod(shape)
    nbytes = count * dtype.itemsize
    if count > MAX_ENTRIES or nbytes > MAX_FILE_BYTES:
        raise ValueError(f"{label} is too large: its header declares shape {shape} of {dtype} "
                         f"({count:,} entries, {nbytes / 2**20:,.0f} MB); at most "
                         f"{MAX_ENTRIES:,} entries and {MAX_FILE_BYTES // 2**20} MB are read.")
    return 8 + len(size_field) + length, nbytes


def _read_npy(open_stream, size: int, label: str, pickle_note: str = ".") -> np.ndarray:
    """The array of a .npy stream of ``size`` bytes: its header checked first, then
    read by NumPy with ``allow_pickle=False``. ``open_stream()`` opens it anew."""
    with open_stream() as stream:
        start, nbytes = _npy_header(stream, label, pickle_note)
    if size - start < nbytes:
        raise ValueError(f"{label} is not a valid .npy array: it is truncated (its header "
                         f"declares {nbytes:,} bytes of data, {size - start:,} follow).")
    with open_stream() as stream:
        try:
            return np.lib.format.read_array(stream, allow_pickle=False,
                                            max_header_size=MAX_HEADER_BYTES)
        except ValueError as err:  # fewer bytes than the archive's directory promised
            raise ValueError(f"{label} is not a valid .npy array: {err}") from None


_PICKLE_NOTE = (" (pickles can run code). Save it with a numeric dtype, e.g. "
                "np.save(path, A.astype(float)).")


def _load_npy(data: bytes, label: str) -> np.ndarray:
    try:
        return _read_npy(lambda: io.BytesIO(data), len(data), label, _PICKLE_NOTE)
    except (EOFError, OSError) as err:  # bytes that lie about their length
        raise ValueError(f"{label} is not a valid .npy array: {err}") from None


def _load_npz(data: bytes, label: str, name: str) -> np.ndarray:
    if data.startswith(b"\x93NUMPY"):
        raise ValueError(f"{label} is a .npy array, not a .npz archive; rename it to .npy.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = {info.filename.removesuffix(".npy"): info for info in archive.infolist()}
            for key, info in members.items():  # every header, before any data
                with archive.open(info) as stream:
                    _npy_header(stream, f"{label}: member '{key}'")
            if name in members:
                key = name
            elif len(members) == 1:
                key = next(iter(members))
            else:
                raise ValueError(f"{label} must hold a member named '{name}' or exactly one "
                                 f"array; received members {list(members)}.")
            info = members[key]
            return _read_npy(lambda: archive.open(info), info.file_size,
                             f"{label}: member '{key}'")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError) as err:  # damaged, encrypted or exotic archives
        raise ValueError(f"{label} is not a valid .npz archive: {err}") from None


def _load_csv(data: bytes, label: str) -> np.ndarray:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{label} is not UTF-8 text; a .csv must hold comma-separated "
                         "numbers.") from None
    lines = [(number, line.split("#", 1)[0].strip())
             for number, line in enumerate(text.splitlines(), start=1)]
    lines = [(number, line) for number, line in lines if line]
    if not lines:
        raise ValueError(f"{label} has no numbers; a .csv must hold comma-separated numbers.")
    if not any(_is_number(field) for field in _fields(lines[0][1])):
        lines = lines[1:]  # a header of column names
        if not lines:
            raise ValueError(f"{label} has a header line but no numbers.")
    delimiter = _delimiter(label, lines)
    width = len(_fields(lines[0][1]))
    if width * len(lines) > MAX_ENTRIES:
        raise ValueError(f"{label} is too large: {len(lines):,} lines of {width} numbers; at "
                         f"most {MAX_ENTRIES:,} numbers are read.")
    try:
        return np.loadtxt([line for _, line in lines], delimiter=delimiter,
                          ndmin=2 if width > 1 else 1)
    except ValueError:
        raise ValueError(f"{label} must hold only numbers, the same count on every line: "
                         f"{_first_bad_line(lines, width)}") from None


def _fields(line: str) -> list[str]:
    return [field.strip() for field in line.split(",")] if "," in line else line.split()


def _is_number(field: str) -> bool:
    """Whether NumPy reads ``field`` as a number (Python's float also takes "1_000")."""
    try:
        float(field)
    except ValueError:
        return False
    return "_" not in field


def _delimiter(label: str, lines: list[tuple[int, str]]) -> str | None:
    """"," or None (whitespace): the one delimiter of every line of several numbers."""
    first = None
    for number, line in lines:
        kind = "," if "," in line else (" " if len(line.split()) > 1 else None)
        if kind is None:
            continue
        if first is None:
            first = (number, kind)
        elif kind != first[1]:
            names = {",": "commas", " ": "spaces"}
            raise ValueError(f"{label} mixes delimiters: line {number} separates numbers by "
                             f"{names[kind]}, line {first[0]} by {names[first[1]]}; use one "
                             "delimiter throughout.")
    return "," if first is not None and first[1] == "," else None


def _first_bad_line(lines: list[tuple[int, str]], width: int) -> str:
    """Where a CSV that NumPy could not parse goes wrong, for the message."""
    for number, line in lines:
        fields = _fields(line)
        if len(fields) != width:
            return (f"line {number} has {len(fields)} fields, line {lines[0][0]} has "
                    f"{width}.")
        for field in fields:
            if not _is_number(field):
                return f"line {number} holds {field[:40]!r}, not a number."
    return "a line NumPy could not read."
