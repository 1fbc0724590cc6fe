"""Use cases: one call = one transaction = one audit entry. No Qt here."""

from desktop_app.domain.errors import ValidationError
from desktop_app.services.store import Store, StoreError, open_store

__all__ = ["Store", "StoreError", "ValidationError", "open_store"]
