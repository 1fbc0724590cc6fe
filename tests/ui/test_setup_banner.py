"""A new clinic's first-run checklist: shown until the hospital, doctors, hours and fee are set."""

from __future__ import annotations

import datetime as dt

from desktop_app.db.models import DoctorAvailability
from desktop_app.services.demo import mark_as_demo
from desktop_app.services.setup_checklist import setup_checklist
from desktop_app.ui.main_window import PAGE_SETTINGS
from tests.services.trail_helpers import add_doctor


def _marks(window) -> dict[str, str]:
    return {key: label.text() for key, label in window.setup_banner.marks.items()}


def test_a_fresh_clinic_is_asked_for_each_item_until_done(qtbot, window, store) -> None:
    window.finish_start()
    banner = window.setup_banner
    assert not banner.isHidden()
    assert _marks(window) == dict.fromkeys(("hospital", "doctors", "hours", "fee"), "□ 未")

    banner.buttons["doctors"].click()  # opens the settings page and its masters window
    assert window.current_page_name() == "設定" and window.stack.currentIndex() == PAGE_SETTINGS
    masters = window.settings_page.masters_dialog
    assert masters is not None and masters.isVisible()
    masters.close()

    _dep, doctor_id = add_doctor(store, "呼吸器内科", "青木 一郎")
    with store.transaction() as session:
        session.add(
            DoctorAvailability(
                doctor_id=doctor_id, weekday=1, start_time=dt.time(14), end_time=dt.time(16)
            )
        )
    banner.refresh()
    assert _marks(window)["doctors"] == "✔ 済" and _marks(window)["hours"] == "✔ 済"
    assert not banner.buttons["doctors"].isEnabled()
    assert not banner.isHidden()  # the hospital's details are still the guide's

    # Saving the settings page (after checking the hospital and fee) is the last item.
    page = window.settings_page
    assert page.save() is not None
    qtbot.waitUntil(banner.isHidden)
    assert setup_checklist(store).done


def test_a_demo_database_never_asks(qtbot, window, store) -> None:
    mark_as_demo(store)
    window.finish_start()
    assert window.setup_banner.isHidden()
