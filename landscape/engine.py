"""Where the row-block tasks of ``landscape.rows`` run.

By default Dask's local threaded scheduler (nothing to start). A ``dask.distributed``
cluster instead when ``LANDSCAPE_DASK_SCHEDULER=tcp://host:port`` is set (read at the
first computation) or after ``use(address_or_client)``; ``use(None)`` goes back to the
local threads. Dask is imported only here and only when something is computed, so
``import landscape`` does not load it.

A worker that dies mid-computation is handled by Dask: its tasks are re-run on the
others (``distributed.scheduler.allowed-failures`` deaths per task, then a
``KilledWorker`` error naming the task).
"""

from __future__ import annotations

import os
import time

from .deadline import check

#: environment variable naming the scheduler of a dask.distributed cluster
SCHEDULER_VARIABLE = "LANDSCAPE_DASK_SCHEDULER"
#: seconds to wait for a scheduler before giving up with a ConnectionError
CONNECT_TIMEOUT = 5
#: seconds during which a scheduler that did not answer is not asked again (each
#: computation meanwhile raises the same ConnectionError, never runs elsewhere)
RETRY_SECONDS = 30

_state: dict = {"client": None, "owned": False, "configured": False, "failed": None}


def use(scheduler=None) -> None:
    """Run later computations on ``scheduler``: an address (``"tcp://host:port"``), an
    existing ``dask.distributed.Client``, or None for Dask's local threads.

    Raises ValueError for a malformed address and ConnectionError, naming the address,
    when no scheduler answers within ``CONNECT_TIMEOUT`` seconds.
    """
    _close_owned()
    _state["configured"], _state["failed"] = True, None
    if scheduler is None:
        return
    if isinstance(scheduler, str):
        try:
            _state["client"], _state["owned"] = _connect(scheduler), True
        except (ConnectionError, ValueError) as err:
            # never fall back to local threads unasked: the same error until a retry
            _state["failed"] = (time.monotonic(), err, scheduler)
            raise
        return
    from distributed import Client
    if not isinstance(scheduler, Client):
        raise ValueError("scheduler must be None, an address such as 'tcp://host:8786' or a "
                         f"dask.distributed.Client; received {type(scheduler).__name__}.")
    _state["client"] = scheduler


def _connect(address: str):
    """A client of the scheduler at ``address``, or a clear error within the timeout."""
    if "://" not in address or not address.split("://", 1)[1]:
        raise ValueError(f"the Dask scheduler address must look like 'tcp://host:port'; "
                         f"received {address!r} (from {SCHEDULER_VARIABLE} or engine.use).")
    from distributed import Client
    try:
        return Client(address, timeout=f"{CONNECT_TIMEOUT}s", set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise ConnectionError(f"no Dask scheduler answered at {address!r} within "
                              f"{CONNECT_TIMEOUT} s ({type(err).__name__}: {err}). Start one "
                              f"(`dask scheduler`) or unset {SCHEDULER_VARIABLE}.") from None
    except ValueError as err:
        raise ValueError(f"the Dask scheduler address {address!r} is not valid: {err}") from None


def _close_owned() -> None:
    client = _state["client"]
    if client is not None and _state["owned"]:
        client.close()
    _state["client"], _state["owned"] = None, False


def client():
    """The ``dask.distributed.Client`` in use, or None for the local threads."""
    failed = _state.get("failed")
    if failed is not None:  # the configured scheduler did not answer: say so again,
        at, err, address = failed  # and try it again after RETRY_SECONDS
        if time.monotonic() - at < RETRY_SECONDS:
            raise err
        use(address)
    if not _state["configured"]:
        address = os.environ.get(SCHEDULER_VARIABLE, "").strip()
        use(address or None)
    return _state["client"]


def compute(tasks: list, what: str = "a pass over A") -> list:
    """The values of dask objects ``tasks`` (one per row block), computed on the engine
    in use. Between tasks ``deadline.check(what, done, total)`` runs: a time limit or
    a watcher (the app's progress bar and Cancel) can stop the pass, and the tasks
    not yet run are cancelled. Local threads take the tasks in waves of one per core,
    each task with one BLAS thread (threadpoolctl)."""
    cluster = client()
    total = len(tasks)
    if cluster is None:
        import dask
        from threadpoolctl import threadpool_limits
        wave = os.cpu_count() or 1
        out = []
        # one BLAS thread per task while a wave runs: the cores are taken by the tasks,
        # and BLAS's own threads on top of them made a pass up to 50 times slower
        with threadpool_limits(limits=1 if wave > 1 else None, user_api="blas"):
            for start in range(0, total, wave):
                check(what, start, total)
                out += dask.compute(*tasks[start:start + wave], scheduler="threads")
        return out
    from distributed import as_completed
    futures = cluster.compute(tasks)
    try:
        for done, _ in enumerate(as_completed(futures), start=1):
            check(what, done, total)
        return list(cluster.gather(futures))
    finally:
        cluster.cancel([f for f in futures if not f.done()])


def describe() -> dict:
    """``{"kind": "local threads" | "distributed", "address": str | None,
    "workers": int}`` for display (the local kind counts threads)."""
    cluster = client()
    if cluster is None:
        return {"kind": "local threads", "address": None, "workers": os.cpu_count() or 1}
    return {"kind": "distributed", "address": cluster.scheduler.address,
            "workers": len(cluster.nthreads())}
