"""The package's layers read top to bottom: no module of ``src/nnlab`` imports, even inside a function, a module
that imports it back, directly or through others.

The graph is read from the source (every ``import``/``from ... import`` anywhere in a module's AST, functions
included), one edge per module named; importing ``a.b.c`` also runs the package ``a/b/__init__.py``, which is not
counted as an edge (the convention of pylint's cyclic-import check), and imports under ``if TYPE_CHECKING:``
(for annotations only, never run) are not counted either.
"""
import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def module_graph(root: Path = SRC) -> dict[str, set[str]]:
    files = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        files[name] = path

    def resolve(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base
                           for alias in node.names]
            for target in targets:
                found = resolve(target) if target.startswith("nnlab") else None
                if found and found != name:
                    graph[name].add(found)
    return graph


def _runtime_nodes(tree):
    """Every node of ``tree`` except those under ``if TYPE_CHECKING:``."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            test = child.test if isinstance(child, ast.If) else None
            if test is not None and "TYPE_CHECKING" in ast.unparse(test):
                todo.extend(child.orelse)
                continue
            todo.append(child)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
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


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import(tmp_path):
    pkg = tmp_path / "nnlab"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from nnlab.b import f\n")
    (pkg / "b.py").write_text("def f():\n    from nnlab import c\n")
    (pkg / "c.py").write_text("from . import a\n")
    (pkg / "d.py").write_text("import nnlab.a\n")
    (pkg / "e.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from nnlab import f\n")
    (pkg / "f.py").write_text("from nnlab import e\n")
    assert cycles(module_graph(tmp_path)) == [["nnlab.a", "nnlab.b", "nnlab.c"]]


def test_no_module_imports_itself_back():
    found = cycles(module_graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_config_sits_below_data_nn_and_training():
    """config.py checks names against nnlab.names and imports nothing from the packages above it."""
    tree = ast.parse((SRC / "nnlab" / "config.py").read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
    above = sorted(m for m in imported if m.split(".")[:2] in (["nnlab", "data"], ["nnlab", "nn"],
                                                                ["nnlab", "training"]))
    assert above == []


def test_every_registry_answers_to_its_names():
    import nnlab.names as names
    from nnlab.data import DATASETS
    from nnlab.data.playground_stream import STREAM_DATASETS
    from nnlab.nn.activations import ACTIVATIONS
    from nnlab.nn.init import INITS
    from nnlab.training.engines.registry import ENGINES
    from nnlab.training.losses import LOSSES
    from nnlab.training.optimizers import OPTIMIZERS
    from nnlab.training.precision import DEVICES, PRECISIONS
    from nnlab.training.schedules import LR_SCHEDULES
    for registry, listed in [(DATASETS, names.DATASET_NAMES), (STREAM_DATASETS, names.STREAM_DATASET_NAMES),
                             (ACTIVATIONS, names.ACTIVATION_NAMES), (INITS, names.INIT_NAMES),
                             (ENGINES, names.ENGINE_NAMES), (LOSSES, names.LOSS_NAMES),
                             (OPTIMIZERS, names.OPTIMIZER_NAMES), (DEVICES, names.DEVICE_NAMES),
                             (PRECISIONS, names.PRECISION_NAMES), (LR_SCHEDULES, names.LR_SCHEDULE_NAMES)]:
        assert tuple(registry) == listed
    with pytest.raises(RuntimeError, match="nnlab/names.py"):
        names.check_registry("LOSSES", [*LOSSES, "mae"], names.LOSS_NAMES)
