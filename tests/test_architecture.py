"""The layering of DESIGN.md, enforced by parsing every import."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "landscape"


def imported_modules(path: Path) -> set[str]:
    """Top-level and package-relative modules imported by a file (relative ones
    resolved against the landscape package)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                names.add(".".join(base + ([node.module] if node.module else [])))
            else:
                names.add(node.module)
    return names


def files_in(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


NUMERICS = [p for p in files_in(PACKAGE)
            if not {"figures", "ui"} & set(p.relative_to(PACKAGE).parts)]
FIGURES = files_in(PACKAGE / "figures")
UI = files_in(PACKAGE / "ui")
PAGES = [ROOT / "app.py", *files_in(ROOT / "pages")]


def roots(names):
    return {n.split(".")[0] for n in names}


def test_the_layers_are_not_empty():
    assert len(NUMERICS) >= 5 and UI and PAGES[0].exists()


@pytest.mark.parametrize("path", NUMERICS, ids=lambda p: p.name)
def test_numerics_import_neither_plotly_nor_streamlit(path):
    mods = imported_modules(path)
    assert not roots(mods) & {"plotly", "streamlit"}, mods
    assert not any(m.startswith(("landscape.figures", "landscape.ui")) for m in mods), mods


@pytest.mark.parametrize("path", FIGURES, ids=lambda p: p.name)
def test_figures_never_import_streamlit(path):
    mods = imported_modules(path)
    assert "streamlit" not in roots(mods)
    assert not any(m.startswith("landscape.ui") for m in mods), mods


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_are_thin(path):
    mods = imported_modules(path)
    assert not roots(mods) & {"numpy", "scipy"}, f"{path.name} does numerics: {mods}"
    # pages talk to the library through landscape.ui only
    assert all(m in {"streamlit", "landscape", "landscape.ui"} or m.startswith("streamlit.")
               for m in mods), mods
    assert "cache_data" not in path.read_text(), "caching belongs in landscape.ui"


def test_streamlit_only_in_ui_and_pages():
    allowed = set(UI) | set(PAGES)
    for path in [*files_in(PACKAGE), *files_in(ROOT / "benchmarks")]:
        if path not in allowed:
            assert "streamlit" not in roots(imported_modules(path)), path


def test_the_checker_sees_relative_imports(tmp_path):
    # guard the guard: a relative import of ..ui from a numerics module is caught
    fake = PACKAGE / "_probe_tmp.py"
    fake.write_text("from .ui import page_setup\nimport numpy\n")
    try:
        assert "landscape.ui" in imported_modules(fake)
    finally:
        fake.unlink()
