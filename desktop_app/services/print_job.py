"""Sending a form's PDF to the printer: which way it goes, and the CUPS job itself.

Three ways, chosen by ``choose_route``:

- FILE: the print dialog's "print to file (PDF)": the form's own bytes are written, exact.
- CUPS (Linux, macOS): the PDF itself goes to the chosen queue through ``lp``. The driver gets
  vector pages it rasterises at its own resolution, so text stays text, a 6-page packet is a
  ~150 KB job, and each page prints on the paper the PDF says (``media=``), never scaled.
- RASTER (Windows, or no ``lp``): the window paints each page as an image (ui/print_job.py).

Each page carries its own paper (its size in points, as the PDF viewer reads it), so the
長形3号 envelope label (120×235 mm) prints on 長形3号 and the day list on A4 turned landscape.
Pages on different paper go as separate jobs, one for each run of pages on the same paper
(``page-ranges`` of the same PDF).

Nothing here knows Qt or the store.
"""

from __future__ import annotations

import enum
import logging
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from desktop_app.domain.errors import ValidationError

log = logging.getLogger(__name__)

POINTS_PER_MM = 72 / 25.4
# How far (mm) a page may be from a named paper size and still be printed on it.
SIZE_TOLERANCE_MM = 1.0
LP_TIMEOUT_SECONDS = 60
# Names CUPS understands for the papers our forms use (portrait width × height, mm). The
# Japanese sizes use their PWG names, which CUPS maps onto a driver's own (e.g. EnvChou3).
MEDIA_NAMES: dict[tuple[int, int], str] = {
    (210, 297): "A4",
    (297, 420): "A3",
    (148, 210): "A5",
    (182, 257): "jis_b5_182x257mm",
    (257, 364): "jis_b4_257x364mm",
    (120, 235): "jpn_chou3_120x235mm",
    (90, 205): "jpn_chou4_90x205mm",
    (240, 332): "jpn_kaku2_240x332mm",
    (100, 148): "jpn_hagaki_100x148mm",
}
PAPER_LABELS: dict[str, str] = {
    "A4": "A4",
    "A3": "A3",
    "A5": "A5",
    "jis_b5_182x257mm": "B5",
    "jis_b4_257x364mm": "B4",
    "jpn_chou3_120x235mm": "長形3号",
    "jpn_chou4_90x205mm": "長形4号",
    "jpn_kaku2_240x332mm": "角形2号",
    "jpn_hagaki_100x148mm": "はがき",
}
_REQUEST_ID = re.compile(r"request id is (\S+)")


def _mm(value: float) -> str:
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


@dataclass(frozen=True)
class Paper:
    """One page's sheet as the PDF draws it: width × height in mm (landscape when wider)."""

    width_mm: float
    height_mm: float

    @classmethod
    def from_points(cls, width: float, height: float) -> Paper:
        """A page of ``width`` × ``height`` PDF points (1/72 inch), as it is shown."""
        return cls(round(width / POINTS_PER_MM, 2), round(height / POINTS_PER_MM, 2))

    @property
    def landscape(self) -> bool:
        return self.width_mm > self.height_mm

    @property
    def portrait_mm(self) -> tuple[float, float]:
        """The sheet as it goes through the printer: short edge first."""
        return min(self.width_mm, self.height_mm), max(self.width_mm, self.height_mm)

    @property
    def media(self) -> str:
        """The CUPS media name of this sheet (a named size, or Custom.WxHmm)."""
        short, long = self.portrait_mm
        for (w, h), name in MEDIA_NAMES.items():
            if abs(short - w) <= SIZE_TOLERANCE_MM and abs(long - h) <= SIZE_TOLERANCE_MM:
                return name
        return f"Custom.{_mm(short)}x{_mm(long)}mm"

    @property
    def label(self) -> str:
        """How a clerk names it: 長形3号, A4 横, 100×150mm."""
        name = PAPER_LABELS.get(self.media)
        if name is None:
            short, long = self.portrait_mm
            name = f"{_mm(short)}×{_mm(long)}mm"
        return f"{name} 横" if self.landscape else name

    def same_sheet(self, other: Paper) -> bool:
        return (
            abs(self.width_mm - other.width_mm) <= SIZE_TOLERANCE_MM
            and abs(self.height_mm - other.height_mm) <= SIZE_TOLERANCE_MM
        )


