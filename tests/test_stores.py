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



def _sharded_store(path, rows=1000, d=5, chunk=100, shard=300):
    """A group holding a sharded A (zarr 3: ``shard`` rows per stored object, ``chunk``
    rows per inner chunk; the last shard is padded past the end) and b."""
    import zarr

    A = np.random.default_rng(3).standard_normal((rows, d))
    b = np.full(rows, 1.0 / d)
    group = zarr.open_group(path, mode="w")
    group.create_array("A", shape=A.shape, dtype="f8", chunks=(chunk, d), shards=(shard, d))[:] = A
    group.create_array("b", shape=b.shape, dtype="f8", chunks=(rows,))[:] = b
    return A


@pytest.mark.parametrize("shard", [300, 500])
def test_a_sharded_store_opens_with_its_values(tmp_path, shard):
    """Found in review: zarr counts the inner chunks of every stored shard, padding
    past the end included (12 for 10 chunks of 1000 rows in shards of 300), so a
    complete sharded store was refused as "incomplete: -2 of its 10 chunks". (Shards of
    500 rows divide the rows evenly, a case the old count got right too.)"""
    A = _sharded_store(tmp_path / "sharded.zarr", shard=shard)
    prob = ls.open_store(tmp_path, "sharded.zarr")
    np.testing.assert_array_equal(np.asarray(prob.A), A)


def test_a_sharded_store_with_a_missing_shard_is_refused(tmp_path):
    _sharded_store(tmp_path / "holed.zarr", shard=300)
    shards = sorted(p for p in (tmp_path / "holed.zarr" / "A").rglob("c/*/*") if p.is_file())
    assert len(shards) == 4
    shards[1].unlink()
    with pytest.raises(ValueError, match=r"is incomplete: 1 of its 4 shards are missing"):
        ls.open_store(tmp_path, "holed.zarr")

# -- raw chunk files mapped, others read by zarr -----------------------------------------

def _zarr_A(path, A, **options):
    """A zarr array at ``path`` holding A, by ``zarr.create_array(**options)``."""
    import zarr

    zarr.create_array(store=str(path), shape=A.shape, dtype=A.dtype, **options)[...] = A


def _source(A):
    """The object a store's dask array reads its blocks from (``_RawRows`` or ``_Rows``)."""
    from landscape import zarr_rows

    found = [v for v in A.dask.values() if isinstance(v, (zarr_rows.RawRows, zarr_rows.Rows))]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("separator", ["/", "."])
def test_raw_chunk_files_are_mapped_and_equal_zarrs_read(tmp_path, separator):
    """An uncompressed zarr v3 A (the writer's layout) is read by mapping its chunk
    files: the same numbers as zarr's own read, the padded last chunk cut at n, blocks
    across chunk boundaries joined, a block inside one chunk a view of the file."""
    from landscape import zarr_rows

    A = np.random.default_rng(0).standard_normal((1030, 6))  # last chunk: 30 of 100 rows
    _zarr_A(tmp_path / "A.zarr", A, chunks=(100, 6), compressors=None,
            chunk_key_encoding={"name": "default", "separator": separator})
    last = (tmp_path / "A.zarr").joinpath(*f"c{separator}10{separator}0".split("/"))
    assert last.stat().st_size == 100 * 6 * 8  # zarr writes it full size
    np.save(tmp_path / "b.npy", np.full(1030, 1 / 1030))
    for chunk_rows in (None, 100, 150, 1000):
        arrays = open_arrays(tmp_path / "A.zarr", tmp_path / "b.npy", chunk_rows=chunk_rows)
        source = _source(arrays.A)
        assert isinstance(source, zarr_rows.RawRows)
        assert np.array_equal(arrays.A.compute(), A)
    block = source[200:300, :]
    assert np.array_equal(block, A[200:300]) and not block.flags.owndata
    assert not block.flags.writeable  # mapped read-only
    assert np.array_equal(source[1000:1030, 2:4], A[1000:, 2:4])
    prob = ls.open_problem(tmp_path / "A.zarr", tmp_path / "b.npy", kind="unified")
    x = np.linspace(-1, 1, 6)
    memory = ls.Problem(A, prob.b, kind="unified")
    np.testing.assert_allclose(prob.gradient(x), memory.gradient(x), rtol=1e-12)


