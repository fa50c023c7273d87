"""Print the import cycles among sutui's modules, read from the source (nothing is imported).

    .venv/bin/python scripts/import_cycles.py            # every import, wherever it is written
    .venv/bin/python scripts/import_cycles.py --top      # module-level imports only
    .venv/bin/python scripts/import_cycles.py --typing   # and those under `if TYPE_CHECKING:`

An import inside a function still ties two modules together (each needs the other to work), so
the default counts it; imports under `if TYPE_CHECKING:` never run and are left out. Exit 1 when
a cycle is found. tests/test_import_hygiene.py uses `import_graph` and `cycles`.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(
    tree: ast.Module, top_only: bool, typing: bool = False
) -> Iterator[tuple[str, int, str | None, int]]:
    """(module, level, a name imported from it or None, line) for each import that runs."""

    def visit(node: ast.AST, top: bool) -> Iterator[tuple[str, int, str | None, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test) and not typing:
                for stmt in child.orelse:
                    yield from visit(stmt, top)
                continue
            if isinstance(child, ast.Import):
                if top or not top_only:
                    for alias in child.names:
                        yield alias.name, 0, None, child.lineno
            elif isinstance(child, ast.ImportFrom):
                if top or not top_only:
                    for alias in child.names:
                        yield child.module or "", child.level, alias.name, child.lineno
            else:
                inner = top and not isinstance(
                    child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
                )
                yield from visit(child, inner)

    yield from visit(tree, True)


def import_graph(
    package: str = "sutui", *, top_only: bool = False, typing: bool = False
) -> dict[str, set[str]]:
    """Each module of `package` -> the modules of `package` it imports."""
    files = {module_name(p): p for p in sorted((ROOT / package).rglob("*.py"))}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for module, level, alias, _ in _imports(tree, top_only, typing):
            if level:
                base = name.split(".")[: len(name.split(".")) - level + (1 if is_package else 0)]
                module = ".".join(base + ([module] if module else []))
            candidates = [f"{module}.{alias}", module] if alias else [module]
            for target in candidates:
                if target in files and target != name:
                    graph[name].add(target)
                    break
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def strong(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            strong(v)
    return sorted(found)


def main(argv: list[str]) -> int:
    top_only = "--top" in argv
    graph = import_graph(top_only=top_only, typing="--typing" in argv)
    found = cycles(graph)
    for component in found:
        members = set(component)
        print(f"cycle of {len(component)}:")
        for name in component:
            inside = sorted(graph[name] & members)
            print(f"  {name} -> {', '.join(inside)}")
    if not found:
        print("no import cycles" + (" at module level" if top_only else ""))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
