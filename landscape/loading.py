"""Reading A and b from files: ``.npy``, ``.npz`` and ``.csv``, as plain numbers only.

``.npy``/``.npz`` are read with ``allow_pickle=False`` and ``.csv`` as text; nothing is
ever unpickled. A ``.npy`` header (and that of every member of a ``.npz``) is checked
against the size limits before any data is read or decompressed: a file has at most
``MAX_FILE_BYTES`` bytes, an array at most ``MAX_ENTRIES`` entries (declared in its
header, or counted in a CSV before parsing).
"""

from __future__ import annotations

import io
import math
import os
import tokenize
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .limits import MAX_ENTRIES, MAX_FILE_BYTES, MAX_HEADER_BYTES
from .problem import Problem
from .validation import describe, real_array


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
        raise ValueError(f"{label} must end in .npy, .npz or .csv; received "
                         f"'{suffix or 'no suffix'}'.")
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


def npy_header(stream, label: str,
               pickle_note: str = ".") -> tuple[int, tuple[int, ...], np.dtype, bool]:
    """Check the .npy header at the start of ``stream`` (magic, header length, dtype)
    without reading data: ``(header bytes, shape, dtype, fortran_order)``. Sizes are
    not limited here (a file opened without reading it may exceed memory)."""
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
        shape, fortran_order, dtype = read(io.BytesIO(size_field + header))
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
    return 8 + len(size_field) + length, shape, dtype, fortran_order


def _npy_header(stream, label: str, pickle_note: str = ".") -> tuple[int, int]:
    """``npy_header``, and the declared size checked against the limits of arrays
    read into memory: ``(header bytes, data bytes)``."""
    start, shape, dtype, _ = npy_header(stream, label, pickle_note)
    count = math.prod(shape)
    nbytes = count * dtype.itemsize
    if count > MAX_ENTRIES or nbytes > MAX_FILE_BYTES:
        raise ValueError(f"{label} is too large: its header declares shape {shape} of {dtype} "
                         f"({count:,} entries, {nbytes / 2**20:,.0f} MB); at most "
                         f"{MAX_ENTRIES:,} entries and {MAX_FILE_BYTES // 2**20} MB are read.")
    return start, nbytes


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
