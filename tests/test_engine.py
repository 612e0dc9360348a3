"""The engine of row-block tasks (landscape.engine): local threads by default, a
dask.distributed cluster by address, client or environment variable; a clear error,
fast, when no scheduler answers; a worker killed mid-computation is survived."""

import os
import signal
import socket
import threading
import time

import dask.array as da
import numpy as np
import pytest

import landscape as ls
from landscape import engine


@pytest.fixture(autouse=True)
def fresh_engine(monkeypatch):
    monkeypatch.delenv(engine.SCHEDULER_VARIABLE, raising=False)
    engine.use(None)
    yield
    engine.use(None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_local_threads_by_default():
    assert engine.describe() == {"kind": "local threads", "address": None,
                                 "workers": os.cpu_count()}


def test_unreachable_scheduler_is_a_clear_error_within_ten_seconds():
    address = f"tcp://127.0.0.1:{_free_port()}"
    start = time.perf_counter()
    with pytest.raises(ConnectionError, match=f"^no Dask scheduler answered at '{address}'"):
        engine.use(address)
    assert time.perf_counter() - start < 10
    # found in review: the next computation ran on local threads, unasked and unsaid;
    # now it meets the same error, at once, until the scheduler is asked again
    start = time.perf_counter()
    with pytest.raises(ConnectionError, match="no Dask scheduler answered"):
        engine.describe()
    assert time.perf_counter() - start < 1
    engine.use(None)  # chosen: local threads
    assert engine.describe()["kind"] == "local threads"


def test_an_unreachable_scheduler_in_the_environment_stops_every_computation(monkeypatch):
    prob = ls.Problem(da.from_array(np.ones((40, 3)), chunks=(10, 3)), np.full(40, 1 / 40))
    monkeypatch.setenv(engine.SCHEDULER_VARIABLE, f"tcp://127.0.0.1:{_free_port()}")
    engine._state.update(configured=False, failed=None)  # as in a new process
    for _ in range(2):
        with pytest.raises(ConnectionError, match="no Dask scheduler answered"):
            prob.gradient(np.zeros(3))


def test_malformed_address_and_odd_scheduler_are_refused():
    with pytest.raises(ValueError, match="^the Dask scheduler address must look like"):
        engine.use("localhost")
    with pytest.raises(ValueError, match="^scheduler must be None, an address"):
        engine.use(42)


def test_cluster_by_address_from_the_environment(cluster, monkeypatch):
    address = cluster.scheduler.address
    monkeypatch.setenv(engine.SCHEDULER_VARIABLE, address)
    monkeypatch.setitem(engine._state, "configured", False)  # as in a fresh process
    assert engine.describe() == {"kind": "distributed", "address": address, "workers": 2}
    # the workers run this working copy of the library, not another installed one
    files = cluster.run(lambda: __import__("landscape").__file__)
    assert set(files.values()) == {ls.__file__}
    engine.use(None)  # closes the client it opened, not the cluster
    assert cluster.nthreads() and engine.describe()["kind"] == "local threads"


def _slow(block):
    time.sleep(0.4)
    return block


def test_a_worker_killed_mid_surface_is_survived(cluster):
    """The pass over A takes about 2 s (slow blocks); one worker process is killed
    after 0.5 s; its tasks are re-run on the other (and the restarted) worker."""
    engine.use(cluster)
    ref = ls.make_problem(1200, 4, seed=5, kind="unified")
    A = da.from_array(np.array(ref.A), chunks=(100, 4)).map_blocks(_slow, dtype=float)
    prob = ls.Problem(np.array(ref.A), ref.b, kind="unified")
    prob.A = A  # the same data, read slowly (Problem would read it once to validate)
    pids = list(cluster.run(os.getpid).values())
    killer = threading.Timer(0.5, os.kill, (pids[0], signal.SIGKILL))
    start = time.perf_counter()
    killer.start()
    try:
        axis = np.linspace(-1, 1, 11)
        got = ls.surface_2d(prob, np.zeros(4), np.eye(4)[0], np.eye(4)[1], axis, axis)
    finally:
        killer.cancel()
    assert time.perf_counter() - start < 60
    want = ls.surface_2d(ref, np.zeros(4), np.eye(4)[0], np.eye(4)[1], axis, axis)
    np.testing.assert_allclose(got.values, want.values, rtol=1e-12)
    cluster.wait_for_workers(2, timeout=30)
    assert pids[0] not in cluster.run(os.getpid).values()  # it really was killed


def test_local_threads_run_each_task_with_one_blas_thread():
    """Found in review of the out-of-core benchmark: OpenBLAS's own threads inside the
    tasks of a wave oversubscribed the cores (a 2 s pass took up to 130 s)."""
    import os

    import dask
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas_threads(_):
        return max((i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"),
                   default=1)

    # two threads to begin with (importing landscape.ui sets the app server's one), so
    # that the engine has to bring them down
    with threadpool_limits(2, "blas"):
        before = blas_threads(None)
        seen = engine.compute([dask.delayed(blas_threads)(k) for k in range(4)])
        after = blas_threads(None)
    if (os.cpu_count() or 1) > 1:
        assert before == 2 and seen == [1, 1, 1, 1]
    assert after == before  # the process's own setting is back after the pass
