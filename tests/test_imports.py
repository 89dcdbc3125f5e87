"""The import graph of ``src/rnncast``, read with ``ast``: no cycle, and no module takes another's private names.

Every ``import`` counts, those inside functions too; only imports under ``if TYPE_CHECKING:`` (annotations,
never run) are left out. ``from rnncast import x`` counts as an import of the submodule ``rnncast.x`` when
there is one, else of the package ``rnncast`` itself.
"""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((SRC / "rnncast").rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _runtime_imports(tree: ast.AST):
    """Import nodes outside ``if TYPE_CHECKING:`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _graph():
    modules = _modules()
    edges, private = {}, []
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names}
                continue
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + [base]).strip(".")
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                targets.add(sub if sub in modules else base)
                if base in modules and alias.name.startswith("_") and not alias.name.startswith("__"):
                    private.append(f"{name} imports {base}.{alias.name}")
        edges[name] = {t for t in targets if t in modules and t != name}
    return edges, private


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_every_module_and_its_imports():
    edges, _ = _graph()
    assert len(edges) > 40
    assert "rnncast.data.frame" in edges["rnncast.data.panel"]
    assert "rnncast.forecaster.fit" in edges["rnncast.forecaster.forecaster"]


def test_no_import_cycle_counting_imports_inside_functions():
    edges, _ = _graph()
    assert _cycles(edges) == []


def test_the_cycle_finder_finds_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_another_modules_private_names():
    _, private = _graph()
    assert private == []


# Private attributes still reached from outside their class, each with its reason:
ALLOWED_PRIVATE = {
    ("rnncast.cli.options", "_actions"), ("rnncast.cli.options", "_SubParsersAction"),  # argparse has no public way
}


def test_no_module_reaches_into_another_objects_private_attributes():
    found = set()
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")):
                continue
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super":
                continue
            found.add((name, node.attr))
    assert found == ALLOWED_PRIVATE


def test_modules_stay_short_and_long_functions_say_why():
    """No module over 400 lines; a function over 60 lines carries a ``# long:`` comment saying why."""
    for name, path in _modules().items():
        text = path.read_text(encoding="utf-8")
        assert text.count("\n") <= 400, f"{name} has {text.count(chr(10))} lines"
        lines = text.split("\n")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = node.end_lineno - node.lineno + 1
                body = lines[node.lineno - 1 : node.end_lineno]
                assert size <= 60 or any(line.strip().startswith("# long:") for line in body), \
                    f"{name}.{node.name} has {size} lines and no '# long:' comment"


# The floors of the house, lowest first: a module imports only from its own floor or a lower one.
FLOORS = [
    ("rnncast.errors", "rnncast.version", "rnncast.profiling", "rnncast.outputs", "rnncast.atomic", "rnncast.metrics",
     "rnncast.baselines", "rnncast.datasets"),
    ("rnncast.data", "rnncast.theta", "rnncast.ets"),
    ("rnncast.specs",),
    ("rnncast.models", "rnncast.scratch"),
    ("rnncast.training",),
    ("rnncast.forecaster",),
    ("rnncast.evaluation",),
    ("rnncast.report",),
    ("rnncast.text", "rnncast.explain"),
    ("rnncast.cli", "rnncast.__main__", "rnncast"),
]


def _floor(module: str) -> int:
    best = None
    for level, prefixes in enumerate(FLOORS):
        for prefix in prefixes:
            if module == prefix or (prefix != "rnncast" and module.startswith(prefix + ".")):
                if best is None or len(prefix) > best[1]:
                    best = (level, len(prefix))
    assert best is not None, f"{module} is on no floor"
    return best[0]


def test_dependencies_point_down_the_data_flow_only():
    assert _floor("rnncast.forecaster.fit") > _floor("rnncast.training.loop") > _floor("rnncast.data.frame")
    edges, _ = _graph()
    upward = sorted(f"{m} -> {t}" for m, targets in edges.items() for t in targets if _floor(t) > _floor(m))
    assert upward == []
