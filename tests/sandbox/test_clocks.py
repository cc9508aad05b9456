"""`frozen_clock`: a sandbox whose timestamps are the same on every run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from langchain_okta.sandbox import SandboxOrg, frozen_clock

NEW_YEAR_UTC = datetime(2026, 1, 1, tzinfo=UTC).timestamp()


def test_a_date_alone_is_midnight_utc() -> None:
    assert frozen_clock("2026-01-01")() == NEW_YEAR_UTC


def test_a_z_suffix_is_utc() -> None:
    assert frozen_clock("2026-01-01T00:00:00Z")() == NEW_YEAR_UTC


def test_a_time_without_a_zone_is_utc() -> None:
    assert frozen_clock(datetime(2026, 1, 1))() == NEW_YEAR_UTC


def test_a_time_with_a_zone_keeps_it() -> None:
    paris = timezone(timedelta(hours=1))

    assert frozen_clock(datetime(2026, 1, 1, 1, tzinfo=paris))() == NEW_YEAR_UTC


def test_the_clock_does_not_move() -> None:
    clock = frozen_clock("2026-01-01T09:30:00+00:00")

    assert clock() == clock() == NEW_YEAR_UTC + 9.5 * 3600


def test_two_orgs_on_the_same_frozen_clock_hold_the_same_users() -> None:
    first = SandboxOrg(clock=frozen_clock("2026-01-01"))
    second = SandboxOrg(clock=frozen_clock("2026-01-01"))

    assert first.users == second.users
