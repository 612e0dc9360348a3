"""Issue 2 speed targets, as ratios measured in one run.

    hessian at n = 20000, d = 200   vs  A^T B A through the n x n matrix B   (>= 20x)
    hvp     at n = 20000, d = 500   vs  hessian(x) @ v                       (>= 10x)

and, for information, the two products over A that losses.py shapes for speed: the
row-blocked A^T diag(D) A and the stacked A^T y of several vectors.

Run: .venv/bin/python benchmarks/core.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import MISSED_TARGET, best_times, report  # noqa: E402

import landscape as ls  # noqa: E402
from landscape import losses, rows  # noqa: E402


def hessian_through_b(prob: ls.Problem, x: np.ndarray) -> np.ndarray:
    """The baseline: B = diag(D) + g0 p p^T - s p^T - p s^T formed as an n x n
    matrix (row blocks, to keep one n x n array), then A^T (B A)."""
    z = prob.A @ x
    scale_free = losses.scale_free(z, prob.b, prob.gamma)
    p = scale_free.p
    D, s, g0 = losses.hessian_weights(scale_free, prob.b, prob.w2)
    n = prob.n
    B = np.empty((n, n))
    for i in range(0, n, 2000):
        rows = slice(i, i + 2000)
        B[rows] = np.outer(p[rows], g0 * p - s) - np.outer(s[rows], p)
    B[np.diag_indices(n)] += D
    return prob.A.T @ (B @ prob.A)


def main() -> int:
    ok = True
    prob = ls.make_problem(20_000, 200, seed=0, kind="unified", target="realizable",
                           noise=0.1, w="constant")
    x = 0.3 * np.random.default_rng(1).standard_normal(prob.d) / np.sqrt(prob.d)
    ours, base = prob.hessian(x), hessian_through_b(prob, x)
    err = np.abs(ours - base).max() / np.abs(base).max()
    print(f"hessian vs n x n route: max relative difference {err:.1e}")
    times = best_times({"A^T B A through n x n B (baseline)": lambda: hessian_through_b(prob, x),
                        "prob.hessian(x)": lambda: prob.hessian(x)}, repeats=3)
    ok &= report("Hessian, n = 20000, d = 200, unified with w", times,
                 "A^T B A through n x n B (baseline)", 20)

    prob = ls.make_problem(20_000, 500, seed=0, kind="unified", target="realizable",
                           noise=0.1, w="constant")
    x = 0.3 * np.random.default_rng(1).standard_normal(prob.d) / np.sqrt(prob.d)
    v = np.random.default_rng(2).standard_normal(prob.d)
    err = np.abs(prob.hvp(x, v) - prob.hessian(x) @ v).max() / np.abs(prob.hessian(x) @ v).max()
    print(f"\nhvp vs hessian @ v: max relative difference {err:.1e}")
    op = prob.hessian_operator(x)
    times = best_times({"hessian(x) @ v (baseline)": lambda: prob.hessian(x) @ v,
                        "prob.hvp(x, v)": lambda: prob.hvp(x, v),
                        "hessian_operator(x) @ v (parts reused)": lambda: op @ v}, repeats=7)
    ok &= report("Hessian-vector product, n = 20000, d = 500", times,
                 "hessian(x) @ v (baseline)", 10)
    hvp_ratio = times["hessian(x) @ v (baseline)"] / times["prob.hvp(x, v)"]
    print(f"  prob.hvp alone (parts recomputed each call): x{hvp_ratio:.1f}")
    ok &= hvp_ratio >= 10

    # informational: the blocked A^T diag(D) A that every Hessian uses, on a tall A
    rng = np.random.default_rng(3)
    A, D = rng.standard_normal((200_000, 50)), rng.standard_normal(200_000)
    times = best_times({"A.T @ (D[:, None] * A), one product": lambda: A.T @ (D[:, None] * A),
                        "rows.gram (row blocks)": lambda: rows.gram(A, D)},
                       repeats=5)
    report("A^T diag(D) A, n = 200000, d = 50  [informational, not a target]", times,
           "A.T @ (D[:, None] * A), one product", 1)

    # informational: A^T y for the three n-vectors of one Hessian-vector product
    A = rng.standard_normal((20_000, 500))
    vectors = list(rng.standard_normal((3, 20_000)))
    times = best_times({"A.T @ [y1 y2 y3], skinny (n, 3) factor":
                            lambda: A.T @ np.column_stack(vectors),
                        "losses.transpose_products (stacked rows, Y @ A)":
                            lambda: losses.transpose_products(A, *vectors)}, repeats=7)
    report("A^T y for 3 vectors, n = 20000, d = 500  [informational, not a target]", times,
           "A.T @ [y1 y2 y3], skinny (n, 3) factor", 1)
    return 0 if ok else MISSED_TARGET


if __name__ == "__main__":
    sys.exit(main())
