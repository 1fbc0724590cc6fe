"""Cold start: ``python -m desktop_app`` to the main window shown with its first page filled,
timed beside the floor script (bare Qt widgets + SQLAlchemy ORM, an empty window).

Each run is a fresh interpreter; the time is from spawning it to the line it prints once the
window's first paint is done (``SODESK_BENCH_EXIT_AFTER_SHOWN``), so interpreter start-up and
imports are in, tear-down is not. The app also says "ready" once the work its window leaves
until after that paint is done (MainWindow.finish_start); that time is reported beside it.
Runs alternate app and floor so both see the same machine load.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR_SCRIPT = ROOT / "benchmarks" / "floor_start.py"
ORM_FLOOR_SCRIPT = ROOT / "benchmarks" / "orm_floor_start.py"


@dataclass(frozen=True)
class StartFigures:
    app_s: float  # median seconds
    floor_s: float
    ready_s: float  # the app's start finished (after its first paint)
    ready_runs: tuple[float, ...]
    # CPU seconds of each process until "shown" (its own count): steadier than the wall
    # clock on a shared machine, for reference.
    app_cpu_s: float
    floor_cpu_s: float
    app_runs: tuple[float, ...]
    floor_runs: tuple[float, ...]
    orm_floor_s: float  # the floor with SO Desk's ORM models and a first query, for reference
    orm_floor_runs: tuple[float, ...]

    @property
    def ratio(self) -> float:
        return self.app_s / self.floor_s

    @property
    def cpu_ratio(self) -> float:
        return self.app_cpu_s / self.floor_cpu_s

    @property
    def orm_ratio(self) -> float:
        return self.orm_floor_s / self.floor_s


def _time_until_shown(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Seconds until "shown" and until "ready" (the same for a script that says only
    "shown"), and the CPU seconds the process says it had used when it said "shown"."""
    start = time.perf_counter()
    shown: float | None = None
    ready: float | None = None
    cpu = 0.0
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("shown"):
                shown = time.perf_counter() - start
                cpu = float(line.split()[-1])
            elif line.startswith("ready"):
                ready = time.perf_counter() - start
                break
        _, err = proc.communicate(timeout=60)
    if shown is None:
        raise RuntimeError(f"{command} ended without showing a window: {err.strip()[-800:]}")
    return shown, ready if ready is not None else shown, cpu


def measure_start(db: Path, runs: int = 5) -> StartFigures:
    """Median cold start of the app on ``db`` and of the floor script, ``runs`` each."""
    with tempfile.TemporaryDirectory(prefix="sodesk-start-") as home:
        env = dict(os.environ)
        env.update(
            QT_QPA_PLATFORM="offscreen",
            SODESK_BENCH_EXIT_AFTER_SHOWN="1",
            XDG_DATA_HOME=home,  # the log file and data folder of the run, not the user's
            PYTHONDONTWRITEBYTECODE="",
        )
        env.pop("SODESK_DATABASE_URL", None)
        app = [sys.executable, "-m", "desktop_app", "--db", str(db)]
        floor = [sys.executable, str(FLOOR_SCRIPT)]
        orm_floor = [sys.executable, str(ORM_FLOOR_SCRIPT), str(db)]
        # One unmeasured run of each: byte-code compiled, files in the page cache.
        for command in (app, floor, orm_floor):
            _time_until_shown(command, env)
        app_runs, ready_runs, floor_runs, orm_runs = [], [], [], []
        app_cpu, floor_cpu = [], []
        for _ in range(runs):
            shown, ready, cpu = _time_until_shown(app, env)
            app_runs.append(shown)
            ready_runs.append(ready)
            app_cpu.append(cpu)
            shown, _, cpu = _time_until_shown(floor, env)
            floor_runs.append(shown)
            floor_cpu.append(cpu)
            orm_runs.append(_time_until_shown(orm_floor, env)[0])
    return StartFigures(
        app_s=statistics.median(app_runs),
        floor_s=statistics.median(floor_runs),
        ready_s=statistics.median(ready_runs),
        ready_runs=tuple(ready_runs),
        app_cpu_s=statistics.median(app_cpu),
        floor_cpu_s=statistics.median(floor_cpu),
        app_runs=tuple(app_runs),
        floor_runs=tuple(floor_runs),
        orm_floor_s=statistics.median(orm_runs),
        orm_floor_runs=tuple(orm_runs),
    )


if __name__ == "__main__":
    figures = measure_start(Path(sys.argv[1]), runs=int(sys.argv[2]) if len(sys.argv) > 2 else 5)
    print(
        f"app {figures.app_s:.3f} s (ready {figures.ready_s:.3f} s), floor {figures.floor_s:.3f} s, "
        f"ratio {figures.ratio:.2f} (CPU {figures.app_cpu_s:.3f} / {figures.floor_cpu_s:.3f} s = "
        f"{figures.cpu_ratio:.2f}); "
        f"floor with the ORM {figures.orm_floor_s:.3f} s ({figures.orm_ratio:.2f})\n"
        f"app runs {[round(t, 3) for t in figures.app_runs]}\n"
        f"floor runs {[round(t, 3) for t in figures.floor_runs]}"
    )
