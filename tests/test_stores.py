"""Data on disk (landscape.stores) and the store writer (``python -m landscape.data
make``): opened without reading A, refused from metadata, the same data as
make_problem."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import landscape as ls
import landscape.data.writer
from landscape import losses
from landscape.data.writer import main as make_main
from landscape.stores import open_arrays


def _raises(message: str):
    return pytest.raises(ValueError, match="^" + re.escape(message))


def _make(path, n=5000, d=7, *extra) -> None:
    assert make_main(["make", "--n", str(n), "--d", str(d), "--out", str(path), *extra]) == 0


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store of n = 5000, d = 7 (unified, chunks of 1200 rows) in a data directory."""
    folder = tmp_path_factory.mktemp("data")
    _make(folder / "tall.zarr", 5000, 7, "--kind", "unified", "--chunk-rows", "1200",
          "--seed", "3")
    return folder


# -- the writer ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["softmax", "unified"])
def test_a_written_store_is_make_problems_realizable_problem(tmp_path, kind):
    _make(tmp_path / "s.zarr", 5000, 7, "--kind", kind, "--chunk-rows", "1200")
    arrays = open_arrays(tmp_path / "s.zarr", chunk_rows=1200)
    assert arrays.A.shape == (5000, 7) and arrays.A.chunks == ((1200,) * 4 + (200,), (7,))
    assert arrays.attrs == dict(seed=0, kind=kind, gamma=None, matrix="gaussian",
                                target="realizable", n=5000, d=7)
    A = np.asarray(arrays.A)
    gamma = {"softmax": 0.0, "unified": 1.0}[kind]
    f = losses.scale_free(A @ arrays.x_true, np.zeros(5000), gamma).f
    assert np.max(np.abs(arrays.b - f)) <= 1e-12 * np.max(np.abs(f))
    reference = ls.make_problem(5000, 7, seed=0, kind=kind, target="realizable")
    assert np.array_equal(A, reference.A)  # drawn by blocks, the same numbers
    np.testing.assert_allclose(arrays.x_true, reference.x_true, rtol=1e-12)
    assert np.max(np.abs(arrays.b - reference.b)) <= 1e-12 * np.max(np.abs(f))


def test_the_writer_keeps_one_block_of_rows_per_chunk(tmp_path):
    _make(tmp_path / "s.zarr", 1000, 3)
    info, = ls.list_stores(tmp_path)
    assert info.chunk_rows == 1000  # n < the default block of 64 MB
    _make(tmp_path / "t.zarr", 1000, 3, "--chunk-rows", "64", "--gamma", "0.5")
    info = ls.list_stores(tmp_path)[1]
    assert (info.name, info.chunk_rows, info.kind, info.gamma) == ("t.zarr", 64, "softmax", 0.5)


def test_the_writer_refuses_before_writing(tmp_path, monkeypatch, capsys):
    _make(tmp_path / "s.zarr", 10, 2)
    with pytest.raises(SystemExit) as stop:
        make_main(["make", "--n", "10", "--d", "2", "--out", str(tmp_path / "s.zarr")])
    assert stop.value.code == 2
    assert f"error: out '{tmp_path / 's.zarr'}' already exists" in capsys.readouterr().err
    with _raises(f"out '{tmp_path / 'no' / 's.zarr'}' cannot be written: its directory"):
        landscape.data.writer.write_store(tmp_path / "no" / "s.zarr", 10, 2)
    monkeypatch.setattr(landscape.data.writer, "MAX_ENTRIES", 100)
    with _raises("chunk_rows × d must be at most 100 entries (0.0 GB of float64): one block "
                 "is held in memory; received chunk_rows = 51, d = 2."):
        landscape.data.writer.write_store(tmp_path / "t.zarr", 60, 2, chunk_rows=51)
    with _raises("matrix must be one of 'gaussian', 'uniform', 'nonnegative'"):
        landscape.data.writer.write_store(tmp_path / "t.zarr", 60, 2, matrix="low_rank")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.zarr"]  # nothing left behind


# -- opening without reading -------------------------------------------------------------

