"""Live updates benchmark (issue #23): how soon desk B shows desk A's change, and what
listening costs a desk where nothing changes.

Run: python benchmarks/live_updates.py [--url URL] [--changes 50] [--idle 10] [--demo 2000]

URL: a PostgreSQL database this run may empty (default: SODESK_TEST_POSTGRES_URL). It is
filled with the demo (``--demo`` cases: a board of a few hundred open cards) and ``--changes``
new cases. Desk B is this process: a real BoardPage on the screen (offscreen by default) with
ui/live_updates.LiveUpdates listening. Desk A is another process with its own store, moving
one case at a time to 書類送付済 (services.cases.move_stage) and saying when it committed.

Figures, against the targets of issue #23:
- commit at desk A -> desk B's board model has the card (p50/p95/max), and -> the card's
  column has repainted (the notice-to-repaint latency; target p95 < 1 s, aim 200 ms);
- a burst: desk A moves ``--burst`` cases back to back; from its last commit to all shown, and
  how many times desk B's pages were told (the notices are coalesced);
- CPU time over ``--idle`` quiet seconds: the listener's thread (Linux: its own CPU clock),
  the whole process, and for comparison a thread waiting in psycopg's own ``notifies()``.
Prints the figures (``--json FILE`` also writes them); asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.domain.stages import Stage  # noqa: E402
from desktop_app.services.cases import create_case  # noqa: E402
from desktop_app.services.dto import NewCase, NewPatient  # noqa: E402
from desktop_app.services.store import Store, open_store  # noqa: E402

# Desk A: reads "case_id case_id ..." lines, moves those cases to 書類送付済 one after the
# other, and prints the monotonic time of its last commit (one clock for the machine).
DESK_A = """
import sys, time
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import move_stage
from desktop_app.services.store import open_store
store = open_store(sys.argv[1], staff="受付A")
print("ready", flush=True)
for line in sys.stdin:
    for case_id in line.split():
        move_stage(store, int(case_id), Stage.FORMS_SENT)
    print(time.monotonic(), flush=True)
