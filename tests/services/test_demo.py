from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop_app.db.models import Appointment, Department, Doctor, DoctorAvailability, Setting
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.people import Relationship
from desktop_app.domain.settings import ClinicSettings
from desktop_app.domain.stages import Stage
from desktop_app.services.case_rows import search_cases
from desktop_app.services.cases import get_case
from desktop_app.services.db_identity import IDENTITY_KEY
from desktop_app.services.demo import build_demo
from desktop_app.services.demo_mark import DEMO_MARK, is_demo_store
from desktop_app.services.intake import log_enquiry
from desktop_app.services.maintenance import check_database, open_demo, rebuild_demo
from desktop_app.services.settings import get_settings, update_settings
from desktop_app.services.store import (
    StoreError,
    data_dir,
    default_database,
    demo_database,
    open_store,
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _clinic_with_an_enquiry(path: Path) -> None:
    """A real clinic's database on its first day: settings and one enquiry, no case yet."""
    store = open_store(path, create=True)
    update_settings(store, dataclasses.replace(get_settings(store), fax="0144-33-0000"))
    log_enquiry(store, "鈴木　一郎", Relationship.OTHER, phone="0144-11-2233")
    store.close()


def _marked(path: Path) -> bool:
    with sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True) as c:
        return (
            c.execute("SELECT 1 FROM settings WHERE key = ?", (DEMO_MARK,)).fetchone() is not None
        )


def test_demo_has_every_stage_and_the_masters(tmp_path: Path) -> None:
    store = rebuild_demo(str(tmp_path / "demo.db"), 0)
    build_demo(store, 40, today=dt.date(2026, 11, 24))
    page = search_cases(store, limit=500)
    assert page.total == 40
    assert {r.stage for r in page.rows} == set(Stage)
    with store.read() as session:
        assert session.scalar(select(func.count(Department.id))) >= 6
        assert session.scalar(select(func.count(Doctor.id))) >= 6
        assert session.scalar(select(func.count(DoctorAvailability.id))) >= 6
        slots = session.execute(
            select(Appointment.doctor_id, Appointment.date, Appointment.start_time)
        ).all()
    assert len(slots) == len(set(slots)), "no doctor is booked twice in one slot"
    booked = next(r for r in page.rows if r.stage is Stage.BOOKED)
    detail = get_case(store, booked.id)
    assert detail.appointment is not None
    assert any(d.due_date for d in detail.documents)
    assert detail.contacts
    store.close()


def test_only_a_database_created_as_demo_is_a_demo_one(store, make_case) -> None:
    assert not is_demo_store(store), "an empty clinic database is not a demo one"
    with pytest.raises(ValidationError, match="デモ用"):
        build_demo(store, 5)
    make_case()
    with pytest.raises(ValidationError, match="デモ用"):
        build_demo(store, 5)


def test_settings_never_write_the_demo_mark(store) -> None:
    assert DEMO_MARK not in {f.name for f in dataclasses.fields(ClinicSettings)}
    update_settings(store, dataclasses.replace(get_settings(store), fax="0144-33-0000"))
    with store.read() as session:
        keys = set(session.scalars(select(Setting.key)))
    assert keys == {"fax", IDENTITY_KEY}  # the identity is the database's own, from creation
    assert not is_demo_store(store)


def test_a_clinic_database_without_cases_is_never_rebuilt(tmp_path: Path, folder_snapshot) -> None:
    clinic = tmp_path / "clinic.db"
    _clinic_with_an_enquiry(clinic)
    before = folder_snapshot(tmp_path)
    with pytest.raises(StoreError, match="デモデータベースではありません"):
        rebuild_demo(str(clinic), 5)
    with pytest.raises(StoreError, match="デモデータベースではありません"):
        open_demo(str(clinic))
    assert folder_snapshot(tmp_path) == before


def _default_spellings(clinic: Path, tmp_path: Path, monkeypatch) -> list[str]:
    link = tmp_path / "link.db"
    link.symlink_to(clinic)
    monkeypatch.chdir(clinic.parent)
    return [
        str(clinic),
        clinic.name,  # relative to the working folder
        f"sqlite:///{clinic}",
        f"sqlite+pysqlite:///{clinic}",
        f"sqlite:///{clinic.name}",
        str(link),
        f"sqlite:///{link}",
    ]


