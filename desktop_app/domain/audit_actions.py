"""What the history (audit log) records: one spelling of each action, with its label."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    """The kinds of change the audit log records; values are stored, so never renamed."""

    CASE_CREATE = "case.create"
    CASE_STAGE = "case.stage"
    SETTINGS_UPDATE = "settings.update"
    DEMO_BUILD = "demo.build"
    FORM_PRINT = "form.print"
    ENQUIRY_LOG = "enquiry.log"
    BACKUP_CREATE = "backup.create"
    CASE_EDIT = "case.edit"

    @property
    def label(self) -> str:
        return AUDIT_ACTION_LABELS[self]


AUDIT_ACTION_LABELS: dict[AuditAction, str] = {
    AuditAction.CASE_CREATE: "案件の登録",
    AuditAction.CASE_STAGE: "段階の変更",
    AuditAction.SETTINGS_UPDATE: "設定の変更",
    AuditAction.DEMO_BUILD: "デモデータの作成",
    AuditAction.FORM_PRINT: "書類の印刷",
    AuditAction.ENQUIRY_LOG: "問い合わせの記録",
    AuditAction.BACKUP_CREATE: "バックアップの作成",
    AuditAction.CASE_EDIT: "案件の内容の訂正",
}
