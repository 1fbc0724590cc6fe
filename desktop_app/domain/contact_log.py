"""What the contact log (calls, faxes, letters, visits) tells about a case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable


def days_since_last_contact(
    times: Iterable[dt.datetime], today: dt.date, tz: dt.tzinfo | None = None
) -> int | None:
    """Whole days from the last contact's local date to ``today``; None when there was none.

    ``times`` are aware (UTC) datetimes; ``tz`` is the desk's time zone (None: the machine's).
    A contact today gives 0. A contact dated after ``today`` (another desk's clock) gives 0.
    """
    last = max(times, default=None)
    if last is None:
        return None
    local = last.astimezone(tz) if tz is not None else last.astimezone()
    return max(0, (today - local.date()).days)
