"""Japanese line breaking for the forms: phrases (BudouX), names kept whole, kinsoku.

Every position between two characters gets a rank; a line breaks at the best rank that
makes the text fit, a worse rank only inside a piece wider than a whole line:

1. a phrase boundary (Google's BudouX, no dictionary to ship) or a space;
2. between a name and its honorific, a label and its number;
3. where the script changes in running text (カタカナ to kanji, after 「・」 …), and in an
   address after 都道府県市区郡町村, 丁目 or 番地: also used inside a long phrase (or
   address), so that it does not leave half a line empty;
4. where the script changes inside a name or an address;
5. any character of running text allowed by kinsoku;
6. any character of a name allowed by kinsoku;
7. anywhere (a word wider than the line).

``loose`` wrapping (a box too small for the text at 9 pt, where the text would otherwise be
cut) starts at rank 5: text breaks anywhere but inside a name, rather than being lost.

Names (a family name, a given name, an institution) are marked whole with ``keep`` and never
break at rank 1; addresses are marked with ``address``. An honorific (御中, 様, 先生, 御侍史,
殿, 行) stays on the line of what it follows. Kinsoku (禁則処理): no closing bracket, small
kana, 、。 or ー at a line start, no opening bracket at a line end. An ASCII word (CD-R,
0144-84-0158) does not break; nor a label and its number (「TEL 0144-84-0158」), nor a short
bracket holding a number. A paragraph does not end on a line of one or two characters when a
narrower wrap avoids it.

The marks are private-use characters; ``plain`` removes them and every drawing function
does so, so they never reach the page.
"""

from __future__ import annotations

import itertools
import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from reportlab.pdfbase.pdfmetrics import stringWidth

if TYPE_CHECKING:
    from budoux import Parser

CANNOT_START = frozenset(
    "、。，．,.)）]］｝}〕〉》」』】〙〗〟’”!！?？:：;；・ー―‐〜～ゝゞヽヾ々"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ…‥%％"
)
CANNOT_END = frozenset("(（[［｛{〔〈《「『【〘〖〝‘“￥$＄#＃〒")

NAME_OPEN = "\ue000"  # a name: kept whole
ADDRESS_OPEN = "\ue001"  # an address: kept whole, broken after its units if too long
CLOSE = "\ue002"
_MARKS = str.maketrans("", "", NAME_OPEN + ADDRESS_OPEN + CLOSE)

HONORIFICS = ("御侍史", "御中", "先生", "様", "殿", "行")
# The forms' compounds that BudouX splits (自由｜診療): kept whole like a name.
COMPOUNDS = (
    "自由診療", "健康保険証", "健康保険", "診療情報提供書", "総合案内", "一般外来", "係の者",
)  # fmt: skip
_SPACE_CHARS = " \u3000\t"
SPACES = frozenset(_SPACE_CHARS)
# A run of ASCII letters, digits and joining signs is one word.
_ASCII_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-.,:/@_+#%&']*")
_LABELLED_NUMBER = re.compile(r"(?:TEL|FAX|Tel|Fax|No\.?) [0-9]")
_ADDRESS_UNITS = re.compile(r"[都道府県市区郡町村](?=[^都道府県市区郡町村])|丁目|番地")

PHRASE, GLUE, WORD, SCRIPT, CHAR, NAME_CHAR, FORCED = 1, 2, 3, 4, 5, 6, 7
WIDOW = 2  # a last line this short (in characters) is avoided when it can be
GROUP_SHARE = 0.3  # a bracket narrower than this share of the line is kept whole
LONG_SHARE = 0.25  # a phrase wider than this share of the line (and 8 characters) is long


def keep(name: str) -> str:
    """``name`` marked so that each of its parts (split at spaces) stays on one line."""
    return _mark(name, NAME_OPEN)


def address(text: str) -> str:
    """An address marked like a name, but breakable after its units when too long."""
    return _mark(text, ADDRESS_OPEN)


def _mark(text: str, opening: str) -> str:
    text = plain(text)
    return re.sub(r"[^ \u3000\t\n]+", lambda m: f"{opening}{m.group()}{CLOSE}", text)


def plain(text: str) -> str:
    """``text`` without the marks of ``keep`` and ``address``: what is printed."""
    return text.translate(_MARKS)


@cache
def _parser() -> Parser:
    """BudouX's Japanese model, loaded with the first form that wraps a line."""
    import budoux

    return budoux.load_default_japanese_parser()


