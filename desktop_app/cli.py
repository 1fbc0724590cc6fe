"""Command line: ``sodesk`` opens the window; subcommands look after the database.

Bad input prints one line and exits non-zero; never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from desktop_app import __version__
from desktop_app.domain import clock

if TYPE_CHECKING:
    from desktop_app.services.store import Store

log = logging.getLogger("desktop_app")

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2


LOG_FILE = "sodesk.log"


def _one_line(text: str) -> str:
    """Messages can quote what was typed, line breaks included; the terminal gets one line."""
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def _say(message: str) -> None:
    print(f"sodesk: {_one_line(message)}", file=sys.stderr)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not the usage block
        self.exit(EXIT_USAGE, f"sodesk: {_one_line(message)}（sodesk --help で使い方を表示）\n")


def _db_option(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=default,
        help="データベースのファイルまたはURL（既定: 環境変数 SODESK_DATABASE_URL、なければデータフォルダ）",
    )


ENV_PASSWORD = "SODESK_PASSWORD"


# The subcommands build_parser adds (tests/test_cli.py checks the two agree).
COMMANDS = ("init", "demo", "check", "print", "backup", "restore", "export", "recover-admin")


def _window_parser() -> argparse.ArgumentParser:
    """The options of a plain start (the window), without any subcommand's."""
    parser = _Parser(prog="sodesk", description="SO Desk — セカンドオピニオン外来 受付デスク")
    _db_option(parser, None)
    parser.add_argument("--version", action="version", version=f"SO Desk {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="デモデータベースで画面を開く（初回は作成）"
    )
    parser.set_defaults(command=None)
    return parser


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line. A plain start parses only the window's options: building every
    subcommand's parser takes about 10 ms of the window's start. Anything else, and anything
    the short parser does not know (a mistyped command), goes to the whole parser, so its
    messages are the same either way."""
    given = list(sys.argv[1:] if argv is None else argv)
    if not any(word in COMMANDS or word in ("-h", "--help") for word in given):
        args, rest = _window_parser().parse_known_args(given)
        if not rest:
            return args
    return build_parser().parse_args(given)


def build_parser() -> argparse.ArgumentParser:
    # --db is accepted before or after the subcommand; SUPPRESS keeps the subcommand's
    # parser from overwriting a value given before it.
    common = _Parser(add_help=False)
    _db_option(common, argparse.SUPPRESS)
    # Commands that change a clinic's data (or copy it out) say who runs them.
    signed = _Parser(add_help=False, parents=[common])
    signed.add_argument(
        "--user",
        metavar="LOGIN",
        help=f"担当者のログインID（パスワードは入力を求めるか、環境変数 {ENV_PASSWORD}）。"
        "デモのデータベースでは不要",
    )
    parser = _window_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.add_parser("init", parents=[common], help="データベースを作成・更新する")
    demo = sub.add_parser("demo", parents=[common], help="デモデータベースを作り直す")
    demo.add_argument("--cases", type=int, default=40, metavar="N", help="案件数（既定 40）")
    demo.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    sub.add_parser("check", parents=[common], help="整合性とスキーマのバージョンを確認する")
    from desktop_app.domain.forms import FormKind

    printing = sub.add_parser("print", parents=[signed], help="書類をPDFに出力する")
    printing.add_argument(
        "form",
        choices=[k.value for k in FormKind],
        metavar="FORM",
        help="、".join(k.value for k in FormKind),
    )
    printing.add_argument("--case", metavar="CASE_NUMBER", help="案件番号（なければ白紙の用紙）")
    printing.add_argument(
        "--date", metavar="YYYY-MM-DD", type=_iso_date, help="本日の予約一覧の日付（既定: 今日）"
    )
    printing.add_argument("-o", "--output", required=True, metavar="FILE.pdf", help="出力先")
    backup = sub.add_parser("backup", parents=[signed], help="データベースのバックアップを作る")
    backup.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="保存先のファイル（既定: 設定の保存先に sodesk-日付-時刻.db。古いものは整理されます）",
    )
    restore = sub.add_parser(
        "restore", parents=[signed], help="バックアップからデータベースを元に戻す"
    )
    restore.add_argument("file", metavar="FILE", help="バックアップファイル")
    export = sub.add_parser(
        "export", parents=[signed], help="案件・入金・統計をCSV（Excel用）に書き出す"
    )
    export.add_argument(
        "what",
        choices=("cases", "payments", "stats"),
        metavar="WHAT",
        help="cases（案件・個人情報を含む）、payments（入金）、stats（統計）",
    )
    export.add_argument(
        "--from", dest="date_from", metavar="YYYY-MM-DD", type=_iso_date, help="期間の開始日"
    )
    export.add_argument(
        "--to", dest="date_to", metavar="YYYY-MM-DD", type=_iso_date, help="期間の終了日"
    )
    export.add_argument("-o", "--output", required=True, metavar="FILE.csv", help="出力先")
    recover = sub.add_parser(
        "recover-admin",
        parents=[common],
        help="管理者がサインインできないとき、管理者アカウントに仮パスワードを設定する（記録が残ります）",
    )
    recover.add_argument("login", metavar="LOGIN", help="管理者にするアカウントのログインID")
    recover.add_argument("--name", default="", help="新しく作るときの氏名（既定: ログインID）")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Loading the program makes a few hundred thousand objects that live as long as it does
    # (SQLAlchemy's, Qt's wrappers, ours); the cycle collector would walk them all several
    # times before the window shows (about 70 ms of a 0.6 s start). It is off until the
    # window is up (ui/app.run_gui) or, for a command, until the command starts.
    gc.disable()
    try:
        return _run(argv)
    finally:
        gc.enable()


def _run(argv: Sequence[str] | None) -> int:
    _configure_logging()
    from desktop_app.domain.errors import ValidationError
    from desktop_app.services.store import StoreError

    try:
        return _dispatch(parse_args(argv))
    except (ValidationError, StoreError) as exc:
        _say(str(exc))
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the clerk gets one line; the log keeps the details
        log.exception("unexpected error")
        _say(f"予期しないエラーです：{exc.__class__.__name__}: {exc}")
        return EXIT_PROBLEM


def _configure_logging() -> None:
    """Warnings and their tracebacks go to a log file in the data folder, not the terminal.

    Whoever investigates reads the log; the clerk reads the one line ``_say`` prints.
    """
    root = logging.getLogger()
    if root.handlers:  # already configured: by tests, or a program that embeds this one
        return
    from logging.handlers import RotatingFileHandler

    from desktop_app.services.store import data_dir
    from desktop_app.services.store_files import FileRefused, make_private_folder

    handler: logging.Handler
    try:
        folder = data_dir()
        make_private_folder(folder)  # the data folder is private from its first file on
        # Rotated at 1 MB, five kept (Vorta keeps its log the same way).
        handler = RotatingFileHandler(
            folder / LOG_FILE, maxBytes=1_000_000, backupCount=5, encoding="utf-8", delay=True
        )
    except (OSError, FileRefused):
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日付は YYYY-MM-DD で指定してください: {text}") from None


def _progress(done: int, total: int) -> None:
    print(f"\r作成中… {done:,} / {total:,} 件", end="" if done < total else "\n", file=sys.stderr)


def _dispatch(args: argparse.Namespace) -> int:
    from desktop_app.services.store import default_database, demo_database, open_store

    if args.command is not None:
        gc.enable()  # a command may make millions of objects (a demo of 100,000 cases)
    if args.command == "init":
        store = open_store(args.db, create=True)
        try:
            print(f"データベース: {store.location}（スキーマ {store.schema().current}）")
        finally:
            store.close()  # closing folds the -wal back in: the folder holds the file alone
        return EXIT_OK
    # maintenance (the demo builder, the checks) is imported where used: not on a plain start.
    if args.command == "demo":
        from desktop_app.services import maintenance

        target = args.db or demo_database()
        if _open_in_a_window(target):
            _say(
                "SO Desk がこのデモデータベースを開いています。画面を閉じてから作り直してください。"
            )
            return EXIT_PROBLEM
        store = maintenance.rebuild_demo(
            target, args.cases, seed=args.seed, progress=_progress if args.cases > 5000 else None
        )
        store.close()
        print(f"デモデータベースを作成しました: {store.location}（{args.cases}件）")
        return EXIT_OK
    if args.command == "check":
        from desktop_app.services import maintenance

        report = maintenance.check_database(args.db)
        for problem in report.problems:
            print(f"問題: {problem}")
        state = "正常" if report.ok else "問題あり"
        print(f"{state}: {report.location}（スキーマ {report.current} / 最新 {report.head}）")
        return EXIT_OK if report.ok else EXIT_PROBLEM
    if args.command == "print":
        return _print(args)
    if args.command == "backup":
        return _backup(args)
    if args.command == "restore":
        return _restore(args)
    if args.command == "export":
        return _export(args)
    if args.command == "recover-admin":
        return _recover_admin(args)
    # Before any database is opened or made: without a screen nothing is to be done.
    if not _display_available():
        _say("画面（ディスプレイ）がないため開けません。")
        return EXIT_PROBLEM
    if args.demo:
        from desktop_app.services import maintenance

        store = maintenance.open_demo(args.db or demo_database())
    else:
        # The clinic's own file is made on the first start; a --db that names nothing is a typo.
        store = open_store(args.db or default_database(), create=args.db is None)
    from desktop_app.ui.app import run_gui

    return run_gui(store)


def _open_in_a_window(target: str) -> bool:
    """True while a window holds the SQLite file's lock (see ui/single_instance.py)."""
    from desktop_app.db.engine import database_url, sqlite_file
    from desktop_app.ui.single_instance import acquire

    path = sqlite_file(database_url(target))
    if path is None or not path.exists():
        return False
    lock = acquire(path)
    if lock is None:
        return True
    lock.unlock()
    return False


