"""Hessian eigenspectra, spectral density, trace, structure and the theory checks of
MATH.md 3-4.

At a point x the Hessian of the loss is (MATH.md 3)

    H = A^T diag(D) A + U C U^T,    D (n,),  U = [A^T p, A^T s] (d, 2),  C = [[g0, -1], [-1, 0]]

``spectrum`` gives its eigenvalues: all of them from a dense ``eigh`` while
``d <= DENSE_MAX_D``, the k smallest and k largest from SciPy's Lanczos (``eigsh`` on
``Problem.hessian_operator``, H never formed) above. ``spectral_density`` estimates the
eigenvalue density by stochastic Lanczos quadrature, beside the exact histogram where
d allows; ``hessian_trace`` and ``hutchinson_trace`` give the trace exactly and by
Hutchinson's estimator. ``hessian_structure`` sets the eigenvalues of the diagonal part,
of the rank-two part and of the whole side by side, with the interlacing they obey.
``theory_checks`` states at x whether the bounds of MATH.md 4 hold, with the measured
numbers beside them. ``trajectory_spectrum`` follows the spectrum along iterates.

Outcomes of algorithms (Lanczos not converging, an iterate on the pole set) are
reported inside the results; bad input raises ValueError (a point on the pole set
raises ``PoleError``, itself a ValueError).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, fields

import numpy as np
from scipy.linalg import eigh, eigh_tridiagonal
from scipy.linalg.blas import dsyrk
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, aslinearoperator, eigsh

from . import losses
from .problem import PoleError, Problem
from .validation import (MAX_DENSE_D, choice, describe, flag, instance, positive_int,
                         real_array, real_scalar, seed_value)

#: Largest d for which ``spectrum`` forms H and computes every eigenvalue with a dense
#: ``eigh``: at d = 2000 that is 32 MB and about half a second for ``eigvalsh`` on two
#: cores (plus O(n d^2) to form H). Above it, Lanczos gives the extremes.
DENSE_MAX_D = 2000
#: Eigenvalues computed at each end of the spectrum by Lanczos when k is not given.
DEFAULT_K = 6
#: Largest n for which the (n, n) matrix B of MATH.md 3 is diagonalised densely in the
#: theory checks; above, Lanczos on B as an O(n) operator gives its extremes.
DENSE_B_MAX_N = 1000
#: Largest d for which ``||H(y) - H(y')||_2`` is taken from two dense Hessians in the
#: Lipschitz estimate; above, from Lanczos on the difference of two operators (cheaper
#: once d^2 n exceeds about 60 products of 4 passes over A).
LIPSCHITZ_DENSE_D = 200
#: Entries of the Lanczos basis kept at once in ``lanczos_quadrature`` (128 MB);
#: probes are processed in chunks below this.
_SLQ_BASIS_ENTRIES = 2**24
#: Relative tolerance for comparing eigenvalues with bounds: a few hundred rounding
#: errors of the largest magnitude involved.
_BOUND_RTOL = 1e-10

#: eigenvalues within ``ROUNDING_FACTOR sqrt(d) eps S`` of zero are zero (see
#: ``rounding_tolerance``); measured rounding noise is at most 0.41 eps S (low-rank A,
#: n = 1, n < d, d up to 400), so sqrt(d) * 4 leaves a margin of 30x or more
ROUNDING_FACTOR = 4.0

METHODS = ("auto", "dense", "lanczos")
ENDS = ("both", "smallest", "largest")
#: default budget of operator products for each end of a Lanczos run (the restarts
#: allowed are derived from it): enough for separated extremes, a bounded wait otherwise
LANCZOS_MAX_PRODUCTS = 1500


class _ReadOnlyArrays:
    """Mixin for frozen dataclasses: every ndarray field is made read-only."""

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, np.ndarray):
                value.setflags(write=False)


# -- spectrum ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Spectrum(_ReadOnlyArrays):
    """Eigenvalues of the Hessian at one point, ascending.

    Attributes
    ----------
    eigenvalues : (m,) ascending. ``method == "dense"``: all d eigenvalues (m = d).
        ``"lanczos"``: the k smallest and/or the k largest (m = 2k or k); NaN at an end
        where Lanczos did not converge.
    positions : (m,) int, the place of each eigenvalue in the full ascending spectrum
        (0 .. d-1): ``0..k-1`` and ``d-k..d-1`` for Lanczos (which can miss copies of
        a repeated eigenvalue, see ``extreme_eigenvalues``).
    eigenvectors : (d, m) orthonormal columns, ``H v_j = lambda_j v_j``, or None.
    d : the dimension of x.
    smallest, largest : ``lambda_min(H)`` and ``lambda_max(H)``; NaN when that end was
        not computed.
    condition_number : ``max|lambda| / min|lambda|`` (``||H|| ||H^-1||``; inf when H is
        singular). For Lanczos it is NaN unless both ends were computed and have one
        sign: otherwise the eigenvalue nearest zero may be one that was not computed.
    n_negative : number of eigenvalues below ``-tolerance`` among those computed.
    n_negative_exact : whether ``n_negative`` counts all of H's negative eigenvalues
        (always for dense; for Lanczos when the k smallest were computed and not all of
        them are negative, otherwise it is a lower bound).
    method : "dense" or "lanczos".
    converged : False when Lanczos stopped before convergence at an end.
    message : one sentence on how the eigenvalues were obtained.
    tolerance : eigenvalues with ``|lambda| <= tolerance`` are zero within rounding
        (``rounding_tolerance``): they are not counted as negative, and the condition
        number is inf when the smallest magnitude is one of them.
    """

    eigenvalues: np.ndarray
    positions: np.ndarray
    eigenvectors: np.ndarray | None
    d: int
    smallest: float
    largest: float
    condition_number: float
    n_negative: int
    n_negative_exact: bool
    method: str
    converged: bool
    message: str
    tolerance: float = 0.0

    @property
    def complete(self) -> bool:
        """All d eigenvalues are present."""
        return self.eigenvalues.size == self.d

    @property
    def n_zero(self) -> int:
        """Computed eigenvalues that are zero within rounding (``|lambda| <= tolerance``)."""
        return int(np.sum(np.abs(self.eigenvalues) <= self.tolerance))


def rounding_scale(A: np.ndarray, parts) -> float:
    """``S = sum_i |D_i| ||a_i||^2 + ||U||_F^2 ||C||_2``: the size of the terms that
    cancel in any eigenvalue of ``H = A^T diag(D) A + U C U^T`` (S bounds ``|| |A|^T
    |D| |A| ||_2`` and the rank-two part's norm); O(n d)."""
    rows = np.einsum("ij,ij->i", A, A)
    return float(np.abs(parts.D) @ rows + np.sum(parts.U**2) * np.linalg.norm(parts.C, 2))


def rounding_tolerance(prob: Problem, x) -> float:
    """``ROUNDING_FACTOR sqrt(d) eps S`` (``rounding_scale``): forming H and ``eigh``
    each perturb its eigenvalues by a few ``eps S``, so an eigenvalue within this of
    zero is zero within rounding, not a finding (e.g. the d - rank(A) zero eigenvalues
    of a low-rank A, or every eigenvalue when n = 1 and w = 0, where L is constant)."""
    x = prob.check_point(x)
    return _tolerance(prob.d, rounding_scale(prob.A, prob.hessian_parts(x)))


def _tolerance(d: int, scale: float) -> float:
    return ROUNDING_FACTOR * np.sqrt(d) * np.finfo(float).eps * scale

def spectrum(prob: Problem, x, k: int | None = None, *, eigenvectors: bool = False,
             method: str = "auto", ends: str = "both", tol: float = 0.0,
             max_iter: int | None = None, seed: int = 0) -> Spectrum:
    """Eigenvalues of ``H = hess L(x)``, ascending, with their summary numbers.

    Parameters
    ----------
    prob : the problem.
    x : (d,) the point; must lie off the pole set (else ``PoleError``).
    k : eigenvalues at each end computed by Lanczos (default ``DEFAULT_K``);
        ``1 <= k <= d``, and for Lanczos ``2k < d`` (both ends) or ``k < d`` (one end).
        The dense method returns all d eigenvalues whatever k is.
    eigenvectors : also return the eigenvectors, (d, m).
    method : "auto" (dense while ``d <= DENSE_MAX_D``, else Lanczos), "dense" or
        "lanczos".
    ends : for Lanczos, "both", "smallest" or "largest".
    tol, max_iter, seed : Lanczos settings, see ``extreme_eigenvalues``.

    Returns
    -------
    Spectrum

    Notes
    -----
    Dense: the lower triangle of H is formed (O(n d^2), BLAS syrk) and LAPACK's
    ``syevd`` (O(d^3)) gives every eigenvalue to within a few ``eps ||H||``. Lanczos:
    ``eigsh`` on
    ``prob.hessian_operator(x)``, each product ``H v = A^T (D o A v) + U C U^T v``
    costing two passes over A; H is never formed.
    """
    _check_problem(prob)
    x = prob.check_point(x)
    eigenvectors = flag("eigenvectors", eigenvectors)
    method = choice("method", method, METHODS)
    ends = choice("ends", ends, ENDS)
    k = _check_k(k, prob.d)
    tol = real_scalar("tol", tol, low=0.0)
    if max_iter is not None:
        max_iter = positive_int("max_iter", max_iter, high=2**31 - 1,
                                why="ARPACK counts restarts in a 32-bit integer")
    seed = seed_value("seed", seed)
    if method == "auto":
        method = "dense" if prob.d <= DENSE_MAX_D else "lanczos"
    if method == "dense":
        parts = prob.hessian_parts(x)
        return _dense_spectrum(_lower_hessian(prob, x, parts), eigenvectors,
                               _tolerance(prob.d, rounding_scale(prob.A, parts)))
    k = DEFAULT_K if k is None else k
    _check_lanczos_k(k, prob.d, ends)
    return extreme_eigenvalues(prob.hessian_operator(x), k, ends=ends,
                               eigenvectors=eigenvectors, tol=tol, max_iter=max_iter, seed=seed,
                               zero_tol=rounding_tolerance(prob, x))


def _lower_hessian(prob: Problem, x: np.ndarray, parts=None) -> np.ndarray:
    """H at x in the lower triangle of a (d, d) array (the upper one is not H's).

    ``A^T diag(D) A = A_+^T A_+ - A_-^T A_-`` with ``A_+-`` the rows of A where D is
    positive / negative, scaled by ``sqrt(|D|)``: two symmetric rank-k updates (BLAS
    syrk) fill one triangle with half the flops of the general product ``A^T (D A)``
    (measured, best of 9 interleaved: 0.11 s against 0.21 s at n = 10^4, d = 1000), and
    ``eigh`` reads one triangle only.
    """
    if prob.d > MAX_DENSE_D:
        raise ValueError(f"d must be at most {MAX_DENSE_D} for a dense spectrum ({prob.d}^2 "
                         f"entries would not fit); received d = {prob.d}. Use method='lanczos'.")
    parts = prob.hessian_parts(x) if parts is None else parts
    with np.errstate(over="ignore"):  # next to a pole; reported as a PoleError below
        # transposed: Fortran order, which syrk updates in place without a copy
        lower = (parts.U @ parts.C @ parts.U.T).T
        for sign, rows in ((1.0, parts.D > 0), (-1.0, parts.D < 0)):
            if rows.any():
                scaled = prob.A[rows]
                scaled *= np.sqrt(sign * parts.D[rows])[:, None]
                lower = dsyrk(sign, scaled.T, beta=1.0, c=lower, trans=0, lower=1,
                              overwrite_c=1)
    if not np.all(np.isfinite(lower)):
        raise PoleError("the Hessian overflows float64 at this x: it lies next to the pole set, "
                        "where it grows like alpha^-4. Move x away from the pole set.")
    return lower


def _dense_spectrum(lower: np.ndarray, eigenvectors: bool, tolerance: float = 0.0) -> Spectrum:
    """Every eigenvalue of the symmetric matrix held in the lower triangle of ``lower``
    (which is overwritten); ``tolerance``: eigenvalues within it of zero are zero."""
    d = lower.shape[0]
    # LAPACK's divide and conquer (syevd) reading the lower triangle, in place
    result = eigh(lower, lower=True, eigvals_only=not eigenvectors, driver="evd",
                  overwrite_a=True, check_finite=False)
    values, vectors = result if eigenvectors else (result, None)
    return Spectrum(eigenvalues=values, positions=np.arange(d), eigenvectors=vectors, d=d,
                    smallest=float(values[0]), largest=float(values[-1]),
                    condition_number=_condition_number(values, tolerance),
                    n_negative=int(np.sum(values < -tolerance)),
                    n_negative_exact=True, method="dense", converged=True,
                    message=f"all {d} eigenvalues from a dense eigh of the formed Hessian"
                            + _zero_note(values, tolerance) + ".",
                    tolerance=tolerance)


def _zero_note(values: np.ndarray, tolerance: float) -> str:
    zero = int(np.sum(np.abs(values) <= tolerance))
    return (f"; {zero} of them are zero within rounding (|λ| <= {tolerance:.2g})"
            if zero else "")


def _condition_number(values: np.ndarray, tolerance: float = 0.0) -> float:
    """``max|lambda| / min|lambda|`` over ``values`` (inf if one is zero within
    ``tolerance``)."""
    magnitude = np.abs(values)
    if magnitude.max() <= tolerance or magnitude.min() <= tolerance:
        return np.inf
    return float(magnitude.max() / magnitude.min())


def extreme_eigenvalues(operator: LinearOperator, k: int, *, ends: str = "both",
                        eigenvectors: bool = False, tol: float = 0.0,
                        max_iter: int | None = None, seed: int = 0,
                        zero_tol: float = 0.0) -> Spectrum:
    """The k smallest and/or k largest eigenvalues of a symmetric (d, d) operator by
    Lanczos (ARPACK's implicitly restarted Lanczos, ``scipy.sparse.linalg.eigsh``).

    Parameters
    ----------
    operator : symmetric (d, d) ``LinearOperator`` (or array); only products are used.
    k : eigenvalues at each end; ``2k < d`` for both ends, ``k < d`` for one.
    ends : "both", "smallest" or "largest".
    eigenvectors : also return the eigenvectors, (d, m).
    tol : eigenvalues are accurate to about ``tol ||H||`` (0: machine precision).
    max_iter : Lanczos restarts allowed at each end; default: as many as make about
        ``LANCZOS_MAX_PRODUCTS`` operator products.
    seed : seed of the start vector.

    Returns
    -------
    Spectrum with ``method == "lanczos"``. An end that does not converge within
    ``max_iter`` restarts gets NaN and ``converged`` False, not an exception.

    Notes
    -----
    ARPACK accepts a Ritz value theta when its residual is below ``tol |theta|``, which
    eigenvalues near zero (a singular or ill-conditioned H) can never meet. Lanczos is
    run on ``H + s I`` with ``s ~ ||H||`` (eight power steps): the Krylov spaces, and so
    the convergence, are those of H, but the test becomes ``tol ||H||``, the accuracy
    a dense ``eigh`` has too. Eigenvalues crowded closer than ``tol ||H||`` to each
    other may still not converge (the smallest end of a graded spectrum with condition
    number 1e20, say): then they are NaN after the product budget.

    Single-vector Lanczos sees one copy of a repeated eigenvalue; further copies appear
    only through rounding. Each value returned is an eigenvalue of H to within about
    ``tol ||H||``, but at an end with a multiple eigenvalue (the d - n zero eigenvalues
    of an H with n < d, say) some copies can be missing and the next distinct
    eigenvalues reported in their places.
    ``zero_tol``: eigenvalues within it of zero count as zero (``rounding_tolerance``).
    """
    operator = aslinearoperator(operator)
    d = operator.shape[0]
    k = positive_int("k", k)
    ends = choice("ends", ends, ENDS)
    _check_lanczos_k(k, d, ends)
    rng = np.random.default_rng(seed_value("seed", seed))
    v0 = rng.standard_normal(d)
    shift = _norm_estimate(operator, v0) or 1.0  # H = 0: any positive shift will do
    shifted = LinearOperator((d, d), dtype=np.float64,
                             matvec=lambda v: operator.matvec(v) + shift * v.ravel())
    which = {"both": ("SA", "LA"), "smallest": ("SA",), "largest": ("LA",)}[ends]
    ncv = min(d, max(2 * k + 1, 20))
    restarts = max_iter or max(1, LANCZOS_MAX_PRODUCTS // (ncv - k))
    values, vectors, positions, failed = [], [], [], []
    for end in which:
        positions.append(np.arange(k) if end == "SA" else np.arange(d - k, d))
        try:
            result = eigsh(shifted, k=k, which=end, v0=v0, ncv=ncv, tol=tol, maxiter=restarts,
                           return_eigenvectors=eigenvectors)
        except ArpackNoConvergence as err:
            failed.append(f"{'smallest' if end == 'SA' else 'largest'} ({len(err.eigenvalues)} "
                          f"of {k} converged)")
            values.append(np.full(k, np.nan))
            if eigenvectors:
                vectors.append(np.full((d, k), np.nan))
            continue
        found, basis = result if eigenvectors else (result, None)
        order = np.argsort(found)
        values.append(found[order] - shift)
        if eigenvectors:
            vectors.append(basis[:, order])
    values, positions = np.concatenate(values), np.concatenate(positions)
    bottom_done = "SA" in which and not np.isnan(values[0])
    top_done = "LA" in which and not np.isnan(values[-1])
    computed = values[np.isfinite(values)]
    one_sign = computed.size and (computed.min() > zero_tol or computed.max() < -zero_tol)
    if bottom_done and top_done and one_sign:
        condition = _condition_number(computed, zero_tol)
    elif bottom_done and top_done and np.any(np.abs(computed) <= zero_tol):
        condition = np.inf
    else:
        condition = np.nan
    n_negative = int(np.sum(computed < -zero_tol))
    if failed:
        message = (f"Lanczos did not converge for the {' and the '.join(failed)} "
                   f"eigenvalues within {restarts} restarts; those are NaN.")
    else:
        which_text = {"both": f"the {k} smallest and {k} largest", "smallest":
                      f"the {k} smallest", "largest": f"the {k} largest"}[ends]
        message = (f"{which_text} of {d} eigenvalues by Lanczos on Hessian-vector "
                   "products; the Hessian was not formed.")
    return Spectrum(eigenvalues=values, positions=positions,
                    eigenvectors=np.hstack(vectors) if eigenvectors else None, d=d,
                    smallest=float(values[0]) if bottom_done else np.nan,
                    largest=float(values[-1]) if top_done else np.nan,
                    condition_number=float(condition), n_negative=n_negative,
                    n_negative_exact=bool(bottom_done and values[k - 1] >= -zero_tol),
                    method="lanczos", converged=not failed, message=message,
                    tolerance=zero_tol)


def _norm_estimate(operator, v0: np.ndarray, steps: int = 8) -> float:
    """A lower estimate of ``||H||_2``: ``||H v||`` after a few power steps from v0."""
    v = v0 / np.linalg.norm(v0)
    estimate = 0.0
    for _ in range(steps):
        w = operator.matvec(v)
        estimate = float(np.linalg.norm(w))
        if estimate == 0:
            break
        v = w / estimate
    return estimate


def _check_lanczos_k(k: int, d: int, ends: str) -> None:
    if ends == "both" and 2 * k >= d:
        raise ValueError(f"k must be less than d/2 = {d / 2:g} for method 'lanczos' (the "
                         f"k smallest and the k largest eigenvalues must not overlap); received "
                         f"k = {k}. Use method='dense' for all eigenvalues.")
    if k >= d:
        raise ValueError(f"k must be less than d = {d} for method 'lanczos' at one end; "
                         f"received k = {k}. Use method='dense' for all eigenvalues.")


# -- spectral density -------------------------------------------------------------------

@dataclass(frozen=True)
class SpectralDensity(_ReadOnlyArrays):
    """Eigenvalue density of H by stochastic Lanczos quadrature (SLQ), and the exact
    histogram where d allows.

    SLQ: for each of ``n_probes`` Rademacher vectors v (``||v|| = 1``) Lanczos builds
    an m x m tridiagonal T; its eigenvalues ``theta_j`` (nodes) and the squared first
    components ``tau_j^2`` of its eigenvectors (weights) form a Gauss quadrature with
    ``sum_j tau_j^2 g(theta_j) ~ v^T g(H) v``, whose mean over probes estimates
    ``tr g(H) / d``, exactly for polynomials g of degree < 2m up to the probe noise.

    Attributes
    ----------
    nodes : (N,) all probes' nodes, N = n_probes * m (fewer if Lanczos ended early).
    weights : (N,) their weights divided by n_probes; they sum to 1.
    grid : (G,) points where ``density`` is given.
    density : (G,) the SLQ estimate smoothed by a Gaussian of width ``bandwidth``:
        ``sum_j weights_j N(t; nodes_j, bandwidth^2)``; integrates to 1 over grid.
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

    def moment(self, power: int) -> float:
        """The SLQ estimate of ``tr(H^power) / d`` (the mean of lambda^power)."""
        return float(self.weights @ self.nodes**power)


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
    kept in memory; a probe whose Krylov space is exhausted (``beta_j`` below 1e-10
    of ``||T||``) stops there with an exact quadrature.
    """
    operator = aslinearoperator(operator)
    d = operator.shape[0]
    n_probes = positive_int("n_probes", n_probes)
    steps = min(positive_int("n_steps", n_steps), d)
    rng = np.random.default_rng(seed_value("seed", seed))
    probes = rng.choice(np.array([-1.0, 1.0]), size=(d, n_probes)) / np.sqrt(d)
    chunk = max(1, _SLQ_BASIS_ENTRIES // (steps * d))
    nodes, weights = [], []
    for start in range(0, n_probes, chunk):
        alpha, beta, lengths = _block_lanczos(operator, probes[:, start:start + chunk], steps)
        for j, length in enumerate(lengths):
            theta, vectors = eigh_tridiagonal(alpha[:length, j], beta[:length - 1, j])
            nodes.append(theta)
            weights.append(vectors[0] ** 2)
    nodes, weights = np.concatenate(nodes), np.concatenate(weights) / n_probes
    return nodes, weights


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
    """Eigenvalue density of ``hess L(x)`` by stochastic Lanczos quadrature, with the
    exact histogram beside it.

    Parameters
    ----------
    prob, x : the problem and the point (off the pole set).
    n_probes, n_steps, seed : SLQ settings (``lanczos_quadrature``).
    bins : number of histogram bins over the range of all nodes and eigenvalues.
    n_grid : points of the smoothed density's grid, which spans the nodes plus six
        bandwidths on each side (mass lost outside: below 1e-8).
    bandwidth : standard deviation of the Gaussian smoothing (default: 1/100 of the
        range of the nodes).
    exact : also compute every eigenvalue densely (default: when ``d <= DENSE_MAX_D``).

    Returns
    -------
    SpectralDensity
    """
    _check_problem(prob)
    x = prob.check_point(x)
    bins = positive_int("bins", bins)
    n_grid = positive_int("n_grid", n_grid)
    if n_grid < 2:
        raise ValueError(f"n_grid must be at least 2; received {n_grid}.")
    if exact is None:
        exact = prob.d <= DENSE_MAX_D
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


# -- trace ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TraceEstimate(_ReadOnlyArrays):
    """Hutchinson's estimate of ``tr H``: the mean of ``v^T H v`` over Rademacher
    probes v (``E[v v^T] = I``), with its standard error ``std(samples) / sqrt(m)``.

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
    """``tr H`` exactly in O(nnz(A)), from the parts of MATH.md 3:

        tr(A^T diag(D) A) + tr(U C U^T) = sum_i D_i ||a_i||^2 + sum(C o (U^T U))

    where ``a_i`` is row i of A.
    """
    _check_problem(prob)
    parts = prob.hessian_parts(x)
    row_norms = np.einsum("ij,ij->i", prob.A, prob.A)
    return float(parts.D @ row_norms + np.sum(parts.C * (parts.U.T @ parts.U)))


def hutchinson(operator: LinearOperator, *, n_probes: int = 64, seed: int = 0) -> TraceEstimate:
    """Hutchinson's trace estimate for a symmetric (d, d) operator, one block product
    with n_probes Rademacher vectors. ``n_probes >= 2`` (for the standard error)."""
    n_probes = positive_int("n_probes", n_probes)
    if n_probes < 2:
        raise ValueError(f"n_probes must be at least 2 for a standard error; received {n_probes}.")
    operator = aslinearoperator(operator)
    d = operator.shape[0]
    rng = np.random.default_rng(seed_value("seed", seed))
    probes = rng.choice(np.array([-1.0, 1.0]), size=(d, n_probes))
    products = np.asarray(operator.matmat(probes))
    samples = np.einsum("ij,ij->j", probes, products)
    return TraceEstimate(estimate=float(samples.mean()),
                         standard_error=float(samples.std(ddof=1) / np.sqrt(n_probes)),
                         samples=samples, n_probes=n_probes, seed=int(seed))


def hutchinson_trace(prob: Problem, x, *, n_probes: int = 64, seed: int = 0) -> TraceEstimate:
    """``tr hess L(x)`` by Hutchinson's estimator on Hessian-vector products."""
    _check_problem(prob)
    return hutchinson(prob.hessian_operator(x), n_probes=n_probes, seed=seed)


# -- structure --------------------------------------------------------------------------

@dataclass(frozen=True)
class HessianStructure(_ReadOnlyArrays):
    """The eigenvalues of ``H = A^T diag(D) A + U C U^T`` and of its two parts.

    With R = U C U^T of inertia at most (1, 1) (``det C = -1``), Weyl's inequalities
    for a rank-one PSD and a rank-one NSD update give, for i = 1..d (ascending,
    ``lambda_0 = -inf``, ``lambda_{d+1} = +inf``),

        lambda_{i-1}(Diag) <= lambda_i(H) <= lambda_{i+1}(Diag)         (interlacing)
        lambda_i(Diag) + r_minus <= lambda_i(H) <= lambda_i(Diag) + r_plus   (Weyl)

    and the number of negative eigenvalues changes by at most one each way.

    Attributes
    ----------
    diagonal_part : (d,) eigenvalues of ``A^T diag(D) A``, ``D = B_diag + w o w``.
    rank_two : (2,) the two eigenvalues ``r_minus <= 0 <= r_plus`` of R that can be
        non-zero (the other d - 2 are zero), from a 2 x 2 problem.
    rank : numerical rank of R: its eigenvalues above 1e-12 of the largest magnitude
        among H, Diag and ``||U||^2 ||C||`` (2 when ``A^T p`` and ``A^T s`` are
        independent).
    whole : (d,) eigenvalues of H.
    interlacing_lower, interlacing_upper : (d,) ``lambda_{i-1}(Diag)`` and
        ``lambda_{i+1}(Diag)`` (-inf and +inf at the ends).
    interlacing_holds, weyl_holds : whether the measured eigenvalues obey them (to
        1e-10 of the largest magnitude).
    n_negative_diagonal, n_negative_whole : eigenvalues of Diag and of H below minus
        the rounding tolerance (``rounding_tolerance``).
    message : one sentence summing up.
    """

    diagonal_part: np.ndarray
    rank_two: np.ndarray
    rank: int
    whole: np.ndarray
    interlacing_lower: np.ndarray
    interlacing_upper: np.ndarray
    interlacing_holds: bool
    weyl_holds: bool
    n_negative_diagonal: int
    n_negative_whole: int
    message: str
    tolerance: float = 0.0  # eigenvalues within it of zero are zero (rounding_tolerance)

    @property
    def rank_two_full(self) -> np.ndarray:
        """(d,) all eigenvalues of R, ascending: ``r_minus``, d - 2 zeros, ``r_plus``."""
        out = np.zeros(self.whole.size)
        out[0], out[-1] = self.rank_two
        return np.sort(out)


def rank_two_eigenvalues(U: np.ndarray, C: np.ndarray) -> np.ndarray:
    """The two eigenvalues of ``U C U^T`` (U (d, 2), C symmetric (2, 2)) that can be
    non-zero, ascending, in O(d).

    With ``G = U^T U = V diag(g) V^T`` and ``G^(1/2) = V diag(sqrt g) V^T``, the non-zero
    eigenvalues of ``U C U^T`` are those of the symmetric ``G^(1/2) C G^(1/2)`` (2, 2);
    their product is ``det C det G``, negative for ``C`` of the Hessian when U has rank 2.
    """
    g, V = np.linalg.eigh(U.T @ U)
    root = (V * np.sqrt(np.maximum(g, 0.0))) @ V.T
    return np.linalg.eigvalsh(root @ C @ root)


def hessian_structure(prob: Problem, x) -> HessianStructure:
    """Eigenvalues of the diagonal part, the rank-two part and the whole Hessian.

    Needs ``d <= DENSE_MAX_D`` (every eigenvalue is computed densely, O(n d^2 + d^3)).
    """
    _check_problem(prob)
    x = prob.check_point(x)
    if prob.d > DENSE_MAX_D:
        raise ValueError(f"d must be at most DENSE_MAX_D = {DENSE_MAX_D} for the structure "
                         f"view (it compares all eigenvalues of three d x d matrices); "
                         f"received d = {prob.d}.")
    parts = prob.hessian_parts(x)
    diagonal = losses.weighted_gram(prob.A, parts.D)
    diagonal = np.linalg.eigvalsh(0.5 * (diagonal + diagonal.T))
    whole = np.linalg.eigvalsh(losses.hessian_from_parts(prob.A, parts))
    rank_two = rank_two_eigenvalues(parts.U, parts.C)
    # below 1e-12 of the scale of the matrices involved, r is rounding noise around zero
    noise = 1e-12 * max(np.abs(whole).max(), np.abs(diagonal).max(),
                        np.sum(parts.U**2) * np.linalg.norm(parts.C, 2))
    rank = int(np.sum(np.abs(rank_two) > noise))

    lower = np.concatenate([[-np.inf], diagonal[:-1]])
    upper = np.concatenate([diagonal[1:], [np.inf]])
    tol = _BOUND_RTOL * max(np.abs(diagonal).max(), np.abs(whole).max(), np.abs(rank_two).max(),
                            np.finfo(float).tiny)
    interlacing = bool(np.all(lower - tol <= whole) and np.all(whole <= upper + tol))
    weyl = bool(np.all(diagonal + rank_two[0] - tol <= whole)
                and np.all(whole <= diagonal + rank_two[1] + tol))
    zero = _tolerance(prob.d, rounding_scale(prob.A, parts))  # rounding is not a finding
    n_diag, n_whole = int(np.sum(diagonal < -zero)), int(np.sum(whole < -zero))
    message = (f"The rank-two part has eigenvalues {rank_two[0]:.3g} and {rank_two[1]:.3g} "
               f"(rank {rank}); H has {n_whole} negative eigenvalue{'' if n_whole == 1 else 's'}, "
               f"its diagonal part {n_diag}; interlacing {'holds' if interlacing else 'FAILS'}.")
    return HessianStructure(diagonal_part=diagonal, rank_two=rank_two, rank=rank, whole=whole,
                            interlacing_lower=lower, interlacing_upper=upper,
                            interlacing_holds=interlacing, weyl_holds=weyl,
                            n_negative_diagonal=n_diag, n_negative_whole=n_whole,
                            message=message, tolerance=zero)


# -- theory checks (MATH.md 4) ----------------------------------------------------------

@dataclass(frozen=True)
class CurvatureBoundCheck:
    """A bound ``lower I <= B <= upper I`` on the (n, n) matrix B of MATH.md 3 (without
    the regularisation), beside B's measured extreme eigenvalues at x.

    Attributes
    ----------
    name : "softmax global bound" or "pointwise bound K(x)".
    applies : the bound is a theorem for this problem (the global one: softmax only).
    lower, upper : the bound (``upper`` is inf for the pointwise bound).
    b_smallest, b_largest : measured ``lambda_min(B)``, ``lambda_max(B)`` at x.
    holds : the measured eigenvalues lie inside the bound, within rounding.
    message : one sentence with the numbers.
    within_rounding : True when they lie outside by no more than B's rounding errors.
    """

    name: str
    applies: bool
    lower: float
    upper: float
    b_smallest: float
    b_largest: float
    holds: bool
    message: str
    within_rounding: bool = False  # holds only within B's rounding errors


@dataclass(frozen=True)
class RegularisationCheck:
    """The condition ``w_i^2 >= level + l / sigma_min(A)^2`` for all i (MATH.md 4), which
    gives ``hess L >= l I`` (everywhere for the softmax level, at x for K(x)).

    Whatever the weights, ``B + W^2 >= diag(w^2) - level I`` gives the lower bound

        lambda_min(H) >= sigma_min(A)^2 (min w^2 - level)   if min w^2 >= level
                         sigma_max(A)^2 (min w^2 - level)   otherwise

    reported as ``implied_lower`` beside the measured ``hessian_smallest``.

    Attributes
    ----------
    name : "softmax regularisation" or "pointwise regularisation".
    applies : the level is a valid bound for this problem (softmax level: gamma = 0).
    scope : "everywhere" or "at x".
    strong_convexity : the l asked for.
    level : ``6 (1 + ||b||_inf)`` or ``K(x)``.
    sigma_min, sigma_max : extreme singular values of A (``sigma_min = 0`` when n < d;
        NaN when d > DENSE_MAX_D and n >= d: not computed).
    required_w2 : ``level + l / sigma_min^2`` (inf when sigma_min = 0).
    min_w2 : ``min_i w_i^2``.
    implied_lower : the lower bound on ``lambda_min(H)`` above.
    hessian_smallest : measured ``lambda_min(H)`` at x.
    holds : ``min_w2 >= required_w2`` (the condition is met).
    message : one sentence with the numbers.
    """

    name: str
    applies: bool
    scope: str
    strong_convexity: float
    level: float
    sigma_min: float
    sigma_max: float
    required_w2: float
    min_w2: float
    implied_lower: float
    hessian_smallest: float
    holds: bool
    message: str
    within_rounding: bool = False  # a condition on w, not on rounded eigenvalues


@dataclass(frozen=True)
class LipschitzCheck(_ReadOnlyArrays):
    """Empirical Hessian-Lipschitz constant near x beside the softmax bound
    ``M <= (31 + 13 ||b||_2) ||A||^3`` (MATH.md 4).

    Attributes
    ----------
    name : "Hessian-Lipschitz estimate".
    estimate : ``max ||H(y) - H(y')||_2 / ||y - y'||`` over the sampled pairs (a lower
        bound on the local Lipschitz constant).
    ratios : (m,) the ratio of each pair that lay off the pole set (NaN where Lanczos
        did not converge on the difference).
    bound : the softmax bound, NaN for gamma > 0 (no x-independent bound exists).
    applies : gamma = 0.
    radius : both points of a pair lie within this distance of x.
    n_pairs, seed : the sampling; ``n_skipped`` pairs met the pole set.
    holds : ``estimate <= bound`` (False when there is no bound).
    message : one sentence with the numbers.
    """

    name: str
    estimate: float
    ratios: np.ndarray
    bound: float
    applies: bool
    radius: float
    n_pairs: int
    n_skipped: int
    seed: int
    holds: bool
    message: str
    within_rounding: bool = False  # an estimate against a bound, not rounded eigenvalues


@dataclass(frozen=True)
class TheoryChecks:
    """The checks of MATH.md 4 at one point: the two curvature bounds on B, the two
    regularisation conditions, and the Lipschitz estimate. Each has ``name``,
    ``applies``, ``holds`` and a one-sentence ``message`` beside its numbers."""

    softmax_bound: CurvatureBoundCheck
    pointwise_bound: CurvatureBoundCheck
    softmax_regularisation: RegularisationCheck
    pointwise_regularisation: RegularisationCheck
    lipschitz: LipschitzCheck

    def all(self) -> tuple:
        """The five checks in order."""
        return (self.softmax_bound, self.pointwise_bound, self.softmax_regularisation,
                self.pointwise_regularisation, self.lipschitz)


def pointwise_level(prob: Problem, x) -> float:
    """``K(x) = ||q||_inf ||c||_inf + |<c,f>| ||q||_inf + 2 ||p||_2 ||c o p||_2
    + 2 |<c,f>| ||p||_2^2`` with ``B >= -K(x) I`` (MATH.md 4; any gamma)."""
    sf = _scale_free(prob, prob.check_point(x))
    return _pointwise_level(sf)


def _pointwise_level(sf: losses.ScaleFree) -> float:
    cf = abs(float(sf.c @ sf.f))
    q_inf = float(np.abs(sf.q).max())
    p_norm = float(np.linalg.norm(sf.p))
    return (q_inf * float(np.abs(sf.c).max()) + cf * q_inf
            + 2 * p_norm * float(np.linalg.norm(sf.c * sf.p)) + 2 * cf * p_norm**2)


def b_eigenvalue_range(prob: Problem, x) -> tuple[float, float]:
    """``(lambda_min(B), lambda_max(B))`` of the (n, n) matrix
    ``B = diag(B_diag) + g0 p p^T - s p^T - p s^T`` at x (MATH.md 3, without w):
    dense for ``n <= DENSE_B_MAX_N``, else Lanczos on B as an O(n) operator."""
    sf = _scale_free(prob, prob.check_point(x))
    low, high, _ = _b_range(sf, prob.b)
    return low, high


def _b_range(sf: losses.ScaleFree, b: np.ndarray) -> tuple[float, float, float]:
    """``(lambda_min(B), lambda_max(B), rounding tolerance of B's eigenvalues)``, the
    tolerance ``ROUNDING_FACTOR sqrt(n) eps (max|B_diag| + ||P||_F^2 ||C||_2)``."""
    n = b.size
    b_diag, s, g0 = losses.hessian_weights(sf, b, np.zeros(n))
    P = np.column_stack([sf.p, s])
    C = np.array([[g0, -1.0], [-1.0, 0.0]])
    zero = _tolerance(n, float(np.abs(b_diag).max() + np.sum(P**2) * np.linalg.norm(C, 2)))
    if n <= DENSE_B_MAX_N:
        B = P @ C @ P.T
        B[np.diag_indices(n)] += b_diag
        values = np.linalg.eigvalsh(0.5 * (B + B.T))
        return float(values[0]), float(values[-1]), zero

    def matvec(v):
        return b_diag * v.ravel() + P @ (C @ (P.T @ v.ravel()))

    operator = LinearOperator((n, n), matvec=matvec, dtype=np.float64)
    ends = extreme_eigenvalues(operator, 1, tol=1e-12)
    return ends.smallest, ends.largest, zero


def curvature_bound_checks(prob: Problem, x) -> tuple[CurvatureBoundCheck, CurvatureBoundCheck]:
    """The softmax global bound ``-6(1+||b||_inf) <= B <= 7 + 6||b||_inf`` and the
    pointwise bound ``B >= -K(x)`` at x, each beside B's measured extremes."""
    _check_problem(prob)
    sf = _scale_free(prob, prob.check_point(x))
    return _curvature_checks(prob, sf, _b_range(sf, prob.b))


def _shown(value: float, zero: float) -> str:
    """A measured value as text: "0" within rounding (``|value| <= zero``, which also
    turns -0.0 into 0), else 4 significant digits."""
    return "0" if abs(value) <= zero else f"{value:.4g}"


def _curvature_checks(prob, sf, b_range):
    low, high, zero = b_range
    b_inf = float(np.abs(prob.b).max())
    lower, upper = -6.0 * (1.0 + b_inf), 7.0 + 6.0 * b_inf
    tol = max(_BOUND_RTOL * max(abs(low), abs(high), upper), zero)
    holds = bool(lower - tol <= low and high <= upper + tol)
    softmax = prob.gamma == 0
    scope = ("" if softmax else
             f" (a theorem for softmax only; here γ = {prob.gamma:g})")
    global_check = CurvatureBoundCheck(
        name="softmax global bound", applies=softmax, lower=lower, upper=upper,
        b_smallest=low, b_largest=high, holds=holds,
        within_rounding=holds and not (lower <= low and high <= upper),
        message=(f"B's eigenvalues at x lie in [{_shown(low, zero)}, {_shown(high, zero)}]"
                 + (f" (0: within rounding, ±{zero:.2g})" if min(abs(low), abs(high)) <= zero
                    else "") + ", "
                 f"{'inside' if holds else 'OUTSIDE'} the bound [{lower:.4g}, {upper:.4g}]"
                 f"{scope}."))
    level = _pointwise_level(sf)
    tol = max(_BOUND_RTOL * max(abs(low), level), zero)
    holds = bool(low >= -level - tol)
    if low >= -level:
        relation = "above"
    elif holds:
        relation = (f"equal, within rounding (|difference| <= {tol:.2g}, the size of B's "
                    "rounding errors), to")
    else:
        relation = "BELOW"
    pointwise = CurvatureBoundCheck(
        name="pointwise bound K(x)", applies=True, lower=-level, upper=np.inf,
        b_smallest=low, b_largest=high, holds=holds, within_rounding=holds and low < -level,
        message=f"λ_min(B) = {_shown(low, zero)} at x is {relation} −K(x) = "
                f"{_shown(-level, 0.0)}.")
    return global_check, pointwise


def _regularisation_check(prob, *, name, applies, scope, l, level, sigma_min, sigma_max,
                          hessian_smallest) -> RegularisationCheck:
    min_w2 = float(prob.w2.min())
    if np.isnan(sigma_min):
        required = np.nan
    elif sigma_min > 0:
        required = level + l / sigma_min**2
    else:
        required = np.inf
    holds = bool(min_w2 >= required * (1 - _BOUND_RTOL)) if np.isfinite(required) else False
    gap = min_w2 - level
    implied = (gap * sigma_min**2 if gap >= 0 else gap * sigma_max**2)
    where = "everywhere" if scope == "everywhere" else "at x"
    if np.isnan(required):
        verdict = (f"cannot be decided: σ_min(A) is computed only for d ≤ {DENSE_MAX_D}")
    elif holds:
        verdict = f"is met, so ∇²L ⪰ {l:g} I {where}"
    else:
        verdict = f"is not met, so ∇²L ⪰ {l:g} I {where} is not guaranteed"
    message = (f"min wᵢ² = {min_w2:.4g} against level + l/σ_min² = {required:.4g} "
               f"(level {level:.4g}, σ_min(A) = {sigma_min:.4g}): the condition {verdict}; "
               f"measured λ_min(H) = {hessian_smallest:.4g}, implied bound "
               f"{implied:.4g}.")
    if not applies:
        message += f" The softmax level is not a bound for γ = {prob.gamma:g}."
    return RegularisationCheck(name=name, applies=applies, scope=scope, strong_convexity=l,
                               level=level, sigma_min=sigma_min, sigma_max=sigma_max,
                               required_w2=required, min_w2=min_w2, implied_lower=implied,
                               hessian_smallest=hessian_smallest, holds=holds,
                               message=message)


def singular_value_range(A: np.ndarray) -> tuple[float, float]:
    """``(sigma_min, sigma_max)`` of A (n, d), with ``sigma_min = sigma_d`` (0 when
    n < d). Exact SVD while ``d <= DENSE_MAX_D``; above, sigma_max by Lanczos and
    sigma_min NaN unless n < d (the smallest singular value converges too slowly)."""
    n, d = A.shape
    if d <= DENSE_MAX_D:
        sigma = np.linalg.svd(A, compute_uv=False)
        return (float(sigma[-1]) if n >= d else 0.0), float(sigma[0])
    gram = LinearOperator((d, d), matvec=lambda v: A.T @ (A @ v.ravel()), dtype=np.float64)
    top = extreme_eigenvalues(gram, 1, ends="largest", tol=1e-8).largest
    return (0.0 if n < d else np.nan), float(np.sqrt(top))


def regularisation_checks(prob: Problem, x, *, strong_convexity: float = 1.0,
                          ) -> tuple[RegularisationCheck, RegularisationCheck]:
    """The softmax condition ``w_i^2 >= 6(1+||b||_inf) + l/sigma_min^2`` (``hess L >= l I``
    everywhere) and the pointwise one ``w_i^2 >= K(x) + l/sigma_min^2`` (at x), with
    the measured ``lambda_min(H)``; ``l = strong_convexity > 0``."""
    _check_problem(prob)
    x = prob.check_point(x)
    l = real_scalar("strong_convexity", strong_convexity, low=0.0, low_open=True)
    sf = _scale_free(prob, x)
    return _regularisation_checks(prob, x, sf, l, singular_value_range(prob.A))


def _regularisation_checks(prob, x, sf, l, sigmas):
    smallest = _smallest_hessian_eigenvalue(prob, x)
    b_inf = float(np.abs(prob.b).max())
    common = dict(l=l, sigma_min=sigmas[0], sigma_max=sigmas[1], hessian_smallest=smallest)
    softmax = _regularisation_check(prob, name="softmax regularisation",
                                    applies=prob.gamma == 0, scope="everywhere",
                                    level=6.0 * (1.0 + b_inf), **common)
    pointwise = _regularisation_check(prob, name="pointwise regularisation", applies=True,
                                      scope="at x", level=_pointwise_level(sf), **common)
    return softmax, pointwise


def lipschitz_check(prob: Problem, x, *, n_pairs: int = 16, radius: float | None = None,
                    seed: int = 0) -> LipschitzCheck:
    """Empirical Hessian-Lipschitz estimate near x beside the softmax bound.

    Parameters
    ----------
    prob, x : the problem and the centre.
    n_pairs : pairs ``(y, y')`` sampled with ``y = x + r u``, u uniform on the unit
        sphere and r uniform in [0, radius] (each point independently).
    radius : default ``1 / ||A||_2``, so that ``||A (y - x)|| <= 1``.
    seed : seed of the sampling.

    Notes
    -----
    ``||H(y) - H(y')||_2`` is the largest |eigenvalue| of the difference: dense while
    ``d <= LIPSCHITZ_DENSE_D``, else Lanczos on the difference of the two operators.
    """
    _check_problem(prob)
    x = prob.check_point(x)
    _scale_free(prob, x)
    return _lipschitz(prob, x, n_pairs=n_pairs, radius=radius, seed=seed,
                      sigma_max=singular_value_range(prob.A)[1])


def _lipschitz(prob, x, *, n_pairs, radius, seed, sigma_max) -> LipschitzCheck:
    n_pairs = positive_int("n_pairs", n_pairs)
    if radius is None:
        radius = 1.0 / sigma_max if sigma_max > 0 else 1.0
    else:
        radius = real_scalar("radius", radius, low=0.0, low_open=True)
    rng = np.random.default_rng(seed_value("seed", seed))
    ratios, skipped = [], 0
    for _ in range(n_pairs):
        directions = rng.standard_normal((2, prob.d))
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        y = x + radius * rng.uniform(0.0, 1.0, (2, 1)) * directions
        distance = float(np.linalg.norm(y[0] - y[1]))
        try:
            gap = _difference_norm(prob, y[0], y[1])
        except PoleError:
            skipped += 1
            continue
        if distance > 0:
            ratios.append(gap / distance)
    ratios = np.array(ratios)
    estimate = float(np.nanmax(ratios)) if np.isfinite(ratios).any() else np.nan
    softmax = prob.gamma == 0
    bound = (31.0 + 13.0 * float(np.linalg.norm(prob.b))) * sigma_max**3 if softmax else np.nan
    holds = bool(softmax and estimate <= bound)
    if softmax:
        message = (f"largest ||H(y) - H(y')|| / ||y - y'|| over {ratios.size} pairs within "
                   f"{radius:.3g} of x is {estimate:.4g}, "
                   f"{'below' if holds else 'ABOVE'} the bound (31 + 13||b||) ||A||^3 = "
                   f"{bound:.4g}.")
    else:
        message = (f"largest ||H(y) - H(y')|| / ||y - y'|| over {ratios.size} pairs within "
                   f"{radius:.3g} of x is {estimate:.4g}; for gamma = {prob.gamma:g} no "
                   "x-independent bound exists (the loss has poles).")
    if skipped:
        message += f" {skipped} pairs met the pole set and were skipped."
    return LipschitzCheck(name="Hessian-Lipschitz estimate", estimate=estimate, ratios=ratios, bound=bound, applies=softmax,
                          radius=float(radius), n_pairs=n_pairs, n_skipped=skipped,
                          seed=int(seed), holds=holds, message=message)


def _difference_norm(prob: Problem, y0: np.ndarray, y1: np.ndarray) -> float:
    """``||H(y0) - H(y1)||_2``."""
    if prob.d <= LIPSCHITZ_DENSE_D:
        values = np.linalg.eigvalsh(prob.hessian(y0) - prob.hessian(y1))
        return float(np.abs(values).max())
    first, second = prob.hessian_operator(y0), prob.hessian_operator(y1)
    difference = LinearOperator((prob.d, prob.d), dtype=np.float64,
                                matvec=lambda v: first.matvec(v) - second.matvec(v))
    ends = extreme_eigenvalues(difference, 1, tol=1e-6)
    return float(np.max(np.abs([ends.smallest, ends.largest])))  # NaN: not converged


def theory_checks(prob: Problem, x, *, strong_convexity: float = 1.0, n_pairs: int = 16,
                  radius: float | None = None, seed: int = 0) -> TheoryChecks:
    """Every check of MATH.md 4 at x (see ``curvature_bound_checks``,
    ``regularisation_checks`` and ``lipschitz_check``), sharing the singular values of A
    and the scale-free vectors."""
    _check_problem(prob)
    x = prob.check_point(x)
    l = real_scalar("strong_convexity", strong_convexity, low=0.0, low_open=True)
    sf = _scale_free(prob, x)
    sigmas = singular_value_range(prob.A)
    softmax_bound, pointwise_bound = _curvature_checks(prob, sf, _b_range(sf, prob.b))
    softmax_reg, pointwise_reg = _regularisation_checks(prob, x, sf, l, sigmas)
    lipschitz = _lipschitz(prob, x, n_pairs=n_pairs, radius=radius, seed=seed,
                           sigma_max=sigmas[1])
    return TheoryChecks(softmax_bound=softmax_bound, pointwise_bound=pointwise_bound,
                        softmax_regularisation=softmax_reg,
                        pointwise_regularisation=pointwise_reg, lipschitz=lipschitz)


def _smallest_hessian_eigenvalue(prob: Problem, x: np.ndarray) -> float:
    if prob.d <= DENSE_MAX_D:
        return float(np.linalg.eigvalsh(prob.hessian(x))[0])
    return extreme_eigenvalues(prob.hessian_operator(x), 1, ends="smallest", tol=1e-10).smallest


# -- along a trajectory -----------------------------------------------------------------

@dataclass(frozen=True)
class TrajectorySpectrum(_ReadOnlyArrays):
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
    _check_problem(prob)
    xs = real_array("xs", xs, ndim=2)
    if xs.shape[0] < 1 or xs.shape[1] != prob.d:
        raise ValueError(f"xs must have shape (m, d) with m >= 1 and d = {prob.d} (one iterate "
                         f"per row); received shape {xs.shape}.")
    method = choice("method", method, METHODS)
    if method == "auto":
        method = "dense" if prob.d <= DENSE_MAX_D else "lanczos"
    k = _check_k(k, prob.d)
    if method == "dense":
        positions = np.arange(prob.d)
    else:
        k = DEFAULT_K if k is None else k
        _check_lanczos_k(k, prob.d, "both")
        positions = np.concatenate([np.arange(k), np.arange(prob.d - k, prob.d)])
    m = xs.shape[0]
    eigenvalues = np.full((m, positions.size), np.nan)
    n_negative = np.full(m, np.nan)
    at_pole = np.zeros(m, dtype=bool)
    converged = np.zeros(m, dtype=bool)
    for i, x in enumerate(xs):
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


# -- input checks -------------------------------------------------------------------------

def _check_problem(prob) -> None:
    instance("prob", prob, Problem, "a landscape.Problem")


def _check_k(k, d: int) -> int | None:
    if k is None:
        return None
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise ValueError(f"k must be a positive integer or None; received {describe(k)}.")
    k = int(k)
    if k <= 0:
        raise ValueError(f"k must be at least 1 (eigenvalues at each end); received k = {k}.")
    if k > d:
        raise ValueError(f"k must be at most d = {d} (the number of eigenvalues); "
                         f"received k = {k}.")
    return k


def _scale_free(prob: Problem, x: np.ndarray) -> losses.ScaleFree:
    """The scale-free vectors at x, or the PoleError of ``Problem`` where H does not exist."""
    prob.hessian_parts(x)  # raises PoleError on (or next to) the pole set
    return losses.scale_free(prob.A @ x, prob.b, prob.gamma)
