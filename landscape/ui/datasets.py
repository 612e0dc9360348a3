"""Data sets on the server: the stores in the data directory (``LANDSCAPE_DATA_DIR``,
default ``./data``; made by ``python -m landscape.data make``), chosen by name in the
sidebar (never a path a visitor types) and described from their metadata alone. A
page's computation on a large one is estimated first and waits for a confirmation;
once confirmed it runs under a longer time limit, with a progress bar and a Cancel
button that stops it at its next unit of work (``landscape.deadline``)."""

from __future__ import annotations

import contextvars
import os
import time
from pathlib import Path

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import in_cached_function

import landscape as ls
from landscape import engine
from landscape.text import number

from . import state
from .markdown import literal

DATA_DIR_ENV = "LANDSCAPE_DATA_DIR"
#: the most a confirmed computation on a server data set may take, in seconds
LARGE_COMPUTE_SECONDS = 900.0
#: vectors of length n a page keeps at once (z, f, c, p, s, D and the plane's P, Q, R,
#: with room for the optimisers' copies): the memory estimate is this many times 8n bytes
N_VECTORS = 16
#: passes over A a page makes with its default settings besides opening the data set,
#: as counted on a small store (``tests/test_app_datasets.py`` holds them to within a
#: factor of two): the Hessian page's Lanczos quadrature and the Newton page's race
#: (gradient descent among its methods) take one pass per product or step
PAGE_PASSES = {"Home": 4, "Landscape": 6, "Hessian": 150, "Newton": 330, "Compare": 38,
               "Tour": 6}  # the tour's last step: the Landscape page's map
#: the settings that give a page's grid points, each costing one loss term per row of A
PAGE_GRIDS = {"Landscape": ("landscape.resolution",), "Tour": ("landscape.resolution",),
              "Newton": (101,),
              "Compare": ("compare.resolution", "compare.resolution")}


def data_dir() -> Path:
    return Path(os.environ.get(DATA_DIR_ENV, "data"))


@st.cache_data(ttl=5, show_spinner=False)
def stores(directory: str) -> tuple:
    """The stores in ``directory`` (metadata only), or none when it does not exist."""
    return tuple(ls.list_stores(directory)) if Path(directory).is_dir() else ()


def store_info(name: str):
    """The listed store called ``name``, or None."""
    return next((s for s in stores(str(data_dir())) if s.name == name), None)


