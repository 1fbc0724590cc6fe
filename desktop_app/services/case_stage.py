"""Where a case enters a stage: the stage, when it got there, and its 終了日.

Every service that moves a case calls ``enter_stage``, so the clinic's end date (cases.
ended_on) is set whenever a case is settled, cancelled or excluded, and cleared when it is
reopened, by the store's clock.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import object_session

from desktop_app.db.models import SOCase
from desktop_app.domain.clock import SYSTEM, Clock
from desktop_app.domain.stages import Stage
from desktop_app.services.store import session_clock


def case_clock(case: SOCase) -> Clock:
    """The clock of the store the case was loaded from."""
    session = object_session(case)
    return session_clock(session) if session is not None else SYSTEM


def enter_stage(case: SOCase, target: Stage, *, ended_on: dt.date | None = None) -> None:
    """Put the case in ``target`` now; a terminal stage gets its 終了日 (``ended_on``, default
    today by the store's clock), an open one has none."""
    desk = case_clock(case)
    case.stage = target
    case.stage_since = desk.utcnow()
    case.ended_on = None if target.is_open else (ended_on or desk.today())
