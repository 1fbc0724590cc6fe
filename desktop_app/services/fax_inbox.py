"""受信FAX: received faxes in the inbox folder, filed under their cases when the clerk confirms.

The clinic's 複合機 or fax server saves each received fax as a PDF or TIFF into a folder
(FAX受信→フォルダ転送). This module, below the screens and without Qt:

- ``InboxWatch`` tells which files are complete: a file still being written (its size or
  time changed since the last look, or changed in the last ``SETTLE_SECONDS``) is left alone.
- ``read_inbox_file`` reads one: the bytes once, hashed (SHA-256) and rendered from the same
  bytes; each page's barcode matched to its case and checklist line (services/fax_read.py). A
  file whose hash is already recorded says when and by whom. It never raises for what the
  file holds: an unreadable one comes back with its reason.
- ``record_fax`` files the pages the clerk confirmed, in ONE transaction: the received_faxes
  row (the file's hash: the same file twice is known), each page's image with its case
  (fax_pages, its SHA-256 in the case's audit entry), the checklist lines received by FAX on
  the file's date, and the case moved on as 書類受領 moves it. A crash before the commit
  leaves nothing; after it, the file is still in the inbox and shows as 記録済み.
- ``set_aside_fax`` records a file the clerk keeps nothing from (an advert, an unreadable
  file), so it too is known by its hash.
- ``archive_fax`` moves a recorded file out of the inbox into the archive folder, and only
  then: nothing leaves the inbox before the clerk has confirmed it.

A page without a barcode of ours is never guessed: it waits for the clerk to name its case
(``case_choice``) or to leave it out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop_app.db.models import CaseDocument, FaxPage, ReceivedFax, SOCase
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.documents import Channel, Direction, DocumentKind
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.forms import FormKind
from desktop_app.domain.paper_trail import RETURNED_FORMS
from desktop_app.domain.roles import Permission
from desktop_app.services import audit
from desktop_app.services.access import requires
from desktop_app.services.fax_read import FaxFile, fax_files, read_fax
from desktop_app.services.paper_trail import document_of, finish, open_case, receive, title
from desktop_app.services.store import Store

SETTLE_SECONDS = 2.0
THUMBNAIL_WIDTH = 150
MAX_FILE_BYTES = 200 * 1024 * 1024  # a fax is a few MB at most; a bigger file is not one

NO_BARCODE = "バーコードが読めません。案件を指定してください。"
NOT_IN_DATABASE = "案件番号 {number} の案件がありません。案件を指定してください。"
CLOSED_CASE = (
    "案件 {number} は「{stage}」で終了しています。記録しないか、別の案件を指定してください。"
)
FILE_CHANGED = "ファイルが読み込んだ後に変わりました。一覧を読み直してから確定してください。"
FILE_GONE = "ファイルが受信フォルダにありません（ほかの端末で保管された可能性があります）。"


# Watching the folder ----------------------------------------------------------------------


class InboxWatch:
    """Which files in the inbox are complete enough to read.

    A file is ready once two looks at it, one after the other, found the same size and
    modification time, and that time is ``settle`` seconds old: a fax server still writing
    it (or a copy over the network still running) changes one or the other.
    """

    def __init__(self, folder: str | Path, settle: float = SETTLE_SECONDS) -> None:
        self.folder = Path(folder)
        self.settle = settle
        self._seen: dict[Path, tuple[int, int]] = {}

    def poll(self, now: float | None = None) -> tuple[list[Path], list[Path]]:
        """(ready, still being written), by name. OSError when the folder cannot be read."""
        now = time.time() if now is None else now
        ready: list[Path] = []
        writing: list[Path] = []
        seen: dict[Path, tuple[int, int]] = {}
        for path in fax_files(self.folder):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue  # moved away between the listing and now
            mark = (stat.st_size, stat.st_mtime_ns)
            seen[path] = mark
            settled = now - stat.st_mtime >= self.settle
            if stat.st_size > 0 and self._seen.get(path) == mark and settled:
                ready.append(path)
            else:
                writing.append(path)
        self._seen = seen
        return ready, writing


# Reading a file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedFax:
    """A file's bytes recorded before: when, by whom, and what came of it."""

    id: int
    recorded_at: dt.datetime
    staff: str
    file_name: str
    pages_kept: int
    note: str  # set aside: the clerk's reason

    @property
    def summary(self) -> str:
        when = self.recorded_at.astimezone().strftime("%Y/%m/%d %H:%M")
        what = f"{self.pages_kept}ページを記録" if self.pages_kept else "記録なしで保管"
        return f"記録済み（{when}・{self.staff}・{what}）"


