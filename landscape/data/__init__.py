"""Seeded generators of problems: A, b and w from a few named families; the same
arguments give the same problem. A and b read from files are ``loading.py``'s;
``python -m landscape.data make`` writes a large problem to disk (``writer.py``)."""

from __future__ import annotations

import inspect

import numpy as np

from .. import losses
from ..limits import MAX_ENTRIES
from ..linalg import singular_value_range
from ..problem import KIND_GAMMA, KINDS, Problem
from ..text import number
from ..validation import (
    check_size,
    choice,
    describe,
    magnitude_limit,
    positive_int,
    real_scalar,
    seed_value,
)

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
    n = positive_int("n", n, high=MAX_ENTRIES, why="n × d is at most MAX_ENTRIES")
    d = positive_int("d", d, high=MAX_ENTRIES, why="n × d is at most MAX_ENTRIES")
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
            raise ValueError(f"{name} must be at most √(max float / 16 / n) = "
                             f"{number(magnitude_limit(n), 3)}, or sums of squares over the n "
                             f"rows overflow float64; received {number(value, 6)}.")

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
            raise ValueError(f"matrix='ill_conditioned' needs n ≥ d (full column rank); "
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
    scale_free = losses.scale_free(A @ x_true, np.zeros(A.shape[0]), gamma)
    # keep x_true where the loss is smooth
    while scale_free.alpha_sign <= 0 or scale_free.near_pole:
        x_true /= 2.0
        scale_free = losses.scale_free(A @ x_true, np.zeros(A.shape[0]), gamma)
    g = rng.standard_normal(A.shape[0])
    b = scale_free.f + noise * np.linalg.norm(scale_free.f) * g / np.linalg.norm(g)
    return x_true, b


def _strongly_convex_weights(A: np.ndarray, b: np.ndarray, gamma: float,
                             strong_convexity: float) -> np.ndarray:
    """Softmax: ``w_i^2 = 6 (1 + ||b||_inf) + l / sigma_min(A)^2`` with
    ``l = strong_convexity`` (MATH.md 4)."""
    if gamma != 0:
        raise ValueError("w='strongly_convex' needs the softmax loss (γ = 0): the unified "
                         "loss has no x-independent level that makes it convex (MATH.md 4); "
                         f"received γ = {number(gamma, 6)}. Use w='constant' instead.")
    sigma_min, sigma_max = singular_value_range(A, dense=True)
    if sigma_min <= 1e-12 * sigma_max:
        raise ValueError("w='strongly_convex' needs A of full column rank: σₘᵢₙ(A) = "
                         f"{number(sigma_min, 3)}, so no weights of this form give "
                         "∇²L ⪰ l I. Use another matrix or w='constant'.")
    with np.errstate(over="ignore"):  # an overflow is refused just below
        level = 6.0 * (1.0 + np.max(np.abs(b))) + strong_convexity / sigma_min**2
    if not level <= magnitude_limit(A.shape[0]) ** 2:
        raise ValueError("strong_convexity is too large for this A: wᵢ² = 6 (1 + ‖b‖_∞) + "
                         f"l / σₘᵢₙ(A)² = {number(level, 3)} must be at most max float / 16 "
                         f"/ n = {number(magnitude_limit(A.shape[0]) ** 2, 3)}; received "
                         f"strong_convexity = {number(strong_convexity, 6)}.")
    return np.full(A.shape[0], np.sqrt(level))
