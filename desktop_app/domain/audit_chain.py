"""The audit log's hash chain: the canonical encoding of a row, its hash, and the check.

Canonical encoding (version 1) of one audit row, the bytes that are hashed:

* a JSON object with exactly the keys ``id, at, staff, action, entity, entity_id, case_id,
  summary, before, after``, keys sorted, no whitespace (``","`` and ``":"``), non-ASCII
  characters written as themselves, the whole encoded as UTF-8;
* ``id`` and ``case_id`` integers (``case_id`` may be ``null``); ``staff``, ``action`` (the
  stored value, e.g. ``"case.stage"``), ``entity``, ``entity_id`` and ``summary`` strings;
* ``at`` a UTC time as text with a fixed precision: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``;
* ``before`` and ``after`` ``null`` or JSON objects whose values are null, booleans,
  integers, strings, lists and objects with string keys, written out in full (an explicit
  ``null`` is kept, never dropped). No floats: their text differs between engines and
  libraries, so the service stores a float as its decimal text before it is hashed.

``row_hash = SHA-256(prev_hash + "\\n" + encoding)`` as 64 lowercase hex digits, where
``prev_hash`` is the row before's ``row_hash`` (64 ASCII hex digits, so the concatenation is
unambiguous) and the first row's ``prev_hash`` is 64 zeros.

What the chain shows: a row whose content was changed, a row slipped in among the others, a
row taken out, rows put in another order. What no chain without a secret can show: the newest
rows cut off the end, or the whole chain recomputed by someone who also rewrites every hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from desktop_app.domain.audit_actions import AuditAction

GENESIS = "0" * 64
CHAIN_FIELDS = (
    "id", "at", "staff", "action", "entity", "entity_id", "case_id", "summary", "before", "after",
)  # fmt: skip


@dataclass(frozen=True)
class AuditContent:
    """What one audit row says, as hashed (``action`` is the stored text)."""

    id: int
    at: dt.datetime
    staff: str
    action: str
    entity: str
    entity_id: str
    case_id: int | None
    summary: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


@dataclass(frozen=True)
class ChainedRow:
    """A row as stored: its content and the two hashes (None when a row has none)."""

    content: AuditContent
    prev_hash: str | None
    row_hash: str | None


def utc_text(at: dt.datetime) -> str:
    """A time as UTC text with microseconds; a naive time is refused (it could be anything)."""
    if at.tzinfo is None:
        raise ValueError("naive datetime in an audit row")
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def without_floats(value: Any) -> Any:
    """The value with every float replaced by its decimal text (``repr``), for storing."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return [without_floats(v) for v in value]
    if isinstance(value, dict):
        return {k: without_floats(v) for k, v in value.items()}
    return value


def _checked(value: Any, where: str) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list):
        return [_checked(v, where) for v in value]
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"non-string key in {where}")
        return {k: _checked(v, where) for k, v in value.items()}
    raise TypeError(f"{type(value).__name__} in {where} cannot be encoded")


def _text(value: Any, name: str) -> str:
    if isinstance(value, StrEnum):
        return value.value
    if not isinstance(value, str):
        raise TypeError(f"{name} must be text")
    return value


def _integer(value: Any, name: str, *, nullable: bool = False) -> int | None:
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an integer")
    return value


