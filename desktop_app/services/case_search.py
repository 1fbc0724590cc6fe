"""Which cases a search key matches, through the search index rather than a scan.

The match is what it always was: the key is a substring of ``cases.search_text`` (keys of the
case number, names, フリガナ and phone numbers). Only the way to the rows changes:

- three characters or more: an FTS5 trigram phrase (SQLite) — exact substring matching;
- one or two characters: the trigrams that start with them, looked up in the index's
  vocabulary and ORed; a key so common that they are many is answered by a newest-first
  scan instead, which stops at the page because matches are everywhere;
- PostgreSQL: ``LIKE '%key%'``, which the pg_trgm GIN index answers when it is there.

Without a stage filter the FTS query alone gives the page (newest first) and the count, and
stops as soon as it has them; with one, the matching ids are joined to the cases.

A number typed with hyphens (0144-84-0158) also finds the phone stored as digits. A whole
phone number is looked up in the patients' and the callers' number columns through their
indexes: its trigrams (014, 144, …) are in nearly every case, so the FTS query would walk every
case to find one.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, false, func, or_, select, text
from sqlalchemy.orm import Session

from desktop_app.db import tables
from desktop_app.db.search_index import FTS_TABLE, TERMS_TABLE, has_fts_index
from desktop_app.domain.stages import Stage

# Core columns: the first page is searched before the ORM's mappers are configured.
_CASES, _PATIENTS, _CALLERS = tables.cases.c, tables.patients.c, tables.callers.c

# Trigrams the vocabulary may give for a short key before a scan is the cheaper way: a key
# in this many distinct trigrams is common, so newest-first rows match within the page.
MAX_SHORT_TERMS = 400
# Documents behind those trigrams (with repeats) above which the scan is cheaper as well.
MAX_SHORT_DOCS = 5_000
# Cases in the filtered stages up to which looking at each beats the index of the key.
FEW_IN_STAGES = 3_000
# A phone number as people type it: digits with hyphens, dashes or brackets (search keys are
# NFKC, so full-width forms have become these already).
_PHONE_LIKE = re.compile(r"[0-9()\-‐‑–−ー]*[0-9][0-9()\-‐‑–−ー]*")
_NOT_DIGIT = re.compile(r"[^0-9]")
# The search key of a case number, from "so-2026-" and four digits on (stored SO-2026-0001).
_CASE_NUMBER = re.compile(r"so-[0-9]{4}-[0-9]{4,}")
# A whole phone number, as domain/contact.validate_phone stores one: 0 and 9 or 10 digits.
_WHOLE_PHONE = re.compile(r"0[0-9]{9,10}")


def search_keys(key: str) -> tuple[str, ...]:
    """The keys a search looks for: the key itself, and a phone number's digits."""
    if _PHONE_LIKE.fullmatch(key):
        digits = _NOT_DIGIT.sub("", key)
        if len(digits) >= 2 and digits != key:
            return (key, digits)
    return (key,)


def search_queries(
    session: Session,
    key: str,
    stages: tuple[Stage, ...] | None,
    *,
    limit: int,
    offset: int,
    count_upto: int,
) -> tuple[Select[Any], Select[Any]]:
    """Two queries: the page's case ids newest first, and the matches counted to ``count_upto``."""
    phone = _whole_phone(key)
    fts = _fts_expression(session, key) if key and phone is None else None
    if phone is not None:
        fts = _phone_condition(phone)
    elif fts is not None and _CASE_NUMBER.fullmatch(key):
        # A case number (or its start): its trigrams are in every case, the unique index of
        # the numbers answers at once. Only a number's start can hold such a key.
        upper = key.upper()
        fts = (_CASES.case_number >= upper) & (_CASES.case_number < upper + "\U0010ffff")
    if isinstance(fts, str) and not stages:
        matched = (
            select(text("rowid"))
            .select_from(text(FTS_TABLE))
            .where(text(f"{FTS_TABLE} MATCH :q").bindparams(bindparam("q", fts, unique=True)))
        )
        page = matched.order_by(text("rowid DESC")).limit(limit).offset(offset)
        return page, select(func.count()).select_from(matched.limit(count_upto).subquery())
    conditions: list[ColumnElement[bool]] = []
    if key:
        few = stages and _few_in_stages(session, stages)
        # Few cases in the chosen stages (the open ones, usually): their own index and a look
        # at each is cheaper than joining every match of the key.
        conditions.append(_condition(key) if fts is None or few else _as_condition(fts))
    if stages:
        conditions.append(_CASES.stage.in_(stages))
    matched = select(_CASES.id).where(*conditions)
    page = matched.order_by(_CASES.id.desc()).limit(limit).offset(offset)
    return page, select(func.count()).select_from(matched.limit(count_upto).subquery())


