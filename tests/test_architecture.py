"""The layers, enforced by parsing every import: pages/ and app.py -> landscape.ui ->
landscape.figures -> the numerics (the rest of landscape/) -> numpy, scipy. The numerics
import neither plotly nor streamlit; figures never import streamlit; pages are thin and
call the ui layer only; no module imports itself back through a chain of imports."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "landscape"


def module_name(path: Path) -> str:
    """``landscape/spectral/theory.py`` -> ``landscape.spectral.theory`` (a package's
    ``__init__.py`` is the package)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, package: str | None = None) -> set[str]:
    """Top-level and package-relative modules imported by a file (relative ones
    resolved against ``package``, by default the file's own package)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    if package is None:
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
    fake = tmp_path / "_probe.py"
    fake.write_text("from .ui import page_setup\nfrom . import losses\nimport numpy\n")
    assert {"landscape.ui", "landscape.losses", "numpy"} <= imported_modules(fake, "landscape")


# -- no import cycles ---------------------------------------------------------------

def import_graph(paths: list[Path]) -> dict[str, set[str]]:
    """module -> the modules of ``paths`` it imports; ``from pkg import sub`` counts
    as importing ``pkg.sub``, and a module's own parent packages (always imported
    first, by Python itself) are left out."""
    nodes = {module_name(p): p for p in paths}
    graph = {}
    for name, path in nodes.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] \
                    if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        graph[name] = {m for m in found if m in nodes and m != name} - ancestors
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first = last), or None."""
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return [*trail[trail.index(nxt):], nxt] if nxt in trail else [node, nxt]
            if nxt not in state:
                cycle = visit(nxt, [*trail, nxt])
                if cycle:
                    return cycle
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start, [start])
            if cycle:
                return cycle
    return None


def test_no_import_cycles_in_the_library():
    cycle = find_cycle(import_graph(files_in(PACKAGE)))
    assert cycle is None, " -> ".join(cycle)


def test_the_cycle_finder_sees_a_cycle(tmp_path, monkeypatch):
    (tmp_path / "landscape").mkdir()
    for name, text in {"a": "from . import b\n", "b": "from .c import thing\n",
                       "c": "import landscape.a\n", "d": "from . import a\n"}.items():
        (tmp_path / "landscape" / f"{name}.py").write_text(text)
    monkeypatch.setattr(__import__(__name__), "ROOT", tmp_path)
    graph = import_graph(sorted((tmp_path / "landscape").glob("*.py")))
    assert graph["landscape.d"] == {"landscape.a"}
    assert find_cycle(graph) == ["landscape.a", "landscape.b", "landscape.c", "landscape.a"]


def test_every_library_module_says_its_concept_first():
    """Each module opens with a docstring whose first line names its one concept."""
    for path in files_in(PACKAGE):
        doc = ast.get_docstring(ast.parse(path.read_text()))
        assert doc and doc.splitlines()[0].strip(), f"{path.relative_to(ROOT)} has no docstring"


# -- modules a newcomer reads in one sitting ------------------------------------------

#: the most lines a module of landscape/ may have: one concept, read in one sitting
MAX_MODULE_LINES = 400
#: modules allowed above it for now, each with its reason; remove an entry once split
LONG_MODULES: dict[str, str] = {}  # name -> why it may be longer (none today)


def module_lengths() -> dict[str, int]:
    return {path.relative_to(ROOT).as_posix(): len(path.read_text().splitlines())
            for path in files_in(PACKAGE)}


def test_no_library_module_is_over_400_lines():
    long = {name: lines for name, lines in module_lengths().items()
            if lines > MAX_MODULE_LINES and name not in LONG_MODULES}
    assert not long, f"split these modules (one concept each): {long}"


def test_every_exception_to_the_length_rule_is_still_needed():
    lengths = module_lengths()
    stale = [name for name in LONG_MODULES if lengths.get(name, 0) <= MAX_MODULE_LINES]
    assert not stale, f"remove from LONG_MODULES (now short or gone): {stale}"


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
        where = getattr(obj, "__module__", obj)
        assert defined_in_ui(obj), (f"{path.name} reaches {module_name}.{attr}, which is "
                                    f"{where!r}: pages call landscape.ui only")


def test_the_ui_facade_is_honest():
    import landscape.ui as ui
    source = (PACKAGE / "ui" / "__init__.py").read_text()
    for name in ui.__all__:
        assert defined_in_ui(getattr(ui, name)), name
    for node in ast.parse(source).body:  # one name per import line
        if isinstance(node, ast.ImportFrom):
            assert len(node.names) == 1, ast.unparse(node)


def test_the_checker_sees_a_page_reaching_past_the_ui(tmp_path):
    page = tmp_path / "probe.py"
    page.write_text("from landscape import ui\nfrom landscape.ui import landscape_view as lv\n"
                    "lv.surface_figures.contour_figure\n")
    uses = page_attribute_uses(page)
    assert ("landscape.ui.landscape_view", "surface_figures") in uses
    import landscape.ui.landscape_view as lv
    assert not defined_in_ui(lv.surface_figures)
