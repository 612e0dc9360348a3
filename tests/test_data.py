"""Seeded problem generators (landscape.data) and reading A and b from files
(landscape.loading)."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

import landscape as ls
import landscape.loading


def _raises(message: str):
    return pytest.raises(ValueError, match="^" + re.escape(message))


def _f(A, x, gamma):
    """f(Ax) straight from MATH.md 1 (moderate z only)."""
    z = A @ x
    u = np.exp(z) + gamma * z
    return u / u.sum()


# -- generators: determinism ----------------------------------------------------------------

@pytest.mark.parametrize("matrix", ls.MATRICES)
@pytest.mark.parametrize("target", ls.TARGETS)
def test_same_seed_same_problem(matrix, target):
    kw = dict(kind="unified", matrix=matrix, target=target, w="constant")
    p, q = ls.make_problem(12, 5, seed=7, **kw), ls.make_problem(12, 5, seed=7, **kw)
    assert np.array_equal(p.A, q.A)
    assert np.array_equal(p.b, q.b)
    assert np.array_equal(p.w, q.w)
    r = ls.make_problem(12, 5, seed=8, **kw)
    assert not np.array_equal(p.A, r.A)
    assert not np.allclose(p.A, r.A)
    if target != "one_hot":  # two one-hot targets of length 12 may coincide
        assert not np.allclose(p.b, r.b)


def test_target_seed_changes_b_only():
    p = ls.make_problem(30, 4, seed=1)
    q = ls.make_problem(30, 4, seed=1, target_seed=2)
    assert np.array_equal(p.A, q.A)
    assert not np.allclose(p.b, q.b)
    assert np.array_equal(q.b, ls.make_problem(30, 4, seed=1, target_seed=2).b)


def test_defaults():
    p = ls.make_problem(10, 3)
    assert (p.n, p.d, p.kind, p.gamma) == (10, 3, "softmax", 0.0)
    assert not p.w.any() and p.x_true is None
    u = ls.make_problem(10, 3, kind="unified")
    assert u.gamma == 1.0
    assert ls.make_problem(10, 3, kind="unified", gamma=0.4).gamma == 0.4
    assert np.array_equal(ls.make_problem(10, 3, w="constant", w_value=0.7).w, np.full(10, 0.7))


# -- generators: matrices -------------------------------------------------------------------

def test_gaussian_matrix():
    A = ls.make_problem(400, 5, seed=0, matrix="gaussian").A
    assert A.shape == (400, 5)
    assert abs(A.mean()) < 0.1 and abs(A.std() - 1) < 0.1
    assert A.min() < 0 < A.max()


def test_uniform_matrix():
    A = ls.make_problem(400, 5, seed=0, matrix="uniform").A
    assert np.all(np.abs(A) <= 1)
    assert A.min() < -0.9 and A.max() > 0.9
    assert abs(A.std() - 1 / np.sqrt(3)) < 0.05


def test_nonnegative_matrix():
    A = ls.make_problem(400, 5, seed=0, matrix="nonnegative").A
    assert np.all(A >= 0) and np.all(A <= 1)
    assert abs(A.mean() - 0.5) < 0.05


@pytest.mark.parametrize("n,d,cond", [(50, 8, 1e3), (8, 8, 1e3), (30, 4, 10.0), (20, 5, 1.0)])
def test_ill_conditioned_matrix(n, d, cond):
    A = ls.make_problem(n, d, seed=2, matrix="ill_conditioned", cond=cond).A
    assert A.shape == (n, d)
    assert np.linalg.cond(A) == pytest.approx(cond, rel=1e-6)
    sigma = np.linalg.svd(A, compute_uv=False)
    assert sigma[0] == pytest.approx(np.sqrt(n), rel=1e-10)


@pytest.mark.parametrize("n,d,rank", [(20, 6, 2), (20, 6, 1), (5, 9, 4), (20, 6, None)])
def test_low_rank_matrix(n, d, rank):
    A = ls.make_problem(n, d, seed=4, matrix="low_rank", rank=rank).A
    assert A.shape == (n, d)
    expected = min(n, d) // 2 if rank is None else rank
    assert np.linalg.matrix_rank(A) == expected


# -- generators: targets --------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_simplex_target(seed):
    b = ls.make_problem(25, 3, seed=seed, target="simplex").b
    assert np.all(b >= 0)
    assert b.sum() == pytest.approx(1.0, rel=1e-14)
    assert np.count_nonzero(b) > 1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_hot_target(seed):
    b = ls.make_problem(25, 3, seed=seed, target="one_hot").b
    assert np.count_nonzero(b) == 1
    assert b.max() == 1.0 and b.sum() == 1.0


@pytest.mark.parametrize("kind,gamma,matrix", [
    ("softmax", None, "gaussian"), ("unified", None, "gaussian"),
    ("unified", None, "nonnegative"), ("unified", 0.5, "uniform"), ("softmax", None, "low_rank"),
])
def test_realizable_target_without_noise(kind, gamma, matrix):
    p = ls.make_problem(30, 5, seed=5, kind=kind, gamma=gamma, matrix=matrix,
                        target="realizable")
    assert p.x_true is not None and p.x_true.shape == (5,)
    z = p.A @ p.x_true
    assert np.sqrt(np.mean(z ** 2)) <= 1.0 + 1e-12  # unit RMS, halved if near a pole
    np.testing.assert_allclose(p.b, _f(p.A, p.x_true, p.gamma), rtol=1e-13)
    ev = p.evaluate(p.x_true)
    assert ev.alpha_sign == 1 and not ev.near_pole
    assert p.loss(p.x_true) <= 1e-28
    assert np.linalg.norm(p.gradient(p.x_true)) <= 1e-14
    # an exact fit is a minimiser: the unregularised Hessian is PSD there (MATH.md 3)
    assert np.linalg.eigvalsh(p.hessian(p.x_true))[0] >= -1e-12


@pytest.mark.parametrize("noise", [1e-3, 0.1, 0.5])
def test_realizable_target_with_noise(noise):
    p = ls.make_problem(30, 5, seed=6, kind="unified", target="realizable", noise=noise)
    f = _f(p.A, p.x_true, p.gamma)
    assert np.linalg.norm(p.b - f) == pytest.approx(noise * np.linalg.norm(f), rel=1e-10)
    assert p.loss(p.x_true) == pytest.approx(0.5 * noise**2 * np.sum(f**2), rel=1e-10)
    # the noise direction depends on the target seed, the size does not
    q = ls.make_problem(30, 5, seed=6, kind="unified", target="realizable", noise=noise,
                        target_seed=9)
    assert np.array_equal(p.A, q.A)


# -- generators: weights -------------------------------------------------------------------

@pytest.mark.parametrize("target", ["simplex", "one_hot", "realizable"])
@pytest.mark.parametrize("ell", [1.0, 0.1])
def test_strongly_convex_weights_make_softmax_strongly_convex(target, ell, rng):
    p = ls.make_problem(40, 5, seed=11, kind="softmax", target=target, w="strongly_convex",
                        strong_convexity=ell)
    sigma_min = np.linalg.svd(p.A, compute_uv=False)[-1]
    level = 6 * (1 + np.max(np.abs(p.b))) + ell / sigma_min**2
    np.testing.assert_allclose(p.w ** 2, level, rtol=1e-12)
    points = [np.zeros(5)] + [rng.standard_normal(5) * s for s in (0.3, 1, 3, 10, 100, 1e3)]
    points.append(p.x_true if p.x_true is not None else -np.ones(5))
    for x in points:
        eig_min = np.linalg.eigvalsh(p.hessian(x))[0]
        assert eig_min >= ell * (1 - 1e-9), (x, eig_min)


@pytest.mark.parametrize("kind,gamma", [("unified", None), ("softmax", 0.3), ("unified", 0.01)])
def test_strongly_convex_weights_refused_for_unified(kind, gamma):
    with pytest.raises(ValueError, match="^w='strongly_convex' needs the softmax loss.*unified"):
        ls.make_problem(20, 4, kind=kind, gamma=gamma, w="strongly_convex")


def test_strongly_convex_weights_allowed_for_unified_kind_at_gamma_zero():
    p = ls.make_problem(20, 4, kind="unified", gamma=0.0, w="strongly_convex")
    assert p.w.min() > 0


@pytest.mark.parametrize("n,d,matrix", [(20, 6, "low_rank"), (3, 5, "gaussian")])
def test_strongly_convex_weights_need_full_column_rank(n, d, matrix):
    with pytest.raises(ValueError, match="^w='strongly_convex' needs A of full column rank"):
        ls.make_problem(n, d, matrix=matrix, w="strongly_convex")


# -- generators: bad arguments -------------------------------------------------------------

@pytest.mark.parametrize("kwargs,message", [
    (dict(n=0, d=3), "n must be at least 1; received 0."),
    (dict(n=-5, d=3), "n must be at least 1; received -5."),
    (dict(n=2.5, d=3), "n must be a positive integer; received 2.5."),
    (dict(n="10", d=3), "n must be a positive integer; received '10'."),
    (dict(n=True, d=3), "n must be a positive integer; received True."),
    (dict(n=5, d=0), "d must be at least 1; received 0."),
    (dict(n=5, d=None), "d must be a positive integer; received None."),
    (dict(n=5, d=3, seed=-1), "seed must be a non-negative integer; received -1."),
    (dict(n=5, d=3, seed=1.5), "seed must be a non-negative integer; received 1.5."),
    (dict(n=5, d=3, seed="a"), "seed must be a non-negative integer; received 'a'."),
    (dict(n=5, d=3, target_seed=-2), "target_seed must be a non-negative integer; received -2."),
    (dict(n=5, d=3, matrix="hilbert"), "matrix must be one of 'gaussian', 'uniform', "
     "'nonnegative', 'ill_conditioned', 'low_rank'; received 'hilbert'."),
    (dict(n=5, d=3, target="uniform"), "target must be one of 'simplex', 'realizable', "
     "'one_hot'; received 'uniform'."),
    (dict(n=5, d=3, w="l2"), "w must be one of 'none', 'constant', 'strongly_convex'; "
     "received 'l2'."),
    (dict(n=5, d=3, kind="resnet"), "kind must be one of 'softmax', 'unified'; received 'resnet'."),
    (dict(n=5, d=3, gamma=3), "gamma must lie in [0, 1]; received 3."),
    (dict(n=5, d=3, noise=-0.1), "noise must lie in [0, ∞); received −0.1."),
    (dict(n=5, d=3, w="constant", w_value=-1.0), "w_value must lie in [0, ∞); received −1."),
    (dict(n=5, d=3, matrix="ill_conditioned", cond=0.5), "cond must lie in [1, ∞); "
     "received 0.5."),
    (dict(n=3, d=5, matrix="ill_conditioned"), "matrix='ill_conditioned' needs n ≥ d (full "
     "column rank); received n = 3, d = 5."),
    (dict(n=8, d=4, matrix="low_rank", rank=5), "rank must be at most 4; received 5."),
    (dict(n=8, d=4, matrix="low_rank", rank=0), "rank must be at least 1; received 0."),
    (dict(n=8, d=4, w="strongly_convex", strong_convexity=0.0),
     "strong_convexity must lie in (0, ∞); received 0."),
])
def test_make_problem_bad_arguments(kwargs, message):
    with _raises(message):
        ls.make_problem(**kwargs)


# -- files: round trips ---------------------------------------------------------------------

@pytest.fixture
def Ab(rng):
    return rng.standard_normal((6, 3)), rng.dirichlet(np.ones(6))


def _npy_bytes(array, allow_pickle=False):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=allow_pickle)
    return buf.getvalue()


def _npz_bytes(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_npy_round_trip(tmp_path, Ab):
    A, b = Ab
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "b.npy", b)
    for source in (tmp_path / "A.npy", str(tmp_path / "A.npy")):
        out = ls.load_array(source)
        assert out.dtype == np.float64 and not out.flags.writeable
        assert np.array_equal(out, A)
    assert np.array_equal(ls.load_array(_npy_bytes(A), filename="upload.NPY"), A)
    p = ls.load_problem(tmp_path / "A.npy", tmp_path / "b.npy", kind="unified", w=0.1)
    assert np.array_equal(p.A, A) and np.array_equal(p.b, b)
    assert p.kind == "unified" and np.array_equal(p.w, np.full(6, 0.1))
    q = ls.load_problem(_npy_bytes(A), _npy_bytes(b), a_filename="A.npy", b_filename="b.npy",
                        gamma=0.5)
    assert np.array_equal(q.A, A) and np.array_equal(q.b, b) and q.gamma == 0.5


def test_npy_integer_array_becomes_float(tmp_path):
    np.save(tmp_path / "A.npy", np.arange(6).reshape(3, 2))
    out = ls.load_array(tmp_path / "A.npy")
    assert out.dtype == np.float64 and np.array_equal(out, [[0, 1], [2, 3], [4, 5]])


def test_npz_with_A_and_b(tmp_path, Ab):
    A, b = Ab
    np.savez(tmp_path / "problem.npz", A=A, b=b)
    p = ls.load_problem(tmp_path / "problem.npz")
    assert np.array_equal(p.A, A) and np.array_equal(p.b, b)
    q = ls.load_problem(_npz_bytes(A=A, b=b), a_filename="problem.npz")
    assert np.array_equal(q.A, A) and np.array_equal(q.b, b)
    assert np.array_equal(ls.load_array(tmp_path / "problem.npz", name="b"), b)


def test_npz_single_member(tmp_path, Ab):
    A, _ = Ab
    np.savez(tmp_path / "only.npz", A)  # stored as arr_0
    assert np.array_equal(ls.load_array(tmp_path / "only.npz"), A)
    assert np.array_equal(ls.load_array(tmp_path / "only.npz", name="b"), A)


def test_npz_needs_named_member(tmp_path, Ab):
    A, b = Ab
    np.savez(tmp_path / "two.npz", X=A, y=b)
    with _raises("A file 'two.npz' must hold a member named 'A' or exactly one array; "
                 "received members ['X', 'y']."):
        ls.load_array(tmp_path / "two.npz")


def _csv(array, header=None):
    rows = np.atleast_2d(array) if np.ndim(array) == 2 else np.asarray(array)[:, None]
    lines = [] if header is None else [header]
    lines += [",".join(repr(float(v)) for v in row) for row in rows]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("header", [None, "x1,x2,x3"])
def test_csv_round_trip(tmp_path, Ab, header):
    A, b = Ab
    (tmp_path / "A.csv").write_text(_csv(A, header))
    (tmp_path / "b.csv").write_text(_csv(b, None if header is None else "b"))
    out = ls.load_array(tmp_path / "A.csv")
    assert out.shape == (6, 3)
    assert np.array_equal(out, A)  # repr round-trips float64 exactly
    bout = ls.load_array(tmp_path / "b.csv", name="b")
    assert bout.shape == (6,) and np.array_equal(bout, b)
    p = ls.load_problem(tmp_path / "A.csv", tmp_path / "b.csv")
    assert np.array_equal(p.A, A) and np.array_equal(p.b, b)
    q = ls.load_problem(_csv(A, header).encode(), _csv(b).encode(), a_filename="A.csv",
                        b_filename="b.csv")
    assert np.array_equal(q.A, A) and np.array_equal(q.b, b)


def test_csv_b_as_one_row_and_comments(tmp_path):
    (tmp_path / "A.csv").write_text("# a comment\n1,2\n\n3,4\n5,6\n")
    (tmp_path / "b.csv").write_text("0.2,0.3,0.5\n")
    p = ls.load_problem(tmp_path / "A.csv", tmp_path / "b.csv")
    assert np.array_equal(p.A, [[1, 2], [3, 4], [5, 6]])
    assert np.array_equal(p.b, [0.2, 0.3, 0.5])


def test_single_column_A_becomes_a_matrix(tmp_path):
    (tmp_path / "A.csv").write_text("1\n2\n3\n")
    (tmp_path / "b.csv").write_text("0\n1\n0\n")
    p = ls.load_problem(tmp_path / "A.csv", tmp_path / "b.csv")
    assert p.A.shape == (3, 1) and p.d == 1


# -- files: errors --------------------------------------------------------------------------

def test_pickled_npy_refused(tmp_path):
    obj = np.array([1.0, "a", None], dtype=object)
    np.save(tmp_path / "evil.npy", obj, allow_pickle=True)
    with _raises("A file 'evil.npy' holds pickled Python objects; only plain numeric arrays "
                 "are read (pickles can run code)."):
        ls.load_array(tmp_path / "evil.npy")
    with _raises("b file 'up.npy' holds pickled Python objects"):
        ls.load_array(_npy_bytes(obj, allow_pickle=True), name="b", filename="up.npy")


def test_npz_with_pickled_member_refused(tmp_path):
    np.savez(tmp_path / "evil.npz", A=np.array([{"x": 1}, 2], dtype=object))
    with _raises("A file 'evil.npz': member 'A' holds pickled Python objects; only plain "
                 "numeric arrays are read."):
        ls.load_array(tmp_path / "evil.npz")


@pytest.mark.parametrize("text", ["1,2\n3,abc\n", "1,2\n3,4\nfive,6\n"])
def test_text_in_numeric_csv(tmp_path, text):
    (tmp_path / "A.csv").write_text(text)
    with _raises("A file 'A.csv' must hold only numbers, the same count on every line: "):
        ls.load_array(tmp_path / "A.csv")


def test_ragged_csv(tmp_path):
    (tmp_path / "A.csv").write_text("1,2,3\n4,5\n")
    with _raises("A file 'A.csv' must hold only numbers, the same count on every line: "):
        ls.load_array(tmp_path / "A.csv")


@pytest.mark.parametrize("suffix", [".csv", ".npy", ".npz"])
def test_empty_file(tmp_path, suffix):
    (tmp_path / f"A{suffix}").write_bytes(b"")
    with _raises(f"A file 'A{suffix}' is empty; it must hold a numeric array."):
        ls.load_array(tmp_path / f"A{suffix}")
    with _raises(f"b file 'up{suffix}' is empty"):
        ls.load_array(b"", name="b", filename=f"up{suffix}")


@pytest.mark.parametrize("text,message", [
    ("# only a comment\n\n", "A file 'A.csv' has no numbers; a .csv must hold comma-separated "
                             "numbers."),
    ("x1,x2\n", "A file 'A.csv' has a header line but no numbers."),
])
def test_csv_without_numbers(tmp_path, text, message):
    (tmp_path / "A.csv").write_text(text)
    with _raises(message):
        ls.load_array(tmp_path / "A.csv")


def test_nan_in_csv(tmp_path):
    (tmp_path / "A.csv").write_text("1,2\n3,nan\n5,inf\n")
    with _raises("A (from 'A.csv') must be finite; received 1 NaN and 1 infinite entries "
                 "(first at index (1, 1))."):
        ls.load_array(tmp_path / "A.csv")


def test_nan_in_npy(tmp_path):
    np.save(tmp_path / "b.npy", np.array([0.5, np.nan]))
    with _raises("b (from 'b.npy') must be finite; received 1 NaN"):
        ls.load_array(tmp_path / "b.npy", name="b")


def test_complex_npy(tmp_path):
    np.save(tmp_path / "A.npy", np.ones((2, 2)) * 1j)
    with _raises("A (from 'A.npy') must be real; received a complex array"):
        ls.load_array(tmp_path / "A.npy")


def test_text_saved_as_npy_is_not_called_a_pickle(tmp_path):
    """A CSV renamed to .npy holds no pickle: the message must say it is not a .npy
    array rather than claim it holds pickled Python objects."""
    (tmp_path / "A.npy").write_bytes(b"1,2\n3,4\n")
    with _raises("A file 'A.npy' is not a valid .npy array"):
        ls.load_array(tmp_path / "A.npy")


def test_non_utf8_csv(tmp_path):
    (tmp_path / "A.csv").write_bytes(b"\xff\xfe1,2\n")
    with _raises("A file 'A.csv' is not UTF-8 text"):
        ls.load_array(tmp_path / "A.csv")


def test_corrupt_npy_and_npz(tmp_path):
    data = _npy_bytes(np.ones((4, 4)))
    (tmp_path / "A.npy").write_bytes(data[:100])  # truncated
    with _raises("A file 'A.npy' is not a valid .npy array: "):
        ls.load_array(tmp_path / "A.npy")
    (tmp_path / "A.npz").write_bytes(b"PK\x03\x04 truncated")
    with _raises("A file 'A.npz' is not a valid .npz archive: "):
        ls.load_array(tmp_path / "A.npz")


@pytest.mark.parametrize("name,shown", [("A.json", "'.json'"), ("A", "'no suffix'"),
                                        ("A.xlsx", "'.xlsx'")])
def test_unknown_suffix(tmp_path, name, shown):
    (tmp_path / name).write_text("1,2\n")
    with _raises(f"A file '{name}' must end in .npy, .npz or .csv; received {shown}."):
        ls.load_array(tmp_path / name)
    with _raises(f"A file 'up{name[1:]}' must end in .npy, .npz or .csv; received {shown}."):
        ls.load_array(b"1,2\n", filename=f"up{name[1:]}")


def test_bytes_without_filename():
    with _raises("filename must be given with file contents, to tell the format (.npy, .npz "
                 "or .csv); received None."):
        ls.load_array(b"1,2\n")
    with _raises("filename must be given"):
        ls.load_problem(bytearray(b"1,2\n"))


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.csv"
    with _raises(f"file '{missing}' does not exist or is not a file."):
        ls.load_array(missing)
    with _raises(f"file '{tmp_path}' does not exist or is not a file."):
        ls.load_array(tmp_path)  # a directory
    with _raises("file '"):
        ls.load_problem(str(missing))


@pytest.mark.parametrize("source,shown", [(123, "123"), (None, "None"), ([1, 2], "[1, 2]")])
def test_source_of_wrong_type(source, shown):
    with _raises(f"source must be a path or the file's bytes; received {shown}."):
        ls.load_array(source)


def test_file_over_the_size_limit(tmp_path, monkeypatch):
    (tmp_path / "A.csv").write_text("1,2\n3,4\n")
    assert ls.load_array(tmp_path / "A.csv").shape == (2, 2)
    monkeypatch.setattr(landscape.loading, "MAX_FILE_BYTES", 4)
    with _raises(f"file '{tmp_path / 'A.csv'}' is 0 MB; files of at most 0 MB are read."):
        ls.load_array(tmp_path / "A.csv")
    with _raises("file 'A.csv' is 0 MB; files of at most 0 MB are read."):
        ls.load_array(b"1,2\n3,4\n", filename="A.csv")
    assert ls.load_array(b"1,2\n", filename="A.csv").shape == (1, 2)  # 4 bytes: at the limit


def test_load_problem_shape_mismatch(tmp_path):
    (tmp_path / "A.csv").write_text("1,2\n3,4\n5,6\n")
    (tmp_path / "b.csv").write_text("1\n0\n")
    with _raises("b must have length 3 (n, the number of rows of A); received shape (2,)."):
        ls.load_problem(tmp_path / "A.csv", tmp_path / "b.csv")


def test_csv_first_line_with_a_typo_is_reported_not_taken_for_a_header():
    with pytest.raises(ValueError, match="A file 'A.csv' must hold only numbers"):
        ls.load_array(b"1,abc\n3,4\n", name="A", filename="A.csv")
