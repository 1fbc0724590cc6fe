"""The audit chain on PostgreSQL (SODESK_TEST_POSTGRES_URL): triggers refuse edits, and
`check` still names an edit made with them dropped."""

from __future__ import annotations

import os

import pytest
from sqlalchemy.exc import DBAPIError

from desktop_app.services.maintenance import check_database, rebuild_demo

URL = os.environ.get("SODESK_TEST_POSTGRES_URL", "")
pytestmark = pytest.mark.skipif(not URL, reason="SODESK_TEST_POSTGRES_URL is not set")


def test_postgres_audit_log_is_append_only_and_checked() -> None:
    store = rebuild_demo(URL, 10)
    try:
        assert check_database(URL).ok
        for statement in (
            "UPDATE audit_log SET staff = 'x' WHERE id = 3",
            "DELETE FROM audit_log WHERE id = 3",
            "TRUNCATE audit_log",
        ):
            with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as c:
                c.exec_driver_sql(statement)
        with store.engine.begin() as c:
            c.exec_driver_sql("DROP TRIGGER audit_log_no_update ON audit_log")
            c.exec_driver_sql("UPDATE audit_log SET staff = '院長' WHERE id = 3")
    finally:
        store.close()
    report = check_database(URL)
    assert [p for p in report.problems if p.startswith("変更履歴の 3 行目（")]
    rebuild_demo(URL, 0).close()  # the next PostgreSQL test starts from a sound database
