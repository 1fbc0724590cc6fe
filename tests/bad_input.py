"""Shared pieces of the bad-input property tests: hostile text, the clear-error check, budgets.

Every bad-input test opens its stores through ``open_test_store`` (tests/stores.py), so a
change to how a store is opened (e.g. ``open_store(..., create=True)``) is one line there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import sqlite3
from typing import Any

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from desktop_app.domain.errors import ValidationError
from desktop_app.services.store import Store, StoreError
from tests.stores import open_test_store

__all__ = ["open_test_store"]  # re-exported: the bad-input tests import it from here

_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uff01-\uff5e]")


def budget(max_examples: int, *, reuse_fixtures: bool = False) -> settings:
    """A property test's share of the time: its number of inputs, no deadline, no explain phase.

    The explain phase re-runs a failure hundreds of times against a real database; the
    shrunk example is enough to see what went wrong. ``reuse_fixtures``: the test shares one
    function-scoped fixture (a widget) between its examples on purpose.
    """
    return settings(
        max_examples=max_examples,
        deadline=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.function_scoped_fixture] if reuse_fixtures else [],
    )


def assert_clear_error(exc: BaseException) -> None:
    """A clerk can read it: our error type, and a non-empty message in Japanese."""
    assert isinstance(exc, ValidationError | StoreError), repr(exc)
    message = exc.message if isinstance(exc, ValidationError) else str(exc)
    assert message.strip(), repr(exc)
    assert _JAPANESE.search(message), message


def database_state(store: Store) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of its rows, read beside the store's own engine."""
    path = store.location
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        state = {}
        for table in tables:
            # Sorted here: the search index's vocabulary (fts5vocab) has no rowid to order by.
            rows = sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            state[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return state
    finally:
        connection.close()


def row_counts(store: Store) -> dict[str, int]:
    return {table: count for table, (count, _) in database_state(store).items()}


# Text a clerk (or a paste from elsewhere) could put in a field -------------------------------

_JAPANESE_CHARS = st.one_of(
    st.characters(min_codepoint=0x3000, max_codepoint=0x30FF),  # kana, 、。, the wide space
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # kanji
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFF9F),  # full-width ASCII, ｶﾀｶﾅ
)
_CONTROL_CHARS = st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Zs", "Mn"])


def hostile_text(max_size: int = 30, *, broken: bool = False) -> st.SearchStrategy[str]:
    """Any Unicode: Japanese, control characters, marks, long runs; with ``broken``, also
    lone surrogates and the characters that cannot be stored (``broken_text``)."""
    strategies = [
        st.text(max_size=max_size),
        st.text(_JAPANESE_CHARS, max_size=max_size),
        st.text(st.one_of(_CONTROL_CHARS, _JAPANESE_CHARS, st.characters()), max_size=max_size),
        # Very long: a paste of a whole letter into one field.
        st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=8), st.integers(100, 2000)),
    ]
    if broken:
        strategies.append(broken_text(max_size=max_size))
    return st.one_of(*strategies)


# What a broken paste, a file in another encoding or an undecodable command line brings: NUL,
# C0 and C1 controls, lone surrogates (os.fsdecode(b"\xff") is "\udcff"), noncharacters,
# line and paragraph separators, a byte-order mark.
UNSTORABLE = (
    "\x00", "\x01", "\x08", "\x1b", "\x7f", "\x85", "\x9b", "\x9f",
    "\ud800", "\udbff", "\udc80", "\udcff", "\udfff", "\ufffe", "\uffff", "\ufdd0",
)  # fmt: skip
_AWKWARD = ("\t", "\n", "\r", "\u2028", "\u2029", "\ufeff", "\u200b", "\u3000")
_BROKEN_CHARS = st.one_of(
    st.sampled_from(UNSTORABLE),
    st.sampled_from(_AWKWARD),
    st.characters(categories=["Cs", "Cc", "Co"]),
    _JAPANESE_CHARS,
    st.characters(),
)


