"""received faxes: each file recorded or set aside, by its SHA-256 (received_faxes), and the
pages kept with their cases (fax_pages: the page image, its SHA-256, its form and checklist line)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 14:00:00

New tables only; no existing row changes, so no seal is touched.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop_app.db.tables import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "received_faxes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("file_time", UTCDateTime(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("staff", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_faxes")),
        sa.UniqueConstraint("sha256", name=op.f("uq_received_faxes_sha256")),
    )
    op.create_table(
        "fax_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fax_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("form", sa.String(length=20), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=False),
        sa.Column("image_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_fax_pages_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["case_documents.id"],
            name=op.f("fk_fax_pages_document_id_case_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["fax_id"], ["received_faxes.id"], name=op.f("fk_fax_pages_fax_id_received_faxes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fax_pages")),
        sa.UniqueConstraint("fax_id", "page", "case_id", name="uq_fax_pages_fax_page_case"),
    )
    with op.batch_alter_table("fax_pages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fax_pages_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fax_pages_fax_id"), ["fax_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fax_pages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fax_pages_fax_id"))
        batch_op.drop_index(batch_op.f("ix_fax_pages_case_id"))
    op.drop_table("fax_pages")
    op.drop_table("received_faxes")
