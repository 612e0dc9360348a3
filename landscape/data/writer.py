"""Writing a seeded realizable problem to a zarr store, row block by row block, so
that memory stays one block whatever n is:

    python -m landscape.data make --n 10000000 --d 50 --out data/tall.zarr [--seed 0]
        [--chunk-rows R] [--kind softmax|unified] [--gamma G] [--matrix gaussian]

The data are ``make_problem(n, d, seed, kind=, gamma=, matrix=, target="realizable")``'s:
A is drawn from ``default_rng([seed, 0])`` block after block, which draws the same
numbers as one (n, d) draw; x_true from ``default_rng([seed, 1])``, scaled to a
unit-RMS ``A x_true`` and halved while the normaliser is not safely positive, as
``_realizable`` does (no noise: ``b = f(A x_true)``).

``b = u(z) / alpha`` with ``alpha = sum_i u(z_i)`` over all n rows, so b takes passes:
(1) write A and ``z = A x`` (into b's array, as scratch) with the sums that fix the
scale of x_true; (2) the normaliser, shifted by ``K`` as in ``losses.scale_free``
(MATH.md 6); (3) overwrite each block of z by ``f(z)``. Passes 2 and 3 read z (n
numbers), never A again. The store is written under a hidden name and renamed when
complete, so a store that is listed is whole.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ..limits import MAX_ENTRIES, STORE_BLOCK_ENTRIES
from ..losses import POLE_RTOL
from ..problem import KIND_GAMMA, KINDS
from ..validation import choice, positive_int, real_scalar, seed_value
from . import _matrix

#: the families whose rows are drawn independently, so that A can be drawn by blocks
ROW_MATRICES = ("gaussian", "uniform", "nonnegative")
#: halvings of x_true tried before giving up (z -> 0 makes alpha -> n > 0)
_MAX_HALVINGS = 200


def write_store(out, n: int, d: int, *, seed: int = 0, kind: str = "softmax",
                gamma: float | None = None, matrix: str = "gaussian",
                chunk_rows: int | None = None) -> Path:
    """Write the store ``out`` (a new directory): arrays ``A`` (n, d), ``b`` (n,),
    ``x_true`` (d,), attributes seed, kind, gamma, matrix, target, n, d. A is chunked
    by ``chunk_rows`` rows (default about 32 MB per chunk), uncompressed (random
    doubles do not compress). Returns the path of the store."""
    import zarr

    n = positive_int("n", n)
    d = positive_int("d", d)
    seed = seed_value("seed", seed)
    kind = choice("kind", kind, KINDS)
    gamma_value = KIND_GAMMA[kind] if gamma is None else real_scalar("gamma", gamma, low=0, high=1)
    matrix = choice("matrix", matrix, ROW_MATRICES)
    rows = (max(1, min(n, STORE_BLOCK_ENTRIES // d)) if chunk_rows is None
            else min(n, positive_int("chunk_rows", chunk_rows)))
    if rows * d > MAX_ENTRIES:
        raise ValueError(f"chunk_rows × d must be at most {MAX_ENTRIES:,} entries "
                         f"({MAX_ENTRIES * 8 / 1e9:.1f} GB of float64): one block is held in "
                         f"memory; received chunk_rows = {rows:,}, d = {d:,}.")
    out = _new_path(out, need=8 * n * (d + 1) + 8 * d)

    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        group = zarr.open_group(store=str(staging), mode="w")
        A = group.create_array("A", shape=(n, d), chunks=(rows, d), dtype="float64",
                               compressors=None)
        b = group.create_array("b", shape=(n,), chunks=(rows,), dtype="float64",
                               compressors=None)
        x_raw = np.random.default_rng([seed, 1]).standard_normal(d)
        sums = _write_matrix(A, b, x_raw, matrix, np.random.default_rng([seed, 0]), rows)
        scale, shift, alpha, linear_weight = _normaliser(b, sums, gamma_value, rows)
        for start in range(0, n, rows):
            z = b[start:start + rows] * scale
            b[start:start + rows] = (np.exp(z - shift) + linear_weight * z) / alpha
        group.create_array("x_true", shape=(d,), chunks=(d,), dtype="float64")[...] = (
            x_raw * scale)
        group.attrs.update(dict(seed=seed, kind=kind, gamma=gamma, matrix=matrix,
                                target="realizable", n=n, d=d))
        os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def _new_path(out, need: int) -> Path:
    """``out`` as a path that does not exist yet, in a directory with ``need`` bytes free."""
    if not isinstance(out, (str, os.PathLike)):
        raise ValueError(f"out must be a path; received {out!r}.")
    out = Path(out).absolute()
    if out.exists():
        raise ValueError(f"out '{out}' already exists; remove it or choose another name.")
    if not out.parent.is_dir():
        raise ValueError(f"out '{out}' cannot be written: its directory '{out.parent}' "
                         "does not exist.")
    free = shutil.disk_usage(out.parent).free
    if need > free:
        raise ValueError(f"out '{out}' needs {need / 1e9:.2f} GB on disk; its file system has "
                         f"{free / 1e9:.2f} GB free.")
    return out


def _write_matrix(A, b, x_raw: np.ndarray, matrix: str, rng: np.random.Generator,
                  rows: int) -> dict[str, float]:
    """Pass 1: A block by block, ``z = A x_raw`` into b; sums of z, |z|, z^2 and its range."""
    n, d = A.shape
    sums = dict(sum=0.0, abs=0.0, squares=0.0, top=-math.inf, bottom=math.inf)
    for start in range(0, n, rows):
        block = _matrix(matrix, min(rows, n - start), d, rng, cond=1.0, rank=None)
        A[start:start + len(block)] = block
        z = block @ x_raw
        b[start:start + len(block)] = z
        sums["sum"] += float(np.sum(z))
        sums["abs"] += float(np.sum(np.abs(z)))
        sums["squares"] += float(z @ z)
        sums["top"] = max(sums["top"], float(z.max()))
        sums["bottom"] = min(sums["bottom"], float(z.min()))
    return sums


def _normaliser(z_array, sums: dict[str, float], gamma: float,
                rows: int) -> tuple[float, float, float, float]:
    """Pass 2: the scale of x_true (unit-RMS z, halved while alpha is not safely
    positive) and, at that scale, ``(scale, K, alpha e^-K, gamma e^-K)``: then
    ``f_i = (exp(z_i - K) + gamma e^-K z_i) / (alpha e^-K)``, as ``losses.scale_free``."""
    n = z_array.shape[0]
    rms = math.sqrt(sums["squares"] / n)
    scale = 1.0 / rms if rms > 0 else 1.0
    for _ in range(_MAX_HALVINGS):
        top = scale * sums["top"]
        shift = top
        if gamma > 0:
            biggest = gamma * scale * max(sums["top"], -sums["bottom"])
            shift = max(top, math.log(biggest)) if biggest > 0 else top
        exps = sum(float(np.sum(np.exp(z_array[start:start + rows] * scale - shift)))
                   for start in range(0, n, rows))
        linear_weight = gamma * math.exp(-shift) if gamma > 0 else 0.0
        alpha = exps + linear_weight * scale * sums["sum"]
        size = exps + linear_weight * scale * sums["abs"]
        if alpha > 0 and not abs(alpha) < POLE_RTOL * size:
            return scale, shift, alpha, linear_weight
        scale /= 2.0
    raise ValueError("no scale of x_true keeps the normaliser safely positive; "
                     "choose another seed.")


def main(argv: list[str] | None = None) -> int:
    """``python -m landscape.data make ...``: write a store, print what was written."""
    parser = argparse.ArgumentParser(prog="python -m landscape.data",
                                     description="Write seeded data sets to disk.")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("make", help="a realizable problem as a zarr store",
                               description=__doc__.split("\n\n")[0])
    make.add_argument("--n", type=int, required=True, help="rows of A")
    make.add_argument("--d", type=int, required=True, help="columns of A")
    make.add_argument("--out", required=True, help="the new store, e.g. data/tall.zarr")
    make.add_argument("--seed", type=int, default=0)
    make.add_argument("--chunk-rows", type=int, default=None,
                      help="rows per chunk (default: about 32 MB per chunk)")
    make.add_argument("--kind", choices=KINDS, default="softmax")
    make.add_argument("--gamma", type=float, default=None,
                      help="residual weight in [0, 1] (default: the kind's)")
    make.add_argument("--matrix", choices=ROW_MATRICES, default="gaussian")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        out = write_store(args.out, args.n, args.d, seed=args.seed, kind=args.kind,
                          gamma=args.gamma, matrix=args.matrix, chunk_rows=args.chunk_rows)
    except ValueError as err:
        parser.exit(2, f"{parser.prog} make: error: {err}\n")
    print(f"wrote {out}: n = {args.n:,}, d = {args.d:,}, {8 * args.n * args.d / 1e9:.2f} GB "
          f"of A, in {time.perf_counter() - start:.1f} s", file=sys.stdout)
    return 0
