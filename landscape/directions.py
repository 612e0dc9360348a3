"""Two directions u, v (each (d,)) spanning a plane through a centre, by kind.

Each kind is one small function in ``_KINDS`` (kind -> function); ``DIRECTION_KINDS``
lists them in order and ``make_directions`` dispatches. A kind function takes the
problem, the checked centre and the options it uses, as keywords.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .linalg import ReadOnlyArrays
from .problem import Problem, check_problem
from .spectral import spectrum
from .surface import check_plane
from .text import number
from .validation import choice, describe, real_array, real_scalar, seed_value


@dataclass(frozen=True)
class Directions(ReadOnlyArrays):
    """Two directions spanning a plane, with labels for the axes.

    ``explained_variance`` holds the share of a trajectory's variance each explains
    (PCA directions only); ``eigenvalues`` the Hessian eigenvalues of u and v (Hessian
    directions only); ``orthonormal`` says whether u, v are orthonormal.
    """

    u: np.ndarray
    v: np.ndarray
    labels: tuple[str, str]
    orthonormal: bool
    explained_variance: tuple[float, float] | None = None
    eigenvalues: tuple[float, float] | None = None  # Hessian eigenvalues along u, v


def _random(prob: Problem, center: np.ndarray, *, seed: int, scale: str, **_) -> Directions:
    """A seeded Gaussian pair, orthonormalised; times ``||center||`` for scale "center"."""
    if not isinstance(scale, str) or scale not in ("unit", "center"):
        raise ValueError(f"scale must be 'unit' or 'center'; received {scale!r}.")
    g = np.random.default_rng(seed_value("seed", seed)).standard_normal((prob.d, 2))
    basis, _ = np.linalg.qr(g)
    norm = np.linalg.norm(center) if scale == "center" else 1.0
    if norm == 0:
        raise ValueError("scale='center' needs a non-zero centre (its norm sets the "
                         "length of the directions); received the zero vector.")
    return Directions(basis[:, 0] * norm, basis[:, 1] * norm, ("random 1", "random 2"),
                      orthonormal=norm == 1.0)


def _eigenpairs(prob: Problem, center: np.ndarray, k: int, ends: str):
    """Eigenvalues (ascending) and eigenvectors of the Hessian at the centre: all of them
    while d allows a dense eigh, else the k at ``ends`` by Lanczos."""
    spec = spectrum(prob, center, k, eigenvectors=True, ends=ends)
    if not spec.converged:
        raise ValueError("the Hessian's extreme eigenvectors at the centre did not converge "
                         f"({spec.message}); choose other directions.")
    return spec.eigenvalues, spec.eigenvectors


def _eigen_directions(values, vectors, first: int, second: int, word: str) -> Directions:
    return Directions(vectors[:, first], vectors[:, second],
                      (f"eigvec, {word} λ = {number(values[first], 3)}",
                       f"eigvec, λ = {number(values[second], 3)}"),
                      orthonormal=True,
                      eigenvalues=(float(values[first]), float(values[second])))


def _hessian_top(prob: Problem, center: np.ndarray, **_) -> Directions:
    """The eigenvectors of the two largest Hessian eigenvalues, largest first."""
    values, vectors = _eigenpairs(prob, center, 2, "largest")
    return _eigen_directions(values, vectors, -1, -2, "largest")


def _hessian_bottom(prob: Problem, center: np.ndarray, **_) -> Directions:
    """The eigenvectors of the two smallest Hessian eigenvalues, smallest first."""
    values, vectors = _eigenpairs(prob, center, 2, "smallest")
    return _eigen_directions(values, vectors, 0, 1, "smallest")


def _hessian_extremes(prob: Problem, center: np.ndarray, **_) -> Directions:
    """The steepest and the flattest direction: near a minimiser a valley whose level
    sets are ``sqrt(lambda_max / lambda_min)`` times longer than wide."""
    values, vectors = _eigenpairs(prob, center, 1, "both")
    return Directions(vectors[:, -1], vectors[:, 0],
                      (f"eigvec, largest λ = {number(values[-1], 3)}",
                       f"eigvec, smallest λ = {number(values[0], 3)}"),
                      orthonormal=True, eigenvalues=(float(values[-1]), float(values[0])))


def _gradient_newton(prob: Problem, center: np.ndarray, **_) -> Directions:
    """The gradient, and the Newton step orthogonalised against it."""
    g = prob.gradient(center)
    if not np.linalg.norm(g) > 0:
        raise ValueError("the gradient is zero at the centre (a stationary point); "
                         "choose other directions, e.g. 'hessian_top'.")
    step = -np.linalg.lstsq(prob.hessian(center), g, rcond=None)[0]
    u = g / np.linalg.norm(g)
    v = step - (step @ u) * u
    if not np.linalg.norm(v) > 1e-12 * np.linalg.norm(step):
        raise ValueError("the Newton step is parallel to the gradient here, so the two "
                         "do not span a plane; choose other directions.")
    return Directions(u, v / np.linalg.norm(v), ("gradient", "Newton step (orthogonalised)"),
                      orthonormal=True)


def _pca(prob: Problem, center: np.ndarray, *, trajectory, **_) -> Directions:
    """The two principal components of ``trajectory`` (k, d) about its last point."""
    xs = real_array("trajectory", trajectory, ndim=2)
    if xs.shape[1] != prob.d or xs.shape[0] < 3:
        raise ValueError(f"trajectory must have at least 3 points of length d = {prob.d}; "
                         f"received shape {xs.shape}.")
    _, sv, vt = np.linalg.svd(xs - xs[-1], full_matrices=False)
    if sv.size < 2 or not sv[1] > 1e-12 * sv[0]:
        raise ValueError("the trajectory moves along a single direction, so it has no "
                         "second principal component; use 'gradient_newton' or 'random'.")
    share = sv**2 / np.sum(sv**2)
    return Directions(vt[0], vt[1], (f"PC 1 ({share[0]:.1%})", f"PC 2 ({share[1]:.1%})"),
                      orthonormal=True, explained_variance=(float(share[0]), float(share[1])))


def _axes(prob: Problem, center: np.ndarray, *, axes, **_) -> Directions:
    """The coordinate axes ``axes`` (two different indices, counting from 0)."""
    if (not isinstance(axes, (tuple, list, np.ndarray)) or len(axes) != 2
            or not all(isinstance(k, numbers.Integral) and not isinstance(k, bool)
                       and 0 <= k < prob.d for k in axes) or axes[0] == axes[1]):
        raise ValueError(f"axes must be two different coordinates in 0..{prob.d - 1} "
                         f"(counting from 0); received {describe(axes)}.")
    i, j = int(axes[0]), int(axes[1])
    e = np.eye(prob.d)
    return Directions(e[i], e[j], (f"x{i + 1}", f"x{j + 1}"), orthonormal=True)


def _custom(prob: Problem, center: np.ndarray, *, vectors, **_) -> Directions:
    """The two rows of ``vectors`` (2, d), kept as given."""
    vecs = real_array("vectors", vectors, ndim=2)
    if vecs.shape != (2, prob.d):
        raise ValueError(f"vectors must have shape (2, {prob.d}); received {vecs.shape}.")
    check_plane(prob, center, vecs[0], vecs[1])
    return Directions(vecs[0], vecs[1], ("u", "v"),
                      orthonormal=bool(np.allclose(vecs @ vecs.T, np.eye(2), atol=1e-12)))


_KINDS = {"random": _random, "hessian_top": _hessian_top, "hessian_bottom": _hessian_bottom,
          "hessian_extremes": _hessian_extremes, "gradient_newton": _gradient_newton,
          "pca": _pca, "axes": _axes, "custom": _custom}
DIRECTION_KINDS = tuple(_KINDS)


def make_directions(prob: Problem, center, kind: str = "random", *, seed: int = 0,
                    scale: str = "unit", trajectory=None, axes: tuple[int, int] = (0, 1),
                    vectors=None) -> Directions:
    """Two directions for a plane through ``center`` (d,).

    kind : one of ``DIRECTION_KINDS``: "random" (seeded Gaussian, orthonormalised;
        ``scale`` "unit" or "center" for the centre's norm), "hessian_top" /
        "hessian_bottom" (eigenvectors of the two largest / smallest Hessian eigenvalues
        at the centre), "hessian_extremes" (those of the largest and the smallest),
        "gradient_newton" (the gradient, and the Newton step orthogonalised against
        it), "pca" (the two principal components of ``trajectory`` (k, d) about its
        last point, with their share of variance), "axes" (coordinate axes ``axes``),
        "custom" (the two rows of ``vectors``, kept as given).
    """
    center = check_problem(prob).check_point(center, "center")
    kind = choice("kind", kind, DIRECTION_KINDS)
    if prob.d < 2:
        raise ValueError(f"a plane needs d ≥ 2; received d = {prob.d}. Use line_1d.")
    return _KINDS[kind](prob, center, seed=seed, scale=scale, trajectory=trajectory, axes=axes,
                        vectors=vectors)


def default_view(prob: Problem, span: float | None = None):
    """``(center, Directions, span)``: for d = 2 the whole landscape in x1, x2 about
    0; otherwise random orthonormal directions about 0."""
    center = np.zeros(check_problem(prob).d)
    span = 3.0 if span is None else real_scalar("span", span, low=0.0, low_open=True)
    return center, make_directions(prob, center, "axes" if prob.d == 2 else "random"), span