@dataclass(frozen=True)
class PageProposal:
    """One page and what it is thought to be: read from its barcode, or chosen by the clerk."""

    page: int
    image: bytes  # PNG, black and white: what is kept with the case
    thumbnail: bytes  # PNG, gray, THUMBNAIL_WIDTH wide
    case_id: int | None = None
    case_number: str | None = None
    patient_name: str = ""
    form: FormKind | None = None
    document_id: int | None = None
    document_label: str = ""
    note: str = ""  # e.g. 受領済み: the page is kept, nothing is ticked
    problem: str | None = None  # why it waits for the clerk
    rotation: int | None = None
    adds_application: bool = False  # an application back to a case with no such line yet

    @property
    def ready(self) -> bool:
        return self.case_id is not None and self.problem is None


@dataclass(frozen=True)
class InboxRead:
    """One file of the inbox, read."""

    path: Path
    sha256: str
    size: int
    modified: dt.datetime  # aware
    pages: tuple[PageProposal, ...] = ()
    problem: str | None = None  # the file could not be read at all
    recorded: RecordedFax | None = None  # the same bytes were recorded before

    @property
    def received_on(self) -> dt.date:
        """The day the fax came in: the file's date, on this desk's calendar."""
        return self.modified.astimezone().date()


@requires(Permission.READ_CASES)
def read_inbox_file(store: Store, path: str | Path) -> InboxRead:
    """Read one received file and propose each page's case and checklist line."""
    path = Path(path)
    try:
        stat = path.stat()
        if stat.st_size > MAX_FILE_BYTES:
            raise ValueError
        data = path.read_bytes()
    except ValueError:
        return _unreadable(path, "", stat, "ファイルが大きすぎます（FAXではないようです）")
    except OSError as exc:
        return InboxRead(
            path, "", 0, store.clock.utcnow(),
            problem=f"ファイルを開けません（{exc.strerror or exc}）",
        )  # fmt: skip
    digest = hashlib.sha256(data).hexdigest()
    modified = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)
    recorded = recorded_fax(store, digest)
    if recorded is not None:
        return InboxRead(path, digest, len(data), modified, recorded=recorded)
    fax = read_fax(path, data=data, keep_images=True)
    if fax.problem is not None:
        return InboxRead(path, digest, len(data), modified, problem=fax.problem)
    return InboxRead(path, digest, len(data), modified, _proposals(store, fax))


@requires(Permission.READ_CASES)
def recorded_fax(store: Store, sha256: str) -> RecordedFax | None:
    with store.read() as session:
        row = session.scalar(select(ReceivedFax).where(ReceivedFax.sha256 == sha256))
        if row is None:
            return None
        kept = session.scalar(select(func.count()).where(FaxPage.fax_id == row.id)) or 0
        return RecordedFax(row.id, row.recorded_at, row.staff, row.file_name, kept, row.note)


def _unreadable(path: Path, digest: str, stat: os.stat_result, problem: str) -> InboxRead:
    modified = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)
    return InboxRead(path, digest, stat.st_size, modified, problem=problem)


def _proposals(store: Store, fax: FaxFile) -> tuple[PageProposal, ...]:
    numbers = {m.case_number for page in fax.pages for m in page.matches}
    with store.read() as session:
        cases = {
            case.case_number: case
            for case in session.scalars(select(SOCase).where(SOCase.case_number.in_(numbers)))
        }
        proposals = []
        for page in fax.pages:
            assert page.image is not None
            upright = _upright(page.image, page.rotation)
            image, thumbnail = _page_png(upright), _thumbnail_png(upright)
            base = PageProposal(page.number, image, thumbnail, rotation=page.rotation)
            if not page.matches:
                proposals.append(_with(base, problem=NO_BARCODE))
                continue
            match = page.matches[0]  # two of our barcodes on one page: the first (rare)
            case = cases.get(match.case_number)
            if case is None:
                problem = NOT_IN_DATABASE.format(number=match.case_number)
                proposals.append(_with(base, case_number=match.case_number, problem=problem))
                continue
            proposals.append(_for_case(base, case, match.kind))
        return tuple(proposals)


