"""The README's API example runs as printed, and every library name it shows exists."""

import importlib
import re
import runpy
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs(tmp_path, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "the README lost its API example"
    script = tmp_path / "example.py"
    script.write_text(blocks[0])
    runpy.run_path(str(script), run_name="__main__")
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "True"           # H equals its parts
    assert out[3] == "(1000,)"        # batched loss shape
    assert out[4].startswith("ProblemSummary(n=500, d=20, kind='unified'")
    assert out[5] == "(201, 201) False"
    assert out[6].startswith("converged") and out[6].endswith("True")


def test_readme_names_both_commands_and_ci_calls_the_test_one():
    text = README.read_text()
    assert "make run" in text and "make test" in text
    ci = (README.parent / ".ci" / "run").read_text()
    assert "make test" in ci


def _resolve(dotted: str):
    """The object a dotted name such as ``landscape.spectral.basin_condition`` names:
    the longest importable module prefix, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


def test_every_library_name_the_readme_shows_exists():
    """The README's public API: each ``landscape.*`` name it writes out, each function
    of its table (``ls.name``) and each method it calls on ``prob``."""
    import landscape as ls
    text = README.read_text()
    dotted = set(re.findall(r"`(landscape(?:\.\w+)+)", text))
    assert {"landscape.spectral.rounding_tolerance", "landscape.optimize.diagnose"} <= dotted
    for name in sorted(dotted):
        _resolve(name)
    library = text.split("## The library", 1)[1].split("\n## ", 1)[0]
    first_cells = [row.split(" | ")[0] for row in library.splitlines() if row.startswith("| `")]
    assert len(first_cells) >= 8, "the README lost its table of library names"
    for cell in first_cells:
        for code in re.findall(r"`([^`]+)`", cell):
            if code.startswith("landscape."):
                continue  # a dotted name, resolved above
            method = re.match(r"prob\.(\w+)", code)
            if method:
                assert hasattr(ls.Problem, method.group(1)), code
            else:
                assert hasattr(ls, re.match(r"\w+", code).group(0)), code
