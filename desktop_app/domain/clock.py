"""The one clock of the program: the clinic's date today and the time now.

Services, the window and the CLI take the day and the time from here, never from
``dt.date.today()``, ``datetime.now()`` or ``QDate.currentDate()`` themselves, so a whole run
can be moved to another day: the environment variable ``SODESK_CLOCK_OFFSET`` (seconds, may
be negative) shifts the clock, which then runs on as usual. The tests set it so that every run
takes place on the same day whatever the calendar says; a clerk's machine never sets it. Files'
ages on disk (stale temporary files, a draft's age) are measured against the real clock, since
the file system stamps them with it.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

OFFSET_VARIABLE = "SODESK_CLOCK_OFFSET"


def offset() -> dt.timedelta:
    """How far this run's clock stands from the system clock (zero unless set)."""
    raw = os.environ.get(OFFSET_VARIABLE)
    if not raw:
        return dt.timedelta()
    try:
        return dt.timedelta(seconds=float(raw))
    except ValueError:
        return dt.timedelta()


def utcnow() -> dt.datetime:
    """Now, as an aware UTC datetime (audit, contact and creation stamps)."""
    return dt.datetime.now(dt.UTC) + offset()


def now() -> dt.datetime:
    """Now, as an aware datetime in the desk's local time zone."""
    return utcnow().astimezone()


def local_now() -> dt.datetime:
    """Now as a naive local wall-clock datetime (appointments are clinic wall-clock times)."""
    return now().replace(tzinfo=None)


def today() -> dt.date:
    """The clinic's date today, in the desk's local time zone."""
    return now().date()


def offset_to(target: dt.datetime) -> float:
    """The offset in seconds that makes the clock read ``target`` (naive: local time) now."""
    if target.tzinfo is None:
        target = target.astimezone()
    return (target - dt.datetime.now(dt.UTC)).total_seconds()


class Clock:
    """The clock a store carries (``Store.clock``): every service takes its day and time from
    it, so a service can be told what day it is. This one is the program's clock above (the
    system clock, shifted by ``SODESK_CLOCK_OFFSET`` when set)."""

    def utcnow(self) -> dt.datetime:
        return utcnow()

    def now(self) -> dt.datetime:
        """Now in the desk's local time zone (aware)."""
        return self.utcnow().astimezone()

    def local_now(self) -> dt.datetime:
        """Now as a naive local wall-clock time (appointments are wall-clock times)."""
        return self.now().replace(tzinfo=None)

    def today(self) -> dt.date:
        return self.now().date()


@dataclass
class FixedClock(Clock):
    """A clock that stands still at ``at`` until moved: tests, the demo builder and an import
    that writes history as of its own dates. A naive ``at`` is local wall-clock time."""

    at: dt.datetime

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            self.at = self.at.astimezone()

    def utcnow(self) -> dt.datetime:
        return self.at.astimezone(dt.UTC)

    def set(self, at: dt.datetime) -> None:
        self.at = at if at.tzinfo is not None else at.astimezone()

    def advance(self, by: dt.timedelta) -> None:
        self.at = self.at + by


SYSTEM = Clock()
