"""PostgreSQL roles under which the program cannot undo its own audit log (`sodesk pg-setup`).

Migration 0006's triggers refuse UPDATE, DELETE and TRUNCATE on ``audit_log``, but a table's
owner may disable or drop them. So the tables (and the database and its ``public`` schema)
belong to an *owner* role nobody signs in as, and the desks sign in as an *application* role
that may read and write the other tables but only read and add rows of ``audit_log`` (and only
read ``alembic_version``): it owns nothing, so it can neither change nor delete an audit row,
nor disable, drop or replace the triggers. Schema upgrades need the owner: after updating SO
Desk, run ``sodesk pg-setup`` again (it upgrades the schema as the owner, then renews the
privileges), before the desks open the new version.

The extensions the migrations use are made here, as the superuser, before the upgrade:
``btree_gist`` (the bookings' exclusion constraint, migration 0012) is required; ``pg_trgm``
(the search index, migration 0009) is made when the server has it, and the search works
without it, only slower. Both are trusted since PostgreSQL 13, so the owner could make them
itself; made here, no migration depends on that.

After a ``pg_restore`` (as the superuser, ``--no-owner``), running this again gives
everything back to the owner; ``restored_from`` then records the restore in the audit log,
as ``sodesk restore`` does for a file, so that the desks' older witnesses of the chain
(services/audit_witness.py) are not held against the rewound log.

What this does not stop: a superuser, or whoever holds the server's files or its backups.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from desktop_app.db import tables
from desktop_app.db.engine import database_url, is_sqlite, make_engine
from desktop_app.db.migrate import SchemaError, head_revision, upgrade
from desktop_app.domain.errors import ValidationError
from desktop_app.services.store import StoreError

DEFAULT_OWNER = "sodesk_owner"
AUDIT_TABLE = "audit_log"
VERSION_TABLE = "alembic_version"
TRIGGER_FUNCTIONS = ("audit_log_append_only()",)
# Made by the superuser before the migrations: required ones must be on the server.
REQUIRED_EXTENSIONS = ("btree_gist",)  # migration 0012: bookings of a doctor cannot overlap
OPTIONAL_EXTENSIONS = ("pg_trgm",)  # migration 0009: the search index (a scan without it)
_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class SetupResult:
    """What ``set_up_roles`` did, one Japanese line per step."""

    steps: tuple[str, ...]


def check_role_name(name: str, what: str) -> str:
    """A role name we can write into SQL as it is: lower-case letters, digits and ``_``."""
    if not _ROLE_NAME.fullmatch(name):
        raise ValidationError(
            f"{what}のロール名は英小文字・数字・_ で、英小文字か _ で始めてください：{name!r}",
            field="role",
        )
    return name


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def role_sql(database: str, owner: str, app: str) -> list[str]:
    """The two roles, and the database and its public schema given to the owner."""
    o, a = _q(owner), _q(app)
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_literal(owner)})"
        f" THEN CREATE ROLE {o} NOLOGIN; END IF; END $$",
        f"ALTER ROLE {o} NOLOGIN",
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_literal(app)})"
        f" THEN CREATE ROLE {a} LOGIN; END IF; END $$",
        f"ALTER ROLE {a} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS",
        # A member of the owner could act as the owner.
        f"DO $$ BEGIN IF pg_has_role({_literal(app)}, {_literal(owner)}, 'MEMBER')"
        f" THEN REVOKE {o} FROM {a}; END IF; END $$",
        f"ALTER DATABASE {_q(database)} OWNER TO {o}",
        f"GRANT CONNECT ON DATABASE {_q(database)} TO {a}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE, CREATE ON SCHEMA public TO {o}",
        f"GRANT USAGE ON SCHEMA public TO {a}",
    ]


def ownership_sql(
    owner: str, table_names: Sequence[str], sequences: Sequence[str] = ()
) -> list[str]:
    """Every table (with the sequences of its columns), other sequence and trigger function
    given to the owner."""
    o = _q(owner)
    statements = [f"ALTER TABLE IF EXISTS public.{_q(t)} OWNER TO {o}" for t in table_names]
    statements += [f"ALTER SEQUENCE IF EXISTS public.{_q(s)} OWNER TO {o}" for s in sequences]
    statements += [
        f"DO $$ BEGIN IF to_regprocedure({_literal('public.' + f)}) IS NOT NULL"
        f" THEN ALTER FUNCTION public.{f} OWNER TO {o}; END IF; END $$"
        for f in TRIGGER_FUNCTIONS
    ]
    return statements


def grant_sql(owner: str, app: str, table_names: Sequence[str]) -> list[str]:
    """The application role's privileges: the audit log only read and appended."""
    o, a = _q(owner), _q(app)
    others = [t for t in table_names if t not in (AUDIT_TABLE, VERSION_TABLE)]
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {a}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {a}",
    ]
    statements += [f"GRANT SELECT, INSERT, UPDATE, DELETE ON public.{_q(t)} TO {a}" for t in others]
    statements += [
        f"GRANT SELECT, INSERT ON public.{_q(AUDIT_TABLE)} TO {a}",
        f"GRANT SELECT ON public.{_q(VERSION_TABLE)} TO {a}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {a}",
        # Tables a later migration adds (as the owner) are the program's ordinary tables.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public"
        f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {a}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public"
        f" GRANT USAGE, SELECT ON SEQUENCES TO {a}",
    ]
    return statements


