"""the calendar: availability date ranges and exceptions, appointment states, one live
booking per doctor and start time

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("doctor_availability", schema=None) as batch_op:
        batch_op.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("valid_to", sa.Date(), nullable=True))

    op.create_table(
        "doctor_hours_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doctor_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.Column("note", sa.String(length=200), server_default="", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["doctor_id"],
            ["doctors.id"],
            name=op.f("fk_doctor_hours_exceptions_doctor_id_doctors"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doctor_hours_exceptions")),
    )
    with op.batch_alter_table("doctor_hours_exceptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_doctor_hours_exceptions_doctor_id"), ["doctor_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_doctor_hours_exceptions_date"), ["date"], unique=False)

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("no_show", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("cancel_reason", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("notified_channel", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("doctor_notified_on", sa.Date(), nullable=True))
    # Two desks booking the same doctor at the same start: the database lets only one win.
    op.create_index(
        "uq_appointments_live_slot",
        "appointments",
        ["doctor_id", "date", "start_time"],
        unique=True,
        sqlite_where=sa.text("cancelled = 0"),
        postgresql_where=sa.text("NOT cancelled"),
    )


def downgrade() -> None:
    op.drop_index("uq_appointments_live_slot", table_name="appointments")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_column("doctor_notified_on")
        batch_op.drop_column("notified_channel")
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("no_show")
    with op.batch_alter_table("doctor_hours_exceptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_doctor_hours_exceptions_date"))
        batch_op.drop_index(batch_op.f("ix_doctor_hours_exceptions_doctor_id"))
    op.drop_table("doctor_hours_exceptions")
    with op.batch_alter_table("doctor_availability", schema=None) as batch_op:
        batch_op.drop_column("valid_to")
        batch_op.drop_column("valid_from")
