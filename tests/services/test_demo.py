from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop_app.db.models import Appointment, Department, Doctor, DoctorAvailability
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import get_case, search_cases
from desktop_app.services.demo import build_demo
from desktop_app.services.maintenance import check_database, rebuild_demo
from desktop_app.services.store import default_database, open_store


def test_demo_has_every_stage_and_the_masters(store) -> None:
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


def test_demo_refuses_a_database_with_real_cases(store, make_case) -> None:
    make_case()
    with pytest.raises(ValidationError, match="実際の案件"):
        build_demo(store, 5)


def test_rebuild_replaces_a_demo_file_but_never_the_clinic_database(tmp_path: Path) -> None:
    target = str(tmp_path / "demo.db")
    rebuild_demo(target, 5).close()
    store = rebuild_demo(target, 7)
    assert search_cases(store).total == 7
    store.close()
    with pytest.raises(ValidationError, match="実データベース"):
        rebuild_demo(default_database(), 5)
    with pytest.raises(ValidationError, match="案件数"):
        rebuild_demo(target, 100_001)
    assert check_database(target).ok


def test_check_reports_a_future_schema(tmp_path: Path) -> None:
    target = tmp_path / "x.db"
    store = open_store(target)
    with store.engine.begin() as c:
        c.exec_driver_sql("UPDATE alembic_version SET version_num='9999'")
    store.close()
    report = check_database(str(target))
    assert not report.ok
    assert "新しいバージョン" in report.problems[0]