store.close()
"""


def empty_database(url: str) -> None:
    from sqlalchemy import create_engine

    from desktop_app.db.engine import database_url

    engine = create_engine(database_url(url))
    with engine.begin() as c:
        c.exec_driver_sql("DROP SCHEMA public CASCADE")
        c.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def build(url: str, demo: int, probes: int) -> tuple[Store, list[int]]:
    empty_database(url)
    if demo:
        from desktop_app.services.maintenance import rebuild_demo

        rebuild_demo(url, demo).close()
    store = open_store(url, create=True, staff="受付B")
    ids = [
        create_case(store, NewCase(patient=NewPatient(name=f"計測　{k}", furigana="ケイソク"))).id
        for k in range(probes)
    ]
    return store, ids


class Painted(QObject):
    """Notes when a widget has painted (an event filter on its viewport)."""

    def __init__(self) -> None:
        super().__init__()
        self.at: float | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.at is None:
            self.at = time.monotonic()
        return False


def run_until(app: QApplication, done: Any, timeout_s: float) -> bool:
    """Handle events (blocking while there are none) until ``done()`` or the timeout."""
    deadline = time.monotonic() + timeout_s
    timer = QTimer()
    timer.start(50)  # wakes the loop to look at the deadline
    try:
        while not done():
            if time.monotonic() > deadline:
                return False
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    finally:
        timer.stop()
    return True


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def thread_cpu(thread: threading.Thread | None) -> float | None:
    """CPU seconds one thread has used (Linux and other pthread systems), else None."""
    getter = getattr(time, "pthread_getcpuclockid", None)
    if thread is None or thread.ident is None or getter is None:
        return None
    return time.clock_gettime(getter(thread.ident))


def idle_cost(app: QApplication, listener_thread: threading.Thread | None, seconds: float) -> dict:
    before_thread, before_process = thread_cpu(listener_thread), time.process_time()
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    after_thread, after_process = thread_cpu(listener_thread), time.process_time()
    figures = {"seconds": seconds, "process_cpu_ms": 1000 * (after_process - before_process)}
    if before_thread is not None and after_thread is not None:
        figures["listener_thread_cpu_ms"] = 1000 * (after_thread - before_thread)
    return figures


def psycopg_wait_cost(url: str, seconds: float) -> float | None:
    """For comparison: a thread blocked in psycopg's ``notifies(timeout=...)`` for as long."""
    import psycopg

    from desktop_app.services import live_changes

    used: list[float | None] = []

    def wait() -> None:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f"LISTEN {live_changes.CHANNEL}_idle_probe")
            start = thread_cpu(threading.current_thread())
            for _ in connection.notifies(timeout=seconds):
                pass
            end = thread_cpu(threading.current_thread())
            used.append(None if start is None or end is None else 1000 * (end - start))

    thread = threading.Thread(target=wait)
    thread.start()
    thread.join()
    return used[0] if used else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=os.environ.get("SODESK_TEST_POSTGRES_URL", ""))
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("--demo", type=int, default=2_000)
    parser.add_argument("--gap-ms", type=int, default=300, help="pause between single changes")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not args.url:
        parser.error("a PostgreSQL URL is needed (--url or SODESK_TEST_POSTGRES_URL)")
    url = args.url.replace("postgresql+psycopg://", "postgresql://")

    start = time.perf_counter()
    store, ids = build(url, args.demo, args.changes + args.burst)
    print(
        f"database: demo {args.demo:,} cases + {len(ids)} to move ({time.perf_counter() - start:.1f} s)"
    )

    from desktop_app.ui.actions import ServiceRunner
    from desktop_app.ui.app import setup_application
    from desktop_app.ui.board.page import BoardPage
    from desktop_app.ui.live_updates import LiveUpdates

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    setup_application(app)
    runner = ServiceRunner(store)
    board = BoardPage(runner)
    board.resize(1280, 760)
    loaded: list[bool] = []
    board.loaded.connect(lambda: loaded.append(True))
    board.show()
    run_until(app, lambda: loaded, 30)
    # Idle, first without listening (the page alone), then listening: nothing changes anywhere.
    run_until(app, lambda: False, 1.0)  # the load's last events
    idle_alone = idle_cost(app, None, args.idle)
    live = LiveUpdates(runner)
    told: list[object] = []
    live.notice_sent.connect(told.append)
    live.start()
    run_until(app, lambda: live.connected, 10)
    listener_thread = live.listener.thread if live.listener else None

    column = board.columns[Stage.FORMS_SENT]
    model_at: dict[int, float] = {}
    painted = Painted()

    def inserted(_parent: object, first: int, last: int) -> None:
        now = time.monotonic()
        for row in range(first, last + 1):
            model_at.setdefault(column.model.card_at(row).id, now)
        painted.at = None  # the next paint of the column shows it

    column.model.rowsInserted.connect(inserted)
    column.view.viewport().installEventFilter(painted)

    idle = idle_cost(app, listener_thread, args.idle)
    reference = psycopg_wait_cost(url, args.idle)

    desk_a = subprocess.Popen(
        [sys.executable, "-c", DESK_A, url],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert desk_a.stdout is not None and desk_a.stdin is not None
    assert desk_a.stdout.readline().strip() == "ready"

    to_model: list[float] = []
    to_paint: list[float] = []
    singles, burst = ids[: args.changes], ids[args.changes :]
    for case_id in singles:
        desk_a.stdin.write(f"{case_id}\n")
        desk_a.stdin.flush()
        committed = float(desk_a.stdout.readline())
        shown = run_until(
            app, lambda case_id=case_id: case_id in model_at and painted.at is not None, 5
        )
        if not shown:
            print(f"case {case_id}: not shown within 5 s")
            continue
        assert painted.at is not None
        to_model.append(1000 * (model_at[case_id] - committed))
        to_paint.append(1000 * (painted.at - committed))
        run_until(app, lambda: False, args.gap_ms / 1000)

    told_before = len(told)
    desk_a.stdin.write(" ".join(map(str, burst)) + "\n")
    desk_a.stdin.flush()
    burst_committed = float(desk_a.stdout.readline())
    run_until(app, lambda: all(i in model_at for i in burst), 10)
    burst_shown = max((model_at.get(i, float("nan")) for i in burst), default=float("nan"))
    run_until(app, lambda: False, 0.5)  # a trailing notice, if any
    burst_notices = len(told) - told_before
    desk_a.stdin.close()
    desk_a.wait(30)

    live.stop()
    board.close()
    board.deleteLater()
    app.processEvents()
    store.close()

    figures: dict[str, Any] = {
        "changes": len(to_model),
        "commit_to_model_ms": _spread(to_model),
        "commit_to_repaint_ms": _spread(to_paint),
        "burst": {
            "cases": len(burst),
            "last_commit_to_all_shown_ms": 1000 * (burst_shown - burst_committed),
            "notices_to_pages": burst_notices,
        },
        "idle": idle,
        "idle_without_listening": idle_alone,
        "idle_psycopg_notifies_thread_cpu_ms": reference,
    }
    print(f"{'commit -> board model (ms)':<44} {_line(figures['commit_to_model_ms'])}")
    print(f"{'commit -> column repainted (ms)':<44} {_line(figures['commit_to_repaint_ms'])}")
    print(
        f"{'burst of ' + str(len(burst)) + ': last commit -> all shown':<44} "
        f"{figures['burst']['last_commit_to_all_shown_ms']:.1f} ms, "
        f"{burst_notices} notice(s) to the pages"
    )
    quiet = f"idle {args.idle:g} s"
    print(f"{quiet + ': listener thread CPU':<44} {_ms(idle.get('listener_thread_cpu_ms'))}")
    alone = _ms(idle_alone["process_cpu_ms"])
    print(
        f"{quiet + ': whole process CPU':<44} {_ms(idle['process_cpu_ms'])} (not listening: {alone})"
    )
    print(f"{'idle, for comparison: psycopg notifies() wait':<44} {_ms(reference)}")
    target = figures["commit_to_repaint_ms"].get("p95")
    if target is not None:
        verdict = "met" if target < 1000 else "MISSED"
        print(f"target p95 < 1000 ms (aim 200 ms): {verdict} ({target:.1f} ms)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


def _spread(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "p50": statistics.median(values),
        "p95": percentile(values, 0.95),
        "max": max(values),
    }


def _line(spread: dict[str, float]) -> str:
    if not spread:
        return "no change was shown"
    return f"p50 {spread['p50']:7.1f}   p95 {spread['p95']:7.1f}   max {spread['max']:7.1f}"


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} ms"


if __name__ == "__main__":
    main()
