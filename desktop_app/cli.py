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
    from desktop_app.services.restore import RestoreResult
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
COMMANDS = (
    "init", "demo", "check", "print", "backup", "restore", "export", "report", "import", "fax",
    "recover-admin", "pg-setup",
)  # fmt: skip


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
    _overwrite_option(printing)
    backup = sub.add_parser("backup", parents=[signed], help="データベースのバックアップを作る")
    backup.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="保存先のファイル（既定: 設定の保存先に sodesk-<データベースID>-日付-時刻.db。同じデータベースの古いものは整理されます）",
    )
    restore = sub.add_parser(
        "restore", parents=[signed], help="バックアップからデータベースを元に戻す"
    )
    restore.add_argument("file", metavar="FILE", help="バックアップファイル")
    restore.add_argument(
        "--other-database",
        action="store_true",
        help="別のデータベースのバックアップでも置き換える（デモのバックアップは病院のデータベースに戻せません）",
    )
    restore.add_argument(
        "--accept-problems",
        action="store_true",
        help="バックアップに sodesk check の問題があっても戻す（最後の手段。問題は変更履歴に残ります）",
    )
    export = sub.add_parser(
        "export",
        parents=[signed],
        help="案件・入金・統計をExcel（.xlsx）またはCSV（.csv）に書き出す",
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
    export.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE.csv|FILE.xlsx",
        help="出力先（.xlsx ならExcelのブック、.csv ならCSV。形式はファイル名の末尾で決まります）",
    )
    _overwrite_option(export)
    from desktop_app.cli_import import add_import_parser
    from desktop_app.cli_report import add_report_parser

    add_report_parser(sub, [signed])
    add_import_parser(sub, [signed])
    from desktop_app.cli_fax import add_fax_parser

    add_fax_parser(sub, [common])
    recover = sub.add_parser(
        "recover-admin",
        parents=[common],
        help="管理者がサインインできないとき、管理者アカウントに仮パスワードを設定する（記録が残ります）",
    )
    recover.add_argument("login", metavar="LOGIN", help="管理者にするアカウントのログインID")
    recover.add_argument("--name", default="", help="新しく作るときの氏名（既定: ログインID）")
    pg_setup = sub.add_parser(
        "pg-setup",
        parents=[common],
        help="PostgreSQL に所有者ロールとアプリケーションのロールを作る（--db は管理者のURL）",
    )
    pg_setup.add_argument("app_role", metavar="APP_ROLE", help="受付の端末がログインするロール")
    pg_setup.add_argument(
        "--owner-role",
        default="sodesk_owner",
        metavar="ROLE",
        help="テーブルを所有するロール（ログインなし。既定 sodesk_owner）",
    )
    pg_setup.add_argument(
        "--restored-from",
        metavar="DUMP",
        help="pg_restore で戻したデータベースのとき、そのダンプの名前（変更履歴に復元を記録する）",
    )
    pg_setup.add_argument(
        "--print-sql", action="store_true", help="実行する SQL を表示するだけで、何も変えない"
    )
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
    from desktop_app.services.store import data_dir
    from desktop_app.services.store_files import FileRefused, make_private_folder

    handler: logging.Handler
    try:
        folder = data_dir()
        make_private_folder(folder)  # the data folder is private from its first file on
        # Rotated at 1 MB, five kept (Vorta keeps its log the same way); 0600 like the
        # database: messages can name patients, and a copied-out log keeps its mode.
        handler = _private_log_handler(folder / LOG_FILE)
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

        _tolerant_stdout()
        target = args.db or demo_database()
        refusal = _demo_lock_refusal(target)
        if refusal is not None:
            _say(refusal)
            return EXIT_PROBLEM
        store = maintenance.rebuild_demo(
            target, args.cases, seed=args.seed, progress=_progress if args.cases > 5000 else None
        )
        store.close()
        print(f"デモデータベースを作成しました: {store.location}（{args.cases}件）")
        return EXIT_OK
    if args.command == "check":
        from desktop_app.services import maintenance

        _tolerant_stdout()  # exit by the result, even where the terminal cannot show it
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
    if args.command == "report":
        from desktop_app.cli_report import run_report

        return run_report(args)
    if args.command == "fax":
        from desktop_app.cli_fax import run_fax

        return run_fax(args)
    if args.command == "import":
        from desktop_app.cli_import import run_import

        return run_import(args)
    if args.command == "recover-admin":
        return _recover_admin(args)
    if args.command == "pg-setup":
        return _pg_setup(args)
    # Before any database is opened or made: without a screen nothing is to be done.
    if not _display_available():
        _say("画面（ディスプレイ）がないため開けません。")
        return EXIT_PROBLEM
    if args.demo:
        from desktop_app.services import maintenance

        store = maintenance.open_demo(args.db or demo_database())
    else:
        # The clinic's own file is made on the first start; a --db that names nothing is a typo.
        # Not verified page by page: on a large file that takes seconds (services/store.py).
        store = open_store(args.db or default_database(), create=args.db is None, verify=False)
    from desktop_app.ui.app import run_gui

    return run_gui(store)


