"""The role check every changing service call, and every call that hands out patients' data
in bulk (lists, prints, files), makes first (the rules: domain/roles.py)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.roles import Permission, may
from desktop_app.domain.text_input import input_cleaner
from desktop_app.services.store import Store

P = ParamSpec("P")
R = TypeVar("R")


class NotAllowed(ValidationError):
    """The signed-in member of staff's role does not allow this; nothing was done."""

    def __init__(self, permission: Permission) -> None:
        super().__init__(permission.refusal)
        self.permission = permission


# What printing a form needs (services/forms.py's services require it): named here so that a
# screen can gate its print buttons without loading the forms service at start.
PRINT_FORMS = Permission.CASE_WORK


def allowed(store: Store, permission: Permission) -> bool:
    """Whether the store's signed-in user may do this (a program with no user may)."""
    return store.user is None or may(store.user.role, permission)


def refusal_for(store: Store, service: Callable[..., object] | Permission) -> str | None:
    """Why the signed-in user may not call ``service`` (its @requires permission, or a
    permission the services name, like PRINT_FORMS), or None when they may: screens disable
    what a role may not do from this, not from a list of their own."""
    permission: Permission | None = (
        service if isinstance(service, Permission) else getattr(service, "__requires__", None)
    )
    if permission is None or allowed(store, permission):
        return None
    return permission.refusal


def check(store: Store, permission: Permission) -> None:
    """NotAllowed unless the signed-in user may do this."""
    if not allowed(store, permission):
        raise NotAllowed(permission)


def requires(
    permission: Permission, *, verbatim: tuple[str, ...] = ()
) -> Callable[[Callable[Concatenate[Store, P], R]], Callable[Concatenate[Store, P], R]]:
    """Decorate a service function whose first argument is the store: the role is checked
    before the function runs, so a refused call reads and writes nothing.

    Its text arguments are then cleaned (domain/text_input.clean_input): controls and
    noncharacters dropped, a lone surrogate refused naming the field. Arguments that may be a
    Path, and those named in ``verbatim`` (a file's name kept as a record), pass as they are.
    """

    def decorate(fn: Callable[Concatenate[Store, P], R]) -> Callable[Concatenate[Store, P], R]:
        cleaners: list[Callable[[tuple[Any, ...], dict[str, Any]], tuple[tuple, dict]]] = []

        @functools.wraps(fn)
        def checked(store: Store, /, *args: P.args, **kwargs: P.kwargs) -> R:
            check(store, permission)
            if not cleaners:  # made at the first call: not at every start of the program
                cleaners.append(_input_cleaner(fn, verbatim))
            clean_args, clean_kwargs = cleaners[0](args, kwargs)
            return fn(store, *clean_args, **clean_kwargs)

        checked.__requires__ = permission  # type: ignore[attr-defined]
        return checked

    return decorate


def _input_cleaner(
    fn: Callable[..., object], verbatim: tuple[str, ...]
) -> Callable[[tuple[Any, ...], dict[str, Any]], tuple[tuple[Any, ...], dict[str, Any]]]:
    """``input_cleaner`` for ``fn``'s parameters after the store; a parameter that may be a
    Path (its annotation says so) is a file's name and is skipped."""
    parameters = list(inspect.signature(fn).parameters.values())[1:]
    names = tuple(
        p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    )
    paths = {p.name for p in parameters if "Path" in str(p.annotation)}
    return input_cleaner(names, frozenset(verbatim) | paths)
