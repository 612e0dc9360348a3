"""Slow routes straight from the definitions, for the tests only.

They take no care over stability and build n x n matrices, which is the point: they
share no code with ``landscape.losses`` and so check it independently. They accept
complex x, which allows complex-step derivatives (``Im L(x + i h v) / h``), exact to
rounding because L is analytic.
"""

from __future__ import annotations

import numpy as np


def naive_loss(A: np.ndarray, b: np.ndarray, gamma: float, w: np.ndarray, x) -> complex:
    """``1/2 ||u/<u,1> - b||^2 + 1/2 ||w o Ax||^2`` with ``u = exp(Ax) + gamma Ax``,
    no shift; squares without conjugation so that it stays analytic in x."""
    z = A @ x
    u = np.exp(z) + gamma * z
    c = u / np.sum(u) - b
    wz = w * z
    return 0.5 * np.sum(c * c) + 0.5 * np.sum(wz * wz)


def complex_step_gradient(A, b, gamma, w, x, h: float = 1e-30) -> np.ndarray:
    """Gradient of ``naive_loss`` by complex steps along each axis, shape (d,)."""
    d = A.shape[1]
    return np.array([naive_loss(A, b, gamma, w, x + 1j * h * e).imag / h for e in np.eye(d)])


def dense_b_matrix(z: np.ndarray, b: np.ndarray, gamma: float) -> np.ndarray:
    """``B = J^T J + sum_i c_i hess f_i`` as an explicit (n, n) matrix.

    ``J = diag(p) - f p^T``, ``hess f_i = q_i e_i e_i^T - p_i (e_i p^T + p e_i^T)
    - f_i diag(q) + 2 f_i p p^T`` (differentiate ``f_i = u_i / alpha`` twice).
    """
    u = np.exp(z) + gamma * z
    alpha = np.sum(u)
    f, p, q = u / alpha, (np.exp(z) + gamma) / alpha, np.exp(z) / alpha
    c = f - b
    J = np.diag(p) - np.outer(f, p)
    second = (np.diag(c * q) - np.outer(c * p, p) - np.outer(p, c * p)
              - (c @ f) * np.diag(q) + 2.0 * (c @ f) * np.outer(p, p))
    return J.T @ J + second


def dense_hessian(A: np.ndarray, b: np.ndarray, gamma: float, w: np.ndarray, x) -> np.ndarray:
    """``A^T (B + diag(w o w)) A`` through the (n, n) matrix B: O(n^2 d) time, n^2 memory."""
    z = A @ x
    B = dense_b_matrix(z, b, gamma)
    B[np.diag_indices_from(B)] += w * w
    return A.T @ B @ A
