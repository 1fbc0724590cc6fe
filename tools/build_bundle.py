"""Build SO Desk's one-folder bundle: ``python tools/build_bundle.py`` → dist/SODesk/.

The same command on Windows, macOS and Linux, with the Python of a venv where SO Desk and its
``bundle`` extra are installed (``pip install '.[bundle]'``). The bundle runs without Python;
copy the whole folder. What goes in: packaging/sodesk.spec and packaging/bundle_support.py.
The manual's screenshots are made first (tools/manual_screenshots.py) so the bundle carries
them. Prints the build time and the folder's size; exit non-zero when a step fails.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "sodesk.spec"
DIST = ROOT / "dist"
# Not build/ itself: setuptools builds the wheel there.
WORK = ROOT / "build" / "pyinstaller"
FOLDER = DIST / "SODesk"
SCREENSHOTS = ROOT / "tools" / "manual_screenshots.py"
# The bundle extra's, and what a clinic may need that a venv may lack (PostgreSQL's driver).
REQUIRED = ("PyInstaller", "_pyinstaller_hooks_contrib", "desktop_app", "psycopg_binary")


def folder_size(folder: Path) -> int:
    """Bytes of the files under ``folder`` (what copying it takes)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--clean", action="store_true", help="PyInstaller's cache and build folder from scratch"
    )
    parser.add_argument("--verbose", action="store_true", help="PyInstaller's INFO messages")
    parser.add_argument(
        "--no-screenshots",
        action="store_true",
        help="keep desktop_app/manual/images as it is (default: made again from the demo)",
    )
    args = parser.parse_args(argv)
    missing = [name for name in REQUIRED if importlib.util.find_spec(name) is None]
    if missing:
        print(
            f"build_bundle: {', '.join(missing)} not installed in {sys.executable}"
            " (pip install '.[bundle]')",
            file=sys.stderr,
        )
        return 1
    started = time.monotonic()
    if not args.no_screenshots:
        # The manual's pictures are generated files (never committed): the bundle carries the
        # ones of this very version. About 20 s, offscreen.
        done = subprocess.run([sys.executable, str(SCREENSHOTS)], cwd=ROOT, check=False)
        if done.returncode != 0:
            print("build_bundle: the manual's screenshots failed", file=sys.stderr)
            return 1
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--distpath",
        str(DIST),
        "--workpath",
        str(WORK),
        "--log-level",
        "INFO" if args.verbose else "WARN",
    ]
    if args.clean:
        command.append("--clean")
    command.append(str(SPEC))
    done = subprocess.run(command, cwd=ROOT, check=False)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        print(f"build_bundle: PyInstaller failed (exit {done.returncode})", file=sys.stderr)
        return 1
    executable = FOLDER / ("sodesk.exe" if os.name == "nt" else "sodesk")
    if not executable.is_file():
        print(f"build_bundle: {executable} was not made", file=sys.stderr)
        return 1
    size = folder_size(FOLDER)
    print(f"build_bundle: {FOLDER} in {seconds:.0f} s, {size / 1_000_000:.0f} MB unpacked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
