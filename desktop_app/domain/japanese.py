"""Japanese text as the desk types it: フリガナ, names and the keys search matches on."""

from __future__ import annotations

import re
import unicodedata

import jaconv

from desktop_app.domain.errors import ValidationError

FULLWIDTH_SPACE = "\u3000"

# Python's \s covers the ideographic space U+3000 as well as ASCII whitespace.
_SPACES = re.compile(r"\s+")
# Full-width katakana (ァ..ヺ incl. ヴヵヶ), ・, ー, the iteration marks ヽヾ, and the space.
_FURIGANA = re.compile(r"[\u30a1-\u30fa\u30fb\u30fc\u30fd\u30fe\u3000]+")
# Full-width ASCII letters and digits only: names keep their full-width brackets and signs.
_ZENKAKU_ALNUM = str.maketrans(
    {
        code: code - 0xFEE0
        for start, end in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
        for code in range(start, end + 1)
    }
)


def collapse_spaces(text: str) -> str:
    """Runs of half- or full-width spaces become one full-width space; ends stripped."""
    return _SPACES.sub(FULLWIDTH_SPACE, text).strip()


def to_katakana(text: str) -> str:
    """Normalise フリガナ: hiragana and half-width kana become full-width katakana (ｶﾞ → ガ)."""
    text = jaconv.h2z(text, kana=True, ascii=False, digit=False)
    text = jaconv.hira2kata(text)
    # A voiced mark typed as a separate combining character (か + ゛) joins its kana.
    text = unicodedata.normalize("NFC", text)
    return collapse_spaces(text)


def is_furigana(text: str) -> bool:
    """True when ``text`` is only katakana, ー, ・ and spaces once normalised."""
    return _FURIGANA.fullmatch(to_katakana(text)) is not None


def validate_furigana(text: str, field: str = "furigana") -> str:
    """The normalised フリガナ, or ValidationError when it is empty or not katakana."""
    kana = to_katakana(text)
    if not kana:
        raise ValidationError("フリガナを入力してください。", field=field)
    if _FURIGANA.fullmatch(kana) is None:
        raise ValidationError("フリガナはカタカナで入力してください。", field=field)
    return kana


def normalize_name(text: str) -> str:
    """Normalise a 氏名: full-width kana, ASCII letters and digits, one full-width space."""
    # Not full NFKC: it would rewrite compatibility ideographs some people's names are
    # registered with, and turn signs such as ㈱ into several characters.
    text = jaconv.h2z(text, kana=True, ascii=False, digit=False)
    text = unicodedata.normalize("NFC", text).translate(_ZENKAKU_ALNUM)
    return collapse_spaces(text)


def search_key(text: str) -> str:
    """The key search text is stored and matched by: やまだ, ヤマダ, ﾔﾏﾀﾞ all give ヤマダ."""
    # NFKC turns half-width kana (joining ﾞ and ﾟ), full-width letters and digits into their
    # canonical forms; hiragana is then folded into katakana and case into lower case.
    # A lone surrogate (broken text from a paste or a file) is no character at all: it cannot
    # be stored, so it can match nothing, and the database driver would refuse it. Controls
    # are never stored either (domain/text_input.py); NUL would end SQLite's FTS query.
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cs", "Cc"))
    text = unicodedata.normalize("NFKC", text)
    text = _SPACES.sub("", jaconv.hira2kata(text).lower())
    # Lower-casing and dropping spaces can leave text NFKC would change again (E + ¯ → ē);
    # a stored key must equal the key of itself, so normalise once more.
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))
