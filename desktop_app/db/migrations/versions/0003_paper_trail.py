"""the paper trail: waived documents, borrowed items, the patient told the date, stage dates

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_documents", schema=None) as batch_op:
        # A document nobody needs any more (e.g. the referral letter already came by FAX from
        # the hospital): it stays on the checklist, struck through, with the reason.
        batch_op.add_column(sa.Column("waived_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("waived_reason", sa.String(length=300), server_default="", nullable=False)
        )
        # What exactly (an extra document, or "CT フィルム 胸部"), how many, from whom.
        batch_op.add_column(
            sa.Column("label", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("quantity", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(
            sa.Column("source", sa.String(length=200), server_default="", nullable=False)
        )
        # A borrowed item going back: to whom and how (郵送 / 手渡し).
        batch_op.add_column(
            sa.Column("returned_to", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("return_channel", sa.String(length=20), nullable=True))
        # "No channel" is NULL, not "": the column now holds a Channel or nothing.
        batch_op.alter_column("channel", existing_type=sa.String(length=20), nullable=True)
    op.execute("UPDATE case_documents SET channel = NULL WHERE channel = ''")

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        # The day the patient (or caller) was told the date: until then the board asks for it.
        batch_op.add_column(sa.Column("notified_on", sa.Date(), nullable=True))

    with op.batch_alter_table("cases", schema=None) as batch_op:
        # When the case entered its stage (how long a decision has been pending) and when the
        # specialist decided.
        batch_op.add_column(sa.Column("stage_since", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("decided_on", sa.Date(), nullable=True))
    op.execute("UPDATE cases SET stage_since = updated_at")


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("decided_on")
        batch_op.drop_column("stage_since")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_column("notified_on")
    op.execute("UPDATE case_documents SET channel = '' WHERE channel IS NULL")
    with op.batch_alter_table("case_documents", schema=None) as batch_op:
        batch_op.alter_column("channel", existing_type=sa.String(length=20), nullable=False)
        batch_op.drop_column("return_channel")
        batch_op.drop_column("returned_to")
        batch_op.drop_column("source")
        batch_op.drop_column("quantity")
        batch_op.drop_column("label")
        batch_op.drop_column("waived_reason")
        batch_op.drop_column("waived_on")
