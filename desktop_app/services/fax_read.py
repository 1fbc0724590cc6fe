"""A received fax, read: which case and which form each page is, by the barcode on it.

Every form SO Desk prints carries its case number and its kind as a Code 128 barcode
(domain/barcodes.py). A clinic's 複合機 or fax server saves a received fax as PDF or TIFF;
``read_fax`` renders each page without Qt (pypdfium2 for PDF, Pillow for TIFF, G3 and G4
included) and reads the barcodes with zxing-cpp. ``match_cases`` then looks the case numbers
up. Nothing is recorded here: the 受信FAX screen and ``sodesk fax scan`` decide what to do.

A page without a barcode of ours is never guessed: it stays unmatched (読めません) for the
clerk, and so does a case number the database does not have.

zxing-cpp finds a barcode turned any way (0°, 90°, 180°, 270°) in one pass (measured: a page
upside down or turned by the fax server reads as fast as one upright), so no page is turned
and read again. Standard-mode pages (204×98 dpi) are read as scanned: the bars run across
the 204-dpi lines, about 3 pixels a module. Stretching them square gains nothing (measured);
a sheet fed sideways in standard mode, its bars across the 98-dpi lines (1.5 lines a
module), cannot be read at all and stays 読めません.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import zxingcpp
from PIL import Image, ImageSequence
from sqlalchemy import select

from desktop_app.db.models import SOCase
from desktop_app.domain.barcodes import parse_payload
from desktop_app.domain.forms import FormKind
from desktop_app.services.store import Store

log = logging.getLogger(__name__)

PDF_DPI = 200  # fine mode is 204×196 dpi: a module of our bars is about 3 pixels
FAX_SUFFIXES = (".pdf", ".tif", ".tiff")
NO_BARCODE = "読めません"
NOT_OURS = "読めません（当院の書類のバーコードではありません）"
UNKNOWN_CASE = "案件が見つかりません"
NO_KIND = "書類の種類なし"
DAMAGED = "ファイルが壊れているか、保存の途中です"  # an older barcode: the case number alone


@dataclass(frozen=True)
class BarcodeMatch:
    """One barcode of ours on a page: the case number and, on newer forms, the form."""

    case_number: str
    kind: FormKind | None

    @property
    def form_label(self) -> str:
        return self.kind.menu_label if self.kind is not None else NO_KIND


@dataclass(frozen=True)
class FaxPage:
    """One page: what its barcodes say, how it was turned, or why nothing was read."""

    number: int  # from 1
    size: tuple[int, int]  # pixels, as read
    matches: tuple[BarcodeMatch, ...] = ()
    rotation: int | None = None  # 0, 90, 180 or 270: how the barcode was turned on the page
    problem: str | None = None  # why nothing was matched (読めません)
    # The page as read (8-bit gray), when the caller asked to keep it (the 受信FAX screen).
    image: Image.Image | None = field(default=None, compare=False, repr=False)

    @property
    def matched(self) -> bool:
        return bool(self.matches)


@dataclass(frozen=True)
class FaxFile:
    """A received file: its pages, or why it could not be read at all."""

    path: Path
    pages: tuple[FaxPage, ...] = ()
    problem: str | None = None  # a damaged or unknown file: nothing was read

    @property
    def readable(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class CaseMatch:
    """A page's barcode checked against the database (or a page that matched nothing)."""

    page: int
    case_number: str | None
    kind: FormKind | None
    case_id: int | None
    problem: str | None  # 読めません, 案件が見つかりません; None when the case was found

    @property
    def form_label(self) -> str:
        return self.kind.menu_label if self.kind is not None else NO_KIND


class UnreadableFile(Exception):
    """The file is no PDF or image we can read (damaged, truncated, something else)."""


def read_fax(path: str | Path, *, data: bytes | None = None, keep_images: bool = False) -> FaxFile:
    """Read every page of a received PDF or TIFF. Never raises for what the file holds: a
    damaged or unknown file comes back with ``problem`` set and no pages.

    ``data``: the file's bytes, already read (so what is read is what was hashed); else the
    file is opened. ``keep_images``: each page keeps its image (``FaxPage.image``)."""
    path = Path(path)
    pages: list[FaxPage] = []
    try:
        content = data if data is not None else path.read_bytes()
        for number, image in enumerate(_page_images(content), start=1):
            page = _read_page(number, image)
            if keep_images:
                page = FaxPage(**{**page.__dict__, "image": image})
            pages.append(page)
    except UnreadableFile as exc:
        return FaxFile(path, problem=str(exc))
    except OSError as exc:
        return FaxFile(path, problem=f"ファイルを開けません（{exc.strerror or exc}）")
    if not pages:
        return FaxFile(path, problem="ページがありません")
    return FaxFile(path, tuple(pages))