class PrintRoute(enum.Enum):
    FILE = "file"  # the print dialog's own PDF file output
    CUPS = "cups"  # the PDF itself to a CUPS queue through lp
    RASTER = "raster"  # page images painted through the platform's printer driver


def lp_program() -> str | None:
    """The ``lp`` command, where CUPS is the printing system (Linux, macOS); else None."""
    if not (sys.platform.startswith("linux") or sys.platform == "darwin"):
        return None
    return shutil.which("lp")


def choose_route(*, to_file: bool, printer_name: str, lp: str | None) -> PrintRoute:
    """FILE when the dialog prints to a file; CUPS with a queue and ``lp``; else RASTER."""
    if to_file:
        return PrintRoute.FILE
    if lp and printer_name:
        return PrintRoute.CUPS
    return PrintRoute.RASTER


class Sides(enum.Enum):
    """Duplex as the print dialog set it."""

    ONE_SIDED = "one-sided"
    LONG_EDGE = "two-sided-long-edge"
    SHORT_EDGE = "two-sided-short-edge"


# Job options the form decides (its paper, 1:1, its orientation) or the job sets from the print
# dialog's own fields; any other option the dialog passes (page-set, number-up, a tray, banner
# pages...) goes to lp as the clerk chose it.
FORM_DECIDES = frozenset(
    name.casefold()
    for name in (
        "media",
        "PageSize",
        "PageRegion",
        "fit-to-page",
        "print-scaling",
        "scaling",
        "natural-scaling",
        "ppi",
        "orientation-requested",
        "landscape",
        "page-ranges",
        "copies",
        "collate",
        "sides",
        "outputorder",
        "job-name",
    )
)


@dataclass(frozen=True)
class CupsJob:
    """What the clerk chose in the print dialog, for ``lp``."""

    printer: str
    title: str
    copies: int = 1
    collate: bool = True
    # 0-based pages to print, in order; empty: all of them.
    pages: tuple[int, ...] = ()
    sides: Sides | None = None  # None: the printer's default
    reverse: bool = False  # last page first
    # Other CUPS options from the print dialog, (name, value); those in FORM_DECIDES are dropped.
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class LpCall:
    """One ``lp`` run: its arguments (the PDF goes on its standard input)."""

    argv: tuple[str, ...]
    paper: Paper
    pages: tuple[int, ...]  # 0-based pages of the form this call prints


def parse_page_ranges(text: str, page_count: int) -> tuple[int, ...]:
    """0-based pages of a CUPS page range ("2-3", "1,3-5", "4-") that the form has, in order;
    nothing understood or none of them there: ()."""
    pages: set[int] = set()
    for part in text.replace(" ", "").split(","):
        first, dash, last = part.partition("-")
        try:
            start = int(first) if first else 1
            end = (int(last) if last else page_count) if dash else start
        except ValueError:
            continue
        pages.update(range(max(1, start), min(page_count, end) + 1))
    return tuple(page - 1 for page in sorted(pages))


def paper_runs(papers: Sequence[Paper], pages: Sequence[int] = ()) -> list[tuple[int, ...]]:
    """``pages`` (default: all) cut into runs of neighbouring pages on the same paper."""
    chosen = list(pages) if pages else list(range(len(papers)))
    runs: list[list[int]] = []
    for page in chosen:
        if not 0 <= page < len(papers):
            raise ValueError(f"page {page} of {len(papers)} out of range")
        last = runs[-1][-1] if runs else None
        if last is not None and page == last + 1 and papers[last].same_sheet(papers[page]):
            runs[-1].append(page)
        else:
            runs.append([page])
    return [tuple(run) for run in runs]


