"""Working days with statutory holidays and 调休 make-up days (app/workdays.py)."""
from datetime import date

import pytest

from app import audit, workdays
from app.errors import PermissionDenied, ValidationError
from db.ledger_models import CalendarDay, CalendarYear

D = date


@pytest.mark.parametrize("start,n,expected", [
    # National Day 2025: 10-01..10-08 off; Sunday 09-28 and Saturday 10-11 are worked (调休)
    (D(2025, 9, 26), 1, D(2025, 9, 28)),   # Friday → the 调休 Sunday
    (D(2025, 9, 26), 5, D(2025, 10, 10)),  # 09-28, 09-29, 09-30, 10-09, 10-10
    (D(2025, 9, 30), 1, D(2025, 10, 9)),   # the whole holiday is skipped
    (D(2025, 10, 1), 1, D(2025, 10, 9)),   # counted from inside the holiday
    (D(2025, 10, 9), 2, D(2025, 10, 11)),  # the 调休 Saturday counts
    (D(2025, 10, 11), 1, D(2025, 10, 13)),  # Sunday 10-12 does not
    # Spring Festival 2026: 02-15..02-23 off; Saturdays 02-14 and 02-28 are worked
    (D(2026, 2, 13), 1, D(2026, 2, 14)),
    (D(2026, 2, 13), 2, D(2026, 2, 24)),
    (D(2026, 2, 26), 2, D(2026, 2, 28)),
    (D(2026, 2, 26), 3, D(2026, 3, 2)),
    # an ordinary week, and n = 0
    (D(2025, 11, 14), 5, D(2025, 11, 21)),
    (D(2025, 11, 14), 0, D(2025, 11, 14)),
])
def test_add_working_days_across_holidays(env, start, n, expected):
    with env.database.session(write=False) as s:
        deadline = workdays.add_working_days(s, start, n)
    assert deadline == workdays.Deadline(expected, True, None)


def test_builtin_calendar_matches_the_package(env):
    with env.database.session(write=False) as s:
        assert workdays.is_working_day(s, D(2025, 9, 28)) and workdays.is_working_day(s, D(2025, 10, 11))
        assert not any(workdays.is_working_day(s, D(2025, 10, d)) for d in range(1, 9))
        assert not any(workdays.is_working_day(s, D(2026, 2, d)) for d in range(15, 24))
        assert workdays.is_working_day(s, D(2026, 2, 14)) and workdays.is_working_day(s, D(2026, 2, 28))
        assert workdays.working_days_between(s, D(2025, 9, 26), D(2025, 10, 10)) == 5
        assert 2004 in workdays.covered_years(s) and 2026 in workdays.covered_years(s)
        assert 2027 not in workdays.covered_years(s)


def test_uncovered_year_is_counted_on_weekends_with_a_warning(env):
    with env.database.session(write=False) as s:
        deadline = workdays.add_working_days(s, D(2026, 12, 30), 5)
        inside = workdays.add_working_days(s, D(2026, 12, 21), 5)
    assert deadline.day == D(2027, 1, 6)  # 12-31, 01-01, 01-04, 01-05, 01-06: weekends only
    assert deadline.covered is False
    assert "2027 年" in deadline.warning and "仅按周末计算" in deadline.warning
    assert inside.covered and inside.warning is None


def test_seed_is_audited_and_idempotent(env):
    with env.database.session() as s:
        first = workdays.seed_calendar(s, env.clerk)
        again = workdays.seed_calendar(s, env.clerk)
    assert first.years[0] == 2004 and first.years[-1] == 2026 and first.added > 500
    assert again.years == [] and again.added == 0
    with env.database.session(write=False) as s:
        assert s.get(CalendarDay, "2025-09-28").kind == "workday"
        assert s.get(CalendarDay, "2025-10-08").name == "国庆节"
        assert workdays.add_working_days(s, D(2025, 9, 26), 5).day == D(2025, 10, 10)
        assert audit.verify(s).ok


def test_administrator_edits_a_day_and_clerk_is_refused(env):
    with env.database.session() as s:
        with pytest.raises(PermissionDenied, match="管理员"):
            workdays.set_day(s, env.clerk, day=D(2026, 11, 2), kind="holiday", name="地方节日")
    with env.database.session() as s:
        with pytest.raises(ValidationError, match="调休上班日应为周六或周日"):
            workdays.set_day(s, env.admin, day=D(2026, 11, 2), kind="workday")
        workdays.set_day(s, env.admin, day=D(2026, 11, 2), kind="holiday", name="地方节日")
    with env.database.session() as s:
        assert s.get(CalendarYear, "2026") is not None  # the year was seeded before the change
        assert workdays.add_working_days(s, D(2026, 10, 30), 1).day == D(2026, 11, 3)
        assert workdays.add_working_days(s, D(2026, 2, 13), 2).day == D(2026, 2, 24)  # kept
        workdays.set_day(s, env.admin, day=D(2026, 11, 2), kind="normal")
    with env.database.session(write=False) as s:
        assert workdays.add_working_days(s, D(2026, 10, 30), 1).day == D(2026, 11, 2)
        assert audit.verify(s).ok


def test_import_rows_for_a_new_year(env):
    rows = [("2027-01-01", "holiday", "元旦"), {"day": "2027-02-06", "kind": "调休上班", "name": "春节"},
            (D(2027, 2, 8), "holiday", "春节"), (D(2027, 2, 9), "holiday", "春节")]
    with env.database.session() as s:
        with pytest.raises(ValidationError, match="第 2 行"):
            workdays.import_calendar_rows(s, env.admin, [rows[0], ("2027-02-08", "workday")],
                                          source="区民政局同步包")
        with pytest.raises(PermissionDenied):
            workdays.import_calendar_rows(s, env.reviewer, rows, source="区民政局同步包")
    with env.database.session() as s:
        report = workdays.import_calendar_rows(s, env.admin, rows, source="区民政局同步包")
        assert report.years == [2027] and report.added == 4
        again = workdays.import_calendar_rows(s, env.admin, rows, source="区民政局同步包")
        assert again.added == 0 and again.unchanged == 4
    with env.database.session(write=False) as s:
        deadline = workdays.add_working_days(s, D(2026, 12, 30), 5)
        assert deadline == workdays.Deadline(D(2027, 1, 7), True, None)
        assert workdays.add_working_days(s, D(2027, 2, 5), 1).day == D(2027, 2, 6)
        assert [d.day for d in workdays.list_days(s, 2027)][:1] == [D(2027, 1, 1)]
        assert audit.verify(s).ok