def match_cases(store: Store, fax: FaxFile) -> tuple[CaseMatch, ...]:
    """Each page's case numbers looked up: one entry per barcode of ours, one per page that
    had none. An unknown number is 「案件が見つかりません」, never the nearest one."""
    numbers = {m.case_number for page in fax.pages for m in page.matches}
    known = _case_ids(store, numbers) if numbers else {}
    found: list[CaseMatch] = []
    for page in fax.pages:
        if not page.matches:
            found.append(CaseMatch(page.number, None, None, None, page.problem or NO_BARCODE))
        for m in page.matches:
            case_id = known.get(m.case_number)
            problem = None if case_id is not None else UNKNOWN_CASE
            found.append(CaseMatch(page.number, m.case_number, m.kind, case_id, problem))
    return tuple(found)


def fax_files(folder: str | Path) -> list[Path]:
    """The PDF and TIFF files in a folder (not its subfolders), by name; hidden ones left out."""
    return sorted(
        p
        for p in Path(folder).iterdir()
        if p.suffix.lower() in FAX_SUFFIXES and not p.name.startswith(".") and p.is_file()
    )


# Reading ----------------------------------------------------------------------------------


def _case_ids(store: Store, numbers: set[str]) -> dict[str, int]:
    with store.read() as session:
        rows = session.execute(
            select(SOCase.case_number, SOCase.id).where(SOCase.case_number.in_(sorted(numbers)))
        )
        return {number: case_id for number, case_id in rows}


def _page_images(data: bytes) -> Iterator[Image.Image]:
    """Each page as an 8-bit gray image, pixels as scanned (PDF pages at ``PDF_DPI``)."""
    if data[:8].startswith(b"%PDF"):
        yield from _pdf_pages(data)
    else:
        yield from _image_pages(data)


def _pdf_pages(data: bytes) -> Iterator[Image.Image]:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        log.info("unreadable PDF: %s", exc)
        raise UnreadableFile(f"PDFとして読めません（{DAMAGED}）") from None
    try:
        for index in range(len(document)):
            try:
                page = document[index]
                bitmap = page.render(scale=PDF_DPI / 72, grayscale=True)
                image = bitmap.to_pil().convert("L")
            except pdfium.PdfiumError as exc:
                log.info("unreadable PDF page %d: %s", index + 1, exc)
                raise UnreadableFile(f"{index + 1}ページ目が読めません（{DAMAGED}）") from None
            yield image
    finally:
        document.close()


def _image_pages(data: bytes) -> Iterator[Image.Image]:
    try:
        image = Image.open(io.BytesIO(data))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UnreadableFile("PDFまたはTIFFとして読めません") from None
    with image:
        try:
            for index, frame in enumerate(ImageSequence.Iterator(image)):
                try:
                    gray = frame.convert("L")
                except (OSError, SyntaxError, ValueError) as exc:
                    log.info("unreadable TIFF page %d: %s", index + 1, exc)
                    raise UnreadableFile(f"{index + 1}ページ目が読めません（{DAMAGED}）") from None
                yield gray
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            log.info("damaged TIFF: %s", exc)
            raise UnreadableFile(f"TIFFとして読めません（{DAMAGED}）") from None


def _read_page(number: int, image: Image.Image) -> FaxPage:
    size = image.size
    found = _barcodes(image)
    if not found:
        return FaxPage(number, size, problem=NO_BARCODE)
    matches: list[BarcodeMatch] = []
    rotation: int | None = None
    for text, orientation in found:
        parsed = parse_payload(text)
        if parsed is None:
            continue  # someone else's barcode (a referral letter's, a courier's)
        match = BarcodeMatch(*parsed)
        if match not in matches:
            matches.append(match)
        if rotation is None:
            rotation = orientation
    if not matches:
        return FaxPage(number, size, problem=NOT_OURS)
    return FaxPage(number, size, tuple(matches), rotation)


def _barcodes(image: Image.Image) -> Sequence[tuple[str, int]]:
    """The Code 128 barcodes on an image: text, and how it was turned (0/90/180/270)."""
    # One format: faster, and nothing else mistaken for ours. (The stubs of zxing-cpp 3 want
    # a BarcodeFormats; one BarcodeFormat is accepted by 2.x and 3.x alike.)
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)  # type: ignore[arg-type]
    return [(r.text, round(r.orientation / 90) % 4 * 90) for r in results if r.valid]
