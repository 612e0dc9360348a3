"""The README's API example runs as printed."""

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
