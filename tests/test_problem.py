"""Bad input to Problem and its methods: every ValueError names the parameter, the rule
and what was received (README, "The library"). Also the stored state."""

from __future__ import annotations

import re
import time
import tracemalloc

import numpy as np
import pytest

import landscape as ls
import landscape.problem
import landscape.validation


def _raises(message: str):
    """pytest.raises(ValueError) with ``message`` matched literally from the start."""
    return pytest.raises(ValueError, match="^" + re.escape(message))


@pytest.fixture
def prob(rng):
    return ls.Problem(rng.standard_normal((4, 3)), np.full(4, 0.25), kind="unified")


# -- A ----------------------------------------------------------------------------------

@pytest.mark.parametrize("A,shape", [
    (np.ones(3), "(3,)"),
    (np.ones((2, 3, 1)), "(2, 3, 1)"),
    (np.float64(2.0), "()"),
])
def test_A_must_be_a_matrix(A, shape):
    with _raises(f"A must be a matrix (2-D); received shape {shape}."):
        ls.Problem(A, np.ones(3))


def test_A_ragged_list_names_A():
    with pytest.raises(ValueError, match="^A "):
        ls.Problem([[1.0, 2.0], [3.0]], np.ones(2))


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (0, 0)])
def test_A_without_rows_or_columns(shape):
    with _raises("A must have at least one row and one column (n ≥ 1 and d ≥ 1); "
                 f"received shape {shape}."):
        ls.Problem(np.zeros(shape), np.zeros(shape[0]))


@pytest.mark.parametrize("bad,counts,index", [
    (np.nan, "1 NaN and 0 infinite", "(1, 2)"),
    (np.inf, "0 NaN and 1 infinite", "(1, 2)"),
    (-np.inf, "0 NaN and 1 infinite", "(1, 2)"),
])
def test_A_must_be_finite(bad, counts, index):
    A = np.ones((3, 4))
    A[1, 2] = bad
    with _raises(f"A must be finite; received {counts} entries (first at index {index})."):
        ls.Problem(A, np.ones(3))


def test_A_counts_every_bad_entry():
    A = np.ones((3, 2))
    A[0, 1] = np.nan
    A[2, 0] = np.nan
    A[1, 1] = np.inf
    with _raises("A must be finite; received 2 NaN and 1 infinite entries "
                 "(first at index (0, 1))."):
        ls.Problem(A, np.ones(3))


def test_A_complex():
    with _raises("A must be real; received a complex array (dtype complex128)."):
        ls.Problem(np.ones((2, 2)) + 1j, np.ones(2))


@pytest.mark.parametrize("A,dtype", [
    (np.array([[1.0, None], [2.0, 3.0]], dtype=object), "object"),
    ([["1", "2"], ["3", "4"]], "<U1"),
    (np.array([[1, 2]], dtype="datetime64[D]"), "datetime64[D]"),
])
def test_A_object_or_text_arrays(A, dtype):
    with _raises(f"A must be a real numeric array; received an array of dtype {dtype} "
                 "(object, text or time data is not read)."):
        ls.Problem(A, np.ones(len(A)))


@pytest.mark.parametrize("A,shown", [("abc", "'abc'"), (b"12", "b'12'"), (None, "None")])
def test_A_string_or_none(A, shown):
    with _raises(f"A must be a real numeric array; received {shown}."):
        ls.Problem(A, np.ones(2))


def test_A_integer_and_list_input_is_converted_to_float64():
    p = ls.Problem([[1, 2], [3, 4], [5, 6]], [0, 1, 0])
    assert p.A.dtype == np.float64 and p.b.dtype == np.float64
    assert p.A.shape == (3, 2) and p.n == 3 and p.d == 2


# -- b ----------------------------------------------------------------------------------

@pytest.mark.parametrize("b,shape", [(np.ones(4), "(4,)"), (np.ones(2), "(2,)")])
def test_b_wrong_length(b, shape):
    with _raises(f"b must have length 3 (n, the number of rows of A); received shape {shape}."):
        ls.Problem(np.ones((3, 2)), b)


@pytest.mark.parametrize("b,shape", [(np.ones((3, 1)), "(3, 1)"), (1.0, "()")])
def test_b_must_be_a_vector(b, shape):
    with _raises(f"b must be a vector (1-D); received shape {shape}."):
        ls.Problem(np.ones((3, 2)), b)


@pytest.mark.parametrize("bad,counts", [(np.nan, "1 NaN and 0"), (np.inf, "0 NaN and 1")])
def test_b_must_be_finite(bad, counts):
    b = np.ones(3)
    b[2] = bad
    with _raises(f"b must be finite; received {counts} infinite entries (first at index 2)."):
        ls.Problem(np.ones((3, 2)), b)


