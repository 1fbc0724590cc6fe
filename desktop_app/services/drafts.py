"""The unfinished intake, kept as a JSON file so a crash or a closed window loses nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.services.store import Store, data_dir

log = logging.getLogger(__name__)

DRAFT_PREFIX = "intake-draft"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Draft:
    """What the wizard held: its field values by page, the page shown, and when it was saved."""

    values: dict[str, Any]
    page: int
    saved_at: dt.datetime


def draft_path(store: Store) -> Path:
    """Where the draft lives: in the data folder, one file per database.

    A draft typed against the demo database is never offered on the clinic's own, and the
    other way round.
    """
    digest = hashlib.sha256(store.location.encode("utf-8")).hexdigest()[:12]
    return data_dir() / f"{DRAFT_PREFIX}-{digest}.json"


def save_draft(store: Store, values: dict[str, Any], page: int = 0) -> Draft:
    """Write the draft atomically: a half-written file can never replace a good one."""
    target = draft_path(store)
    target.parent.mkdir(parents=True, exist_ok=True)
    draft = Draft(values=values, page=page, saved_at=dt.datetime.now().astimezone())
    payload = {
        "version": FORMAT_VERSION,
        "saved_at": draft.saved_at.isoformat(),
        "page": page,
        "values": values,
    }
    fd, temp_name = tempfile.mkstemp(prefix=".intake-draft-", suffix=".tmp", dir=target.parent)
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


def load_draft(store: Store) -> Draft | None:
    """The saved draft, or None when there is none or it cannot be read (logged, kept aside)."""
    target = draft_path(store)
    try:
        payload = json.loads(target.read_text(encoding="utf-8"))
        values = payload["values"]
        if not isinstance(values, dict):
            raise ValueError("values is not an object")
        return Draft(
            values=values,
            page=int(payload.get("page", 0)),
            saved_at=dt.datetime.fromisoformat(payload["saved_at"]),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        # Keep the unreadable file for whoever investigates, but out of the way of the next one.
        log.exception("intake draft %s is unreadable; set aside", target)
        with contextlib.suppress(OSError):
            target.replace(target.with_suffix(".broken.json"))
        return None


def discard_draft(store: Store) -> None:
    """Remove the draft (after 登録, or when the clerk chose 破棄)."""
    draft_path(store).unlink(missing_ok=True)
