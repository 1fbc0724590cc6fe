"""The floor for the start-up figure: bare Qt widgets and SQLAlchemy's ORM, an empty window.

benchmarks/run.py times this beside ``python -m desktop_app`` in the same run; SO Desk's
start is judged as a ratio to it. Prints "shown" once the window has been painted, then quits.
"""

from __future__ import annotations

import time

import sqlalchemy.orm  # noqa: F401  (its import time is part of the floor)
from PySide6.QtCore import QTimer
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QApplication, QMainWindow


class _Window(QMainWindow):
    """Says "shown" once its first paint is done, as SO Desk's MainWindow does, and quits."""

    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self.app = app
        self.painted = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            QTimer.singleShot(0, self.shown)

    def shown(self) -> None:
        print(f"shown {time.process_time():.4f}", flush=True)  # the process's CPU seconds
        self.app.quit()


def show_window(app: QApplication) -> int:
    """An empty main window; "shown" once it is painted, then quit (orm_floor_start.py too)."""
    window = _Window(app)
    window.resize(1280, 800)
    window.show()
    return app.exec()


def main() -> int:
    return show_window(QApplication([]))


if __name__ == "__main__":
    raise SystemExit(main())
