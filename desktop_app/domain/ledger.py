"""The office's own ledger (受付台帳, an Excel sheet or its CSV) read as cases: which column
holds what, and each row checked with the intake's rules before anything is written.

Pure: the cells come in as Python values (text, numbers, dates, datetimes, times) from
services/ledger_read.py; what comes out is a ``LedgerRow`` or the row's problems, each naming
its row and column in the clerk's words.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import TypeVar

from desktop_app.domain.contact import validate_phone, validate_postal
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.japanese import normalize_name, search_key, validate_furigana
from desktop_app.domain.people import Sex
from desktop_app.domain.stages import Stage
from desktop_app.domain.text_input import scrub
from desktop_app.domain.wareki import format_short, parse_date


class Field(StrEnum):
    """What a ledger column holds; values are saved in the mapping, so never renamed."""

    RECEIVED_ON = "received_on"
    NAME = "name"
    FURIGANA = "furigana"
    BIRTH_DATE = "birth_date"
    SEX = "sex"
    PHONE = "phone"
    ADDRESS = "address"
    POSTAL_CODE = "postal_code"
    REFERRER = "referrer"
    REFERRING_DOCTOR = "referring_doctor"
    DEPARTMENT = "department"
    DOCTOR = "doctor"
    VISIT_DATE = "visit_date"
    START_TIME = "start_time"
    MINUTES = "minutes"
    FEE = "fee"
    NOTE = "note"
    STATUS = "status"
    ENDED_ON = "ended_on"

    @property
    def label(self) -> str:
        return FIELD_LABELS[self]


FIELD_LABELS: dict[Field, str] = {
    Field.RECEIVED_ON: "受付日",
    Field.NAME: "氏名",
    Field.FURIGANA: "フリガナ",
    Field.BIRTH_DATE: "生年月日",
    Field.SEX: "性別",
    Field.PHONE: "電話番号",
    Field.ADDRESS: "住所",
    Field.POSTAL_CODE: "郵便番号",
    Field.REFERRER: "紹介元医療機関",
    Field.REFERRING_DOCTOR: "紹介医",
    Field.DEPARTMENT: "診療科",
    Field.DOCTOR: "担当医",
    Field.VISIT_DATE: "実施日",
    Field.START_TIME: "開始時刻",
    Field.MINUTES: "実施時間",
    Field.FEE: "料金",
    Field.NOTE: "備考",
    Field.STATUS: "状態",
    Field.ENDED_ON: "終了日",
}
REQUIRED_FIELDS = (Field.RECEIVED_ON, Field.NAME, Field.FURIGANA)

# The headers offices write, as header_key() leaves them (NFKC, no spaces, no bracketed unit).
_SYNONYMS: dict[Field, tuple[str, ...]] = {
    Field.RECEIVED_ON: ("受付日", "受付年月日", "問合せ日", "問い合わせ日", "問合日", "受付"),
    Field.NAME: ("氏名", "患者名", "患者氏名", "名前", "お名前", "患者"),
    Field.FURIGANA: ("フリガナ", "ふりがな", "カナ", "かな", "氏名カナ", "カナ氏名", "よみがな"),
    Field.BIRTH_DATE: ("生年月日", "誕生日"),
    Field.SEX: ("性別", "性"),
    Field.PHONE: ("電話", "電話番号", "tel", "連絡先", "携帯", "携帯電話", "連絡先電話番号"),
    Field.ADDRESS: ("住所", "患者住所"),
    Field.POSTAL_CODE: ("郵便番号", "〒", "郵便"),
    Field.REFERRER: (
        "紹介元", "紹介元医療機関", "紹介病院", "紹介元病院", "紹介医療機関", "主治医医療機関",
    ),
    Field.REFERRING_DOCTOR: ("紹介医", "紹介医師", "紹介元医師", "主治医"),
    Field.DEPARTMENT: ("診療科", "科", "担当科", "希望診療科"),
    Field.DOCTOR: ("担当医", "担当医師", "相談医"),
    Field.VISIT_DATE: ("実施日", "相談日", "来院日", "外来日", "予約日"),
    Field.START_TIME: ("開始時刻", "予約時刻", "時刻", "開始時間", "予約時間"),
    Field.MINUTES: ("実施時間", "時間", "相談時間", "所要時間"),
    Field.FEE: ("料金", "金額", "相談料", "請求額", "入金額"),
    Field.NOTE: ("備考", "メモ", "摘要"),
    Field.STATUS: ("状態", "結果", "状況", "経過"),
    Field.ENDED_ON: ("終了日", "完了日"),
}  # fmt: skip
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】")
_NOT_SIGNIFICANT = re.compile(r"[\s・:：*※]+")


def header_key(text: object) -> str:
    """A header as compared with the known ones: full-width folded, no spaces, no '(分)'."""
    folded = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return _NOT_SIGNIFICANT.sub("", _BRACKETED.sub("", folded)).lower()


_BY_HEADER: dict[str, Field] = {
    header_key(word): field for field, words in _SYNONYMS.items() for word in words
}
for _field in Field:  # the program's own labels and values are understood too
    _BY_HEADER.setdefault(header_key(_field.label), _field)
    _BY_HEADER.setdefault(_field.value, _field)


def field_for_header(text: object) -> Field | None:
    """The field a header names, or None when it is none of the known ones."""
    return _BY_HEADER.get(header_key(text))


def field_from_name(text: str) -> Field | None:
    """A field named in a mapping file: its value ('name'), its label or any known header."""
    word = text.strip()
    if word in Field._value2member_map_:
        return Field(word)
    return field_for_header(word)


@dataclass(frozen=True)
class LedgerMapping:
    """Which field each column of the header row holds (None: not imported)."""

    headers: tuple[str, ...]
    fields: tuple[Field | None, ...]

    def column_of(self, field: Field) -> int | None:
        return self.fields.index(field) if field in self.fields else None

    def missing(self) -> tuple[Field, ...]:
        """The fields every row needs that no column gives."""
        return tuple(f for f in REQUIRED_FIELDS if f not in self.fields)

    def as_saved(self) -> dict[str, str]:
        """header → field value ('' for a column left out), kept for next time."""
        saved: dict[str, str] = {}
        for header, field in zip(self.headers, self.fields, strict=True):
            if header.strip() and header not in saved:
                saved[header] = field.value if field is not None else ""
        return saved


def guess_mapping(
    headers: Sequence[object], saved: Mapping[str, str] | None = None
) -> LedgerMapping:
    """Each column's field from its header; ``saved`` (header → field, from last time or a
    mapping file) wins over the guess. A field is given to one column only (the first)."""
    texts = tuple("" if h is None else str(h).strip() for h in headers)
    chosen: list[Field | None] = []
    taken: set[Field] = set()
    by_saved = {header_key(k): v for k, v in (saved or {}).items()}
    for text in texts:
        field: Field | None
        if header_key(text) in by_saved:
            name = by_saved[header_key(text)]
            field = field_from_name(name) if name else None
        else:
            field = field_for_header(text)
        if field in taken:
            field = None
        if field is not None:
            taken.add(field)
        chosen.append(field)
    return LedgerMapping(texts, tuple(chosen))


def find_header_row(rows: Sequence[Sequence[object]], scan: int = 30) -> int | None:
    """The index of the header row among the first ``scan`` rows: the first that names the
    patient and at least two other known fields (title rows above it are skipped)."""
    for index, row in enumerate(rows[:scan]):
        fields = {field_for_header(cell) for cell in row if cell not in (None, "")}
        if Field.NAME in fields and len(fields - {None}) >= 3:
            return index
    return None


@dataclass(frozen=True)
class RowProblem:
    """Why a row cannot be imported: its row number in the file, the column, the reason."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"行 {self.row} {self.column}: " if self.column else f"行 {self.row}: "
        return where + self.message


