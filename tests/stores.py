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


CLI_PASSWORD = "kanri-pass-1"
CLI_USER = ["--user", "kanri"]


def add_cli_admin(path: Path) -> None:
    """The clinic database's first administrator, as the first start makes it."""
    from desktop_app.services.staff import create_first_admin

    store = open_store(path)
    try:
        create_first_admin(store, "kanri", "管理 花子", CLI_PASSWORD, CLI_PASSWORD)
    finally:
        store.close()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(300)


def write_not_a_database(target: Path, kind: str, sound: Path) -> None:
    """Put at ``target`` what a careless ``--db`` may point at: a folder, a picture, an empty
    file, half of a real database (``sound`` is a whole one to cut), or SQLite's header and
    garbage."""
    if kind == "folder":
        target.mkdir()
    elif kind == "png":
        target.write_bytes(PNG)
    elif kind == "empty":
        target.write_bytes(b"")
    elif kind == "truncated":
        whole = sound.read_bytes()
        target.write_bytes(whole[: len(whole) // 2])
    elif kind == "garbage":
        target.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4080)
    else:
        raise ValueError(kind)
