"""What the connector images install: the project's runtime dependencies, and nothing the connectors never use."""
from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
CONNECTOR_PACKAGES = ("source_ghl_contacts", "destination_ghl_contacts", "ghl_http", "schemas")
SANDBOX_SERVER = {"starlette", "uvicorn"}


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower()


def _imported_top_levels(package: str) -> set[str]:
    names = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names


def test_the_images_do_not_install_the_sandbox_server():
    # The Dockerfile installs exactly [project].dependencies: the emulator's server stays an extra.
    runtime = {_name(r) for r in PROJECT["dependencies"]}
    assert not runtime & SANDBOX_SERVER, runtime & SANDBOX_SERVER
    assert SANDBOX_SERVER <= {_name(r) for r in PROJECT["optional-dependencies"]["sandbox"]}


def test_the_connectors_import_neither_the_sandbox_nor_its_server():
    for package in CONNECTOR_PACKAGES:
        used = _imported_top_levels(package)
        assert not used & (SANDBOX_SERVER | {"ghl_sandbox"}), f"{package} imports {used & (SANDBOX_SERVER | {'ghl_sandbox'})}"