def size_text(nbytes: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{int(nbytes)} bytes"


def describe(info) -> str:
    """One line: n, d, size on disk and the chunks a store is written in."""
    return (f"n = {info.n:,}, d = {info.d:,}, {size_text(info.disk_bytes)} on disk, "
            f"stored in chunks of {info.chunk_rows:,} rows")


def chooser(box) -> None:
    """The sidebar's choice among the data sets, and what the chosen one is."""
    found = stores(str(data_dir()))
    if not found:
        box.info(literal(f"No data sets in {data_dir()} on this server. Whoever runs the "
                         "server makes one with: python -m landscape.data make --n 1000000 "
                         f"--d 50 --out {data_dir() / 'tall.zarr'}"))
        return
    choose_first()
    name = state.bind("problem.store", box, options=[s.name for s in found])
    box.caption(literal(describe(store_info(name))))
    try:
        where = engine.describe()
    except (ConnectionError, ValueError) as err:  # the configured cluster is unreachable
        box.error(literal(str(err)))
        return
    if where["address"]:
        box.caption(literal(f"Computed on the Dask cluster at {where['address']}: "
                            f"{where['workers']} workers"))


def check_name(name: str) -> None:
    """A link's data set must be one of the listed stores (never a path)."""
    if name and store_info(name) is None:
        raise ValueError(f"there is no data set of that name in this server's data directory "
                         f"({data_dir()})")


def choose_first() -> None:
    """No data set chosen yet: the first listed one (called before the page reads the
    settings, so that the page, the widget and the URL agree)."""
    if state.get("problem.source") == "server" and not state.get("problem.store"):
        found = stores(str(data_dir()))
        if found:
            state.put("problem.store", found[0].name)


def open_problem(s: dict) -> ls.Problem:
    """The problem of the chosen store with the sidebar's loss and w (opened once per
    store and w: opening checks every entry, a whole pass over A; γ is then a view)."""
    name = s["problem.store"]
    if store_info(name) is None:
        raise ValueError(f"there is no data set named {name!r} in this server's data "
                         f"directory ({data_dir()}); choose one of the listed data sets.")
    w = {"none": None, "constant": s["problem.w_value"]}.get(s["problem.w"], "softmax bound")
    if w == "softmax bound":
        raise ValueError("w = strongly convex is available for generated problems; choose "
                         "constant w for a data set on the server.")
    return _opened(str(data_dir()), name, w).with_gamma(s["problem.gamma"])


@st.cache_resource(max_entries=2, show_spinner="Opening the data set (one pass over A)...")
def _opened(directory: str, name: str, w) -> ls.Problem:
    return ls.open_store(directory, name, kind="softmax", w=w)


@st.cache_data(max_entries=16, show_spinner="Timing a read of the data set...")
def pass_seconds(directory: str, name: str) -> float:
    """Seconds for one pass over A of store ``name``: its first row block read and
    multiplied by a vector, times the number of blocks."""
    A = ls.stores.open_arrays(name, data_dir=directory).A
    started = time.perf_counter()
    block = np.asarray(A.blocks[0])
    block @ np.ones(block.shape[1])
    return (time.perf_counter() - started) * A.numblocks[0]


@st.cache_resource(show_spinner=False)
def grid_terms_per_second() -> float:
    """Loss terms (grid points x rows) per second of the plane evaluator on this
    server, timed on a 101 x 101 plane of n = 40,000 rows (about 0.1 s)."""
    prob = ls.make_problem(40_000, 4, seed=0)
    axis = ls.grid(1.0, 101)
    started = time.perf_counter()
    ls.surface_2d(prob, np.zeros(4), np.eye(4)[0], np.eye(4)[1], axis, axis)
    return 101 * 101 * 40_000 / (time.perf_counter() - started)


def estimate(name: str, page: str) -> str:
    """What a page's computation on store ``name`` will take: its passes over A (as
    counted on a small store, ``PAGE_PASSES``, one more to open it), each timed on a
    read of the first row block (the disk and the cluster set the pace), and its
    grid of loss values, at the plane evaluator's measured rate."""
    info = store_info(name)
    passes = PAGE_PASSES.get(page, 4) + 1
    one = pass_seconds(str(data_dir()), name)
    points = sum((g if isinstance(g, int) else state.get(g)) ** 2
                 for g in PAGE_GRIDS.get(page, ()))
    seconds = passes * one + points * info.n / grid_terms_per_second()
    plane = (f" and the loss at {points:,} points of a plane over all n rows" if points
             else "")
    return (f"This data set is large ({describe(info)}). This page makes about {passes} "
            f"passes over A ({number(one, 2)} s each, timed on its first row block){plane}: "
            f"about {number(seconds, 2)} s, with about {size_text(N_VECTORS * 8 * info.n)} "
            "of vectors of length n in memory.")


class Progress:
    """A ``landscape.deadline.watch`` report drawing one progress bar, at most every
    0.2 s (each draw is a point where Streamlit can stop the run: the Cancel button).

    The computations run inside cached functions, whose Streamlit calls are recorded
    to be replayed on a cache hit; a bar drawn outside them cannot be replayed, so
    each draw runs in a copy of the context marked as outside a cached function
    (Streamlit's own flag, ``in_cached_function``): it is shown, never recorded."""

    def __init__(self, slot) -> None:
        self.slot, self.last = slot, 0.0

    def __call__(self, what: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last >= 0.2:
            self.last = now
            contextvars.copy_context().run(self._draw, what, done, total)

    def _draw(self, what: str, done: int, total: int) -> None:
        in_cached_function.set(False)
        self.slot.progress(min(1.0, done / max(total, 1)), text=f"{what}: {done:,} of {total:,}")
