"""The audit log as stored: chained on every write, append-only, and checked by `sodesk check`.

Tampering is done as an intruder would: with sqlite3 on the file, the triggers dropped first.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import delete, update

from desktop_app.cli import main
from desktop_app.db.engine import make_engine
from desktop_app.db.migrate import alembic_config
from desktop_app.db.models import AuditEntry
from desktop_app.domain.audit_chain import AuditContent, row_hash
from desktop_app.domain.stages import Stage
from desktop_app.services import audit
from desktop_app.services.cases import move_stage
from desktop_app.services.demo import build_demo, mark_as_demo
from desktop_app.services.maintenance import check_database
from desktop_app.services.store import Store, open_store


@pytest.fixture
def logged(store: Store, make_case, db_path: Path) -> Path:
    """A database with eight audit rows (four cases, each registered and moved on)."""
    for _ in range(4):
        case = make_case()
        move_stage(store, case.id, Stage.FORMS_SENT)
    store.close()
    assert _rows(db_path, "SELECT count(*) FROM audit_log") == [(8,)]
    return db_path


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as c:
        return c.execute(sql).fetchall()


def _tamper(db: Path, *statements: str) -> None:
    with sqlite3.connect(db) as c:
        c.execute("DROP TRIGGER audit_log_no_update")
        c.execute("DROP TRIGGER audit_log_no_delete")
        for statement in statements:
            c.execute(statement)


def _problem(db: Path) -> str:
    report = check_database(str(db))
    assert not report.ok
    chain = [p for p in report.problems if "変更履歴" in p]
    assert len(chain) == 1, report.problems
    return chain[0]


def test_a_sound_log_passes_the_check(logged: Path) -> None:
    assert check_database(str(logged)).ok
    hashes = _rows(logged, "SELECT prev_hash, row_hash FROM audit_log ORDER BY id")
    assert hashes[0][0] == "0" * 64
    assert all(prev == before[1] for before, (prev, _) in itertools.pairwise(hashes))


def test_an_altered_row_is_named(logged: Path) -> None:
    _tamper(logged, "UPDATE audit_log SET staff = '院長' WHERE id = 3")
    problem = _problem(logged)
    assert problem.startswith("変更履歴の 3 行目（") and "改ざん" in problem


def test_an_altered_time_is_named(logged: Path) -> None:
    _tamper(logged, "UPDATE audit_log SET at = '2020-01-01 00:00:00.000000' WHERE id = 6")
    assert _problem(logged).startswith("変更履歴の 6 行目（2020/01/01")


def test_a_deleted_row_is_named(logged: Path) -> None:
    _tamper(logged, "DELETE FROM audit_log WHERE id = 4")
    assert _problem(logged).startswith("変更履歴の 4 行目が削除されています（変更履歴の 5 行目")


def test_a_reordered_row_is_named(logged: Path) -> None:
    _tamper(
        logged,
        "UPDATE audit_log SET id = -1 WHERE id = 5",
        "UPDATE audit_log SET id = 5 WHERE id = 6",
        "UPDATE audit_log SET id = 6 WHERE id = -1",
    )
    problem = _problem(logged)
    assert problem.startswith("変更履歴の 5 行目（") and "順序が入れ替え" in problem


def test_an_inserted_row_is_named_even_with_a_correct_hash(logged: Path) -> None:
    """The intruder knows the encoding: the forged row's own hash is right, yet it shows."""
    (prev,) = _rows(logged, "SELECT row_hash FROM audit_log WHERE id = 2")[0]
    at = dt.datetime(2026, 11, 25, 1, 0, tzinfo=dt.UTC)
    forged = AuditContent(3, at, "院長", "case.edit", "case", "SO-2026-0001", 1, "偽", None, None)
    digest = row_hash(str(prev), forged)
    _tamper(
        logged,
        "UPDATE audit_log SET id = id + 1000 WHERE id >= 3",
        "UPDATE audit_log SET id = id - 999 WHERE id >= 1000",
        "INSERT INTO audit_log (id, at, staff, action, entity, entity_id, case_id, summary,"
        " prev_hash, row_hash) VALUES (3, '2026-11-25 01:00:00.000000', '院長', 'case.edit',"
        f" 'case', 'SO-2026-0001', 1, '偽', '{prev}', '{digest}')",
    )
    problem = _problem(logged)
    assert problem.startswith("変更履歴の 3 行目（") and "挿入" in problem


def test_a_row_added_at_the_end_without_the_program_is_named(logged: Path) -> None:
    _tamper(
        logged,
        "INSERT INTO audit_log (id, at, staff, action, entity, entity_id, summary, prev_hash,"
        " row_hash) VALUES (9, '2026-11-25 01:00:00.000000', 'x', 'case.edit', 'case', '', '',"
        " 'x', 'y')",
    )
    assert _problem(logged).startswith("変更履歴の 9 行目（")


def test_the_cli_check_exits_non_zero_naming_the_row(logged: Path, capsys) -> None:
    _tamper(logged, "UPDATE audit_log SET summary = '書き換え' WHERE id = 2")
    assert main(["check", "--db", str(logged)]) != 0
    out = capsys.readouterr().out
    assert "変更履歴の 2 行目（" in out


def test_the_database_refuses_to_change_or_delete_audit_rows(logged: Path) -> None:
    for statement in ("UPDATE audit_log SET staff = 'x'", "DELETE FROM audit_log WHERE id = 1"):
        with sqlite3.connect(logged) as c, pytest.raises(sqlite3.DatabaseError, match="append"):
            c.execute(statement)
    store = open_store(logged)
    try:
        for statement in (update(AuditEntry).values(summary="x"), delete(AuditEntry)):
            with pytest.raises(Exception, match="append-only"), store.transaction() as s:
                s.execute(statement)
    finally:
        store.close()
    assert check_database(str(logged)).ok


def test_an_upgraded_database_starts_with_a_sound_chain(logged: Path) -> None:
    engine = make_engine(logged)
    command.downgrade(alembic_config(engine), "0005")
    engine.dispose()
    before = _rows(logged, "SELECT id, at, staff, summary, after FROM audit_log ORDER BY id")
    open_store(logged).close()  # upgrades to head, chaining the eight rows
    assert _rows(logged, "SELECT id, at, staff, summary, after FROM audit_log ORDER BY id") == (
        before
    )
    assert check_database(str(logged)).ok
    _tamper(logged, "UPDATE audit_log SET summary = 'x' WHERE id = 8")
    assert _problem(logged).startswith("変更履歴の 8 行目")


def test_the_demo_builds_a_sound_chain_and_later_writes_continue_it(tmp_path: Path) -> None:
    store = open_store(tmp_path / "demo.db", create=True)
    try:
        mark_as_demo(store)
        build_demo(store, 30)
        with store.read() as session:
            assert audit.verify_chain(session) is None
        move_stage(store, 30, Stage.CANCELLED, reason="テスト")  # the newest: 問い合わせ受付
        with store.read() as session:
            assert audit.verify_chain(session) is None
            # the marking, 30 cases, the build, the move
            assert len(list(audit.stored_chain(session, batch=7))) == 33
    finally:
        store.close()
    assert check_database(str(tmp_path / "demo.db")).ok
