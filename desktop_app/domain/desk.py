"""What one desk (one PC) remembers for itself, apart from the clinic's shared settings."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class TextSize(StrEnum):
    """How large the whole window is drawn at this desk (標準・大・特大)."""

    STANDARD = "standard"
    LARGE = "large"
    EXTRA_LARGE = "extra-large"

    @property
    def label(self) -> str:
        return _TEXT_SIZE_LABELS[self]

    @property
    def scale(self) -> float:
        """The factor applied to fonts and layout."""
        return _TEXT_SIZE_SCALES[self]


_TEXT_SIZE_LABELS = {TextSize.STANDARD: "標準", TextSize.LARGE: "大", TextSize.EXTRA_LARGE: "特大"}
_TEXT_SIZE_SCALES = {TextSize.STANDARD: 1.0, TextSize.LARGE: 1.25, TextSize.EXTRA_LARGE: 1.5}


@dataclass(frozen=True)
class DeskSettings:
    """This desk's own choices. Paths are this PC's (a network share may have another
    drive letter on the next desk), so they are not the clinic's settings."""

    text_size: TextSize = TextSize.STANDARD
    fax_inbox: str = ""  # the folder the fax server saves received faxes into
    fax_archive: str = ""  # where a received fax goes once it is recorded
