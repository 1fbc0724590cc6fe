"""``sodesk fax scan``: what each page of received faxes matched, recording nothing.

    sodesk fax scan 受信/20261203_0930.pdf
    sodesk fax scan //fax-server/受信 --db //server/sodesk.db

For the hospital's IT setting the inbox up: one line per page, the file, the page, the case
number and the form its barcode says (or 読めません). With ``--db`` the case numbers are
looked up too (「案件が見つかりません」 for one the database does not have); without it
nothing is opened but the files. Exit 0 when every file could be read: a page without a
barcode is an answer, a damaged or unknown file is not.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.cli import EXIT_OK, EXIT_PROBLEM, _tolerant_stdout

if TYPE_CHECKING:  # the reader (pypdfium2, zxing-cpp) loads when a fax is read
    from desktop_app.services.fax_read import CaseMatch, FaxFile
    from desktop_app.services.store import Store

COMMAND = "fax"


def add_fax_parser(
    sub: Any,
    parents: Sequence[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    """The ``fax`` subcommand (``parents``: the common --db, which is optional here)."""
    fax = sub.add_parser(COMMAND, help="受信FAXのファイルを読む")
    actions = fax.add_subparsers(
        dest="fax_command", metavar="ACTION", required=True, parser_class=type(fax)
    )
    scan = actions.add_parser(
        "scan",
        parents=list(parents),
        help="各ページのバーコードが示す案件と書類を表示する（何も記録しない）",
    )
    scan.add_argument(
        "paths",
        nargs="+",
        metavar="FILE|FOLDER",
        help="受信FAXのPDF・TIFF、またはそれらのあるフォルダ",
    )
    return fax


def run_fax(args: argparse.Namespace) -> int:
    """Read each file named (or each PDF and TIFF of each folder) and print its pages."""
    from desktop_app.services.fax_read import read_fax

    _tolerant_stdout()
    store: Store | None = None
    db = getattr(args, "db", None)
    if db is not None:
        from desktop_app.services.store import open_store

        store = open_store(db)
    all_read = True
    try:
        for path in _files(args.paths):
            if path is None:
                all_read = False
                continue
            fax = read_fax(path)
            if not fax.readable:
                print(f"{path.name}  読み込めません：{fax.problem}")
                all_read = False
                continue
            for page, text in _lines(fax, store):
                print(f"{path.name}  {page}ページ  {text}")
    finally:
        if store is not None:
            store.close()
    return EXIT_OK if all_read else EXIT_PROBLEM


def _lines(fax: FaxFile, store: Store | None) -> list[tuple[int, str]]:
    """Per page, one line per barcode of ours (the case looked up when there is a
    database), or why nothing was read."""
    from desktop_app.services.fax_read import match_cases

    if store is not None:
        return [(entry.page, _entry_text(entry)) for entry in match_cases(store, fax)]
    return [
        (page.number, f"{m.case_number}  {m.form_label}" if m else str(page.problem))
        for page in fax.pages
        for m in (page.matches or (None,))
    ]


def _entry_text(entry: CaseMatch) -> str:
    if entry.case_number is None:
        return str(entry.problem)
    text = f"{entry.case_number}  {entry.form_label}"
    return f"{text}  {entry.problem}" if entry.problem else text


def _files(paths: Sequence[str]) -> list[Path | None]:
    """Each file given, each fax file of each folder given; None (after its line) for a
    path that is neither."""
    from desktop_app.services.fax_read import fax_files

    found: list[Path | None] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            try:
                inside = fax_files(path)
            except OSError as exc:
                print(f"{path}  フォルダを読めません：{exc.strerror or exc}")
                found.append(None)
                continue
            if not inside:
                print(f"{path}  PDF・TIFFのファイルがありません")
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            print(f"{path}  ファイルもフォルダもありません")
            found.append(None)
    return found
