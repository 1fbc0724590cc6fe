"""How an appointment stands, as the calendar colours it."""

from __future__ import annotations

from enum import StrEnum


class AppointmentState(StrEnum):
    BOOKED = "booked"  # 予約確定, every required paper in
    WAITING_MATERIALS = "waiting_materials"  # 資料待ち: a required incoming paper still missing
    CHECKED_IN = "checked_in"  # 来院済
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"  # 無断キャンセル

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def is_live(self) -> bool:
        return self not in (AppointmentState.CANCELLED, AppointmentState.NO_SHOW)


STATE_LABELS: dict[AppointmentState, str] = {
    AppointmentState.BOOKED: "予約確定",
    AppointmentState.WAITING_MATERIALS: "資料待ち",
    AppointmentState.CHECKED_IN: "来院済",
    AppointmentState.CANCELLED: "キャンセル",
    AppointmentState.NO_SHOW: "無断キャンセル",
}

# The reason the booking service writes on the old row when a session is moved.
MOVED_REASON = "日時変更"


def appointment_state(
    *, cancelled: bool, no_show: bool, checked_in: bool, materials_missing: bool
) -> AppointmentState:
    """The state of one appointment row: a no-show or cancellation first, then arrival."""
    if no_show:
        return AppointmentState.NO_SHOW
    if cancelled:
        return AppointmentState.CANCELLED
    if checked_in:
        return AppointmentState.CHECKED_IN
    if materials_missing:
        return AppointmentState.WAITING_MATERIALS
    return AppointmentState.BOOKED
