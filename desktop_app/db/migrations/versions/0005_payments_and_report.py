"""payments voided (never deleted), with the method and why an amount differs; the report's
written date and how it was handed over

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("method", sa.String(length=40), server_default="現金", nullable=False)
        )
        batch_op.add_column(
            sa.Column("amount_reason", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("voided", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("void_reason", sa.String(length=300), server_default="", nullable=False)
        )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report_written_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("report_channel", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("report_channel")
        batch_op.drop_column("report_written_on")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_at")
        batch_op.drop_column("voided")
        batch_op.drop_column("amount_reason")
        batch_op.drop_column("method")