def test_the_clinic_database_is_refused_whatever_the_spelling(
    tmp_path: Path, monkeypatch, folder_snapshot
) -> None:
    open_store(None, create=True).close()
    clinic = Path(default_database())
    assert clinic.exists()
    before = folder_snapshot(clinic.parent)
    for target in _default_spellings(clinic, tmp_path, monkeypatch):
        with pytest.raises(StoreError, match="実データベース"):
            rebuild_demo(target, 5)
        with pytest.raises(StoreError, match="実データベース"):
            open_demo(target)
    assert folder_snapshot(clinic.parent) == before


def test_the_clinic_database_from_the_environment_is_refused(
    tmp_path: Path, monkeypatch, folder_snapshot
) -> None:
    clinic = tmp_path / "server-share" / "clinic.db"
    clinic.parent.mkdir()
    monkeypatch.setenv("SODESK_DATABASE_URL", f"sqlite:///{clinic}")
    # Even before the clinic's file exists, its name is not the demo's to take.
    with pytest.raises(StoreError, match="実データベース"):
        rebuild_demo(str(clinic), 5)
    assert not clinic.exists()
    open_store(None, create=True).close()
    before = folder_snapshot(tmp_path)
    with pytest.raises(StoreError, match="実データベース"):
        rebuild_demo(f"sqlite+pysqlite:///{clinic}", 5)
    assert folder_snapshot(tmp_path) == before


def test_rebuild_moves_the_old_demo_aside_and_keeps_three(tmp_path: Path) -> None:
    target = tmp_path / "demo.db"
    rebuild_demo(str(target), 5).close()
    store = rebuild_demo(str(target), 7)
    assert search_cases(store).total == 7
    store.close()
    aside = sorted(tmp_path.glob("demo.replaced-*.db"))
    assert len(aside) == 1, "the old demo is kept, not deleted"
    with sqlite3.connect(aside[0]) as c:
        assert c.execute("SELECT count(*) FROM cases").fetchone() == (5,)
    for n in range(4):
        rebuild_demo(str(target), n).close()
    kept = sorted(tmp_path.glob("demo.replaced-*.db"))
    assert len(kept) == 3
    assert all(_marked(p) for p in kept)
    assert not list(tmp_path.glob("*-wal")), "no database is left with a -wal beside it"
    assert not list(tmp_path.glob(".*")), "no temporary file is left behind"
    assert check_database(str(target)).ok


def test_old_copies_without_the_mark_are_never_deleted(tmp_path: Path) -> None:
    target = tmp_path / "demo.db"
    rebuild_demo(str(target), 0).close()
    stranger = tmp_path / "demo.replaced-20000101-000000.db"
    stranger.write_bytes(b"not ours")
    for _ in range(4):
        rebuild_demo(str(target), 0).close()
    assert stranger.read_bytes() == b"not ours"
    assert len([p for p in tmp_path.glob("demo.replaced-*.db") if _marked_or_none(p)]) == 3


def _marked_or_none(path: Path) -> bool:
    try:
        return _marked(path)
    except sqlite3.DatabaseError:
        return False


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"", "デモデータベースではありません"), (b"\x89PNG\r\n\x1a\n" + bytes(200), "デモ")],
)
def test_rebuild_refuses_a_file_that_is_not_a_demo_database(
    tmp_path: Path, content: bytes, needle: str, folder_snapshot
) -> None:
    target = tmp_path / "demo.db"
    target.write_bytes(content)
    before = folder_snapshot(tmp_path)
    with pytest.raises(StoreError, match=needle):
        rebuild_demo(str(target), 5)
    assert folder_snapshot(tmp_path) == before


def test_case_count_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="案件数"):
        rebuild_demo(str(tmp_path / "demo.db"), 100_001)
    assert not list(tmp_path.iterdir())


