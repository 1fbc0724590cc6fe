"""`sodesk check` against an intruder holding the clinic's file: every way of cutting or
rewriting history that used to pass as 正常 now prints a problem and exits 1, while a database
that was only worked on, backed up, closed, and restored from an older backup passes.

The clinic is built once (a module fixture, at a fixed path so the witnesses name it); each
test starts from its pristine bytes and its own copy of the data folder (log and backups).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.db.models import Department, Doctor, DoctorAvailability, SOCase
from desktop_app.domain.audit_chain import AuditContent, row_hash
from desktop_app.domain.documents import ReportChannel
from desktop_app.domain.stages import Decision, Stage
from desktop_app.services.backup import backup_database
from desktop_app.services.booking import book
from desktop_app.services.cases import create_case, move_stage
from desktop_app.services.dto import NewCase, NewPatient
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.services.store import data_dir, open_store
from desktop_app.services.visit import check_in, record_payment, record_report, record_session
from tests.services.trail_helpers import TODAY, booked_today
from tests.stores import CLI_PASSWORD, CLI_USER

DEC = dt.date(2026, 12, 15)  # a Tuesday after the test day
NOW = dt.datetime.combine(TODAY, dt.time(9, 0))


@dataclasses.dataclass(frozen=True)
class Clinic:
    db: Path
    pristine: Path
    data_home: Path
    backup: Path  # the backup taken half-way (older than the database's last rows)


def _patient(k: int) -> NewCase:
    return NewCase(patient=NewPatient(name=f"患者　{k}郎", furigana="カンジャ　タロウ"))


def _build(db: Path) -> Path:
    from tests.stores import add_cli_admin

    open_store(db, create=True).close()
    add_cli_admin(db)
    store = open_store(db)
    try:
        with store.transaction() as session:
            session.add(Department(id=50, name="呼吸器内科"))
            session.add(Doctor(id=51, department_id=50, name="青木 一郎"))
            session.add(
                DoctorAvailability(
                    doctor_id=51, weekday=1, start_time=dt.time(14), end_time=dt.time(16)
                )
            )
        booked = create_case(store, _patient(1))
        with store.transaction() as session:
            case = session.get(SOCase, booked.id)
            assert case is not None
            case.stage, case.decision = Stage.DOCTOR_REVIEW, Decision.ACCEPTED
        book(store, booked.id, doctor_id=51, date=DEC, start=dt.time(14), now=NOW)
        paid = booked_today(store, create_case(store, _patient(2)))
        check_in(store, paid.id, now=dt.datetime.combine(TODAY, dt.time(13, 50)))
        record_session(store, paid.id, minutes=30)
        record_report(store, paid.id, written_on=TODAY)
        record_report(store, paid.id, delivered_on=TODAY, channel=ReportChannel.HANDED_TO_PATIENT)
        record_payment(store, paid.id, paid_on=TODAY, method="現金")
        update_settings(store, dataclasses.replace(get_settings(store), fax="0144-33-0000"))
        backup = backup_database(store).path
    finally:
        store.close()
    store = open_store(db)
    try:
        later = create_case(store, _patient(3))
        move_stage(store, later.id, Stage.CANCELLED, reason="テスト")
    finally:
        store.close()
    return backup


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    from argon2 import PasswordHasher

    from desktop_app.services import staff

    root = tmp_path_factory.mktemp("tamper")
    home = root / "data-home"
    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_DATA_HOME", str(home))
        mp.setenv("LOCALAPPDATA", str(home))
        mp.delenv("SODESK_DATABASE_URL", raising=False)
        mp.setattr(staff, "_hasher", quick)
        mp.setattr(staff, "_DUMMY_HASH", quick.hash("dummy"))
        db = root / "clinic.db"
        backup = _build(db)
    pristine = root / "pristine.db"
    shutil.copyfile(db, pristine)
    yield Clinic(db=db, pristine=pristine, data_home=home, backup=backup)


@pytest.fixture
def clinic(template: Clinic, monkeypatch: pytest.MonkeyPatch, quick_hashes: None) -> Path:
    """The clinic's file as built, with the witnesses its data folder holds."""
    shutil.copyfile(template.pristine, template.db)
    for side in ("-wal", "-shm"):
        Path(f"{template.db}{side}").unlink(missing_ok=True)
    mine = data_dir()
    shutil.rmtree(mine, ignore_errors=True)
    shutil.copytree(template.data_home / mine.name, mine)
    monkeypatch.setenv("SODESK_PASSWORD", CLI_PASSWORD)
    return template.db


def _sql(db: Path, *statements: str) -> None:
    with sqlite3.connect(db) as c:
        c.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        c.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        for statement in statements:
            c.execute(statement)


def _one(db: Path, sql: str) -> tuple:
    with sqlite3.connect(db) as c:
        row = c.execute(sql).fetchone()
    assert row is not None, sql
    return row


def _check(db: Path, capsys) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["check", "--db", str(db)])
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("正常: " if code == 0 else "問題あり: "), out
    return code, [line.removeprefix("問題: ") for line in out[:-1]]


def _fails_with(db: Path, capsys, needle: str) -> list[str]:
    code, problems = _check(db, capsys)
    assert code == 1, problems
    assert any(needle in p for p in problems), problems
    return problems


def test_the_clinic_as_worked_on_passes(clinic: Path, capsys) -> None:
    assert _check(clinic, capsys) == (0, [])


def test_the_newest_rows_deleted(clinic: Path, capsys) -> None:
    (last,) = _one(clinic, "SELECT max(id) FROM audit_log")
    _sql(clinic, f"DELETE FROM audit_log WHERE id > {last - 3}")
    _fails_with(clinic, capsys, f"変更履歴が {last - 2} 行目以降削除されています")


