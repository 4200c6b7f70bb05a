"""DESIGN.md's layers: the domain never imports Reflex, so it runs and tests without a browser."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "adaptivefit"
DOMAIN = ["models", "services", "coach", "jobs", "api"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("layer", DOMAIN)
def test_domain_layer_does_not_import_reflex(layer):
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in (PACKAGE / layer).rglob("*.py")
        if {"reflex", "reflex_base"} & _imports(path)
    ]
    assert offenders == []


def test_only_config_reads_the_environment():
    readers = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.name != "config.py" and ("os.environ" in path.read_text() or "os.getenv" in path.read_text())
    ]
    assert readers == []
