"""Passes over A (n, d) as reductions over row blocks, for NumPy, memory-mapped and dask A.

Every product with A in the library goes through this module. Three kinds of A:

- an in-memory ``np.ndarray``: the plain NumPy expression, unchanged (no overhead, the
  same bits);
- an ``np.memmap`` (``np.load(path, mmap_mode="r")``): a loop over blocks of about
  ``BLOCK_BYTES`` in this process. A file on this machine needs no scheduler, each block
  is read once per pass through the page cache, temporaries stay block-sized, and a
  float32 or Fortran-ordered file is converted block by block;
- a ``dask.array.Array`` chunked by rows (one column chunk): one task per row block,
  run by ``landscape.engine`` (Dask's local threads, or a ``dask.distributed`` cluster),
  the per-block results summed or concatenated here, on the client.

Design decision: A never has to fit in memory, vectors of length n do. ``A x``, the
weights ``D`` (n,) and the scale-free vectors live in the client's memory, 8 n bytes
each (80 MB at n = 1e7); reductions ``A^T V`` come back as (d,) or (d, k) arrays.

Dask is imported only when an A is a dask array (``sys.modules`` tells without an
import), so ``import landscape`` pays nothing for it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from .deadline import check

#: bytes of one row block of a memory-mapped A (64 MB: large enough that BLAS and the
#: page cache run at full speed, small enough for the temporaries of a block)
BLOCK_BYTES = 64 << 20
#: bytes of one scaled block of rows in ``gram``: small enough to stay in cache
GRAM_BLOCK_BYTES = 1 << 18


# -- kinds of A ---------------------------------------------------------------------

def is_dask(A) -> bool:
    """A is a ``dask.array.Array`` (False without importing dask when it is not loaded)."""
    module = sys.modules.get("dask.array")
    return module is not None and isinstance(A, module.Array)


def in_memory(A) -> bool:
    """A is (or will become) an array in this process's memory: anything but a
    memory-mapped or a dask array. Size caps for in-memory data apply to these only."""
    return not (isinstance(A, np.memmap) or is_dask(A))


def row_bounds(A) -> list[tuple[int, int]]:
    """``(start, stop)`` of each row block: dask's row chunks, or blocks of about
    ``BLOCK_BYTES`` for any other A."""
    if is_dask(A):
        stops = np.cumsum(A.chunks[0]).tolist()
        return list(zip([0, *stops[:-1]], stops, strict=True))
    n, d = A.shape
    step = max(1, BLOCK_BYTES // (8 * max(d, 1)))
    return [(start, min(start + step, n)) for start in range(0, n, step)]


def _read(A, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of a memory-mapped A as a float64 ndarray (a view if it can)."""
    return np.asarray(A[start:stop], dtype=np.float64)


def map_blocks(A, function, *shared, per_row=(), per_block=None) -> list:
    """``[function(A_k, *shared, *(v[rows_k] for v in per_row), *per_block[k])]`` for
    each row block k (rows ``rows_k``).

    ``per_row`` arrays have n entries along axis 0 and are cut like A's rows;
    ``per_block`` holds one tuple of extra arguments per block. On a dask A, one task
    per block, computed by ``landscape.engine``.
    """
    bounds = row_bounds(A)
    extra = per_block if per_block is not None else [()] * len(bounds)

    def arguments(k: int) -> tuple:
        start, stop = bounds[k]
        return (*shared, *(v[start:stop] for v in per_row), *extra[k])

    if is_dask(A):
        import dask

        from . import engine
        task = dask.delayed(function, pure=False)
        blocks = A.to_delayed().ravel()
        return engine.compute([task(block, *arguments(k)) for k, block in enumerate(blocks)])
    out = []
    for k in range(len(bounds)):
        check("a pass over A", k, len(bounds))
        out.append(function(_read(A, *bounds[k]), *arguments(k)))
    return out


def _sum(parts: list) -> np.ndarray:
    total = np.array(parts[0], dtype=np.float64)
    for part in parts[1:]:
        total += part
    return total


# -- products -------------------------------------------------------------------------

def _times(block, X):
    return block @ X


def product(A, X: np.ndarray) -> np.ndarray:
    """``A X`` for X (d,) or (d, k): (n,) or (n, k) in memory, block by block."""
    if in_memory(A):
        return A @ X
    return np.concatenate(map_blocks(A, _times, X), axis=0)


