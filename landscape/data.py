"""Where problems come from: seeded generators of A, b, w, and A, b read from files.

Files are read as plain numbers only (``.npy``/``.npz`` with ``allow_pickle=False``,
``.csv`` as text); nothing is ever unpickled.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import numpy as np

from . import losses
from .problem import KIND_GAMMA, KINDS, Problem
from .validation import (check_size, choice, describe, positive_int, real_array,
                         real_scalar)

MATRICES = ("gaussian", "uniform", "nonnegative", "ill_conditioned", "low_rank")
TARGETS = ("simplex", "realizable", "one_hot")
WEIGHTS = ("none", "constant", "strongly_convex")
#: largest file read (bytes); larger inputs are refused before parsing
MAX_FILE_BYTES = 800 * 2**20
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
    n = positive_int("n", n)
    d = positive_int("d", d)
    check_size(n, d)
    seed = _seed("seed", seed)
    target_seed = seed if target_seed is None else _seed("target_seed", target_seed)
    kind = choice("kind", kind, KINDS)
    gamma_value = KIND_GAMMA[kind] if gamma is None else real_scalar("gamma", gamma, low=0, high=1)
    matrix = choice("matrix", matrix, MATRICES)
    target = choice("target", target, TARGETS)
    w = choice("w", w, WEIGHTS)
    noise = real_scalar("noise", noise, low=0.0)

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
        weights = real_scalar("w_value", w_value, low=0.0)
    else:
        weights = _strongly_convex_weights(A, b, gamma_value, strong_convexity)
    return Problem(A, b, kind=kind, w=weights, gamma=gamma, x_true=x_true)


def default_problem(**overrides) -> Problem:
    """The app's default problem (``DEFAULT_PROBLEM``), with any arguments replaced."""
    return make_problem(**{**DEFAULT_PROBLEM, **overrides})


