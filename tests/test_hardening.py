"""Bad input through the library and the file loaders (issue 13).

First the defects found by hand, one test each; then a table of cases over every
public function of ``landscape`` and the loaders. Each case ends in a ValueError whose
message names the parameter or the problem, or, where the input is legal, in a finite
result.
"""

import io
import re
import struct
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

import landscape as ls
import landscape.loading
from landscape.text import number

D = 4
PROB = ls.make_problem(20, D, seed=0)
WEIGHTED = ls.make_problem(20, D, seed=0, kind="unified", w="constant", w_value=0.05)
ZERO = np.zeros(D)
ONES = np.ones(D)
U, V = np.eye(D)[0], np.eye(D)[1]
GRID = np.linspace(-1.0, 1.0, 5)


def _raises(pattern: str):
    return pytest.raises(ValueError, match=pattern)


def _npy(array, allow_pickle=False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=allow_pickle)
    return buf.getvalue()


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _npy_header(shape, descr="<f8", version=1, pad=1) -> bytes:
    """A bare .npy header declaring ``shape`` (no data follows), padded by ``pad`` spaces."""
    text = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode()
    text += b" " * pad + b"\n"
    size = struct.pack("<H" if version == 1 else "<I", len(text))
    return b"\x93NUMPY" + bytes([version, 0]) + size + text


def _zip(members: dict, method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def _load(data: bytes, filename: str, name: str = "A"):
    return ls.load_array(data, name=name, filename=filename)


# -- the defects of issue 13 ---------------------------------------------------------------

def test_npz_member_declaring_a_huge_shape_is_a_value_error():
    bomb = _zip({"A.npy": _npy_header((10**6, 10**6))})
    assert len(bomb) < 300
    with _raises(r"^A file 'x.npz': member 'A' is too large: its header declares shape "
                 r"\(1000000, 1000000\) of float64 .*at most "
                 + f"{landscape.loading.MAX_ENTRIES:,} entries"):
        _load(bomb, "x.npz")


@pytest.mark.parametrize("call, pattern", [
    (lambda: ls.surface_2d(None, ZERO, U, V, GRID, GRID), r"^prob must be a landscape\.Problem"),
    (lambda: ls.make_directions(PROB, ZERO, "axes", axes=None), r"^axes must be two different"),
    (lambda: ls.make_directions(PROB, ZERO, "random", seed="abc"),
     r"^seed must be a non-negative integer; received 'abc'"),
    (lambda: ls.spectrum(PROB, ZERO, 1, method="lanczos", seed="abc"),
     r"^seed must be a non-negative integer; received 'abc'"),
], ids=["surface_2d-None", "axes-None", "directions-seed-abc", "spectrum-seed-abc"])
def test_former_tracebacks_are_value_errors(call, pattern):
    with _raises(pattern):
        call()


def test_overflowing_inputs_are_refused_up_front():
    with _raises(r"^w_value must be at most √\(max float / 16 / n\) = 7.5×10¹⁵²"):
        ls.make_problem(20, 5, w="constant", w_value=1e308)
    with _raises(r"^b is too large: its entries must be at most .* = 2.37×10¹⁵³ .* received "
                 r"\|entry\| = 10³⁰⁸"):
        ls.Problem(np.eye(2), [1e308, 1e308])
    with _raises(r"^x is too large: .*received \|entry\| = 10³⁰⁸"):
        PROB.loss(np.full(D, 1e308))
    # below the per-entry limit, but A x overflows: the point limit of the problem
    with _raises(r"^x is too large for this problem: ‖x‖₂ = 2×10¹⁵³ exceeds "
                 + re.escape(f"point_limit = {number(PROB.point_limit, 3)},")):
        PROB.loss(np.full(D, 1e153))
    with _raises(r"^A, b and w are too large together: the Hessian bound"):
        ls.Problem(np.full((2, 2), 1e150), [0.5, 0.5], w=1e100)


def test_largest_accepted_inputs_give_finite_derivatives():
    """At the limits, loss, gradient and Hessian are finite (the limits suffice)."""
    n = 20
    big = ls.make_problem(n, D, seed=0, w="constant",
                          w_value=ls.validation.magnitude_limit(n) / 1e3)
    x = np.full(D, big.point_limit / np.sqrt(D))
    assert np.isfinite(big.loss(x)) and np.all(np.isfinite(big.gradient(x)))
    assert np.all(np.isfinite(big.hessian(x)))
    huge_a = ls.Problem(np.full((3, 2), 1e150), [0.2, 0.3, 0.5])
    y = np.full(2, huge_a.point_limit / 2)
    assert np.isfinite(huge_a.loss(y)) and np.all(np.isfinite(huge_a.hessian(y)))


def test_grid_centre_is_checked():
    with _raises(r"^center must be finite; received NaN"):
        ls.grid(1.0, 5, center=float("nan"))


def test_csv_first_line_of_numbers_is_data_whatever_the_delimiter():
    assert np.array_equal(_load(b"1 2\n3 4\n5 6\n", "a.csv"), [[1, 2], [3, 4], [5, 6]])
    assert np.array_equal(_load(b"1\t2\n3\t4\n", "a.csv"), [[1, 2], [3, 4]])
    with _raises(r"^A file 'a.csv' mixes delimiters: line 2 separates numbers by commas, "
                 r"line 1 by spaces"):
        _load(b"1 2\n3,4\n5,6", "a.csv")


def test_zero_dimensional_npy_is_refused():
    with _raises(r"^A \(from 'a.npy'\) must be a matrix \(2-D\) or a vector \(1-D\); "
                 r"received shape \(\)"):
        ls.load_problem(_npy(np.array(3.0)), _npy(np.array([1.0])), a_filename="a.npy",
                        b_filename="b.npy")


@pytest.mark.parametrize("call, pattern", [
    (lambda: PROB.gradient(1e308 * ONES), r"^x is too large"),
    (lambda: ls.minimize(PROB, 1e300 * ONES), r"^x0 is too large"),
    (lambda: ls.make_directions(PROB, ZERO, seed=-1),
     r"^seed must be a non-negative integer; received -1"),
    (lambda: ls.minimize(PROB, ZERO, "approx_newton", sketch_size=10**12),
     r"^sketch_size must be at most 20 \(n, the rows of A"),
    (lambda: _load(_zip({"A.npy": _npy(np.ones((10, 10)))[:300]}), "a.npz"),
     r"^A file 'a.npz': member 'A' is not a valid .npy array: it is truncated"),
    (lambda: _load(_npy_header((2, 2), version=2, pad=10 * 2**20) + bytes(32), "a.npy"),
     r"^A file 'a.npy' is not a valid .npy array: its header is too long"),
], ids=["gradient-1e308", "minimize-1e300", "seed-minus-1", "sketch_size", "truncated-member",
        "10MB-header"])
def test_messages_name_the_real_problem(call, pattern):
    with _raises(pattern):
        call()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """A 2 MB .npz whose member holds 2 GiB of zeros (declared and really compressed):
    one deflated 64 MB block of zeros repeated (a full flush makes blocks independent)."""
    header = _npy_header((2**28,))
    chunk = bytes(2**26)
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = co.compress(header) + co.flush(zlib.Z_FULL_FLUSH)
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    body = head + block * 32 + tail
    crc = zlib.crc32(header)
    for _ in range(32):
        crc = zlib.crc32(chunk, crc)
    size = len(header) + 2**31
    name = b"A.npy"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(body), size,
                        len(name), 0) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                          len(body), size, len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central),
                      len(local) + len(body), 0)
    return local + body + central + end