def broken_text(valid: str = "", max_size: int = 30) -> st.SearchStrategy[str]:
    """``valid`` (often) with unstorable characters slipped in anywhere, or such characters
    alone, or a very long run of them."""

    def slip_in(text: str, extras: list[tuple[int, str]]) -> str:
        for at, extra in extras:
            cut = at % (len(text) + 1)
            text = text[:cut] + extra + text[cut:]
        return text

    extras = st.lists(st.tuples(st.integers(0, 1000), _BROKEN_CHARS), min_size=1, max_size=4)
    return st.one_of(
        st.builds(slip_in, st.just(valid), extras),
        st.text(_BROKEN_CHARS, max_size=max_size),
        st.builds(lambda s, n: s * n, st.text(_BROKEN_CHARS, min_size=1, max_size=4),
                  st.integers(100, 1500)),
    )  # fmt: skip


_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(1, 17)
)
# Written out here, not taken from desktop_app/domain/text_input.py: the test's own idea.
_NEVER_STORED = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")
_NEVER_IN_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")


def text_problems(value: object, *, single_line: bool = False, where: str = "") -> list[str]:
    """Where ``value`` (text, or lists, dicts and dataclasses of it) holds what must never be
    stored: NUL, other C0/C1 controls (tab and line feed allowed unless ``single_line``), lone
    surrogates or noncharacters."""
    if isinstance(value, str):
        bad = (_NEVER_IN_ONE_LINE if single_line else _NEVER_STORED).findall(value)
        return [f"{where}: {bad[:3]!r} in {value[:40]!r}"] if bad else []
    if isinstance(value, dict):
        return [
            p
            for k, v in value.items()
            for p in text_problems(k, single_line=True, where=f"{where}[key]")
            + text_problems(v, single_line=single_line, where=f"{where}.{k}")
        ]
    if isinstance(value, list | tuple | set | frozenset):
        return [p for v in value for p in text_problems(v, single_line=single_line, where=where)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            p
            for f in dataclasses.fields(value)
            for p in text_problems(getattr(value, f.name), where=f"{where}.{f.name}")
        ]
    return []


# Each table's rows, each row as (column, value) pairs.
Rows = dict[str, frozenset[tuple[tuple[str, Any], ...]]]


def stored_rows(store: Store) -> Rows:
    """Every table's rows (read beside the store's engine), text decoded as it is stored;
    two of them are equal when nothing was written between."""
    connection = sqlite3.connect(f"file:{store.location}?mode=ro", uri=True)
    connection.text_factory = lambda raw: raw.decode("utf-8", "surrogateescape")
    try:
        from desktop_app.db.tables import metadata

        # The program's tables: the search index follows the cases by trigger.
        names = [table.name for table in metadata.sorted_tables]
        rows: Rows = {}
        for table in names:
            cursor = connection.execute(f'SELECT * FROM "{table}"')
            columns = [d[0] for d in cursor.description]
            rows[table] = frozenset(tuple(zip(columns, row, strict=True)) for row in cursor)
        return rows
    finally:
        connection.close()


def stored_text_problems(store: Store, since: Rows | None = None) -> list[str]:
    """The stored text that holds what ``text_problems`` finds (of the rows new or changed
    since ``since``): one-line columns (String) no controls at all, Text columns tabs and line
    feeds, JSON columns parsed and every string in them checked."""
    from sqlalchemy import JSON, String, Text

    from desktop_app.db.tables import metadata

    now = stored_rows(store)
    problems: list[str] = []
    for table in metadata.sorted_tables:
        rows = now.get(table.name, frozenset())
        if since is not None:
            rows = rows - since.get(table.name, frozenset())
        for row in rows:
            values = dict(row)
            for column in table.columns:
                kind, where = column.type, f"{table.name}.{column.name}"
                value = values.get(column.name)
                if value is None or not isinstance(kind, String | JSON):
                    continue
                if isinstance(kind, JSON):
                    problems += text_problems(json.loads(value), where=where)
                elif isinstance(value, str):
                    single = not isinstance(kind, Text)
                    problems += text_problems(value, single_line=single, where=where)
    return problems


def text_or(valid: str, max_size: int = 30) -> st.SearchStrategy[str]:
    """Mostly hostile, sometimes the valid value, so a call gets past its first check."""
    return st.one_of(st.just(valid), hostile_text(max_size))


# Dates from year 1 to 9999, with the ordinary range weighted in.
any_date = st.one_of(
    st.dates(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31)),
)