def extension_sql(names: Sequence[str]) -> list[str]:
    """The extensions the migrations use, made by the superuser in the public schema."""
    return [f"CREATE EXTENSION IF NOT EXISTS {_q(n)} WITH SCHEMA public" for n in names]


def program_tables() -> list[str]:
    """The tables this version of the program makes (for ``--print-sql``)."""
    return [VERSION_TABLE, *(t.name for t in tables.metadata.sorted_tables)]


def setup_script(database: str, owner: str, app: str) -> str:
    """The whole set-up as SQL to read or run by hand (``sodesk pg-setup --print-sql``)."""
    names = program_tables()
    lines = [
        f"-- SO Desk: roles for database {database} (run as a PostgreSQL superuser)",
        *(s + ";" for s in role_sql(database, owner, app)),
        *(s + ";" for s in ownership_sql(owner, names)),
        "-- The extensions the migrations use (pg_trgm only where the server has it):",
        *(s + ";" for s in extension_sql((*REQUIRED_EXTENSIONS, *OPTIONAL_EXTENSIONS))),
        f"-- Here the schema is created or upgraded as {owner}: `sodesk pg-setup` does it",
        f"-- (SET ROLE {owner}; then the program's migrations), and then:",
        *(s + ";" for s in grant_sql(owner, app, names)),
    ]
    return "\n".join(lines) + "\n"


def set_up_roles(
    admin_url: str | URL,
    app: str,
    owner: str = DEFAULT_OWNER,
    *,
    restored_from: str | None = None,
) -> SetupResult:
    """Make (or correct) the owner and application roles on the database ``admin_url`` names,
    connected as a superuser; make the extensions; upgrade the schema as the owner; grant the
    application role its privileges. Safe to run again (after an update of SO Desk it must
    be). ``restored_from`` (the dump's name) records that the database was just restored."""
    check_role_name(app, "アプリケーション")
    check_role_name(owner, "所有者")
    if app == owner:
        raise ValidationError("所有者とアプリケーションには別のロールを指定してください。")
    url = admin_url if isinstance(admin_url, URL) else database_url(admin_url)
    if is_sqlite(url) or not url.database:
        raise ValidationError(
            "pg-setup は PostgreSQL 用です。--db に管理者（スーパーユーザー）の"
            " PostgreSQL の URL を指定してください。"
        )
    database = url.database
    steps: list[str] = []
    engine = make_engine(url)
    try:
        with engine.begin() as c:
            _refuse_unless_superuser(c, app, owner)
            new_owner = not _role_exists(c, owner)
            new_app = not _role_exists(c, app)
            _run(c, role_sql(database, owner, app))
            names, sequences = _tables(c), _loose_sequences(c)
            _run(c, ownership_sql(owner, names, sequences))
            made, lacking = _make_extensions(c)
        steps.append(
            f"ロール {owner} を{'作成しました' if new_owner else '確認しました'}"
            "（ログインなし。データベースとテーブルの所有者）"
        )
        steps.append(
            f"ロール {app} を{'作成しました' if new_app else '確認しました'}"
            "（受付の端末がログインするロール。何も所有しません）"
        )
        steps.append(
            f"データベース {database} と既存のテーブル {len(names)} 個の所有者を {owner} にしました"
        )
        steps.append(f"拡張機能 {'・'.join(made)} を用意しました（スーパーユーザーとして）")
        steps += [
            f"拡張機能 {name} がサーバーにないため、案件の検索は索引なしで動きます（遅くなります）"
            for name in lacking
        ]
        _upgrade_as(url, owner)
        steps.append(f"スキーマを最新（{head_revision()}）にしました（{owner} として）")
        with engine.begin() as c:
            names = _tables(c)
            _run(c, ownership_sql(owner, names, _loose_sequences(c)))
            _run(c, grant_sql(owner, app, names))
        others = len([t for t in names if t not in (AUDIT_TABLE, VERSION_TABLE)])
        steps.append(
            f"{app} に {others} 個のテーブルの読み書き（SELECT・INSERT・UPDATE・DELETE）を許可しました"
        )
        steps.append(
            f"{app} には {AUDIT_TABLE} の読み取りと追加（SELECT・INSERT）だけを許可しました"
            "（変更・削除・TRUNCATE・トリガーの無効化はできません）"
        )
        if restored_from is not None:
            _record_restore(url, restored_from)
            steps.append(f"変更履歴に「バックアップから復元：{restored_from}」を記録しました")
    except DBAPIError as exc:
        raise StoreError(f"PostgreSQL の設定に失敗しました：{_first_line(exc)}") from exc
    finally:
        engine.dispose()
    return SetupResult(tuple(steps))


