from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.domain.backup_retention import (
    backup_file_name,
    backups_to_delete,
    backups_to_keep,
    parse_backup_name,
    short_identity,
)

START = dt.datetime(2025, 1, 1, 0, 0, 0)


def test_name_round_trips() -> None:
    taken = dt.datetime(2026, 11, 24, 15, 30, 5)
    assert backup_file_name(taken) == "sodesk-20261124-153005.db"
    assert backup_file_name(taken, sequence=2) == "sodesk-20261124-153005-2.db"
    assert backup_file_name(taken, suffix=".dump") == "sodesk-20261124-153005.dump"
    parsed = parse_backup_name("sodesk-20261124-153005-2.db")
    assert parsed is not None
    assert (parsed.taken, parsed.sequence) == (taken, 2)


def test_other_files_are_not_ours() -> None:
    for name in (
        "sodesk.db",
        "sodesk-demo.db",
        "sodesk-20261124-153005.db.tmp",
        "sodesk-20261324-153005.db",  # month 13
        "Sodesk-20261124-153005.db",
        "notes.txt",
        "sodesk.before-restore-20261124-153005.db",
    ):
        assert parse_backup_name(name) is None, name
    names = ["notes.txt", "sodesk.db", "sodesk-20200101-000000.db"]
    assert backups_to_delete(names, daily=0, monthly=0) == ["sodesk-20200101-000000.db"]


def test_several_a_day_keep_the_newest_of_the_day() -> None:
    day = [backup_file_name(START + dt.timedelta(hours=h)) for h in (1, 9, 17)]
    assert backups_to_keep(day) == {day[-1]}
    assert backups_to_delete(day) == day[:2]


def test_four_hundred_days_of_hourly_and_daily_backups() -> None:
    # Two backups a day for 400 days, one day in five skipped (the desk was closed).
    names = [
        backup_file_name(START + dt.timedelta(days=d, hours=h))
        for d in range(400)
        if d % 5 != 4
        for h in (8, 13)
    ]
    keep = backups_to_keep(names)
    deleted = backups_to_delete(names)
    assert set(deleted) | keep == set(names)
    assert not set(deleted) & keep
    days = sorted({parse_backup_name(n).taken.date() for n in names})  # type: ignore[union-attr]
    recent_days = days[-14:]
    for day in recent_days:
        assert backup_file_name(dt.datetime.combine(day, dt.time(13))) in keep
    months = sorted({(d.year, d.month) for d in days})[-12:]
    for year, month in months:
        last_day = max(d for d in days if (d.year, d.month) == (year, month))
        assert backup_file_name(dt.datetime.combine(last_day, dt.time(13))) in keep
    # The 14 days fall into the newest month or two, so fewer than 26 files are left.
    assert 12 < len(keep) <= 26
    # Nothing older than the 12 months is kept.
    assert min(parse_backup_name(n).taken for n in keep) >= dt.datetime(*months[0], 1)  # type: ignore[union-attr]


def test_gaps_count_days_that_have_backups_not_calendar_days() -> None:
    # Backups on 20 scattered days over two years: the 14 most recent of those days stay.
    days = [START + dt.timedelta(days=37 * i) for i in range(20)]
    names = [backup_file_name(d) for d in days]
    keep = backups_to_keep(names)
    assert set(names[-14:]) <= keep


_times = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31))


@given(st.lists(st.tuples(_times, st.integers(0, 3)), max_size=300))
def test_never_deletes_the_newest_and_never_keeps_more_than_26(
    stamps: list[tuple[dt.datetime, int]],
) -> None:
    names = [backup_file_name(t.replace(microsecond=0), sequence=s) for t, s in stamps]
    keep = backups_to_keep(names)
    deleted = backups_to_delete(names)
    assert len(keep) <= 26
    assert set(deleted).isdisjoint(keep)
    assert set(deleted) | keep == set(names)
    if names:
        newest = max(parse_backup_name(n) for n in names)  # type: ignore[type-var]
        assert newest.name in keep  # type: ignore[union-attr]
        assert newest.name not in deleted  # type: ignore[union-attr]


def test_exactly_fourteen_days_and_twelve_months() -> None:
    daily = [backup_file_name(START + dt.timedelta(days=d)) for d in range(40)]
    assert backups_to_keep(daily, monthly=0) == set(daily[-14:])
    monthly = [backup_file_name(dt.datetime(2023 + m // 12, m % 12 + 1, 1)) for m in range(30)]
    assert backups_to_keep(monthly, daily=0) == set(monthly[-12:])
    # One a day across 30 months: 14 days in the last month or so, plus one per month.
    every_day = [backup_file_name(START + dt.timedelta(days=d)) for d in range(900)]
    keep = backups_to_keep(every_day)
    assert set(every_day[-14:]) <= keep
    assert len(keep) == 14 + 12 - 1  # the newest day is also the newest month's last backup


# Issue #22 item 2: names carry the database they copy; one database's rotation never counts
# or deletes another's files (the demo's never deletes the clinic's).

_owners = st.sampled_from(["", "0a1b2c3d", "ffee0099"])


def test_names_carry_their_owner_and_the_demo() -> None:
    taken = dt.datetime(2026, 11, 24, 15, 30, 5)
    clinic = backup_file_name(taken, owner="0a1b2c3d")
    demo = backup_file_name(taken, owner="12345678", demo=True, sequence=2)
    assert clinic == "sodesk-0a1b2c3d-20261124-153005.db"
    assert demo == "sodesk-demo-12345678-20261124-153005-2.db"
    parsed = parse_backup_name(demo)
    assert parsed is not None
    assert (parsed.taken, parsed.sequence, parsed.owner, parsed.demo) == (
        taken,
        2,
        "12345678",
        True,
    )
    old = parse_backup_name("sodesk-20261124-153005.db")
    assert old is not None and (old.owner, old.demo) == ("", False)
    # An owner of digits only is still told from the date.
    digits = parse_backup_name("sodesk-20261124-20261124-153005.db")
    assert digits is not None and digits.owner == "20261124" and digits.taken == taken
    assert short_identity("0A1B2C3D4E5F") == "0a1b2c3d"
    assert short_identity(None) == short_identity("xyz") == ""


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(_times, _owners, st.booleans()), max_size=120),
    _owners,
    st.booleans(),
)
def test_one_databases_rotation_deletes_only_its_own(
    stamps: list[tuple[dt.datetime, str, bool]], owner: str, demo: bool
) -> None:
    names = [backup_file_name(t.replace(microsecond=0), owner=o, demo=d) for t, o, d in stamps]
    deleted = backups_to_delete(names, owner=owner, demo=demo, daily=2, monthly=1)
    for name in deleted:
        parsed = parse_backup_name(name)
        assert parsed is not None and parsed.demo == demo
        assert parsed.owner == owner or (not demo and parsed.owner == "")
    if demo:  # the clinic's files, old unnamed ones included, are never the demo's to delete
        clinic = {n for n in names if not parse_backup_name(n).demo}  # type: ignore[union-attr]
        assert not clinic & set(deleted)
