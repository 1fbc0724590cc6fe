"""``sodesk import FILE.xlsx|FILE.csv [--dry-run] [--mapping FILE]``: the office's ledger.

Exit 0 when every row was imported (or, with --dry-run, would be) or had been before;
otherwise 1, with each refused row on a line of its own (「行 12 生年月日: …」).
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

from desktop_app.domain.errors import ValidationError
from desktop_app.domain.ledger import field_from_name

MAPPING_HELP = (
    '列の割り当て（JSON {"見出し": "項目"} か、見出し,項目 の2列の CSV）。'
    "項目は 受付日・氏名・フリガナ… か received_on・name…、空なら取り込まない列"
)


def add_import_parser(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """The ``import`` subcommand (cli.build_parser passes its subparsers and [signed])."""
    command = sub.add_parser(
        "import", parents=parents, help="受付台帳（Excel・CSV）から案件を取り込む"
    )
    command.add_argument("file", metavar="FILE", help="台帳のファイル（.xlsx か .csv）")
    command.add_argument(
        "--dry-run",
        action="store_true",
        help="何も書き込まず、登録する行・取り込めない行・登録済みの患者を表示する",
    )
    command.add_argument("--mapping", metavar="FILE", help=MAPPING_HELP)


def read_mapping_file(path: Path) -> dict[str, str]:
    """A mapping file: JSON (an object) or a CSV of header,field rows; fields checked."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise ValidationError(f"割り当てのファイル {path.name} を読めません。") from None
    pairs: list[tuple[str, str]]
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise ValidationError(
                f"割り当てのファイル {path.name} は JSON として読めません。"
            ) from None
        if not isinstance(data, dict):
            raise ValidationError(
                f"割り当てのファイル {path.name} は {{見出し: 項目}} の形にしてください。"
            )
        pairs = [(str(k), "" if v is None else str(v)) for k, v in data.items()]
    else:
        pairs = [
            (row[0], row[1] if len(row) > 1 else "") for row in csv.reader(text.splitlines()) if row
        ]
    mapping: dict[str, str] = {}
    for header, name in pairs:
        field = field_from_name(name) if name.strip() else None
        if name.strip() and field is None:
            raise ValidationError(f"割り当ての「{header}」の項目「{name}」が分かりません。")
        mapping[header.strip()] = field.value if field else ""
    return mapping


def run_import(args: argparse.Namespace) -> int:
    """Run ``sodesk import`` (after the parser): sign in, dry run or import, print the lines."""
    from desktop_app.cli import EXIT_OK, EXIT_PROBLEM, _sign_in
    from desktop_app.services.ledger_import import import_ledger, preview_ledger, summary_lines
    from desktop_app.services.store import open_store

    mapping = read_mapping_file(Path(args.mapping)) if args.mapping else None
    store = open_store(args.db)
    try:
        _sign_in(store, args.user)
        if args.dry_run:
            preview = preview_ledger(store, Path(args.file), mapping)
        else:
            result = import_ledger(store, Path(args.file), mapping)
            preview = result.preview
    finally:
        store.close()
    for line in summary_lines(preview):
        print(line)
    for problem in preview.refused:
        print(problem)
    if args.dry_run:
        print("確認のみ（何も書き込んでいません）")
    else:
        print(f"登録しました: 案件 {result.created:,} 件（新しい患者 {result.new_patients:,} 人）")
    return EXIT_OK if preview.ok else EXIT_PROBLEM
