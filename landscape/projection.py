"""Points projected on a plane: least-squares coordinates and distance from the plane.

For points y_k (d,) and the plane ``center + a u + c v``, ``(a_k, c_k)`` minimise
``||y_k - center - a u - c v||`` and that minimum is the point's distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .linalg import ReadOnlyArrays
from .validation import real_array


@dataclass(frozen=True)
class Projection(ReadOnlyArrays):
    """Points projected on the plane: coordinates (a, c) and the distance of each
    point from the plane, every field shape (k,)."""

    alphas: np.ndarray
    betas: np.ndarray
    distance: np.ndarray


def project(points, center, u, v) -> Projection:
    """Least-squares coordinates of ``points`` (k, d) in the plane ``center + a u + c v``
    and each point's distance from the plane (u, v need not be orthonormal)."""
    center = real_array("center", center, ndim=1)
    d = center.size
    pts = real_array("points", points, ndim=2)
    if pts.shape[1] != d:
        raise ValueError(f"points must have {d} columns (the length of center); received "
                         f"shape {pts.shape}.")
    u = real_array("u", u, ndim=1, length=d, length_name="the length of center")
    v = real_array("v", v, ndim=1, length=d, length_name="the length of center")
    basis = np.column_stack([u, v])
    diff = pts - center
    coef, *_ = np.linalg.lstsq(basis, diff.T, rcond=None)
    resid = diff - (basis @ coef).T
    return Projection(alphas=coef[0], betas=coef[1], distance=np.linalg.norm(resid, axis=1))
