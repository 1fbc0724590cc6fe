"""Whether a database is the demo's: the mark services/demo.py writes when it makes one.

Apart from the demo builder, so that the window's start (which asks at once) and the lock
screen do not load it.
"""

from __future__ import annotations

from sqlalchemy import select

from desktop_app.db import tables
from desktop_app.services.store import Store

DEMO_MARK = "demo_database"


def is_demo_store(store: Store) -> bool:
    """True only for a database created as a demo one (its mark is written at creation).

    Never inferred: a clinic's database with no case yet is still the clinic's.
    """
    settings = tables.settings  # asked as the window starts: Core, no ORM (db/tables.py)
    with store.read() as session:
        return session.scalar(select(settings.c.key).where(settings.c.key == DEMO_MARK)) is not None
