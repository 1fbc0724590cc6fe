"""Backup files: their names, and which of them to keep (14 daily, 12 monthly).

Pure functions on file names; the service lists the folder and deletes what these select.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

DAILY_KEPT = 14
MONTHLY_KEPT = 12

# sodesk-20261124-153000.db; "-2" when two backups start in the same second; ".dump" is
# PostgreSQL's pg_dump custom format.
BACKUP_NAME = re.compile(r"sodesk-(\d{8})-(\d{6})(?:-(\d{1,3}))?\.(db|dump)")


@dataclass(frozen=True, order=True)
class BackupName:
    """A file name of ours, with the local wall-clock time it was taken."""

    taken: dt.datetime  # naive local time, as written in the name
    sequence: int
    name: str


def backup_file_name(taken: dt.datetime, *, sequence: int = 0, suffix: str = ".db") -> str:
    """``sodesk-YYYYMMDD-HHMMSS.db`` for a local time; ``-N`` added when ``sequence`` > 0."""
    extra = f"-{sequence}" if sequence else ""
    return f"sodesk-{taken:%Y%m%d-%H%M%S}{extra}{suffix}"


def parse_backup_name(name: str) -> BackupName | None:
    """The time in one of our backup file names, or None for any other file."""
    match = BACKUP_NAME.fullmatch(name)
    if match is None:
        return None
    try:
        taken = dt.datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    return BackupName(taken=taken, sequence=int(match[3] or 0), name=name)


def backups_to_keep(
    names: Iterable[str], *, daily: int = DAILY_KEPT, monthly: int = MONTHLY_KEPT
) -> set[str]:
    """Of our own backup names, those to keep: the newest of each of the ``daily`` most recent
    days that have a backup, and the newest of each of the ``monthly`` most recent months.

    Names that are not ours are never in the result (nor in :func:`backups_to_delete`).
    """
    parsed = sorted((p for p in map(parse_backup_name, names) if p is not None), reverse=True)
    newest_per_day: dict[dt.date, str] = {}
    newest_per_month: dict[tuple[int, int], str] = {}
    for backup in parsed:  # newest first, so the first seen of a day or month is its newest
        newest_per_day.setdefault(backup.taken.date(), backup.name)
        newest_per_month.setdefault((backup.taken.year, backup.taken.month), backup.name)
    # Dicts keep insertion order: newest day (month) first.
    kept = list(newest_per_day.values())[:daily] + list(newest_per_month.values())[:monthly]
    return set(kept)


def backups_to_delete(
    names: Iterable[str], *, daily: int = DAILY_KEPT, monthly: int = MONTHLY_KEPT
) -> list[str]:
    """Our own backup names that the retention rule lets go, oldest first."""
    listed = list(names)
    keep = backups_to_keep(listed, daily=daily, monthly=monthly)
    ours = sorted(p for p in map(parse_backup_name, listed) if p is not None)
    return [p.name for p in ours if p.name not in keep]
