"""Which cases a search key matches, through the search index rather than a scan.

The match is what it always was: the key is a substring of ``cases.search_text`` (keys of the
case number, names, フリガナ and phone numbers). Only the way to the rows changes:

- three characters or more: an FTS5 trigram phrase (SQLite) — exact substring matching;
- one or two characters: the trigrams that start with them, looked up in the index's
  vocabulary; a key so common that they are many is answered by a newest-first scan
  instead, which stops at the page because matches are everywhere;
- PostgreSQL: ``LIKE '%key%'``, which the pg_trgm GIN index answers when it is there.

A number typed with hyphens (0144-84-0158) also finds the phone stored as digits.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, bindparam, false, or_, select, text
from sqlalchemy.orm import Session

from desktop_app.db.models import SOCase
from desktop_app.db.search_index import FTS_TABLE, TERMS_TABLE, has_fts_index

# Trigrams the vocabulary may give for a short key before a scan is the cheaper way: a key
# in this many distinct trigrams is common, so newest-first rows match within the page.
MAX_SHORT_TERMS = 400
# Documents behind those trigrams (with repeats) above which the scan is cheaper as well.
MAX_SHORT_DOCS = 20_000
# A phone number as people type it: digits with hyphens, dashes or brackets (search keys are
# NFKC, so full-width forms have become these already).
_PHONE_LIKE = re.compile(r"[0-9()\-‐‑–−ー]*[0-9][0-9()\-‐‑–−ー]*")
_NOT_DIGIT = re.compile(r"[^0-9]")


def search_keys(key: str) -> tuple[str, ...]:
    """The keys a search looks for: the key itself, and a phone number's digits."""
    if _PHONE_LIKE.fullmatch(key):
        digits = _NOT_DIGIT.sub("", key)
        if len(digits) >= 2 and digits != key:
            return (key, digits)
    return (key,)


def key_condition(session: Session, key: str) -> ColumnElement[bool]:
    """The WHERE clause on SOCase for cases whose search text holds ``key`` (or its digits)."""
    keys = search_keys(key)
    if not has_fts_index(session.connection()):
        return or_(*(SOCase.search_text.contains(k, autoescape=True) for k in keys))
    parts = [_fts_condition(session, k) for k in keys]
    return or_(*parts) if len(parts) > 1 else parts[0]


def _fts_condition(session: Session, key: str) -> ColumnElement[bool]:
    if len(key) >= 3:
        return _match(_phrase(key))
    terms = _terms_starting_with(session, key)
    if terms is None:  # common: the newest rows match, a scan stops at the page
        return SOCase.search_text.contains(key, autoescape=True)
    if not terms:
        return false()
    return _match(" OR ".join(_phrase(t) for t in terms))


def _match(query: str) -> ColumnElement[bool]:
    # unique: a phone number's two keys are two MATCHes in one statement.
    matches = text(f"{FTS_TABLE} MATCH :q").bindparams(bindparam("q", query, unique=True))
    return SOCase.id.in_(select(text("rowid")).select_from(text(FTS_TABLE)).where(matches))


def _phrase(key: str) -> str:
    return '"' + key.replace('"', '""') + '"'


def _terms_starting_with(session: Session, key: str) -> list[str] | None:
    """The index's trigrams that begin with ``key``; None when there are too many to OR."""
    rows: list[Any] = list(
        session.execute(
            text(
                f"SELECT term, doc FROM {TERMS_TABLE} WHERE term >= :low AND term < :high "
                f"LIMIT {MAX_SHORT_TERMS + 1}"
            ),
            {"low": key, "high": key + "\U0010ffff"},
        )
    )
    if len(rows) > MAX_SHORT_TERMS or sum(r.doc for r in rows) > MAX_SHORT_DOCS:
        return None
    # Every indexed key ends in KEY_END, so each of its characters starts a trigram.
    return [r.term for r in rows]
