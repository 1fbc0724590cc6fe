"""Board benchmark: 1,000 open cases among 100,000 closed ones; the board's load and first show.

Run: python benchmarks/bench_board.py [--open N] [--db PATH]
The 100,000-case demo (bench_scale's helper, rebuild_demo) is built first; old settled cases
are then reopened into open stages until N are open. Prints timings; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from desktop_app.domain import clock

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import func, select, update

from benchmarks.bench_scale import timed
from desktop_app.db.models import SOCase
from desktop_app.domain.stages import OPEN_STAGES, TERMINAL_STAGES
from desktop_app.services.board import board_cards, board_cards_for
from desktop_app.services.maintenance import rebuild_demo
from desktop_app.services.store import Store, open_store

DEMO_CASES = 100_000


def reopen(store: Store, wanted_open: int) -> tuple[int, int]:
    """Move settled cases into open stages until ``wanted_open`` are open; (open, closed)."""
    with store.transaction() as session:
        open_now = session.scalar(select(func.count()).where(SOCase.stage.in_(OPEN_STAGES))) or 0
        missing = max(0, wanted_open - open_now)
        ids = session.scalars(
            select(SOCase.id)
            .where(SOCase.stage.in_(TERMINAL_STAGES))
            .order_by(SOCase.id.desc())
            .limit(missing)
        ).all()
        for k, case_id in enumerate(ids):
            session.execute(
                update(SOCase)
                .where(SOCase.id == case_id)
                .values(stage=OPEN_STAGES[k % len(OPEN_STAGES)])
            )
        open_count = session.scalar(select(func.count()).where(SOCase.stage.in_(OPEN_STAGES)))
        closed = session.scalar(select(func.count()).where(SOCase.stage.in_(TERMINAL_STAGES)))
    return open_count or 0, closed or 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=1_000)
    parser.add_argument("--db", type=Path, help="reuse a benchmark database built before")
    args = parser.parse_args()
    if args.db and args.db.exists():
        store = open_store(args.db)
    else:
        db = args.db or Path(tempfile.mkdtemp()) / "bench-board.db"
        start = time.perf_counter()
        store = rebuild_demo(str(db), DEMO_CASES)
        print(f"build {DEMO_CASES:,} cases: {time.perf_counter() - start:.1f} s ({db})")
    open_count, closed = reopen(store, args.open)
    print(f"open cases {open_count:,}, closed cases {closed:,}")

    today = clock.today()
    data = board_cards(store, today=today)
    print(f"cards {len(data.cards):,}, needing action {sum(c.needs_action for c in data.cards):,}")
    timed("board_cards (all open cases)", lambda: board_cards(store, today=today))
    timed("board_cards, text filter 'やまだ'", lambda: board_cards(store, text="やまだ"))
    one = [data.cards[len(data.cards) // 2].id]
    timed("board_cards_for (one changed case)", lambda: board_cards_for(store, one, today))

    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.actions import ServiceRunner
    from desktop_app.ui.app import setup_application
    from desktop_app.ui.board.page import BoardPage

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    setup_application(app)
    runner = ServiceRunner(store)
    page = BoardPage(runner)
    page.resize(1110, 720)
    start = time.perf_counter()
    page.show()
    app.processEvents()
    print(
        f"{'page first show (load + layout + paint)':<40} {1000 * (time.perf_counter() - start):8.1f} ms"
    )
    timed("page refresh (reload every card)", lambda: (page.refresh(), app.processEvents()))
    timed("page update of one card", lambda: (page.update_cases(set(one)), app.processEvents()))
    page.close()
    # Let Qt delete the page before Python finalizes (PySide crashes otherwise at exit).
    page.deleteLater()
    app.processEvents()
    store.close()


if __name__ == "__main__":
    main()
