"""The package's shape: stages that import one way, no import circles, the public names kept, small app functions."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import qa

PACKAGE = Path(qa.__file__).parent
# Lowest first: a module may import from its own stage and the ones below it, never from one above.
STAGES = ["base", "reading", "retrieval", "answers", "front"]
BASE = {"qa.textnorm", "qa.results", "qa.version", "qa.spreadsheet"}


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> str:
    if module in BASE:
        return "base"
    part = module.split(".")[1] if module.count(".") else ""
    if part in ("reading", "retrieval", "answers"):
        return part
    return "front"  # the package itself, api, cli, evaluate and the app


def _imports() -> dict[str, set[str]]:
    """Every qa module and the qa modules it imports, at the top or inside a function."""
    modules = {_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.split(".")[0] == "qa"}
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "qa":
                # `from qa.reading import corpus` imports the module qa.reading.corpus.
                subs = {f"{node.module}.{a.name}" for a in node.names} & modules.keys()
                found |= subs or {node.module}
        graph[name] = {m for m in found if m != name}
    return graph


def test_every_import_runs_down_the_stages():
    graph = _imports()
    upward = [f"{m} ({_stage(m)}) imports {i} ({_stage(i)})" for m, targets in sorted(graph.items())
              for i in sorted(targets) if STAGES.index(_stage(i)) > STAGES.index(_stage(m))]
    assert not upward, "\n".join(upward)


def test_no_import_circles():
    graph = _imports()
    circles, done = [], set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            circles.append(" -> ".join(path[path.index(module):] + [module]))
            return
        if module in done:
            return
        for target in sorted(graph.get(module, ())):
            visit(target, path + [module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    assert not circles, "\n".join(circles)


def test_the_walk_sees_an_upward_import_and_a_circle():
    """The two checks above find what they are for (a walk that saw no imports would pass them)."""
    graph = _imports()
    assert "qa.reading.document" in graph["qa.reading.corpus"]
    assert "qa.retrieval.searcher" in graph["qa.answers.asking"]
    assert _stage("qa.answers.asking") == "answers" and _stage("qa.cli") == "front" and _stage("qa.results") == "base"


def test_the_public_names_stay():
    assert sorted(qa.__all__) == sorted(["Answer", "Figure", "Hit", "Inspection", "KnowledgeBase", "inspect", "add",
                                         "ask", "build", "load", "search", "__version__"])
    for name in qa.__all__:
        assert getattr(qa, name) is not None
    assert callable(qa.search) and callable(qa.ask) and callable(qa.inspect)
    # Importing a stage later must not replace a public function by a package of the same name.
    for stage in ("qa.answers.asking", "qa.reading.inspect", "qa.retrieval.searcher", "qa.app.layout"):
        importlib.import_module(stage)

    assert callable(qa.search) and callable(qa.inspect) and callable(qa.ask)
    assert {"ask", "search", "figures", "titles"} <= set(dir(qa.KnowledgeBase))


@pytest.mark.parametrize("path", sorted((PACKAGE / "app").glob("*.py")), ids=lambda p: p.name)
def test_app_functions_are_short(path):
    long = [f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno + 1 > 80]
    assert not long, long


def test_each_stage_says_what_flows_in_and_out():
    for stage in ("reading", "retrieval", "answers", "app"):
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "→" in doc, stage
