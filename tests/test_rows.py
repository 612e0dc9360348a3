"""Row-block passes over A (landscape.rows): a dask or memory-mapped A gives the
in-memory results to 1e-12, on Dask's local threads and on a dask.distributed
cluster of two worker processes; validation runs block by block; NumPy input takes
the NumPy path unchanged."""

import subprocess
import sys

import dask.array as da
import numpy as np
import pytest
import scipy.sparse as sp

import landscape as ls
from landscape import engine, rows
from landscape.optimize import Status, minimize

RTOL = 1e-12
#: uneven row chunks (and two column chunks, rechunked by Problem)
ROW_CHUNKS = (700, 1000, 301, 999)
N, D = sum(ROW_CHUNKS), 6


@pytest.fixture(scope="module", params=["local threads", "distributed"])
def where(request):
    """Each test runs once on Dask's local threads and once on a two-worker cluster."""
    engine.use(request.getfixturevalue("cluster") if request.param == "distributed" else None)
    yield request.param
    engine.use(None)


def _close(actual, expected, rtol=RTOL):
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    scale = max(float(np.max(np.abs(expected), initial=0.0)), np.finfo(float).tiny)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale)


def _blocked(prob: ls.Problem, chunks=ROW_CHUNKS) -> ls.Problem:
    """``prob`` with A as a dask array (uneven row chunks, two column chunks) and b too."""
    A = da.from_array(np.array(prob.A), chunks=(chunks, (prob.d // 2, prob.d - prob.d // 2)))
    return ls.Problem(A, da.from_array(np.array(prob.b), chunks=500), gamma=prob.gamma,
                      kind=prob.kind, w=np.array(prob.w))


@pytest.fixture(scope="module")
def pair():
    ref = ls.make_problem(N, D, seed=3, kind="unified", target="realizable", noise=0.1,
                          w="constant", w_value=0.05)
    return ref, _blocked(ref)


def test_problem_keeps_a_dask_A_lazy_with_a_note(pair):
    ref, prob = pair
    assert rows.is_dask(prob.A) and prob.A.chunks == (ROW_CHUNKS, (D,))
    assert prob.notes and "rechunked to one" in prob.notes[0]
    assert ref.notes == () and not rows.is_dask(ref.A)
    assert prob.point_limit == pytest.approx(ref.point_limit, rel=RTOL)
    np.testing.assert_array_equal(prob.b, ref.b)


def test_loss_derivatives_and_batches_match(pair, where):
    ref, prob = pair
    rng = np.random.default_rng(0)
    for x in (np.zeros(D), 0.8 * ref.x_true, rng.standard_normal(D) * 0.3):
        v = rng.standard_normal(D)
        _close(prob.loss(x), ref.loss(x))
        _close(prob.gradient(x), ref.gradient(x))
        _close(prob.hessian(x), ref.hessian(x))
        parts, parts_ref = prob.hessian_parts(x), ref.hessian_parts(x)
        for field in ("D", "U", "C"):
            _close(getattr(parts, field), getattr(parts_ref, field))
        _close(prob.hvp(x, v), ref.hvp(x, v))
        V = rng.standard_normal((D, 3))
        _close(prob.hessian_operator(x).matmat(V), ref.hessian_operator(x).matmat(V))
        _close(prob.derivatives(x)[2], ref.derivatives(x)[2])
    X = rng.standard_normal((7, D)) * 0.5
    got, want = prob.evaluate_batch(X), ref.evaluate_batch(X)
    _close(got.loss, want.loss)
    _close(got.log_abs_alpha, want.log_abs_alpha)
    np.testing.assert_array_equal(got.alpha_sign, want.alpha_sign)


@pytest.mark.parametrize("method", ["fast", "direct"])
def test_surface_and_line_match(pair, where, method):
    ref, prob = pair
    rng = np.random.default_rng(1)
    center, u, v = ref.x_true, rng.standard_normal(D), rng.standard_normal(D)
    alphas, betas = np.linspace(-1, 1, 9), np.linspace(-2, 2, 7)
    got = ls.surface_2d(prob, center, u, v, alphas, betas, method=method)
    want = ls.surface_2d(ref, center, u, v, alphas, betas, method=method)
    _close(got.values, want.values)
    np.testing.assert_array_equal(got.pole, want.pole)
    line, line_ref = ls.line_1d(prob, center, u, alphas), ls.line_1d(ref, center, u, alphas)
    _close(line.values, line_ref.values)


@pytest.mark.parametrize("method", ["fast", "direct"])
def test_surface_across_the_pole_set_matches(where, method):
    """A nonnegative-A unified problem: along -1 the normaliser alpha changes sign."""
    ref = ls.make_problem(60, 4, seed=1, kind="unified", matrix="nonnegative")
    prob = _blocked(ref, chunks=(25, 20, 15))
    center, u, v = np.zeros(4), -np.ones(4) / 2, np.array([1.0, -1.0, 1.0, -1.0]) / 2
    alphas, betas = np.linspace(-2.0, 12.0, 40), np.linspace(-3.0, 3.0, 21)
    got = ls.surface_2d(prob, center, u, v, alphas, betas, method=method)
    want = ls.surface_2d(ref, center, u, v, alphas, betas, method=method)
    assert want.has_poles and (want.alpha_sign < 0).any()
    np.testing.assert_array_equal(got.pole, want.pole)
    np.testing.assert_array_equal(got.alpha_sign, want.alpha_sign)
    finite = np.isfinite(want.values) & ~want.pole
    _close(got.values[finite], want.values[finite])


def test_spectrum_extremes_match(pair, where):
    ref, prob = pair
    x = 0.5 * ref.x_true
    for method in ("dense", "lanczos"):
        got = ls.spectrum(prob, x, k=2, method=method)
        want = ls.spectrum(ref, x, k=2, method=method)
        _close(got.eigenvalues, want.eigenvalues, rtol=1e-10 if method == "lanczos" else RTOL)
    _close(ls.spectral.hessian_trace(prob, x), ls.spectral.hessian_trace(ref, x))


def test_exact_newton_follows_the_same_trajectory(pair, where):
    ref, prob = pair
    got = minimize(prob, np.zeros(D), "newton", tol=1e-10)
    want = minimize(ref, np.zeros(D), "newton", tol=1e-10)
    assert got.status is want.status is Status.CONVERGED
    assert got.xs.shape == want.xs.shape
    _close(got.xs, want.xs, rtol=1e-10)  # rounding differences grow mildly along the path
    _close(got.loss, want.loss, rtol=1e-10)


def test_exact_newton_to_the_rounding_floor_ends_alike(pair, where):
    """tol = 1e-300: the run ends STALLED, decided by CG on the Hessian the last point
    holds (on A by blocks: from its shared Gram, not from more passes over A)."""
    ref, prob = pair
    got = minimize(prob, np.zeros(D), "newton", tol=1e-300, max_iter=30)
    want = minimize(ref, np.zeros(D), "newton", tol=1e-300, max_iter=30)
    assert got.status is want.status is Status.STALLED  # when differs: rounding decides
    _close(got.x, want.x, rtol=1e-10)


def test_approximate_newton_converges(pair, where):
    ref, prob = pair
    want = minimize(ref, np.zeros(D), "newton", tol=1e-12)
    got = minimize(prob, np.zeros(D), "approx_newton", eps=0.5, seed=0, tol=1e-8)
    assert got.status is Status.CONVERGED
    np.testing.assert_allclose(got.x, want.x, atol=1e-6)


# -- the rows functions themselves -----------------------------------------------------

def test_rows_functions_match_numpy(where):
    rng = np.random.default_rng(2)
    A = rng.standard_normal((N, D))
    blocked = da.from_array(A, chunks=(ROW_CHUNKS, D))
    V, X, w = rng.standard_normal((N, 3)), rng.standard_normal((D, 2)), rng.standard_normal(N)
    _close(rows.product(blocked, X), A @ X)
    _close(rows.points_product(blocked, X.T), X.T @ A.T)
    _close(rows.transpose_product(blocked, V), A.T @ V)
    _close(rows.left_product(V.T, blocked), V.T @ A)
    sketch = sp.random(40, N, density=0.01, format="csc", random_state=0)
    _close(rows.left_product(sketch, blocked), sketch @ A)
    _close(rows.gram_product(blocked, w, X), A.T @ (w[:, None] * (A @ X)))
    _close(rows.gram(blocked, w), A.T @ (w[:, None] * A))
    kept = np.sort(rng.choice(N, 500, replace=False))[::-1]  # unsorted on purpose
    _close(rows.gram(blocked, w[kept], kept), A[kept].T @ (w[kept, None] * A[kept]))
    _close(rows.row_norms2(blocked), np.einsum("ij,ij->i", A, A))
    _close(rows.frobenius2(blocked), np.vdot(A, A))
    _close(rows.take(blocked, w > 0), A[w > 0])
    r = rows.triangular_factor(blocked)
    _close(np.linalg.svd(r, compute_uv=False), np.linalg.svd(A, compute_uv=False))


def test_numpy_input_takes_the_numpy_path():
    A = np.random.default_rng(3).standard_normal((50, 4))
    x = np.arange(4.0)
    assert rows.in_memory(A) and rows.product(A, x) is not None
    np.testing.assert_array_equal(rows.product(A, x), A @ x)
    np.testing.assert_array_equal(rows.gram_product(A, None, x), A.T @ (A @ x))


# -- memory-mapped A -------------------------------------------------------------------

def test_memory_mapped_A_is_read_in_blocks_not_copied(pair, tmp_path, monkeypatch):
    ref, _ = pair
    np.save(tmp_path / "A.npy", np.array(ref.A, dtype=np.float32))
    mapped = np.load(tmp_path / "A.npy", mmap_mode="r")
    monkeypatch.setattr(rows, "BLOCK_BYTES", 8 * D * 777)  # several blocks, one short
    prob = ls.Problem(mapped, ref.b, kind="unified", w=0.05)
    exact = ls.Problem(np.array(mapped, dtype=np.float64), ref.b, kind="unified", w=0.05)
    assert isinstance(prob.A, np.memmap) and not prob.A.flags.writeable
    assert not rows.in_memory(prob.A) and len(rows.row_bounds(prob.A)) == 4
    assert any("memory-mapped" in note for note in prob.notes)
    assert any("float32" in note for note in prob.notes)
    x = 0.5 * ref.x_true
    _close(prob.gradient(x), exact.gradient(x))
    _close(prob.hessian(x), exact.hessian(x))
    u, v = np.eye(D)[0], np.eye(D)[1]
    _close(ls.surface_2d(prob, x, u, v, np.linspace(-1, 1, 5), np.linspace(-1, 1, 4)).values,
           ls.surface_2d(exact, x, u, v, np.linspace(-1, 1, 5), np.linspace(-1, 1, 4)).values)
    del prob


# -- validation in one pass over the blocks --------------------------------------------

def test_bad_blocks_are_refused_with_the_place(monkeypatch):
    A = np.ones((100, 3))
    A[57, 2] = np.nan
    with pytest.raises(ValueError, match=r"^A must be finite; received 1 NaN and 0 infinite "
                                         r"entries \(first at index \(57, 2\)\)"):
        ls.Problem(da.from_array(A, chunks=(30, 3)), np.full(100, 0.01))
    with pytest.raises(ValueError, match="^A is too large"):
        ls.Problem(da.from_array(np.full((100, 3), 1e200), chunks=(30, 3)), np.zeros(100))
    with pytest.raises(ValueError, match="^A must be a real numeric matrix"):
        ls.Problem(da.zeros((10, 3), chunks=5, dtype=complex), np.zeros(10))
    with pytest.raises(ValueError, match="^A must have at least one row"):
        ls.Problem(da.zeros((0, 3), chunks=5), np.zeros(0))


def test_in_memory_size_cap_skips_blocked_A(monkeypatch):
    """``validation.check_size``'s cap is for in-memory A; ``rows.in_memory`` says which."""
    from landscape import validation
    monkeypatch.setattr(validation, "MAX_ENTRIES", 100)
    A = np.random.default_rng(4).standard_normal((60, 3))
    with pytest.raises(ValueError, match="^n × d must be at most"):
        ls.Problem(A, np.full(60, 1 / 60))
    assert ls.Problem(da.from_array(A, chunks=20), np.full(60, 1 / 60)).n == 60


def test_import_landscape_does_not_import_dask():
    code = "import sys, landscape; print(any(m.split('.')[0] in ('dask', 'distributed') " \
           "for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
