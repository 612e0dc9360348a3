"""Issue 4 speed targets, as ratios measured in one run.

    full spectrum    n = 10^4, d = 1000   spectrum(prob, x) (form H, eigvalsh)
                     vs  H built column by column from d calls of prob.hvp, then
                     eigvalsh (how matrix-free tools obtain a dense Hessian)          (>= 10x)
                     (also shown: the kinder baseline with the parts of H computed once,
                     hessian_operator(x) @ e_j)
    top 10 eigenvalues  n = 10^4, d = 3000   eigsh on prob.hessian_operator(x)
                     vs  power iteration with deflation (PyHessian's method) on the
                     same operator, stopping at the same relative tolerance         (>= 10x)
                     and the two agree within 1e-6 relative.

The top-10 problem has an ill-conditioned A (singular values geometric over 12
decades) so that its top eigenvalues are separated by a factor of about 0.98: the
regime where power iteration works at all. On a Gaussian A the top eigenvalues cluster
at the Marchenko-Pastur edge (consecutive ratios near 0.9995) and power iteration needs
thousands of products per eigenvalue, so the chosen problem favours the baseline.

Run: .venv/bin/python benchmarks/spectrum.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import MISSED_TARGET, best_times, report  # noqa: E402

import landscape as ls  # noqa: E402
from landscape import spectral  # noqa: E402

#: relative tolerance of both eigenvalue methods in the top-10 comparison
TOL = 1e-8
TOP = 10


def hessian_by_columns(hvp, d: int) -> np.ndarray:
    """The baseline's dense Hessian: ``hvp(e_j)`` for each column j, symmetrised."""
    H = np.empty((d, d))
    e = np.zeros(d)
    for j in range(d):
        e[j] = 1.0
        H[:, j] = hvp(e)
        e[j] = 0.0
    return 0.5 * (H + H.T)


def power_iteration_top(op: LinearOperator, k: int, *, tol: float, seed: int = 0,
                        max_iter: int = 100_000) -> tuple[np.ndarray, list[int]]:
    """PyHessian's ``hessian.eigenvalues``: for each of the k eigenvalues in turn, power
    iteration from a random vector, orthogonalised against the eigenvectors already
    found before every product (deflation), stopped when the Rayleigh quotient changes
    by less than ``tol`` relative. Returns the eigenvalues and the products used."""
    d = op.shape[0]
    rng = np.random.default_rng(seed)
    found = np.zeros((d, 0))
    values, products = [], []
    for _ in range(k):
        v = rng.standard_normal(d)
        value, steps = None, 0
        while steps < max_iter:
            steps += 1
            v = v - found @ (found.T @ v)
            v /= np.linalg.norm(v)
            hv = op.matvec(v)
            new = float(v @ hv)
            v = hv / np.linalg.norm(hv)
            if value is not None and abs(new - value) <= tol * abs(value):
                value = new
                break
            value = new
        values.append(value)
        products.append(steps)
        found = np.column_stack([found, v - found @ (found.T @ v)])
        found[:, -1] /= np.linalg.norm(found[:, -1])
    return np.array(values), products


class CountingOperator(LinearOperator):
    """Counts the products taken from an operator."""

    def __init__(self, op: LinearOperator) -> None:
        super().__init__(dtype=np.float64, shape=op.shape)
        self.op, self.count = op, 0

    def _matvec(self, v):
        self.count += 1
        return self.op.matvec(v)