def _display_available() -> bool:
    """On Linux, Qt aborts the process without a display; say so in one line instead."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _print(args: argparse.Namespace) -> int:
    from desktop_app.services.cases import find_case_id
    from desktop_app.services.forms import record_printed, render_form
    from desktop_app.services.output_files import check_output, write_output
    from desktop_app.services.store import open_store

    store = open_store(args.db)
    try:
        _sign_in(store, args.user)
        case_id = find_case_id(store, args.case) if args.case else None
        # Refused targets (a database, a backup, an existing file) are told before the work.
        check_output(args.output, store=store, overwrite=args.overwrite)
        form = render_form(store, args.form, case_id, day=args.date)
        # Written only now: after render_form and every check it makes.
        output = write_output(args.output, form.pdf, store=store, overwrite=args.overwrite)
        record_printed(store, form.kind, case_id, how="PDF保存", day=form.day)
    finally:
        store.close()
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
    from desktop_app.services.store_files import make_private_folder
    from desktop_app.ui.single_instance import lock_path, make_private

    _tolerant_stdout()
    path = database_file(args.db)
    lock = None
    if path is not None:
        # The window holds this lock while it has the database open (ui/app.py).
        make_private_folder(path.parent)  # a restore onto a new machine
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
        make_private(Path(lock_path(path)))  # it names the machine, like the window's lock
    try:
        result = restore_database(
            args.db,
            Path(args.file),
            by=_restorer(args),
            other_database=args.other_database,
            accept_problems=args.accept_problems,
        )
    finally:
        if lock is not None:
            lock.unlock()
    print(_restored_line(result))
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
            result = export_stats(store, args.output, period, overwrite=args.overwrite)
        else:
            export = export_cases if args.what == "cases" else export_payments
            result = export(
                store,
                args.output,
                date_from=args.date_from,
                date_to=args.date_to,
                overwrite=args.overwrite,
            )
    finally:
        store.close()
    print(
        f"{result.what}（{result.range_text}、{result.rows:,}行、{result.format.label}）"
        f"→ {result.path}"
    )
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
    """Work as ``login`` (its password asked for); on a demo database, as that demo account
    without a password (the demo clerk when none is named: ``--user kanri`` is its admin)."""
    from desktop_app.domain.errors import ValidationError
    from desktop_app.services.demo_mark import is_demo_store
    from desktop_app.services.staff import has_accounts, sign_in, sign_in_demo

    if is_demo_store(store):
        if login:
            sign_in_demo(store, login)
        else:
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


def _restorer(args: argparse.Namespace) -> Store | None:
    """The current database's store, signed in as ``--user`` (closed again): the restore
    checks the role and records that name. None when there is nobody to sign in as (no file,
    no account yet, the demo) or the file cannot be opened: the restore then decides itself
    (services/restore.py: ``recovery:<OS user>``, a damaged file moved aside)."""
    from desktop_app.services.backup import database_file
    from desktop_app.services.demo_mark import is_demo_store
    from desktop_app.services.staff import has_accounts
    from desktop_app.services.store import StoreError, open_store

    path = database_file(args.db)
    if path is None or not path.exists():
        return None
    try:
        store = open_store(args.db)
    except StoreError as exc:
        log.warning("restore: the current database cannot be opened: %s", exc)
        return None
    try:
        if not has_accounts(store) or is_demo_store(store):
            return None
        _sign_in(store, args.user)
        return store
    finally:
        store.close()


def _restored_line(result: RestoreResult) -> str:
    """One line: where from, what came back, where the database as it was is kept."""
    said = [f"案件 {result.cases:,} 件・入金 {result.payments:,} 件"]
    if result.moved_aside:
        said.append(f"今のデータベースは開けないため、そのまま {result.previous} に移しました")
    elif result.previous is not None:
        said.append(f"元のデータベースは {result.previous} に残しました")
    else:
        said.append("元のデータベースはありませんでした")
    if result.upgraded:
        said.append(f"スキーマ {result.revision} から更新しました")
    if result.other_database:
        said.append("別のデータベースのバックアップです")
    if result.problems:
        more = f" ほか {len(result.problems) - 1} 件" if len(result.problems) > 1 else ""
        said.append(f"問題を承知で戻しました：{result.problems[0]}{more}")
    if result.recorded:
        said.append(f"変更履歴に {result.who} として記録しました")
    else:
        said.append("復元を変更履歴に記録できませんでした（ログを確認してください）")
    return f"復元しました: {result.database} ← {result.restored_from}（{'。'.join(said)}）"


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


def _overwrite_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="出力先のファイルが既にあれば置き換える（データベースとバックアップは置き換えません）",
    )


def _private_log_handler(file: os.PathLike[str]) -> logging.Handler:
    """A rotating log whose files are 0600 on POSIX, whatever the umask: the file is opened
    with that mode (a new one after each rotation too), and older files are tightened."""
    import contextlib
    import io
    from logging.handlers import RotatingFileHandler
    from pathlib import Path

    private = 0o600
    path = Path(file)

    class PrivateLog(RotatingFileHandler):
        def _open(self) -> io.TextIOWrapper:
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
            fd = os.open(self.baseFilename, flags, private)
            if os.name == "posix":
                os.fchmod(fd, private)  # a log an older version made 0644
            # "a": a rotating handler always appends (and O_APPEND says so to the system).
            return open(fd, "a", encoding=self.encoding, errors=self.errors)

    if os.name == "posix":
        for old in path.parent.glob(f"{path.name}.*"):
            with contextlib.suppress(OSError):
                old.chmod(private)
    return PrivateLog(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8", delay=True)


def _tolerant_stdout() -> None:
    """A terminal that cannot show Japanese gets "?" instead of an exception, so that a
    command ends by its result (``check``'s exit code) and not by the encoding."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is None:
        return
    try:
        reconfigure(errors="replace")
    except (ValueError, OSError):
        log.warning("cannot make stdout tolerant of characters it cannot encode")


def _demo_lock_refusal(target: str) -> str | None:
    """Why the demo cannot be rebuilt now: a window holds its lock (ui/single_instance.py),
    or its folder cannot be written; None when it can."""
    from PySide6.QtCore import QLockFile

    from desktop_app.db.engine import database_url, sqlite_file
    from desktop_app.ui.single_instance import lock_path

    path = sqlite_file(database_url(target))
    if path is None or not path.exists():
        return None
    lock = QLockFile(lock_path(path))
    lock.setStaleLockTime(0)
    if lock.tryLock(0):
        lock.unlock()
        return None
    if lock.error() == QLockFile.LockError.LockFailedError:
        return "SO Desk がこのデモデータベースを開いています。画面を閉じてから作り直してください。"
    return (
        f"デモデータベースのフォルダに書き込めません：{path.parent}"
        "（読み取り専用か、書き込む権限がありません）。"
    )


def _pg_setup(args: argparse.Namespace) -> int:
    """Roles under which the desks cannot change or delete audit rows (services/pg_roles.py)."""
    from desktop_app.db.engine import database_url, is_sqlite
    from desktop_app.services.pg_roles import check_role_name, set_up_roles, setup_script
    from desktop_app.services.store import default_database

    url = database_url(args.db or default_database())
    owner = check_role_name(args.owner_role, "所有者")
    app = check_role_name(args.app_role, "アプリケーション")
    if args.print_sql:
        database = url.database if not is_sqlite(url) and url.database else "<データベース名>"
        print(setup_script(database, owner, app), end="")
        return EXIT_OK
    result = set_up_roles(url, app, owner, restored_from=args.restored_from)
    for step in result.steps:
        print(step)
    print(
        f"受付の端末は {app} で接続してください（パスワードは psql の \\password {app} で設定）。"
        "SO Desk を更新したら、もう一度 sodesk pg-setup を実行してください。"
    )
    return EXIT_OK
