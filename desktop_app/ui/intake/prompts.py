"""The wizard's questions to the clerk. Tests patch these instead of answering modal boxes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app.services.drafts import Draft
from desktop_app.ui.intake.values import draft_names


def draft_summary(draft: Draft) -> str:
    patient, caller = (name.strip() for name in draft_names(draft.values))
    who = patient or caller or "（氏名未入力）"
    saved = draft.saved_at.astimezone().strftime("%Y/%m/%d %H:%M")
    return f"{who}　{saved} に保存"


def ask_resume_draft(parent: QWidget | None, draft: Draft) -> bool:
    """True: 再開 (put the unfinished intake back); False: 破棄."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("途中の受付があります")
    box.setText("前回、登録せずに終わった受付があります。続きから再開しますか？")
    box.setInformativeText(draft_summary(draft) + "\n\n「破棄」を選ぶと、この入力内容は消えます。")
    resume = box.addButton("再開", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("破棄", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(resume)
    box.exec()
    return box.clickedButton() is resume


def tell_draft_set_aside(parent: QWidget | None, path: Path) -> None:
    """Say once, at start, that the last draft could not be read and where it was kept."""
    QMessageBox.warning(
        parent,
        "下書きを読み込めませんでした",
        f"前回の入力途中の下書きを読み込めなかったため、別のファイルに保存しました：\n{path}",
    )


def confirm_discard(parent: QWidget | None) -> bool:
    """True when the clerk really wants to throw away what is typed."""
    answer = QMessageBox.question(
        parent,
        "入力の破棄",
        "入力中の受付を破棄して、最初からやり直しますか？\nこの操作は元に戻せません。",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes
