"""Backup files: their names, and which of them to keep (14 daily, 12 monthly).

Pure functions on file names; the service lists the folder and deletes what these select.
A name carries the short identity of the database it copies (and ``demo-`` for the demo's),
so that two databases backing up into one folder never count or delete each other's files.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

DAILY_KEPT = 14
MONTHLY_KEPT = 12

# sodesk-1a2b3c4d-20261124-153000.db (the database's short identity first), the demo's
# sodesk-demo-1a2b3c4d-…; "-2" when two backups start in the same second; ".dump" is
# PostgreSQL's pg_dump custom format. Older versions wrote sodesk-20261124-153000.db.
BACKUP_NAME = re.compile(
    r"sodesk-(?:(?P<demo>demo)-)?(?:(?P<owner>[0-9a-f]{8})-)?"
    r"(?P<date>\d{8})-(?P<time>\d{6})(?:-(?P<sequence>\d{1,3}))?\.(?:db|dump)"
)
OWNER_LENGTH = 8


@dataclass(frozen=True, order=True)
class BackupName:
    """A file name of ours, with the local wall-clock time it was taken and whose it is."""

    taken: dt.datetime  # naive local time, as written in the name
    sequence: int
    name: str
    owner: str = ""  # the database's short identity; "" in an older version's name
    demo: bool = False


def short_identity(identity: str | None) -> str:
    """The part of a database's identity its backups' names carry ("" when it has none)."""
    text = (identity or "").lower()
    short = text[:OWNER_LENGTH]
    return (
        short if len(short) == OWNER_LENGTH and all(c in "0123456789abcdef" for c in short) else ""
    )


def backup_file_name(
    taken: dt.datetime,
    *,
    sequence: int = 0,
    suffix: str = ".db",
    owner: str = "",
    demo: bool = False,
) -> str:
    """``sodesk-<owner>-YYYYMMDD-HHMMSS.db`` for a local time (``sodesk-demo-<owner>-…`` for the
    demo's; without an owner, an older version's ``sodesk-YYYYMMDD-HHMMSS.db``); ``-N`` added
    when ``sequence`` > 0."""
    extra = f"-{sequence}" if sequence else ""
    who = ("demo-" if demo else "") + (f"{owner}-" if owner else "")
    return f"sodesk-{who}{taken:%Y%m%d-%H%M%S}{extra}{suffix}"


def parse_backup_name(name: str) -> BackupName | None:
    """The time and owner in one of our backup file names, or None for any other file."""
    match = BACKUP_NAME.fullmatch(name)
    if match is None:
        return None
    try:
        taken = dt.datetime.strptime(match["date"] + match["time"], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return BackupName(
        taken=taken,
        sequence=int(match["sequence"] or 0),
        name=name,
        owner=match["owner"] or "",
        demo=match["demo"] is not None,
    )


def belongs_to(backup: BackupName, *, owner: str, demo: bool) -> bool:
    """Whether one database's rotation may count and delete this backup: its own names; for
    a database that is not the demo, also the older names without an owner (which were the
    clinic's). The demo never touches a name it cannot tell is its own."""
    if backup.demo != demo:
        return False
    return backup.owner == owner or (not demo and backup.owner == "")


def backups_to_keep(
    names: Iterable[str],
    *,
    owner: str = "",
    demo: bool = False,
    daily: int = DAILY_KEPT,
    monthly: int = MONTHLY_KEPT,
) -> set[str]:
    """Of one database's backup names (see :func:`belongs_to`), those to keep: the newest of
    each of the ``daily`` most recent days that have a backup, and the newest of each of the
    ``monthly`` most recent months.

    Names that are not that database's are never in the result (nor in
    :func:`backups_to_delete`).
    """
    parsed = sorted(_belonging(names, owner, demo), reverse=True)
    newest_per_day: dict[dt.date, str] = {}
    newest_per_month: dict[tuple[int, int], str] = {}
    for backup in parsed:  # newest first, so the first seen of a day or month is its newest
        newest_per_day.setdefault(backup.taken.date(), backup.name)
        newest_per_month.setdefault((backup.taken.year, backup.taken.month), backup.name)
    # Dicts keep insertion order: newest day (month) first.
    kept = list(newest_per_day.values())[:daily] + list(newest_per_month.values())[:monthly]
    return set(kept)


def backups_to_delete(
    names: Iterable[str],
    *,
    owner: str = "",
    demo: bool = False,
    daily: int = DAILY_KEPT,
    monthly: int = MONTHLY_KEPT,
) -> list[str]:
    """One database's backup names that the retention rule lets go, oldest first."""
    listed = list(names)
    keep = backups_to_keep(listed, owner=owner, demo=demo, daily=daily, monthly=monthly)
    ours = sorted(_belonging(listed, owner, demo))
    return [p.name for p in ours if p.name not in keep]


def _belonging(names: Iterable[str], owner: str, demo: bool) -> list[BackupName]:
    parsed = (parse_backup_name(name) for name in names)
    return [p for p in parsed if p is not None and belongs_to(p, owner=owner, demo=demo)]
