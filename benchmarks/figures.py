"""The figures measured on one database, in one process (benchmarks/run.py starts it per size).

Everything goes through the real code: services for search and forms, the board and calendar
pages offscreen with their Qt models, reportlab for the packet. Prints one JSON object.

Run by hand: python benchmarks/figures.py DB_PATH [--packets 100]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import jaconv
from sqlalchemy import func, select

from desktop_app.db.models import Appointment, Patient, SOCase
from desktop_app.domain.changes import Change, OpChanges
from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import OPEN_STAGES, Stage
from desktop_app.services.case_rows import search_cases
from desktop_app.services.cases import find_case_id
from desktop_app.services.forms import render_form
from desktop_app.services.store import Store, open_store

# Repeats; --quick (the suite's smoke test of the harness) takes a few of each.
REPEAT = {"search": 100, "board": 6, "refresh": 30, "week": 10, "packet": 20}
QUICK = {"search": 3, "board": 2, "refresh": 3, "week": 2, "packet": 2}


class Timings(list[float]):
    """Wall-clock milliseconds per run, with the process's CPU milliseconds beside them.

    On a shared machine the wall clock also counts time spent waiting for a core; the CPU
    time (every thread of this process) says what the work itself costs.
    """

    def __init__(self) -> None:
        super().__init__()
        self.cpu: list[float] = []

    def timed(self, fn: Callable[[], object]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        self.cpu.append(1000 * (time.process_time() - cpu))
        self.append(1000 * (time.perf_counter() - wall))


def ms_samples(fn: Callable[[], object], repeat: int, warm: int = 1) -> Timings:
    for _ in range(warm):
        fn()
    samples = Timings()
    for _ in range(repeat):
        samples.timed(fn)
    return samples


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summary(samples: Timings) -> dict[str, float]:
    return {
        "median_ms": statistics.median(samples),
        "p95_ms": p95(samples),
        "max_ms": max(samples),
        "cpu_median_ms": statistics.median(samples.cpu),
        "cpu_p95_ms": p95(samples.cpu),
        "runs": len(samples),
    }


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# Search --------------------------------------------------------------------------------------


# The patient the searches look for: one case among all the others, as when the clerk
# looks someone up. A common family name of the demo (its trigrams are in thousands of cases,
# so the index does real work), a given name and a phone number no demo patient has. Added by
# run.py through the service, as a clerk would, when it builds a database.
PROBE_NAME, PROBE_FURIGANA, PROBE_PHONE = "鈴木　澄香", "スズキ　スミカ", "0144-99-0001"


def add_probe(store: Store) -> None:
    from desktop_app.services.cases import create_case
    from desktop_app.services.dto import NewCase, NewPatient

    patient = NewPatient(
        name=PROBE_NAME,
        furigana=PROBE_FURIGANA,
        phone=PROBE_PHONE,
        address="北海道苫小牧市表町1-1-1",
    )
    create_case(store, NewCase(patient=patient))


def _probe_number(store: Store) -> str:
    with store.read() as session:
        number = session.scalar(
            select(SOCase.case_number)
            .join(Patient, SOCase.patient_id == Patient.id)
            .where(Patient.name == PROBE_NAME)
        )
    if number is None:
        raise SystemExit("no probe patient in this database (built by an older run.py)")
    return number


def _common_name(store: Store) -> str:
    """The フリガナ most cases share (the demo draws names from a short list)."""
    with store.read() as session:
        return session.execute(
            select(Patient.furigana)
            .join(SOCase, SOCase.patient_id == Patient.id)
            .group_by(Patient.furigana)
            .order_by(func.count().desc(), Patient.furigana)
            .limit(1)
        ).scalar_one()


def _asked(store: Store) -> dict[str, str]:
    """What the searches type: the probe patient in every spelling, its number and phone."""
    katakana = PROBE_FURIGANA.replace("\u3000", " ")
    hiragana = jaconv.kata2hira(katakana)
    halfwidth = jaconv.z2h(katakana, kana=True, ascii=True, digit=True)
    return {
        "kana_prefix": hiragana[:2],
        "name_hiragana": hiragana,
        "name_katakana": katakana,
        "name_halfwidth": halfwidth,
        "case_number": _probe_number(store),
        "phone": PROBE_PHONE,
    }


def interleaved_search_figures(dbs: list[Path]) -> dict[str, dict[str, Any]]:
    """The searches of search_figures on several databases in one process, taking turns one
    sample at a time: whatever else the machine is doing falls on every size alike, so the
    ratio of their times (what the table judges) is not a ratio of two moments' loads."""
    from desktop_app.ui.case_table_model import PAGE_SIZE

    stores = [open_store(db) for db in dbs]
    asked = [_asked(store) for store in stores]
    samples = [{name: Timings() for name in a} for a in asked]
    for round_ in range(REPEAT["search"] + 1):  # the first round warms each query
        for name in asked[0]:
            for store, queries, timings in zip(stores, asked, samples, strict=True):
                query = queries[name]
                if round_ == 0:
                    search_cases(store, query, limit=PAGE_SIZE)
                else:
                    timings[name].timed(partial(search_cases, store, query, limit=PAGE_SIZE))
    for store in stores:
        store.close()
    return {
        str(db): {name: summary(t) for name, t in timings.items()}
        for db, timings in zip(dbs, samples, strict=True)
    }


