"""Size limits: every threshold on n, d or a memory budget, named for what it bounds.

Three kinds. ``MAX_*``: sizes refused up front, with the reason and the limit.
``DENSE_*_MAX_*``: where a computation switches from a dense factorisation to a
matrix-free one (Lanczos on products); nothing is refused there. ``*_ENTRIES`` /
``*_ROWS``: how much a blocked loop holds at once, which bounds its memory
whatever n is.
"""

from __future__ import annotations

import os
from pathlib import Path

# -- refused above ----------------------------------------------------------------------

#: an in-memory A may take at most 1/MEMORY_PER_A of the machine's memory. Three
#: copies of A's size are alive at once at worst (the caller's array, the Problem's
#: own copy of it, the one more the Hessian assembly keeps); twice that leaves the
#: other half for everything else (the app's few cached problems, other processes).
#: 24 GB gives 4 GB, 5 * 10^8 entries: n = 10^6, d = 200 (1.6 GB) fits.
MEMORY_PER_A = 6


def machine_memory(meminfo: str = "/proc/meminfo",
                   cgroup_limits: tuple[str, ...] = (
                       "/sys/fs/cgroup/memory.max",  # cgroup v2
                       "/sys/fs/cgroup/memory/memory.limit_in_bytes")) -> int:  # v1
    """Bytes of memory this process may use: the machine's total (MemTotal of
    ``meminfo``, else ``os.sysconf``), or a cgroup's limit when that is smaller
    ("max", no limit, is skipped).

    The total, not what is free now: a size accepted once is accepted again.
    """
    total = None
    try:
        for line in Path(meminfo).read_text().splitlines():
            if line.startswith("MemTotal:"):
                total = int(line.split()[1]) * 1024  # the kernel writes kB (KiB)
                break
    except (OSError, ValueError, IndexError):
        total = None
    if total is None:
        try:
            total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (AttributeError, ValueError, OSError):  # not POSIX: assume 8 GB
            total = 8 * 2**30
    for limit_file in cgroup_limits:
        try:
            text = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def in_memory_entries(memory: int) -> int:
    """Entries of a float64 A allowed in memory on a machine of ``memory`` bytes:
    ``memory / (8 MEMORY_PER_A)``."""
    return max(1, int(memory) // (8 * MEMORY_PER_A))


#: bytes of memory this process may use (``machine_memory()``, read at import)
MACHINE_MEMORY = machine_memory()
#: entries of an in-memory A (n d), from this machine's memory: at most
#: 1/MEMORY_PER_A of ``MACHINE_MEMORY`` in float64 (``in_memory_entries``). Data
#: opened from disk (np.memmap, zarr, dask) is not held and not bounded by it.
MAX_ENTRIES = in_memory_entries(MACHINE_MEMORY)
#: d for which the dense (d, d) Hessian is formed at all: 800 MB at d = 10^4
MAX_HESSIAN_D = 10_000
#: bytes of a file read; larger inputs are refused before parsing
MAX_FILE_BYTES = 800 * 2**20
#: bytes of a .npy header read: NumPy's own default limit (np.save writes 128)
MAX_HEADER_BYTES = 10_000
#: grid points along one axis of a surface: a picture cannot show more detail
MAX_RESOLUTION = 1001
#: points of a 1-D slice of the loss
MAX_LINE_POINTS = 20001
#: entries of the iterates a run stores (k + 1 rows of d): 256 MB; ``max_iter`` is
#: capped to fit (for ``landscape.optimize``)
MAX_STORED = 2**25

# -- dense below, matrix-free above -------------------------------------------------------

#: d up to which ``spectrum`` (method "auto") forms H (32 MB at d = 2000) and finds
#: every eigenvalue by a dense eigh, O(n d^2 + d^3); also the limit of the views that
#: need every eigenvalue (the structure of H, the exact density histogram, the
#: Hessian eigenvectors as plane directions). Above, Lanczos gives the extremes.
DENSE_SPECTRUM_MAX_D = 2000
#: min(n, d) up to which A's singular values come from a dense SVD, O(n d min(n, d));
#: above, sigma_max by Lanczos on the smaller Gram matrix (sigma_min is not computed)
DENSE_SVD_MAX_SIDE = 2000
#: d up to which the basin condition forms dense Hessians, O(n d^2) at x* and at each
#: sample point; above, Lanczos on operators (for ``landscape.optimize``)
DENSE_BASIN_MAX_D = 1000
#: n up to which the (n, n) matrix B of MATH.md 3 is diagonalised densely in the
#: theory checks, O(n^3); above, Lanczos on B as an O(n) operator
DENSE_B_MAX_N = 1000
#: d up to which ``||H(y) - H(y')||_2`` in the Lipschitz estimate comes from two dense
#: Hessians, O(n d^2) each; above, Lanczos on the difference of two operators, which
#: is cheaper once n d^2 exceeds about 60 products of four passes over A
DENSE_DIFFERENCE_MAX_D = 200

# -- memory of blocked loops ----------------------------------------------------------

#: entries of A in one row block of data on disk (32 MB of float64): the default
#: chunk of a store written by ``python -m landscape.data make`` and of A opened by
#: ``landscape.open_problem``. Each block being read costs about twice its size (the
#: bytes read and the array decoded), one block per core at once. Peak memory and
#: time of a surface and 3 Newton steps at n = 10^7, d = 50 on a shared machine
#: (``benchmarks/scale_disk.py``; the same code varies by tenths of a GB and tens of
#: seconds): 64 MB blocks 1.92 GB before the passes were shared, 32 MB 1.48-1.54 GB,
#: 48 MB 1.64 GB, 16 MB 1.81 GB (glibc keeps blocks below its 32 MiB mmap threshold
#: in the threads' heaps when they are freed).
STORE_BLOCK_ENTRIES = 2**22

#: entries of the Lanczos basis kept at once by stochastic Lanczos quadrature (128 MB);
#: probes are processed in chunks below this
SLQ_BASIS_ENTRIES = 2**24
#: rows of A (entries of z = A x) handled at once by the fast plane evaluator: its
#: memory is a few (G, 4096) blocks for a G x G grid
PLANE_BLOCK_ROWS = 4096
#: entries of z = A x kept at once when many points are evaluated directly (32 MB)
BATCH_ENTRIES = 2**22
