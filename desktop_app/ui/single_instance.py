"""One SO Desk per SQLite file on a machine: a second copy is told, not let in.

Two windows on one SQLite file would work (the store serialises writes), but each would show
the other's changes only after a reload, and a restore or a demo rebuild must not pull the
file from under an open window. PostgreSQL is made for several desks and takes no lock.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QLockFile

log = logging.getLogger(__name__)


def lock_path(database: Path) -> str:
    """The lock file beside the database: ``sodesk.db.lock``."""
    return f"{database}.lock"


def acquire(database: Path) -> QLockFile | None:
    """Hold the database's lock for as long as the returned object lives; None if taken.

    A lock left by a process that died (a crash, a power cut) is taken over: QLockFile checks
    whether its owner still runs on this machine.
    """
    lock = QLockFile(lock_path(database))
    # Never treat a lock as stale by age: a desk may stay open for days without touching it.
    lock.setStaleLockTime(0)
    if not lock.tryLock(0):
        return None
    make_private(Path(lock_path(database)))
    return lock


def holder(database: Path) -> str:
    """Who holds the lock, for the message: 'ホスト名（プロセス 1234）', or '' if unknown."""
    info = QLockFile(lock_path(database)).getLockInfo()
    if not isinstance(info, tuple) or len(info) < 2 or not info[0]:
        return ""
    pid, hostname = info[0], info[1]
    return f"{hostname}（プロセス {pid}）"


def make_private(path: Path) -> None:
    """0600 like the database beside it (QLockFile makes its file 0644 under the usual umask);
    it names the machine and the process, and a copied-out file keeps its mode."""
    if os.name == "posix":
        try:
            os.chmod(path, 0o600)
        except OSError:
            log.warning("cannot make the lock file %s private", path, exc_info=True)
