"""The print path's Qt-free half: each page's paper, the lp command, and a real CUPS-PDF job.

The tests that print need CUPS with a cups-pdf queue (tools/install-os-packages.sh installs
and starts it on Debian); without one they are skipped. Their output is read back with pypdf:
pages, paper size (長形3号 stays 120×235 mm) and the text, which must still be text.
"""

from __future__ import annotations

import io
import os
import pwd
import re
import shutil
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PageObject, PdfReader, PdfWriter

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.forms import FormKind
from desktop_app.domain.settings import DEFAULT_SETTINGS
from desktop_app.printing import build_form
from desktop_app.services.print_job import (
    CupsJob,
    Paper,
    PrintRoute,
    Sides,
    choose_route,
    lp_calls,
    paper_runs,
    parse_page_ranges,
    send_to_cups,
)
from tests.printing.samples import SAMPLE_TODAY, long_case, sample_case, sample_day_entries

A4 = Paper(210, 297)
A4_LANDSCAPE = Paper(297, 210)
CHOU3 = Paper(120, 235)
MM = 72 / 25.4


# CUPS-PDF, when this machine has it ------------------------------------------------------------


def cups_pdf_queue() -> str | None:
    """The name of a running, accepting cups-pdf queue, or None."""
    if not (shutil.which("lp") and shutil.which("lpstat")):
        return None
    env = {**os.environ, "LC_ALL": "C"}

    def lpstat(*args: str) -> str:
        try:
            done = subprocess.run(
                ["lpstat", *args], capture_output=True, text=True, env=env, timeout=10
            )
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return done.stdout

    if "is running" not in lpstat("-r"):
        return None
    for line in lpstat("-v").splitlines():
        found = re.match(r"device for (\S+): cups-pdf:/", line)
        if found and "accepting requests" in lpstat("-a", found.group(1)):
            return found.group(1)
    return None


def cups_pdf_folders() -> list[Path]:
    """Where cups-pdf writes this user's jobs (its ``Out`` setting), then its fallbacks."""
    user = pwd.getpwuid(os.getuid())
    out = "/var/spool/cups-pdf/${USER}"
    conf = Path("/etc/cups/cups-pdf.conf")
    if conf.is_file():
        for line in conf.read_text(errors="replace").splitlines():
            if line.startswith("Out "):
                out = line.split(None, 1)[1].strip()
    out = out.replace("${HOME}", user.pw_dir).replace("${USER}", user.pw_name)
    return [Path(out), Path("/var/spool/cups-pdf/ANONYMOUS")]


def take_cups_pdf(request_id: str, timeout: float = 90) -> bytes:
    """The PDF cups-pdf wrote for ``request_id`` (its name ends in job_<number>.pdf), read
    and removed."""
    number = request_id.rsplit("-", 1)[-1]
    return _take(f"*job_{number}.pdf", request_id, timeout)


def take_cups_pdf_titled(title: str, timeout: float = 90) -> bytes:
    """The PDF cups-pdf wrote for the one job named ``title`` (ASCII: others are mangled),
    read and removed."""
    return _take(f"{title}*.pdf", title, timeout)


