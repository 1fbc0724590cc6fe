from __future__ import annotations

import logging

import pytest

from desktop_app.domain.changes import Change, OpChanges
from desktop_app.domain.errors import ValidationError
from desktop_app.ui import actions
from desktop_app.ui.actions import ChangeNotice, ServiceRunner


def test_success_returns_the_result_and_announces_the_change(qtbot, runner) -> None:
    with qtbot.waitSignal(runner.changed) as signal:
        result = runner.run(None, lambda store, x: (store, x), 5, changes=Change.CASES)
    assert result == (runner.store, 5)
    assert signal.args == [ChangeNotice(OpChanges(Change.CASES), origin=None)]


def test_validation_error_is_shown_and_nothing_announced(qtbot, runner, shown_errors) -> None:
    def refuse(_store):
        raise ValidationError("入力が正しくありません。", field="x")

    with qtbot.assertNotEmitted(runner.changed):
        assert runner.run(None, refuse, changes=Change.CASES) is None
    assert shown_errors == ["入力が正しくありません。"]


def test_unexpected_error_is_logged_and_shown(
    runner: ServiceRunner, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    shown: list[BaseException] = []
    monkeypatch.setattr(actions, "show_unexpected", lambda _parent, exc: shown.append(exc))

    def broken(_store):
        raise RuntimeError("bug")

    with caplog.at_level(logging.ERROR, logger="desktop_app.ui.actions"):
        assert runner.run(None, broken, changes=Change.CASES) is None
    assert [type(e) for e in shown] == [RuntimeError]
    assert "broken" in caplog.text


def test_the_notice_names_the_case_and_the_widget_that_wrote(qtbot, runner, make_case) -> None:
    from desktop_app.domain.stages import Stage
    from desktop_app.services.cases import move_stage

    case = make_case()
    origin = object()
    with qtbot.waitSignal(runner.changed) as signal:
        runner.run(origin, move_stage, case.id, Stage.FORMS_SENT, changes=Change.CASES)
    notice = signal.args[0]
    assert notice.changes == OpChanges(Change.CASES, frozenset({case.id}))
    assert notice.from_(origin) and not notice.from_(object())
    assert notice.touches(Change.CASES, case.id)
    assert not notice.touches(Change.CASES, case.id + 1)
    assert not notice.touches(Change.SETTINGS)


def test_background_calls_report_on_the_ui_thread(qtbot, runner, shown_errors) -> None:
    import threading

    results: list[tuple[int, bool]] = []

    def slow(_store, x):
        return x * 2, threading.current_thread() is threading.main_thread()

    with qtbot.waitSignal(runner.changed):
        runner.run_in_background(None, slow, 21, on_done=results.append, changes=Change.CASES)
    assert results == [(42, False)], "ran on a worker thread, reported back"

    def refuse(_store):
        raise ValidationError("期間を選んでください。")

    runner.run_in_background(None, refuse, on_done=results.append)
    qtbot.waitUntil(lambda: shown_errors == ["期間を選んでください。"])
    assert runner.wait_for_background(5000)


def test_background_failures_go_to_on_failed_instead_of_a_dialog(
    qtbot, runner, shown_errors
) -> None:
    failures: list[Exception] = []

    def refuse(_store):
        raise ValidationError("保存先に書き込めません。")

    runner.run_in_background(None, refuse, on_done=lambda _r: None, on_failed=failures.append)
    qtbot.waitUntil(lambda: len(failures) == 1)
    assert isinstance(failures[0], ValidationError)
    assert shown_errors == [], "work the clerk did not start never opens a box"
