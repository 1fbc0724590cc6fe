"""Witnesses of the audit chain kept outside the database: the log's line at each close, the
sidecar beside each backup, and what `check` makes of them.

Tampering is done as an intruder with the file would: sqlite3, the triggers dropped first,
and the hashes recomputed with the program's own encoding where the intruder would.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from desktop_app.domain.audit_chain import AuditContent, row_hash
from desktop_app.domain.stages import Stage
from desktop_app.services import audit_witness
from desktop_app.services.backup import backup_database, record_restore, restore_database
from desktop_app.services.cases import move_stage
from desktop_app.services.maintenance import check_database
from desktop_app.services.store import Store, data_dir, open_store

POSIX = os.name == "posix"


def _rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as c:
        return c.execute(sql).fetchall()


def _tamper(db: Path, *statements: str) -> None:
    with sqlite3.connect(db) as c:
        c.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        c.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        for statement in statements:
            c.execute(statement)


def _head(db: Path) -> tuple[int, str]:
    (row,) = _rows(db, "SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1")
    return row


def _witness_log() -> Path:
    return data_dir() / audit_witness.WITNESS_LOG


def _problems(db: Path) -> tuple[str, ...]:
    report = check_database(str(db))
    assert not report.ok
    return report.problems


@pytest.fixture
def worked(store: Store, make_case, db_path: Path) -> Path:
    """Three cases, each moved on, the store closed: its head is in the witness log."""
    for _ in range(3):
        case = make_case()
        move_stage(store, case.id, Stage.FORMS_SENT)
    store.close()
    return db_path


def test_a_close_writes_the_head_to_a_private_witness_log(worked: Path) -> None:
    first = _rows(worked, "SELECT row_hash FROM audit_log WHERE id = 1")[0][0]
    head_id, head_hash = _head(worked)
    line = _witness_log().read_text(encoding="utf-8").splitlines()[-1]
    assert f"witness db={first} id={head_id} hash={head_hash}" in line
    assert line.endswith(f"path={worked}")
    if POSIX:
        assert stat.S_IMODE(_witness_log().stat().st_mode) == 0o600
    assert check_database(str(worked)).ok


def test_a_backup_leaves_a_private_sidecar_with_the_copys_head(store: Store, make_case) -> None:
    make_case()
    result = backup_database(store)
    sidecar = Path(f"{result.path}{audit_witness.SIDECAR_SUFFIX}")
    data = json.loads(sidecar.read_text(encoding="utf-8"))
    head_id, head_hash = _head(result.path)
    assert (data["id"], data["hash"]) == (head_id, head_hash)
    assert (
        data["database"] == _rows(result.path, "SELECT row_hash FROM audit_log WHERE id = 1")[0][0]
    )
    assert data["location"] == str(store.file)
    if POSIX:
        assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600
    store.close()
    assert check_database(str(store.file)).ok


def test_the_newest_rows_cut_off_are_found(worked: Path) -> None:
    head_id, _ = _head(worked)
    _tamper(worked, f"DELETE FROM audit_log WHERE id > {head_id - 2}")
    cut = [p for p in _problems(worked) if "以降削除されています" in p]
    assert len(cut) == 1
    assert cut[0].startswith(f"変更履歴が {head_id - 1} 行目以降削除されています（")
    assert cut[0].endswith(f"の記録では {head_id} 行目まで）")


def test_every_row_deleted_is_found(worked: Path) -> None:
    head_id, _ = _head(worked)
    _tamper(worked, "DELETE FROM audit_log")
    assert any(
        p.startswith("変更履歴が 1 行目以降削除されています") and f"{head_id} 行目まで" in p
        for p in _problems(worked)
    )


def _forge(db: Path, after_id: int, staff: str) -> str:
    """An INSERT of a row chained onto ``after_id`` with a correct hash."""
    ((prev, at),) = _rows(db, f"SELECT row_hash, at FROM audit_log WHERE id = {after_id}")
    when = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
    forged = AuditContent(
        after_id + 1, when, staff, "case.edit", "case", "", None, "偽", None, None
    )
    return (
        "INSERT INTO audit_log (id, at, staff, action, entity, entity_id, summary, prev_hash,"
        f" row_hash) VALUES ({after_id + 1}, '{at}', '{staff}', 'case.edit', 'case', '', '偽',"
        f" '{prev}', '{row_hash(prev, forged)}')"
    )


def test_a_newest_row_replaced_by_a_forged_one_with_a_correct_hash_is_found(
    worked: Path,
) -> None:
    head_id, _ = _head(worked)
    insert = _forge(worked, head_id - 1, "院長")
    _tamper(worked, f"DELETE FROM audit_log WHERE id = {head_id}", insert)
    problems = _problems(worked)
    assert not [p for p in problems if "改ざんされています" in p], "the chain itself holds"
    assert any(
        p.startswith(f"変更履歴の {head_id} 行目の内容が記録と一致しません") for p in problems
    )


def _recompute(db: Path) -> None:
    """Every row's hashes rewritten from its (edited) content: the chain holds again."""
    from desktop_app.db.engine import make_engine
    from desktop_app.services.audit import stored_chain

    engine = make_engine(db)
    try:
        with engine.connect() as c:
            rows = [r.content for r in stored_chain(c)]
    finally:
        engine.dispose()
    prev = "0" * 64
    statements = []
    for content in rows:
        digest = row_hash(prev, content)
        statements.append(
            f"UPDATE audit_log SET prev_hash = '{prev}', row_hash = '{digest}'"
            f" WHERE id = {content.id}"
        )
        prev = digest
    _tamper(db, *statements)