def products(A, *vectors: np.ndarray) -> tuple[np.ndarray, ...]:
    """``(A v_1, A v_2, ...)`` for vectors (d,); in memory one GEMV each, else one pass
    over A with the vectors as columns."""
    if in_memory(A):
        return tuple(A @ v for v in vectors)
    both = product(A, np.column_stack(vectors))
    return tuple(np.ascontiguousarray(both[:, i]) for i in range(len(vectors)))


def _times_transposed(block, X):
    return X @ block.T


def points_product(A, X: np.ndarray) -> np.ndarray:
    """``X A^T`` (k, n): ``A x`` for each row x of X (k, d)."""
    if in_memory(A):
        return X @ A.T
    return np.concatenate(map_blocks(A, _times_transposed, X), axis=1)


def _transposed_times(block, V):
    return block.T @ V


def transpose_product(A, V: np.ndarray) -> np.ndarray:
    """``A^T V`` for V (n,) or (n, k): (d,) or (d, k), a sum over row blocks."""
    if in_memory(A):
        return A.T @ V
    return _sum(map_blocks(A, _transposed_times, per_row=(V,)))


def _left_times(block, Y_rows):
    return np.asarray(Y_rows.T @ block)


def left_product(Y, A) -> np.ndarray:
    """``Y A`` (k, d) for Y (k, n) dense or SciPy sparse: ``A^T y`` for each row y of Y,
    one pass over A."""
    if in_memory(A):
        return Y @ A
    rows_first = Y.T.tocsr() if hasattr(Y, "tocsr") else Y.T  # cut along n cheaply
    return _sum(map_blocks(A, _left_times, per_row=(rows_first,)))


def _gram_times(block, V, weights=None):
    inner = block @ V
    if weights is not None:
        inner = (weights if V.ndim == 1 else weights[:, None]) * inner
    return block.T @ inner


def gram_product(A, weights: np.ndarray | None, V: np.ndarray) -> np.ndarray:
    """``A^T diag(weights) A V`` for V (d,) or (d, k) (``A^T A V`` for weights None);
    one pass over a blocked A (forward and back inside each block)."""
    if in_memory(A):
        if weights is None:
            return A.T @ (A @ V)
        return A.T @ ((weights if V.ndim == 1 else weights[:, None]) * (A @ V))
    if weights is None:
        return _sum(map_blocks(A, _gram_times, V))
    return _sum(map_blocks(A, _gram_times, V, per_row=(weights,)))


# -- Gram matrices ----------------------------------------------------------------------