def test_b_complex_object_string():
    A = np.ones((2, 2))
    with _raises("b must be real; received a complex array (dtype complex64)."):
        ls.Problem(A, np.ones(2, dtype=np.complex64))
    with _raises("b must be a real numeric array; received an array of dtype object"):
        ls.Problem(A, np.array([1.0, "x"], dtype=object))
    with _raises("b must be a real numeric array; received '0.5, 0.5'."):
        ls.Problem(A, "0.5, 0.5")


# -- w ----------------------------------------------------------------------------------

@pytest.mark.parametrize("w,shown", [(-0.1, "−0.1"), (-1, "−1"), (np.float64(-2.5), "−2.5")])
def test_negative_scalar_weight(w, shown):
    with _raises(f"w must lie in [0, ∞); received {shown}."):
        ls.Problem(np.ones((3, 2)), np.ones(3), w=w)


def test_negative_vector_weights():
    with _raises("w must be non-negative (weights enter as w ∘ w); received 2 negative "
                 "entries (first w[1] = −0.5)."):
        ls.Problem(np.ones((4, 2)), np.ones(4), w=[0.1, -0.5, 0.2, -3.0])


@pytest.mark.parametrize("w,message", [
    (np.nan, "w must be finite; received NaN."),
    (np.inf, "w must be finite; received ∞."),
    (np.array([0.1, np.nan, 0.2]), "w must be finite; received 1 NaN and 0 infinite entries "
                                   "(first at index 1)."),
    (np.array([np.inf, 0.1, 0.2]), "w must be finite; received 0 NaN and 1 infinite entries "
                                   "(first at index 0)."),
    (np.ones(2), "w must have length 3 (n, the number of rows of A); received shape (2,)."),
    (np.ones((3, 1)), "w must be a vector (1-D); received shape (3, 1)."),
    (1j, "w must be a real number; received 1j."),
    (np.ones(3) * 1j, "w must be real; received a complex array (dtype complex128)."),
    ("heavy", "w must be a real numeric array; received 'heavy'."),
    (True, "w must be a real number; received True."),
    (np.array([None, 1, 2]), "w must be a real numeric array; received an array of dtype object"),
])
def test_bad_weights(w, message):
    with _raises(message):
        ls.Problem(np.ones((3, 2)), np.ones(3), w=w)


def test_weights_forms():
    A, b = np.ones((3, 2)), np.ones(3)
    assert np.array_equal(ls.Problem(A, b).w, np.zeros(3))
    assert np.array_equal(ls.Problem(A, b, w=0.5).w, np.full(3, 0.5))
    assert np.array_equal(ls.Problem(A, b, w=np.array(2.0)).w, np.full(3, 2.0))
    p = ls.Problem(A, b, w=[0.0, 1.0, 3.0])
    assert np.array_equal(p.w, [0.0, 1.0, 3.0])
    assert np.array_equal(p.w2, [0.0, 1.0, 9.0])


# -- gamma and kind ----------------------------------------------------------------------

@pytest.mark.parametrize("gamma,shown", [(-0.1, "−0.1"), (1.5, "1.5"), (2, "2")])
def test_gamma_outside_unit_interval(gamma, shown):
    with _raises(f"gamma must lie in [0, 1]; received {shown}."):
        ls.Problem(np.ones((3, 2)), np.ones(3), gamma=gamma)


@pytest.mark.parametrize("gamma,message", [
    ("0.5", "gamma must be a real number; received '0.5'."),
    (True, "gamma must be a real number; received True."),
    (0.5j, "gamma must be a real number; received 0.5j."),
    ([0.5], "gamma must be a real number; received [0.5]."),
    (np.nan, "gamma must be finite; received NaN."),
    (np.inf, "gamma must be finite; received ∞."),
])
def test_gamma_non_numeric(gamma, message):
    with _raises(message):
        ls.Problem(np.ones((3, 2)), np.ones(3), kind="unified", gamma=gamma)


@pytest.mark.parametrize("kind,shown", [("ResNet", "'ResNet'"), ("Softmax", "'Softmax'"),
                                        (None, "None"), (1, "1")])
def test_unknown_kind(kind, shown):
    with _raises(f"kind must be one of 'softmax', 'unified'; received {shown}."):
        ls.Problem(np.ones((3, 2)), np.ones(3), kind=kind)