def test_a_zarr_store_is_opened_as_a_dask_array_without_reading_it(store):
    chunks = [c for c in (store / "tall.zarr" / "A" / "c").rglob("*") if c.is_file()]
    saved = {chunk: chunk.read_bytes() for chunk in chunks}
    for chunk in chunks:
        chunk.write_bytes(b"")  # A's data is gone (its files are still listed)
    try:
        arrays = open_arrays(store / "tall.zarr")  # metadata, b and x_true only
    finally:
        for chunk, data in saved.items():
            chunk.write_bytes(data)
    import dask.array as da

    assert isinstance(arrays.A, da.Array)
    assert arrays.A.chunks == ((5000,), (7,))  # a multiple of the stored 1200 rows, capped at n
    assert arrays.b.shape == (5000,) and arrays.x_true.shape == (7,)


def test_a_npy_file_is_a_memmap_or_a_dask_array_by_rows(tmp_path):
    A = np.arange(1200.0).reshape(300, 4)
    np.save(tmp_path / "A.npy", A)
    np.save(tmp_path / "b.npy", np.full((300, 1), 1 / 300))  # one column is flattened
    arrays = open_arrays(tmp_path / "A.npy", tmp_path / "b.npy")
    assert isinstance(arrays.A, np.memmap) and arrays.A.mode == "r"
    assert np.array_equal(arrays.A, A) and arrays.b.shape == (300,) and arrays.x_true is None
    chunked = open_arrays(tmp_path / "A.npy", tmp_path / "b.npy", chunk_rows=128)
    assert chunked.A.chunks == ((128, 128, 44), (4,))
    assert np.array_equal(chunked.A.compute(), A)
    prob = ls.open_problem(tmp_path / "A.npy", tmp_path / "b.npy", kind="unified")
    assert np.array_equal(prob.A, A) and prob.kind == "unified"


def test_a_column_chunked_zarr_array_is_read_by_whole_rows(tmp_path):
    import zarr

    A = np.random.default_rng(0).standard_normal((400, 6))
    stored = zarr.create_array(store=str(tmp_path / "A.zarr"), shape=(400, 6),
                               chunks=(100, 2), dtype="float64")
    stored[...] = A
    np.save(tmp_path / "b.npy", np.full(400, 1 / 400))
    arrays = open_arrays(tmp_path / "A.zarr", tmp_path / "b.npy", chunk_rows=150)
    assert arrays.A.chunks == ((150, 150, 100), (6,))  # whole rows: every column in a block
    assert np.array_equal(arrays.A.compute(), A)
    prob = ls.open_problem(tmp_path / "A.zarr", tmp_path / "b.npy")
    assert np.array_equal(np.asarray(prob.A), A)


def test_open_problem_keeps_a_on_disk(store, tmp_path):
    """Problem takes a dask array and an np.memmap as they are: nothing is read."""
    import dask.array as da

    prob = ls.open_store(store, "tall.zarr", chunk_rows=1200)
    assert isinstance(prob.A, da.Array) and prob.A.chunks[0][0] == 1200
    np.save(tmp_path / "A.npy", np.ones((50, 3)))
    np.save(tmp_path / "b.npy", np.full(50, 0.02))
    prob = ls.open_problem(tmp_path / "A.npy", tmp_path / "b.npy")
    assert isinstance(prob.A, np.memmap)
    assert str(getattr(prob.A, "filename", None)) == str((tmp_path / "A.npy").resolve())


# -- refused from metadata -----------------------------------------------------------------

def test_b_of_another_length_is_refused_naming_both(tmp_path, store):
    np.save(tmp_path / "A.npy", np.ones((30, 2)))
    np.save(tmp_path / "b.npy", np.ones(29))
    with _raises(f"b ('{tmp_path / 'b.npy'}') has length 29 but A has 30 rows of A"):
        ls.open_problem(tmp_path / "A.npy", tmp_path / "b.npy")
    with _raises(f"b ('{tmp_path / 'b.npy'}') has length 29 but A has 5,000 rows"):
        ls.open_problem(store / "tall.zarr", tmp_path / "b.npy")
    np.save(tmp_path / "B.npy", np.ones((30, 2)))
    with _raises(f"b ('{tmp_path / 'B.npy'}') must be a vector (1-D), or one row or one "
                 "column; it declares shape (30, 2)."):
        ls.open_problem(tmp_path / "A.npy", tmp_path / "B.npy")
    with _raises(f"b must be given: '{tmp_path / 'A.npy'}' holds A only"):
        ls.open_problem(tmp_path / "A.npy")