def test_the_whole_chain_recomputed_after_an_edit_is_found(worked: Path) -> None:
    _tamper(worked, "UPDATE audit_log SET staff = '院長' WHERE id = 2")
    _recompute(worked)
    problems = _problems(worked)
    assert not [p for p in problems if "改ざんされています" in p], "the chain itself holds"
    assert any("行目の内容が記録と一致しません" in p for p in problems)


def test_the_backups_sidecar_still_witnesses_when_the_log_is_gone(
    store: Store, make_case, db_path: Path
) -> None:
    make_case()
    backup = backup_database(store).path
    head_id, _ = _head(backup)
    store.close()
    _witness_log().unlink()
    _tamper(db_path, f"DELETE FROM audit_log WHERE id >= {head_id}")
    assert any(f"の記録では {head_id} 行目まで" in p for p in _problems(db_path))


def test_a_restore_of_an_older_backup_passes(store: Store, make_case, db_path: Path) -> None:
    make_case()
    older = backup_database(store).path
    for _ in range(2):
        make_case()
    store.close()  # witnessed: more rows than the backup has
    restore_database(db_path, older)
    restored = open_store(db_path)
    try:
        record_restore(restored, "kanri", str(older))
        audit_witness.note_restore(restored, older)
    finally:
        restored.close()
    report = check_database(str(db_path))
    assert report.ok, report.problems


def test_a_restored_file_without_its_restore_entry_is_a_cut(
    store: Store, make_case, db_path: Path
) -> None:
    """Copying an old backup over the file by hand looks exactly like cutting the tail."""
    make_case()
    older = backup_database(store).path
    make_case()
    store.close()
    shutil.copyfile(older, db_path)
    assert any("以降削除されています" in p for p in _problems(db_path))


def test_a_copy_worked_on_elsewhere_does_not_count_against_the_original(
    worked: Path, tmp_path: Path, make_case_in
) -> None:
    copy = tmp_path / "copy" / "sodesk.db"
    copy.parent.mkdir()
    shutil.copyfile(worked, copy)
    other = open_store(copy)
    try:
        make_case_in(other, 9)
    finally:
        other.close()
    assert check_database(str(worked)).ok
    assert check_database(str(copy)).ok


def test_unreadable_witness_lines_are_passed_over(worked: Path) -> None:
    with _witness_log().open("a", encoding="utf-8") as f:
        f.write("garbage\n2026-01-01T00:00:00Z witness db=zz id=x hash=y source=close path=\n")
    assert check_database(str(worked)).ok


def test_a_close_never_fails_when_no_witness_can_be_written(
    store: Store, make_case, monkeypatch, tmp_path: Path
) -> None:
    make_case()
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocked))
    store.close()  # no exception
    assert blocked.read_text() == "x"


def test_a_database_whose_file_is_gone_gets_no_witness_and_no_new_file(
    store: Store, make_case, db_path: Path
) -> None:
    make_case()
    store.engine.dispose()
    db_path.unlink()
    store.close()
    assert not db_path.exists()
    assert not _witness_log().exists()


def test_a_large_witness_log_keeps_the_newest_line_of_each_database(
    worked: Path, monkeypatch
) -> None:
    head_id, head_hash = _head(worked)
    monkeypatch.setattr(audit_witness, "LOG_LIMIT", 2_000)
    filler = "2026-01-01T00:00:00.000000Z witness db=" + "a" * 64 + " id=1 hash=" + "b" * 64
    with _witness_log().open("a", encoding="utf-8") as f:
        for n in range(30):
            f.write(f"{filler} source=close path=/elsewhere/{n % 3}.db\n")
    store = open_store(worked)
    store.close()
    lines = _witness_log().read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 10
    assert sum(f"id={head_id} hash={head_hash}" in line for line in lines) == 1
    assert check_database(str(worked)).ok


def test_the_window_witnesses_the_head_when_it_ends(qapp, store: Store, make_case, db_path) -> None:
    """run_gui never closes the store it was given: its end writes the witness itself."""
    from desktop_app.ui.app import run_gui
    from tests.stores import add_cli_admin
    from tests.ui.modals import answer_modals

    make_case()
    add_cli_admin(db_path)
    _witness_log().unlink()  # the admin's store wrote one as it closed
    answer_modals(lambda dialog: dialog.reject())  # 終了 at the sign-in
    assert run_gui(store) == 0
    head_id, head_hash = _head(db_path)
    assert f"id={head_id} hash={head_hash} source=close" in _witness_log().read_text("utf-8")


def test_sidecars_of_backups_the_rotation_deleted_give_way_to_the_newest(
    store: Store, make_case, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    make_case()
    first = backup_database(store, folder).path
    other = folder / f"someone-else.db{audit_witness.SIDECAR_SUFFIX}"
    other.write_text("{}")  # not ours to judge: left alone
    first.unlink()  # as the retention rule would
    make_case()
    second = backup_database(store, folder).path
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([second.name, f"{second.name}.witness.json", other.name])
