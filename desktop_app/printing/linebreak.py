"""Japanese line breaking with kinsoku (禁則処理) for text fitted into boxes.

reportlab's CJK wrap lets 「。」 start a line after 「）」 and 「（」 end one; clerks notice.
Here: no closing bracket, small kana, 、。 or ー at a line start; no opening bracket at a line
end; ASCII words (CD-R, 0144-84-0158, 5,500円's digits) never split unless wider than a line.
Full-width spaces are kept (Paragraph would collapse them). A label and its number
(「TEL 0144-84-0158」) and a short bracket holding a number (「（TEL 0144-84-0158）」) stay on
one line, and a
paragraph does not end on a line of one or two characters when a narrower wrap avoids it.
"""

from __future__ import annotations

import re

from reportlab.pdfbase.pdfmetrics import stringWidth

CANNOT_START = frozenset(
    "、。，．,.)）]］｝}〕〉》」』】〙〗〟’”!！?？:：;；・ー―‐〜～ゝゞヽヾ々"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ…‥%％"
)
CANNOT_END = frozenset("(（[［｛{〔〈《「『【〘〖〝‘“￥$＄#＃〒")
# A run of ASCII letters, digits and joining signs is one unbreakable unit.
_UNIT = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-.,:/@_+#%&']*|\s|.", re.DOTALL)


def wrap_text(text: str, width: float, size: float, font: str) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` at ``size``, honouring kinsoku.

    Newlines in ``text`` are kept as breaks. A unit wider than a whole line is split.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_without_widow(paragraph, width, size, font))
    return lines


WIDOW = 2  # a last line this short (in characters) is avoided when it can be
GROUP_SHARE = 0.3  # a bracket narrower than this share of the line is kept whole
_LABELS = frozenset({"TEL", "FAX", "Tel", "Fax", "No.", "No"})


def _without_widow(text: str, width: float, size: float, font: str) -> list[str]:
    """Wrap one paragraph; if its last line is one or two characters, wrap it a little
    narrower so that more characters come down, as long as it takes no more lines."""
    lines = _wrap_paragraph(text, width, size, font)
    if len(lines) < 2 or len(lines[-1].strip()) > WIDOW:
        return lines
    for step in range(1, 9):
        narrower = _wrap_paragraph(text, width - step * size * 0.5, size, font)
        if len(narrower) > len(lines):
            break
        if len(narrower[-1].strip()) > WIDOW:
            return narrower
    return lines


def _units(text: str, width: float, size: float, font: str) -> list[str]:
    """The unbreakable pieces of ``text``: characters, ASCII words, labelled numbers, and
    short brackets."""
    raw = _UNIT.findall(text)
    glued: list[str] = []
    i = 0
    while i < len(raw):
        # 'TEL' + ' ' + '0144-84-0158' is one piece: a number never leaves its label.
        if raw[i] in _LABELS and i + 2 < len(raw) and raw[i + 1] == " " and raw[i + 2][0].isdigit():
            glued.append("".join(raw[i : i + 3]))
            i += 3
            continue
        glued.append(raw[i])
        i += 1
    units: list[str] = []
    i = 0
    while i < len(glued):
        unit = glued[i]
        if unit in ("（", "("):
            close = next(
                (j for j in range(i + 1, min(len(glued), i + 24)) if glued[j] in "）)"), None
            )
            if close is not None:
                group = "".join(glued[i : close + 1])
                # Only a bracket holding a number (a phone number, a date) is kept whole:
                # Japanese prose breaks inside brackets as anywhere else.
                has_number = any(ch.isascii() and ch.isdigit() for ch in group)
                if has_number and stringWidth(group, font, size) <= width * GROUP_SHARE:
                    units.append(group)
                    i = close + 1
                    continue
        units.append(unit)
        i += 1
    return units


def _wrap_paragraph(text: str, width: float, size: float, font: str) -> list[str]:
    units: list[str] = []
    for unit in _units(text, width, size, font):
        if stringWidth(unit, font, size) > width and len(unit) > 1:
            units.extend(unit)  # an over-long word (a URL, a number) breaks anywhere
        else:
            units.append(unit)
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    i = 0
    while i < len(units):
        unit = units[i]
        w = stringWidth(unit, font, size)
        if used + w <= width + 0.01 or not line:
            if line or not unit.isspace() or (unit == "\u3000" and not lines):
                line.append(unit)
                used += w
            i += 1
            continue
        # The unit does not fit: break before it, then repair kinsoku by moving characters
        # from the end of this line to the next (追い出し), keeping at least one on the line.
        carry: list[str] = []
        while len(line) > 1 and (
            _starts_forbidden(units[i] if not carry else carry[0]) or line[-1][-1] in CANNOT_END
        ):
            carry.insert(0, line.pop())
        lines.append("".join(line).rstrip(" "))
        line = [u for u in carry if not (u == " " and u is carry[0])]
        used = sum(stringWidth(u, font, size) for u in line)
    if line or not lines:
        lines.append("".join(line).rstrip(" "))
    return lines


def _starts_forbidden(unit: str) -> bool:
    return bool(unit) and unit[0] in CANNOT_START