def _display_available() -> bool:
    """On Linux, Qt aborts the process without a display; say so in one line instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _print(args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop_app.services.cases import find_case_id
    from desktop_app.services.forms import record_printed, render_form
    from desktop_app.services.store import open_store

    store = open_store(args.db)
    _sign_in(store, args.user)
    case_id = find_case_id(store, args.case) if args.case else None
    form = render_form(store, args.form, case_id, day=args.date)
    output = Path(args.output)
    try:
        output.write_bytes(form.pdf)
    except OSError as exc:
        _say(f"{output} に書き込めません：{exc.strerror}")
        return EXIT_PROBLEM
    record_printed(store, form.kind, case_id, how="PDF保存", day=form.day)
    print(f"{form.title} → {output}")
    return EXIT_OK


def _backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from desktop_app.services.backup import backup_database, open_existing_store

    store = open_existing_store(args.db)
    try:
        _sign_in(store, args.user)
        result = backup_database(store, Path(args.output) if args.output else None)
    finally:
        store.close()
    removed = f"、古いバックアップ {len(result.removed)} 件を削除" if result.removed else ""
    print(f"バックアップを作成しました: {result.path}（{_size(result.size)}{removed}）")
    return EXIT_OK


def _restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from PySide6.QtCore import QLockFile

    from desktop_app.services.backup import database_file, restore_database
    from desktop_app.ui.single_instance import lock_path

    path = database_file(args.db)
    lock = None
    if path is not None:
        # The window holds this lock while it has the database open (ui/app.py).
        path.parent.mkdir(parents=True, exist_ok=True)  # a restore onto a new machine
        lock = QLockFile(lock_path(path))
        lock.setStaleLockTime(0)  # an open window's lock is never "old", however long it is open
        if not lock.tryLock(0):
            if lock.error() == QLockFile.LockError.LockFailedError:
                reason = (
                    "SO Desk がこのデータベースを開いています。画面を閉じてから復元してください"
                )
            else:
                reason = "ロックファイルを作れないため、復元できません"
            print(f"sodesk: {reason}：{path}", file=sys.stderr)
            return EXIT_PROBLEM
    try:
        who = _restorer(args)
        result = restore_database(args.db, Path(args.file))
        _record_restore(args.db, who, result.restored_from)
    finally:
        if lock is not None:
            lock.unlock()
    kept = (
        f"元のデータベースは {result.previous} に残しました"
        if result.previous
        else "元のデータベースはありませんでした"
    )
    print(f"復元しました: {result.database} ← {result.restored_from}（{kept}）")
    return EXIT_OK


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024)):,} KB"


def _export(args: argparse.Namespace) -> int:
    from desktop_app.domain.statistics import period_from_dates
    from desktop_app.services.export import export_cases, export_payments, export_stats
    from desktop_app.services.store import open_store

    store = open_store(args.db)
    try:
        _sign_in(store, args.user)
        if args.what == "stats":
            period = period_from_dates(args.date_from, args.date_to, clock.today())
            result = export_stats(store, args.output, period)
        else:
            export = export_cases if args.what == "cases" else export_payments
            result = export(store, args.output, date_from=args.date_from, date_to=args.date_to)
    finally:
        store.close()
    print(f"{result.what}（{result.range_text}、{result.rows:,}行）→ {result.path}")
    return EXIT_OK


def _password(prompt: str = "パスワード: ") -> str:
    from_env = os.environ.get(ENV_PASSWORD)
    if from_env is not None:
        return from_env
    if not sys.stdin.isatty():
        from desktop_app.domain.errors import ValidationError

        raise ValidationError(
            f"パスワードを入力できません。環境変数 {ENV_PASSWORD} に入れて実行してください。"
        )
    import getpass

    return getpass.getpass(prompt)


def _sign_in(store: Store, login: str | None) -> None:
    """Work as ``login`` (its password asked for); on a demo database, as the demo clerk."""
    from desktop_app.domain.errors import ValidationError
    from desktop_app.services.demo_mark import is_demo_store
    from desktop_app.services.staff import has_accounts, sign_in, sign_in_demo

    if is_demo_store(store):
        sign_in_demo(store)
        return
    if not has_accounts(store):
        raise ValidationError(
            "職員アカウントがまだありません。SO Desk を起動して最初の管理者を作成してください。"
        )
    if not login:
        raise ValidationError("--user で担当者のログインIDを指定してください。")
    account = sign_in(store, login, _password())
    if account.must_change_password:
        raise ValidationError(
            "仮パスワードのままです。SO Desk の画面でサインインし、パスワードを変更してください。"
        )


def _restorer(args: argparse.Namespace) -> str:
    """Who restores: an administrator of the database being replaced, when it has one;
    otherwise (a new machine, or no account yet) whoever holds the files."""
    from desktop_app.domain.roles import Permission
    from desktop_app.services.access import check
    from desktop_app.services.backup import database_file
    from desktop_app.services.staff import has_accounts
    from desktop_app.services.store import current_staff, open_store

    path = database_file(args.db)
    if path is None or not path.exists():
        return f"recovery:{current_staff()}"
    store = open_store(args.db)
    try:
        if not has_accounts(store):
            return f"recovery:{current_staff()}"
        _sign_in(store, args.user)
        check(store, Permission.SETTINGS)
        return store.staff
    finally:
        store.close()


def _record_restore(target: str | None, who: str, source: object) -> None:
    from desktop_app.services.backup import record_restore
    from desktop_app.services.store import open_store

    store = open_store(target)
    try:
        record_restore(store, who, str(source))
    finally:
        store.close()


def _recover_admin(args: argparse.Namespace) -> int:
    import socket

    from desktop_app.services.staff_admin import recover_admin
    from desktop_app.services.store import current_staff, open_store

    store = open_store(args.db)
    try:
        password = _password("新しい仮パスワード: ")
        repeated = password if os.environ.get(ENV_PASSWORD) is not None else _password("もう一度: ")
        account = recover_admin(
            store,
            args.login,
            args.name,
            password,
            repeated,
            operator=f"{current_staff()}@{socket.gethostname()}",
        )
    finally:
        store.close()
    print(
        f"{account.display_name}（{account.login}）を管理者にし、仮パスワードを設定しました。"
        "次のサインインで変更してください。この操作は変更履歴に残ります。"
    )
    return EXIT_OK
