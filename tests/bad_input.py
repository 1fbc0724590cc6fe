"""Shared pieces of the bad-input property tests: hostile text, the clear-error check, budgets.

Every bad-input test opens its stores through ``open_test_store`` (tests/stores.py), so a
change to how a store is opened (e.g. ``open_store(..., create=True)``) is one line there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import sqlite3

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


def hostile_text(max_size: int = 30) -> st.SearchStrategy[str]:
    """Any Unicode but lone surrogates: Japanese, control characters, marks, long runs."""
    return st.one_of(
        st.text(max_size=max_size),
        st.text(_JAPANESE_CHARS, max_size=max_size),
        st.text(st.one_of(_CONTROL_CHARS, _JAPANESE_CHARS, st.characters()), max_size=max_size),
        # Very long: a paste of a whole letter into one field.
        st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=8), st.integers(100, 2000)),
    )


def text_or(valid: str, max_size: int = 30) -> st.SearchStrategy[str]:
    """Mostly hostile, sometimes the valid value, so a call gets past its first check."""
    return st.one_of(st.just(valid), hostile_text(max_size))


# Dates from year 1 to 9999, with the ordinary range weighted in.
any_date = st.one_of(
    st.dates(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31)),
)
