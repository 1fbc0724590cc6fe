"""What a write changed, so that each screen refreshes only what it shows (Anki's OpChanges)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Flag, auto


class Change(Flag):
    """Kinds of data a service call can change."""

    NONE = 0
    CASES = auto()
    SETTINGS = auto()
    ENQUIRIES = auto()  # calls logged without a case
    BACKUPS = auto()
    MASTERS = auto()  # departments, doctors, their hours, one-off closures


@dataclass(frozen=True)
class OpChanges:
    """The kinds a call changed and, for cases, which ones (empty: not known, refresh all)."""

    kinds: Change = Change.NONE
    case_ids: frozenset[int] = frozenset()

    def touches(self, kinds: Change, case_id: int | None = None) -> bool:
        """True when this change concerns ``kinds`` (and that case, when one is named)."""
        if not self.kinds & kinds:
            return False
        if case_id is None or not self.case_ids or not self.kinds & Change.CASES:
            return True
        return case_id in self.case_ids
