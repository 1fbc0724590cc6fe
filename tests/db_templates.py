"""Databases built once per test session and copied into each test that needs one.

A new database file runs every migration (about a second); the restore and backup tests need
several per test. A copy keeps its template's identity (services/db_identity.py): tests that
need two different databases build the second one themselves.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.stores import CLI_PASSWORD

TEMPLATE_CASES = 3


def _clinic(path: Path) -> None:
    """A clinic's database: its administrator (kanri) and three cases."""
    from argon2 import PasswordHasher

    from desktop_app.services import staff
    from desktop_app.services.cases import create_case
    from desktop_app.services.dto import NewCase, NewPatient
    from desktop_app.services.store import open_store

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            staff, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        )
        store = open_store(path, create=True)
        try:
            staff.create_first_admin(store, "kanri", "管理 花子", CLI_PASSWORD, CLI_PASSWORD)
            for k in range(TEMPLATE_CASES):
                patient = NewPatient(name=f"患者　{k}", furigana="カンジャ　イチ")
                create_case(store, NewCase(patient=patient))
        finally:
            store.close()


def _other(path: Path) -> None:
    """Another clinic's database (its own identity): no account yet, one case."""
    from desktop_app.services.cases import create_case
    from desktop_app.services.dto import NewCase, NewPatient
    from desktop_app.services.store import open_store

    store = open_store(path, create=True)
    try:
        create_case(
            store, NewCase(patient=NewPatient(name="別院　一郎", furigana="ベツイン　イチロウ"))
        )
    finally:
        store.close()


def _demo(path: Path) -> None:
    from desktop_app.services.maintenance import rebuild_demo

    rebuild_demo(str(path), TEMPLATE_CASES).close()


_BUILDERS: dict[str, Callable[[Path], None]] = {"clinic": _clinic, "other": _other, "demo": _demo}
_BUILT: dict[str, Path] = {}


def copy_of(kind: str, factory: pytest.TempPathFactory, target: Path) -> Path:
    """A private copy of the ``kind`` template ("clinic", "other" or "demo") at ``target``."""
    if kind not in _BUILT:
        built = factory.mktemp(f"template-{kind}") / f"{kind}.db"
        _BUILDERS[kind](built)
        _BUILT[kind] = built
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_BUILT[kind], target)
    target.chmod(0o600)
    return target
