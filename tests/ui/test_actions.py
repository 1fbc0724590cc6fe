from __future__ import annotations

import logging

import pytest

from desktop_app.domain.errors import ValidationError
from desktop_app.ui import actions
from desktop_app.ui.actions import ServiceRunner


def test_success_returns_the_result_and_announces_the_change(qtbot, runner) -> None:
    with qtbot.waitSignal(runner.changed) as signal:
        result = runner.run(None, lambda store, x: (store, x), 5, changes=frozenset({"cases"}))
    assert result == (runner.store, 5)
    assert signal.args == [frozenset({"cases"})]


def test_validation_error_is_shown_and_nothing_announced(qtbot, runner, shown_errors) -> None:
    def refuse(_store):
        raise ValidationError("入力が正しくありません。", field="x")

    with qtbot.assertNotEmitted(runner.changed):
        assert runner.run(None, refuse, changes=frozenset({"cases"})) is None
    assert shown_errors == ["入力が正しくありません。"]


def test_unexpected_error_is_logged_and_shown(
    runner: ServiceRunner, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    shown: list[BaseException] = []
    monkeypatch.setattr(actions, "show_unexpected", lambda _parent, exc: shown.append(exc))

    def broken(_store):
        raise RuntimeError("bug")

    with caplog.at_level(logging.ERROR, logger="desktop_app.ui.actions"):
        assert runner.run(None, broken, changes=frozenset({"cases"})) is None
    assert [type(e) for e in shown] == [RuntimeError]
    assert "broken" in caplog.text