def _whole_phone(key: str) -> str | None:
    """The digits of ``key`` when it is a whole phone number (with or without hyphens)."""
    digits = search_keys(key)[-1]
    return digits if _WHOLE_PHONE.fullmatch(digits) else None


def _phone_condition(digits: str) -> ColumnElement[bool]:
    """Cases whose patient has ``digits`` in a phone or mobile number, or whose caller (the
    daughter who phoned) has them in theirs, through the indexes of those columns.

    The same cases the substring search finds: stored numbers are digits only, 0 and 9 or 10
    more (validate_phone), so a whole number lies in one at its start, or, ten digits long,
    one place in, in an eleven-digit number that is then "0" and those digits. Elsewhere in a
    search text ten digits in a row do not occur: the case number has hyphens, and a name
    holding a phone number is no name (tests/services/test_search_equivalence.py).
    """

    def holds(column: ColumnElement[str]) -> ColumnElement[bool]:
        starts = and_(column >= digits, column < digits + ":")  # ":" sorts just after "9"
        return or_(starts, column == "0" + digits) if len(digits) == 10 else starts

    patients = select(_PATIENTS.id).where(or_(holds(_PATIENTS.phone), holds(_PATIENTS.mobile)))
    callers = select(_CALLERS.id).where(holds(_CALLERS.phone))
    return or_(_CASES.patient_id.in_(patients), _CASES.caller_id.in_(callers))


def _few_in_stages(session: Session, stages: tuple[Stage, ...]) -> bool:
    in_stages = select(_CASES.id).where(_CASES.stage.in_(stages)).limit(FEW_IN_STAGES + 1)
    return (session.scalar(select(func.count()).select_from(in_stages.subquery())) or 0) <= (
        FEW_IN_STAGES
    )


def _condition(key: str) -> ColumnElement[bool]:
    """The scan: the key (or its digits) anywhere in the search text."""
    return or_(*(_CASES.search_text.contains(k, autoescape=True) for k in search_keys(key)))


def _as_condition(fts: str | ColumnElement[bool]) -> ColumnElement[bool]:
    if not isinstance(fts, str):
        return fts
    matches = text(f"{FTS_TABLE} MATCH :q").bindparams(bindparam("q", fts, unique=True))
    return _CASES.id.in_(select(text("rowid")).select_from(text(FTS_TABLE)).where(matches))


def _fts_expression(session: Session, key: str) -> str | ColumnElement[bool] | None:
    """The FTS5 query for ``key``; false() when nothing can match, None to scan instead."""
    if not has_fts_index(session.connection()):
        return None
    alternatives: list[str] = []
    for k in search_keys(key):
        if len(k) >= 3:
            alternatives.append(_phrase(k))
            continue
        terms = _terms_starting_with(session, k)
        if terms is None:  # common: the newest rows match, a scan stops at the page
            return None
        alternatives += [_phrase(t) for t in terms]
    return " OR ".join(alternatives) if alternatives else false()


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
    # Every indexed key ends in two newlines, so each of its characters starts a trigram.
    return [r.term for r in rows]
