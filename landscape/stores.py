"""Data on disk: A (and b) opened from a zarr store or a ``.npy`` file without reading
A into memory, and the catalogue of the stores of a data directory.

    prob = ls.open_problem("data/tall.zarr")              # a store: A, b, x_true inside
    prob = ls.open_problem("A.npy", "b.npy", chunk_rows=100_000)
    [info.name for info in ls.list_stores("data")]; ls.open_store("data", "tall.zarr")

A zarr A becomes a ``dask.array`` chunked by rows only (whole rows in each block); a
``.npy`` A an ``np.memmap`` (a ``dask.array`` over it when ``chunk_rows`` is given).
How a zarr A's blocks are read (its raw chunk files mapped, or through zarr) is
``landscape.zarr_rows``'s.
Everything that can be refused is refused from metadata, before any data is read: a
missing path, a wrong extension, a pickled or object array, an A that is not 2-D or
not of a float or integer dtype, a b of another length, a path outside ``data_dir``.
b and x_true are small (n and d numbers) and are read.

A store (as ``python -m landscape.data make`` writes it) is a zarr group holding the
arrays ``A`` (n, d), ``b`` (n,) and ``x_true`` (d,), with the attributes seed, kind,
gamma, n and d.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .limits import MAX_ENTRIES
from .loading import npy_header
from .problem import Problem
from .validation import describe, positive_int
from .zarr_rows import zarr_rows

#: dtype kinds of A and b that are read: signed and unsigned integers, floats
_NUMERIC_KINDS = "iuf"


@dataclass(frozen=True)
class StoreArrays:
    """What ``open_arrays`` hands to ``Problem``: A (n, d) as a dask array or a
    memmap (never read), b (n,) and x_true (d,) or None in memory, the store's
    attributes (empty for a single array)."""

    A: object
    b: np.ndarray | None
    x_true: np.ndarray | None
    attrs: dict


@dataclass(frozen=True)
class StoreInfo:
    """One store of a data directory, from its metadata alone.

    ``name`` is its entry in the directory (what ``open_store`` takes), ``n`` and
    ``d`` the shape of A, ``dtype`` A's, ``disk_bytes`` the size of its files,
    ``chunk_rows`` the rows of one chunk of A; ``kind``, ``gamma`` and ``seed`` are
    the attributes ``python -m landscape.data make`` writes (None when absent).
    """

    name: str
    n: int
    d: int
    dtype: str
    disk_bytes: int
    chunk_rows: int
    has_b: bool
    has_x_true: bool
    kind: str | None = None
    gamma: float | None = None
    seed: int | None = None


def open_problem(path_A, path_b=None, *, kind: str = "softmax", w=None, gamma=None,
                 chunk_rows: int | None = None, data_dir=None) -> Problem:
    """A ``Problem`` on data on disk, A not read into memory.

    Parameters
    ----------
    path_A : a zarr store (a directory: an (n, d) array, or a group holding ``A``,
        ``b`` and optionally ``x_true``) or a ``.npy`` file of shape (n, d).
    path_b : a zarr array or ``.npy`` file of shape (n,) (or (n, 1), (1, n)); None
        takes the store's ``b``.
    kind, w, gamma : as in ``Problem``.
    chunk_rows : rows of A per block; default about 32 MB of float64 per block (for a
        zarr store, a multiple of its own row chunk). A ``.npy`` A stays an
        ``np.memmap`` unless ``chunk_rows`` is given.
    data_dir : when given, ``path_A`` and ``path_b`` (relative to it, or absolute)
        must lie inside this directory, symbolic links and ``..`` resolved.
    """
    arrays = open_arrays(path_A, path_b, chunk_rows=chunk_rows, data_dir=data_dir)
    if arrays.b is None:
        raise ValueError(f"b must be given: '{path_A}' holds A only (no array named b); "
                         "pass path_b.")
    return Problem(arrays.A, arrays.b, kind=kind, w=w, gamma=gamma, x_true=arrays.x_true)


def open_arrays(path_A, path_b=None, *, chunk_rows: int | None = None,
                data_dir=None) -> StoreArrays:
    """A (dask array or memmap, not read), b and x_true (read), checked from their
    metadata first; the arguments are ``open_problem``'s."""
    if chunk_rows is not None:
        chunk_rows = positive_int("chunk_rows", chunk_rows)
    root = _data_dir(data_dir)
    path = _path("path_A", path_A, root)
    if path.is_dir():
        node = _zarr_node(path, "A")
        group = None if _is_array(node) else node
        A_meta = _member(group, "A", path) if group is not None else node
        n, d = _matrix_shape(A_meta.shape, np.dtype(A_meta.dtype), f"A ('{path_A}')")
        stored, expected, unit = _stored_objects(A_meta)  # a listing, no data read
        if stored < expected:  # zarr would read them as its fill value, zeros
            raise ValueError(f"A ('{path_A}') is incomplete: {expected - stored} of its "
                             f"{expected} {unit} are missing on disk.")
        A = zarr_rows(A_meta, path if group is None else path / "A", n, d, chunk_rows,
                       f"A ('{path_A}')")
    else:
        mm = _npy_map(path, "A", path_A)
        n, d = _matrix_shape(mm.shape, mm.dtype, f"A ('{path_A}')")
        A, group = mm, None
        if chunk_rows is not None:
            import dask.array as da

            A = da.from_array(mm, chunks=(min(chunk_rows, n), d))
    if path_b is not None:
        b = _read_vector(_path("path_b", path_b, root), "b", path_b, n)
    elif group is not None and "b" in group.array_keys():
        b = _read_vector(group["b"], "b", f"{path_A}/b", n)
    else:
        b = None
    x_true = None
    if group is not None and "x_true" in group.array_keys():
        x_true = _read_vector(group["x_true"], "x_true", f"{path_A}/x_true", d)
    attrs = {} if group is None else dict(group.attrs)
    return StoreArrays(A=A, b=b, x_true=x_true, attrs=attrs)