def _for_case(base: PageProposal, case: SOCase, form: FormKind | None) -> PageProposal:
    """The page as the given case's: its checklist line for the form, or why it waits."""
    named = _with(
        base, case_id=case.id, case_number=case.case_number, patient_name=case.patient.name,
        form=form, document_id=None, document_label="", note="", problem=None,
        adds_application=False,
    )  # fmt: skip
    if not case.stage.is_open:
        stage = case.stage.label
        return _with(named, problem=CLOSED_CASE.format(number=case.case_number, stage=stage))
    doc = _line_for(case, form)
    if doc is not None:
        note = "受領済み：ページのみ保存" if doc.received_on is not None else ""
        return _with(named, document_id=doc.id, document_label=title(doc), note=note)
    if form == FormKind.APPLICATION:
        return _with(
            named, document_label=DocumentKind.APPLICATION.label, note="チェックリストに追加して受領",
            adds_application=True,
        )  # fmt: skip
    if form in RETURNED_FORMS:
        return _with(named, note="チェックリストにない書類：ページのみ保存")
    what = form.menu_label if form is not None else "書類の種類不明"
    return _with(named, note=f"{what}：ページのみ保存")


def _line_for(case: SOCase, form: FormKind | None) -> CaseDocument | None:
    """The case's incoming checklist line for a returned form: one still waiting, else the
    one received already; None when the form is no such line (or the line was waived)."""
    kind = RETURNED_FORMS.get(form) if form is not None else None
    if kind is None:
        return None
    lines = [d for d in case.documents if d.direction == Direction.IN and d.kind == kind]
    waiting = [d for d in lines if d.received_on is None and d.waived_on is None]
    received = [d for d in lines if d.received_on is not None]
    found = waiting or received
    return found[0] if found else None


def _with(proposal: PageProposal, **changes: object) -> PageProposal:
    return replace(proposal, **changes)  # type: ignore[arg-type]


def _upright(image: Image.Image, rotation: int | None) -> Image.Image:
    """The page as a person reads it: square pixels (a standard-mode fax has half as many
    lines as columns) and turned upright by its barcode's turn (pages without one stay as
    they came)."""
    try:
        x_dpi, y_dpi = (float(v) for v in image.info.get("dpi", (0, 0)))
    except (TypeError, ValueError):
        x_dpi = y_dpi = 0.0
    if x_dpi > 0 and y_dpi > 0 and abs(x_dpi - y_dpi) > 1:
        height = round(image.height * x_dpi / y_dpi)
        image = image.resize((image.width, height), Image.Resampling.BILINEAR)
    if rotation:
        image = image.rotate(rotation, expand=True, fillcolor=255)
    return image


def _page_png(image: Image.Image) -> bytes:
    """The page in black and white, as kept: a fax is black and white already."""
    buffer = io.BytesIO()
    image.convert("1", dither=Image.Dither.NONE).save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def _thumbnail_png(image: Image.Image) -> bytes:
    small = image.copy()  # thumbnail() works in place
    small.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 2), Image.Resampling.BILINEAR, 2.0)
    buffer = io.BytesIO()
    small.save(buffer, "PNG")
    return buffer.getvalue()


# The clerk names a page's case ------------------------------------------------------------


@dataclass(frozen=True)
class LineChoice:
    id: int
    label: str
    done: bool  # received or waived already: the page is kept, nothing ticked


@dataclass(frozen=True)
class CaseChoice:
    """A case the clerk named for a page: its open incoming lines to pick from."""

    case_id: int
    case_number: str
    patient_name: str
    stage_label: str
    open: bool
    lines: tuple[LineChoice, ...]
    proposed_line: int | None  # the line the page's form is, when it names one


@requires(Permission.READ_CASES)
def case_choice(store: Store, case_id: int, form: FormKind | None = None) -> CaseChoice:
    with store.read() as session:
        case = session.get(SOCase, case_id)
        if case is None:
            raise ValidationError("案件が見つかりません。")
        lines = tuple(
            LineChoice(d.id, title(d), d.received_on is not None or d.waived_on is not None)
            for d in case.documents
            if d.direction == Direction.IN
        )
        proposed = _line_for(case, form)
        return CaseChoice(
            case.id, case.case_number, case.patient.name, case.stage.label,
            case.stage.is_open, lines, proposed.id if proposed is not None else None,
        )  # fmt: skip


@requires(Permission.READ_CASES)
def assign_page(
    store: Store, proposal: PageProposal, case_id: int, document_id: int | None
) -> PageProposal:
    """The page as the clerk names it: this case, this line (None: keep the page only)."""
    with store.read() as session:
        case = session.get(SOCase, case_id)
        if case is None:
            raise ValidationError("案件が見つかりません。")
        named = _for_case(proposal, case, proposal.form)
        if named.problem is not None:
            return named
        if document_id is None:
            return _with(named, document_id=None, document_label="", note="ページのみ保存")
        doc = document_of(case, document_id)
        if doc.direction != Direction.IN:
            raise ValidationError(f"「{title(doc)}」は受け取る書類ではありません。")
        done = doc.received_on is not None or doc.waived_on is not None
        note = "受領済み：ページのみ保存" if done else ""
        return _with(named, document_id=doc.id, document_label=title(doc), note=note)


