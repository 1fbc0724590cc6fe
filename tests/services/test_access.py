"""Every service call that writes checks the role first (the rules: domain/roles.py)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import desktop_app.services as services_package

# Calls that write but belong to no role: signing in and out, the lock, one's own password
# (each checks the password itself), the demo builder and the recovery path (programs that
# hold the database file; the window never calls them).
OPEN_TO_ALL = {
    "staff.create_first_admin",
    "staff.sign_in_demo",
    "staff.record_demo_sign_in",
    "staff.record_lock",
    "staff.sign_out",
    "staff.change_password",
    "staff_admin.recover_admin",
    "demo.mark_as_demo",
    "demo.build_demo",
    "demo.ensure_demo_accounts",
    # The CLI checks the restorer (an administrator) before the file is replaced.
    "backup.record_restore",
}


def _writers() -> list[tuple[str, object]]:
    found = []
    for info in pkgutil.iter_modules(services_package.__path__):
        module = importlib.import_module(f"desktop_app.services.{info.name}")
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn):
                continue
            if getattr(fn, "__module__", "") != module.__name__:
                continue
            source = inspect.getsource(inspect.unwrap(fn))
            if "store.transaction()" in source:
                found.append((f"{info.name}.{name}", fn))
    return found


def test_every_writing_service_call_names_its_permission() -> None:
    writers = _writers()
    assert len(writers) > 40  # the scan sees the services
    unguarded = [
        name
        for name, fn in writers
        if name not in OPEN_TO_ALL and getattr(fn, "__requires__", None) is None
    ]
    assert unguarded == []
