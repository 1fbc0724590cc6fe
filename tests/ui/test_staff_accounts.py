"""The 職員アカウント dialog on a real store, signed in as its administrator: add, the
errors beside their fields, edit, temporary passwords, disable and enable again."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QDialog

from desktop_app.domain.roles import Role
from desktop_app.services.staff import StaffAccount, create_first_admin, sign_in
from desktop_app.services.staff_admin import add_account, list_accounts
from desktop_app.services.store import Store
from desktop_app.ui import staff_accounts
from desktop_app.ui.actions import ServiceRunner
from desktop_app.ui.staff_accounts import (
    TEMPORARY,
    EditAccountDialog,
    NewAccountDialog,
    ResetPasswordDialog,
    StaffAccountsDialog,
)
from tests.ui.conftest import type_japanese

ADMIN_PW = "kanri-pass-1"
CLERK_PW = "uketsuke-pass"

pytestmark = pytest.mark.usefixtures("quick_hashes")


@pytest.fixture
def admin_store(store: Store) -> Store:
    """The first administrator, signed in, and one 受付."""
    create_first_admin(store, "kanri", "管理 花子", ADMIN_PW, ADMIN_PW)
    add_account(store, "uketsuke", "受付 一郎", Role.RECEPTION, CLERK_PW, CLERK_PW)
    return store


@pytest.fixture
def accounts(qtbot, runner: ServiceRunner, admin_store: Store) -> StaffAccountsDialog:
    d = StaffAccountsDialog(runner)
    qtbot.addWidget(d)
    return d


@pytest.fixture
def forms(monkeypatch: pytest.MonkeyPatch) -> list[Callable[[QDialog], None]]:
    """What the administrator types into the next forms, in order: each fills a form in and
    presses 保存, as often as it likes; the form closes only when the service took it."""
    fills: list[Callable[[QDialog], None]] = []
    opened: list[QDialog] = []

    def run_form(dialog: QDialog) -> bool:
        opened.append(dialog)
        fills.pop(0)(dialog)
        return dialog.result() == QDialog.DialogCode.Accepted

    monkeypatch.setattr(staff_accounts, "run_form", run_form)
    return fills


def _by_login(store: Store, login: str) -> StaffAccount:
    return next(a for a in list_accounts(store) if a.login == login)


def _row_texts(d: StaffAccountsDialog, login: str) -> list[str]:
    row = d.model.row_of(_by_login(d.runner.store, login).id)
    assert row is not None
    return [d.model.index(row, c).data() for c in range(d.model.columnCount())]


def _select(d: StaffAccountsDialog, login: str) -> None:
    row = d.model.row_of(_by_login(d.runner.store, login).id)
    assert row is not None
    d.table.selectRow(row)
    assert d.selected() is not None and d.selected().login == login  # type: ignore[union-attr]


def test_lists_every_account_with_role_state_and_temporary_password(accounts) -> None:
    assert accounts.model.rowCount() == 2
    kanri = _row_texts(accounts, "kanri")
    assert kanri[:4] == ["kanri", "管理 花子", "管理者", "有効"]
    assert kanri[4].count(":") == 1  # signed in just now, in local time
    assert kanri[5] == ""
    clerk = _row_texts(accounts, "uketsuke")
    assert clerk[2:] == ["受付", "有効", "—", TEMPORARY]


def test_adds_an_account_through_the_dialog(qtbot, accounts, forms, admin_store) -> None:
    def fill(form: QDialog) -> None:
        assert isinstance(form, NewAccountDialog)
        qtbot.keyClicks(form.login_edit, "Suzuki.H")
        type_japanese(form.name_edit, "鈴木 花子")
        form.role_combo.setCurrentIndex(form.role_combo.index_of(Role.DOCTOR))
        qtbot.keyClicks(form.password_edit, "kari-pass-77")
        qtbot.keyClicks(form.repeated_edit, "kari-pass-77")
        form.submit()

    forms.append(fill)
    accounts.add_button.click()
    added = _by_login(admin_store, "suzuki.h")
    assert (added.display_name, added.role, added.active) == ("鈴木 花子", Role.DOCTOR, True)
    assert added.must_change_password
    assert accounts.selected() == added
    assert _row_texts(accounts, "suzuki.h")[2:] == ["医師", "有効", "—", TEMPORARY]
    assert "鈴木 花子（suzuki.h）を追加しました" in accounts.message.text()
    sign_in(admin_store, "suzuki.h", "kari-pass-77")  # the temporary password works


def test_a_login_id_in_use_shows_beside_the_field_and_adds_nothing(
    qtbot, accounts, forms, admin_store, shown_errors
) -> None:
    seen: dict[str, str] = {}

    def fill(form: QDialog) -> None:
        assert isinstance(form, NewAccountDialog)
        qtbot.keyClicks(form.login_edit, "kanri")
        type_japanese(form.name_edit, "別の 人")
        qtbot.keyClicks(form.password_edit, "kari-pass-77")
        qtbot.keyClicks(form.repeated_edit, "kari-pass-78")
        form.submit()
        seen["repeated"] = form.errors["repeated"].text()
        form.repeated_edit.setText("kari-pass-77")
        form.submit()  # the form stayed open: corrected, tried again
        seen["login"] = form.errors["login"].text()
        seen["login_hidden"] = str(form.errors["login"].isHidden())
        seen["invalid"] = str(form.login_edit.property("invalid"))
        seen["others"] = "".join(
            label.text() for name, label in form.errors.items() if name != "login"
        )

    forms.append(fill)
    accounts.add_button.click()
    assert seen["repeated"] == "確認のパスワードが一致しません。"
    assert seen["login"] == "ログインID kanri はすでに使われています。"
    assert seen["login_hidden"] == "False" and seen["invalid"] == "True"
    assert seen["others"] == ""
    assert shown_errors == []  # beside the field, not in a box
    assert len(list_accounts(admin_store)) == 2
    assert accounts.message.text() == ""


def test_edit_changes_name_and_role_and_the_last_admin_stays(
    qtbot, accounts, forms, admin_store
) -> None:
    _select(accounts, "uketsuke")

    def rename(form: QDialog) -> None:
        assert isinstance(form, EditAccountDialog)
        form.name_edit.clear()
        type_japanese(form.name_edit, "受付 一郎太")
        form.role_combo.setCurrentIndex(form.role_combo.index_of(Role.DOCTOR))
        form.submit()

    forms.append(rename)
    accounts.edit_button.click()
    changed = _by_login(admin_store, "uketsuke")
    assert (changed.display_name, changed.role) == ("受付 一郎太", Role.DOCTOR)
    assert _row_texts(accounts, "uketsuke")[1:3] == ["受付 一郎太", "医師"]

    # The only administrator cannot become a 受付: said in the form, nothing changes.
    _select(accounts, "kanri")
    seen: list[str] = []

    def demote(form: QDialog) -> None:
        assert isinstance(form, EditAccountDialog)
        form.role_combo.setCurrentIndex(form.role_combo.index_of(Role.RECEPTION))
        form.submit()
        seen.append(form.general_error.text())

    forms.append(demote)
    accounts.edit_button.click()
    assert seen == ["管理者が一人もいなくなるため、変更できません。"]
    assert _by_login(admin_store, "kanri").role is Role.ADMIN
    assert admin_store.user is not None and admin_store.user.role is Role.ADMIN


def test_renaming_oneself_updates_who_works_at_the_desk(
    qtbot, accounts, forms, runner, admin_store
) -> None:
    _select(accounts, "kanri")

    def rename(form: QDialog) -> None:
        assert isinstance(form, EditAccountDialog)
        form.name_edit.clear()
        type_japanese(form.name_edit, "管理 花")
        form.submit()

    forms.append(rename)
    with qtbot.waitSignal(runner.user_changed) as signal:
        accounts.edit_button.click()
    assert signal.args[0].display_name == "管理 花"
    assert admin_store.user is not None and admin_store.user.title == "管理 花（管理者）"


def test_reset_password_gives_a_temporary_one(qtbot, accounts, forms, admin_store) -> None:
    # The clerk has changed the first password and forgotten the new one.
    sign_in(admin_store, "uketsuke", CLERK_PW)
    from desktop_app.services.staff import change_password

    change_password(admin_store, CLERK_PW, "mine-secret-9", "mine-secret-9")
    sign_in(admin_store, "kanri", ADMIN_PW)
    accounts.reload()
    assert _row_texts(accounts, "uketsuke")[5] == ""
    _select(accounts, "uketsuke")
    hints: list[str] = []

    def fill(form: QDialog) -> None:
        assert isinstance(form, ResetPasswordDialog)
        hints.extend(label.text() for label in form.findChildren(type(form.general_error)))
        qtbot.keyClicks(form.password_edit, "short")
        qtbot.keyClicks(form.repeated_edit, "short")
        form.submit()
        hints.append(form.errors["password"].text())
        form.password_edit.setText("atarashii-1")
        form.repeated_edit.setText("atarashii-1")
        form.submit()

    forms.append(fill)
    accounts.password_button.click()
    assert any("次回のサインインで、本人が自分のパスワードに変更します" in h for h in hints)
    assert hints[-1] == "パスワードは8文字以上にしてください。"
    account = _by_login(admin_store, "uketsuke")
    assert account.must_change_password
    assert _row_texts(accounts, "uketsuke")[5] == TEMPORARY
    assert "次回のサインインで本人が変更します" in accounts.message.text()
    sign_in(admin_store, "uketsuke", "atarashii-1")


def test_disable_and_enable_ask_first_and_never_delete(
    accounts, monkeypatch: pytest.MonkeyPatch, admin_store
) -> None:
    questions: list[tuple[str, str]] = []
    answer = {"yes": False}

    def confirm(_parent, title: str, message: str) -> bool:
        questions.append((title, message))
        return answer["yes"]

    monkeypatch.setattr(staff_accounts, "confirm", confirm)
    _select(accounts, "uketsuke")
    assert accounts.active_button.text() == "無効にする"
    accounts.active_button.click()  # backs out
    assert _by_login(admin_store, "uketsuke").active
    title, message = questions[-1]
    assert title == "アカウントを無効にする"
    assert "受付 一郎（uketsuke）" in message
    assert "削除されず" in message and "変更履歴" in message and "氏名が残ります" in message

    answer["yes"] = True
    accounts.active_button.click()
    assert not _by_login(admin_store, "uketsuke").active
    assert len(list_accounts(admin_store)) == 2  # still there
    assert accounts.selected() is not None and accounts.selected().login == "uketsuke"  # type: ignore[union-attr]
    assert _row_texts(accounts, "uketsuke")[3] == "無効"
    assert accounts.active_button.text() == "有効にする"
    assert "無効にしました" in accounts.message.text()

    accounts.active_button.click()
    assert questions[-1][0] == "アカウントを有効にする"
    assert _by_login(admin_store, "uketsuke").active
    assert accounts.active_button.text() == "無効にする"


def test_disabling_oneself_is_refused_with_the_services_message(
    accounts, monkeypatch: pytest.MonkeyPatch, admin_store, shown_errors
) -> None:
    monkeypatch.setattr(staff_accounts, "confirm", lambda *_args: True)
    _select(accounts, "kanri")
    accounts.active_button.click()
    assert shown_errors == ["自分のアカウントは無効にできません。"]
    assert _by_login(admin_store, "kanri").active
    assert _row_texts(accounts, "kanri")[3] == "有効"
