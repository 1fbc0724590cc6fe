"""The case search index beside the ORM tables: what it is called, whether it is there.

SQLite: ``case_search``, an FTS5 table with the trigram tokenizer over ``cases.search_text``
(plus two newlines, see migration 0009), kept in step by triggers on ``cases``, and
``case_search_terms``, its vocabulary. PostgreSQL: a pg_trgm GIN index on the column, when
the extension could be had. None of these are ORM tables; the schema checks skip them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

FTS_TABLE = "case_search"
TERMS_TABLE = "case_search_terms"
TRIGGERS = ("cases_search_insert", "cases_search_update", "cases_search_delete")
POSTGRES_INDEX = "ix_cases_search_text_trgm"
# What appears in the schema but belongs to the index: the FTS table, its vocabulary and the
# shadow tables FTS5 keeps for itself.
_SHADOW = ("_data", "_idx", "_content", "_docsize", "_config")
INDEX_TABLES = frozenset({FTS_TABLE, TERMS_TABLE, *(FTS_TABLE + s for s in _SHADOW)})
# Appended to every indexed key; a search key never holds whitespace.
KEY_END = "\n\n"


def is_index_object(name: str | None, type_: str) -> bool:
    """True for the search index's own tables and indexes (left out of schema compares)."""
    if type_ == "table":
        return name in INDEX_TABLES
    if type_ == "index":
        return name == POSTGRES_INDEX
    return False


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's include_object hook: everything but the search index."""
    return not is_index_object(name, type_)


def has_fts_index(connection: Connection) -> bool:
    """True when this SQLite database has the FTS5 search table (migration 0009 made it)."""
    if connection.dialect.name != "sqlite":
        return False
    found = connection.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": FTS_TABLE},
    ).first()
    return found is not None


def index_problems(connection: Connection) -> list[str]:
    """What is missing or out of step in the SQLite search index (Japanese); empty if none."""
    if connection.dialect.name != "sqlite":
        return []
    if not has_fts_index(connection):
        return ["検索用の索引がありません（sodesk の更新で作り直されます）"]
    problems = []
    names = {
        row[0]
        for row in connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    }
    problems += [f"検索用の索引のトリガー {t} がありません" for t in TRIGGERS if t not in names]
    stale = connection.execute(
        text(
            f"SELECT count(*) FROM cases c LEFT JOIN {FTS_TABLE} s ON s.rowid = c.id "
            "WHERE s.key IS NULL OR s.key != c.search_text || char(10, 10)"
        )
    ).scalar()
    extra = connection.execute(
        text(f"SELECT count(*) FROM {FTS_TABLE} WHERE rowid NOT IN (SELECT id FROM cases)")
    ).scalar()
    if stale:
        problems.append(f"検索用の索引が {stale} 件の案件と一致しません")
    if extra:
        problems.append(f"検索用の索引に案件のない行が {extra} 件あります")
    return problems