def test_gamma_defaults_and_override():
    A, b = np.ones((3, 2)), np.ones(3)
    assert ls.Problem(A, b).gamma == 0.0
    assert ls.Problem(A, b).kind == "softmax"
    assert ls.Problem(A, b, kind="softmax").gamma == 0.0
    assert ls.Problem(A, b, kind="unified").gamma == 1.0
    p = ls.Problem(A, b, kind="unified", gamma=0.3)
    assert p.gamma == 0.3 and p.kind == "unified"
    assert ls.Problem(A, b, kind="unified", gamma=0).gamma == 0.0
    assert ls.Problem(A, b, kind="softmax", gamma=1).gamma == 1.0
    assert isinstance(ls.Problem(A, b, gamma=np.float32(0.5)).gamma, float)
    assert ls.KINDS == ("softmax", "unified")


# -- points: x, v, X ---------------------------------------------------------------------

@pytest.mark.parametrize("method", ["loss", "gradient", "hessian", "hessian_parts",
                                    "evaluate", "derivatives", "check_point"])
def test_x_wrong_length(prob, method):
    with _raises("x must have length 3 (d, the number of columns of A); received shape (4,)."):
        getattr(prob, method)(np.zeros(4))


@pytest.mark.parametrize("method", ["loss", "gradient", "hessian", "evaluate"])
def test_x_must_be_a_vector(prob, method):
    with _raises("x must be a vector (1-D); received shape (1, 3)."):
        getattr(prob, method)(np.zeros((1, 3)))
    with _raises("x must be a vector (1-D); received shape ()."):
        getattr(prob, method)(0.0)


@pytest.mark.parametrize("bad,counts", [(np.nan, "1 NaN and 0"), (-np.inf, "0 NaN and 1")])
@pytest.mark.parametrize("method", ["loss", "gradient", "hessian", "evaluate", "derivatives"])
def test_x_must_be_finite(prob, method, bad, counts):
    x = np.zeros(3)
    x[1] = bad
    with _raises(f"x must be finite; received {counts} infinite entries (first at index 1)."):
        getattr(prob, method)(x)


def test_x_complex_object_string(prob):
    with _raises("x must be real; received a complex array (dtype complex128)."):
        prob.loss(np.zeros(3) + 0j)
    with _raises("x must be a real numeric array; received an array of dtype object"):
        prob.gradient(np.array([0.0, None, 1.0], dtype=object))
    with _raises("x must be a real numeric array; received '0,0,0'."):
        prob.loss("0,0,0")
    with _raises("x must be a real numeric array; received None."):
        prob.hessian(None)
    with _raises("x must be a real numeric array; received an array of dtype <U1"):
        prob.loss(["0", "0", "0"])


def test_v_of_hvp(prob):
    x = np.zeros(3)
    with _raises("v must have length 3 (d, the number of columns of A); received shape (2,)."):
        prob.hvp(x, np.ones(2))
    with _raises("v must be a vector (1-D); received shape (3, 1)."):
        prob.hvp(x, np.ones((3, 1)))
    with _raises("v must be finite; received 1 NaN and 0 infinite entries (first at index 0)."):
        prob.hvp(x, np.array([np.nan, 0.0, 0.0]))
    with _raises("v must be real; received a complex array"):
        prob.hvp(x, np.ones(3) * 1j)
    with _raises("x must have length 3"):
        prob.hvp(np.zeros(2), np.ones(3))


@pytest.mark.parametrize("method", ["loss_batch", "evaluate_batch"])
def test_X_of_batches(prob, method):
    f = getattr(prob, method)
    with _raises("X must have d = 3 columns (one point per row); received shape (5, 2)."):
        f(np.zeros((5, 2)))
    with _raises("X must have d = 3 columns (one point per row); received shape (0, 4)."):
        f(np.zeros((0, 4)))
    with _raises("X must be a matrix (2-D); received shape (3,)."):
        f(np.zeros(3))
    X = np.zeros((4, 3))
    X[2, 1] = np.inf
    with _raises("X must be finite; received 0 NaN and 1 infinite entries "
                 "(first at index (2, 1))."):
        f(X)
    with _raises("X must be real; received a complex array"):
        f(np.zeros((2, 3), dtype=complex))
    with _raises("X must be a real numeric array; received 'points'."):
        f("points")


# -- sizes ------------------------------------------------------------------------------

def test_make_problem_beyond_the_cap_is_refused_fast():
    tracemalloc.start()
    try:
        start = time.perf_counter()
        with _raises("n × d must be at most "):
            ls.make_problem(10**6, 10**4)  # 80 GB
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 2**20  # nothing of the size of A was allocated


