"""The package layout: one package per stage, imports that run one way, no import cycle anywhere.

Every import statement counts, at module level or inside a function, and those behind `TYPE_CHECKING` too:
a cycle hidden in a function-local import is still a cycle in the design.
"""

from __future__ import annotations

import ast
from pathlib import Path

import codetune

PACKAGE = Path(codetune.__file__).parent

# Lower layers first. A module may import its own layer and any layer before it, never a later one.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "documents", "definitions"}),
    frozenset({"ecosystem"}),
    frozenset({"sources"}),
    frozenset({"filters"}),
    frozenset({"parse"}),
    frozenset({"hygiene"}),
    frozenset({"subsets"}),
    frozenset({"build", "discover"}),
    frozenset({"hub", "train", "registry"}),
    frozenset({"eval"}),
    frozenset({"label", "export"}),
    frozenset({"builder", "cli"}),
)
DEFINITION_LAYER = LAYERS[0] | LAYERS[1]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def codetune_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The codetune modules `name` imports. `from package import submodule` names the submodule."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                base = ".".join([*anchor[: len(anchor) - node.level + 1], *([base] if base else [])])
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = codetune_modules()
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def unit(module: str) -> str:
    """`codetune.build.plan` -> `build`; `codetune.ecosystem` -> `ecosystem`; the package itself -> ``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer_of(module: str) -> int:
    return next(index for index, layer in enumerate(LAYERS) if unit(module) in layer)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_another_that_imports_it_back():
    assert cycles(import_graph()) == []


def test_every_package_and_top_level_module_has_a_layer():
    units = {unit(name) for name in codetune_modules()} - {""}
    placed = set().union(*LAYERS)
    assert units - placed == set(), "add the new package to LAYERS in tests/test_layout.py"


def test_imports_run_one_way_from_later_stages_to_earlier_ones():
    backwards = sorted(
        f"{name} -> {target}"
        for name, targets in import_graph().items()
        if name != "codetune"
        for target in targets
        if target != "codetune" and layer_of(target) > layer_of(name)
    )
    assert backwards == []


def test_the_definition_layer_imports_no_stage():
    graph = import_graph()
    definitions = [name for name in graph if unit(name) in DEFINITION_LAYER]
    assert definitions
    reached = sorted(
        f"{name} -> {target}"
        for name in definitions
        for target in graph[name]
        if target != "codetune" and unit(target) not in DEFINITION_LAYER
    )
    assert reached == []


def test_the_top_level_keeps_at_most_eight_modules():
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top) <= 8, top


def test_the_public_face_and_the_import_paths_users_rely_on():
    from codetune import Ecosystem as TopLevelEcosystem
    from codetune import EcosystemBuilder, Source
    from codetune.build import BuildOptions, build
    from codetune.builder import EcosystemBuilder as BuilderModuleBuilder
    from codetune.ecosystem import Ecosystem

    assert TopLevelEcosystem is Ecosystem
    assert BuilderModuleBuilder is EcosystemBuilder
    assert Source.__module__ == "codetune.ecosystem"
    assert callable(build) and BuildOptions.__module__ == "codetune.build.pipeline"