def _stored_objects(meta) -> tuple[int, int, str]:
    """(objects on disk, objects the shape needs, "chunks" or "shards") of a zarr
    array: its shards when it is sharded. zarr's ``nchunks_initialized`` then counts
    every inner chunk of each stored shard, the padding past the array's end included,
    so the shards on disk are that count over the inner chunks per shard."""
    if getattr(meta, "shards", None) is None:
        return meta.nchunks_initialized, meta.nchunks, "chunks"
    per_shard = math.prod(s // c for s, c in zip(meta.shards, meta.chunks, strict=True))
    needed = math.prod(-(-n // s) for n, s in zip(meta.shape, meta.shards, strict=True))
    return meta.nchunks_initialized // per_shard, needed, "shards"


def list_stores(data_dir) -> list[StoreInfo]:
    """The stores of ``data_dir`` (zarr groups holding a 2-D numeric array ``A``, row
    chunks of at least one row, and a ``b``), by name, read from their metadata only.
    Other entries, hidden ones (a store being written), links out of the directory and
    stores whose metadata cannot be read are left out: one damaged store must not hide
    the others."""
    root = _data_dir(data_dir)
    if root is None:
        raise ValueError("data_dir must be a directory; received None.")
    found = []
    for entry in sorted(root.iterdir()):
        try:
            info = _describe(entry, root)
        except Exception:  # noqa: BLE001 - zarr, the file system, a link loop: not offered
            continue
        if info is not None:
            found.append(info)
    return found


def _describe(entry: Path, root: Path) -> StoreInfo | None:
    """The ``StoreInfo`` of the store at ``entry``, or None where it is none."""
    if entry.name.startswith(".") or not entry.resolve().is_relative_to(root):
        return None
    if not any((entry / meta).is_file() for meta in ("zarr.json", ".zgroup")):
        return None  # not a zarr group (zarr 3 or 2)
    group = _zarr_node(entry, "store")
    if _is_array(group) or not {"A", "b"} <= set(group.array_keys()):
        return None
    A = group["A"]
    if (len(A.shape) != 2 or np.dtype(A.dtype).kind not in _NUMERIC_KINDS
            or min(A.shape) < 1 or int(A.chunks[0]) < 1):
        return None
    keys, attrs = set(group.array_keys()), dict(group.attrs)
    return StoreInfo(
        name=entry.name, n=int(A.shape[0]), d=int(A.shape[1]), dtype=str(A.dtype),
        disk_bytes=_disk_bytes(entry), chunk_rows=int(A.chunks[0]), has_b=True,
        has_x_true="x_true" in keys, kind=_attr(attrs, "kind", str),
        gamma=_attr(attrs, "gamma", float), seed=_attr(attrs, "seed", int))


def open_store(data_dir, name: str, *, kind: str | None = None, w=None, gamma=None,
               chunk_rows: int | None = None) -> Problem:
    """The ``Problem`` of the store called ``name`` in ``data_dir`` (one of
    ``list_stores(data_dir)``'s names, never another path), with ``kind``, ``w`` and
    ``gamma`` as in ``Problem``; without kind and gamma, those its attributes record."""
    stores = {info.name: info for info in list_stores(data_dir)}
    if not isinstance(name, str) or name not in stores:
        listed = ", ".join(map(repr, list(stores)[:10])) or "none"
        raise ValueError(f"name must be one of the stores in '{_data_dir(data_dir)}' "
                         f"({listed}); received {describe(name)}.")
    info = stores[name]
    if kind is None and gamma is None:
        kind, gamma = info.kind if info.kind in ("softmax", "unified") else "softmax", info.gamma
    try:
        return open_problem(name, kind=kind or "softmax", w=w, gamma=gamma,
                            chunk_rows=chunk_rows, data_dir=data_dir)
    except (TypeError, KeyError, OSError, ZeroDivisionError) as err:  # zarr's own words
        raise ValueError(f"the store {name!r} cannot be read: {type(err).__name__}: "
                         f"{str(err)[:200]}") from None


# -- paths ----------------------------------------------------------------------------

def _data_dir(data_dir) -> Path | None:
    if data_dir is None:
        return None
    if not isinstance(data_dir, (str, os.PathLike)):
        raise ValueError(f"data_dir must be a path; received {describe(data_dir)}.")
    root = Path(data_dir).resolve()
    if not root.is_dir():
        raise ValueError(f"data_dir '{data_dir}' is not a directory.")
    return root


def _path(name: str, value, root: Path | None) -> Path:
    """``value`` as an existing path (inside ``root`` when given)."""
    if not isinstance(value, (str, os.PathLike)):
        raise ValueError(f"{name} must be a path (a zarr store or a .npy file); received "
                         f"{describe(value)}.")
    path = Path(value)
    if root is not None:
        path = (root / path).resolve()  # an absolute value replaces root; links resolved
        if not path.is_relative_to(root):
            raise ValueError(f"{name} '{value}' lies outside the data directory '{root}'; only "
                             "data inside it is opened.")
    if not path.exists():
        raise ValueError(f"{name} '{value}' does not exist.")
    if path.is_file() and path.suffix.lower() != ".npy":
        raise ValueError(f"{name} '{value}' must be a .npy file or a zarr store (a directory); "
                         f"received '{path.suffix or 'no suffix'}'. Files read whole (.npz, .csv) "
                         "are landscape.load_problem's.")
    if not path.is_file() and not path.is_dir():
        raise ValueError(f"{name} '{value}' is neither a file nor a directory.")
    return path


# -- zarr -----------------------------------------------------------------------------

def _zarr_node(path: Path, what: str):
    """The zarr array or group at ``path`` (metadata only)."""
    import zarr

    try:
        return zarr.open(store=str(path), mode="r")
    except (ValueError, OSError, KeyError, TypeError) as err:  # zarr's errors subclass these
        raise ValueError(f"{what} '{path}' is not a zarr store: {str(err)[:200]}") from None


def _is_array(node) -> bool:
    return hasattr(node, "dtype")


def _member(group, name: str, path: Path):
    if name not in group.array_keys():
        raise ValueError(f"store '{path}' must hold an array named '{name}'; it holds "
                         f"{sorted(group.array_keys()) or 'no arrays'}.")
    return group[name]


def _disk_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` (their sizes, not their contents)."""
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())


def _attr(attrs: dict, key: str, kind: type):
    """The attribute ``key`` as ``kind`` (str, int or float), or None."""
    value = attrs.get(key)
    if kind is str:
        return value if isinstance(value, str) else None
    return kind(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


# -- checks before reading ------------------------------------------------------------

def _matrix_shape(shape, dtype: np.dtype, label: str) -> tuple[int, int]:
    if dtype.hasobject or dtype.kind not in _NUMERIC_KINDS:
        raise ValueError(f"{label} must hold real numbers (a float or integer dtype); it "
                         f"declares dtype {dtype}.")
    if len(shape) != 2:
        raise ValueError(f"{label} must be a matrix (2-D); it declares shape {tuple(shape)}.")
    n, d = (int(k) for k in shape)
    if n == 0 or d == 0:
        raise ValueError(f"{label} must have at least one row and one column; it declares "
                         f"shape {(n, d)}.")
    return n, d


def _npy_map(path: Path, name: str, shown) -> np.memmap:
    """A ``.npy`` file as a read-only memmap, its header checked first."""
    label = f"{name} file '{shown}'"
    with open(path, "rb") as stream:
        start, shape, dtype, _ = npy_header(stream, label, ".")
    if dtype.kind not in _NUMERIC_KINDS:
        raise ValueError(f"{label} must hold real numbers (a float or integer dtype); its "
                         f"header declares dtype {dtype}.")
    nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if path.stat().st_size - start < nbytes:
        raise ValueError(f"{label} is not a valid .npy array: it is truncated (its header "
                         f"declares {nbytes:,} bytes of data, {path.stat().st_size - start:,} "
                         "follow).")
    return np.load(path, mmap_mode="r", allow_pickle=False)


def _read_vector(source, name: str, shown, length: int) -> np.ndarray:
    """A vector of ``length`` numbers (from a path or a zarr array), its shape and
    dtype checked before it is read; one row or one column is flattened."""
    if isinstance(source, Path) and source.is_file():
        data = _npy_map(source, name, shown)
    else:
        data = _zarr_node(source, name) if isinstance(source, Path) else source
        if not _is_array(data):
            data = _member(data, name, source)
    shape, dtype = tuple(int(k) for k in data.shape), np.dtype(data.dtype)
    if dtype.hasobject or dtype.kind not in _NUMERIC_KINDS:
        raise ValueError(f"{name} ('{shown}') must hold real numbers (a float or integer "
                         f"dtype); it declares dtype {dtype}.")
    if len(shape) == 2 and 1 in shape:
        size = shape[0] * shape[1]
    elif len(shape) == 1:
        size = shape[0]
    else:
        raise ValueError(f"{name} ('{shown}') must be a vector (1-D), or one row or one "
                         f"column; it declares shape {shape}.")
    if size != length:
        what = "rows of A" if name == "b" else "columns of A"
        raise ValueError(f"{name} ('{shown}') has length {size:,} but A has {length:,} {what}; "
                         "they must be equal.")
    if size > MAX_ENTRIES:
        raise ValueError(f"{name} ('{shown}') is too large to hold in memory: {size:,} entries; "
                         f"at most {MAX_ENTRIES:,} ({MAX_ENTRIES * 8 / 1e9:.1f} GB of float64).")
    return np.array(data[...], dtype=np.float64).reshape(size)  # read: n numbers