def wrap_text(text: str, width: float, size: float, font: str, *, loose: bool = False) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` at ``size``; lines are plain text.

    Newlines in ``text`` are kept as breaks. ``loose`` breaks between any characters but
    those of a name (the last resort before cutting text).
    """
    return wrap_ranked(text, width, size, font, loose=loose)[0]


def wrap_ranked(
    text: str, width: float, size: float, font: str, *, loose: bool = False
) -> tuple[list[str], int]:
    """``wrap_text``, and the worst rank of a break it made (``PHRASE`` … ``FORCED``; 0 on
    one line): a fit prefers a smaller size to a break inside a word."""
    lines: list[str] = []
    worst = 0
    for paragraph in text.split("\n"):
        more, rank = _without_widow(paragraph, width, size, font, loose)
        lines.extend(more)
        worst = max(worst, rank)
    return lines, worst


def _without_widow(
    text: str, width: float, size: float, font: str, loose: bool
) -> tuple[list[str], int]:
    """Wrap one paragraph; if its last line is one or two characters, wrap it a little
    narrower so that more characters come down, as long as it takes no more lines."""
    lines, worst = _wrap_paragraph(text, width, size, font, loose)
    if len(lines) < 2 or len(lines[-1].strip()) > WIDOW:
        return lines, worst
    for step in range(1, 9):
        narrower, rank = _wrap_paragraph(text, width - step * size * 0.5, size, font, loose)
        if len(narrower) > len(lines):
            break
        if len(narrower[-1].strip()) > WIDOW and rank <= worst:
            return narrower, rank
    return lines, worst


def _wrap_paragraph(
    marked: str, width: float, size: float, font: str, loose: bool = False
) -> tuple[list[str], int]:
    text, ranks = _ranks(marked)
    if not text:
        return [""], 0
    ranks = _keep_numbered_brackets(text, ranks, width, size, font)
    start = CHAR if loose else PHRASE
    lines: list[str] = []
    line = ""
    used = 0.0
    worst = 0
    for a, b in _pieces(text, ranks, 0, len(text), start, width, size, font):
        piece = text[a:b]
        w = _width(piece, font, size)
        space = piece.strip(_SPACE_CHARS) == ""
        if line and used + w > width + 0.01:
            lines.append(line.rstrip(_SPACE_CHARS))
            line, used = "", 0.0
            worst = max(worst, ranks[a])
        if space and not line and lines:
            continue  # a continued line does not start with a space
        line += piece
        used += w
    lines.append(line.rstrip(_SPACE_CHARS))
    return lines, worst


def _pieces(
    text: str,
    ranks: tuple[int, ...],
    start: int,
    end: int,
    rank: int,
    width: float,
    size: float,
    font: str,
) -> list[tuple[int, int]]:
    """``text[start:end]`` cut where the rank is ``rank`` or better, as (start, end) pairs;
    a piece still wider than the line is cut again at the next rank."""
    cuts = [i for i in range(start + 1, end) if ranks[i] <= rank]
    bounds = [start, *cuts, end]
    pieces: list[tuple[int, int]] = []
    long = max(LONG_SHARE * width, 8 * size)
    for a, b in itertools.pairwise(bounds):
        w = _width(text[a:b], font, size)
        if rank < FORCED and b - a > 1 and w > width + 0.01:
            pieces.extend(_pieces(text, ranks, a, b, rank + 1, width, size, font))
        elif rank == PHRASE and w > long:
            # A long phrase may break between its words rather than leave a gap.
            words = [a, *(i for i in range(a + 1, b) if ranks[i] == WORD), b]
            pieces.extend(itertools.pairwise(words))
        else:
            pieces.append((a, b))
    return pieces


def _width(text: str, font: str, size: float) -> float:
    return stringWidth(text, font, size)


@lru_cache(maxsize=2048)
def _ranks(marked: str) -> tuple[str, tuple[int, ...]]:
    """The plain text, and for each position ``i`` (a break before ``text[i]``) its rank."""
    text, kinds, spans = _read_marks(marked)
    n = len(text)
    ranks = [FORCED] * (n + 1)
    classes = [_script(ch) for ch in text]
    for i in range(1, n - 1):
        # 沼ノ端, 霞ケ関, 竜ヶ崎: a place name's ノ or ケ between kanji is part of the kanji.
        if text[i] in "ノケヶ" and classes[i - 1] == classes[i + 1] == "kanji":
            classes[i] = "kanji"
    for i in range(1, n):
        if _script_break(classes[i - 1], classes[i]):
            ranks[i] = SCRIPT if spans[i] and spans[i - 1] == spans[i] else WORD
        else:
            ranks[i] = NAME_CHAR if spans[i] and spans[i - 1] == spans[i] else CHAR
    # Phrase boundaries, outside names and addresses (BudouX splits 北｜海道).
    if not all(spans):
        at = 0
        for phrase in _parser().parse(text):
            at += len(phrase)
            if 0 < at < n and not (spans[at] and spans[at - 1] == spans[at]):
                ranks[at] = PHRASE
    for i in range(1, n):
        if text[i] in SPACES or text[i - 1] in SPACES:
            ranks[i] = PHRASE
    for m in _ADDRESS_UNITS.finditer(text):
        i = m.end()
        if 0 < i < n and kinds[i - 1] == ADDRESS_OPEN and spans[i] == spans[i - 1]:
            ranks[i] = min(ranks[i], WORD)
    for i in range(1, n):
        if text[i] in CANNOT_START or text[i - 1] in CANNOT_END:
            ranks[i] = FORCED
    for word in COMPOUNDS:
        start = text.find(word)
        while start >= 0:
            for i in range(start + 1, start + len(word)):
                ranks[i] = max(ranks[i], SCRIPT)
            start = text.find(word, start + len(word))
    for m in _ASCII_WORD.finditer(text):
        for i in range(m.start() + 1, m.end()):
            ranks[i] = FORCED
    for m in _LABELLED_NUMBER.finditer(text):
        for i in range(m.start() + 1, m.end()):
            ranks[i] = max(ranks[i], GLUE)
    _glue_honorifics(text, spans, ranks)
    return text, tuple(ranks)


def _read_marks(marked: str) -> tuple[str, list[str], list[int]]:
    """The plain text, each character's mark (name, address or none) and span number."""
    chars: list[str] = []
    kinds: list[str] = []
    spans: list[int] = []
    kind, span, count = "", 0, 0
    for ch in marked:
        if ch in (NAME_OPEN, ADDRESS_OPEN):
            count += 1
            kind, span = ch, count
        elif ch == CLOSE:
            kind, span = "", 0
        else:
            chars.append(ch)
            kinds.append(kind)
            spans.append(span)
    return "".join(chars), kinds, spans


def _glue_honorifics(text: str, spans: list[int], ranks: list[int]) -> None:
    """御中, 様, 先生 … never start a line when they follow a space or a name."""
    n = len(text)
    for i in range(1, n):
        if spans[i]:
            continue
        word = next((h for h in HONORIFICS if text.startswith(h, i)), None)
        if word is None:
            continue
        after_name = spans[i - 1] != 0
        j = i
        while j > 0 and text[j - 1] in SPACES:
            j -= 1
        if not after_name and (j == i or j == 0):
            continue  # 先生に… inside a sentence: an ordinary word
        for k in range(j, i + len(word)):
            if 0 < k < n:
                # Glued: broken only when the name and its honorific are wider than a line.
                ranks[k] = GLUE if k <= i else FORCED


def _keep_numbered_brackets(
    text: str, ranks: tuple[int, ...], width: float, size: float, font: str
) -> tuple[int, ...]:
    """A short bracket holding a number (a phone number, a date) stays on one line, unless
    it is wider than a share of the line. Japanese prose breaks inside other brackets."""
    out: list[int] | None = None
    for m in re.finditer(r"[（(][^（()）]{1,22}[）)]", text):
        group = m.group()
        if not any(ch.isascii() and ch.isdigit() for ch in group):
            continue
        if stringWidth(group, font, size) > width * GROUP_SHARE:
            continue
        if out is None:
            out = list(ranks)
        for i in range(m.start() + 1, m.end()):
            out[i] = max(out[i], SCRIPT)  # not even inside a long phrase
    return ranks if out is None else tuple(out)


def _script(ch: str) -> str:
    """The script of one character, for rank 2 breaks."""
    code = ord(ch)
    if ch in SPACES:
        return "space"
    if (ch.isascii() and ch.isalnum()) or 0xFF10 <= code <= 0xFF5A:
        return "latin"
    if 0x3041 <= code <= 0x309F:
        return "hiragana"
    if 0x30A0 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF or 0xFF66 <= code <= 0xFF9F:
        return "katakana"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or ch in "々〆〇ヶ":
        return "kanji"
    return "other"


# Script changes that do not begin a new word: okurigana and particles after kanji or
# katakana, a counter after a number (3丁目, 5,500円).
_NO_SCRIPT_BREAK = frozenset(
    {
        ("kanji", "hiragana"),
        ("katakana", "hiragana"),
        ("latin", "kanji"),
        ("latin", "hiragana"),
        ("latin", "katakana"),
    }
)


def _script_break(before: str, after: str) -> bool:
    return before != after and (before, after) not in _NO_SCRIPT_BREAK