def test_every_row_deleted(clinic: Path, capsys) -> None:
    _sql(clinic, "DELETE FROM audit_log")
    _fails_with(clinic, capsys, "変更履歴が 1 行目以降削除されています")


def test_a_forged_row_appended_with_a_correct_hash(clinic: Path, capsys) -> None:
    """The newest row swapped for one saying something else, chained and hashed right."""
    (last,) = _one(clinic, "SELECT max(id) FROM audit_log")
    prev, at = _one(clinic, f"SELECT row_hash, at FROM audit_log WHERE id = {last - 1}")
    when = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
    forged = AuditContent(last, when, "院長", "case.edit", "case", "", None, "偽", None, None)
    _sql(
        clinic,
        f"DELETE FROM audit_log WHERE id = {last}",
        "INSERT INTO audit_log (id, at, staff, action, entity, entity_id, summary, prev_hash,"
        f" row_hash) VALUES ({last}, '{at}', '院長', 'case.edit', 'case', '', '偽', '{prev}',"
        f" '{row_hash(prev, forged)}')",
    )
    problems = _fails_with(clinic, capsys, f"変更履歴の {last} 行目の内容が記録と一致しません")
    assert not [p for p in problems if "改ざんされています" in p]


def test_a_forged_payment_entry_appended_past_the_last_witness(clinic: Path, capsys) -> None:
    """Appended after every witness, the entry is caught by the payment it names."""
    last, prev, at = _one(clinic, "SELECT id, row_hash, at FROM audit_log ORDER BY id DESC")
    when = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
    after = {"receipt": "R-2026-09999", "total": 5500, "method": "現金"}
    forged = AuditContent(
        last + 1, when, "kanri", "payment.record", "case", "", None, "会計", None, after
    )
    _sql(
        clinic,
        "INSERT INTO audit_log (id, at, staff, action, entity, entity_id, summary, after,"
        f" prev_hash, row_hash) VALUES ({last + 1}, '{at}', 'kanri', 'payment.record', 'case',"
        ' \'\', \'会計\', \'{"receipt": "R-2026-09999", "total": 5500, "method": "現金"}\','
        f" '{prev}', '{row_hash(prev, forged)}')",
    )
    _fails_with(clinic, capsys, "R-2026-09999")


def test_the_whole_chain_recomputed_after_an_edit(clinic: Path, capsys) -> None:
    from desktop_app.db.engine import make_engine
    from desktop_app.services.audit import stored_chain

    _sql(clinic, "UPDATE audit_log SET staff = '院長' WHERE id = 3")
    engine = make_engine(clinic)
    try:
        with engine.connect() as c:
            contents = [row.content for row in stored_chain(c)]
    finally:
        engine.dispose()
    prev, statements = "0" * 64, []
    for content in contents:
        digest = row_hash(prev, content)
        statements.append(
            f"UPDATE audit_log SET prev_hash = '{prev}', row_hash = '{digest}'"
            f" WHERE id = {content.id}"
        )
        prev = digest
    _sql(clinic, *statements)
    problems = _fails_with(clinic, capsys, "行目の内容が記録と一致しません")
    assert not [p for p in problems if "改ざんされています" in p]


def test_a_payment_row_deleted(clinic: Path, capsys) -> None:
    (receipt,) = _one(clinic, "SELECT receipt_number FROM payments")
    _sql(clinic, "DELETE FROM payments")
    _fails_with(clinic, capsys, f"会計（領収書 {receipt}）が削除されています")


def test_an_appointment_row_deleted(clinic: Path, capsys) -> None:
    (booked,) = _one(clinic, "SELECT entity_id FROM audit_log WHERE action = 'appointment.book'")
    _sql(clinic, f"DELETE FROM appointments WHERE id = {booked}")
    _fails_with(clinic, capsys, f"予約（appointments の id {booked}）が削除されています")


def test_a_settings_row_edited(clinic: Path, capsys) -> None:
    _sql(clinic, "UPDATE settings SET value = '\"0120999999\"' WHERE key = 'fax'")
    _fails_with(clinic, capsys, "設定（settings の key fax）")


def test_a_settings_row_deleted(clinic: Path, capsys) -> None:
    _sql(clinic, "DELETE FROM settings WHERE key = 'fax'")
    _fails_with(clinic, capsys, "設定（fax）が削除されています")


def test_a_master_row_edited(clinic: Path, capsys) -> None:
    _sql(clinic, "UPDATE doctor_availability SET end_time = '20:00:00.000000'")
    _fails_with(clinic, capsys, "doctor_availability の id")


def test_a_staff_account_deleted(clinic: Path, capsys) -> None:
    _sql(clinic, "DELETE FROM staff_users WHERE login = 'kanri'")
    _fails_with(clinic, capsys, "職員アカウント（kanri）が削除されています")


def test_a_restore_of_the_older_backup_passes(template: Clinic, clinic: Path, capsys) -> None:
    (before,) = _one(clinic, "SELECT count(*) FROM cases")
    assert main(["restore", str(template.backup), "--db", str(clinic), *CLI_USER]) == 0
    (after,) = _one(clinic, "SELECT count(*) FROM cases")
    assert after == before - 1  # the later case is gone with the restore
    assert _check(clinic, capsys) == (0, [])


def test_an_older_backup_copied_over_by_hand_is_a_cut(
    template: Clinic, clinic: Path, capsys
) -> None:
    shutil.copyfile(template.backup, clinic)
    _fails_with(clinic, capsys, "以降削除されています")