def search_figures(store: Store) -> dict[str, Any]:
    """Searches as the case list makes them: its page size, end to end through the service."""
    from desktop_app.ui.case_table_model import PAGE_SIZE

    asked = _asked(store)
    queries: dict[str, Callable[[], object]] = {
        name: (lambda q=q: search_cases(store, q, limit=PAGE_SIZE)) for name, q in asked.items()
    }
    queries["find_case_id"] = lambda: find_case_id(store, asked["case_number"])
    queries["first_page"] = lambda: search_cases(store, limit=PAGE_SIZE)
    out: dict[str, Any] = {"queries": asked, "page_size": PAGE_SIZE, "hits": {}}
    for name, fn in queries.items():
        out[name] = summary(ms_samples(fn, REPEAT["search"]))
    for name, q in asked.items():
        page = search_cases(store, q, limit=PAGE_SIZE)
        out["hits"][name] = {"total": page.total, "capped": page.capped}
    common = jaconv.kata2hira(_common_name(store).replace("\u3000", " "))
    timings = summary(ms_samples(lambda: search_cases(store, common, limit=PAGE_SIZE), 10))
    page = search_cases(store, common, limit=PAGE_SIZE)
    out["common_name"] = {"query": common, "hits": page.total, "capped": page.capped, **timings}
    return out


# Qt pages --------------------------------------------------------------------------------------


