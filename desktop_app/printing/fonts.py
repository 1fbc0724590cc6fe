"""The bundled IPAex fonts, registered with reportlab once per process.

reportlab's ``TTFont`` embeds only the glyphs a document uses (a subset per 256 glyphs), so a
form prints and faxes the same on every machine without carrying the whole 4 MB font.
"""

from __future__ import annotations

from functools import cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from desktop_app.resources import GOTHIC_FONT_FILE, MINCHO_FONT_FILE, font_path

GOTHIC = "IPAexGothic"
MINCHO = "IPAexMincho"


@cache
def register_fonts() -> tuple[str, str]:
    """Register IPAex Gothic and Mincho (parsing the .ttf files is slow: once per process).

    Returns the reportlab font names (gothic, mincho). Forms use Gothic for everything:
    Mincho's thin strokes vanish at fax resolution; it is registered for letters only.
    """
    pdfmetrics.registerFont(TTFont(GOTHIC, str(font_path(GOTHIC_FONT_FILE))))
    pdfmetrics.registerFont(TTFont(MINCHO, str(font_path(MINCHO_FONT_FILE))))
    # IPAex has no bold or italic face; map them to the regular one so that a stray <b> in a
    # Paragraph cannot fall back to Helvetica (which has no Japanese glyphs).
    for name in (GOTHIC, MINCHO):
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(name, bold, italic, name)
    return GOTHIC, MINCHO
