"""The seam holds: one unit of work owns every commit and rollback."""
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.source_only

APP = Path(__file__).resolve().parents[2] / "app"

# The unit of work itself, and the last-resort 500 handler that discards a broken request's session.
ALLOWED = {"database.py", "errors.py"}
TRANSACTION_CALL = re.compile(r"\.(commit|rollback)\(\)")


def test_no_commit_or_rollback_outside_the_unit_of_work():
    offenders = [f"{path.relative_to(APP)}:{number}: {line.strip()}"
                 for path in sorted(APP.rglob("*.py")) if path.name not in ALLOWED or path.parent != APP
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if TRANSACTION_CALL.search(line)]
    assert offenders == []


# --- the import graph ----------------------------------------------------------------------

import ast  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(APP.rglob("*.py"))}


def _imported(node, modules: dict[str, Path]) -> set[str]:
    names = set()
    if isinstance(node, ast.Import):
        names = {alias.name for alias in node.names}
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        # `from app import clock` loads the module app.clock; the package itself only when a name is not a module
        submodules = {f"{node.module}.{alias.name}" for alias in node.names}
        names = {name for name in submodules if name in modules}
        if len(names) < len(submodules):
            names.add(node.module)
    return {name for name in names if name in modules}


def import_graph(top_level_only: bool = True) -> dict[str, set[str]]:
    """Module → the app modules it imports when it is loaded (function-level imports excluded)."""
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = tree.body if top_level_only else ast.walk(tree)
        graph[name] = set().union(*(_imported(node, modules) for node in nodes)) - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_app_has_no_import_cycle():
    graph = import_graph()
    print(f"{len(graph)} modules, {sum(len(v) for v in graph.values())} module-level imports")
    assert _cycle(graph) is None


def test_a_function_level_import_says_why():
    """An import inside a function hides a dependency; it stays only with its reason written beside it."""
    unexplained = []
    for name, path in _modules().items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom) and inner.lineno > node.lineno:
                        here = lines[inner.lineno - 1]
                        above = inner.lineno - 2  # a block of imports shares the comment above it
                        while lines[above].strip().startswith(("import ", "from ")):
                            above -= 1
                        if "#" not in here and not lines[above].strip().startswith("#"):
                            unexplained.append(f"{name}:{inner.lineno}: {here.strip()}")
    assert unexplained == []


def test_every_module_imports_on_its_own_in_a_fresh_interpreter():
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    for loaded in [m for m in sys.modules if m == 'app' or m.startswith('app.')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        failed.append(f'{name}: {type(exc).__name__}: {exc}')\n"
        "print('\\n'.join(failed))\n"
    )
    names = sorted(_modules())
    result = subprocess.run([sys.executable, "-c", script, *names], cwd=APP.parent, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == ""


# --- the layer order of areas (DEVELOPERS.md, "Layers") --------------------------------------
#
# An area is a folder of app/ (app/registrations/…) or a top-level module (app/clock.py, app/cli.py).
# Each may import only areas of its own layer or below; a lower area that must cause something above
# it announces a blinker signal (or an outbox topic) and the area above subscribes. Within a layer,
# areas may import each other as long as no loop forms.

LAYERS: list[set[str]] = [
    # foundations: no domain knowledge
    {"clock", "config", "extensions", "database", "errors", "pagination", "cache", "security", "url_rules"},
    # the policy: who may do what; knows users and objects by their attributes only
    {"permissions"},
    # cross-cutting services every area uses: locale and pages, PDFs, exports, manage-route helpers, the outbox, mail
    {"core", "routing", "outbox", "notifications"},
    {"accounts"},
    {"programmes"},
    {"events"},
    {"registrations"},
    {"calendar", "materials", "messaging"},
    {"quotas"},
    {"certificates"},
    {"reports"},
    # the edges: whole-person and whole-programme views, the API, commands, demo data, the worker process
    {"privacy", "api", "backup", "cli", "demo", "worker"},
    # the app factory (app/__init__.py) wires everything together
    {"app"},
]
LAYER_OF = {area: rank for rank, layer in enumerate(LAYERS) for area in layer}

# file → the higher areas it may still import, and why. Empty since issue 21 landed: a new entry needs a
# reason written here, and there may never be more than six.
UPWARD_ALLOWED: dict[str, tuple[set[str], str]] = {}


def area_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "app"


def area_imports() -> list[tuple[str, int, str, str]]:
    """(file, line, importing area, imported area) for every import of another area, at any depth."""
    modules = _modules()
    found = []
    for name, path in modules.items():
        source = area_of(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in sorted({area_of(imported) for imported in _imported(node, modules)} - {source}):
                found.append((str(path.relative_to(APP.parent)), node.lineno, source, target))
    return found


def test_every_area_has_a_layer():
    areas = {area_of(name) for name in _modules()}
    assert sorted(areas - set(LAYER_OF)) == []


def test_no_area_imports_a_higher_one():
    offenders = [f"{file}:{line}: {source} → {target}" for file, line, source, target in area_imports()
                 if LAYER_OF[target] > LAYER_OF[source] and target not in UPWARD_ALLOWED.get(file, (set(),))[0]]
    assert offenders == []


def test_upward_exceptions_are_few_and_still_needed():
    assert len(UPWARD_ALLOWED) <= 6
    used = {(file, target) for file, _line, source, target in area_imports() if LAYER_OF[target] > LAYER_OF[source]}
    stale = [f"{file} → {target}" for file, (targets, _why) in UPWARD_ALLOWED.items() for target in targets
             if (file, target) not in used]
    assert stale == []


def test_areas_import_each_other_without_a_loop():
    graph: dict[str, set[str]] = {}
    for file, _line, source, target in area_imports():
        if target not in UPWARD_ALLOWED.get(file, (set(),))[0]:
            graph.setdefault(source, set()).add(target)
    assert _cycle(graph) is None
