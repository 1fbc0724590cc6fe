"""Whether a database is the demo's: made as one, and still used as one.

The mark alone (the settings row services/demo.py writes) grants nothing: the database must
also have been created as a demo (its audit chain begins with the ``demo.mark`` entry, which
names the database it was written in) and have no staff account but the demo's. A clinic's
database given the mark by hand, or a demo the clinic has started to use with accounts of its
own, asks who works like any other.

Apart from the demo builder, so that the window's start (which asks at once) and the lock
screen do not load it.
"""

from __future__ import annotations

from desktop_app.services.db_identity import DEMO_MARK, DatabaseFacts, store_facts
from desktop_app.services.store import Store

__all__ = ["DEMO_ACCOUNT_ROLES", "DEMO_MARK", "created_as_demo", "is_demo", "is_demo_store"]

# The demo's accounts, (login, role), as services/demo_data.DEMO_ACCOUNTS makes them (a test
# holds the two together; that module is not loaded at the window's start).
DEMO_ACCOUNT_ROLES = frozenset({("uketsuke", "reception"), ("ishi", "doctor"), ("kanri", "admin")})


def created_as_demo(facts: DatabaseFacts) -> bool:
    """The mark is there and was written as the database's first recorded act, in this very
    database (the entry names its identity)."""
    if not facts.marked or facts.first_action != "demo.mark":
        return False
    named = (facts.first_after or {}).get("database")
    return named is None or named == facts.identity


def is_demo(facts: DatabaseFacts) -> bool:
    """Created as a demo, and no staff account other than the demo's."""
    return created_as_demo(facts) and all(s in DEMO_ACCOUNT_ROLES for s in facts.staff)


def is_demo_store(store: Store) -> bool:
    """True only for a database created as a demo one that is still only the demo's.

    Never inferred: a clinic's database with no case yet is still the clinic's.
    """
    return is_demo(store_facts(store))


def mark_problem(facts: DatabaseFacts) -> str | None:
    """What ``sodesk check`` says of a demo mark the database was not created with."""
    if facts.marked and not created_as_demo(facts):
        return (
            "デモ用の印（settings の demo_database）がありますが、デモとして作成された記録"
            "（変更履歴の最初の行の「デモ用データベースの指定」）がありません。"
            "この印は無視されます"
        )
    return None
