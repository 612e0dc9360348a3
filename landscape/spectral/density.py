"""The eigenvalue density of the Hessian by stochastic Lanczos quadrature (SLQ).

For each of m Rademacher probes v (``||v|| = 1``) Lanczos builds a tridiagonal T; its
eigenvalues ``theta_j`` (nodes) and the squared first components ``tau_j^2`` of its
eigenvectors (weights) form a Gauss quadrature,

    sum_j tau_j^2 g(theta_j) ~ v^T g(H) v,    mean over probes ~ tr g(H) / d,

exact for polynomials g of degree < 2 n_steps up to the probe noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import eigh_tridiagonal
from scipy.sparse.linalg import LinearOperator, aslinearoperator

from ..deadline import check
from ..limits import DENSE_SPECTRUM_MAX_D, SLQ_BASIS_ENTRIES
from ..linalg import ReadOnlyArrays
from ..problem import Problem, check_problem
from ..validation import describe, positive_int, real_scalar, seed_value
from .eigenvalues import spectrum


@dataclass(frozen=True)
class SpectralDensity(ReadOnlyArrays):
    """Eigenvalue density of H by SLQ, and the exact histogram where d allows.

    Attributes
    ----------
    nodes : (N,) all probes' nodes, N = n_probes * n_steps (fewer if Lanczos ended early).
    weights : (N,) their weights divided by n_probes; they sum to 1.
    grid : (G,) points where ``density`` is given.
    density : (G,) ``sum_j weights_j N(t; nodes_j, bandwidth^2)``; integrates to 1.
    bandwidth : the Gaussian's standard deviation.
    bin_edges : (B + 1,) common bins of the two histograms.
    slq_histogram : (B,) SLQ weights per bin divided by the bin width (integrates to 1).
    exact_histogram : (B,) the same for the exact eigenvalues, or None.
    exact_eigenvalues : (d,) all eigenvalues (dense), or None.
    n_probes, n_steps, seed : the SLQ settings.
    """

    nodes: np.ndarray
    weights: np.ndarray
    grid: np.ndarray
    density: np.ndarray
    bandwidth: float
    bin_edges: np.ndarray
    slq_histogram: np.ndarray
    exact_histogram: np.ndarray | None
    exact_eigenvalues: np.ndarray | None
    n_probes: int
    n_steps: int
    seed: int


def lanczos_quadrature(operator: LinearOperator, *, n_probes: int = 16, n_steps: int = 60,
                       seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of stochastic Lanczos quadrature for a symmetric operator.

    Parameters
    ----------
    operator : symmetric (d, d) ``LinearOperator`` (or array); products with (d, b)
        blocks are used, one block of probes at a time.
    n_probes : number of Rademacher probe vectors, scaled to unit norm.
    n_steps : Lanczos steps per probe (at most d); each adds one node.
    seed : seed of the probes.

    Returns
    -------
    nodes, weights : (N,) each; ``weights`` sum to 1 and ``sum weights * nodes^j``
        estimates ``tr(H^j) / d`` for ``j < 2 n_steps``.

    Notes
    -----
    Lanczos with full reorthogonalisation (twice, which is enough) against the basis
    kept in memory (at most ``SLQ_BASIS_ENTRIES`` entries at once); a probe whose
    Krylov space is exhausted (``beta_j`` below 1e-10 of ``||T||``) stops there with an
    exact quadrature.
    """
    operator = aslinearoperator(operator)
    d = operator.shape[0]
    n_probes = positive_int("n_probes", n_probes)
    steps = min(positive_int("n_steps", n_steps), d)
    rng = np.random.default_rng(seed_value("seed", seed))
    probes = rng.choice(np.array([-1.0, 1.0]), size=(d, n_probes)) / np.sqrt(d)
    chunk = max(1, SLQ_BASIS_ENTRIES // (steps * d))
    nodes, weights = [], []
    for start in range(0, n_probes, chunk):
        alpha, beta, lengths = _block_lanczos(operator, probes[:, start:start + chunk], steps)
        for j, length in enumerate(lengths):
            theta, vectors = eigh_tridiagonal(alpha[:length, j], beta[:length - 1, j])
            nodes.append(theta)
            weights.append(vectors[0] ** 2)
    return np.concatenate(nodes), np.concatenate(weights) / n_probes


def _block_lanczos(operator, start: np.ndarray, steps: int):
    """Lanczos on each column of ``start`` (d, b) at once: returns ``alpha`` (steps, b),
    ``beta`` (steps - 1, b) and the length of each column's recurrence."""
    d, width = start.shape
    basis = np.empty((steps, d, width))
    alpha = np.zeros((steps, width))
    beta = np.zeros((max(steps - 1, 0), width))
    lengths = np.full(width, steps)
    active = np.ones(width, dtype=bool)
    scale = np.zeros(width)
    q = start
    for j in range(steps):
        check("the spectral density (Lanczos quadrature)", j, steps)
        basis[j] = q
        w = np.asarray(operator.matmat(q))
        alpha[j] = np.einsum("ij,ij->j", q, w)
        for _ in range(2):  # full reorthogonalisation, twice is enough
            coeffs = np.einsum("kij,ij->kj", basis[:j + 1], w)
            w = w - np.einsum("kij,kj->ij", basis[:j + 1], coeffs)
        norms = np.linalg.norm(w, axis=0)
        scale = np.maximum(scale, np.abs(alpha[j]) + norms)
        if j == steps - 1:
            break
        ended = active & (norms <= 1e-10 * scale)
        lengths[ended] = j + 1
        active &= ~ended
        beta[j] = np.where(active, norms, 0.0)
        # an ended probe carries zeros on; they touch neither its T nor the others
        q = np.where(active, w / np.where(norms > 0, norms, 1.0), 0.0)
        if not active.any():
            break
    return alpha, beta, lengths


def spectral_density(prob: Problem, x, *, n_probes: int = 16, n_steps: int = 60,
                     seed: int = 0, bins: int = 60, n_grid: int = 400,
                     bandwidth: float | None = None, exact: bool | None = None) -> SpectralDensity:
    """Eigenvalue density of ``hess L(x)`` by SLQ, with the exact histogram beside it.

    Parameters
    ----------
    prob, x : the problem and the point (off the pole set).
    n_probes, n_steps, seed : SLQ settings (``lanczos_quadrature``).
    bins : number of histogram bins over the range of all nodes and eigenvalues.
    n_grid : points of the smoothed density's grid, which spans the nodes plus six
        bandwidths on each side (mass lost outside: below 1e-8).
    bandwidth : standard deviation of the Gaussian smoothing (default: 1/100 of the
        range of the nodes).
    exact : also compute every eigenvalue densely (default: when
        ``d <= DENSE_SPECTRUM_MAX_D``).
    """
    check_problem(prob)
    x = prob.check_point(x)
    bins = positive_int("bins", bins)
    n_grid = positive_int("n_grid", n_grid)
    if n_grid < 2:
        raise ValueError(f"n_grid must be at least 2; received {n_grid}.")
    if exact is None:
        exact = prob.d <= DENSE_SPECTRUM_MAX_D
    elif not isinstance(exact, (bool, np.bool_)):
        raise ValueError(f"exact must be True, False or None; received {describe(exact)}.")
    n_probes = positive_int("n_probes", n_probes)
    n_steps = positive_int("n_steps", n_steps)
    if bandwidth is not None:
        bandwidth = real_scalar("bandwidth", bandwidth, low=0.0, low_open=True)
    operator = prob.hessian_operator(x)
    nodes, weights = lanczos_quadrature(operator, n_probes=n_probes, n_steps=n_steps, seed=seed)
    eigenvalues = spectrum(prob, x, method="dense").eigenvalues if exact else None

    if bandwidth is None:
        span = float(nodes.max() - nodes.min())
        size = float(np.abs(nodes).max())
        # a single eigenvalue (up to rounding): 1% of its size, or 1 for H = 0
        bandwidth = 0.01 * (span if span > 1e-9 * size else size) or 1.0
    grid = np.linspace(nodes.min() - 6 * bandwidth, nodes.max() + 6 * bandwidth, n_grid)
    # underflow of far-away Gaussians to zero is intended
    kernel = np.exp(-0.5 * ((grid[:, None] - nodes[None, :]) / bandwidth) ** 2)
    density = kernel @ weights / (bandwidth * np.sqrt(2 * np.pi))

    everything = nodes if eigenvalues is None else np.concatenate([nodes, eigenvalues])
    low, high = float(everything.min()), float(everything.max())
    if high - low <= 1e-9 * max(abs(low), abs(high)):  # one value up to rounding
        half = 0.5 * (max(abs(low), abs(high)) or 1.0)
        low, high = low - half, high + half
    edges = np.linspace(low, high, bins + 1)
    width = np.diff(edges)
    slq_histogram = np.histogram(nodes, bins=edges, weights=weights)[0] / width
    exact_histogram = (None if eigenvalues is None else
                       np.histogram(eigenvalues, bins=edges)[0] / (eigenvalues.size * width))
    return SpectralDensity(nodes=nodes, weights=weights, grid=grid, density=density,
                           bandwidth=float(bandwidth), bin_edges=edges,
                           slq_histogram=slq_histogram, exact_histogram=exact_histogram,
                           exact_eigenvalues=None if eigenvalues is None else np.array(eigenvalues),
                           n_probes=int(n_probes), n_steps=int(min(n_steps, prob.d)),
                           seed=int(seed))
