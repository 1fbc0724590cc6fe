"""The role check every changing service call makes first (the rules: domain/roles.py)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.roles import Permission, may
from desktop_app.services.store import Store

P = ParamSpec("P")
R = TypeVar("R")


class NotAllowed(ValidationError):
    """The signed-in member of staff's role does not allow this; nothing was done."""

    def __init__(self, permission: Permission) -> None:
        super().__init__(permission.refusal)
        self.permission = permission


def allowed(store: Store, permission: Permission) -> bool:
    """Whether the store's signed-in user may do this (a program with no user may)."""
    return store.user is None or may(store.user.role, permission)


def refusal_for(store: Store, service: Callable[..., object]) -> str | None:
    """Why the signed-in user may not call ``service`` (its @requires permission), or None
    when they may: screens disable what a role may not do from this, not from a list of
    their own."""
    permission: Permission | None = getattr(service, "__requires__", None)
    if permission is None or allowed(store, permission):
        return None
    return permission.refusal


def check(store: Store, permission: Permission) -> None:
    """NotAllowed unless the signed-in user may do this."""
    if not allowed(store, permission):
        raise NotAllowed(permission)


def requires(
    permission: Permission,
) -> Callable[[Callable[Concatenate[Store, P], R]], Callable[Concatenate[Store, P], R]]:
    """Decorate a service function whose first argument is the store: the role is checked
    before the function runs, so a refused call reads and writes nothing."""

    def decorate(fn: Callable[Concatenate[Store, P], R]) -> Callable[Concatenate[Store, P], R]:
        @functools.wraps(fn)
        def checked(store: Store, /, *args: P.args, **kwargs: P.kwargs) -> R:
            check(store, permission)
            return fn(store, *args, **kwargs)

        checked.__requires__ = permission  # type: ignore[attr-defined]
        return checked

    return decorate
