"""Issue 5 speed targets, as ratios measured in one run.

    exact Newton from x = 0 to ||grad|| <= 1e-9 ||grad(0)||, n = 10^4, d = 100
      (softmax, cond(A) = 10^3, light regularisation; unified, realizable b)
        vs SciPy trust-exact with the same loss, gradient and Hessian      (>= 1x)
        vs the faster of SciPy BFGS and L-BFGS-B                           (>= 3x)
    approximate Newton, n = 2 * 10^5, d = 50, eps = 0.5
        time per step vs an exact Newton step                              (<= 0.5)
        rows kept                                                          (<= 10% of n)
        converges linearly to ||grad|| <= 1e-8 ||grad(0)||

A peer that stops before the tolerance (SciPy reports precision loss) is timed to
where it stopped, which flatters it; its status is printed beside its time.

BLAS runs on one thread unless OPENBLAS_NUM_THREADS says otherwise: on the shared
2-core machine, OpenBLAS's spinning worker threads competing with other jobs made
small products (A @ x at n = 10^4, d = 100) up to 30 times slower and the timings
meaningless. One thread treats every contender alike.

Run: .venv/bin/python benchmarks/optimize.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads OpenBLAS

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import MISSED_TARGET, best_times  # noqa: E402

import landscape as ls  # noqa: E402
from landscape import rows as row_blocks  # noqa: E402
from landscape.optimize import _sampling, diagnose, minimize  # noqa: E402


def exact_newton_vs_peers(title: str, prob: ls.Problem, *, gated: bool = True,
                          repeats: int = 3) -> bool:
    """Time each method from x = 0 to ||grad|| <= 1e-9 ||grad(0)||; True if the
    targets are met (always True for an informational, ungated comparison)."""
    x0 = np.zeros(prob.d)
    methods = {"newton (ours)": "newton", "scipy trust-exact": "trust_exact",
               "scipy BFGS": "bfgs", "scipy L-BFGS-B": "lbfgs"}
    runs: dict[str, ls.optimize.Trajectory] = {}

    def contender(label: str, method: str):
        def run():
            runs[label] = minimize(prob, x0, method, tol=1e-9, max_iter=20_000)
        return run

    times = best_times({label: contender(label, m) for label, m in methods.items()},
                       repeats=repeats)
    print(f"\n{title}" + ("" if gated else "  [informational, not a target]"))
    for label, t in times.items():
        traj = runs[label]
        reached = traj.grad_norm[-1] / traj.grad_norm[0]
        print(f"  {label:<20s} {t * 1e3:10.1f} ms  {traj.n_iter:6d} steps  "
              f"||g||/||g0|| = {reached:8.1e}  {traj.status.value}")
    ours = times["newton (ours)"]
    converged = runs["newton (ours)"].success
    vs_trust = times["scipy trust-exact"] / ours
    quasi = min(("scipy BFGS", "scipy L-BFGS-B"), key=times.get)
    vs_quasi = times[quasi] / ours

    def verdict(ok: bool) -> str:
        return "meets" if ok else ("MISSES" if gated else "below")

    print(f"  vs trust-exact: x{vs_trust:.2f} (target >= 1): {verdict(vs_trust >= 1)}")
    print(f"  vs the faster quasi-Newton ({quasi}, {runs[quasi].status.value}): "
          f"x{vs_quasi:.1f} (target >= 3): {verdict(vs_quasi >= 3)}")
    if not converged:
        print(f"  newton did not converge: {runs['newton (ours)'].message}")
    return not gated or (converged and vs_trust >= 1 and vs_quasi >= 3)


def approximate_newton(d: int = 50, *, gated: bool = True, repeats: int = 5) -> bool:
    """Time per step of approximate vs exact Newton at n = 2e5; True if the targets
    are met (always True for an informational, ungated size)."""
    # no regularisation: at n = 2e5 even w = 1e-4 outweighs the fit (whose curvature
    # scales like 1/n) and pins x* near 0, where one Newton step solves the problem
    prob = ls.make_problem(200_000, d, seed=0, kind="unified", target="realizable",
                           noise=0.1)
    x0 = np.zeros(prob.d)
    runs: dict[str, list] = {"exact": [], "approx": []}
    times = best_times({
        "exact": lambda: runs["exact"].append(minimize(prob, x0, "newton", tol=1e-8)),
        "approx": lambda: runs["approx"].append(
            minimize(prob, x0, "approx_newton", eps=0.5, tol=1e-8, seed=0)),
    }, repeats=repeats)
    # per step: the best (least disturbed) run's median step time
    step = {k: min(float(np.median(t.time_per_iteration)) for t in v) for k, v in runs.items()}
    approx, exact = runs["approx"][-1], runs["exact"][-1]
    share = approx.rows_kept.max() / prob.n
    conv = diagnose(prob, approx, exact.x)
    print(f"\nApproximate Newton, n = {prob.n}, d = {prob.d}, eps = 0.5, unified, realizable b "
          "+ 10% noise, no regularisation" + ("" if gated else "  [informational, not a target]"))
    for key, traj in (("exact", exact), ("approx", approx)):
        print(f"  {traj.method:<14s} {step[key] * 1e3:8.1f} ms/step  {traj.n_iter:3d} steps  "
              f"run {times[key] * 1e3:8.1f} ms  ||g||/||g0|| = "
              f"{traj.grad_norm[-1] / traj.grad_norm[0]:.1e}  {traj.status.value}")
    ratio = step["approx"] / step["exact"]
    miss = "MISSES" if gated else "above"
    print(f"  step time ratio approx / exact: {ratio:.2f} (target <= 0.5): "
          f"{'meets' if ratio <= 0.5 else miss}")
    print(f"  rows kept: at most {approx.rows_kept.max()} of {prob.n} = {share:.1%} "
          f"(target <= 10%): {'meets' if share <= 0.1 else miss}")
    ratios = ", ".join(f"{r:.3f}" for r in conv.hessian.ratios)
    linear = approx.success and 0.5 <= conv.hessian.order <= 1.5
    print(f"  error ratios in the Hessian norm: {ratios}")
    print(f"  estimated order {conv.hessian.order:.2f}, rate {conv.hessian.rate:.3f}: "
          f"{'linear, converged' if linear else 'NOT linear convergence to the tolerance'}")
    floor = passes_floor(prob, int(np.median(approx.rows_kept[1:])))
    print(f"  floor of the ratio, every elementwise O(n) operation taken as free: {floor:.2f}")
    return not gated or (ratio <= 0.5 and share <= 0.1 and linear)


def passes_floor(prob: ls.Problem, kept: int, repeats: int = 7) -> float:
    """The products over A alone that each step must make, timed in one run.
    Both steps: ``A p`` (line search) and ``[p, s, w]^T A`` (gradient and rank-two
    factors). Exact adds ``A^T diag(D) A``; approximate adds the CountSketch ``S A32``,
    the Johnson-Lindenstrauss product ``A32 Y`` and the Gram matrix of the kept rows.
    Their ratio bounds what any implementation of these steps can reach here."""
    rng = np.random.default_rng(0)
    A, n, d = prob.A, prob.n, prob.d
    A32 = A.astype(np.float32)
    p, D, Y = rng.standard_normal(d), rng.random(n), rng.standard_normal((3, n))
    m = _sampling.sketch_rows(n, d)
    S = sp.csc_matrix((rng.standard_normal(n).astype(np.float32), rng.integers(0, m, n),
                       np.arange(n + 1)), shape=(m, n))
    y = rng.standard_normal((d, _sampling.JL_DIM)).astype(np.float32)
    rows = np.sort(rng.choice(n, size=kept, replace=False))
    t = best_times({"A p": lambda: A @ p, "Y A": lambda: Y @ A,
                    "gram": lambda: row_blocks.gram(A, D),
                    "S A32": lambda: S @ A32, "A32 y": lambda: A32 @ y,
                    "kept gram": lambda: row_blocks.gram(A, D[rows], rows)}, repeats)
    common = t["A p"] + t["Y A"]
    print("  products alone: " + ", ".join(f"{k} {v * 1e3:.1f} ms" for k, v in t.items()))
    return (common + t["S A32"] + t["A32 y"] + t["kept gram"]) / (common + t["gram"])


def main() -> int:
    print(f"BLAS threads: OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")
    ok = True
    softmax = ls.make_problem(10_000, 100, seed=0, kind="softmax", matrix="ill_conditioned",
                              cond=1e3, target="realizable", noise=0.1, w="constant",
                              w_value=1e-3)
    ok &= exact_newton_vs_peers("Exact Newton, n = 10000, d = 100, softmax, cond(A) = 1e3, "
                                "w = 1e-3, realizable b + 10% noise", softmax)
    unified = ls.make_problem(10_000, 100, seed=0, kind="unified", target="realizable")
    ok &= exact_newton_vs_peers("Exact Newton, n = 10000, d = 100, unified, Gaussian A, "
                                "realizable b, no regularisation", unified)
    ill = ls.make_problem(10_000, 100, seed=0, kind="unified", matrix="ill_conditioned",
                          cond=1e3, target="realizable")
    exact_newton_vs_peers("Exact Newton, n = 10000, d = 100, unified, cond(A) = 1e3, "
                          "realizable b, no regularisation", ill, gated=False)
    ok &= approximate_newton(50)
    approximate_newton(100, gated=False, repeats=3)  # the saving grows with d (n d^2 vs nnz)
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else MISSED_TARGET


if __name__ == "__main__":
    sys.exit(main())
