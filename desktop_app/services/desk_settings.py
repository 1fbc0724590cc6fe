"""This desk's own settings, kept in a small JSON file in the user's data folder.

The clinic's settings live in the database and are the same at every desk; these are this
PC's (text size, the fax folders as this PC sees them). A missing or damaged file gives the
defaults: a desk never fails to start over its preferences. Written atomically, 0600.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from desktop_app.domain.desk import DeskSettings, TextSize
from desktop_app.services import store_files
from desktop_app.services.store import data_dir

log = logging.getLogger(__name__)

FILE_NAME = "desk.json"


def desk_file() -> Path:
    return data_dir() / FILE_NAME


def load_desk_settings(path: Path | None = None) -> DeskSettings:
    """This desk's settings; the defaults for anything missing or unreadable."""
    path = path or desk_file()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return DeskSettings()
    except (OSError, ValueError) as exc:
        log.warning("desk settings unreadable, using defaults: %s", exc)
        return DeskSettings()
    if not isinstance(raw, dict):
        return DeskSettings()
    return _from_json(raw)


def save_desk_settings(settings: DeskSettings, path: Path | None = None) -> None:
    """Write this desk's settings (all of them, atomically). OSError when it cannot."""
    path = path or desk_file()
    store_files.make_private_folder(path.parent)
    data = asdict(settings)
    data["text_size"] = settings.text_size.value
    fd, temp = tempfile.mkstemp(prefix=".desk-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=2)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def update_desk_settings(path: Path | None = None, **changes: Any) -> DeskSettings:
    """Change some of this desk's settings, keeping the others; returns the new settings."""
    settings = replace(load_desk_settings(path), **changes)
    save_desk_settings(settings, path)
    return settings


def _from_json(raw: dict[str, Any]) -> DeskSettings:
    defaults = DeskSettings()
    try:
        size = TextSize(raw.get("text_size", defaults.text_size))
    except ValueError:
        size = defaults.text_size
    return DeskSettings(
        text_size=size,
        fax_inbox=_text(raw.get("fax_inbox")),
        fax_archive=_text(raw.get("fax_archive")),
    )


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