def test_problem_beyond_the_cap_is_refused(monkeypatch):
    monkeypatch.setattr(landscape.validation, "MAX_ENTRIES", 100)
    with _raises("n × d must be at most 100 entries (0.0 GB of float64, 1/6 of this "
                 "machine's memory) for A held in memory (A would take 0.0 GB and the Hessian "
                 "assembly as much again); received n = 11, d = 10."):
        ls.Problem(np.ones((11, 10)), np.ones(11))
    assert ls.Problem(np.ones((10, 10)), np.ones(10)).n == 10  # at the cap: accepted


def test_problem_beyond_the_cap_is_refused_before_allocating(monkeypatch):
    """Sizes beyond the limit are refused up front, not after building A (README, "The
    library": "Sizes are capped up front").
    A broadcast (virtual) A of 16 MB must be refused without materialising it."""
    monkeypatch.setattr(landscape.validation, "MAX_ENTRIES", 10**4)
    A = np.broadcast_to(1.0, (2000, 1000))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"^n × d must be at most"):
            ls.Problem(A, np.zeros(2000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**20


def test_hessian_refuses_large_d(monkeypatch, prob):
    monkeypatch.setattr(landscape.problem, "MAX_HESSIAN_D", 2)
    x = np.zeros(3)
    with _raises("d must be at most 2 to form the dense Hessian (3² entries would not fit); "
                 "received d = 3. Use hvp, hessian_operator or hessian_parts instead."):
        prob.hessian(x)
    # the matrix-free routes still work
    assert prob.hvp(x, np.ones(3)).shape == (3,)
    assert prob.hessian_parts(x).U.shape == (3, 2)


def test_derivatives_refuses_large_d_like_hessian(monkeypatch, prob):
    """derivatives() returns the same dense (d, d) Hessian, so it obeys the same limit."""
    monkeypatch.setattr(landscape.problem, "MAX_HESSIAN_D", 2)
    with pytest.raises(ValueError, match="^d must be at most 2 to form the dense Hessian"):
        prob.derivatives(np.zeros(3))


# -- stored state -----------------------------------------------------------------------

def test_stored_arrays_are_read_only(rng):
    x_true = rng.standard_normal(3)
    p = ls.Problem(rng.standard_normal((5, 3)), rng.dirichlet(np.ones(5)), kind="unified",
                   w=rng.uniform(0, 1, 5), x_true=x_true)
    for name in ("A", "b", "w", "w2", "x_true"):
        arr = getattr(p, name)
        assert arr.dtype == np.float64
        assert not arr.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = 1.0
    for w in (None, 0.3):
        q = ls.Problem(np.ones((2, 2)), np.ones(2), w=w)
        assert not q.w.flags.writeable and not q.w2.flags.writeable


def test_problem_does_not_alter_or_alias_the_callers_arrays(rng):
    """The read-only copies belong to the Problem: the caller's arrays stay writable,
    and writing to them (or to the array they view) does not change the Problem."""
    base = rng.standard_normal((6, 3))
    A = base[:4]  # a C-contiguous float64 view
    b = np.full(4, 0.25)
    p = ls.Problem(A, b)
    A_stored, b_stored = p.A.copy(), p.b.copy()
    assert A.flags.writeable and b.flags.writeable
    base[0, 0] += 1.0
    b[0] = 7.0
    assert np.array_equal(p.A, A_stored)
    assert np.array_equal(p.b, b_stored)


@pytest.mark.parametrize("method", ["loss", "gradient", "evaluate"])
def test_evaluating_does_not_freeze_the_callers_point(prob, method):
    x = np.zeros(3)
    getattr(prob, method)(x)
    assert x.flags.writeable
    x[0] = 0.5  # the caller can go on using their array


def test_x_true_checked(rng):
    with _raises("x_true must have length 2 (d, the number of columns of A); received shape (3,)."):
        ls.Problem(np.ones((3, 2)), np.ones(3), x_true=np.ones(3))
    with _raises("x_true must be finite"):
        ls.Problem(np.ones((3, 2)), np.ones(3), x_true=[np.nan, 0.0])
    assert ls.Problem(np.ones((3, 2)), np.ones(3)).x_true is None


def test_repr_names_kind_and_regularisation():
    p = ls.Problem(np.ones((3, 2)), np.ones(3), kind="unified", gamma=0.5, w=[0.0, 1.0, 2.0])
    text = repr(p)
    assert "n=3" in text and "d=2" in text and "'unified'" in text and "gamma=0.5" in text
    assert "w in [0, 2]" in text
    assert "regularisation: none" in repr(ls.Problem(np.ones((3, 2)), np.ones(3)))