def test_a_raw_store_of_another_numeric_dtype_is_mapped_as_it_is(tmp_path):
    from landscape import zarr_rows

    A = np.arange(600, dtype=np.int32).reshape(200, 3)
    _zarr_A(tmp_path / "A.zarr", A, chunks=(64, 3), compressors=None)
    np.save(tmp_path / "b.npy", np.full(200, 1 / 200))
    arrays = open_arrays(tmp_path / "A.zarr", tmp_path / "b.npy")
    assert isinstance(_source(arrays.A), zarr_rows.RawRows) and arrays.A.dtype == np.int32
    assert np.array_equal(arrays.A.compute(), A)


@pytest.mark.parametrize("options", [
    dict(chunks=(100, 6)),  # zarr's default compressor
    dict(chunks=(100, 6), compressors=None, zarr_format=2),
    dict(chunks=(100, 3), compressors=None),  # column chunks
], ids=["compressed", "zarr-v2", "column-chunks"])
def test_other_stores_are_read_through_zarr(tmp_path, options):
    from landscape import zarr_rows

    A = np.random.default_rng(1).standard_normal((1030, 6))
    _zarr_A(tmp_path / "A.zarr", A, **options)
    np.save(tmp_path / "b.npy", np.full(1030, 1 / 1030))
    arrays = open_arrays(tmp_path / "A.zarr", tmp_path / "b.npy", chunk_rows=150)
    assert isinstance(_source(arrays.A), zarr_rows.Rows)
    assert np.array_equal(arrays.A.compute(), A)


def test_a_big_endian_store_is_read_through_zarr(tmp_path):
    from zarr.codecs import BytesCodec

    from landscape import zarr_rows

    A = np.random.default_rng(2).standard_normal((300, 4))
    _zarr_A(tmp_path / "A.zarr", A, chunks=(100, 4), compressors=None,
            serializer=BytesCodec(endian="big"))
    np.save(tmp_path / "b.npy", np.full(300, 1 / 300))
    arrays = open_arrays(tmp_path / "A.zarr", tmp_path / "b.npy")
    assert isinstance(_source(arrays.A), zarr_rows.Rows)
    assert np.array_equal(arrays.A.compute(), A)


def test_a_raw_chunk_file_of_the_wrong_size_is_refused_naming_rows_and_file(tmp_path):
    from landscape.data.writer import write_store

    write_store(tmp_path / "cut.zarr", 300, 4, seed=1, chunk_rows=100)
    chunks = tmp_path / "cut.zarr" / "A" / "c"
    with open(chunks / "1" / "0", "r+b") as handle:
        handle.truncate(10)
    with _raises("A ('cut.zarr') cannot be read at rows 0 to 300: its chunk file 'c/1/0' "
                 "holds 10 bytes where a chunk of 100 rows holds 3,200 (truncated or "
                 "damaged)."):
        ls.open_store(tmp_path, "cut.zarr")
    with open(chunks / "1" / "0", "ab") as handle:
        handle.write(b"\0" * 4000)  # now too long: not a chunk either
    with _raises("A ('cut.zarr') cannot be read at rows 100 to 200: its chunk file 'c/1/0' "
                 "holds 4,010 bytes"):
        ls.open_store(tmp_path, "cut.zarr", chunk_rows=100)


def test_a_raw_chunk_file_gone_after_opening_is_refused_naming_the_rows(tmp_path):
    from landscape.data.writer import write_store

    write_store(tmp_path / "s.zarr", 300, 4, seed=1, chunk_rows=100)
    prob = ls.open_store(tmp_path, "s.zarr")
    (tmp_path / "s.zarr" / "A" / "c" / "2" / "0").unlink()
    with _raises("A ('s.zarr') cannot be read at rows 0 to 300: FileNotFoundError:"):
        prob.gradient(np.zeros(4))


def test_a_damaged_compressed_chunk_is_refused_naming_the_rows(tmp_path):
    """The zarr path keeps its refusal: the codec's error, with the store and rows."""
    import zarr

    group = zarr.open_group(store=str(tmp_path / "z.zarr"), mode="w")
    A = np.random.default_rng(3).standard_normal((300, 4))
    group.create_array("A", shape=A.shape, chunks=(100, 4), dtype="float64")[...] = A
    group.create_array("b", shape=(300,), chunks=(300,), dtype="float64")[...] = 1 / 300
    (tmp_path / "z.zarr" / "A" / "c" / "0" / "0").write_bytes(b"not zstd")
    with pytest.raises(ValueError, match=r"^A \('z.zarr'\) cannot be read at rows 0 to 300: "):
        ls.open_store(tmp_path, "z.zarr")