def encode(content: AuditContent) -> bytes:
    """The canonical encoding (see the module's docstring); TypeError for what has none."""
    for name in ("before", "after"):
        value = getattr(content, name)
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(f"{name} must be an object")
    obj = {
        "id": _integer(content.id, "id"),
        "at": utc_text(content.at),
        "staff": _text(content.staff, "staff"),
        "action": _text(content.action, "action"),
        "entity": _text(content.entity, "entity"),
        "entity_id": _text(content.entity_id, "entity_id"),
        "case_id": _integer(content.case_id, "case_id", nullable=True),
        "summary": _text(content.summary, "summary"),
        "before": None if content.before is None else _checked(dict(content.before), "before"),
        "after": None if content.after is None else _checked(dict(content.after), "after"),
    }
    text = json.dumps(
        obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return text.encode("utf-8", errors="surrogatepass")


def row_hash(prev_hash: str, content: AuditContent) -> str:
    """SHA-256 over the previous row's hash, a newline and this row's canonical encoding."""
    digest = hashlib.sha256(prev_hash.encode("ascii") + b"\n" + encode(content))
    return digest.hexdigest()


class BreakKind(StrEnum):
    ALTERED = "altered"
    INSERTED = "inserted"
    REMOVED = "removed"
    REORDERED = "reordered"


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the chain does not hold, and what most likely happened there."""

    kind: BreakKind
    row: AuditContent  # the row named (for REMOVED: the row just after the gap)
    missing_id: int | None = None  # REMOVED: the first missing row number, when ids show it

    def message(self) -> str:
        """One line in Japanese naming the row (times in the desk's local time)."""
        where = f"変更履歴の {self.row.id} 行目（{describe(self.row)}）"
        if self.kind is BreakKind.ALTERED:
            return f"{where}が改ざんされています（内容がハッシュと一致しません）"
        if self.kind is BreakKind.INSERTED:
            return f"{where}は後から挿入された行です"
        if self.kind is BreakKind.REORDERED:
            return f"{where}は順序が入れ替えられています"
        if self.missing_id is not None:
            return f"変更履歴の {self.missing_id} 行目が削除されています（{where}の直前）"
        return f"{where}の直前の行が削除されています"


def describe(content: AuditContent) -> str:
    """``2026/11/25 10:00 山田 案件の登録``: when (local time), who, what."""
    try:
        when = content.at.astimezone().strftime("%Y/%m/%d %H:%M")
    except (ValueError, OverflowError):
        when = "日時不明"
    try:
        what = AuditAction(content.action).label
    except ValueError:
        what = str(content.action)
    return " ".join(part for part in (when, content.staff, what) if part)


def _authentic(row: ChainedRow) -> bool:
    if row.prev_hash is None or row.row_hash is None:
        return False
    try:
        return row_hash(row.prev_hash, row.content) == row.row_hash
    except (TypeError, ValueError, UnicodeError):
        return False


def find_break(rows: Sequence[ChainedRow]) -> ChainBreak | None:
    """The first row (in id order) where the chain does not hold; None when it is sound."""
    expected = GENESIS
    for i, row in enumerate(rows):
        authentic = _authentic(row)
        if authentic and row.prev_hash == expected:
            assert row.row_hash is not None
            expected = row.row_hash
            continue
        return _classify(rows, i, expected, authentic)
    return None


def _classify(rows: Sequence[ChainedRow], i: int, expected: str, authentic: bool) -> ChainBreak:
    row = rows[i]
    if row.prev_hash is None or row.row_hash is None:
        return ChainBreak(BreakKind.INSERTED, row.content)
    # A forged row that links to its predecessor's predecessor: the predecessor was slipped in.
    if i > 0 and row.prev_hash == rows[i - 1].prev_hash and row.prev_hash != expected:
        return ChainBreak(BreakKind.INSERTED, rows[i - 1].content)
    if row.prev_hash != expected and row.prev_hash in {r.row_hash for r in rows[i + 1 :]}:
        return ChainBreak(BreakKind.REORDERED, row.content)
    if i + 1 < len(rows) and rows[i + 1].prev_hash == expected:
        return ChainBreak(BreakKind.INSERTED, row.content)  # the chain runs on past this row
    if authentic:  # sound in itself, but its predecessor is not there
        before_id = rows[i - 1].content.id if i > 0 else 0
        missing = before_id + 1 if row.content.id > before_id + 1 else None
        return ChainBreak(BreakKind.REMOVED, row.content, missing_id=missing)
    return ChainBreak(BreakKind.ALTERED, row.content)
