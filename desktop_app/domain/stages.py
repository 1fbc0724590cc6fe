"""The stage machine of a second-opinion case (DESIGN.md, "The workflow")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from desktop_app.domain import clock
from desktop_app.domain.errors import ValidationError


class Stage(StrEnum):
    INQUIRY = "inquiry"
    FORMS_SENT = "forms_sent"
    APPLICATION_RECEIVED = "application_received"
    DOCTOR_REVIEW = "doctor_review"
    BOOKED = "booked"
    MATERIALS_RECEIVED = "materials_received"
    CHECKED_IN = "checked_in"
    DONE = "done"
    SETTLED = "settled"
    CANCELLED = "cancelled"
    EXCLUDED = "excluded"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in TERMINAL_STAGES


STAGE_LABELS: dict[Stage, str] = {
    Stage.INQUIRY: "問い合わせ受付",
    Stage.FORMS_SENT: "書類送付済",
    Stage.APPLICATION_RECEIVED: "申込書受領",
    Stage.DOCTOR_REVIEW: "担当医確認",
    Stage.BOOKED: "予約確定",
    Stage.MATERIALS_RECEIVED: "資料受領",
    Stage.CHECKED_IN: "当日受付",
    Stage.DONE: "実施済",
    Stage.SETTLED: "会計・報告書済",
    Stage.CANCELLED: "キャンセル",
    Stage.EXCLUDED: "対象外",
}

# The main line, in order. A case moves one step forward; a few steps may be skipped where the
# real world skips them (an application printed from the web arrives before anything was
# mailed; a patient may come on the day before the materials were logged).
MAIN_LINE: tuple[Stage, ...] = (
    Stage.INQUIRY,
    Stage.FORMS_SENT,
    Stage.APPLICATION_RECEIVED,
    Stage.DOCTOR_REVIEW,
    Stage.BOOKED,
    Stage.MATERIALS_RECEIVED,
    Stage.CHECKED_IN,
    Stage.DONE,
    Stage.SETTLED,
)
TERMINAL_STAGES = frozenset({Stage.SETTLED, Stage.CANCELLED, Stage.EXCLUDED})
OPEN_STAGES: tuple[Stage, ...] = tuple(s for s in MAIN_LINE if s not in TERMINAL_STAGES)

_SKIPS: dict[Stage, frozenset[Stage]] = {
    Stage.INQUIRY: frozenset({Stage.APPLICATION_RECEIVED}),
    Stage.BOOKED: frozenset({Stage.CHECKED_IN}),
}


class Decision(StrEnum):
    """The second-opinion doctor's screening decision (stage 4)."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    GENERAL_OUTPATIENT = "general_outpatient"

    @property
    def label(self) -> str:
        return DECISION_LABELS[self]


DECISION_LABELS: dict[Decision, str] = {
    Decision.PENDING: "未判断",
    Decision.ACCEPTED: "受入",
    Decision.DECLINED: "お断り",
    Decision.GENERAL_OUTPATIENT: "一般外来へ",
}


@dataclass(frozen=True)
class CaseFacts:
    """What the guards need to know about a case; gathered by the service from the store."""

    stage: Stage
    decision: Decision = Decision.PENDING
    has_doctor: bool = False
    appointment_date: dt.date | None = None
    missing_required_documents: tuple[str, ...] = ()
    actual_minutes: int | None = None
    paid: bool = False
    report_delivered: bool = False
    unreturned_borrowed: tuple[str, ...] = ()
    today: dt.date | None = None
    # False while the 申込書 is neither recorded as received nor waived.
    application_in: bool = True


def allowed_targets(current: Stage) -> tuple[Stage, ...]:
    """Stages a case in ``current`` may be moved to, ignoring guards; in screen order."""
    if current in TERMINAL_STAGES:
        return ()
    index = MAIN_LINE.index(current)
    forward = {MAIN_LINE[index + 1], *_SKIPS.get(current, ())}
    targets = [s for s in MAIN_LINE if s in forward]
    if index > 0:
        # One step back, to correct a slip of the mouse.
        targets.insert(0, MAIN_LINE[index - 1])
    return (*targets, Stage.CANCELLED, Stage.EXCLUDED)