def lp_calls(papers: Sequence[Paper], job: CupsJob, *, lp: str = "lp") -> list[LpCall]:
    """The ``lp`` runs that print ``job`` of a PDF whose pages are on ``papers``.

    One run for each stretch of pages on the same paper; each names its paper (``media=``)
    and asks for no scaling. A landscape page is turned onto its sheet by CUPS (the page is
    wider than tall), so no orientation is forced on top.
    """
    calls = []
    for run in paper_runs(papers, job.pages):
        paper = papers[run[0]]
        argv = [lp, "-d", job.printer, "-t", job.title, "-n", str(max(1, job.copies))]
        argv += ["-o", f"media={paper.media}", "-o", "fit-to-page=false"]
        argv += ["-o", "print-scaling=none"]
        if run != tuple(range(len(papers))):
            argv += ["-o", f"page-ranges={run[0] + 1}-{run[-1] + 1}"]
        if job.copies > 1:
            argv += ["-o", f"collate={'true' if job.collate else 'false'}"]
        if job.sides is not None:
            argv += ["-o", f"sides={job.sides.value}"]
        if job.reverse:
            argv += ["-o", "outputorder=reverse"]
        for name, value in job.options:
            if name and value and name.casefold() not in FORM_DECIDES:
                argv += ["-o", f"{name}={value}"]
        calls.append(LpCall(tuple(argv), paper, run))
    return calls


@dataclass(frozen=True)
class SentJob:
    """What CUPS accepted: its request ids, and what went."""

    printer: str
    request_ids: tuple[str, ...]
    bytes_sent: int
    pages: int
    papers: tuple[str, ...]  # each call's paper, as the clerk names it


def send_to_cups(pdf: bytes, papers: Sequence[Paper], job: CupsJob, *, lp: str = "lp") -> SentJob:
    """Hand the PDF to CUPS; raises ValidationError (Japanese) when it was refused.

    The PDF goes on lp's standard input, so no copy of a patient's form is left in a temp
    file. Returns once the spooler has accepted the job: the printer prints it after.
    """
    if len(papers) == 0:
        raise ValueError("a PDF with no pages")
    calls = lp_calls(papers, job, lp=lp)
    ids = [_run_lp(call, pdf, job.printer) for call in calls]
    return SentJob(
        printer=job.printer,
        request_ids=tuple(ids),
        bytes_sent=len(pdf) * len(calls),
        pages=sum(len(c.pages) for c in calls),
        papers=tuple(c.paper.label for c in calls),
    )


def _run_lp(call: LpCall, pdf: bytes, printer: str) -> str:
    try:
        done = subprocess.run(
            call.argv, input=pdf, capture_output=True, timeout=LP_TIMEOUT_SECONDS, check=False
        )
    except FileNotFoundError as exc:
        log.error("lp not found: %s", exc)
        raise ValidationError(
            "印刷の仕組み（CUPS の lp コマンド）が見つからないため、印刷できませんでした。"
        ) from exc
    except subprocess.TimeoutExpired as exc:
        log.error("lp for %s timed out", printer)
        raise ValidationError(
            f"プリンター「{printer}」が応答しないため、印刷できませんでした。"
            "プリンターの電源と接続を確認してください。"
        ) from exc
    stderr = done.stderr.decode(errors="replace").strip()
    if done.returncode != 0:
        log.error("lp for %s failed (%s): %s", printer, done.returncode, stderr)
        detail = f"\n（詳細：{stderr}）" if stderr else ""
        raise ValidationError(
            f"プリンター「{printer}」に送れなかったため、印刷できませんでした。"
            f"プリンターの名前・電源・接続を確認してください。{detail}"
        )
    found = _REQUEST_ID.search(done.stdout.decode(errors="replace"))
    request = found.group(1) if found else ""
    log.info("sent pages %s on %s to %s: %s", call.pages, call.paper.media, printer, request)
    return request