def full_spectrum() -> bool:
    prob = ls.make_problem(10_000, 1000, seed=0, kind="unified", target="realizable",
                           noise=0.1, w="constant", w_value=0.05)
    x = 0.3 * np.random.default_rng(1).standard_normal(prob.d) / np.sqrt(prob.d)
    ours = spectral.spectrum(prob, x).eigenvalues
    base = np.linalg.eigvalsh(hessian_by_columns(lambda v: prob.hvp(x, v), prob.d))
    err = np.abs(ours - base).max() / np.abs(base).max()
    print(f"full spectrum vs column-by-column route: max difference {err:.1e} of max|lambda|")
    # prob.hvp does what a matrix-free tool does for each product (a forward and a
    # backward pass); the operator reuses the parts of H for all d products (kinder)
    baseline = "d x prob.hvp(x, e_j), eigvalsh (baseline)"
    kinder = "d x hessian_operator(x) @ e_j, eigvalsh"
    times = best_times({
        baseline: lambda: np.linalg.eigvalsh(hessian_by_columns(lambda v: prob.hvp(x, v),
                                                                prob.d)),
        kinder: lambda: np.linalg.eigvalsh(hessian_by_columns(prob.hessian_operator(x).matvec,
                                                              prob.d)),
        "spectrum(prob, x) (dense)": lambda: spectral.spectrum(prob, x),
    }, repeats=3)
    ok = report("Full spectrum, n = 10000, d = 1000, unified with w", {
        name: times[name] for name in (baseline, "spectrum(prob, x) (dense)")},
        baseline, 10)
    kinder_ratio = times[kinder] / times["spectrum(prob, x) (dense)"]
    print(f"  against the kinder baseline ({kinder}: {times[kinder] * 1e3:.0f} ms): "
          f"x{kinder_ratio:.1f}{'' if kinder_ratio >= 10 else ' (below 10x)'}")
    return ok and err <= 1e-12


def top_eigenvalues() -> bool:
    start = time.perf_counter()
    prob = ls.make_problem(10_000, 3000, seed=0, kind="softmax", matrix="ill_conditioned",
                           cond=1e12, w="constant", w_value=0.1)
    x = 0.3 * np.random.default_rng(1).standard_normal(prob.d) / np.sqrt(prob.d)
    print(f"\n(top-10 problem built in {time.perf_counter() - start:.0f} s)")
    op = CountingOperator(prob.hessian_operator(x))
    v0 = np.random.default_rng(0).standard_normal(prob.d)

    def lanczos():
        return np.sort(eigsh(op, k=TOP, which="LA", v0=v0, tol=TOL,
                             return_eigenvectors=False))[::-1]

    def library():
        return spectral.spectrum(prob, x, k=TOP, method="lanczos", ends="largest", tol=TOL)

    op.count = 0
    ours = lanczos()
    lanczos_products = op.count
    ours_lib = library().eigenvalues[::-1]
    # the baseline takes about a minute: timed in its one run, between runs of the others
    before = best_times({"eigsh(hessian_operator, k=10, LA)": lanczos,
                         "spectrum(prob, x, k=10, ends='largest')": library}, repeats=2)
    op.count = 0
    start = time.perf_counter()
    theirs, per_eigenvalue = power_iteration_top(op, TOP, tol=TOL)
    power_time = time.perf_counter() - start
    power_products = op.count
    after = best_times({"eigsh(hessian_operator, k=10, LA)": lanczos,
                        "spectrum(prob, x, k=10, ends='largest')": library}, repeats=1)
    times = {"power iteration with deflation (baseline)": power_time,
             **{name: min(before[name], after[name]) for name in before}}
    agreement = float(np.max(np.abs(ours - theirs) / np.abs(theirs)))
    library_agreement = float(np.max(np.abs(ours_lib - theirs) / np.abs(theirs)))
    print(f"top {TOP}: {ours[0]:.6g} .. {ours[-1]:.6g}, consecutive ratios "
          f"{np.min(ours[1:] / ours[:-1]):.4f} .. {np.max(ours[1:] / ours[:-1]):.4f}")
    print(f"products: eigsh {lanczos_products}, power iteration {power_products} "
          f"(per eigenvalue {per_eigenvalue})")
    print(f"largest relative difference from power iteration: eigsh {agreement:.1e}, "
          f"library {library_agreement:.1e} (must be <= 1e-6): "
          f"{'ok' if max(agreement, library_agreement) <= 1e-6 else 'FAILS'}")
    ok = report(f"Top {TOP} eigenvalues, n = 10000, d = 3000, softmax, A ill-conditioned, "
                f"tol {TOL:g}", times, "power iteration with deflation (baseline)", 10)
    library_ratio = (times["power iteration with deflation (baseline)"]
                     / times["spectrum(prob, x, k=10, ends='largest')"])
    print(f"  the library call alone (operator, norm estimate, shifted eigsh): "
          f"x{library_ratio:.1f}")
    return ok and library_ratio >= 10 and max(agreement, library_agreement) <= 1e-6


def main() -> int:
    ok = full_spectrum()
    ok &= top_eigenvalues()
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else MISSED_TARGET


if __name__ == "__main__":
    sys.exit(main())
