"""no two live bookings of one doctor overlap: an exclusion constraint over (doctor, time
range) on PostgreSQL, with the btree_gist extension it needs

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 10:00:00

On SQLite nothing changes: every write transaction begins IMMEDIATE, so the booking's overlap
check and its INSERT cannot interleave with another desk's. On PostgreSQL two desks' checks
can both pass before either commits (a 60-minute booking at 14:00 beside a 30-minute one at
14:30); the constraint lets only one of them commit. The other desk is told
SLOT_TAKEN (services/store.py translates the violation).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from alembic import op

from desktop_app.db.migrate import SchemaError

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

# Kept in step with db/tables.OVERLAP_CONSTRAINT (the schema checks and the store's error
# translation read that name); stated in full here so a later edit there cannot rewrite
# history. tsrange is half-open, [start, end): a booking ending at 15:00 leaves 15:00 free.
CONSTRAINT = "ex_appointments_live_overlap"
ADD_CONSTRAINT = (
    f"ALTER TABLE appointments ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist ("
    "doctor_id WITH =, "
    "tsrange(date + start_time, date + start_time + minutes * interval '1 minute') WITH &&"
    ") WHERE (NOT cancelled)"
)
# Live bookings of one doctor that already overlap: the constraint could not be made.
OVERLAPS = """
    SELECT ca.case_number, a.date, a.start_time, a.minutes,
           cb.case_number, b.date, b.start_time, b.minutes, d.name
    FROM appointments a
    JOIN appointments b ON b.doctor_id = a.doctor_id AND b.id > a.id
         AND NOT b.cancelled AND b.date BETWEEN a.date - 1 AND a.date + 1
    JOIN cases ca ON ca.id = a.case_id
    JOIN cases cb ON cb.id = b.case_id
    JOIN doctors d ON d.id = a.doctor_id
    WHERE NOT a.cancelled
      AND tsrange(a.date + a.start_time, a.date + a.start_time + a.minutes * interval '1 minute')
       && tsrange(b.date + b.start_time, b.date + b.start_time + b.minutes * interval '1 minute')
    ORDER BY a.date, a.start_time, a.id, b.id
"""
NAMED_AT_MOST = 10


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _ensure_btree_gist()
    # Nobody books between the check and the constraint (desks wait, then carry on).
    op.execute("LOCK TABLE appointments IN SHARE ROW EXCLUSIVE MODE")
    overlapping = bind.exec_driver_sql(OVERLAPS).all()
    if overlapping:
        raise SchemaError(overlaps_message(overlapping))
    op.execute(ADD_CONSTRAINT)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # The extension stays: other databases or schemas may use it.
    op.execute(f"ALTER TABLE appointments DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


def _ensure_btree_gist() -> None:
    """The extension (trusted since PostgreSQL 13: the database's owner may create it, and
    ``sodesk pg-setup`` creates it as the superuser); a role that may not is told who can."""
    bind = op.get_bind()
    with bind.begin_nested():
        present = bind.exec_driver_sql(
            "SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'"
        ).scalar()
    if present:
        return
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS btree_gist")
    except Exception as exc:
        log.warning("btree_gist cannot be created by this role: %s", exc)
        raise SchemaError(
            "PostgreSQL の拡張機能 btree_gist を作成できないため、データベースを更新できません"
            "（予約の重なりを防ぐために必要です）。管理者が `sodesk pg-setup` を実行してください。"
        ) from exc


def overlaps_message(rows: Sequence[Sequence[Any]]) -> str:
    """The refusal when live bookings already overlap: which ones, so an administrator can
    cancel one of each pair (with the version of SO Desk the desks still run)."""
    pairs = [
        f"{doctor} {_when(a_date, a_start, a_minutes)}（{a_case}）と"
        f"{_when(b_date, b_start, b_minutes)}（{b_case}）"
        for (a_case, a_date, a_start, a_minutes, b_case, b_date, b_start, b_minutes, doctor) in (
            rows[:NAMED_AT_MOST]
        )
    ]
    more = f"、ほか{len(rows) - NAMED_AT_MOST}組" if len(rows) > NAMED_AT_MOST else ""
    return (
        "同じ担当医の予約で時間が重なっているものがあるため、データベースを更新できません："
        + "、".join(pairs)
        + more
        + "。更新前の SO Desk で、どちらかの予約をキャンセルするか日時を変更してから、"
        "もう一度更新してください。"
    )


def _when(date: dt.date, start: dt.time, minutes: int) -> str:
    return f"{date.year}年{date.month}月{date.day}日 {start:%H:%M}から{minutes}分"
