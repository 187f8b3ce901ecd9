"""Print the area-level import figures of issue 21: upward imports (per import statement, with
file:line) and area-level loops, with and without the exceptions tests/core/test_architecture.py allows.

    .venv/bin/python scripts/layer_figures.py
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.core.test_architecture import LAYER_OF, UPWARD_ALLOWED, area_imports  # noqa: E402


def loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one area (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def main() -> None:
    imports = area_imports()
    statements = {(file, line, target) for file, line, source, target in imports if LAYER_OF[target] > LAYER_OF[source]}
    upward = sorted({(file, line) for file, line, _target in statements})
    print(f"upward import statements: {len(upward)}")
    for file, line in upward:
        targets = sorted(t for f, n, t in statements if (f, n) == (file, line))
        allowed = "  (allowed: " + UPWARD_ALLOWED[file][1] + ")" if file in UPWARD_ALLOWED else ""
        print(f"  {file}:{line} → {', '.join(targets)}{allowed}")
    for label, skip in (("all imports", False), ("without the allowed exceptions", True)):
        graph: dict[str, set[str]] = {}
        for file, _line, source, target in imports:
            if not (skip and target in UPWARD_ALLOWED.get(file, (set(),))[0]):
                graph.setdefault(source, set()).add(target)
        found = loops(graph)
        print(f"area-level loops, {label}: {len(found)}" + "".join(f"\n  {len(g)} areas: {' '.join(g)}" for g in found))


if __name__ == "__main__":
    main()
