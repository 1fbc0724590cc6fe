"""One clock (#25): every service takes the day and the time from the store's clock.

A service module that reads the real clock itself (``datetime.now()``, ``date.today()``, the
program clock's functions, the tables' ``utcnow``) cannot be told what day it is: a test, the
demo builder or an import would write today's date where the clinic's belongs. The only reads
of the real clock allowed are for files (their names and ages follow the file system's clock).
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

import desktop_app.services
from desktop_app.domain.clock import SYSTEM, FixedClock
from desktop_app.domain.documents import Channel
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import create_case, get_case, move_stage
from desktop_app.services.dto import NewCase, NewPatient
from desktop_app.services.paper_trail import receive_application
from desktop_app.services.store import Store

SERVICES = Path(desktop_app.services.__file__).parent
# (module, call): the real clock, for a file's name or age, never for a clinic's date.
FILE_CLOCK = {
    ("backup.py", "time.time"),
    ("drafts.py", "time.time"),
    ("fax_inbox.py", "time.time"),  # whether a received file is still being written
    ("sqlite_copy.py", "time.time"),
    ("maintenance.py", "SYSTEM.local_now"),
    ("restore.py", "SYSTEM.utcnow"),
}
REAL_CLOCK = {
    "datetime.now", "datetime.utcnow", "datetime.today", "date.today", "dt.datetime.now",
    "dt.datetime.utcnow", "dt.datetime.today", "dt.date.today", "time.time", "clock.today",
    "clock.now", "clock.utcnow", "clock.local_now", "utcnow", "SYSTEM.today", "SYSTEM.now",
    "SYSTEM.utcnow", "SYSTEM.local_now", "QDate.currentDate", "QDateTime.currentDateTime",
}  # fmt: skip


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "?"


def _real_clock_calls(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name in REAL_CLOCK:
                found.append((node.lineno, name))
    return found


def test_no_service_reads_the_real_clock() -> None:
    offenders = []
    for path in sorted(SERVICES.glob("*.py")):
        for line, name in _real_clock_calls(path.read_text(encoding="utf-8")):
            if (path.name, name) not in FILE_CLOCK:
                offenders.append(f"{path.name}:{line} {name}()")
    assert offenders == [], "services take the time from store.clock / session_clock"


def test_the_rule_catches_a_service_that_asks_the_real_clock() -> None:
    source = "import datetime as dt\nfrom desktop_app.domain import clock\n"
    source += "def f(store):\n    return dt.date.today(), clock.utcnow(), store.clock.today()\n"
    assert [name for _line, name in _real_clock_calls(source)] == ["dt.date.today", "clock.utcnow"]


def test_no_service_imports_the_program_clock_module() -> None:
    importers = [
        path.name
        for path in sorted(SERVICES.glob("*.py"))
        if "from desktop_app.domain import clock" in path.read_text(encoding="utf-8")
    ]
    assert importers == []


@pytest.fixture
def clinic(store: Store):
    yield store
    store.clock = SYSTEM


def test_a_store_told_another_day_writes_that_day(clinic: Store) -> None:
    """Receiving papers, moving a stage and the case's own dates follow the store's clock:
    a day after the real today is accepted when the store's clock says it is that day."""
    clinic.clock = FixedClock(dt.datetime(2027, 2, 1, 10, 0))
    case = create_case(clinic, NewCase(patient=NewPatient(name="時計　試験", furigana="トケイ")))
    assert case.received_on == dt.date(2027, 2, 1)
    receive_application(clinic, case.id, on=dt.date(2027, 2, 1), channel=Channel.FAX)
    clinic.clock = FixedClock(dt.datetime(2027, 2, 3, 16, 0))
    move_stage(clinic, case.id, Stage.CANCELLED, reason="ご本人の都合")
    done = get_case(clinic, case.id)
    assert (done.received_on, done.ended_on) == (dt.date(2027, 2, 1), dt.date(2027, 2, 3))
    entry = done.history[-1]
    assert entry.at.astimezone().date() == dt.date(2027, 2, 3), "the audit entry too"
    with pytest.raises(Exception, match="未来"):
        receive_application(clinic, case.id, on=dt.date(2027, 2, 4), channel=Channel.FAX)


def test_a_call_logged_without_a_case_is_dated_by_the_store_clock(clinic: Store) -> None:
    """The enquiry log's row takes its ``at`` from the store's clock, not the column's
    default: the statistics count it in the clock's month."""
    from desktop_app.domain.people import Relationship
    from desktop_app.domain.statistics import calendar_year
    from desktop_app.services.intake import log_enquiry
    from desktop_app.services.statistics import statistics

    clinic.clock = FixedClock(dt.datetime(2026, 6, 15, 11, 0))
    logged = log_enquiry(clinic, "第三者　様", Relationship.OTHER, summary="知人の代理")
    assert logged.at.astimezone().date() == dt.date(2026, 6, 15)
    months = {m.label: m for m in statistics(clinic, calendar_year(2026)).months}
    assert months["2026年6月"].enquiries_without_case == 1
    assert months["2026年12月"].enquiries_without_case == 0
