"""Bad files through the app's upload widget (AppTest): each gets a message naming the
problem, the uploaders and the sidebar stay, nothing raises, and a file that declares
gigabytes costs no memory (its header is refused before its data is read)."""

import io
import tracemalloc

import numpy as np
import pytest
from apptest_support import open_page
from test_hardening import _npy_header, _zip


def npy(array, allow_pickle=False) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=allow_pickle)
    return buf.getvalue()


GOOD = npy(np.arange(12.0).reshape(4, 3) / 10)
CASES = {
    "header declaring 10^12 entries": ("A.npz", _zip({"A.npy": _npy_header((10**6, 10**6))}),
                                       "too large"),
    "truncated .npy": ("A.npy", GOOD[:-20], "truncated"),
    "0-d array": ("A.npy", npy(np.float64(3.0)), "must be a matrix"),
    "3-d array": ("A.npy", npy(np.zeros((2, 2, 2))), "must be a matrix"),
    "pickled objects": ("A.npy", npy(np.array([{"x": 1}], dtype=object), allow_pickle=True),
                        "pickle"),
    "complex numbers": ("A.npy", npy(np.ones((4, 3), complex)), "complex"),
    "NaN inside": ("A.npy", npy(np.full((4, 3), np.nan)), "finite"),
    "not a .npy at all": ("A.npy", b"hello, I am text", "not a valid .npy"),
    "empty file": ("A.csv", b"", "empty"),
    "text in a CSV": ("A.csv", b"1,2,3\n4,five,6\n", "line 2"),
    "mixed delimiters": ("A.csv", b"1 2\n3,4\n5,6\n", "mixes delimiters"),
    "refused extension": ("A.exe", b"MZ\x90\x00", "must end in .npy, .npz or .csv"),
    "header too long": ("A.npy", _npy_header((4, 3), version=2, pad=200_000) + bytes(96),
                        "header"),
    "a huge 1e308 entry": ("A.npy", npy(np.full((4, 3), 1e308)), "too large"),
}


def _shown(markdown: str) -> str:
    import re
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.mark.parametrize("name", list(CASES))
def test_a_bad_upload_is_named_and_the_app_keeps_working(name):
    filename, data, message = CASES[name]
    at = open_page("Landscape", **{"problem.source": "upload"})
    at.file_uploader(key="upload.a").upload(filename, data)
    at.file_uploader(key="upload.b").upload("b.csv", b"0.25\n0.25\n0.25\n0.25\n")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [_shown(e.value) for e in at.error]
    assert errors and message.lower() in errors[0].lower(), errors
    assert at.file_uploader(key="upload.a") and at.file_uploader(key="upload.b")
    assert at.sidebar.radio  # the rest of the sidebar is drawn


def test_a_zip_bomb_through_the_widget_costs_no_memory(zip_bomb):
    """2 MB on the wire, 2 GiB declared: refused from its header, the app's peak
    allocation stays far below the declared size."""
    at = open_page("Home", **{"problem.source": "upload"})
    tracemalloc.start()
    try:
        at.file_uploader(key="upload.a").upload("A.npz", zip_bomb).run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not at.exception
    assert "too large" in _shown(at.error[0].value)
    assert peak < 64 * 2**20, peak  # 2 MB upload, a few copies; never the 2 GiB
