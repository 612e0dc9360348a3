"""Shared test settings: a deterministic Hypothesis profile (selected in CI and by
default) and a seeded generator per test."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# AppTest reads .streamlit/config.toml, whose showErrorDetails = "type" hides a bug's
# message from visitors; a failing test must show it whole
from streamlit import config as _streamlit_config  # noqa: E402

_streamlit_config.set_option("client.showErrorDetails", "full")

# fixtures that several test modules use, made visible to all of them here (a test
# module that imported them itself would shadow each import with a test argument)
from browser_support import browser, server  # noqa: E402, F401 - the browser tests' fixtures
from test_hardening import zip_bomb  # noqa: E402, F401 - test_upload_fuzz's fixture


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(scope="module")
def cluster():
    """A dask.distributed cluster of two single-threaded worker processes (one per test
    module that asks), with a client; closed at the module's end.

    Worker processes are spawned, and a spawned process first runs the parent's
    ``__main__`` file; after the app tests that may be a page script, which fails
    outside Streamlit. A blank ``__main__`` stands in while the cluster lives (the
    Nanny also spawns a worker again when one dies)."""
    import sys
    import types

    from distributed import Client, LocalCluster
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                          dashboard_address=None) as local, Client(local) as client:
            yield client
    finally:
        sys.modules["__main__"] = main
