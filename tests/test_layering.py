"""No upward imports between layers (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "clinreason"
LAYER = {
    "errors": 0,
    "trace": 0,
    "backends": 1,
    "tools": 1,
    "strategies": 2,
    "verify": 2,
    "bench": 3,
    "render": 3,
    "train": 3,
    "cli": 4,
    "api": 4,
}
FORBIDDEN = {("verify", "backends"), ("verify", "strategies"), ("tools", "backends")}


def _package(module_path: Path) -> str | None:
    parts = module_path.relative_to(SRC).with_suffix("").parts
    return parts[0] if parts and parts[0] in LAYER else None


def _imports(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_no_upward_imports(path):
    own = _package(path)
    if own is None:
        return
    for name in _imports(ast.parse(path.read_text())):
        parts = name.split(".")
        if parts[0] != "clinreason" or len(parts) < 2 or parts[1] not in LAYER:
            continue
        target = parts[1]
        assert LAYER[target] <= LAYER[own], f"{path.name}: layer {own} imports {name}"
        assert (own, target) not in FORBIDDEN, f"{path.name}: {own} must not import {target}"
