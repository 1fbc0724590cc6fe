"""Which forms the clerk can print from where, and opening the preview of one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMenu, QWidget

from desktop_app.domain import clock
from desktop_app.domain.forms import FormKind
from desktop_app.domain.wareki import weekday_ja
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.layout_tools import settle_layout

if TYPE_CHECKING:
    from desktop_app.ui.print_preview import PrintPreviewDialog

# The packet first (what a new case needs), then the single forms in the order of the work.
CASE_FORMS: tuple[FormKind, ...] = (
    FormKind.PACKET,
    FormKind.APPLICATION,
    FormKind.REFERRAL,
    FormKind.CONSENT,
    FormKind.COVER,
    FormKind.LABEL,
    FormKind.DECLINE,  # after 担当医確認, when the specialist declines
    FormKind.CONFIRMATION,
    FormKind.FAX_COVER,
    FormKind.RECEIPT,
    FormKind.REPORT,
    FormKind.GUIDE,
)
PACKET_TIP = "送付状・ご案内・申込書・専用診療情報提供書（家族のみ来院なら相談同意書も）"
# Forms the desk hands out or faxes unfilled, e.g. when a caller asks for one to fill in.
BLANK_FORMS: tuple[FormKind, ...] = (
    FormKind.APPLICATION,
    FormKind.REFERRAL,
    FormKind.CONSENT,
    FormKind.FAX_COVER,
    FormKind.GUIDE,
)


def day_list_heading(day: dt.date) -> str:
    """「11月24日（火）の予約一覧」, or 「本日の予約一覧」 for today."""
    if day == clock.today():
        return FormKind.DAYLIST.label
    return f"{day.month}月{day.day}日（{weekday_ja(day)}）の予約一覧"


def open_preview(
    runner: ServiceRunner,
    parent: QWidget,
    kind: FormKind,
    case_id: int | None = None,
    *,
    day: dt.date | None = None,
    payment_id: int | None = None,
) -> PrintPreviewDialog | None:
    """Build the form and show its preview; None when it could not be built (clerk told).

    ``payment_id`` picks the payment a 領収書 prints (by default the live one).
    """
    # Here, not at the top: the forms service and Qt's PDF view load when a form is first
    # shown, not with every page that has a print button (see desktop_app.printing too).
    from desktop_app.services.forms import render_form
    from desktop_app.ui.print_preview import PrintPreviewDialog

    form = runner.read(parent, render_form, kind, case_id, day=day, payment_id=payment_id)
    if form is None:
        return None
    heading = ""
    if kind == FormKind.DAYLIST:
        heading = day_list_heading(day or clock.today())
    elif case_id is None:
        heading = f"{form.title}（白紙）"
    dialog = PrintPreviewDialog(runner, form, parent, heading=heading)
    dialog.finished.connect(dialog.deleteLater)
    settle_layout(dialog)
    dialog.open()
    return dialog


def forms_menu(
    parent: QWidget, kinds: tuple[FormKind, ...], choose: Callable[[FormKind], object]
) -> QMenu:
    """A menu of ``kinds``; picking one calls ``choose(kind)``."""
    menu = QMenu(parent)
    menu.setToolTipsVisible(True)
    for kind in kinds:
        action = menu.addAction(kind.menu_label)
        action.setData(kind.value)
        action.setToolTip(PACKET_TIP if kind == FormKind.PACKET else kind.label)
        action.triggered.connect(lambda _checked=False, k=kind: choose(k))
        if kind == FormKind.PACKET:
            menu.addSeparator()
    return menu