def settle_missing(
    *, paid: bool, report_delivered: bool, unreturned_borrowed: tuple[str, ...]
) -> tuple[str, ...]:
    """What still stands between a case and 会計・報告書済, in the guide's order."""
    missing = []
    if not paid:
        missing.append("お会計が済んでいません。")
    if not report_delivered:
        missing.append("主治医への報告書がまだ渡されていません。")
    if unreturned_borrowed:
        items = "、".join(unreturned_borrowed)
        missing.append(f"お借りした資料が返却されていません：{items}")
    return tuple(missing)


def next_stage(current: Stage) -> Stage | None:
    """The stage after ``current`` on the main line (None at its end or off it)."""
    if current not in MAIN_LINE or current == MAIN_LINE[-1]:
        return None
    return MAIN_LINE[MAIN_LINE.index(current) + 1]


def is_step_back(current: Stage, target: Stage) -> bool:
    """True when ``target`` lies before ``current`` on the main line."""
    return (
        current in MAIN_LINE
        and target in MAIN_LINE
        and MAIN_LINE.index(target) < MAIN_LINE.index(current)
    )


class MissingRequirement(ValidationError):
    """A guard refused only because something the clerk may know better is missing.

    Such a refusal may be passed over with a reason the clerk gives (it goes into the history);
    every other refusal (a move the stage machine does not allow, a terminal case, a date that
    is not today, no appointment at all) is final.
    """


def may_override(error: ValidationError) -> bool:
    """True when ``error`` is a refusal the clerk may pass over, giving a reason."""
    return isinstance(error, MissingRequirement)


def check_transition(
    facts: CaseFacts, target: Stage, reason: str = "", *, override_reason: str = ""
) -> str:
    """Raise ``ValidationError`` (Japanese) unless the case may move to ``target`` now.

    With a non-empty ``override_reason`` a ``MissingRequirement`` refusal is passed over;
    nothing else is. Returns the message of the refusal passed over, "" when there was none.
    """
    current = facts.stage
    if current in TERMINAL_STAGES:
        raise ValidationError(
            f"この案件は「{current.label}」で終了しています。段階は変更できません。"
        )
    if target == current:
        raise ValidationError(f"すでに「{current.label}」です。")
    if target not in allowed_targets(current):
        raise ValidationError(f"「{current.label}」から「{target.label}」へは進めません。")
    if target in (Stage.CANCELLED, Stage.EXCLUDED) and not reason.strip():
        raise ValidationError(f"「{target.label}」にする理由を入力してください。", field="reason")
    if is_step_back(current, target):
        # A step back corrects a slip; it may not leave a booking behind a case that is
        # no longer booked (the slot would stay taken, the board would say 予約待ち).
        if is_step_back(Stage.BOOKED, target) and facts.appointment_date is not None:
            raise ValidationError(
                "予約が入っています。予約を取り消してから戻してください"
                "（カレンダーで予約を右クリック →「キャンセル…」）。"
            )
        return ""
    try:
        _check_guard(facts, target)
    except MissingRequirement as refusal:
        if not override_reason.strip():
            raise
        return refusal.message
    return ""


def _check_guard(facts: CaseFacts, target: Stage) -> None:
    if target == Stage.APPLICATION_RECEIVED:
        if not facts.application_in:
            raise MissingRequirement("申込書の受領が記録されていません。")
    elif target == Stage.BOOKED:
        if facts.decision != Decision.ACCEPTED:
            raise ValidationError("担当医の判断が「受入」になっていません。")
        if not facts.has_doctor:
            raise ValidationError("担当医が決まっていません。")
        if facts.appointment_date is None:
            raise ValidationError("予約日時が登録されていません。先に予約を取ってください。")
    elif target == Stage.MATERIALS_RECEIVED:
        if facts.missing_required_documents:
            missing = "、".join(facts.missing_required_documents)
            raise MissingRequirement(f"まだ届いていない書類があります：{missing}")
    elif target == Stage.CHECKED_IN:
        if facts.appointment_date is None:
            raise ValidationError("予約がありません。")
        # Without an explicit ``today`` the guard must still hold, not be skipped.
        today = facts.today if facts.today is not None else clock.today()
        if facts.appointment_date != today:
            raise ValidationError("当日受付は予約日にのみできます。")
    elif target == Stage.DONE:
        if facts.actual_minutes is None or facts.actual_minutes <= 0:
            raise ValidationError("実施時間（分）を記録してください。", field="actual_minutes")
    elif target == Stage.SETTLED:
        blockers = settle_missing(
            paid=facts.paid,
            report_delivered=facts.report_delivered,
            unreturned_borrowed=facts.unreturned_borrowed,
        )
        if blockers:
            raise ValidationError(blockers[0])
