"""The shape of the code: the apps are floors, each built only on those below it, and no module imports
itself back through a circle.

    home → verification → reminders → reports → allocations → requests_app → campaigns → accounts → core
    (config composes them all: settings and URLs; demo and bench sit on top, like config, and the benchmark
    builds its datasets with the demo's generator)

Any import, at the top of a module or inside a function, counts. ``python -m tests.test_architecture``
prints the picture of the imports between apps.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [
    "core",
    "accounts",
    "campaigns",
    "requests_app",
    "allocations",
    "reports",
    "reminders",
    "verification",
    "home",
]
ON_TOP = {"config", "demo", "bench"}  # compose everything; no app imports them


def project_modules():
    """``{module name: path}`` of every project module (tests and migrations aside)."""
    modules = {}
    for package in [*LAYERS, *ON_TOP]:
        base = ROOT / package
        if not base.exists():
            continue
        for path in base.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imports_of(path: Path, module: str, top_level_only: bool = False):
    """The project modules ``module`` imports (absolute and relative imports, ``from x import y`` counting
    ``x.y`` when it is a module)."""
    tree = ast.parse(path.read_text(), str(path))
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: -node.level] if path.name != "__init__.py" else module.split(".")
                if path.name == "__init__.py" and node.level > 1:
                    package = package[: -(node.level - 1)]
                base = ".".join([*package, base] if base else package)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def app_of(module: str) -> str:
    return module.split(".")[0]


def app_edges():
    """``{(importing app, imported app): [module, ...]}`` over every import between two project apps."""
    modules = project_modules()
    edges = {}
    for module, path in modules.items():
        for imported in imports_of(path, module):
            source, target = app_of(module), app_of(imported)
            if imported in modules and source != target:
                edges.setdefault((source, target), []).append(module)
    return edges


def test_no_import_runs_back_up_a_floor():
    upward = []
    for (source, target), where in sorted(app_edges().items()):
        if target in ON_TOP and source not in ON_TOP:
            upward.append(f"{source} imports {target} (in {sorted(set(where))})")
        elif source in LAYERS and LAYERS.index(target) > LAYERS.index(source):
            upward.append(f"{source} imports {target}, a floor above it (in {sorted(set(where))})")
    assert upward == []


def module_circles():
    modules = project_modules()
    graph = {}
    for module, path in modules.items():
        targets = {m for m in imports_of(path, module, top_level_only=True) if m in modules and m != module}
        # Importing ``a.b.c`` loads the packages ``a`` and ``a.b`` first.
        graph[module] = set(targets) | {
            ".".join(m.split(".")[:i]) for m in targets for i in range(1, m.count(".") + 1)
        } - {module}
        graph[module] = {m for m in graph[module] if m in modules and not module.startswith(m + ".")}
    visiting, done, circles = set(), set(), []

    def visit(node, trail):
        visiting.add(node)
        for following in sorted(graph[node]):
            if following in visiting:
                circles.append(" → ".join([*trail[trail.index(following) :], following]))
            elif following not in done:
                visit(following, [*trail, following])
        visiting.discard(node)
        done.add(node)

    for module in sorted(graph):
        if module not in done:
            visit(module, [module])
    return circles


def test_no_import_circle_between_modules():
    """Module-level imports (those that run when a module loads) never come back to where they started."""
    assert module_circles() == []


def test_the_architecture_check_sees_a_violation(tmp_path, monkeypatch):
    """The checks above would notice an upward import (``core`` importing ``reports``) and a circle."""
    fake = tmp_path / "core"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "bad.py").write_text("from reports.models import Transmission\n")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "__init__.py").write_text("")
    (tmp_path / "reports" / "models.py").write_text("from reports.views import thing\n")
    (tmp_path / "reports" / "views.py").write_text("from reports.models import other\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert ("core", "reports") in app_edges()
    assert module_circles() == ["reports.models → reports.views → reports.models"]


if __name__ == "__main__":
    for (source, target), where in sorted(app_edges().items()):
        print(f"{source:>13} → {target:<13} ({len(set(where))} modules)")