def _seed(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer; received {describe(value)}.")
    return int(value)


def _matrix(matrix: str, n: int, d: int, rng: np.random.Generator, *, cond: float,
            rank: int | None) -> np.ndarray:
    if matrix == "gaussian":
        return rng.standard_normal((n, d))
    if matrix == "uniform":
        return rng.uniform(-1.0, 1.0, (n, d))
    if matrix == "nonnegative":
        return rng.uniform(0.0, 1.0, (n, d))
    if matrix == "ill_conditioned":
        cond = real_scalar("cond", cond, low=1.0)
        if n < d:
            raise ValueError(f"matrix='ill_conditioned' needs n >= d (full column rank); "
                             f"received n = {n}, d = {d}.")
        left, _ = np.linalg.qr(rng.standard_normal((n, d)))
        right, _ = np.linalg.qr(rng.standard_normal((d, d)))
        sigma = np.sqrt(n) * np.geomspace(1.0, 1.0 / cond, d)
        return (left * sigma) @ right.T
    top = min(n, d)
    r = max(1, top // 2) if rank is None else positive_int("rank", rank, high=top)
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
    l = real_scalar("strong_convexity", l, low=0.0, low_open=True)
    sigma = np.linalg.svd(A, compute_uv=False)
    sigma_min = sigma[-1] if A.shape[0] >= A.shape[1] else 0.0
    if sigma_min <= 1e-12 * sigma[0]:
        raise ValueError("w='strongly_convex' needs A of full column rank: sigma_min(A) = "
                         f"{sigma_min:.3g}, so no weights of this form give hess L >= l I. "
                         "Use another matrix or w='constant'.")
    return np.full(A.shape[0], np.sqrt(6.0 * (1.0 + np.max(np.abs(b))) + l / sigma_min**2))


# -- files --------------------------------------------------------------------------

def load_array(source, *, name: str = "A", filename: str | None = None) -> np.ndarray:
    """Read one numeric array from a ``.npy``, ``.npz`` or ``.csv`` file.

    ``source`` is a path or the file's bytes (then ``filename`` gives the format).
    From an ``.npz`` the member called ``name`` is taken, or its only member. CSV:
    comma-separated numbers, one row per line; a first line of column names and
    lines starting with ``#`` are skipped.
    """
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
    return real_array(f"{name} (from '{filename}')", array, ndim=array.ndim)


def load_problem(a_source, b_source=None, *, a_filename: str | None = None,
                 b_filename: str | None = None, kind: str = "softmax", w=None,
                 gamma=None) -> Problem:
    """A ``Problem`` from files: A and b in two files, or both in one ``.npz``
    (members ``A`` and ``b``). A b stored as one row or one column is flattened."""
    A = load_array(a_source, name="A", filename=a_filename)
    b = load_array(a_source if b_source is None else b_source, name="b",
                   filename=a_filename if b_source is None else b_filename)
    if b.ndim == 2 and 1 in b.shape:
        b = b.ravel()
    if A.ndim == 1:
        A = A[:, None]
    return Problem(A, b, kind=kind, w=w, gamma=gamma)


def _read_bytes(source, filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        if filename is None:
            raise ValueError("filename must be given with file contents, to tell the format "
                             "(.npy, .npz or .csv); received None.")
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"file '{path}' does not exist or is not a file.")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValueError(f"file '{path}' is {size / 2**20:.0f} MB; files of at most "
                             f"{MAX_FILE_BYTES // 2**20} MB are read.")
        data = path.read_bytes()
        filename = filename or path.name
    else:
        raise ValueError(f"source must be a path or the file's bytes; received {describe(source)}.")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"file '{filename}' is {len(data) / 2**20:.0f} MB; files of at most "
                         f"{MAX_FILE_BYTES // 2**20} MB are read.")
    return data, filename


def _load_npy(data: bytes, label: str) -> np.ndarray:
    if not data.startswith(b"\x93NUMPY"):
        raise ValueError(f"{label} is not a valid .npy array (it lacks the NumPy signature); save "
                         "it with np.save, or give a .csv name if it is text.")
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as err:
        if "allow_pickle" in str(err) or "pickle" in str(err).lower():
            raise ValueError(f"{label} holds pickled Python objects; only plain numeric "
                             "arrays are read (pickles can run code). Save it with a numeric "
                             "dtype, e.g. np.save(path, A.astype(float)).") from None
        raise ValueError(f"{label} is not a valid .npy array: {err}") from None
    except Exception as err:  # truncated or foreign bytes
        raise ValueError(f"{label} is not a valid .npy array: {err}") from None
    if not isinstance(array, np.ndarray):
        raise ValueError(f"{label} is not a .npy array.")
    return array


def _load_npz(data: bytes, label: str, name: str) -> np.ndarray:
    try:
        archive = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as err:
        raise ValueError(f"{label} is not a valid .npz archive: {err}") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{label} is a .npy array, not a .npz archive; rename it to .npy.")
    with archive:
        keys = list(archive.files)
        if name in keys:
            key = name
        elif len(keys) == 1:
            key = keys[0]
        else:
            raise ValueError(f"{label} must hold a member named '{name}' or exactly one "
                             f"array; received members {keys}.")
        return _load_npy_member(archive, key, label)


def _load_npy_member(archive, key: str, label: str) -> np.ndarray:
    try:
        return archive[key]
    except ValueError:
        raise ValueError(f"{label}: member '{key}' holds pickled Python objects; only "
                         "plain numeric arrays are read.") from None


def _load_csv(data: bytes, label: str) -> np.ndarray:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{label} is not UTF-8 text; a .csv must hold comma-separated "
                         "numbers.") from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise ValueError(f"{label} has no numbers; a .csv must hold comma-separated numbers.")
    if _header_line(lines[0]):
        lines = lines[1:]  # a header of column names
        if not lines:
            raise ValueError(f"{label} has a header line but no numbers.")
    try:
        return np.loadtxt(lines, delimiter=",", ndmin=2 if "," in lines[0] else 1)
    except ValueError as err:
        raise ValueError(f"{label} must hold only numbers, the same count on every line: "
                         f"{err}") from None


def _header_line(line: str) -> bool:
    """A line of column names: no field of it reads as a number (so a first data
    line with a typo is reported, not dropped)."""
    for tok in line.split(","):
        try:
            float(tok)
            return False
        except ValueError:
            pass
    return True
