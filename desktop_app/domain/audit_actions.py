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
    DOCUMENT_RECEIVE = "document.receive"
    DOCUMENT_SEND = "document.send"
    DOCUMENT_UNDO = "document.undo"
    DOCUMENT_ADD = "document.add"
    DOCUMENT_WAIVE = "document.waive"
    MATERIAL_RETURN = "material.return"
    CONTACT_LOG = "contact.log"
    CASE_DECISION = "case.decision"
    APPOINTMENT_BOOK = "appointment.book"
    APPOINTMENT_RESCHEDULE = "appointment.reschedule"
    APPOINTMENT_CANCEL = "appointment.cancel"
    APPOINTMENT_NOTIFY = "appointment.notify"
    VISIT_CHECK_IN = "visit.check_in"
    VISIT_SESSION = "visit.session"
    VISIT_REPORT = "visit.report"
    PAYMENT_RECORD = "payment.record"
    PAYMENT_VOID = "payment.void"
    CASE_EDIT = "case.edit"
    MASTER_DEPARTMENT = "master.department"
    MASTER_DOCTOR = "master.doctor"
    MASTER_HOURS = "master.hours"
    MASTER_CLOSURE = "master.closure"
    EXPORT_CSV = "export.csv"
    AUDIT_EXPORT = "audit.export"
    STAFF_SIGN_IN = "staff.sign_in"
    STAFF_SIGN_IN_FAILED = "staff.sign_in_failed"
    # The password is about to be checked (the attempt counts toward the lockout at once).
    STAFF_SIGN_IN_ATTEMPT = "staff.sign_in_attempt"
    STAFF_SIGN_IN_REFUSED = "staff.sign_in_refused"  # during the lockout, not checked
    STAFF_SIGN_OUT = "staff.sign_out"
    STAFF_LOCK = "staff.lock"
    STAFF_UNLOCK = "staff.unlock"
    STAFF_CREATE = "staff.create"
    STAFF_UPDATE = "staff.update"
    STAFF_PASSWORD = "staff.password"
    STAFF_PASSWORD_RESET = "staff.password_reset"
    STAFF_RECOVERY = "staff.recovery"
    DEMO_MARK = "demo.mark"
    DATABASE_RESTORE = "database.restore"
    CASE_IMPORT = "case.import"  # one case from a ledger row
    LEDGER_IMPORT = "ledger.import"  # the import itself (the file, the counts)
    FAX_RECEIVE = "fax.receive"  # a received fax's pages filed under one case
    FAX_SET_ASIDE = "fax.set_aside"  # a received fax archived with nothing recorded

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
    AuditAction.DOCUMENT_RECEIVE: "書類の受領",
    AuditAction.DOCUMENT_SEND: "書類の送付",
    AuditAction.DOCUMENT_UNDO: "書類記録の取消",
    AuditAction.DOCUMENT_ADD: "書類・資料の追加",
    AuditAction.DOCUMENT_WAIVE: "書類を不要に",
    AuditAction.MATERIAL_RETURN: "資料の返却",
    AuditAction.CONTACT_LOG: "連絡の記録",
    AuditAction.CASE_DECISION: "担当医の判断",
    AuditAction.APPOINTMENT_BOOK: "予約",
    AuditAction.APPOINTMENT_RESCHEDULE: "予約の変更",
    AuditAction.APPOINTMENT_CANCEL: "予約のキャンセル",
    AuditAction.APPOINTMENT_NOTIFY: "予約日時の連絡",
    AuditAction.VISIT_CHECK_IN: "当日受付",
    AuditAction.VISIT_SESSION: "実施時間の記録",
    AuditAction.VISIT_REPORT: "報告書の記録",
    AuditAction.PAYMENT_RECORD: "会計",
    AuditAction.PAYMENT_VOID: "会計の取消",
    AuditAction.CASE_EDIT: "案件の内容の訂正",
    AuditAction.MASTER_DEPARTMENT: "診療科の変更",
    AuditAction.MASTER_DOCTOR: "担当医の変更",
    AuditAction.MASTER_HOURS: "診療枠の変更",
    AuditAction.MASTER_CLOSURE: "休診日の変更",
    AuditAction.EXPORT_CSV: "書き出し（Excel・CSV）",
    AuditAction.AUDIT_EXPORT: "変更履歴の書き出し",
    AuditAction.STAFF_SIGN_IN: "サインイン",
    AuditAction.STAFF_SIGN_IN_FAILED: "サインインの失敗",
    AuditAction.STAFF_SIGN_IN_ATTEMPT: "サインインの試行",
    AuditAction.STAFF_SIGN_IN_REFUSED: "サインインの拒否（休止中）",
    AuditAction.STAFF_SIGN_OUT: "サインアウト",
    AuditAction.STAFF_LOCK: "画面のロック",
    AuditAction.STAFF_UNLOCK: "ロックの解除",
    AuditAction.STAFF_CREATE: "職員アカウントの作成",
    AuditAction.STAFF_UPDATE: "職員アカウントの変更",
    AuditAction.STAFF_PASSWORD: "パスワードの変更",
    AuditAction.STAFF_PASSWORD_RESET: "パスワードの再設定",
    AuditAction.STAFF_RECOVERY: "管理者アカウントの回復（コマンド）",
    AuditAction.DEMO_MARK: "デモ用データベースの指定",
    AuditAction.DATABASE_RESTORE: "バックアップからの復元",
    AuditAction.CASE_IMPORT: "台帳からの案件の取り込み",
    AuditAction.LEDGER_IMPORT: "台帳の取り込み",
    AuditAction.FAX_RECEIVE: "受信FAXの記録",
    AuditAction.FAX_SET_ASIDE: "受信FAXの保管（記録なし）",
}