@pytest.mark.parametrize("name, array, message", [
    ("A.npy", np.ones(4), "it declares shape (4,)"),
    ("A.npy", np.ones((2, 2, 2)), "it declares shape (2, 2, 2)"),
    ("A.npy", np.ones((2, 2), complex), "must hold real numbers (a float or integer dtype)"),
    ("A.npy", np.ones((2, 2), bool), "must hold real numbers (a float or integer dtype)"),
    ("A.npy", np.array([["a", "b"]]), "must hold numbers; its header declares dtype <U1"),
    ("A.npy", np.ones((0, 2)), "must have at least one row and one column"),
])
def test_a_npy_a_that_is_not_a_real_matrix_is_refused(tmp_path, name, array, message):
    np.save(tmp_path / name, array)
    with pytest.raises(ValueError, match=re.escape(message)):
        open_arrays(tmp_path / name)


def test_pickled_npy_is_refused_without_unpickling(tmp_path):
    np.save(tmp_path / "A.npy", np.array([[object(), None]], dtype=object), allow_pickle=True)
    with _raises(f"A file '{tmp_path / 'A.npy'}' holds pickled Python objects; only plain "
                 "numeric arrays are read."):
        ls.open_problem(tmp_path / "A.npy", tmp_path / "A.npy")


def test_missing_wrong_or_truncated_files_are_refused(tmp_path):
    with _raises(f"path_A '{tmp_path / 'none.npy'}' does not exist."):
        ls.open_problem(tmp_path / "none.npy", tmp_path / "b.npy")
    (tmp_path / "A.csv").write_text("1,2\n")
    with _raises(f"path_A '{tmp_path / 'A.csv'}' must be a .npy file or a zarr store (a "
                 "directory); received '.csv'."):
        ls.open_problem(tmp_path / "A.csv", tmp_path / "A.csv")
    np.save(tmp_path / "A.npy", np.ones((100, 3)))
    data = (tmp_path / "A.npy").read_bytes()
    (tmp_path / "A.npy").write_bytes(data[:-8])
    with _raises(f"A file '{tmp_path / 'A.npy'}' is not a valid .npy array: it is truncated"):
        open_arrays(tmp_path / "A.npy")
    (tmp_path / "empty").mkdir()
    with _raises(f"A '{tmp_path / 'empty'}' is not a zarr store"):
        open_arrays(tmp_path / "empty")
    with _raises("path_A must be a path (a zarr store or a .npy file); received 3."):
        open_arrays(3)
    with _raises("chunk_rows must be at least 1; received 0."):
        open_arrays(tmp_path / "A.csv", chunk_rows=0)


def test_paths_outside_data_dir_are_refused(tmp_path):
    inside, outside = tmp_path / "data", tmp_path / "elsewhere"
    inside.mkdir()
    outside.mkdir()
    for folder in (inside, outside):
        np.save(folder / "A.npy", np.ones((4, 2)))
        np.save(folder / "b.npy", np.full(4, 0.25))
    (inside / "link.npy").symlink_to(outside / "A.npy")
    (inside / "sub").mkdir()
    root = inside.resolve()
    for path_A in (outside / "A.npy", "../elsewhere/A.npy", "sub/../../elsewhere/A.npy",
                   "link.npy"):
        with _raises(f"path_A '{path_A}' lies outside the data directory '{root}'; only data "
                     "inside it is opened."):
            ls.open_problem(path_A, "b.npy", data_dir=inside)
    with _raises(f"path_b '{outside / 'b.npy'}' lies outside the data directory '{root}'"):
        ls.open_problem("A.npy", outside / "b.npy", data_dir=inside)
    assert ls.open_problem("sub/../A.npy", inside / "b.npy", data_dir=inside).n == 4
    with _raises(f"data_dir '{tmp_path / 'nowhere'}' is not a directory."):
        ls.open_problem("A.npy", "b.npy", data_dir=tmp_path / "nowhere")


