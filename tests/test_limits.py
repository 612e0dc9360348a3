"""The in-memory size cap, derived from the machine's memory (landscape.limits)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import landscape as ls
import landscape.validation
from landscape import limits

GB = 2**30


def test_the_cap_is_a_sixth_of_the_memory_in_float64():
    assert limits.in_memory_entries(24 * GB) == 24 * GB // (8 * limits.MEMORY_PER_A)
    assert limits.in_memory_entries(24 * GB) >= 10**6 * 200  # 1.6 GB fits on 24 GB
    assert limits.in_memory_entries(8 * GB) < 10**6 * 200  # and not on 8 GB
    assert limits.MAX_ENTRIES == limits.in_memory_entries(limits.MACHINE_MEMORY)


def test_the_memory_is_the_total_or_the_cgroups_limit(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       25165824 kB\nMemFree:        1000 kB\n")
    unlimited, small = tmp_path / "max", tmp_path / "limit"
    unlimited.write_text("max\n")
    small.write_text(f"{4 * GB}\n")
    assert limits.machine_memory(str(meminfo), (str(unlimited),)) == 24 * GB
    assert limits.machine_memory(str(meminfo), (str(unlimited), str(small))) == 4 * GB
    assert limits.machine_memory(str(tmp_path / "none"), ()) > 0  # os.sysconf


def test_refusals_name_the_limit_in_entries_and_bytes(monkeypatch):
    monkeypatch.setattr(landscape.validation, "MAX_ENTRIES", 10**8)
    with pytest.raises(ValueError, match="^" + re.escape(
            "n × d must be at most 10⁸ entries (0.8 GB of float64, 1/6 of this machine's "
            "memory) for A held in memory (A would take 8.0 GB and the Hessian assembly as "
            "much again); received n = 1000000, d = 1000.")):
        ls.make_problem(10**6, 10**3)


def test_n_a_million_d_two_hundred_passes_the_cap_here():
    if limits.MACHINE_MEMORY >= 24 * 10**9:
        landscape.validation.check_size(10**6, 200)  # no error: 1.6 GB
    with pytest.raises(ValueError, match=r"^n × d must be at most"):
        landscape.validation.check_size(limits.MAX_ENTRIES + 1, 1)
    assert np.isfinite(limits.MAX_ENTRIES * 8.0)
