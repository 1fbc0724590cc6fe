"""Received faxes read back: our own forms as a fax machine sends them, matched to their case.

The forms are rendered by the real printing (services/forms.render_form), rasterised with
pypdfium2 and degraded with Pillow as a fax does it: 204×98 dpi (standard) or 204×196 (fine),
black and white, skewed, speckled, upside down; saved as PDF and as single- and multi-page
TIFF (G3, G4) as a fax server saves them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from reportlab.graphics.barcode.code128 import Code128
from sqlalchemy import func, select

from desktop_app.cli import main
from desktop_app.db.models import AuditEntry
from desktop_app.domain.forms import FormKind
from desktop_app.printing import build_form
from desktop_app.printing.context import BAR_HEIGHT, BAR_MODULE, case_barcode, case_number_width
from desktop_app.services.fax_read import (
    NO_BARCODE,
    NOT_OURS,
    UNKNOWN_CASE,
    BarcodeMatch,
    match_cases,
    read_fax,
)
from desktop_app.services.forms import render_form
from desktop_app.services.settings import get_settings
from tests.fax_samples import FAX_X_DPI, FINE, STANDARD
from tests.fax_samples import bars_page as _bars_page
from tests.fax_samples import fax as _fax
from tests.fax_samples import form as _form
from tests.fax_samples import pdf as _pdf
from tests.fax_samples import render as _render
from tests.fax_samples import tiff as _tiff
from tests.printing.samples import SAMPLE_TODAY, sample_case


def _only(fax_file, page: int = 1) -> tuple[str, FormKind | None]:
    (match,) = fax_file.pages[page - 1].matches
    return match.case_number, match.kind


# Our forms as faxes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "skew", "specks", "upside_down", "compression"),
    [
        pytest.param(STANDARD, 0.0, 0.0, False, "group3", id="standard-G3"),
        pytest.param(FINE, 0.0, 0.0, False, "group4", id="fine-G4"),
        pytest.param(STANDARD, 2.0, 0.0, False, "group3", id="standard-skewed-2deg"),
        pytest.param(FINE, -2.0, 0.004, False, "group4", id="fine-skewed-speckled"),
        pytest.param(STANDARD, 0.0, 0.004, False, "group4", id="standard-speckled"),
        pytest.param(STANDARD, 0.0, 0.0, True, "group3", id="standard-upside-down"),
        pytest.param(FINE, 1.0, 0.002, True, "group4", id="fine-upside-down-skewed-speckled"),
    ],
)
def test_an_application_sent_back_by_fax_reads_as_its_case_and_form(
    store, make_case, tmp_path, lines, skew, specks, upside_down, compression
) -> None:
    case = make_case()
    page = _fax(
        _form(store, FormKind.APPLICATION, case.id),
        lines,
        skew=skew,
        specks=specks,
        upside_down=upside_down,
    )
    for path in (
        _tiff(tmp_path / "fax.tif", [page], compression),
        _pdf(tmp_path / "fax.pdf", [page]),
    ):
        read = read_fax(path)
        assert read.readable, read.problem
        assert _only(read) == (case.case_number, FormKind.APPLICATION), path.name
        assert read.pages[0].rotation == (180 if upside_down else 0)
        (entry,) = match_cases(store, read)
        assert (entry.case_id, entry.problem) == (case.id, None)


def test_the_packet_faxed_back_whole_says_which_form_each_page_is(store, make_case, tmp_path):
    from desktop_app.domain.people import Attendance, Relationship

    case = make_case(attendance=Attendance.FAMILY_ONLY, relationship=Relationship.SPOUSE)
    pages = [
        _fax(p, STANDARD, skew=1.5)
        for p in _render(render_form(store, FormKind.PACKET, case.id).pdf)
    ]
    read = read_fax(_tiff(tmp_path / "packet.tif", pages, "group3"))
    found = [m.kind for p in read.pages for m in p.matches]
    assert found == [FormKind.APPLICATION, FormKind.REFERRAL, FormKind.CONSENT]
    assert {m.case_number for p in read.pages for m in p.matches} == {case.case_number}
    # The cover letter and the guide carry no barcode: left to the clerk, not guessed.
    unmatched = [p for p in read.pages if not p.matched]
    assert unmatched and read.pages[0] in unmatched
    assert {p.problem for p in unmatched} == {NO_BARCODE}


def test_a_page_turned_a_quarter_is_read_too(store, make_case, tmp_path) -> None:
    case = make_case()
    form = _form(store, FormKind.APPLICATION, case.id)
    # Fed sideways in fine mode (the bars across 196-dpi lines), and a standard-mode page the
    # fax server saved turned (its resolution turned with it).
    sideways = _fax(form, FINE, sideways=True)
    turned = _fax(form, STANDARD).rotate(270, expand=True)
    turned.info["dpi"] = (STANDARD, FAX_X_DPI)
    read = read_fax(_tiff(tmp_path / "turned.tif", [sideways, turned], "group3"))
    assert [p.matches for p in read.pages] == [
        (BarcodeMatch(case.case_number, FormKind.APPLICATION),)
    ] * 2
    assert {p.rotation for p in read.pages} <= {90, 270}


def test_pages_of_two_cases_in_one_tiff_are_told_apart(store, make_case, tmp_path) -> None:
    first = make_case()
    second = make_case(name="佐藤　花子", furigana="サトウ　ハナコ")
    pages = [
        _fax(_form(store, FormKind.APPLICATION, first.id), FINE),
        _fax(_form(store, FormKind.APPLICATION, second.id), FINE, skew=-1.0),
        _fax(_form(store, FormKind.REFERRAL, second.id), FINE, upside_down=True),
        _fax(Image.new("L", (1700, 2300), 255), FINE),  # a blank sheet
        _fax(_form(store, FormKind.REFERRAL, first.id), FINE, specks=0.003),
    ]
    read = read_fax(_tiff(tmp_path / "two.tif", pages))
    assert [p.number for p in read.pages] == [1, 2, 3, 4, 5]
    assert [p.matches for p in read.pages] == [
        (BarcodeMatch(first.case_number, FormKind.APPLICATION),),
        (BarcodeMatch(second.case_number, FormKind.APPLICATION),),
        (BarcodeMatch(second.case_number, FormKind.REFERRAL),),
        (),
        (BarcodeMatch(first.case_number, FormKind.REFERRAL),),
    ]
    assert read.pages[3].problem == NO_BARCODE
    entries = match_cases(store, read)
    assert [(e.page, e.case_id) for e in entries] == [
        (1, first.id),
        (2, second.id),
        (3, second.id),
        (4, None),
        (5, first.id),
    ]
    assert entries[3].problem == NO_BARCODE and entries[3].case_number is None


# Nothing is guessed -----------------------------------------------------------------------


def test_a_page_without_a_barcode_is_not_guessed(store, make_case, tmp_path) -> None:
    make_case()
    guide = _render(render_form(store, FormKind.GUIDE).pdf)[0]  # printed with no case number
    read = read_fax(_tiff(tmp_path / "guide.tif", [_fax(guide)], "group3"))
    assert read.readable
    (page,) = read.pages
    assert (page.matches, page.problem, page.rotation) == ((), NO_BARCODE, None)
    (entry,) = match_cases(store, read)
    assert (entry.case_number, entry.case_id, entry.problem) == (None, None, NO_BARCODE)


def test_someone_elses_barcode_is_not_taken_for_a_case(tmp_path) -> None:
    read = read_fax(_tiff(tmp_path / "other.tif", [_fax(_bars_page("INV-778812"))]))
    assert (read.pages[0].matches, read.pages[0].problem) == ((), NOT_OURS)


def test_an_older_barcode_reads_as_the_case_without_a_form(store, make_case, tmp_path) -> None:
    case = make_case()
    page = _fax(_bars_page(case.case_number), FINE)  # as printed before the form code
    read = read_fax(_pdf(tmp_path / "old.pdf", [page]))
    assert _only(read) == (case.case_number, None)
    (entry,) = match_cases(store, read)
    assert (entry.case_id, entry.kind, entry.problem) == (case.id, None, None)


def test_an_unknown_case_number_is_said_so(store, make_case, tmp_path) -> None:
    case = make_case()  # SO-2026-0001: the sample form below is SO-2026-0042's
    other = sample_case()
    assert other.case_number != case.case_number
    pdf = build_form(FormKind.APPLICATION, get_settings(store), other, today=SAMPLE_TODAY)
    read = read_fax(_tiff(tmp_path / "unknown.tif", [_fax(_render(pdf)[0])], "group3"))
    assert read.pages[0].matches[0].case_number == other.case_number
    (entry,) = match_cases(store, read)
    assert (entry.case_number, entry.case_id, entry.problem) == (
        other.case_number,
        None,
        UNKNOWN_CASE,
    )


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"%PDF-1.7\n1 0 obj<<>>\nendobj\n%%EOF", id="damaged-pdf"),
        pytest.param(b"II*\x00\x08\x00\x00\x00\xff\xff", id="damaged-tiff"),
        pytest.param("受信しました".encode(), id="not-a-fax"),
        pytest.param(b"", id="empty"),
    ],
)
@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")  # Pillow's, on the broken TIFF
def test_a_damaged_file_is_reported_not_raised(tmp_path, content: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(content)
    read = read_fax(path)
    assert not read.readable and read.pages == ()
    assert read.problem


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
def test_a_truncated_tiff_is_a_damaged_file(store, make_case, tmp_path) -> None:
    case = make_case()
    page = _fax(_form(store, FormKind.APPLICATION, case.id))
    whole = _tiff(tmp_path / "whole.tif", [page, page], "group4").read_bytes()
    cut = tmp_path / "cut.tif"
    cut.write_bytes(whole[: len(whole) // 3])
    read = read_fax(cut)
    assert not read.readable and read.problem


def test_the_barcode_with_the_form_is_no_wider_than_the_bare_number_was() -> None:
    number = "SO-2026-0001"
    before = Code128(number, barWidth=BAR_MODULE, barHeight=BAR_HEIGHT, quiet=False).width
    for kind in FormKind:
        bars = case_barcode(number, kind)
        assert bars is not None and bars.width <= before
        assert bars.width <= case_number_width(number)


# sodesk fax scan --------------------------------------------------------------------------


@pytest.fixture
def inbox(store, make_case, tmp_path) -> tuple[Path, str]:
    case = make_case()
    folder = tmp_path / "inbox"
    folder.mkdir()
    _tiff(
        folder / "0930.tif",
        [
            _fax(_form(store, FormKind.APPLICATION, case.id)),
            _fax(Image.new("L", (1700, 2300), 255)),
        ],
    )
    pdf = build_form(FormKind.REFERRAL, get_settings(store), sample_case(), today=SAMPLE_TODAY)
    _pdf(folder / "1015.pdf", [_fax(_render(pdf)[0], FINE)])
    (folder / "memo.txt").write_text("not a fax", encoding="utf-8")
    return folder, case.case_number


def _audit_count(store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_fax_scan_lists_each_page_and_records_nothing(inbox, store, db_path, capsys) -> None:
    folder, number = inbox
    before = _audit_count(store)
    assert main(["fax", "scan", str(folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"0930.tif  1ページ  {number}  申込書",
        "0930.tif  2ページ  読めません",
        "1015.pdf  1ページ  SO-2026-0042  専用診療情報提供書",
    ]
    assert main(["fax", "scan", str(folder / "1015.pdf"), "--db", str(db_path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"1015.pdf  1ページ  SO-2026-0042  専用診療情報提供書  {UNKNOWN_CASE}"
    ]
    assert main(["fax", "scan", str(folder / "0930.tif"), "--db", str(db_path)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"0930.tif  1ページ  {number}  申込書"
    assert _audit_count(store) == before


def test_fax_scan_fails_for_a_damaged_file_without_a_traceback(inbox, tmp_path, capsys) -> None:
    folder, _ = inbox
    (folder / "1100.pdf").write_bytes(b"%PDF-1.4 truncated")
    assert main(["fax", "scan", str(folder)]) == 1
    captured = capsys.readouterr()
    assert "1100.pdf  読み込めません" in captured.out
    assert "0930.tif  1ページ" in captured.out  # the others are still listed
    assert "Traceback" not in captured.out + captured.err
    assert main(["fax", "scan", str(tmp_path / "nowhere")]) == 1
    assert "ファイルもフォルダもありません" in capsys.readouterr().out
