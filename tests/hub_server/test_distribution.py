"""The server is its own distribution: `pip install genzoo` carries no server code or server dependencies."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SERVER_PACKAGES = {"starlette", "uvicorn", "h11", "genzoo_hub"}


def test_core_neither_depends_on_nor_imports_the_server():
    project = tomllib.loads((REPO / "core" / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project.get("optional-dependencies", {}).values()
                                              for r in extra]
    assert not [r for r in requirements if r.split(">")[0].split("=")[0].strip() in SERVER_PACKAGES]
    for module in (REPO / "core" / "src" / "genzoo").rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            assert not {name.split(".")[0] for name in names} & SERVER_PACKAGES, module


def test_genzoo_hub_contributes_the_serve_command_through_the_plugin_hook():
    from genzoo import get_registry

    spec = get_registry().commands["hub.serve"]
    assert spec.target == "genzoo_hub.cli:serve_command" and spec.distribution == "genzoo-hub"
