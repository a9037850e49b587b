"""The layer rule of ``planning/``, read from the source with ``ast`` (every import, including
those inside functions): a group imports only from groups below it, never sideways or up, and
the import graph has no cycle.

    config, access < data < finance < analysis < optimizer, plan, sample < scenarios, risk < cli

``planning/data`` imports nothing from the other groups (``config`` and ``access`` aside); the saved-scenario
store and the scenario types reach no solver, not even through other modules.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RANK = {"config": 0, "access": 0, "data": 1, "finance": 2, "analysis": 3, "optimizer": 4, "plan": 4, "sample": 4,
        "scenarios": 5, "risk": 5, "cli": 6}
SOLVERS = ("pulp", "highspy", "ortools", "planning.optimizer")


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted((ROOT / "planning").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports (``from a import b`` counts ``a`` and ``a.b`` where that is a module)."""
    found = set()
    known = modules()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in known}
    return found


def group(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "planning" and len(parts) > 1 else None


GRAPH = {name: {m for m in imports(path) if m in modules()} for name, path in modules().items()}


@pytest.mark.parametrize("name", [n for n in GRAPH if group(n)])
def test_no_module_imports_sideways_or_up(name):
    mine = group(name)
    for other in GRAPH[name]:
        theirs = group(other)
        if theirs is None or theirs == mine:
            continue
        assert RANK[theirs] < RANK[mine], f"{name} imports {other}: {mine} may not use {theirs}"


def test_every_group_has_a_rank():
    assert {group(n) for n in GRAPH if group(n)} == set(RANK)


def test_the_import_graph_has_no_cycle():
    try:
        list(TopologicalSorter(GRAPH).static_order())
    except CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_data_imports_nothing_but_config():
    for name, deps in GRAPH.items():
        if group(name) == "data":
            assert {group(d) for d in deps} <= {"data", "config", "access", None}, name


@pytest.mark.parametrize("start", ["planning.scenarios.store", "planning.scenarios.types"])
def test_the_scenario_store_reaches_no_solver(start):
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        outside = imports(modules()[name])
        assert not [m for m in outside if m.startswith(SOLVERS)], f"{start} reaches a solver through {name}"
        todo += [m for m in GRAPH[name] if m not in seen]


def test_a_rule_break_would_be_caught(tmp_path):
    """The checks read real imports: an upward import written in a module is found."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from planning.plan import as_planned\n")
    assert "planning.plan" in imports(bad) and "planning.plan.as_planned" not in imports(bad)
