"""Layout regressions: the fit helper, kinsoku, and nothing printed inside the margins."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from reportlab.lib.units import mm

from desktop_app.domain.forms import FormKind
from desktop_app.printing import build_form, fit_text, register_fonts
from desktop_app.printing.linebreak import CANNOT_END, CANNOT_START, wrap_text
from tests.printing.samples import sample_day_entries, sample_fax

GOTHIC = "IPAexGothic"

LONG = {
    "institution": ("医療法人社団北海道東胆振地域包括医療研究会附属総合病院", 110 * mm, 10 * mm),
    "address": (
        "北海道勇払郡安平町早来大町一丁目二百三十四番地五十六　グランドメゾン早来駅前東館一二三四号室",
        147 * mm,
        10 * mm,
    ),
    "name": ("長谷川ウィリアムズ　エリザベス真理子花", 100 * mm, 11 * mm),
    "consultation": ("膵臓がんと診断され手術を勧められています。" * 20, 147 * mm, 45 * mm),
}


@pytest.fixture(autouse=True, scope="module")
def _fonts() -> None:
    register_fonts()


@pytest.mark.parametrize("key", list(LONG))
def test_fit_keeps_long_values_legible_and_inside_the_box(key):
    text, width, height = LONG[key]
    fit = fit_text(text, width, height, size=12)
    assert not fit.overflow
    assert fit.size >= 9
    assert fit.height <= height + 0.01
    assert "".join(fit.lines).replace("\u3000", "") == text.replace("\u3000", "")
    from reportlab.pdfbase.pdfmetrics import stringWidth

    assert all(stringWidth(line, GOTHIC, fit.size) <= width + 0.01 for line in fit.lines)


def test_fit_shrinks_one_line_before_wrapping():
    fit = fit_text("苫小牧市立病院　地域医療連携室", 60 * mm, 12 * mm, size=12)
    assert len(fit.lines) == 1


def test_fit_cuts_only_what_cannot_fit_at_9pt():
    fit = fit_text("あ" * 500, 30 * mm, 10 * mm, size=12)
    assert fit.overflow and fit.size == 9 and fit.lines[-1].endswith("…")
    assert fit.height <= 10 * mm


def test_kinsoku():
    text = "家族のみ来院（相談同意書あり）。CD-R 2枚、病理標本は返却要。延長の可能性あり"
    for width in range(40, 200, 3):
        lines = wrap_text(text, width, 9, GOTHIC)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for line in lines[1:]:
            assert line[0] not in CANNOT_START, (width, lines)
        for line in lines[:-1]:
            assert line[-1] not in CANNOT_END, (width, lines)
        assert not any("CD-" in line and "CD-R" not in line for line in lines)


def test_full_width_space_is_kept():
    assert wrap_text("山田　花子", 200, 10, GOTHIC) == ["山田　花子"]


def _dark_pixels_in_margin(pgm: Path, dpi: int, margin_mm: float) -> int:
    data = pgm.read_bytes()
    # P5 header: magic, width, height, maxval, each separated by whitespace.
    parts = data.split(maxsplit=4)
    width, height = int(parts[1]), int(parts[2])
    pixels = parts[4]
    m = int(margin_mm / 25.4 * dpi)
    dark = 0
    for y in range(height):
        row = pixels[y * width : (y + 1) * width]
        if y < m or y >= height - m:
            dark += sum(1 for v in row if v < 128)
        else:
            dark += sum(1 for v in row[:m] if v < 128) + sum(1 for v in row[-m:] if v < 128)
    return dark


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("kind", [k for k in FormKind if k != FormKind.PACKET])
def test_nothing_is_printed_inside_the_12mm_margins(kind, tmp_path, settings, longest_case, today):
    data = build_form(
        kind,
        settings,
        longest_case,
        today=today,
        day_entries=sample_day_entries(count=14),
        fax=sample_fax(longest_case),
    )
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(data)
    dpi = 40
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", str(pdf), str(tmp_path / "p")], check=True, timeout=60
    )
    pages = sorted(tmp_path.glob("p*.pgm"))
    assert pages
    for page in pages:
        assert _dark_pixels_in_margin(page, dpi, 12) == 0, page.name
