"""Witnesses of the audit chain's head, kept outside the database it describes.

The chain (domain/audit_chain.py) has no key: whoever holds the file can cut its newest rows,
or rewrite and rehash all of it, and the chain still holds. A witness is a note, made where
the file cannot reach it, of how far the chain went: *this database* (its first row's hash,
which every copy shares, and where it lives) *had row N with hash H as its newest, at time
T*. ``sodesk check`` reads every witness it can find; the live chain must still hold row N
with exactly H. A witness is written

* at every close of a store (``Store.close``; the window's end too), as one line of
  ``<data folder>/audit-witness.log`` (0600): ``<UTC time> witness db=<first hash> id=<N>
  hash=<H> source=close path=<file or server>``, the path last so it may hold spaces;
* beside every backup, as ``<backup>.witness.json`` (0600), with the head the copy holds,
  and as a line of the same log (source=backup). The copy itself is left as it was made and
  checked: a note written into it would be one more thing the holder of the file rewrites.

A restore rewinds the chain on purpose: it writes a ``database.restore`` entry, and witnesses
older than the newest such entry are not held against the database (``note_restore`` then
witnesses the restored chain). What the witnesses cannot do: vouch for rows written after the
newest of them, or stand against someone who rewrites the file, every backup and this log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from sqlalchemy import Connection, func, select, text
from sqlalchemy.engine import URL

from desktop_app.db import tables
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.audit_chain import GENESIS
from desktop_app.services import store_files

if TYPE_CHECKING:
    from desktop_app.services.store import Store

log = logging.getLogger(__name__)

WITNESS_LOG = "audit-witness.log"
SIDECAR_SUFFIX = ".witness.json"
SIDECAR_FORMAT = "sodesk-witness-1"
# Past this size the log keeps only the newest witness of each database (the newest one
# stands for every older one of the same chain: row N's hash fixes rows 1..N).
LOG_LIMIT = 1_000_000
# Sidecars read from one folder at most (a backup folder holds a few dozen).
MAX_SIDECARS = 2_000
_PRIVATE = 0o600

# One indexed query: the first row (the database's identity) and the newest.
_HEAD_SQL = (
    "SELECT id, prev_hash, row_hash FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)"
    " OR id = (SELECT max(id) FROM audit_log) ORDER BY id"
)
_LINE = re.compile(
    r"(?P<at>\S+) witness db=(?P<db>[0-9a-f]{64}|-) id=(?P<id>\d+) hash=(?P<hash>[0-9a-f]{64})"
    r" source=(?P<source>\S+) path=(?P<path>.+)"
)


@dataclass(frozen=True)
class ChainHead:
    """The chain's newest row, and the hash of its first (None when that row is gone)."""

    database: str | None
    id: int
    hash: str


@dataclass(frozen=True)
class Witness:
    """A note, kept outside the database, that its chain reached row ``id`` with ``hash``."""

    database: str | None  # the first row's hash
    location: str  # the file, or the server and database name
    id: int
    hash: str
    at: dt.datetime  # UTC
    source: str  # close, backup, restore (log lines) or the sidecar's file name


def _head_from(rows: list[Any]) -> ChainHead | None:
    if not rows:
        return None
    first, last = rows[0], rows[-1]
    database = str(first[2]) if first[1] == GENESIS else None
    return ChainHead(database, int(last[0]), str(last[2]))


def read_head(connection: Connection) -> ChainHead | None:
    """The live chain's head (None when the audit log is empty)."""
    return _head_from(list(connection.execute(text(_HEAD_SQL))))


def _file_head(path: Path) -> ChainHead | None:
    """The head of a SQLite file, read without writing anything beside it."""
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as connection:
        return _head_from(connection.execute(_HEAD_SQL).fetchall())


def location_of(url: URL) -> str:
    """Where a database lives, as witnesses name it: the file, or the server and database
    (never a user name or password)."""
    backend = url.get_backend_name()
    database = url.database or ""
    if backend == "sqlite":
        if database.startswith("file:"):  # a read-only URI (the check's)
            database = url2pathname(urlparse(database.split("?", 1)[0]).path)
        return str(Path(database)) if database else ""
    host = url.host or ""
    port = f":{url.port}" if url.port else ""
    return f"{backend}://{host}{port}/{database}"


# --- writing ---------------------------------------------------------------------------


def note_close(store: Store) -> None:
    """Write the chain's head to the witness log as the store closes; never raises."""
    _note_quietly(store, "close")


def note_restore(store: Store, backup: str | Path) -> None:
    """After a restore and its ``database.restore`` entry: witness the restored chain."""
    log.info("witnessing the chain restored from %s", backup)
    _note_quietly(store, "restore")