def _refuse_unless_superuser(c: Connection, app: str, owner: str) -> None:
    row = c.execute(
        text("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
    ).one()
    if not row[1]:
        raise ValidationError(
            f"{row[0]} はスーパーユーザーではありません。--db には PostgreSQL の管理者"
            "（postgres など）の URL を指定してください。"
        )
    if row[0] in (app, owner):
        raise ValidationError(
            f"管理者のロール（{row[0]}）は、所有者にもアプリケーションにも使えません。"
        )


def _make_extensions(c: Connection) -> tuple[list[str], list[str]]:
    """Make the extensions the server has: (made, optional ones it lacks). A required one it
    lacks stops the set-up (StoreError), before the migrations would fail for want of it."""
    query = text("SELECT name FROM pg_available_extensions")
    available = {str(name) for name in c.execute(query).scalars()}
    missing = [n for n in REQUIRED_EXTENSIONS if n not in available]
    if missing:
        raise StoreError(
            f"PostgreSQL の拡張機能 {'・'.join(missing)} がサーバーにありません。PostgreSQL に"
            "付属の拡張機能（contrib。Debian・Ubuntu の postgresql パッケージには含まれます。"
            "ほかでは postgresql-contrib など）を入れてから、もう一度実行してください。"
        )
    made = [n for n in (*REQUIRED_EXTENSIONS, *OPTIONAL_EXTENSIONS) if n in available]
    _run(c, extension_sql(made))
    return made, [n for n in OPTIONAL_EXTENSIONS if n not in available]


def _role_exists(c: Connection, name: str) -> bool:
    found = c.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
    return found is not None


def _tables(c: Connection) -> list[str]:
    query = text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [str(name) for name in c.execute(query).scalars()]


def _loose_sequences(c: Connection) -> list[str]:
    """Sequences no table column owns (those move with their table)."""
    query = text(
        "SELECT s.relname FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace"
        " WHERE s.relkind = 'S' AND n.nspname = 'public' AND NOT EXISTS ("
        " SELECT 1 FROM pg_depend d WHERE d.objid = s.oid AND d.deptype IN ('a', 'i'))"
    )
    return [str(name) for name in c.execute(query).scalars()]


def _run(c: Connection, statements: Sequence[str]) -> None:
    for statement in statements:
        c.exec_driver_sql(statement)


def _upgrade_as(url: URL, owner: str) -> None:
    """The program's migrations, every connection acting as the owner: what they create
    belongs to it."""
    engine: Engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _as_owner(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute(f"SET ROLE {_q(owner)}")
        cursor.close()
        dbapi_connection.commit()  # type: ignore[attr-defined]

    try:
        upgrade(engine)
    except SchemaError as exc:
        raise StoreError(str(exc)) from exc
    finally:
        engine.dispose()


def _record_restore(url: URL, source: str) -> None:
    """The restored database's log says so, under ``recovery:<OS user>`` like a restore of a
    file with nobody signed in: witnesses older than this entry no longer count."""
    from desktop_app.services import audit_witness
    from desktop_app.services.backup import record_restore
    from desktop_app.services.restore import RECOVERY
    from desktop_app.services.store import current_staff, open_store

    store = open_store(url.render_as_string(hide_password=False))
    try:
        record_restore(store, f"{RECOVERY}{current_staff()}", source, {"tool": "pg_restore"})
        audit_witness.note_restore(store, source)
    finally:
        store.close()


def _first_line(exc: DBAPIError) -> str:
    text_ = str(exc.orig) if exc.orig is not None else str(exc)
    return text_.strip().splitlines()[0] if text_.strip() else exc.__class__.__name__