def _wait_for(signal: Any, timeout_s: float = 60) -> None:
    """Block in Qt's event loop until ``signal`` is emitted, as the app itself waits: a loop
    that polls from Python would take the GIL from the worker thread doing the query."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    signal.connect(loop.quit)
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(int(timeout_s * 1000))
    loop.exec()
    signal.disconnect(loop.quit)
    if not timer.isActive():
        raise TimeoutError("page did not load")


def _wait(app: Any, done: Callable[[], bool], timeout_s: float = 60) -> None:
    end = time.perf_counter() + timeout_s
    while not done():
        app.processEvents()
        if time.perf_counter() > end:
            raise TimeoutError("page did not load")
        time.sleep(0.0005)


def board_figures(app: Any, store: Store) -> dict[str, Any]:
    """The board as a clerk opens it: in the main window, from the case list, after the
    window's start (which makes the board page in advance, MainWindow._prepare_board). The
    first opening is reported apart from the median of the rest."""
    from desktop_app.services.staff import open_demo_session
    from desktop_app.ui.actions import ChangeNotice
    from desktop_app.ui.main_window import PAGE_BOARD, PAGE_CASES, MainWindow

    if store.user is None:
        open_demo_session(store)  # the benchmark's databases are demo ones
    window = MainWindow(store, auto_backup=False)  # 1280 x 800: the board 1110 px wide
    window.show()
    _wait(app, lambda: window.start_done and window.is_built(PAGE_BOARD))
    window.runner.wait_for_background()  # the board's first query, made in advance
    app.processEvents()
    page = window.board
    loads = Timings()

    def open_board() -> None:
        window.show_page(PAGE_BOARD)  # showEvent starts the load; ``loaded`` when cards are in
        _wait_for(page.loaded)
        app.processEvents()  # layout and paint of the filled columns

    for _ in range(REPEAT["board"]):
        window.show_page(PAGE_CASES)
        app.processEvents()
        loads.timed(open_board)
    first_show = loads[0]
    cards = list(page._cards.values())
    open_ids = sorted(c.id for c in cards)
    one = open_ids[len(open_ids) // 2] if open_ids else 0

    def refresh_one() -> None:
        window.runner.changed.emit(ChangeNotice(OpChanges(Change.CASES, frozenset({one}))))
        app.processEvents()

    refresh = ms_samples(refresh_one, REPEAT["refresh"], warm=2)
    window.close()
    window.runner.wait_for_background()
    window.deleteLater()
    app.processEvents()
    return {
        "cards": len(cards),
        "first_show_ms": first_show,
        "first_show_cpu_ms": loads.cpu[0],
        "load": summary(_after_first(loads)),
        "refresh_one": summary(refresh),
    }


def _after_first(samples: Timings) -> Timings:
    rest = Timings()
    rest.extend(samples[1:] or samples)
    rest.cpu = samples.cpu[1:] or samples.cpu
    return rest


def week_figures(app: Any, store: Store) -> dict[str, Any]:
    from desktop_app.ui.actions import ServiceRunner
    from desktop_app.ui.calendar.page import CalendarPage

    runner = ServiceRunner(store)
    with store.read() as session:  # the busiest day on record, so the week is a full one
        busiest = session.execute(
            select(Appointment.date)
            .group_by(Appointment.date)
            .order_by(func.count().desc(), Appointment.date.desc())
            .limit(1)
        ).scalar()
    start = time.perf_counter()
    page = CalendarPage(runner)  # reads the current week while it is built
    page.resize(1110, 720)
    page.show()
    app.processEvents()
    first = 1000 * (time.perf_counter() - start)
    if busiest is not None:
        page.show_date(busiest)
        app.processEvents()

    def week() -> None:
        page.refresh()
        app.processEvents()

    samples = ms_samples(week, REPEAT["week"])
    appointments = len(page.data.appointments) if page.data is not None else 0
    page.close()
    page.deleteLater()
    app.processEvents()
    return {"first_show_ms": first, "refresh": summary(samples), "appointments": appointments}


# The mail-out packet ------------------------------------------------------------------------


def packet_figures(store: Store, packets: int) -> dict[str, Any]:
    with store.read() as session:
        case_id = session.scalar(
            select(SOCase.id)
            .where(SOCase.stage.in_([Stage.INQUIRY, Stage.FORMS_SENT, *OPEN_STAGES]))
            .order_by(SOCase.id.desc())
            .limit(1)
        )
    assert case_id is not None, "no open case for the packet"
    start = time.perf_counter()
    render_form(store, FormKind.PACKET, case_id)
    first = 1000 * (time.perf_counter() - start)  # reportlab and the fonts load here
    samples = ms_samples(
        lambda: render_form(store, FormKind.PACKET, case_id), REPEAT["packet"], warm=2
    )
    gc.collect()
    before = rss_mib()
    for _ in range(packets):
        render_form(store, FormKind.PACKET, case_id)
    gc.collect()
    after = rss_mib()
    return {
        "first_ms": first,
        "render": summary(samples),
        "in_a_row": packets,
        "rss_before_mib": before,
        "rss_after_mib": after,
        "growth_mib": after - before,
    }


def application_form_ms(store: Store) -> float:
    """The application form alone (the LibreOffice yardstick converts the same form)."""
    samples = ms_samples(lambda: render_form(store, FormKind.APPLICATION, None), 10, warm=2)
    return statistics.median(samples)


def measure(db: Path, packets: int) -> dict[str, Any]:
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.app import setup_application

    store = open_store(db)
    with store.read() as session:
        cases = len(session.scalars(select(SOCase.id)).all())
    app = QApplication.instance() or QApplication([])
    setup_application(app)  # type: ignore[arg-type]
    result: dict[str, Any] = {"cases": cases, "db_bytes": db.stat().st_size}
    result["search"] = search_figures(store)
    result["board"] = board_figures(app, store)
    result["week"] = week_figures(app, store)
    result["packet"] = packet_figures(store, packets)
    result["application_form_ms"] = application_form_ms(store)
    result["peak_mib"] = peak_mib()
    store.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path, nargs="+")
    parser.add_argument("--packets", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="a few repeats of each figure")
    parser.add_argument(
        "--interleaved-searches",
        action="store_true",
        help="only the searches, on every database given, taking turns",
    )
    args = parser.parse_args()
    if args.quick:
        REPEAT.update(QUICK)
    if args.interleaved_searches:
        print(json.dumps(interleaved_search_figures(args.db)))
    else:
        (db,) = args.db
        print(json.dumps(measure(db, args.packets)))
    sys.stdout.flush()
    os._exit(0)  # skip Qt's tear-down at exit: nothing is left to save


if __name__ == "__main__":
    main()