def note_backup(store: Store, backup: Path) -> None:
    """Beside a backup just made: ``<backup>.witness.json`` with the head the copy holds
    (PostgreSQL: the live head), and the same as a line of the log. Never raises: the backup
    is sound without it."""
    try:
        if store.file is not None:
            head = _file_head(backup)
        else:
            with store.engine.connect() as connection:
                head = read_head(connection)
        if head is None:
            return
        witness = Witness(
            head.database,
            location_of(store.engine.url),
            head.id,
            head.hash,
            store.clock.utcnow(),
            "backup",
        )
        sidecar = Path(f"{backup}{SIDECAR_SUFFIX}")
        _write_private(sidecar, json.dumps(_sidecar_data(witness, backup), ensure_ascii=False))
        _prune_orphans(sidecar, witness)
        _append(witness)
    except Exception:
        log.warning("could not witness the backup %s", backup, exc_info=True)


def _note_quietly(store: Store, source: str) -> None:
    try:
        _note(store, source)
    except Exception:
        log.warning("could not write the audit chain's witness", exc_info=True)


def _note(store: Store, source: str) -> None:
    engine = store.engine
    # Only over a connection the store already holds: a close opens no new one, so it never
    # creates a SQLite file that was moved or deleted meanwhile, nor dials a server anew.
    idle = getattr(engine.pool, "checkedin", None)
    if idle is not None and idle() == 0:
        return
    if store.file is not None and not store.file.is_file():
        return
    with engine.connect() as connection:
        head = read_head(connection)
    if head is None:
        return
    location = location_of(engine.url)
    _append(Witness(head.database, location, head.id, head.hash, store.clock.utcnow(), source))


def _line(w: Witness) -> str:
    location = " ".join(w.location.splitlines())
    return (
        f"{w.at.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%S.%fZ} witness db={w.database or '-'}"
        f" id={w.id} hash={w.hash} source={w.source} path={location}\n"
    )


def witness_log() -> Path:
    """The witness log of this user's data folder."""
    from desktop_app.services.store import data_dir

    return data_dir() / WITNESS_LOG


def _append(witness: Witness) -> None:
    path = witness_log()
    store_files.make_private_folder(path.parent)
    # One write() of one short line with O_APPEND: desks closing at once never mix lines.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, _PRIVATE)
    try:
        os.write(fd, _line(witness).encode("utf-8"))
        size = os.fstat(fd).st_size
    finally:
        os.close(fd)
    if size > LOG_LIMIT:
        _compact(path)


def _compact(path: Path) -> None:
    """Keep the newest witness of each database and place, in time order."""
    newest: dict[tuple[str | None, str], Witness] = {}
    for w in _read_log(path):
        key = (w.database, w.location)
        if key not in newest or w.at >= newest[key].at:
            newest[key] = w
    kept = sorted(newest.values(), key=lambda w: w.at)
    _write_private(path, "".join(_line(w) for w in kept))


