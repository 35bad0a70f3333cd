"""The package's layers: every import (module level or inside a function) goes to the same layer or a
lower one, and no two modules import each other, directly or around a cycle.

Layers, lowest first: core 0 (number domains, verdicts), model 1, region 2 (one region's mathematics),
analysis 3 (whole-model operations), render, plot (the public figures) and testing 4, cli 5.  The package's own ``__init__`` is
the public API: it may import anything, and nothing inside the package may import it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import plrnn_symbolic

PACKAGE = "plrnn_symbolic"
ROOT = Path(plrnn_symbolic.__file__).resolve().parent
LAYERS = {"core": 0, "model": 1, "region": 2, "analysis": 3, "render": 4, "plot": 4, "testing": 4, "cli": 5}
API = len(LAYERS)              # the top package: above every layer


def package_modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package (a package is its __init__)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = [PACKAGE, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports_in(source: str, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The package's modules that ``source`` (the text of ``module``) imports, at any depth of the tree.

    ``from X import name`` imports the module ``X.name`` when that is a module, else ``X``."""
    here = module.split(".") if is_package else module.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = here[:len(here) - node.level + 1] if node.level else []
            base = ".".join(base + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:        # import a.b.c of a module a.b (an attribute c)
                t = t.rpartition(".")[0]
            if t and t != module:
                out.add(t)
    return out


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    modules = package_modules(root)
    known = set(modules)
    return {m: imports_in(p.read_text(encoding="utf-8"), m, p.name == "__init__.py", known)
            for m, p in modules.items()}


def layer_of(module: str) -> int:
    parts = module.split(".")
    if parts == [PACKAGE]:
        return API
    if parts[1] not in LAYERS:
        raise AssertionError(f"{module} is in no layer: add its subpackage to LAYERS")
    return LAYERS[parts[1]]


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Imports from a higher layer (the API package itself imports freely)."""
    return [f"{a} (layer {layer_of(a)}) imports {b} (layer {layer_of(b)})"
            for a, targets in sorted(graph.items()) if a != PACKAGE
            for b in sorted(targets) if layer_of(b) > layer_of(a)]


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


# ---- the package -------------------------------------------------------------------------------
def test_every_module_is_in_a_layer():
    for module in package_modules():
        layer_of(module)


def test_imports_only_go_down():
    assert upward_imports(import_graph()) == []


def test_no_import_cycles():
    assert import_cycles(import_graph()) == []


def test_only_the_cli_knows_argparse():
    known = {"argparse"}
    users = [m for m, p in package_modules().items()
             if imports_in(p.read_text(encoding="utf-8"), m, False, known) and layer_of(m) != LAYERS["cli"]]
    assert users == []


def names_like_their_module(modules: dict[str, Path]) -> list[str]:
    """Modules that define, or whose package's ``__init__`` binds, a name equal to the module's own:
    there ``import package.name`` and ``package.name`` would differ (a module and a function)."""
    out = []
    for module, path in modules.items():
        parent, _, name = module.rpartition(".")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == name for n in tree.body):
            out.append(f"{module} defines {name}")
        if parent in modules:
            init = ast.parse(modules[parent].read_text(encoding="utf-8"))
            bound = {a.asname or a.name for n in ast.walk(init) if isinstance(n, ast.ImportFrom) for a in n.names
                     if not (n.level and n.module is None)}      # ``from . import name`` binds the module itself
            if name in bound:
                out.append(f"{parent} binds {name}, which hides the module {module}")
    return out


def test_no_module_is_named_like_a_function_it_exports():
    functions = {n for n in plrnn_symbolic.__all__ if callable(getattr(plrnn_symbolic, n))}
    assert not {m.rpartition(".")[2] for m in package_modules()} & functions
    assert names_like_their_module(package_modules()) == []


# ---- the checks themselves can fail --------------------------------------------------------------
def test_an_upward_import_inside_a_function_is_found():
    known = {PACKAGE, f"{PACKAGE}.analysis", f"{PACKAGE}.analysis.fake", f"{PACKAGE}.cli", f"{PACKAGE}.cli.app",
             f"{PACKAGE}.core", f"{PACKAGE}.core.errors"}
    source = "from ..core.errors import InputError\n\ndef f():\n    from ..cli.app import emit\n    return emit\n"
    found = imports_in(source, f"{PACKAGE}.analysis.fake", False, known)
    assert found == {f"{PACKAGE}.core.errors", f"{PACKAGE}.cli.app"}
    assert upward_imports({f"{PACKAGE}.analysis.fake": found}) == [
        f"{PACKAGE}.analysis.fake (layer 3) imports {PACKAGE}.cli.app (layer 5)"]
    # a submodule named in ``from package import module``, and the API package itself
    found = imports_in("from ..cli import app\nfrom .. import __version__\n", f"{PACKAGE}.render.fake", False,
                       known | {f"{PACKAGE}.render", f"{PACKAGE}.render.fake"})
    assert found == {f"{PACKAGE}.cli.app", PACKAGE}
    assert len(upward_imports({f"{PACKAGE}.render.fake": found})) == 2


def test_a_cycle_is_found():
    a, b, c, d = (f"{PACKAGE}.analysis.{x}" for x in "abcd")
    assert import_cycles({a: {b}, b: {c}, c: {a}, d: {a}}) == [sorted([a, b, c])]
    assert import_cycles({a: {b}, b: set(), d: {a}}) == []


def test_a_module_outside_the_layers_is_refused():
    with pytest.raises(AssertionError, match="in no layer"):
        layer_of(f"{PACKAGE}.somewhere.new")


def test_a_module_named_like_its_function_is_found(tmp_path):
    (tmp_path / "analysis").mkdir()
    (tmp_path / "__init__.py").write_text("from .analysis.simulate import simulate\n")
    (tmp_path / "analysis" / "__init__.py").write_text("from .simulate import simulate\n")
    (tmp_path / "analysis" / "simulate.py").write_text("def simulate():\n    pass\n")
    assert names_like_their_module(package_modules(tmp_path)) == [
        f"{PACKAGE}.analysis.simulate defines simulate",
        f"{PACKAGE}.analysis binds simulate, which hides the module {PACKAGE}.analysis.simulate"]
