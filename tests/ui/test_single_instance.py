"""A second SO Desk on the same SQLite file is told it is already open."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Signal

from desktop_app.ui import single_instance

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from desktop_app.ui.single_instance import acquire
    lock = acquire(Path(sys.argv[1]))
    print("held" if lock else "refused", flush=True)
    time.sleep(120)
    """
)


def test_the_second_copy_is_refused_until_the_first_is_gone(tmp_path: Path) -> None:
    database = tmp_path / "sodesk.db"
    first = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(database)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert first.stdout is not None and first.stdout.readline().strip() == "held"
        assert single_instance.acquire(database) is None
        assert f"プロセス {first.pid}" in single_instance.holder(database)
    finally:
        first.kill()  # like a crash: the lock file stays behind
        first.wait(timeout=30)
    assert Path(single_instance.lock_path(database)).exists()
    second = single_instance.acquire(database)
    assert second is not None, "a lock left by a dead process is taken over"
    second.unlock()


@pytest.mark.parametrize("taken", [False, True])
def test_run_gui_refuses_a_database_already_open(tmp_path, monkeypatch, taken) -> None:
    from desktop_app.services.demo import mark_as_demo
    from desktop_app.services.store import open_store
    from desktop_app.ui import app

    store = open_store(tmp_path / "x.db", create=True)
    mark_as_demo(store)  # opens signed in as the demo clerk: no sign-in dialog to answer
    held = single_instance.acquire(store.file) if taken else None
    warnings: list[str] = []
    monkeypatch.setattr(app.QMessageBox, "warning", lambda *a: warnings.append(a[2]))
    monkeypatch.setattr("desktop_app.ui.main_window.MainWindow", _NoWindow)
    try:
        code = app.run_gui(store)
    finally:
        if held is not None:
            held.unlock()
        store.close()
    if taken:
        assert code == 1
        assert "すでに開いています" in warnings[0]
    else:
        assert code == 0 and warnings == []


class _NoWindow(QObject):
    """Stands in for the main window: shows nothing and lets the event loop end at once."""

    first_painted = Signal()
    start_finished = Signal()

    def __init__(self, _store) -> None:
        super().__init__()
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        QTimer.singleShot(0, QApplication.quit)

    def setWindowTitle(self, _title: str) -> None:
        pass

    def show(self) -> None:
        pass