def test_zip_bomb_is_refused_before_decompression(zip_bomb):
    assert len(zip_bomb) < 3 * 2**20
    with zipfile.ZipFile(io.BytesIO(zip_bomb)) as archive:  # a well-formed archive
        assert archive.infolist()[0].file_size > 2**31
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with _raises(r"^A file 'bomb.npz': member 'A' is too large: its header declares shape "
                     r"\(268435456,\) of float64"):
            _load(zip_bomb, "bomb.npz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 2.0  # decompressing it takes ~20 s
    assert peak < 4 * len(zip_bomb) + 2**20  # a copy or two of the file, not 2 GiB


def test_npy_header_is_checked_before_its_data_is_read():
    data = _npy_header((2**30,)) + bytes(64)
    tracemalloc.start()
    try:
        with _raises(r"^A file 'a.npy' is too large: its header declares shape \(1073741824,\)"):
            _load(data, "a.npy")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20


TRIPPED = []


def _trap():
    TRIPPED.append("the pickle ran")
    return 0


class _BoobyTrap:
    def __reduce__(self):
        return (_trap, ())


def test_booby_trapped_pickle_never_runs():
    evil = _npy(np.array([_BoobyTrap()], dtype=object), allow_pickle=True)
    assert np.load(io.BytesIO(evil), allow_pickle=True)[0] == 0 and TRIPPED  # it is armed
    TRIPPED.clear()
    with _raises(r"^A file 'evil.npy' holds pickled Python objects; only plain numeric arrays "
                 r"are read \(pickles can run code\)"):
        _load(evil, "evil.npy")
    with _raises(r"^A file 'evil.npz': member 'A' holds pickled Python objects"):
        _load(_zip({"A.npy": evil}), "evil.npz")
    assert not TRIPPED


def test_csv_too_large_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(landscape.loading, "MAX_ENTRIES", 10)
    with _raises(r"^A file 'a.csv' is too large: 6 lines of 2 numbers; at most 10 numbers"):
        _load(b"1,2\n" * 6, "a.csv")


# -- the table ---------------------------------------------------------------------------

CASES = []


def case(name: str, call, pattern: str | None = None):
    """One fuzz case: ``call()`` raises a ValueError matching ``pattern`` or, with
    ``pattern`` None, returns a finite result."""
    CASES.append(pytest.param(call, pattern, id=name))


NAN, INF = float("nan"), float("inf")

# make_problem, default_problem
for name, kwargs, pattern in [
    ("n-zero", dict(n=0, d=3), r"^n must be at least 1"),
    ("n-negative", dict(n=-5, d=3), r"^n must be at least 1"),
    ("n-float", dict(n=2.5, d=3), r"^n must be a positive integer"),
    ("n-string", dict(n="10", d=3), r"^n must be a positive integer"),
    ("n-None", dict(n=None, d=3), r"^n must be a positive integer"),
    ("n-bool", dict(n=True, d=3), r"^n must be a positive integer"),
    ("d-nan", dict(n=3, d=NAN), r"^d must be a positive integer"),
    ("size-huge", dict(n=10**7, d=10**7), r"^n × d must be at most"),
    ("n-beyond-float", dict(n=10**400, d=1), rf"^n must be at most {ls.MAX_ENTRIES} \(n × d is at"),
    ("seed-negative", dict(n=5, d=3, seed=-1), r"^seed must be a non-negative integer"),
    ("seed-float", dict(n=5, d=3, seed=1.0), r"^seed must be a non-negative integer"),
    ("seed-string", dict(n=5, d=3, seed="abc"), r"^seed must be a non-negative integer"),
    ("target_seed-negative", dict(n=5, d=3, target_seed=-3), r"^target_seed must be"),
    ("kind-bad", dict(n=5, d=3, kind="resnet"), r"^kind must be one of"),
    ("kind-None", dict(n=5, d=3, kind=None), r"^kind must be one of"),
    ("matrix-empty", dict(n=5, d=3, matrix=""), r"^matrix must be one of"),
    ("target-int", dict(n=5, d=3, target=3), r"^target must be one of"),
    ("w-bad", dict(n=5, d=3, w="l2"), r"^w must be one of"),
    ("w_value-nan", dict(n=5, d=3, w="constant", w_value=NAN), r"^w_value must be finite"),
    ("w_value-inf", dict(n=5, d=3, w="constant", w_value=INF), r"^w_value must be finite"),
    ("w_value-1e308", dict(n=5, d=3, w="constant", w_value=1e308), r"^w_value must be at most"),
    ("w_value-negative", dict(n=5, d=3, w="constant", w_value=-1), r"^w_value must lie in"),
    ("w_value-string", dict(n=5, d=3, w="constant", w_value="1"), r"^w_value must be a real"),
    ("gamma-2", dict(n=5, d=3, gamma=2), r"^gamma must lie in \[0, 1\]"),
    ("gamma-nan", dict(n=5, d=3, gamma=NAN), r"^gamma must be finite"),
    ("noise-negative", dict(n=5, d=3, noise=-1), r"^noise must lie in"),
    ("noise-inf", dict(n=5, d=3, noise=INF), r"^noise must be finite"),
    ("noise-1e308", dict(n=5, d=3, target="realizable", noise=1e308), r"^noise must be at most"),
    ("cond-nan", dict(n=5, d=3, matrix="ill_conditioned", cond=NAN), r"^cond must be finite"),
    ("cond-below-1", dict(n=5, d=3, cond=0.5), r"^cond must lie in \[1, ∞\)"),
    ("rank-zero", dict(n=5, d=3, matrix="low_rank", rank=0), r"^rank must be at least 1"),
    ("rank-above-min", dict(n=5, d=3, matrix="low_rank", rank=100), r"^rank must be at most 3"),
    ("strong_convexity-negative", dict(n=5, d=3, w="strongly_convex", strong_convexity=-1),
     r"^strong_convexity must lie in"),
    ("strong_convexity-huge", dict(n=5, d=3, w="strongly_convex", strong_convexity=1e308),
     r"^strong_convexity is too large for this A"),
    ("int-beyond-float", dict(n=5, d=3, noise=10**400), r"^noise must be finite"),
]:
    case(f"make_problem-{name}", lambda kwargs=kwargs: ls.make_problem(**kwargs), pattern)
case("make_problem-legal-big-w", lambda: ls.make_problem(5, 3, w="constant",
                                                         w_value=1e100).loss(np.zeros(3)))
case("make_problem-legal-huge-seed", lambda: ls.make_problem(5, 3, seed=2**80).A)
case("default_problem-n-zero", lambda: ls.default_problem(n=0), r"^n must be at least 1")
case("default_problem-unknown", lambda: ls.default_problem(bogus=1),
     r"^bogus is not an argument of make_problem")

# Problem
A2, B2 = np.eye(2), np.array([0.4, 0.6])
for name, args, kwargs, pattern in [
    ("A-None", (None, B2), {}, r"^A must be a real numeric array"),
    ("A-string", ("abc", B2), {}, r"^A must be a real numeric array"),
    ("A-ragged", ([[1.0, 2.0], [3.0]], B2), {}, r"^A must be a rectangular numeric array"),
    ("A-empty", (np.ones((0, 3)), []), {}, r"^A must have at least one row"),
    ("A-no-columns", (np.ones((2, 0)), B2), {}, r"^A must have at least one row and one column"),
    ("A-1d", (np.ones(2), B2), {}, r"^A must be a matrix \(2-D\)"),
    ("A-3d", (np.ones((2, 2, 2)), B2), {}, r"^A must be a matrix \(2-D\)"),
    ("A-complex", (A2 * 1j, B2), {}, r"^A must be real"),
    ("A-object", (np.array([[1, None], [2, 3]], dtype=object), B2), {},
     r"^A must be a real numeric array"),
    ("A-text", (np.array([["1", "2"], ["3", "4"]]), B2), {}, r"^A must be a real numeric"),
    ("A-nan", (np.array([[1, NAN], [0, 1]]), B2), {}, r"^A must be finite; received 1 NaN"),
    ("A-inf", (np.array([[1, INF], [0, 1]]), B2), {}, r"^A must be finite; received 0 NaN and 1"),
    ("A-1e308", (np.full((2, 2), 1e308), B2), {}, r"^A is too large"),
    ("A-too-many-entries", (np.broadcast_to(0.0, (10**5, 10**4)), np.zeros(10**5)), {},
     r"^n × d must be at most"),
    ("b-length", (A2, [1.0, 2.0, 3.0]), {}, r"^b must have length 2"),
    ("b-nan", (A2, [NAN, 1.0]), {}, r"^b must be finite"),
    ("b-1e308", (A2, [1e308, 1e308]), {}, r"^b is too large"),
    ("b-2d", (A2, np.ones((2, 2))), {}, r"^b must be a vector \(1-D\)"),
    ("b-string", (A2, "ab"), {}, r"^b must be a real numeric array"),
    ("b-None", (A2, None), {}, r"^b must be a real numeric array"),
    ("kind-bad", (A2, B2), dict(kind="resnet"), r"^kind must be one of"),
    ("w-negative", (A2, B2), dict(w=-1.0), r"^w must lie in \[0, ∞\)"),
    ("w-nan", (A2, B2), dict(w=NAN), r"^w must be finite"),
    ("w-1e308", (A2, B2), dict(w=1e308), r"^w is too large"),
    ("w-vector-negative", (A2, B2), dict(w=[1.0, -1.0]), r"^w must be non-negative"),
    ("w-length", (A2, B2), dict(w=[1.0, 1.0, 1.0]), r"^w must have length 2"),
    ("w-string", (A2, B2), dict(w="abc"), r"^w must be a real numeric array"),
    ("gamma-1.5", (A2, B2), dict(gamma=1.5), r"^gamma must lie in \[0, 1\]"),
    ("gamma-string", (A2, B2), dict(gamma="a"), r"^gamma must be a real number"),
    ("x_true-length", (A2, B2), dict(x_true=[1.0]), r"^x_true must have length 2"),
    ("together-too-large", (np.full((2, 2), 1e150), B2), dict(w=1e100),
     r"^A, b and w are too large together"),
]:
    case(f"Problem-{name}", lambda args=args, kwargs=kwargs: ls.Problem(*args, **kwargs), pattern)
case("Problem-legal-huge-A", lambda: ls.Problem(1e150 * A2, B2).hessian(np.zeros(2)))
case("Problem-legal-tiny-A", lambda: ls.Problem(1e-300 * A2, B2, kind="unified").gradient(ONES[:2]))
case("Problem-legal-bool-A", lambda: ls.Problem(A2.astype(bool), B2).loss(np.zeros(2)))

# the methods of Problem
for name, call, pattern in [
    ("loss-None", lambda: PROB.loss(None), r"^x must be a real numeric array"),
    ("loss-string", lambda: PROB.loss("abcd"), r"^x must be a real numeric array"),
    ("loss-length", lambda: PROB.loss(np.zeros(3)), r"^x must have length 4"),
    ("loss-column", lambda: PROB.loss(np.zeros((4, 1))), r"^x must be a vector \(1-D\)"),
    ("loss-scalar", lambda: PROB.loss(True), r"^x must be a vector \(1-D\)"),
    ("loss-empty", lambda: PROB.loss(np.array([])), r"^x must have length 4"),
    ("loss-nan", lambda: PROB.loss([0.0, NAN, 0.0, 0.0]), r"^x must be finite; received 1 NaN"),
    ("loss-complex", lambda: PROB.loss(ONES * 1j), r"^x must be real"),
    ("loss-1e308", lambda: PROB.loss(np.full(D, 1e308)), r"^x is too large"),
    ("loss-1e153", lambda: PROB.loss(np.full(D, 1e153)), r"^x is too large for this problem"),
    ("gradient-1e308", lambda: WEIGHTED.gradient(1e308 * ONES), r"^x is too large"),
    ("gradient-1e153", lambda: WEIGHTED.gradient(1e153 * ONES), r"^x is too large for this"),
    ("hessian-string", lambda: PROB.hessian("a"), r"^x must be a real numeric array"),
    ("hessian_parts-inf", lambda: PROB.hessian_parts([INF, 0, 0, 0]), r"^x must be finite"),
    ("evaluate-None", lambda: PROB.evaluate(None), r"^x must be a real numeric array"),
    ("hvp-v-None", lambda: PROB.hvp(ZERO, None), r"^v must be a real numeric array"),
    ("hvp-v-length", lambda: PROB.hvp(ZERO, ONES[:2]), r"^v must have length 4"),
    ("hvp-v-1e153", lambda: PROB.hvp(ZERO, 1e153 * ONES), r"^v is too large for this problem"),
    ("loss_batch-columns", lambda: PROB.loss_batch(np.zeros((3, 5))), r"^X must have d = 4"),
    ("loss_batch-vector", lambda: PROB.loss_batch(ZERO), r"^X must be a matrix \(2-D\)"),
    ("loss_batch-1e153", lambda: PROB.loss_batch(np.full((2, D), 1e153)), r"^X is too large"),
    ("loss_batch-nan", lambda: PROB.loss_batch(np.full((2, D), NAN)), r"^X must be finite"),
    ("with_gamma-2", lambda: PROB.with_gamma(2), r"^gamma must lie in \[0, 1\]"),
    ("with_gamma-string", lambda: PROB.with_gamma("x"), r"^gamma must be a real number"),
    ("hessian_operator-nan", lambda: PROB.hessian_operator(NAN * ONES), r"^x must be finite"),
    ("derivatives-length", lambda: PROB.derivatives(ONES[:3]), r"^x must have length 4"),
]:
    case(f"Problem.{name}", call, pattern)
case("Problem.loss_batch-legal-empty", lambda: PROB.loss_batch(np.zeros((0, D))))
case("Problem.gradient-legal-1e100", lambda: WEIGHTED.gradient(1e100 * ONES))
case("Problem.hessian-legal-1e100", lambda: WEIGHTED.hessian(1e100 * ONES))
case("Problem.loss-legal-1e100-softmax", lambda: PROB.loss(1e100 * ONES))

# surface_2d, line_1d, grid, project, default_view
for name, call, pattern in [
    ("surface_2d-prob-None", lambda: ls.surface_2d(None, ZERO, U, V, GRID, GRID),
     r"^prob must be a landscape\.Problem"),
    ("surface_2d-prob-string", lambda: ls.surface_2d("p", ZERO, U, V, GRID, GRID),
     r"^prob must be a landscape\.Problem"),
    ("surface_2d-center-length", lambda: ls.surface_2d(PROB, ONES[:2], U, V, GRID, GRID),
     r"^center must have length 4"),
    ("surface_2d-u-zero", lambda: ls.surface_2d(PROB, ZERO, ZERO, V, GRID, GRID),
     r"^u must be a non-zero direction"),
    ("surface_2d-parallel", lambda: ls.surface_2d(PROB, ZERO, U, 2 * U, GRID, GRID),
     r"^u and v must span a plane"),
    ("surface_2d-alphas-decreasing", lambda: ls.surface_2d(PROB, ZERO, U, V, GRID[::-1], GRID),
     r"^alphas must be strictly increasing"),
    ("surface_2d-alphas-one", lambda: ls.surface_2d(PROB, ZERO, U, V, [0.0], GRID),
     r"^alphas must hold between 2 and"),
    ("surface_2d-alphas-nan", lambda: ls.surface_2d(PROB, ZERO, U, V, [0.0, NAN], GRID),
     r"^alphas must be finite"),
    ("surface_2d-alphas-2d", lambda: ls.surface_2d(PROB, ZERO, U, V, np.ones((2, 2)), GRID),
     r"^alphas must be a vector"),
    ("surface_2d-alphas-huge", lambda: ls.surface_2d(PROB, ZERO, U, V, [1e152, 1e153], GRID),
     r"^center \+ alphas u \+ betas v is too large for this problem"),
    ("surface_2d-betas-string", lambda: ls.surface_2d(PROB, ZERO, U, V, GRID, "ab"),
     r"^betas must be a real numeric array"),
    ("surface_2d-method", lambda: ls.surface_2d(PROB, ZERO, U, V, GRID, GRID, method="slow"),
     r"^method must be 'fast' or 'direct'"),
    ("surface_2d-method-None", lambda: ls.surface_2d(PROB, ZERO, U, V, GRID, GRID, method=None),
     r"^method must be 'fast' or 'direct'"),
    ("line_1d-prob-None", lambda: ls.line_1d(None, ZERO, U, GRID), r"^prob must be"),
    ("line_1d-direction-zero", lambda: ls.line_1d(PROB, ZERO, ZERO, GRID),
     r"^direction must be non-zero"),
    ("line_1d-ts-huge", lambda: ls.line_1d(PROB, ZERO, U, [0.0, 1e153]),
     r"^center \+ ts direction is too large for this problem"),
    ("line_1d-ts-empty", lambda: ls.line_1d(PROB, ZERO, U, []), r"^ts must hold between 2"),
    ("grid-span-nan", lambda: ls.grid(NAN, 5), r"^span must be finite"),
    ("grid-span-negative", lambda: ls.grid(-1.0, 5), r"^span must lie in \(0, ∞\)"),
    ("grid-span-string", lambda: ls.grid("1", 5), r"^span must be a real number"),
    ("grid-span-1e308", lambda: ls.grid(1e308, 5), r"^\|center\| \+ span must be at most"),
    ("grid-center-nan", lambda: ls.grid(1.0, 5, center=NAN), r"^center must be finite"),
    ("grid-center-inf", lambda: ls.grid(1.0, 5, center=-INF), r"^center must be finite"),
    ("grid-center-array", lambda: ls.grid(1.0, 5, center=ONES), r"^center must be a real number"),
    ("grid-resolution-huge", lambda: ls.grid(1.0, 10**9), r"^resolution must be at most"),
    ("grid-resolution-float", lambda: ls.grid(1.0, 2.5), r"^resolution must be a positive"),
    ("grid-resolution-string", lambda: ls.grid(1.0, "5"), r"^resolution must be a positive"),
    ("project-points-None", lambda: ls.project(None, ZERO, U, V), r"^points must be a real"),
    ("project-points-columns", lambda: ls.project(np.ones((3, 2)), ZERO, U, V),
     r"^points must have 4 columns"),
    ("project-center-nan", lambda: ls.project(np.ones((3, D)), NAN * ONES, U, V),
     r"^center must be finite"),
    ("project-u-length", lambda: ls.project(np.ones((3, D)), ZERO, U[:2], V),
     r"^u must have length 4"),
    ("project-points-1e308", lambda: ls.project(np.full((3, D), 1e308), ZERO, U, V),
     r"^points is too large"),
    ("default_view-prob-None", lambda: ls.default_view(None), r"^prob must be"),
    ("default_view-span-negative", lambda: ls.default_view(PROB, span=-1.0), r"^span must lie"),
    ("default_view-span-nan", lambda: ls.default_view(PROB, span=NAN), r"^span must be finite"),
]:
    case(name, call, pattern)
case("surface_2d-legal", lambda: ls.surface_2d(WEIGHTED, ZERO, U, V, GRID, GRID).values)
case("line_1d-legal-far", lambda: ls.line_1d(PROB, ZERO, U, [-1e100, 0.0, 1e100]).values)
case("grid-legal-far-centre", lambda: ls.grid(1.0, 5, center=1e100))
case("project-legal-empty", lambda: ls.project(np.zeros((0, D)), ZERO, U, V).alphas)
case("default_view-legal", lambda: ls.default_view(PROB)[1].u)

# make_directions
for name, kwargs, pattern in [
    ("kind-bad", dict(kind="diagonal"), r"^kind must be one of 'random'"),
    ("kind-None", dict(kind=None), r"^kind must be one of 'random'"),
    ("seed-abc", dict(seed="abc"), r"^seed must be a non-negative integer; received 'abc'"),
    ("seed-negative", dict(seed=-1), r"^seed must be a non-negative integer; received -1"),
    ("seed-float", dict(seed=1.5), r"^seed must be a non-negative integer; received 1.5"),
    ("scale-bad", dict(scale="big"), r"^scale must be 'unit' or 'center'"),
    ("scale-None", dict(scale=None), r"^scale must be 'unit' or 'center'"),
    ("axes-None", dict(kind="axes", axes=None), r"^axes must be two different coordinates"),
    ("axes-same", dict(kind="axes", axes=(0, 0)), r"^axes must be two different coordinates"),
    ("axes-out-of-range", dict(kind="axes", axes=(0, 9)), r"^axes must be two different"),
    ("axes-floats", dict(kind="axes", axes=(0.0, 1.0)), r"^axes must be two different"),
    ("axes-string", dict(kind="axes", axes="01"), r"^axes must be two different"),
    ("axes-bools", dict(kind="axes", axes=(False, True)), r"^axes must be two different"),
    ("axes-three", dict(kind="axes", axes=(0, 1, 2)), r"^axes must be two different"),
    ("pca-None", dict(kind="pca"), r"^trajectory must be a real numeric array"),
    ("pca-short", dict(kind="pca", trajectory=np.ones((2, D))), r"^trajectory must have at least"),
    ("custom-None", dict(kind="custom"), r"^vectors must be a real numeric array"),
    ("custom-shape", dict(kind="custom", vectors=np.ones((3, D))), r"^vectors must have shape"),
    ("custom-nan", dict(kind="custom", vectors=np.full((2, D), NAN)), r"^vectors must be finite"),
]:
    case(f"make_directions-{name}",
         lambda kwargs=kwargs: ls.make_directions(PROB, ZERO, **kwargs), pattern)
case("make_directions-prob-None", lambda: ls.make_directions(None, ZERO), r"^prob must be")
case("make_directions-center-1e308", lambda: ls.make_directions(PROB, 1e308 * ONES),
     r"^center is too large")
case("make_directions-d-1", lambda: ls.make_directions(ls.make_problem(5, 1), [0.0]),
     r"^a plane needs d ≥ 2")
case("make_directions-legal-huge-seed", lambda: ls.make_directions(PROB, ZERO, seed=2**70).u)
case("make_directions-legal-hessian", lambda: ls.make_directions(WEIGHTED, ZERO,
                                                                 "hessian_top").u)

# spectrum
for name, kwargs, pattern in [
    ("k-zero", dict(k=0), r"^k must be at least 1"),
    ("k-above-d", dict(k=10), r"^k must be at most d = 4"),
    ("k-float", dict(k=1.5), r"^k must be a positive integer or None"),
    ("method-bad", dict(method="qr"), r"^method must be one of 'auto', 'dense', 'lanczos'"),
    ("ends-bad", dict(ends="middle"), r"^ends must be one of"),
    ("tol-negative", dict(tol=-1.0), r"^tol must lie in \[0, ∞\)"),
    ("tol-nan", dict(tol=NAN), r"^tol must be finite"),
    ("max_iter-zero", dict(max_iter=0), r"^max_iter must be at least 1"),
    ("max_iter-beyond-int32", dict(method="lanczos", k=1, max_iter=10**30),
     r"^max_iter must be at most 2147483647 \(ARPACK"),
    ("seed-abc", dict(method="lanczos", k=1, seed="abc"), r"^seed must be a non-negative"),
    ("seed-negative", dict(seed=-1), r"^seed must be a non-negative integer"),
    ("eigenvectors-string", dict(eigenvectors="yes"), r"^eigenvectors must be True or False"),
    ("lanczos-k-too-large", dict(method="lanczos", k=2), r"^k must be less than d/2"),
]:
    case(f"spectrum-{name}", lambda kwargs=kwargs: ls.spectrum(PROB, ZERO, **kwargs), pattern)
case("spectrum-prob-None", lambda: ls.spectrum(None, ZERO), r"^prob must be a landscape\.Problem")
case("spectrum-x-nan", lambda: ls.spectrum(PROB, NAN * ONES), r"^x must be finite")
case("spectrum-x-1e153", lambda: ls.spectrum(PROB, 1e153 * ONES), r"^x is too large for this")
case("spectrum-legal-dense", lambda: ls.spectrum(WEIGHTED, ZERO).eigenvalues)
case("spectrum-legal-lanczos", lambda: ls.spectrum(WEIGHTED, ZERO, 1, method="lanczos").eigenvalues)

# minimize
for name, args, kwargs, pattern in [
    ("method-bad", ("sgd",), {}, r"^method must be one of 'newton'"),
    ("method-None", (None,), {}, r"^method must be one of 'newton'"),
    ("tol-zero", (), dict(tol=0.0), r"^tol must lie in \(0, ∞\)"),
    ("tol-nan", (), dict(tol=NAN), r"^tol must be finite"),
    ("max_iter-zero", (), dict(max_iter=0), r"^max_iter must be at least 1"),
    ("max_iter-huge", (), dict(max_iter=10**12), r"^max_iter must be at most"),
    ("seed-negative", (), dict(seed=-1), r"^seed must be a non-negative integer"),
    ("seed-string", (), dict(seed="a"), r"^seed must be a non-negative integer"),
    ("option-unknown", (), dict(foo=1), r"^option 'foo' is not known for method 'newton'"),
    ("eps-zero", ("approx_newton",), dict(eps=0.0), r"^eps must lie in \(0, 1\)"),
    ("delta-one", ("approx_newton",), dict(delta=1.0), r"^delta must lie in \(0, 1\)"),
    ("leverage-bad", ("approx_newton",), dict(leverage="svd"), r"^leverage must be one of"),
    ("oversampling-negative", ("approx_newton",), dict(oversampling=-1.0),
     r"^oversampling must lie in"),
    ("sketch_size-huge", ("approx_newton",), dict(sketch_size=10**12),
     r"^sketch_size must be at most 20"),
    ("sketch_size-zero", ("approx_newton",), dict(sketch_size=0), r"^sketch_size must be at least"),
    ("jl_dim-zero", ("approx_newton",), dict(jl_dim=0), r"^jl_dim must be at least 1"),
    ("measure_error-string", ("approx_newton",), dict(measure_error="yes"),
     r"^measure_error must be True or False"),
    ("step-bad", ("gd",), dict(step="big"), r"^step must be one of 'armijo', 'constant'"),
    ("cg_max_iter-zero", ("newton_cg",), dict(cg_max_iter=0), r"^cg_max_iter must be at least"),
]:
    case(f"minimize-{name}", lambda args=args, kwargs=kwargs: ls.minimize(PROB, ZERO, *args,
                                                                          **kwargs), pattern)
case("minimize-prob-None", lambda: ls.minimize(None, ZERO), r"^prob must be a landscape\.Problem")
case("minimize-x0-1e300", lambda: ls.minimize(PROB, 1e300 * ONES), r"^x0 is too large")
case("minimize-x0-1e153", lambda: ls.minimize(PROB, 1e153 * ONES), r"^x0 is too large for this")
case("minimize-x0-length", lambda: ls.minimize(PROB, ONES[:2]), r"^x0 must have length 4")
case("minimize-step-constant-unified", lambda: ls.minimize(WEIGHTED, ZERO, "gd", step="constant"),
     r"^step='constant' needs the softmax loss")
case("minimize-legal-newton", lambda: ls.minimize(WEIGHTED, ZERO, max_iter=5).loss)
case("minimize-legal-tiny-eps", lambda: ls.minimize(PROB, ZERO, "approx_newton", eps=1e-300,
                                                     max_iter=2).loss)
case("minimize-legal-huge-oversampling", lambda: ls.minimize(PROB, ZERO, "approx_newton",
                                                              oversampling=1e308,
                                                              max_iter=2).loss)
case("minimize-legal-huge-jl_dim", lambda: ls.minimize(PROB, ZERO, "approx_newton",
                                                        jl_dim=10**12, max_iter=2).loss)

# summarize
case("summarize-prob-None", lambda: ls.summarize(None), r"^prob must be a landscape\.Problem")
case("summarize-x-nan", lambda: ls.summarize(PROB, NAN * ONES), r"^x must be finite")
case("summarize-x-1e308", lambda: ls.summarize(PROB, 1e308 * ONES), r"^x is too large")
case("summarize-legal", lambda: ls.summarize(WEIGHTED).loss)

# load_array and load_problem: sources, names, formats
F8 = np.arange(6.0).reshape(3, 2)
for name, call, pattern in [
    ("source-None", lambda: ls.load_array(None), r"^source must be a path or the file's bytes"),
    ("source-int", lambda: ls.load_array(123), r"^source must be a path"),
    ("bytes-no-filename", lambda: ls.load_array(b"1,2"), r"^filename must be given"),
    ("filename-int", lambda: ls.load_array(b"1,2", filename=5), r"^filename must be a string"),
    ("name-int", lambda: ls.load_array(b"1,2", name=5, filename="a.csv"), r"^name must be a str"),
    ("path-missing", lambda: ls.load_array("/nonexistent/A.npy"), r"^file '/nonexistent/A.npy' "
                                                                  r"does not exist"),
    ("path-too-long", lambda: ls.load_array("a" * 5000 + ".npy"), r"^file 'aaa.*' cannot be "
                                                                  r"read: File name too long"),
    ("path-directory", lambda: ls.load_array("/"), r"^file '/' does not exist or is not a file"),
    ("extension-pkl", lambda: _load(_npy(F8), "A.pkl"), r"^A file 'A.pkl' must end in .npy"),
    ("extension-none", lambda: _load(_npy(F8), "A"), r"^A file 'A' must end in .npy, .npz or "
                                                     r".csv; received 'no suffix'"),
    ("empty", lambda: _load(b"", "A.npy"), r"^A file 'A.npy' is empty"),
]:
    case(f"load_array-{name}", call, pattern)

HUGE_SHAPE = _npy_header((10**5, 10**5))
for name, data, pattern in [
    ("garbage", b"\x00\x01garbage" * 10, r"is not a valid .npy array \(it lacks the NumPy sig"),
    ("text", b"1,2\n3,4\n", r"is not a valid .npy array \(it lacks the NumPy signature"),
    ("truncated-header", _npy(F8)[:40], r"is not a valid .npy array: it is truncated inside its "
                                         r"header"),
    ("truncated-data", _npy(F8)[:-8], r"is not a valid .npy array: it is truncated \(its header "
                                      r"declares 48 bytes of data, 40 follow\)"),
    ("header-10MB", _npy_header((2, 2), version=2, pad=10 * 2**20) + bytes(32),
     r"its header is too long \(10,485,"),
    ("header-malformed", b"\x93NUMPY\x01\x00" + struct.pack("<H", 12) + b"{'a': 1}   \n",
     r"is not a valid .npy array: its header is malformed"),
    ("header-unclosed", b"\x93NUMPY\x01\x00" + struct.pack("<H", 12) + b"{'descr': (\n",
     r"its header is malformed"),
    ("header-not-a-dict", b"\x93NUMPY\x01\x00" + struct.pack("<H", 8) + b"[1, 2] \n",
     r"its header is malformed"),
    ("version-9", b"\x93NUMPY\x09\x00" + _npy(F8)[8:], r"unknown format version 9.0"),
    ("shape-huge", HUGE_SHAPE, r"is too large: its header declares shape \(100000, 100000\)"),
    ("shape-negative", _npy_header((-1, 2)), r"its header declares the negative shape"),
    ("0d", _npy(np.array(3.0)), r"^A \(from 'A.npy'\) must be a matrix \(2-D\) or a vector"),
    ("3d", _npy(np.zeros((2, 2, 2))), r"^A \(from 'A.npy'\) must be a matrix"),
    ("object", _npy(np.array([1, "a"], dtype=object), allow_pickle=True),
     r"holds pickled Python objects"),
    ("complex", _npy(F8 * 1j), r"^A \(from 'A.npy'\) must be real; received a complex"),
    ("nan", _npy(np.array([[1.0, NAN]])), r"^A \(from 'A.npy'\) must be finite; received 1 NaN"),
    ("inf", _npy(np.array([[1.0, -INF]])), r"^A \(from 'A.npy'\) must be finite"),
    ("1e308", _npy(np.full((2, 2), 1e308)), r"^A \(from 'A.npy'\) is too large"),
    ("structured", _npy(np.zeros(3, dtype=[("a", "f8"), ("b", "i4")])),
     r"must hold numbers; its header declares dtype"),
    ("unicode", _npy(np.array(["a", "b"])), r"must hold numbers; its header declares dtype <U1"),
    ("datetime", _npy(np.array(["2020-01-01"], dtype="M8[D]")), r"must hold numbers"),
]:
    case(f"npy-{name}", lambda data=data: _load(data, "A.npy"), pattern)
for name, array in [("bool", np.array([[True, False], [False, True]])),
                    ("float16", F8.astype(np.float16)), ("int64-large", np.array([2**62, 1])),
                    ("fortran", np.asfortranarray(F8)), ("uint8", F8.astype(np.uint8))]:
    case(f"npy-legal-{name}", lambda array=array: _load(_npy(array), "A.npy"))

GOOD_NPZ = _npz(A=F8, b=np.ones(3) / 3)
CUT_ZIP = GOOD_NPZ[: len(GOOD_NPZ) // 2]
STORED = _zip({"A.npy": _npy(F8)}, method=zipfile.ZIP_STORED)


def _compression(archive: bytes, method: int) -> bytes:
    """``archive`` (one member) with its compression method field set to ``method``."""
    out = bytearray(archive)
    for field in (8, archive.index(b"PK\x01\x02") + 10):  # local and central headers
        out[field:field + 2] = struct.pack("<H", method)
    return bytes(out)


UNKNOWN_METHOD = _compression(STORED, 99)
with zipfile.ZipFile(io.BytesIO(STORED)) as _archive:
    _CRC = struct.pack("<I", _archive.infolist()[0].CRC)
BAD_CRC = STORED.replace(_CRC, bytes([_CRC[0] ^ 1]) + _CRC[1:])
for name, data, pattern in [
    ("garbage", b"PK\x03\x04 not really a zip", r"^A file 'A.npz' is not a valid .npz archive"),
    ("cut", CUT_ZIP, r"^A file 'A.npz' is not a valid .npz archive"),
    ("npy-renamed", _npy(F8), r"^A file 'A.npz' is a .npy array, not a .npz archive"),
    ("text-member", _zip({"A.npy": b"1,2\n3,4\n"}), r"member 'A' is not a valid .npy array \(it "
                                                     r"lacks the NumPy signature"),
    ("truncated-member", _zip({"A.npy": _npy(F8)[:-1]}), r"member 'A' is not a valid .npy array: "
                                                         r"it is truncated"),
    ("raw-member", _zip({"A.npy": F8.tobytes(), "b.npy": _npy(F8)}),
     r"member 'A' is not a valid .npy array"),
    ("huge-second-member", _zip({"A.npy": _npy(F8), "b.npy": HUGE_SHAPE}),
     r"member 'b' is too large"),
    ("pickled-member", _zip({"A.npy": _npy(np.array([None]), allow_pickle=True)}),
     r"^A file 'A.npz': member 'A' holds pickled Python objects"),
    ("no-members", _zip({}), r"must hold a member named 'A' or exactly one array; received "
                             r"members \[\]"),
    ("ambiguous", _npz(X=F8, y=F8), r"must hold a member named 'A' or exactly one array"),
    ("unknown-compression", UNKNOWN_METHOD, r"^A file 'A.npz' is not a valid .npz archive"),
    ("bad-crc", BAD_CRC, r"^A file 'A.npz' is not a valid .npz archive: Bad CRC-32"),
    ("0d-member", _npz(A=np.array(1.0)), r"must be a matrix \(2-D\) or a vector"),
    ("complex-member", _npz(A=F8 * 1j), r"must be real"),
]:
    case(f"npz-{name}", lambda data=data: _load(data, "A.npz"), pattern)
case("npz-legal-A-of-two", lambda: _load(GOOD_NPZ, "A.npz"))
case("npz-legal-stored", lambda: _load(STORED, "A.npz"))

for name, text, pattern in [
    ("binary", b"\xff\xfe\x00\x01", r"^A file 'A.csv' is not UTF-8 text"),
    ("words", b"abc\n", r"^A file 'A.csv' has a header line but no numbers"),
    ("comments-only", b"# nothing\n\n", r"^A file 'A.csv' has no numbers"),
    ("text-field", b"1,2\n3,abc\n", r"must hold only numbers, the same count on every line: line "
                                    r"2 holds 'abc', not a number"),
    ("ragged", b"1,2,3\n4,5\n", r"the same count on every line: line 2 has 2 fields, line 1 has 3"),
    ("ragged-spaces", b"1 2 3\n4 5\n", r"line 2 has 2 fields, line 1 has 3"),
    ("mixed-delimiters", b"1 2\n3,4\n5,6", r"mixes delimiters: line 2 separates numbers by commas, "
                                          r"line 1 by spaces"),
    ("mixed-after-header", b"x,y\n1,2\n3 4\n", r"mixes delimiters: line 3 .* line 2"),
    ("semicolons", b"1;2\n3;4\n", r"line 2 holds '3;4', not a number"),
    ("nan", b"1,2\n3,nan\n", r"^A \(from 'A.csv'\) must be finite; received 1 NaN"),
    ("inf", b"1,inf\n", r"^A \(from 'A.csv'\) must be finite"),
    ("1e308", b"1e308,1e308\n", r"^A \(from 'A.csv'\) is too large"),
    ("hex", b"0x10,1\n", r"line 1 holds '0x10', not a number"),
]:
    case(f"csv-{name}", lambda text=text: _load(text, "A.csv"), pattern)
for name, text in [("spaces", b"1 2\n3 4\n"), ("tabs", b"1\t2\n3\t4\n"), ("single", b"5\n"),
                   ("inline-comment", b"1,2 # first\n3,4\n"), ("header", b"x,y\n1,2\n"),
                   ("comma-and-space", b"1, 2\n3 ,4\n"), ("bom", b"\xef\xbb\xbf1,2\n")]:
    case(f"csv-legal-{name}", lambda text=text: _load(text, "A.csv"))

for name, call, pattern in [
    ("b-matrix", lambda: ls.load_problem(_npy(F8), _npy(np.ones((3, 2))), a_filename="A.npy",
                                         b_filename="b.npy"),
     r"^b must be a vector \(1-D\), or one row or one column"),
    ("A-0d", lambda: ls.load_problem(_npy(np.array(1.0)), b"1\n", a_filename="A.npy",
                                     b_filename="b.csv"), r"^A \(from 'A.npy'\) must be a matrix"),
    ("b-length", lambda: ls.load_problem(_npy(F8), b"1\n2\n", a_filename="A.npy",
                                         b_filename="b.csv"), r"^b must have length 3"),
    ("kind", lambda: ls.load_problem(GOOD_NPZ, a_filename="p.npz", kind="x"), r"^kind must be"),
    ("w-negative", lambda: ls.load_problem(GOOD_NPZ, a_filename="p.npz", w=-1.0),
     r"^w must lie in"),
    ("gamma-nan", lambda: ls.load_problem(GOOD_NPZ, a_filename="p.npz", gamma=NAN),
     r"^gamma must be finite"),
    ("b-missing-from-npz", lambda: ls.load_problem(_npz(A=F8, c=F8), a_filename="p.npz"),
     r"^b file 'p.npz' must hold a member named 'b'"),
]:
    case(f"load_problem-{name}", call, pattern)
case("load_problem-legal-npz", lambda: ls.load_problem(GOOD_NPZ, a_filename="p.npz").loss(
    np.zeros(2)))
case("load_problem-legal-b-row", lambda: ls.load_problem(_npy(F8), b"0.2,0.3,0.5\n",
                                                         a_filename="A.npy",
                                                         b_filename="b.csv").b)

# open_problem, list_stores, open_store: data on disk (their files: test_stores.py)
HERE = Path(__file__).resolve().parent  # a directory without stores
for name, call, pattern in [
    ("open_problem-path-int", lambda: ls.open_problem(3), r"^path_A must be a path"),
    ("open_problem-path-None", lambda: ls.open_problem(None), r"^path_A must be a path"),
    ("open_problem-missing", lambda: ls.open_problem(HERE / "none.npy"), r"^path_A '.*' does "
     r"not exist\.$"),
    ("open_problem-csv", lambda: ls.open_problem(Path(__file__)), r"^path_A '.*' must be a "
     r"\.npy file or a zarr store"),
    ("open_problem-chunk-rows-zero", lambda: ls.open_problem(HERE, chunk_rows=0),
     r"^chunk_rows must be at least 1"),
    ("open_problem-chunk-rows-float", lambda: ls.open_problem(HERE, chunk_rows=2.5),
     r"^chunk_rows must be a positive integer"),
    ("open_problem-data-dir-int", lambda: ls.open_problem("A.npy", data_dir=3),
     r"^data_dir must be a path"),
    ("open_problem-outside", lambda: ls.open_problem("../README.md", data_dir=HERE),
     r"^path_A '\.\./README\.md' lies outside the data directory"),
    ("list_stores-None", lambda: ls.list_stores(None), r"^data_dir must be a directory"),
    ("list_stores-missing", lambda: ls.list_stores(HERE / "none"), r"^data_dir '.*' is not a "
     r"directory\.$"),
    ("open_store-name-int", lambda: ls.open_store(HERE, 3), r"^name must be one of the stores "
     r"in '.*' \(none\); received 3\.$"),
    ("open_store-name-path", lambda: ls.open_store(HERE, "../tests"), r"^name must be one of"),
]:
    case(name, call, pattern)


def _finite(value) -> bool:
    return bool(np.all(np.isfinite(np.asarray(value, dtype=float))))


@pytest.mark.parametrize("call, pattern", CASES)
def test_bad_input(call, pattern):
    if pattern is None:
        assert _finite(call())
    else:
        with _raises(pattern):
            call()


def test_the_table_covers_every_public_function():
    functions = {name for name in ls.__all__ if callable(getattr(ls, name))
                 and not isinstance(getattr(ls, name), type)}
    ids = " ".join(param.id for param in CASES)
    missing = {name for name in functions if name not in ids}
    assert not missing, missing
    assert len(CASES) >= 120