# Recording --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFiled:
    """What one case got from a received fax."""

    case_id: int
    case_number: str
    patient_name: str
    pages: tuple[int, ...]
    received: tuple[str, ...]  # checklist lines ticked (受領, FAX)
    stage_before: str
    stage_after: str


@dataclass(frozen=True)
class FaxRecorded:
    fax_id: int
    cases: tuple[CaseFiled, ...]
    left_out: tuple[int, ...]  # pages the clerk kept nothing of

    @property
    def summary(self) -> str:
        parts = []
        for c in self.cases:
            what = "・".join(c.received) if c.received else "ページのみ保存"
            moved = (
                f"（{c.stage_before} → {c.stage_after}）" if c.stage_before != c.stage_after else ""
            )
            parts.append(f"{c.case_number} {c.patient_name} 様：{what}{moved}")
        if self.left_out:
            parts.append(f"記録しないページ：{', '.join(map(str, self.left_out))}")
        return "　".join(parts)


@dataclass(frozen=True)
class PageAssignment:
    """What to do with one page: file it under a case (as a checklist line, or the page
    only), or leave it out (it stays in the archived file only)."""

    page: int
    case_id: int | None  # None: left out
    document_id: int | None = None
    adds_application: bool = False

    @classmethod
    def of(cls, proposal: PageProposal) -> PageAssignment:
        """The page as proposed; a page still waiting for the clerk is left out."""
        if not proposal.ready:
            return cls(proposal.page, None)
        return cls(proposal.page, proposal.case_id, proposal.document_id, proposal.adds_application)


@requires(Permission.CASE_WORK)
def record_fax(store: Store, read: InboxRead, assignments: Sequence[PageAssignment]) -> FaxRecorded:
    """File the confirmed pages of one received file under their cases, all or nothing."""
    if read.problem is not None or read.recorded is not None or not read.pages:
        raise ValidationError("このファイルは記録できません。")
    by_page = {a.page: a for a in assignments}
    numbers = [p.page for p in read.pages]
    if sorted(by_page) != numbers or len(assignments) != len(numbers):
        raise ValidationError(
            "すべてのページについて、案件を指定するか「記録しない」にしてください。"
        )
    if all(a.case_id is None for a in assignments):
        raise ValidationError("記録するページがありません。「記録せずに保管」を使ってください。")
    _check_unchanged(read)
    on = min(read.received_on, store.clock.today())
    images = {p.page: p for p in read.pages}
    with store.transaction() as session:
        _refuse_recorded(session, read.sha256)
        fax = _fax_row(session, store, read, note="")
        filed = []
        for case_id in dict.fromkeys(a.case_id for a in assignments if a.case_id is not None):
            pages = [a for a in assignments if a.case_id == case_id]
            filed.append(_file_case(session, store, read, fax, case_id, pages, images, on))
        left_out = tuple(a.page for a in assignments if a.case_id is None)
        return FaxRecorded(fax.id, tuple(filed), left_out)


