"""The Hessian spectrum along a path of iterates ``xs`` (m, d)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..deadline import check
from ..limits import DENSE_SPECTRUM_MAX_D
from ..linalg import ReadOnlyArrays
from ..problem import PoleError, Problem, check_problem
from ..validation import choice, real_array
from .eigenvalues import DEFAULT_K, METHODS, check_k, check_lanczos_k, spectrum


@dataclass(frozen=True)
class TrajectorySpectrum(ReadOnlyArrays):
    """Eigenvalues at every iterate of a path ``xs`` (m, d).

    Attributes
    ----------
    eigenvalues : (m, r) ascending per row; r = d (dense) or 2k (Lanczos extremes).
        Rows of iterates at a pole (or where Lanczos did not converge) are NaN.
    positions : (r,) place of each column in the full ascending spectrum.
    smallest, largest : (m,) the extremes (NaN where undefined).
    n_negative : (m,) negative eigenvalues counted, as floats (NaN where undefined).
    at_pole : (m,) True where the Hessian does not exist or overflows (on or next to
        the pole set).
    converged : (m,) False at a pole or where Lanczos did not converge.
    method : "dense" or "lanczos".
    """

    eigenvalues: np.ndarray
    positions: np.ndarray
    smallest: np.ndarray
    largest: np.ndarray
    n_negative: np.ndarray
    at_pole: np.ndarray
    converged: np.ndarray
    method: str


def trajectory_spectrum(prob: Problem, xs, *, k: int | None = None, method: str = "auto",
                        tol: float = 0.0, seed: int = 0) -> TrajectorySpectrum:
    """The spectrum (all eigenvalues, or the k at each end) at each iterate of ``xs``.

    Parameters
    ----------
    prob : the problem.
    xs : (m, d) iterates, one per row (e.g. a trajectory's ``x_0 .. x_k``), m >= 1.
    k, method, tol, seed : as in ``spectrum``; the method is chosen once for all rows.

    An iterate on the pole set gets a NaN row and ``at_pole`` True, not an exception.
    """
    check_problem(prob)
    xs = real_array("xs", xs, ndim=2)
    if xs.shape[0] < 1 or xs.shape[1] != prob.d:
        raise ValueError(f"xs must have shape (m, d) with m ≥ 1 and d = {prob.d} (one iterate "
                         f"per row); received shape {xs.shape}.")
    method = choice("method", method, METHODS)
    if method == "auto":
        method = "dense" if prob.d <= DENSE_SPECTRUM_MAX_D else "lanczos"
    k = check_k(k, prob.d)
    if method == "dense":
        positions = np.arange(prob.d)
    else:
        k = DEFAULT_K if k is None else k
        check_lanczos_k(k, prob.d, "both")
        positions = np.concatenate([np.arange(k), np.arange(prob.d - k, prob.d)])
    m = xs.shape[0]
    eigenvalues = np.full((m, positions.size), np.nan)
    n_negative = np.full(m, np.nan)
    at_pole = np.zeros(m, dtype=bool)
    converged = np.zeros(m, dtype=bool)
    for i, x in enumerate(xs):
        check("the spectra along the path", i, m)
        try:
            result = spectrum(prob, x, k, method=method, tol=tol, seed=seed)
        except PoleError:
            at_pole[i] = True
            continue
        eigenvalues[i] = result.eigenvalues
        converged[i] = result.converged
        if result.converged:
            n_negative[i] = result.n_negative
    return TrajectorySpectrum(eigenvalues=eigenvalues, positions=positions,
                              smallest=eigenvalues[:, 0].copy(),
                              largest=eigenvalues[:, -1].copy(), n_negative=n_negative,
                              at_pole=at_pole, converged=converged, method=method)
