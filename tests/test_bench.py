"""The benchmarks stay runnable: `python -m bench` has no test of its numbers (they are reported, not asserted),
so this checks what would break it: every module imports, and every name a benchmark imports, also inside a
function (where an import runs only when that benchmark does), exists in the module it comes from."""
from __future__ import annotations

import ast
import importlib
import importlib.util

import pytest

from core.paths import ROOT

BENCH = sorted((ROOT / "bench").glob("*.py"))


@pytest.mark.parametrize("path", BENCH, ids=lambda p: p.name)
def test_every_name_a_benchmark_imports_exists(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] in (
                "bench", "core", "tests", "ui"):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name) or importlib.util.find_spec(f"{node.module}.{alias.name}"), \
                    f"{path.name}:{node.lineno}: {node.module} has no {alias.name}"


def test_the_bench_commands_have_a_main():
    from bench.__main__ import COMMANDS

    for name, module in COMMANDS.items():
        assert callable(importlib.import_module(module).main), name
