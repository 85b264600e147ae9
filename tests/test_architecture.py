"""The shape of the package, read from its source: what may import what, and where codes live."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import portspec
from portspec.lint import catalogue
from portspec.lint.rule import Rule
from portspec.lint.rules import conflicts, practice, reading, written


def test_the_catalogue_lists_every_rule_once_in_code_order() -> None:
    defined = {
        cls
        for family in (reading, conflicts, written, practice)
        for _, cls in inspect.getmembers(family, inspect.isclass)
        if issubclass(cls, Rule) and cls.__module__ == family.__name__ and "code" in vars(cls)
    }
    assert set(catalogue.RULES) == defined
    # One module a family: PS0xx in reading, PS1xx in conflicts, and so on.
    families = {"reading": "PS0", "conflicts": "PS1", "written": "PS2", "practice": "PS3"}
    for rule in defined:
        assert rule.code.startswith(families[rule.__module__.rpartition(".")[2]]), rule
    codes = [rule.code for rule in catalogue.RULES]
    assert codes == sorted(set(codes))


def test_every_rule_takes_its_name_severity_and_summary_from_the_codes() -> None:
    from portspec import codes
    from portspec.lint.rule import _doc

    assert [rule.code for rule in catalogue.RULES] == list(codes.CODES)
    for rule in catalogue.RULES:
        entry = codes.CODES[rule.code]
        assert (rule.name, rule.severity, rule.summary()) == (
            entry.name,
            entry.severity,
            entry.summary,
        )
        # The docstring opens with the same summary, for a reader of the code.
        assert _doc(rule).partition("\n")[0].strip() == entry.summary, rule.code


# -------------------------------------------------------------- the import graph

PACKAGE = Path(portspec.__file__).parent


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _imports(module: str) -> list[tuple[str, str]]:
    """Every ``(module, name)`` that ``module`` imports, at any depth, by its source."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found += [(base, alias.name) for alias in node.names]
    return found


def _graph() -> dict[str, set[str]]:
    """Which of portspec's modules each one imports (``from pkg import module`` included)."""
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module in MODULES:
        for base, name in _imports(module):
            if f"{base}.{name}" in MODULES:
                graph[module].add(f"{base}.{name}")
            elif base in MODULES:
                graph[module].add(base)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1 or node in graph[node]:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_the_graph_reader_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle() -> None:
    """No module imports, at any depth, one that imports it back (lazy imports count too)."""
    graph = _graph()
    assert graph["portspec.lint.catalogue"] >= {"portspec.lint.rules"}
    assert _cycles(graph) == []


def test_the_runtime_never_imports_the_pattern_generator() -> None:
    graph = _graph()
    assert [m for m, imported in graph.items() if "portspec._generate_matchers" in imported] == []


# ---------------------------------------------------------------- where codes live

_CODE = re.compile(r"PS[0-9]{3}")
#: The one table of codes, and the rules that decide and document them.
_CODE_HOMES = {"portspec.codes", "portspec.lint.rules"}


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of every docstring node: their examples may name codes."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def test_no_rule_code_is_written_outside_the_codes_and_the_rules() -> None:
    """A code as a value (``"PS101"``) is written only there; prose may name one as an example."""
    written = []
    for module, path in MODULES.items():
        if module in _CODE_HOMES or module.startswith("portspec.lint.rules."):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and _CODE.fullmatch(node.value)
            ):
                written.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.value!r}")
    assert written == []


# ------------------------------------------------------------ private names


def _cross_package_imports() -> list[tuple[str, str, list[str]]]:
    """(module, imported module, names) for each import from another subpackage."""
    found = []
    for module, path in MODULES.items():
        parts = module.split(".")
        if path.name == "__init__.py":
            parts.append("__init__")
        home = parts[1] if len(parts) > 2 else None
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            target = node.module.split(".")
            if target[0] != "portspec" or len(target) < 3 or target[1] == home:
                continue
            found.append((module, node.module, [alias.name for alias in node.names]))
    return found


def test_no_private_name_crosses_a_package() -> None:
    crossing = [
        (module, target, names)
        for module, target, names in _cross_package_imports()
        if any(name.startswith("_") for name in names)
    ]
    assert crossing == []


def test_the_lint_engine_uses_only_public_names_of_the_sources() -> None:
    private = [
        (target, names)
        for module, target, names in _cross_package_imports()
        if module == "portspec.lint.engine"
        and (
            any(part.startswith("_") for part in target.split(".")[2:])
            or any(name.startswith("_") for name in names)
        )
    ]
    assert private == []
    # The reader sees imports inside functions too.
    assert ("portspec.lint.engine", "portspec.sources.compose", ["read_compose"]) in (
        _cross_package_imports()
    )


# ------------------------------------------------------------------- layers

#: The subpackages each layer may import at run time (the root modules are open to all).
LAYERS = {
    "sources": set(),
    "checks": set(),
    "emit": set(),
    "lint": {"sources", "checks"},
    "cli": {"sources", "checks", "emit", "lint"},
}


def _runtime_imports(module: str) -> set[str]:
    """The portspec subpackages ``module`` imports, leaving out ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for statement in node.body
        for inner in ast.walk(statement)
    }
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and id(node) not in typing_only:
            parts = node.module.split(".")
            if parts[0] == "portspec" and len(parts) > 2:
                found.add(parts[1])
    return found


def test_each_layer_imports_only_the_layers_below_it() -> None:
    wrong = {}
    for module in MODULES:
        parts = module.split(".")
        layer = parts[1] if len(parts) > 1 and parts[1] in LAYERS else None
        if layer is None:
            continue
        if MODULES[module].name != "__init__.py" and len(parts) == 2:
            continue  # a root module named like a layer
        beyond = _runtime_imports(module) - LAYERS[layer] - {layer}
        if beyond:
            wrong[module] = sorted(beyond)
    assert wrong == {}
    # The reader sees a layer's imports (lint reads compose projects from sources).
    assert "sources" in _runtime_imports("portspec.lint.engine")