@posix_only
def test_a_new_demo_database_is_private(tmp_path: Path) -> None:
    rebuild_demo(demo_database(), 3).close()
    assert data_dir().stat().st_mode & 0o777 == 0o700
    assert Path(demo_database()).stat().st_mode & 0o777 == 0o600


def test_open_demo_builds_fills_and_opens(tmp_path: Path) -> None:
    target = str(tmp_path / "demo.db")
    store = open_demo(target)
    assert is_demo_store(store)
    assert search_cases(store).total == 40
    store.close()
    rebuild_demo(target, 0).close()
    store = open_demo(target)
    assert search_cases(store).total == 40, "a marked but empty demo is filled"
    store.close()
    store = open_demo(target)
    assert search_cases(store).total == 40, "an existing demo is opened as it is"
    store.close()


def test_check_reports_a_future_schema(tmp_path: Path) -> None:
    target = tmp_path / "x.db"
    store = open_store(target, create=True)
    with store.engine.begin() as c:
        c.exec_driver_sql("UPDATE alembic_version SET version_num='9999'")
    store.close()
    report = check_database(str(target))
    assert not report.ok
    assert "新しいバージョン" in report.problems[0]


def test_demo_cases_are_plausible(tmp_path: Path) -> None:
    """Issue 12 item 8: diagnosis, department, referrer, age and sex agree with each other."""
    from desktop_app.db.models import SOCase
    from desktop_app.domain.people import age_on
    from desktop_app.services.demo_data import PROFILES

    by_diagnosis = {p.diagnosis: p for p in PROFILES}
    today = dt.date(2026, 11, 24)
    store = rebuild_demo(str(tmp_path / "demo.db"), 0)
    build_demo(store, 400, today=today)
    with store.read() as session:
        for case in session.scalars(select(SOCase)):
            profile = next((p for p in PROFILES if p.consultation == case.consultation), None)
            if case.stage == Stage.EXCLUDED and profile is None:
                continue  # turned away: the consultation says why (test_demo_realism.py)
            assert profile is not None, case.consultation
            assert case.diagnosis in ("", profile.diagnosis)
            assert by_diagnosis[profile.diagnosis] is profile
            assert case.desired_department is not None
            assert case.desired_department.name == profile.department
            assert case.category.value == profile.category
            ref = case.referring_doctor
            assert ref is not None and ref.department in profile.referrer_departments
            birth = case.patient.birth_date
            assert birth is not None
            age = age_on(birth, case.created_at.date())
            assert profile.min_age <= age <= profile.max_age, (profile.diagnosis, age)
            if profile.sex:
                assert case.patient.sex.value == profile.sex
            assert (ref.department == "小児科") == (age < 18), (profile.diagnosis, age)
    store.close()


def _old_style_demo(path: Path, *, own_staff: bool = False) -> None:
    """A demo made before its mark was recorded in the audit chain: the settings row alone."""
    store = open_store(path, create=True)
    store.close()
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO settings (key, value) VALUES (?, 'true')", (DEMO_MARK,))
        if own_staff:
            connection.execute(
                "INSERT INTO staff_users (login, display_name, role, password_hash, active,"
                " must_change_password, created_at, version)"
                " VALUES ('tanaka', '田中', 'admin', 'x', 1, 0, '2026-01-01 00:00:00', 1)"
            )
    connection.close()


def test_an_old_style_demo_is_replaced_and_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "sodesk-demo.db"
    _old_style_demo(path)
    old = open_store(path)
    assert not is_demo_store(old)  # the mark alone grants nothing
    old.close()
    demo = open_demo(str(path), cases=3)
    try:
        assert is_demo_store(demo)
        assert search_cases(demo).total == 3
    finally:
        demo.close()
    assert len(list(tmp_path.glob("sodesk-demo.replaced-*.db"))) == 1


def test_a_marked_database_with_staff_of_its_own_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "sodesk-demo.db"
    _old_style_demo(path, own_staff=True)
    before = path.read_bytes()
    with pytest.raises(StoreError):
        rebuild_demo(str(path), 3)
    with pytest.raises(StoreError):
        open_demo(str(path), 3)
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("sodesk-demo.replaced-*"))
