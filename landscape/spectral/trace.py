"""The trace of the Hessian: exactly from its parts, and by Hutchinson's estimator.

    tr H = sum_i D_i ||a_i||^2 + sum(C o (U^T U))          (MATH.md 3; a_i row i of A)
    tr H ~ mean_j v_j^T H v_j,   v_j Rademacher (E[v v^T] = I)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import LinearOperator, aslinearoperator

from .. import rows
from ..linalg import ReadOnlyArrays
from ..problem import Problem, check_problem
from ..validation import positive_int, seed_value


@dataclass(frozen=True)
class TraceEstimate(ReadOnlyArrays):
    """Hutchinson's estimate of ``tr H`` with its standard error.

    Attributes
    ----------
    estimate : the mean of ``samples``.
    standard_error : ``std(samples, ddof=1) / sqrt(n_probes)``.
    samples : (n_probes,) the values ``v^T H v``.
    n_probes, seed : the settings.
    """

    estimate: float
    standard_error: float
    samples: np.ndarray
    n_probes: int
    seed: int


def hessian_trace(prob: Problem, x) -> float:
    """``tr hess L(x)`` exactly, in O(nnz(A)), from the parts of MATH.md 3."""
    check_problem(prob)
    parts = prob.hessian_parts(x)
    row_norms = rows.row_norms2(prob.A)
    return float(parts.D @ row_norms + np.sum(parts.C * (parts.U.T @ parts.U)))


def hutchinson(operator: LinearOperator, *, n_probes: int = 64, seed: int = 0) -> TraceEstimate:
    """Hutchinson's trace estimate for a symmetric (d, d) operator: one block product
    with ``n_probes >= 2`` Rademacher vectors (two at least, for the standard error)."""
    n_probes = positive_int("n_probes", n_probes)
    if n_probes < 2:
        raise ValueError(f"n_probes must be at least 2 for a standard error; received {n_probes}.")
    operator = aslinearoperator(operator)
    d = operator.shape[0]
    rng = np.random.default_rng(seed_value("seed", seed))
    probes = rng.choice(np.array([-1.0, 1.0]), size=(d, n_probes))
    samples = np.einsum("ij,ij->j", probes, np.asarray(operator.matmat(probes)))
    return TraceEstimate(estimate=float(samples.mean()),
                         standard_error=float(samples.std(ddof=1) / np.sqrt(n_probes)),
                         samples=samples, n_probes=n_probes, seed=int(seed))


def hutchinson_trace(prob: Problem, x, *, n_probes: int = 64, seed: int = 0) -> TraceEstimate:
    """``tr hess L(x)`` by Hutchinson's estimator on Hessian-vector products."""
    check_problem(prob)
    return hutchinson(prob.hessian_operator(x), n_probes=n_probes, seed=seed)
