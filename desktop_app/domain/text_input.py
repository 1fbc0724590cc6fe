"""Text as it may be stored: what a paste, a file or a command line brings that cannot be.

Three kinds of character never reach the database:

* NUL and the other control characters (C0, DEL, C1). PostgreSQL cannot store NUL in text at
  all, SQLite's full-text search stops at it, and the others print as nothing or as boxes.
  They are dropped; in text of several lines (a consultation, a note, a reason) tab and line
  feed stay, and every other line break (CR LF, CR, NEL, U+2028/2029) becomes a line feed. In
  a one-line field (a name, an address) line breaks and tabs become a space.
* Noncharacters (U+FFFE, U+FFFF, U+FDD0..U+FDEF and the last two of every plane): never
  text, only ever a broken conversion. Dropped.
* Lone surrogates (U+D800..U+DFFF alone): what Python makes of bytes that are not UTF-8 (a
  command line's ``$'\\xff'`` is ``'\\udcff'``) or a broken paste. No encoding can store them.
  Where the text is kept (a name, a reason) they are refused with a message naming the field:
  putting U+FFFD there instead would print a "�" on a letter the clerk never saw typed. Where
  the text is a record or a safety copy (the audit log, the intake's draft) it becomes U+FFFD:
  those are never refused. A search drops it (domain/japanese.search_key).

Where each rule is applied: services/access.requires cleans every service's text arguments
(``clean_input``); the store's before-flush check (services/store.py) makes one-line columns
one line and refuses anything left; services/audit.record and services/drafts.save_draft
``scrub``; db/engine.py keeps NUL and lone surrogates from every statement's parameters.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from desktop_app.domain.errors import ValidationError

REPLACEMENT = "\ufffd"

_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(1, 17)
)
# Line breaks other than LF, and LF itself, as one class (CR LF first: one break, not two).
_LINE_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
# What is dropped from text of several lines: controls but tab and LF, and noncharacters.
_DROPPED = re.compile(f"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f{_NONCHARACTERS}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# What no driver takes: NUL (PostgreSQL text, SQLite's FTS queries) and lone surrogates.
_UNSENDABLE = re.compile("[\x00\ud800-\udfff]")
# Anything the functions below would change, to leave clean text alone quickly.
_UNCLEAN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{_NONCHARACTERS}\ud800-\udfff]")
_UNCLEAN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_NONCHARACTERS}\ud800-\udfff]")

# What the clerk calls a field (a service's parameter, a dataclass field or a column), for
# the messages. Fields of the caller, the referrer and the mailing carry a prefix (below).
FIELD_LABELS = {
    "name": "氏名・名称",
    "furigana": "フリガナ",
    "address": "住所",
    "phone": "電話番号",
    "mobile": "携帯電話",
    "tel": "電話番号",
    "fax": "FAX番号",
    "postal_code": "郵便番号",
    "caller_name": "相談者の氏名",
    "caller_furigana": "相談者のフリガナ",
    "caller_phone": "相談者の電話番号",
    "referrer_institution": "紹介元の医療機関",
    "referrer_department": "紹介元の診療科",
    "referrer_doctor": "紹介元の医師",
    "referrer_address": "紹介元の住所",
    "institution": "医療機関名",
    "doctor": "医師名",
    "department": "診療科",
    "title": "役職",
    "mail_to_name": "宛名",
    "mail_address": "送付先の住所",
    "mail_postal_code": "送付先の郵便番号",
    "consultation": "相談内容",
    "content": "相談内容",
    "diagnosis": "病名",
    "desired_dates": "希望日",
    "call_summary": "通話の内容",
    "summary": "内容",
    "party": "相手",
    "note": "メモ",
    "reason": "理由",
    "override_reason": "理由",
    "amount_reason": "金額の理由",
    "end_reason": "理由",
    "decision_reason": "理由",
    "cancel_reason": "理由",
    "void_reason": "理由",
    "waived_reason": "理由",
    "label": "名称",
    "source": "借用元",
    "to": "返却先",
    "returned_to": "返却先",
    "method": "支払方法",
    "login": "ログインID",
    "display_name": "氏名",
    "password": "パスワード",
    "current": "現在のパスワード",
    "new": "新しいパスワード",
    "repeated": "確認のパスワード",
    "hospital_name": "病院名",
    "office_name": "部署名",
    "code": "コード",
    "script": "説明文",
    "screening_question": "確認の質問",
    "screening_answers": "確認事項",
    "exclusion_code": "対象外の理由",
    "payment_methods": "支払方法",
    "backup_folder": "バックアップの保存先",
    "invoice_registration_number": "登録番号",
    "case_number": "案件番号",
    "query": "検索",
    "text": "入力",
    "staff": "担当者",
}
# A nested input's field is named with its container's prefix (NewCase.caller.name is
# "caller_name"), as the forms name the fields they show errors beside.
_PREFIXES = {"caller": "caller_", "referrer": "referrer_", "mailing": "mail_"}
# Passwords are compared, never stored or shown: nothing is taken out of them.
PASSWORD_FIELDS = frozenset({"password", "current", "new", "repeated"})
# What is typed into a search box goes to domain/japanese.search_key, which takes out what it
# cannot match (controls, lone surrogates) without a word: a search is never refused.
SEARCH_FIELDS = frozenset({"query", "text"})


def field_label(field: str) -> str:
    """The clerk's word for a field, or 「入力」."""
    return FIELD_LABELS.get(field, "入力")


