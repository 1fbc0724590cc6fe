"""Does a saved draft fit the wizard's pages? Checked against the pages' own blank values.

This is a check of the draft file's JSON, before it becomes an IntakeSnapshot (values.py):
``blank`` is the blank snapshot's ``to_json()``.

Each page says what its fields hold by what it returns when nothing is typed: text is "",
a choice is its default code, checks are a list or a dict of booleans, an optional id is
None. A draft's field must have that type, so there is no second schema to keep in step.
Pages and fields the wizard does not know are ignored (a draft from an older version).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def draft_problem(values: Mapping[str, Any], blank: Mapping[str, Mapping[str, Any]]) -> str | None:
    """Why ``values`` do not fit pages whose blank snapshot is ``blank``; None when they fit."""
    for key, blank_fields in blank.items():
        fields = values.get(key)
        if fields is None:
            continue
        if not isinstance(fields, dict):
            return f"page {key!r} is {type(fields).__name__}, not an object"
        for name, expected in blank_fields.items():
            if name in fields and not fits(fields[name], expected):
                return f"{key}.{name} is {type(fields[name]).__name__}, not like {expected!r}"
    return None


def fits(value: object, blank: object) -> bool:
    """True when ``value`` has the type of the page's own blank value ``blank``."""
    if blank is None:  # an optional id: a registered patient, a department
        return value is None or _is_int(value)
    if isinstance(blank, bool):
        return isinstance(value, bool)
    if isinstance(blank, int):
        return _is_int(value)
    if isinstance(blank, float):
        return _is_int(value) or isinstance(value, float)
    if isinstance(blank, str):
        return isinstance(value, str)
    if isinstance(blank, list):
        if not isinstance(value, list):
            return False
        # An empty list says only "a list"; the draft's shape check kept its items scalars.
        return not blank or all(fits(item, blank[0]) for item in value)
    if isinstance(blank, dict):
        if not isinstance(value, dict):
            return False
        sample = next(iter(blank.values()), None)
        return not blank or all(fits(item, sample) for item in value.values())
    return False


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