@dataclass(frozen=True)
class LedgerRow:
    """One row of the ledger, checked and normalised."""

    row: int
    received_on: dt.date
    name: str
    furigana: str
    birth_date: dt.date | None = None
    sex: Sex = Sex.UNKNOWN
    phone: str = ""
    mobile: str = ""
    postal_code: str = ""
    address: str = ""
    referrer: str = ""
    referring_doctor: str = ""
    department: str = ""
    doctor: str = ""
    visit_date: dt.date | None = None
    start_time: dt.time | None = None
    minutes: int | None = None
    fee: int | None = None
    note: str = ""
    stage: Stage = Stage.INQUIRY
    ended_on: dt.date | None = None

    @cached_property
    def key(self) -> str:
        """The row's identity (受付日, 氏名, 生年月日, 実施日), not its place in the file: the
        same row in a re-sorted or longer file is the same row."""
        parts = (
            self.received_on.isoformat(),
            search_key(self.name),
            self.birth_date.isoformat() if self.birth_date else "",
            self.visit_date.isoformat() if self.visit_date else "",
        )
        return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()


# 状態 words → stage. A row with 実施日 and 料金 is settled whatever this column says.
_STATUS_WORDS: dict[str, Stage] = {
    **{search_key(s.label): s for s in Stage},
    **{
        search_key(word): stage
        for stage, words in {
            Stage.INQUIRY: ("問い合わせ", "問合せ", "受付", "未対応", "検討中"),
            Stage.FORMS_SENT: ("書類送付", "送付済", "書類送付済み"),
            Stage.APPLICATION_RECEIVED: ("申込", "申込済", "申込書受領済"),
            Stage.DOCTOR_REVIEW: ("医師確認中", "担当医確認中", "確認中"),
            Stage.BOOKED: ("予約", "予約済", "予約済み"),
            Stage.DONE: ("実施", "実施済み", "相談済"),
            Stage.SETTLED: ("完了", "済", "終了", "会計済", "報告済"),
            Stage.CANCELLED: ("取消", "取り消し", "中止", "キャンセル済"),
            Stage.EXCLUDED: ("対象外", "お断り", "不可", "辞退"),
        }.items()
        for word in words
    },
}
_MOBILE = re.compile(r"0[789]0\d{8}")
# 〒053-8567 (or 053-8567 and a space) at the start of an address cell.
_POSTAL_IN_ADDRESS = re.compile(
    r"^(?:〒\s*(\d{3})[-ー−‐－]?(\d{4})|(\d{3})[-ー−‐－](\d{4})(?=\s))\s*"
)
_TRAILING_TIME = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2})?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_HONORIFIC = re.compile(r"(先生|医師|様|Dr\.?)$")
MAX_MINUTES = 24 * 60
MAX_FEE = 10_000_000
# Column widths of what is stored (db/tables.py): refused here, not by the database.
_LIMITS = {
    Field.NAME: 100, Field.FURIGANA: 100, Field.ADDRESS: 300, Field.REFERRER: 200,
    Field.REFERRING_DOCTOR: 100, Field.DEPARTMENT: 100, Field.DOCTOR: 100,
}  # fmt: skip


