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
                if not node.module:  # from . import a, b: the modules a and b
                    names.update(".".join([*base, alias.name]) for alias in node.names)
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
    """Streamlit is the UI layer's alone; a benchmark that talks to the server may use
    its wire format (``streamlit.proto``), nothing else of it."""
    allowed = set(UI) | set(PAGES)
    for path in [*files_in(PACKAGE), *files_in(ROOT / "benchmarks")]:
        if path in allowed:
            continue
        modules = imported_modules(path)
        if path.parent.name == "benchmarks":
            modules = {m for m in modules if not m.startswith("streamlit.proto")}
        assert "streamlit" not in roots(modules), path


def test_the_checker_sees_relative_imports(tmp_path):
    # guard the guard: a relative import of ..ui from a numerics module is caught
    fake = PACKAGE / "_probe_tmp.py"
    fake.write_text("from .ui import page_setup\nimport numpy\n")
    try:
        assert "landscape.ui" in imported_modules(fake)
    finally:
        fake.unlink()


# -- what a page calls, not only what it imports ----------------------------------

def page_attribute_uses(path: Path) -> list[tuple[str, str]]:
    """(module imported by the page, attribute) for every ``alias.attr`` in a page,
    e.g. ("landscape.ui", "bind") for ``ui.bind`` after ``from landscape import ui``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("landscape"):
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return [(aliases[node.value.id], node.attr) for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id in aliases]


def defined_in_ui(obj) -> bool:
    """Whether an object a page may call belongs to the ui layer: a function or class
    of landscape.ui, or plain data (labels, tuples of choices)."""
    import types
    if isinstance(obj, types.ModuleType):
        return False
    module = getattr(obj, "__module__", None)
    if module is None or isinstance(obj, (dict, tuple, list, str, int, float)):
        return True
    return module.startswith("landscape.ui")


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_call_only_the_ui_layer(path):
    import importlib
    for module_name, attr in page_attribute_uses(path):
        obj = getattr(importlib.import_module(module_name), attr)
        assert defined_in_ui(obj), (f"{path.name} reaches {module_name}.{attr}, which is "
                                    f"{getattr(obj, '__module__', obj)!r}: pages call landscape.ui only")


def test_the_ui_facade_is_honest():
    import landscape.ui as ui
    source = (PACKAGE / "ui" / "__init__.py").read_text()
    for name in ui.__all__:
        assert defined_in_ui(getattr(ui, name)), name
    for node in ast.parse(source).body:  # one name per import line
        if isinstance(node, ast.ImportFrom):
            assert len(node.names) == 1, ast.unparse(node)


def test_no_import_cycles_in_the_ui_layer():
    graph = {f"landscape.ui.{p.stem}": {m for m in imported_modules(p) if m.startswith("landscape.ui.")}
             for p in UI if p.stem != "__init__"}

    def visit(node, trail):
        assert node not in trail, " -> ".join([*trail, node])
        for nxt in graph.get(node, ()):
            visit(nxt, [*trail, node])

    for start in graph:
        visit(start, [])


def test_the_checker_sees_a_page_reaching_past_the_ui(tmp_path):
    page = tmp_path / "probe.py"
    page.write_text("from landscape import ui\nfrom landscape.ui import landscape_view as lv\n"
                    "lv.surface_figures.contour_figure\n")
    uses = page_attribute_uses(page)
    assert ("landscape.ui.landscape_view", "surface_figures") in uses
    import landscape.ui.landscape_view as lv
    assert not defined_in_ui(lv.surface_figures)