def _write_private(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` (0600) through a temporary file and a rename."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, _PRIVATE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(content)
        os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _sidecar_data(w: Witness, backup: Path) -> dict[str, Any]:
    return {
        "format": SIDECAR_FORMAT,
        "database": w.database,
        "location": w.location,
        "id": w.id,
        "hash": w.hash,
        "at": w.at.astimezone(dt.UTC).isoformat(),
        "backup": backup.name,
    }


def _prune_orphans(own: Path, witness: Witness) -> None:
    """Sidecars of this database whose backups the retention rule deleted: the new one
    stands for them."""
    for sidecar in own.parent.glob(f"*{SIDECAR_SUFFIX}"):
        if sidecar == own or sidecar.with_name(sidecar.name[: -len(SIDECAR_SUFFIX)]).exists():
            continue
        old = _read_sidecar(sidecar)
        if old is not None and (old.database, old.location) == (
            witness.database,
            witness.location,
        ):
            with contextlib.suppress(OSError):
                sidecar.unlink()


# --- reading ---------------------------------------------------------------------------


def _parse_line(line: str) -> Witness | None:
    match = _LINE.fullmatch(line.rstrip("\r\n"))
    if match is None:
        return None
    try:
        at = _utc(match["at"])
    except ValueError:
        return None
    database = None if match["db"] == "-" else match["db"]
    return Witness(database, match["path"], int(match["id"]), match["hash"], at, match["source"])


def _utc(value: str) -> dt.datetime:
    at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if at.tzinfo is None:
        raise ValueError("a witness's time without a zone")
    return at.astimezone(dt.UTC)


def _read_log(path: Path) -> Iterator[Witness]:
    try:
        with path.open(encoding="utf-8", errors="replace") as f:
            for line in f:
                witness = _parse_line(line)
                if witness is not None:
                    yield witness
    except FileNotFoundError:
        return
    except OSError:
        log.warning("cannot read the witness log %s", path, exc_info=True)


def _read_sidecar(path: Path) -> Witness | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != SIDECAR_FORMAT:
            return None
        database = data["database"]
        if database is not None and not re.fullmatch(r"[0-9a-f]{64}", str(database)):
            return None
        digest = str(data["hash"])
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            return None
        return Witness(
            database,
            str(data["location"]),
            int(data["id"]),
            digest,
            _utc(str(data["at"])),
            path.name,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        log.warning("unreadable witness file %s", path)
        return None


def gather(folders: Iterable[Path]) -> list[Witness]:
    """Every witness this desk can find: its log, and the sidecars in these folders."""
    found = list(_read_log(witness_log()))
    seen: set[Path] = set()
    for folder in folders:
        try:
            key = folder.resolve()
            if key in seen or not folder.is_dir():
                continue
            seen.add(key)
            sidecars = sorted(folder.glob(f"*{SIDECAR_SUFFIX}"))[-MAX_SIDECARS:]
        except OSError:
            continue
        found += [w for w in map(_read_sidecar, sidecars) if w is not None]
    return found


def backup_folders(connection: Connection) -> list[Path]:
    """Where this database's backups went: the default folder, the folder the settings
    name, and the folder of every backup its log recorded."""
    from desktop_app.services.backup import default_backup_folder

    folders = [default_backup_folder()]
    settings = tables.settings
    chosen = connection.scalar(select(settings.c.value).where(settings.c.key == "backup_folder"))
    if isinstance(chosen, str) and chosen.strip():
        folders.append(Path(chosen.strip()).expanduser())
    entries = tables.audit_log
    made = connection.execute(
        select(entries.c.after).where(entries.c.action == AuditAction.BACKUP_CREATE)
    )
    for (after,) in made:
        if isinstance(after, dict) and isinstance(after.get("path"), str):
            folders.append(Path(after["path"]).parent)
    return list(dict.fromkeys(folders))


# --- checking --------------------------------------------------------------------------


def witness_problems(
    connection: Connection, location: str, *, broken_from: int | None = None
) -> list[str]:
    """What the witnesses of this database say against its live chain, one Japanese line
    per finding. ``broken_from``: the row where the chain itself breaks (reported already);
    rows from there on are not compared again."""
    head = read_head(connection)
    witnesses = [w for w in gather(backup_folders(connection)) if _concerns(w, head, location)]
    entries = tables.audit_log
    restored = connection.scalar(
        select(func.max(entries.c.at)).where(entries.c.action == AuditAction.DATABASE_RESTORE)
    )
    if restored is not None:
        witnesses = [w for w in witnesses if w.at >= restored]
    if not witnesses:
        return []
    last = head.id if head is not None else 0
    problems = []
    cut = max((w for w in witnesses if w.id > last), key=lambda w: (w.id, w.at), default=None)
    if cut is not None:
        problems.append(
            f"変更履歴が {last + 1} 行目以降削除されています"
            f"（{_when(cut.at)} の記録では {cut.id} 行目まで）"
        )
    held = [w for w in witnesses if w.id <= last and (broken_from is None or w.id < broken_from)]
    ids = sorted({w.id for w in held})
    stored: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = select(entries.c.id, entries.c.row_hash).where(entries.c.id.in_(chunk))
        for row_id, digest in connection.execute(query):
            stored[row_id] = digest
    wrong: dict[int, Witness] = {}
    for w in sorted(held, key=lambda w: w.at):
        if stored.get(w.id) != w.hash:
            wrong.setdefault(w.id, w)
    for row_id in sorted(wrong)[:3]:
        problems.append(
            f"変更履歴の {row_id} 行目の内容が記録と一致しません"
            f"（{_when(wrong[row_id].at)} の記録と違います。書き換えられた可能性があります）"
        )
    if len(wrong) > 3:
        problems.append(f"ほかにも {len(wrong) - 3} か所の変更履歴が記録と一致しません")
    return problems


def _concerns(w: Witness, head: ChainHead | None, location: str) -> bool:
    """A witness of this database: the same first row at the same place; when the first row
    is gone (or every row), any witness of the place."""
    if head is not None and head.database is not None:
        return w.database == head.database and w.location == location
    return w.location == location


def _when(at: dt.datetime) -> str:
    return at.astimezone().strftime("%Y/%m/%d %H:%M")
