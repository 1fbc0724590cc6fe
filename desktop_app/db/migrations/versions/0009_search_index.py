"""search index over cases.search_text: an FTS5 trigram table kept by triggers (SQLite), a
pg_trgm GIN index (PostgreSQL, when the extension can be had)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 12:00:00
"""

from __future__ import annotations

import logging

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

log = logging.getLogger(__name__)

# Kept in step with desktop_app/db/search_index.py, which the services and the schema checks
# read; a migration states its DDL in full so that later edits there cannot rewrite history.
#
# Every key gets two newlines appended: a search key never holds whitespace, so they match
# nothing typed, yet every character of the key starts a trigram. That lets a one- or
# two-character query find its trigrams by prefix in the index's vocabulary.
SQLITE_UP = (
    """CREATE VIRTUAL TABLE case_search USING fts5(
        key, tokenize = 'trigram case_sensitive 1', columnsize = 0
    )""",
    "CREATE VIRTUAL TABLE case_search_terms USING fts5vocab(case_search, 'row')",
    """INSERT INTO case_search (rowid, key)
        SELECT id, search_text || char(10, 10) FROM cases""",
    """CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN
        INSERT INTO case_search (rowid, key) VALUES (new.id, new.search_text || char(10, 10));
    END""",
    """CREATE TRIGGER cases_search_update AFTER UPDATE OF id, search_text ON cases BEGIN
        DELETE FROM case_search WHERE rowid = old.id;
        INSERT INTO case_search (rowid, key) VALUES (new.id, new.search_text || char(10, 10));
    END""",
    """CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN
        DELETE FROM case_search WHERE rowid = old.id;
    END""",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS cases_search_delete",
    "DROP TRIGGER IF EXISTS cases_search_update",
    "DROP TRIGGER IF EXISTS cases_search_insert",
    "DROP TABLE IF EXISTS case_search_terms",
    "DROP TABLE IF EXISTS case_search",
)
POSTGRES_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_cases_search_text_trgm ON cases "
    "USING gin (search_text gin_trgm_ops)"
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
        return
    # CREATE EXTENSION needs rights the program's role may not have. Without pg_trgm the
    # search still answers (a newest-first scan that stops at the page), only slower.
    with bind.begin_nested():
        has_trgm = bind.exec_driver_sql(
            "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"
        ).scalar()
    if not has_trgm:
        try:
            with bind.begin_nested():
                bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            has_trgm = True
        except Exception as exc:  # any refusal leaves the plain search
            log.warning("pg_trgm not available, search runs without its index: %s", exc)
    if has_trgm:
        op.execute(POSTGRES_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
        return
    # The extension stays: other databases or schemas may use it.
    op.execute("DROP INDEX IF EXISTS ix_cases_search_text_trgm")