@requires(Permission.CASE_WORK)
def set_aside_fax(store: Store, read: InboxRead, reason: str) -> int:
    """Record a file nothing is kept from (its hash, the reason), so it can be archived."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("記録せずに保管する理由を入力してください。", field="reason")
    if read.recorded is not None:
        raise ValidationError("このファイルはすでに記録されています。")
    if not read.sha256:
        raise ValidationError(FILE_GONE)
    _check_unchanged(read)
    with store.transaction() as session:
        _refuse_recorded(session, read.sha256)
        fax = _fax_row(session, store, read, note=reason)
        audit.record(
            session, store.staff, AuditAction.FAX_SET_ASIDE, "fax", fax.id,
            summary=f"受信FAXを記録せずに保管：{read.path.name}（理由：{reason}）",
            after={"file": read.path.name, "sha256": read.sha256, "pages": len(read.pages),
                   "reason": reason, "problem": read.problem},
        )  # fmt: skip
        return fax.id


def _check_unchanged(read: InboxRead) -> None:
    try:
        data = read.path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(FILE_GONE) from None
    except OSError as exc:
        raise ValidationError(f"ファイルを開けません（{exc.strerror or exc}）") from None
    if hashlib.sha256(data).hexdigest() != read.sha256:
        raise ValidationError(FILE_CHANGED)


def _refuse_recorded(session: Session, sha256: str) -> None:
    row = session.scalar(select(ReceivedFax).where(ReceivedFax.sha256 == sha256))
    if row is not None:
        when = row.recorded_at.astimezone().strftime("%Y/%m/%d %H:%M")
        raise ValidationError(f"このFAXはすでに記録されています（{when}・{row.staff}）。")


def _fax_row(session: Session, store: Store, read: InboxRead, *, note: str) -> ReceivedFax:
    fax = ReceivedFax(
        sha256=read.sha256, file_name=read.path.name[:255], file_time=read.modified,
        pages=len(read.pages), staff=store.staff, note=note,
    )  # fmt: skip
    session.add(fax)
    session.flush()
    return fax


def _file_case(
    session: Session,
    store: Store,
    read: InboxRead,
    fax: ReceivedFax,
    case_id: int,
    pages: list[PageAssignment],
    images: dict[int, PageProposal],
    on: dt.date,
) -> CaseFiled:
    case = open_case(session, case_id, None)
    stage_before = case.stage
    received: list[CaseDocument] = []
    kept = []
    for assignment in pages:
        proposal = images[assignment.page]
        doc = _document_for(session, case, assignment)
        if doc is not None and doc.received_on is None and doc.waived_on is None:
            receive(doc, on, Channel.FAX, f"受信FAX {read.path.name}")
            received.append(doc)
        digest = hashlib.sha256(proposal.image).hexdigest()
        session.add(
            FaxPage(
                fax_id=fax.id, page=assignment.page, case_id=case.id,
                document_id=doc.id if doc is not None else None,
                form=proposal.form.value if proposal.form is not None else "",
                image=proposal.image, image_sha256=digest,
            )
        )  # fmt: skip
        kept.append({"page": assignment.page, "sha256": digest,
                     "document": doc.id if doc is not None else None})  # fmt: skip
    names = list(dict.fromkeys(title(d) for d in received))
    what = "、".join(names) if names else "ページのみ保存"
    page_list = ", ".join(str(a.page) for a in pages)
    detail = finish(
        session, store, case, AuditAction.FAX_RECEIVE,
        f"受信FAX：{what}（FAX、{on.isoformat()}、{read.path.name} {page_list}ページ）",
        {"file": read.path.name, "sha256": read.sha256, "on": on.isoformat(),
         "channel": Channel.FAX.value, "documents": [d.id for d in received], "pages": kept},
    )  # fmt: skip
    return CaseFiled(
        case.id, case.case_number, detail.patient.name, tuple(a.page for a in pages),
        tuple(names), stage_before.label, detail.stage.label,
    )  # fmt: skip


def _document_for(
    session: Session, case: SOCase, assignment: PageAssignment
) -> CaseDocument | None:
    """The checklist line a page is recorded as; a returned application with no line gets
    one, as 書類受領 does; None: the page is kept and nothing is ticked."""
    if assignment.document_id is not None:
        doc = document_of(case, assignment.document_id)
        if doc.direction != Direction.IN:
            raise ValidationError(f"「{title(doc)}」は受け取る書類ではありません。")
        return doc
    if not assignment.adds_application:
        return None
    line = _line_for(case, FormKind.APPLICATION)  # one added by an earlier page of this file
    if line is not None:
        return line
    doc = CaseDocument(
        case_id=case.id, kind=DocumentKind.APPLICATION, direction=Direction.IN, required=True
    )
    case.documents.append(doc)
    session.flush()
    return doc


# Moving a recorded file out of the inbox --------------------------------------------------


def archive_fax(path: str | Path, archive: str | Path, received: dt.datetime) -> Path:
    """Move a recorded file into ``archive``/YYYY-MM/, never over another file; the new path.

    On one disk a rename; across disks (a network inbox, a local archive) a copy finished
    under a temporary name, renamed, and only then the original removed: a crash leaves the
    original in the inbox (where its hash shows it as recorded), never a half file in place.
    """
    source = Path(path)
    month = received.astimezone().strftime("%Y-%m")
    folder = Path(archive) / month
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = _free_name(folder, source.name)
        try:
            os.link(source, target)  # fails rather than replace a file that appeared
        except OSError:
            partial = folder / f".{target.name}.part"
            shutil.copy2(source, partial)
            with partial.open("rb") as f:
                os.fsync(f.fileno())
            os.replace(partial, target)
        source.unlink()
    except FileNotFoundError:
        raise ValidationError(FILE_GONE) from None
    except OSError as exc:
        raise ValidationError(
            f"保管フォルダに移せません：{folder}（{exc.strerror or exc}）"
        ) from None
    return target


def _free_name(folder: Path, name: str) -> Path:
    target = folder / name
    stem, suffix = target.stem, target.suffix
    number = 2
    while target.exists():
        target = folder / f"{stem}-{number}{suffix}"
        number += 1
    return target