def _take(pattern: str, what: str, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for folder in cups_pdf_folders():
            for path in folder.glob(pattern) if folder.is_dir() else ():
                if _complete(path):
                    data = path.read_bytes()
                    path.unlink()
                    return data
        time.sleep(0.2)
    raise AssertionError(f"cups-pdf wrote nothing for {what} in {cups_pdf_folders()}")


def _complete(path: Path) -> bool:
    try:
        return path.read_bytes().rstrip().endswith(b"%%EOF")
    except OSError:
        return False


def mm_size(page: PageObject) -> tuple[float, float]:
    box = page.mediabox
    return round(float(box.width) / MM, 1), round(float(box.height) / MM, 1)


def papers_of(pdf: bytes) -> tuple[Paper, ...]:
    """Each page's paper from its mediabox (the window reads the same from QPdfDocument)."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return tuple(
        Paper.from_points(float(p.mediabox.width), float(p.mediabox.height)) for p in pages
    )


def has_images(page: PageObject) -> bool:
    resources = page.get("/Resources") or {}
    xobjects = resources.get("/XObject") or {}
    return any(xobjects[name].get_object().get("/Subtype") == "/Image" for name in xobjects)


@pytest.fixture
def cups_queue() -> str:
    queue = cups_pdf_queue()
    if queue is None:
        pytest.skip("no running CUPS with a cups-pdf queue (tools/install-os-packages.sh)")
    return queue


def _form(kind: FormKind) -> bytes:
    case = replace(long_case(), needs_consent=True) if kind == FormKind.PACKET else sample_case()
    return build_form(
        kind, DEFAULT_SETTINGS, case, today=SAMPLE_TODAY, day_entries=sample_day_entries(count=12)
    )


# Paper ------------------------------------------------------------------------------------------


def test_each_form_names_its_own_paper() -> None:
    label = papers_of(_form(FormKind.LABEL))
    assert [(p.media, p.label) for p in label] == [("jpn_chou3_120x235mm", "長形3号")]
    daylist = papers_of(_form(FormKind.DAYLIST))
    assert {(p.media, p.label, p.landscape) for p in daylist} == {("A4", "A4 横", True)}
    packet = papers_of(_form(FormKind.PACKET))
    assert len(packet) == 6 and {p.label for p in packet} == {"A4"}


def test_paper_names_and_sizes() -> None:
    assert Paper.from_points(340.157, 666.142) == CHOU3
    assert Paper.from_points(841.89, 595.28).media == "A4"
    assert Paper(182.2, 257).label == "B5"
    odd = Paper(100, 150.5)
    assert odd.media == "Custom.100x150.5mm" and odd.label == "100×150.5mm"
    assert Paper(150.5, 100).label == "100×150.5mm 横"
    assert not A4.same_sheet(A4_LANDSCAPE) and A4.same_sheet(Paper(210.4, 296.8))


def test_pages_on_different_paper_go_in_separate_runs() -> None:
    papers = (CHOU3, A4, A4, A4, A4_LANDSCAPE, A4_LANDSCAPE)
    assert paper_runs(papers) == [(0,), (1, 2, 3), (4, 5)]
    # A page range is cut where the pages are not neighbours, too.
    assert paper_runs(papers, (1, 3, 4)) == [(1,), (3,), (4,)]
    with pytest.raises(ValueError):
        paper_runs(papers, (6,))


# The lp command ---------------------------------------------------------------------------------


def test_the_label_goes_on_its_envelope_unscaled() -> None:
    [call] = lp_calls((CHOU3,), CupsJob("事務室", "宛名（長形3号封筒）"), lp="/usr/bin/lp")
    assert call.argv == (
        "/usr/bin/lp",
        "-d",
        "事務室",
        "-t",
        "宛名（長形3号封筒）",
        "-n",
        "1",
        "-o",
        "media=jpn_chou3_120x235mm",
        "-o",
        "fit-to-page=false",
        "-o",
        "print-scaling=none",
    )


def test_copies_sides_and_mixed_paper() -> None:
    job = CupsJob("PDF", "一式", copies=2, collate=False, sides=Sides.LONG_EDGE)
    calls = lp_calls((CHOU3, A4, A4), job)
    assert [c.pages for c in calls] == [(0,), (1, 2)]
    first, second = (" ".join(c.argv) for c in calls)
    assert "-n 2" in first and "collate=false" in first and "sides=two-sided-long-edge" in first
    assert "media=jpn_chou3_120x235mm" in first and "page-ranges=1-1" in first
    assert "media=A4" in second and "page-ranges=2-3" in second
    # One paper, all pages: no page range, no collation question for a single copy.
    [whole] = lp_calls((A4_LANDSCAPE, A4_LANDSCAPE), CupsJob("PDF", "予約一覧"))
    assert "page-ranges" not in " ".join(whole.argv) and "collate" not in " ".join(whole.argv)
    assert "orientation-requested" not in " ".join(whole.argv)


def test_the_clerks_other_choices_go_to_lp_but_not_over_the_forms_paper() -> None:
    options = (
        ("page-set", "odd"),
        ("InputSlot", "Manual"),
        ("job-billing", ""),  # left empty in the dialog: not sent
        ("media", "A4"),  # the form's paper wins
        ("fit-to-page", "true"),
        ("Orientation-Requested", "4"),
    )
    job = CupsJob("PDF", "宛名", reverse=True, options=options)
    [call] = lp_calls((CHOU3,), job)
    joined = " ".join(call.argv)
    assert "page-set=odd" in joined and "InputSlot=Manual" in joined
    assert "outputorder=reverse" in joined
    assert "job-billing" not in joined and "media=A4" not in joined
    assert "fit-to-page=true" not in joined and "Orientation-Requested" not in joined
    assert "media=jpn_chou3_120x235mm" in joined


def test_page_ranges_as_the_dialog_writes_them() -> None:
    assert parse_page_ranges("2-3", 5) == (1, 2)
    assert parse_page_ranges("1, 3-4", 5) == (0, 2, 3)
    assert parse_page_ranges("4-", 5) == (3, 4)
    assert parse_page_ranges("-2,2", 5) == (0, 1)
    assert parse_page_ranges("4-9", 5) == (3, 4)
    assert parse_page_ranges("9", 5) == ()
    assert parse_page_ranges("x", 5) == ()


def test_the_route() -> None:
    assert choose_route(to_file=True, printer_name="PDF", lp="/usr/bin/lp") is PrintRoute.FILE
    assert choose_route(to_file=False, printer_name="PDF", lp="/usr/bin/lp") is PrintRoute.CUPS
    assert choose_route(to_file=False, printer_name="PDF", lp=None) is PrintRoute.RASTER
    assert choose_route(to_file=False, printer_name="", lp="/usr/bin/lp") is PrintRoute.RASTER


def test_no_lp_is_explained(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="lp コマンド"):
        send_to_cups(b"%PDF", (A4,), CupsJob("PDF", "x"), lp=str(tmp_path / "no-lp"))


@pytest.mark.skipif(shutil.which("lp") is None, reason="no lp (CUPS client)")
def test_a_printer_cups_does_not_know_is_refused_in_japanese() -> None:
    pdf = _form(FormKind.LABEL)
    with pytest.raises(ValidationError) as refused:
        send_to_cups(pdf, papers_of(pdf), CupsJob("SODesk-no-such-printer", "宛名"))
    assert "プリンター「SODesk-no-such-printer」に送れなかった" in refused.value.message
    assert "印刷できませんでした" in refused.value.message


# A real job on CUPS-PDF ---------------------------------------------------------------------------


def test_the_envelope_label_prints_on_chou3_as_text(cups_queue: str) -> None:
    pdf = _form(FormKind.LABEL)
    sent = send_to_cups(pdf, papers_of(pdf), CupsJob(cups_queue, "宛名 長形3号"))
    assert sent.papers == ("長形3号",) and sent.bytes_sent == len(pdf) < 40_000
    [request] = sent.request_ids
    printed = PdfReader(io.BytesIO(take_cups_pdf(request)))
    [page] = printed.pages
    width, height = mm_size(page)
    assert abs(width - 120) <= 0.5 and abs(height - 235) <= 0.5, (width, height)
    text = page.extract_text()
    assert "苫小牧市" in text and "様" in text
    assert not has_images(page)


def test_the_packet_and_the_day_list_print_as_vector_a4(cups_queue: str) -> None:
    packet = _form(FormKind.PACKET)
    daylist = _form(FormKind.DAYLIST)
    sent_packet = send_to_cups(packet, papers_of(packet), CupsJob(cups_queue, "送付書類一式"))
    sent_daylist = send_to_cups(daylist, papers_of(daylist), CupsJob(cups_queue, "予約一覧"))
    assert sent_packet.bytes_sent / sent_packet.pages < 40_000  # the raster path sent ~1.1 MB

    printed = PdfReader(io.BytesIO(take_cups_pdf(sent_packet.request_ids[0])))
    assert len(printed.pages) == 6
    for page in printed.pages:
        assert mm_size(page) == pytest.approx((210, 297), abs=0.5)
        assert not has_images(page)
    assert "セカンドオピニオン" in printed.pages[0].extract_text()

    day = PdfReader(io.BytesIO(take_cups_pdf(sent_daylist.request_ids[0])))
    assert len(day.pages) == len(papers_of(daylist))
    # A4 turned: the landscape page lies on an A4 sheet, unscaled (tests/ui checks the ink).
    assert sorted(mm_size(day.pages[0])) == pytest.approx([210, 297], abs=0.5)
    assert "予約一覧" in day.pages[0].extract_text()


def test_a_form_on_two_papers_goes_as_two_jobs_each_on_its_paper(cups_queue: str) -> None:
    writer = PdfWriter()
    for pdf in (_form(FormKind.LABEL), _form(FormKind.APPLICATION)):
        for page in PdfReader(io.BytesIO(pdf)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    both = out.getvalue()
    sent = send_to_cups(both, papers_of(both), CupsJob(cups_queue, "宛名と申込書"))
    assert sent.papers == ("長形3号", "A4") and len(sent.request_ids) == 2
    label, application = (PdfReader(io.BytesIO(take_cups_pdf(r))) for r in sent.request_ids)
    assert [mm_size(p) for p in label.pages] == [pytest.approx((120, 235), abs=0.5)]
    assert [mm_size(p) for p in application.pages] == [pytest.approx((210, 297), abs=0.5)]