def _gram_in_memory(A: np.ndarray, weights: np.ndarray,
                    rows: np.ndarray | None = None) -> np.ndarray:
    d = A.shape[1]
    count = A.shape[0] if rows is None else rows.size
    block = max(4 * d, GRAM_BLOCK_BYTES // (A.itemsize * d), 1)
    if count <= block:
        sub = A if rows is None else A[rows]
        return sub.T @ (weights[:, None] * sub)
    h = np.zeros((d, d), dtype=np.result_type(A, weights))
    scaled = np.empty((block, d), dtype=h.dtype)
    for start in range(0, count, block):
        stop = min(start + block, count)
        sub = A[start:stop] if rows is None else A[rows[start:stop]]
        out = scaled[:stop - start]
        np.multiply(weights[start:stop, None], sub, out=out)
        h += sub.T @ out
    return h


def gram(A, weights: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """``A_R^T diag(weights) A_R`` (d, d) for the rows ``R`` of A (all rows if None;
    ``weights`` has one entry per row used), not symmetrised.

    In memory, summed over blocks of at least ``4 d`` rows, each scaled into one reused
    buffer that stays in cache: for a tall A this avoids writing a scaled copy of A
    (``benchmarks/core.py`` times it against ``A.T @ (w[:, None] * A)``); with ``rows``
    the gathered rows are never all in memory at once either. A blocked A sums the
    same per block, each block taking the rows of R that fall in it.
    """
    if in_memory(A):
        return _gram_in_memory(A, weights, rows)
    if rows is None:
        return _sum(map_blocks(A, _gram_in_memory, per_row=(weights,)))
    order = np.argsort(rows, kind="stable")  # sorted rows: each block's are one slice
    rows, weights = np.asarray(rows)[order], np.asarray(weights)[order]
    pieces = []
    for start, stop in row_bounds(A):
        lo, hi = np.searchsorted(rows, [start, stop])
        pieces.append((weights[lo:hi], rows[lo:hi] - start))
    return _sum(map_blocks(A, _gram_in_memory, per_block=pieces))


def _stacked_times(block, *vectors):
    return np.vstack(vectors) @ block


def stacked_product(A, *vectors: np.ndarray) -> np.ndarray:
    """``[y_1; y_2; ...] A`` (k, d) for n-vectors y, one pass over A; a blocked A
    stacks each block's pieces only (no (k, n) copy of the vectors)."""
    if in_memory(A):
        return np.vstack(vectors) @ A
    return _sum(map_blocks(A, _stacked_times, per_row=vectors))


def _gram_and_stacked(block, weights, *vectors):
    return _gram_in_memory(block, weights, None), np.vstack(vectors) @ block


def gram_and_stacked_product(A, weights: np.ndarray, *vectors: np.ndarray):
    """``(A^T diag(weights) A, [y_1; y_2; ...] A)`` in one pass over A: where a pass
    reads A from disk or a cluster, exact Newton's Hessian and gradient share it."""
    if in_memory(A):
        return gram(A, weights), stacked_product(A, *vectors)
    parts = map_blocks(A, _gram_and_stacked, per_row=(weights, *vectors))
    return _sum([g for g, _ in parts]), _sum([y for _, y in parts])


# -- norms, rows, factors ---------------------------------------------------------------

def _row_norms2(block):
    return np.einsum("ij,ij->i", block, block)


def row_norms2(A) -> np.ndarray:
    """``||a_i||^2`` for every row (n,)."""
    if in_memory(A):
        return _row_norms2(A)
    return np.concatenate(map_blocks(A, _row_norms2))


def frobenius2(A) -> float:
    """``||A||_F^2 = sum_ij A_ij^2``."""
    if in_memory(A):
        return float(np.vdot(A, A))
    return float(sum(map_blocks(A, _squares)))


def _squares(block):
    return float(np.vdot(block, block))


@dataclass(frozen=True)
class EntryStats:
    """What validation needs from one pass over A: ``largest = max |A_ij|`` (NaN if
    any entry is NaN), ``nonfinite`` entries and the first one's (row, column),
    ``squares = ||A||_F^2`` (meaningful only when all entries are finite)."""

    largest: float
    nonfinite: int
    nans: int
    first_nonfinite: tuple[int, int] | None
    squares: float


def _stats_block(block, start):
    largest = float(max(block.max(), -block.min())) if block.size else 0.0
    if np.isfinite(largest):
        with np.errstate(over="ignore"):  # an entry beyond the size rule; refused by the caller
            return EntryStats(largest, 0, 0, None, float(np.vdot(block, block)))
    bad = ~np.isfinite(block)
    i, j = np.argwhere(bad)[0]
    return EntryStats(largest, int(bad.sum()), int(np.isnan(block).sum()),
                      (start + int(i), int(j)), np.inf)


def entry_stats(A) -> EntryStats:
    """``EntryStats`` of A in one pass over its row blocks."""
    parts = map_blocks(A, _stats_block, per_block=[(start,) for start, _ in row_bounds(A)])
    bad = [p for p in parts if p.nonfinite]
    with np.errstate(over="ignore"):
        squares = float(sum(p.squares for p in parts))
    return EntryStats(largest=max((p.largest for p in parts), key=lambda v: (np.isnan(v), v)),
                      nonfinite=sum(p.nonfinite for p in bad), nans=sum(p.nans for p in bad),
                      first_nonfinite=bad[0].first_nonfinite if bad else None,
                      squares=squares)


def take(A, rows) -> np.ndarray:
    """``A[rows]`` (rows: integer indices or a boolean mask) as an in-memory array."""
    if in_memory(A):
        return A[rows]
    rows = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows)
    if is_dask(A):
        from . import engine
        return np.asarray(engine.compute([A[rows]])[0], dtype=np.float64)
    return np.asarray(A[rows], dtype=np.float64)


def _r_factor(block):
    import scipy.linalg as sla
    if block.shape[0] <= block.shape[1]:
        return block
    return sla.qr(block, mode="r", check_finite=False)[0][:block.shape[1]]


def triangular_factor(A) -> np.ndarray:
    """``R`` (min(n, d), d) with ``R^T R = A^T A`` by a tall-skinny QR over row blocks
    (R has A's singular values; no n x d copy)."""
    return _r_factor(np.vstack(map_blocks(A, _r_factor)) if not in_memory(A) else A)


def as_float32(A):
    """A float32 version of A for sketches: a copy in memory, a lazy cast for dask,
    A itself when memory-mapped (its blocks are read anyway; a copy would not fit)."""
    if in_memory(A) or is_dask(A):
        return A.astype(np.float32)
    return A


def to_numpy(values) -> np.ndarray:
    """An n-vector (NumPy, list or dask) in memory."""
    if is_dask(values):
        from . import engine
        return np.asarray(engine.compute([values])[0])
    return values
