"""The one place the bad-input and crash tests open a store (the crash test's child too).

When ``open_store`` changes how it is called (e.g. ``open_store(..., create=True)``), this is
the line to change.
"""

from __future__ import annotations

from pathlib import Path

from desktop_app.services.store import Store, open_store


def open_test_store(path: Path, staff: str = "テスト担当") -> Store:
    """A real SQLite store at ``path``, created on first use."""
    return open_store(path, create=True, staff=staff)
