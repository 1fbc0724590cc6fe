"""The unfinished intake, kept as a JSON file so a crash or a closed window loses nothing.

A draft that cannot be read, or whose shape is wrong, is never fatal: it is moved aside to a
numbered ``.broken-N.json`` file (an earlier one is never overwritten), logged, and the
caller is told where it went so the clerk can be told once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.domain.text_input import scrub
from desktop_app.services.store import Store, data_dir

log = logging.getLogger(__name__)

DRAFT_PREFIX = "intake-draft"
TEMP_PREFIX, TEMP_SUFFIX = f".{DRAFT_PREFIX}-", ".tmp"
FORMAT_VERSION = 1
# A draft is a few kilobytes; anything far larger is not one of ours.
MAX_DRAFT_BYTES = 4 * 1024 * 1024
# A temporary file this old was left by a save that never finished (a crash, a power cut).
STALE_TEMPORARY_SECONDS = 3600
# Ids in a draft end up in SQL parameters and Qt variants: 64-bit signed.
_INT_RANGE = range(-(2**63), 2**63)


@dataclass(frozen=True)
class Draft:
    """What the wizard held: its field values by page, the page shown, and when it was saved."""

    values: dict[str, Any]
    page: int
    saved_at: dt.datetime


@dataclass(frozen=True)
class DraftLoad:
    """The outcome of reading the draft at start: the draft, and where a bad one was put."""

    draft: Draft | None
    set_aside: Path | None = None


class BadDraft(ValueError):
    """The draft file's content is not a draft this version wrote (reason in English, for logs)."""


def draft_path(store: Store) -> Path:
    """Where the draft lives: in the data folder, one file per database.

    A draft typed against the demo database is never offered on the clinic's own, and the
    other way round.
    """
    digest = hashlib.sha256(store.location.encode("utf-8")).hexdigest()[:12]
    return data_dir() / f"{DRAFT_PREFIX}-{digest}.json"


def save_draft(store: Store, values: dict[str, Any], page: int = 0) -> Draft:
    """Write the draft atomically: a half-written file can never replace a good one.

    Its text is scrubbed (domain/text_input.scrub): a lone surrogate from a broken paste
    becomes U+FFFD and controls are dropped, so the draft is always saved and reads back; the
    clerk sees the "�" when it is put back, and 登録 cleans the rest.
    """
    target = draft_path(store)
    target.parent.mkdir(parents=True, exist_ok=True)
    values = scrub(values)
    draft = Draft(values=values, page=page, saved_at=store.clock.now())
    payload = {
        "version": FORMAT_VERSION,
        "saved_at": draft.saved_at.isoformat(),
        "page": page,
        "values": values,
    }
    fd, temp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return draft


def open_draft(store: Store) -> DraftLoad:
    """Read the draft at start; a bad or unreadable one is set aside, and where is said.

    Never raises: a draft must not stop the window from opening.
    """
    target = draft_path(store)
    _remove_stale_temporaries(target.parent)
    try:
        return DraftLoad(parse_draft(_read_bytes(target)))
    except FileNotFoundError:
        return DraftLoad(None)
    except (OSError, BadDraft) as exc:
        return DraftLoad(None, set_aside_draft(store, str(exc)))


def load_draft(store: Store) -> Draft | None:
    """The saved draft, or None when there is none or it was bad (then it is set aside)."""
    return open_draft(store).draft


def set_aside_draft(store: Store, reason: str) -> Path | None:
    """Move the draft to the next free ``<name>.broken-N.json``; the path, or None if it failed.

    Every broken copy is kept for whoever investigates: an earlier one is never overwritten.
    """
    target = draft_path(store)
    stem = target.name.removesuffix(".json")
    number = 1
    while True:
        candidate = target.with_name(f"{stem}.broken-{number}.json")
        try:
            _move_without_overwrite(target, candidate)
        except FileExistsError:
            number += 1
            continue
        except FileNotFoundError:
            return None
        except OSError:
            log.exception("intake draft %s is bad (%s) and could not be set aside", target, reason)
            return None
        log.warning("intake draft %s is bad (%s); set aside as %s", target, reason, candidate)
        return candidate


