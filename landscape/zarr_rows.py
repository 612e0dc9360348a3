"""How the row blocks of a zarr A (n, d) on disk are read, for ``landscape.stores``.

Where A's chunks are raw files (zarr v3, the ``bytes`` codec alone, little-endian, a
regular grid of whole-row chunks: what ``python -m landscape.data make`` writes), a
block is its chunk file mapped into memory (``RawRows``): the numbers are read where
they lie in the page cache, with no copy, and count as file-backed memory, not as the
process's own (at n = 10^7, d = 50 a pass took 0.5 s instead of 3 s through zarr).
Other stores (compressed, zarr v2, column chunks, big-endian) are read through zarr
(``Rows``). Either way a block that cannot be read is a ValueError naming the store
and the rows.
"""

from __future__ import annotations

import json
import mmap
import os
from pathlib import Path

import numpy as np

from .limits import STORE_BLOCK_ENTRIES


def zarr_rows(array, directory: Path, n: int, d: int, chunk_rows: int | None, label: str):
    """A dask array over a zarr (n, d) array stored in ``directory``, chunked by rows
    only: ``chunk_rows`` rows, by default a multiple of the store's row chunk near
    STORE_BLOCK_ENTRIES. Raw chunk files are mapped (``RawRows``), others read by zarr."""
    import dask.array as da

    stored = int(array.chunks[0])
    if chunk_rows is None:
        chunk_rows = stored * max(1, STORE_BLOCK_ENTRIES // max(1, stored * d))
    layout = raw_layout(directory, (n, d), stored)
    source = (Rows(array, label) if layout is None
              else RawRows(directory, (n, d), stored, *layout, label))
    return da.from_array(source, chunks=(min(chunk_rows, n), d), asarray=True,
                         name=f"store-{id(source)}")


def raw_layout(directory: Path, shape: tuple[int, int],
               chunk_rows: int) -> tuple[np.dtype, str] | None:
    """``(dtype, separator)`` when the zarr v3 array in ``directory`` (of ``shape``, row
    chunks of ``chunk_rows``) stores each chunk as a raw file ``c<sep>k<sep>0``: the
    ``bytes`` codec alone, little-endian, a regular grid of whole-row chunks, the default
    chunk keys, no storage transformer. None otherwise (any compressor or filter,
    sharding, zarr v2, column chunks): zarr reads those. (The dtype, the same
    ``data_type`` zarr reports, was checked to be numeric by ``landscape.stores``.)"""
    try:
        meta = json.loads((directory / "zarr.json").read_text())
        codecs, grid = meta["codecs"], meta["chunk_grid"]
        keys = meta.get("chunk_key_encoding", {"name": "default"})
        dtype = np.dtype(meta["data_type"]).newbyteorder("<")
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if meta.get("storage_transformers"):
        return None
    if not (isinstance(codecs, list) and len(codecs) == 1 and codecs[0].get("name") == "bytes"):
        return None
    if (codecs[0].get("configuration") or {}).get("endian", "little") != "little":
        return None
    if (grid.get("name") != "regular" or meta.get("shape") != list(shape)
            or grid.get("configuration", {}).get("chunk_shape") != [chunk_rows, shape[1]]):
        return None
    separator = (keys.get("configuration") or {}).get("separator", "/")
    if keys.get("name") != "default" or separator not in ("/", "."):
        return None
    return dtype, separator


class Rows:
    """A zarr array whose reads say which rows of which store failed (a truncated or
    damaged chunk), as a ValueError, instead of zarr's or NumPy's own words."""

    def __init__(self, array, label: str) -> None:
        self.array, self.label = array, label
        self.shape, self.dtype, self.ndim = array.shape, array.dtype, 2

    def __getitem__(self, key):
        try:
            return np.asarray(self.array[key])
        except Exception as err:  # noqa: BLE001 - whatever the codec or the file says
            rows = key[0] if isinstance(key, tuple) else key
            where = (f"rows {rows.start:,} to {rows.stop:,}" if isinstance(rows, slice)
                     else "some rows")
            raise ValueError(f"{self.label} cannot be read at {where}: "
                             f"{type(err).__name__}: {str(err)[:200]}") from None


class RawRows:
    """Rows of a zarr array whose chunks are raw files (``raw_layout``), each chunk
    file mapped read-only (``mmap``) when a block is read: a block inside one chunk is
    a view of the file's pages in the page cache, not a copy, and counts as file-backed
    memory, not as this process's own. A chunk file of another size than a chunk
    (zarr writes the last one full size, padded) is refused naming the rows, as
    ``Rows`` refuses what zarr cannot read."""

    def __init__(self, directory: Path, shape: tuple[int, int], chunk_rows: int,
                 dtype: np.dtype, separator: str, label: str) -> None:
        self.directory, self.chunk_rows, self.separator = directory, chunk_rows, separator
        self.shape, self.dtype, self.ndim, self.label = shape, dtype, 2, label

    def __getitem__(self, key):
        """Rows ``key[0]`` (a slice: dask's blocks) and columns ``key[1]``."""
        rows, columns = key if isinstance(key, tuple) else (key, slice(None))
        start, stop, step = rows.indices(self.shape[0])
        if step != 1 or stop <= start:
            return np.empty((0, self.shape[1]), self.dtype)[:, columns]
        first, last = start // self.chunk_rows, (stop - 1) // self.chunk_rows
        pieces = [self._chunk(k, start, stop)[max(start - k * self.chunk_rows, 0):
                                              stop - k * self.chunk_rows]
                  for k in range(first, last + 1)]
        block = pieces[0] if len(pieces) == 1 else np.concatenate(pieces)
        return block[:, columns]

    def _chunk(self, k: int, start: int, stop: int) -> np.ndarray:
        """Chunk ``k`` (chunk_rows, d), mapped; errors name the rows being read."""
        name = self.separator.join(("c", str(k), "0"))
        expected = self.chunk_rows * self.shape[1] * self.dtype.itemsize
        where = f"{self.label} cannot be read at rows {start:,} to {stop:,}"
        try:
            with open(self.directory / name, "rb") as stream:
                size = os.fstat(stream.fileno()).st_size
                mapped = (mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
                          if size == expected else None)
        except OSError as err:  # gone, unreadable: the file system's words
            raise ValueError(f"{where}: {type(err).__name__}: {str(err)[:200]}") from None
        if mapped is None:
            raise ValueError(f"{where}: its chunk file '{name}' holds {size:,} bytes where a "
                             f"chunk of {self.chunk_rows:,} rows holds {expected:,} (truncated "
                             "or damaged).")
        return np.frombuffer(mapped, self.dtype).reshape(self.chunk_rows, self.shape[1])
