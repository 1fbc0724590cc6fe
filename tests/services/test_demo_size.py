"""A large demo keeps to what a day holds (100,000 cases once ran out of today's slots)."""

from __future__ import annotations

from pathlib import Path

from desktop_app.domain.stages import Stage


def test_a_large_demo_checks_in_no_more_than_a_day_holds(tmp_path: Path) -> None:
    from desktop_app.services.case_rows import search_cases
    from desktop_app.services.demo import MAX_CHECKED_IN_TODAY
    from desktop_app.services.maintenance import rebuild_demo

    demo = rebuild_demo(str(tmp_path / "big.db"), 1500)
    try:
        checked_in = search_cases(demo, stages=(Stage.CHECKED_IN,)).total
    finally:
        demo.close()
    assert 1 <= checked_in <= MAX_CHECKED_IN_TODAY