def unusable_characters(field: str) -> ValidationError:
    """The refusal of a lone surrogate in ``field``."""
    return ValidationError(
        f"{field_label(field)}に使えない文字が含まれています。入力し直してください。",
        field=field,
    )


def has_surrogate(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def is_storable(text: str, *, multiline: bool = True) -> bool:
    """True when ``clean_text`` would leave ``text`` as it is."""
    return (_UNCLEAN if multiline else _UNCLEAN_LINE).search(text) is None


def is_storable_value(value: object) -> bool:
    """``is_storable`` for every text in a JSON-like value (keys as one line)."""
    if isinstance(value, str):
        return is_storable(value)
    if isinstance(value, Mapping):
        return all(
            is_storable(str(k), multiline=False) and is_storable_value(v) for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        return all(is_storable_value(v) for v in value)
    return True


def sendable(value: object) -> object:
    """Text a database driver can take: NUL dropped, a lone surrogate as U+FFFD."""
    if isinstance(value, str) and _UNSENDABLE.search(value):
        return _SURROGATE.sub(REPLACEMENT, value.replace("\x00", ""))
    return value


def sendable_parameters(parameters: Any) -> Any:
    """A statement's parameters (a dict, or a list or tuple) with every text ``sendable``;
    the same object when nothing needs it, which is nearly always."""
    values = parameters.values() if isinstance(parameters, Mapping) else parameters
    if not isinstance(values, Iterable) or isinstance(values, str | bytes):
        return parameters
    if not any(isinstance(v, str) and _UNSENDABLE.search(v) for v in values):
        return parameters
    if isinstance(parameters, Mapping):
        return {k: sendable(v) for k, v in parameters.items()}
    return type(parameters)(sendable(v) for v in parameters)


def one_line_text(text: str) -> str:
    """Line breaks and tabs as spaces, for a field of one line; nothing else changed."""
    return _LINE_BREAKS.sub(" ", text).replace("\t", " ")


def _drop(text: str, multiline: bool) -> str:
    text = _LINE_BREAKS.sub("\n" if multiline else " ", text)
    if not multiline:
        text = text.replace("\t", " ")
    return _DROPPED.sub("", text)


def clean_text(text: str, field: str, *, multiline: bool = True) -> str:
    """``text`` without what cannot be stored (see the module's docstring); a lone surrogate
    is refused with a ValidationError naming ``field``."""
    if is_storable(text, multiline=multiline):
        return text
    if has_surrogate(text):
        raise unusable_characters(field)
    return _drop(text, multiline)


def scrub(value: Any, *, multiline: bool = True) -> Any:
    """Like ``clean_text`` but never refusing (a lone surrogate becomes U+FFFD), through
    lists, tuples and dicts (keys as one line): for text that is kept as a record of what
    happened (the audit log), searched for, or saved as a draft."""
    if isinstance(value, str):
        if is_storable(value, multiline=multiline):
            return value
        return _drop(_SURROGATE.sub(REPLACEMENT, value), multiline)
    if isinstance(value, Mapping):
        return {scrub(k, multiline=False): scrub(v, multiline=multiline) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, multiline=multiline) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(scrub(v, multiline=multiline) for v in value)
    return value


def clean_input(value: Any, field: str) -> Any:
    """A service's input with ``clean_text`` applied to its text, through dataclasses,
    tuples, lists and dicts; a lone surrogate is refused naming the innermost field.

    Passwords (``PASSWORD_FIELDS``) keep every character, but a lone surrogate is refused
    there too: a password is encoded to be checked, and no encoding takes one. Search text
    (``SEARCH_FIELDS``) passes as it is. Enum members and other ``str`` subclasses are the
    program's own values and are left alone.
    """
    if type(value) is str:
        if field in SEARCH_FIELDS:
            return value
        if field in PASSWORD_FIELDS:
            if has_surrogate(value):
                raise unusable_characters(field)
            return value
        return clean_text(value, field)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if not f.init:
                continue
            old = getattr(value, f.name)
            new = clean_input(old, _PREFIXES.get(field, "") + f.name)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, dict):
        items = [(clean_input(k, field), clean_input(v, field)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(items, value.items(), strict=True)):
            return value
        return type(value)(items)
    if isinstance(value, list | tuple) and not hasattr(value, "_fields"):
        cleaned = [clean_input(v, field) for v in value]
        if all(c is v for c, v in zip(cleaned, value, strict=True)):
            return value
        return type(value)(cleaned)
    return value


def input_cleaner(
    names: tuple[str, ...], skip: frozenset[str]
) -> Callable[[tuple[Any, ...], dict[str, Any]], tuple[tuple[Any, ...], dict[str, Any]]]:
    """A function that applies ``clean_input`` to a call's arguments, positional ones named
    by ``names`` in order; the arguments named in ``skip`` (file paths) pass as they are."""

    def clean(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict]:
        new_args = (
            tuple(
                arg if name in skip else clean_input(arg, name)
                for name, arg in zip(names, args, strict=False)
            )
            + args[len(names) :]
        )
        new_kwargs = {k: v if k in skip else clean_input(v, k) for k, v in kwargs.items()}
        return new_args, new_kwargs

    return clean