def cell_text(value: object) -> str:
    """A cell as one line of text ('' for an empty one); whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return format_short(value.date()) if value.time() == dt.time() else str(value)
    if isinstance(value, dt.date):
        return format_short(value)
    text = scrub(str(value), multiline=False)
    return re.sub(r"\s+", " ", text).strip()


def is_blank(cells: Sequence[object]) -> bool:
    return all(cell_text(c) == "" for c in cells)


def parse_ledger_date(value: object) -> dt.date:
    """A date cell: a date or datetime, an Excel serial number, or text in 西暦 or 和暦
    (2024/4/1, 2024-04-01, R6.4.1, 令和6年4月1日, H31.4.30, 20240401)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2_958_466:  # Excel's day 1 to 9999-12-31
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValidationError("日付として正しくありません")
    text = _TRAILING_TIME.sub("", unicodedata.normalize("NFKC", str(value)).strip())
    try:
        return parse_date(text)
    except ValidationError:
        raise ValidationError("日付として正しくありません") from None


def parse_minutes(value: object) -> int:
    """実施時間 in minutes: 30, '30分', '１時間', '1:30' or a time cell (0:30)."""
    if isinstance(value, dt.time):
        return value.hour * 60 + value.minute
    if isinstance(value, dt.timedelta):
        return int(value.total_seconds() // 60)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 0 < value < 1:  # Excel keeps a duration as a fraction of a day
            return round(value * 24 * 60)
        return int(value)
    text = unicodedata.normalize("NFKC", str(value)).replace(" ", "")
    if m := re.fullmatch(r"(\d{1,2}):(\d{2})", text):
        return int(m[1]) * 60 + int(m[2])
    if (m := re.fullmatch(r"(?:(\d+)時間)?(?:(\d+)分?)?", text)) and (m[1] or m[2]):
        return int(m[1] or 0) * 60 + int(m[2] or 0)
    raise ValidationError("分の数として読めません")


def parse_time(value: object) -> dt.time:
    """開始時刻: a time cell or '14:00', '14時30分'."""
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    if isinstance(value, float) and 0 <= value < 1:
        minutes = round(value * 24 * 60)
        return dt.time(minutes // 60 % 24, minutes % 60)
    text = unicodedata.normalize("NFKC", str(value)).replace(" ", "")
    m = re.fullmatch(r"(\d{1,2})(?::|時)(\d{2})?(?::\d{2})?分?", text)
    if m and int(m[1]) < 24 and int(m[2] or 0) < 60:
        return dt.time(int(m[1]), int(m[2] or 0))
    raise ValidationError("時刻として読めません")


def parse_yen(value: object) -> int:
    """料金: 5500, '5,500', '¥5,500', '5500円'."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value != int(value) or not 0 <= value <= MAX_FEE:
            raise ValidationError("金額が正しくありません")
        return int(value)
    text = re.sub(r"[,\s¥￥円]", "", unicodedata.normalize("NFKC", str(value)))
    if not text.isdigit() or int(text) > MAX_FEE:
        raise ValidationError("金額として読めません")
    return int(text)


def parse_sex(value: object) -> Sex:
    word = unicodedata.normalize("NFKC", cell_text(value)).lower()
    if word in ("男", "男性", "m", "male", "1"):
        return Sex.MALE
    if word in ("女", "女性", "f", "female", "2"):
        return Sex.FEMALE
    if word in ("", "不明", "未記入", "-"):
        return Sex.UNKNOWN
    raise ValidationError("男・女のどちらかで入力してください")


def parse_status(value: object) -> Stage | None:
    """The stage a 状態 cell names, or None when it is empty."""
    text = cell_text(value)
    if not text:
        return None
    stage = _STATUS_WORDS.get(search_key(text))
    if stage is None:
        raise ValidationError("状態として読めません")
    return stage


def _doctor_name(text: str) -> str:
    return normalize_name(_HONORIFIC.sub("", text.strip()))


T = TypeVar("T")


class _RowReader:
    """Collects the problems of one row while reading its cells."""

    def __init__(self, row: int, cells: Sequence[object], mapping: LedgerMapping) -> None:
        self.row = row
        self.cells = cells
        self.mapping = mapping
        self.problems: list[RowProblem] = []

    def raw(self, field: Field) -> object:
        column = self.mapping.column_of(field)
        if column is None or column >= len(self.cells):
            return None
        value = self.cells[column]
        return None if isinstance(value, str) and not value.strip() else value

    def text(self, field: Field) -> str:
        text = cell_text(self.raw(field))
        limit = _LIMITS.get(field)
        if limit and len(text) > limit:
            self.refuse(field, f"長すぎます（{len(text)}文字。{limit}文字以内）")
            return ""
        return text

    def refuse(self, field: Field, message: str) -> None:
        self.problems.append(RowProblem(self.row, field.label, message))

    def shown(self, field: Field) -> str:
        return cell_text(self.raw(field))

    def date(self, field: Field) -> dt.date | None:
        value = self.raw(field)
        if value is None:
            return None
        try:
            return parse_ledger_date(value)
        except ValidationError as exc:
            self.refuse(field, f"{self.shown(field)} は{exc.message}")
            return None

    def parsed(self, field: Field, parse: Callable[[object], T]) -> T | None:
        value = self.raw(field)
        if value is None:
            return None
        try:
            return parse(value)
        except ValidationError as exc:
            self.refuse(field, f"{self.shown(field)} は{exc.message.rstrip('。')}")
            return None


def parse_row(
    row: int, cells: Sequence[object], mapping: LedgerMapping, today: dt.date
) -> LedgerRow | list[RowProblem]:
    """One row as a LedgerRow, or every problem it has (row number and column named).

    The intake's rules: a 氏名 and its フリガナ in katakana, a birth date not in the future,
    phone and postal codes of the right shape; and the ledger's own: a 受付日 not after today,
    a 実施日 not before the 受付日, 料金 only for a 実施日 that has passed.
    """
    r = _RowReader(row, cells, mapping)
    received = r.date(Field.RECEIVED_ON)
    if received is None and r.raw(Field.RECEIVED_ON) is None:
        r.refuse(Field.RECEIVED_ON, "受付日がありません")
    elif received is not None and received > today:
        r.refuse(Field.RECEIVED_ON, f"{format_short(received)} は今日より後の日付です")
    name = normalize_name(r.text(Field.NAME))
    if not name and not any(p.column == Field.NAME.label for p in r.problems):
        r.refuse(Field.NAME, "氏名がありません")
    furigana = ""
    try:
        furigana = validate_furigana(r.text(Field.FURIGANA))
    except ValidationError as exc:
        shown = r.shown(Field.FURIGANA)
        reason = exc.message.rstrip("。")
        r.refuse(Field.FURIGANA, f"{shown}（{reason}）" if shown else reason)
    birth = r.date(Field.BIRTH_DATE)
    if birth is not None and birth > today:
        r.refuse(Field.BIRTH_DATE, f"{format_short(birth)} は未来の日付です")
    sex = r.parsed(Field.SEX, parse_sex) or Sex.UNKNOWN
    phone = mobile = ""
    try:
        number = validate_phone(r.text(Field.PHONE))
        if _MOBILE.fullmatch(number):
            mobile = number
        else:
            phone = number
    except ValidationError as exc:
        r.refuse(Field.PHONE, f"{r.shown(Field.PHONE)}（{exc.message.rstrip('。')}）")
    address = r.text(Field.ADDRESS)
    postal = ""
    try:
        postal = validate_postal(r.text(Field.POSTAL_CODE))
    except ValidationError as exc:
        r.refuse(Field.POSTAL_CODE, f"{r.shown(Field.POSTAL_CODE)}（{exc.message.rstrip('。')}）")
    found = _POSTAL_IN_ADDRESS.match(address)
    if found:  # 〒053-8567 苫小牧市… in the address cell: the code goes where codes go
        code = (found[1] or found[3]) + (found[2] or found[4])
        postal = postal or unicodedata.normalize("NFKC", code)
        address = address[found.end() :].strip()
    visit = r.date(Field.VISIT_DATE)
    if visit is not None and received is not None and visit < received:
        r.refuse(
            Field.VISIT_DATE,
            f"{format_short(visit)} が受付日 {format_short(received)} より前です",
        )
    start = r.parsed(Field.START_TIME, parse_time)
    minutes = r.parsed(Field.MINUTES, parse_minutes)
    if minutes is not None and not 0 < minutes <= MAX_MINUTES:
        r.refuse(Field.MINUTES, f"{minutes} 分は実施時間として正しくありません")
        minutes = None
    fee = r.parsed(Field.FEE, parse_yen)
    status = r.parsed(Field.STATUS, parse_status)
    ended = r.date(Field.ENDED_ON)
    if ended is not None and (ended > today or (received is not None and ended < received)):
        r.refuse(Field.ENDED_ON, f"{format_short(ended)} は受付日から今日までの日付ではありません")
    stage = _stage(r, visit, fee, status, today)
    doctor = _doctor_name(r.text(Field.DOCTOR))
    if stage in (Stage.BOOKED, Stage.DONE, Stage.SETTLED) and visit is not None and not doctor:
        r.refuse(Field.DOCTOR, "担当医がありません（実施日のある行には必要です）")
    if r.problems or received is None:
        return r.problems
    if stage in (Stage.SETTLED, Stage.CANCELLED, Stage.EXCLUDED):
        ended = ended or visit or received
    else:
        ended = None
    return LedgerRow(
        row=row,
        received_on=received,
        name=name,
        furigana=furigana,
        birth_date=birth,
        sex=sex,
        phone=phone,
        mobile=mobile,
        postal_code=postal,
        address=address,
        referrer=normalize_name(r.text(Field.REFERRER)),
        referring_doctor=_doctor_name(r.text(Field.REFERRING_DOCTOR)),
        department=normalize_name(r.text(Field.DEPARTMENT)),
        doctor=doctor,
        visit_date=visit,
        start_time=start,
        minutes=minutes,
        fee=fee,
        note=r.text(Field.NOTE),
        stage=stage,
        ended_on=ended,
    )


def _stage(
    r: _RowReader, visit: dt.date | None, fee: int | None, status: Stage | None, today: dt.date
) -> Stage:
    """実施日 and 料金 → settled; a 実施日 ahead → booked; else what 状態 says, or 問い合わせ."""
    if status in (Stage.CANCELLED, Stage.EXCLUDED):
        return status
    if visit is not None and visit > today:
        if fee is not None:
            r.refuse(Field.FEE, "実施日が今日より後の行に料金があります")
        return Stage.BOOKED
    if visit is not None and fee is not None:
        if r.raw(Field.MINUTES) is None:
            r.refuse(Field.MINUTES, "実施時間がありません（料金のある行には必要です）")
        return Stage.SETTLED
    if visit is not None:
        if status == Stage.SETTLED:
            r.refuse(Field.FEE, "料金がありません（完了の行には必要です）")
        return Stage.DONE if r.raw(Field.MINUTES) is not None else Stage.BOOKED
    if status is None:
        return Stage.INQUIRY
    if status in (Stage.BOOKED, Stage.MATERIALS_RECEIVED, Stage.CHECKED_IN, Stage.DONE,
                  Stage.SETTLED):  # fmt: skip
        r.refuse(Field.VISIT_DATE, f"実施日がありません（状態「{status.label}」の行には必要です）")
    return status
