"""受信FAX filed under its cases: read from the inbox, confirmed, recorded in one transaction,
known again by its hash, archived only after it is recorded."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select, update

from desktop_app.db.models import AuditEntry, FaxPage, ReceivedFax
from desktop_app.domain.audit_actions import AuditAction
from desktop_app.domain.desk import DeskSettings, TextSize
from desktop_app.domain.documents import Channel, Direction, DocumentKind
from desktop_app.domain.errors import ValidationError
from desktop_app.domain.forms import FormKind
from desktop_app.domain.stages import Stage
from desktop_app.services.cases import get_case, move_stage
from desktop_app.services.desk_settings import (
    load_desk_settings,
    save_desk_settings,
    update_desk_settings,
)
from desktop_app.services.fax_inbox import (
    FILE_CHANGED,
    FILE_GONE,
    NO_BARCODE,
    InboxWatch,
    PageAssignment,
    archive_fax,
    assign_page,
    case_choice,
    read_inbox_file,
    record_fax,
    set_aside_fax,
)
from desktop_app.services.fax_pages import kept_page_image, kept_pages
from desktop_app.services.fax_read import read_fax
from tests.fax_samples import FINE, STANDARD, blank_page, fax, form, pdf, tiff

YESTERDAY = dt.datetime(2026, 12, 2, 16, 40).astimezone()


def _dated(path: Path, when: dt.datetime = YESTERDAY) -> Path:
    stamp = when.timestamp()
    os.utime(path, (stamp, stamp))
    return path


def _application_fax(store, case_id: int, path: Path) -> Path:
    return _dated(tiff(path, [fax(form(store, FormKind.APPLICATION, case_id), FINE)]))


def _document(store, case_id: int, kind: DocumentKind):
    detail = get_case(store, case_id)
    return next(d for d in detail.documents if d.kind == kind and d.direction == Direction.IN)


def _audit(store, action: AuditAction) -> list[AuditEntry]:
    with store.read() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _count(store, model) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_faxed_application_is_received_on_the_files_day_and_kept_with_its_case(
    store, make_case, tmp_path
) -> None:
    case = make_case()
    assert case.stage == Stage.INQUIRY
    read = read_inbox_file(store, _application_fax(store, case.id, tmp_path / "fax1.tif"))
    (page,) = read.pages
    assert page.ready and page.case_id == case.id and page.form is FormKind.APPLICATION
    assert page.document_label == DocumentKind.APPLICATION.label

    done = record_fax(store, read, [PageAssignment.of(page)])

    (filed,) = done.cases
    assert filed.received == (DocumentKind.APPLICATION.label,)
    doc = _document(store, case.id, DocumentKind.APPLICATION)
    assert doc.received_on == YESTERDAY.date()  # the file's day, not today's
    assert type(doc.channel) is Channel and doc.channel is Channel.FAX
    assert get_case(store, case.id).stage == Stage.APPLICATION_RECEIVED  # as 書類受領 moves it
    (kept,) = kept_pages(store, case.id)
    image = kept_page_image(store, kept.id)
    assert image.startswith(b"\x89PNG") and kept.form_label == "申込書"
    (entry,) = _audit(store, AuditAction.FAX_RECEIVE)
    assert entry.case_id == case.id
    assert entry.after["sha256"] == hashlib.sha256((tmp_path / "fax1.tif").read_bytes()).hexdigest()
    assert entry.after["pages"] == [
        {"page": 1, "sha256": hashlib.sha256(image).hexdigest(), "document": doc.id}
    ]
    assert "申込書受領" in entry.summary


def test_pages_of_two_cases_in_one_file_are_filed_under_each(store, make_case, tmp_path) -> None:
    first, second = make_case(), make_case(name="佐藤　花子", furigana="サトウ　ハナコ")
    pages = [
        fax(form(store, FormKind.APPLICATION, first.id), STANDARD, skew=1.5),
        fax(form(store, FormKind.APPLICATION, second.id), FINE, upside_down=True),
    ]
    read = read_inbox_file(store, _dated(tiff(tmp_path / "two.tif", pages, "group3")))
    assert [p.case_id for p in read.pages] == [first.id, second.id]

    done = record_fax(store, read, [PageAssignment.of(p) for p in read.pages])

    assert [(c.case_id, c.pages) for c in done.cases] == [(first.id, (1,)), (second.id, (2,))]
    assert [e.case_id for e in _audit(store, AuditAction.FAX_RECEIVE)] == [first.id, second.id]
    assert [p.page for p in kept_pages(store, first.id)] == [1]
    assert [p.page for p in kept_pages(store, second.id)] == [2]
    assert _count(store, ReceivedFax) == 1


def test_a_page_without_a_barcode_waits_for_the_clerk_and_is_never_guessed(
    store, make_case, tmp_path
) -> None:
    case = make_case()
    pages = [fax(form(store, FormKind.APPLICATION, case.id), FINE), fax(blank_page(), FINE)]
    read = read_inbox_file(store, _dated(pdf(tmp_path / "lab.pdf", pages)))
    first, lab = read.pages  # the second: a referral letter on the doctor's own paper
    assert lab.case_id is None and lab.problem == NO_BARCODE and not lab.ready
    assert PageAssignment.of(lab) == PageAssignment(2, None)  # left out unless named

    # The clerk names the case and, from its checklist, the line the page is.
    choice = case_choice(store, case.id)
    letter = _document(store, case.id, DocumentKind.REFERRAL_LETTER)  # on the doctor's paper
    assert letter.id in [line.id for line in choice.lines]
    named = assign_page(store, lab, case.id, letter.id)
    assert named.ready and named.document_label == letter.display_label

    record_fax(store, read, [PageAssignment.of(first), PageAssignment.of(named)])
    assert _document(store, case.id, DocumentKind.REFERRAL_LETTER).channel is Channel.FAX
    assert [p.document_label for p in kept_pages(store, case.id)] == [
        DocumentKind.APPLICATION.label,
        letter.display_label,
    ]


def test_a_page_left_out_is_not_kept_and_a_file_of_nothing_is_refused(
    store, make_case, tmp_path
) -> None:
    case = make_case()
    pages = [fax(form(store, FormKind.APPLICATION, case.id), FINE), fax(blank_page(), FINE)]
    read = read_inbox_file(store, _dated(pdf(tmp_path / "ad.pdf", pages)))
    with pytest.raises(ValidationError, match="記録するページがありません"):
        record_fax(store, read, [PageAssignment(1, None), PageAssignment(2, None)])
    with pytest.raises(ValidationError, match="すべてのページ"):
        record_fax(store, read, [PageAssignment.of(read.pages[0])])
    done = record_fax(store, read, [PageAssignment.of(p) for p in read.pages])
    assert done.left_out == (2,)
    assert [p.page for p in kept_pages(store, case.id)] == [1]


def test_the_same_file_twice_is_known_by_its_hash(store, make_case, tmp_path) -> None:
    case = make_case()
    original = _application_fax(store, case.id, tmp_path / "fax.tif")
    read = read_inbox_file(store, original)
    record_fax(store, read, [PageAssignment.of(p) for p in read.pages])

    copy = tmp_path / "fax (1).tif"
    shutil.copy2(original, copy)
    again = read_inbox_file(store, copy)
    assert again.recorded is not None and not again.pages
    assert "記録済み" in again.recorded.summary and "1ページを記録" in again.recorded.summary
    with pytest.raises(ValidationError, match="すでに記録されています"):
        record_fax(store, read, [PageAssignment.of(p) for p in read.pages])  # the old read
    assert _count(store, ReceivedFax) == 1 and _count(store, FaxPage) == 1


def test_an_unknown_case_number_waits_for_the_clerk(store, make_case, tmp_path) -> None:
    case = make_case()
    path = _application_fax(store, case.id, tmp_path / "fax.tif")
    with store.transaction() as session:  # the number on the paper is no case of ours
        from desktop_app.db.models import SOCase

        session.execute(update(SOCase).values(case_number="SO-2026-9999"))
    (page,) = read_inbox_file(store, path).pages
    assert page.case_id is None and "案件番号 SO-2026-0001 の案件がありません" in (
        page.problem or ""
    )


def test_a_file_that_cannot_be_recorded_whole_records_nothing(store, make_case, tmp_path) -> None:
    first, second = make_case(), make_case(name="佐藤　花子", furigana="サトウ　ハナコ")
    pages = [
        fax(form(store, FormKind.APPLICATION, first.id), FINE),
        fax(form(store, FormKind.APPLICATION, second.id), FINE),
    ]
    read = read_inbox_file(store, _dated(tiff(tmp_path / "two.tif", pages)))
    move_stage(store, second.id, Stage.CANCELLED, reason="ご本人の都合")  # after the read

    with pytest.raises(ValidationError, match="終了しています"):
        record_fax(store, read, [PageAssignment.of(p) for p in read.pages])

    assert _document(store, first.id, DocumentKind.APPLICATION).received_on is None
    assert get_case(store, first.id).stage == Stage.INQUIRY
    assert _count(store, ReceivedFax) == 0 and _count(store, FaxPage) == 0
    assert not _audit(store, AuditAction.FAX_RECEIVE)
    # Read again, the closed case's page says so and waits.
    again = read_inbox_file(store, read.path)
    assert again.pages[1].problem is not None and "終了しています" in again.pages[1].problem


def test_a_file_changed_after_it_was_read_is_refused(store, make_case, tmp_path) -> None:
    case = make_case()
    path = _application_fax(store, case.id, tmp_path / "fax.tif")
    read = read_inbox_file(store, path)
    with path.open("ab") as f:
        f.write(b"more")
    with pytest.raises(ValidationError, match=FILE_CHANGED):
        record_fax(store, read, [PageAssignment.of(p) for p in read.pages])
    path.unlink()
    with pytest.raises(ValidationError, match=FILE_GONE):
        record_fax(store, read, [PageAssignment.of(p) for p in read.pages])
    assert _count(store, ReceivedFax) == 0


def test_an_unreadable_file_is_set_aside_with_its_reason_and_known_again(store, tmp_path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4 this is not a PDF")
    _dated(path)
    read = read_inbox_file(store, path)
    assert read.problem is not None and not read.pages
    with pytest.raises(ValidationError, match="理由"):
        set_aside_fax(store, read, "  ")
    set_aside_fax(store, read, "読めないファイル（送信元に再送を依頼）")
    (entry,) = _audit(store, AuditAction.FAX_SET_ASIDE)
    assert entry.after["sha256"] == read.sha256 and entry.after["problem"] == read.problem
    again = read_inbox_file(store, path)
    assert again.recorded is not None and "記録なしで保管" in again.recorded.summary


def test_a_file_still_being_written_is_not_read(tmp_path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    watch = InboxWatch(inbox, settle=2.0)
    growing = inbox / "fax.pdf"
    growing.write_bytes(b"%PDF-1.4 part")
    now = growing.stat().st_mtime
    assert watch.poll(now + 10) == ([], [growing])  # seen once: not yet
    with growing.open("ab") as f:
        f.write(b" more")
    assert watch.poll(now + 20) == ([], [growing])  # it grew since
    assert watch.poll(now + 30) == ([growing], [])  # the same twice, settled
    fresh = inbox / "fresh.tif"
    fresh.write_bytes(b"II*\x00")
    watch.poll(fresh.stat().st_mtime)
    ready, writing = watch.poll(fresh.stat().st_mtime + 0.5)
    assert fresh in writing  # unchanged, but written a moment ago
    (inbox / "empty.pdf").write_bytes(b"")
    (inbox / ".hidden.pdf").write_bytes(b"x")
    (inbox / "notes.txt").write_bytes(b"x")
    watch.poll(now + 40)
    ready, writing = watch.poll(now + 50)
    assert inbox / "empty.pdf" in writing and all(p.suffix in {".pdf", ".tif"} for p in ready)
    assert not any(p.name.startswith(".") for p in ready + writing)


def test_archive_moves_the_file_by_month_never_over_another(tmp_path) -> None:
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir()
    first = inbox / "fax.pdf"
    first.write_bytes(b"one")
    moved = archive_fax(first, archive, YESTERDAY)
    assert moved == archive / "2026-12" / "fax.pdf" and moved.read_bytes() == b"one"
    assert not first.exists()
    first.write_bytes(b"two")
    again = archive_fax(first, archive, YESTERDAY)
    assert again == archive / "2026-12" / "fax-2.pdf" and again.read_bytes() == b"two"
    assert (archive / "2026-12" / "fax.pdf").read_bytes() == b"one"
    with pytest.raises(ValidationError, match=FILE_GONE):
        archive_fax(first, archive, YESTERDAY)


def test_a_kept_page_whose_image_was_changed_is_refused(store, make_case, tmp_path) -> None:
    case = make_case()
    read = read_inbox_file(store, _application_fax(store, case.id, tmp_path / "fax.tif"))
    record_fax(store, read, [PageAssignment.of(p) for p in read.pages])
    (kept,) = kept_pages(store, case.id)
    with store.transaction() as session:
        session.execute(update(FaxPage).values(image=b"\x89PNG forged"))
    with pytest.raises(ValidationError, match="SHA-256"):
        kept_page_image(store, kept.id)


def test_the_desk_settings_are_this_desks_and_survive_a_damaged_file(tmp_path) -> None:
    path = tmp_path / "desk" / "desk.json"
    assert load_desk_settings(path) == DeskSettings()
    update_desk_settings(path, fax_inbox="/srv/fax/in", text_size=TextSize.LARGE)
    settings = update_desk_settings(path, fax_archive="/srv/fax/done")
    assert settings == DeskSettings(TextSize.LARGE, "/srv/fax/in", "/srv/fax/done")
    assert load_desk_settings(path) == settings
    assert path.stat().st_mode & 0o777 == 0o600
    path.write_text("{not json", encoding="utf-8")
    assert load_desk_settings(path) == DeskSettings()
    path.write_text('{"text_size": "huge", "fax_inbox": 3}', encoding="utf-8")
    assert load_desk_settings(path) == DeskSettings()
    save_desk_settings(DeskSettings(fax_inbox="C:\\FAX"), path)
    assert load_desk_settings(path).fax_inbox == "C:\\FAX"


def test_a_page_fed_upside_down_in_standard_mode_is_kept_upright_and_square(
    store, make_case, tmp_path
) -> None:
    case = make_case()
    page = fax(form(store, FormKind.APPLICATION, case.id), STANDARD, upside_down=True)
    read = read_inbox_file(store, _dated(tiff(tmp_path / "turned.tif", [page], "group3")))
    (proposal,) = read.pages
    assert proposal.rotation == 180 and proposal.case_id == case.id
    kept = Image.open(io.BytesIO(proposal.image))
    assert 1.38 < kept.height / kept.width < 1.44  # A4, not squashed to half its height
    upright = read_fax(tmp_path / "kept.png", data=proposal.image)
    assert upright.pages[0].rotation == 0  # the barcode now reads the right way up


def test_sodesk_check_names_a_kept_page_changed_behind_the_programs_back(
    store, make_case, tmp_path, db_path
) -> None:
    from desktop_app.services.maintenance import check_database

    case = make_case()
    read = read_inbox_file(store, _application_fax(store, case.id, tmp_path / "fax.tif"))
    record_fax(store, read, [PageAssignment.of(p) for p in read.pages])
    assert check_database(str(db_path)).problems == ()
    forged = b"\x89PNG another page"
    with store.transaction() as session:  # a new image, and its hash, written with another tool
        session.execute(
            update(FaxPage).values(image=forged, image_sha256=hashlib.sha256(forged).hexdigest())
        )
    (problem,) = check_database(str(db_path)).problems
    assert "受信FAXのページ" in problem and "一致しません" in problem