# -- the catalogue ---------------------------------------------------------------------------

def test_list_stores_reads_metadata_only(store, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    _make(folder / "one.zarr", 300, 4, "--chunk-rows", "100", "--seed", "5")
    for chunk in (folder / "one.zarr").rglob("*"):  # every chunk of data (under c/), gone
        if chunk.is_file() and "c" in chunk.relative_to(folder / "one.zarr").parts:
            chunk.unlink()
    (folder / "notes.txt").write_text("not a store")
    (folder / "empty").mkdir()
    (folder / ".hidden.zarr").mkdir()
    (folder / "away.zarr").symlink_to(store / "tall.zarr")  # a store, but outside
    info, = ls.list_stores(folder)
    assert info == ls.StoreInfo(name="one.zarr", n=300, d=4, dtype="float64",
                                disk_bytes=info.disk_bytes, chunk_rows=100, has_b=True,
                                has_x_true=True, kind="softmax", gamma=None, seed=5)
    assert 0 < info.disk_bytes < 300 * 4 * 8  # metadata files only now


def test_open_store_takes_a_listed_name_only(store):
    prob = ls.open_store(store, "tall.zarr")
    assert (prob.n, prob.d, prob.kind, prob.gamma) == (5000, 7, "unified", 1.0)
    assert prob.x_true is not None
    for name in ("../tall.zarr", str(store / "tall.zarr"), "tall.zarr/A", "other.zarr", 3):
        with _raises(f"name must be one of the stores in '{store.resolve()}' ('tall.zarr'); "
                     "received"):
            ls.open_store(store, name)


# -- damaged stores in a data directory ---------------------------------------------------

def _edit(path, change):
    meta = json.loads(path.read_text())
    change(meta)
    path.write_text(json.dumps(meta))


def test_a_damaged_store_is_left_out_of_the_list_and_the_others_stay(tmp_path):
    """Found in review: one damaged store (complex dtype, row chunks of 0, garbage
    metadata, a link loop) made list_stores raise, which took the app's whole server
    data source down. Each is now left out; a good store beside them is still listed."""
    from landscape.data.writer import write_store

    for name in ("good.zarr", "complex.zarr", "chunk0.zarr", "garbage.zarr"):
        write_store(tmp_path / name, 300, 4, seed=1, chunk_rows=100)
    _edit(tmp_path / "complex.zarr" / "A" / "zarr.json",
          lambda m: m.update(data_type="complex128"))
    _edit(tmp_path / "chunk0.zarr" / "A" / "zarr.json",
          lambda m: m["chunk_grid"]["configuration"].update(chunk_shape=[0, 4]))
    (tmp_path / "garbage.zarr" / "A" / "zarr.json").write_text("{not json")
    (tmp_path / "loop1.zarr").symlink_to(tmp_path / "loop2.zarr")
    (tmp_path / "loop2.zarr").symlink_to(tmp_path / "loop1.zarr")
    assert [s.name for s in ls.list_stores(tmp_path)] == ["good.zarr"]


def test_a_store_whose_chunk_cannot_be_read_is_refused_naming_it(tmp_path):
    from landscape.data.writer import write_store

    write_store(tmp_path / "cut.zarr", 300, 4, seed=1, chunk_rows=100)
    chunk = sorted((tmp_path / "cut.zarr" / "A").rglob("c/*/*"))[0]
    with open(chunk, "r+b") as handle:
        handle.truncate(10)
    with pytest.raises(ValueError, match=r"^A \('cut.zarr'\) cannot be read at rows 0 to"):
        ls.open_store(tmp_path, "cut.zarr")


def test_a_store_with_a_missing_chunk_is_refused_not_read_as_zeros(tmp_path):
    """Found in review: zarr reads a missing chunk as its fill value (zeros), so a
    damaged store opened silently with wrong data."""
    from landscape.data.writer import write_store

    write_store(tmp_path / "holed.zarr", 300, 4, seed=1, chunk_rows=100)
    sorted((tmp_path / "holed.zarr" / "A").rglob("c/*/*"))[0].unlink()
    with pytest.raises(ValueError, match=r"is incomplete: 1 of its 3 chunks are missing"):
        ls.open_store(tmp_path, "holed.zarr")