def discard_draft(store: Store) -> None:
    """Remove the draft (after 登録, or when the clerk chose 破棄)."""
    draft_path(store).unlink(missing_ok=True)


def parse_draft(raw: bytes) -> Draft:
    """The draft in a file's bytes; BadDraft for anything this version would not have written.

    The shape is checked here (version, saved_at, page, values by page and field); whether
    each field has the type its page expects is the wizard's to check.
    """
    try:
        payload = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise BadDraft(f"not JSON: {exc.__class__.__name__}") from None
    if not isinstance(payload, dict):
        raise BadDraft("not a JSON object")
    version = payload.get("version")
    if type(version) is not int or version != FORMAT_VERSION:
        raise BadDraft(f"unknown version {version!r}")
    page = payload.get("page")
    if type(page) is not int or page not in _INT_RANGE:
        raise BadDraft("page is not an integer")
    return Draft(
        values=_checked_values(payload.get("values")),
        page=page,
        saved_at=_checked_saved_at(payload.get("saved_at")),
    )


def _read_bytes(path: Path) -> bytes:
    with path.open("rb") as handle:
        raw = handle.read(MAX_DRAFT_BYTES + 1)
    if len(raw) > MAX_DRAFT_BYTES:
        raise BadDraft("larger than any draft")
    return raw


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a draft holds")


def _checked_saved_at(value: object) -> dt.datetime:
    if not isinstance(value, str):
        raise BadDraft("saved_at is not a string")
    try:
        saved_at = dt.datetime.fromisoformat(value)
        # Shown in local time; a time that cannot be (year 1 west of UTC) is no save time.
        saved_at.astimezone()
    except (ValueError, OverflowError, OSError):
        raise BadDraft("saved_at is not a date and time") from None
    if saved_at.tzinfo is None:
        raise BadDraft("saved_at has no time zone")
    return saved_at


def _checked_values(values: object) -> dict[str, dict[str, Any]]:
    if not isinstance(values, dict):
        raise BadDraft("values is not an object")
    for page_key, fields in values.items():
        if not isinstance(fields, dict):
            raise BadDraft(f"page {page_key!r} is not an object")
        for name, value in fields.items():
            _check_value(f"{page_key}.{name}", value)
    return values


def _check_value(where: str, value: object) -> None:
    """A field is a JSON scalar, or a list or an object of scalars (checks answered, ids)."""
    if isinstance(value, list):
        for item in value:
            _check_scalar(where, item)
    elif isinstance(value, dict):
        for item in value.values():
            _check_scalar(where, item)
    else:
        _check_scalar(where, value)


def _check_scalar(where: str, value: object) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if value not in _INT_RANGE:
            raise BadDraft(f"{where}: integer out of range")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise BadDraft(f"{where}: not a finite number")
    elif isinstance(value, str):
        # A lone surrogate (from a \\ud800 escape) could be neither shown nor saved again.
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadDraft(f"{where}: text that is not Unicode") from None
    else:
        raise BadDraft(f"{where}: nested value")


def _remove_stale_temporaries(folder: Path) -> None:
    """Temporary files of saves killed half-way; a young one may be another window's save."""
    now = time.time()
    try:
        for temp in folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
            if now - temp.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                temp.unlink()
    except OSError:
        log.warning("could not tidy temporary draft files in %s", folder, exc_info=True)


def _move_without_overwrite(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target``; FileExistsError rather than replace an existing one."""
    try:
        # A hard link fails when the target exists, where a rename on POSIX would replace it.
        os.link(source, target)
    except FileExistsError:
        raise
    except FileNotFoundError:
        raise
    except OSError:
        # No hard links here (some file systems, or a folder in the draft's place).
        if target.exists() or target.is_symlink():
            raise FileExistsError(target) from None
        os.rename(source, target)
        return
    source.unlink()
