"""Deadlines stay true: stored due dates recomputed when the calendar or a setting changes."""
from datetime import date

from sqlalchemy import select

from app import audit, casetasks, deadlines, rulesettings, workdays
from app import households as hs
from app.ledgers import problems as pr
from db.models import AuditEntry, Household
from test_assessment_support import granted, household

TODAY = date(2026, 12, 31)


def test_importing_a_new_year_recomputes_and_clears_the_warning(env):
    hid = household(env, [("张三", 11, "户主")])
    with env.database.session() as s:
        workdays.ensure_seeded(s, env.admin)
        hs.change_status(s, env.reviewer, hid, status="未通过", reason="收入超标", day=date(2026, 12, 30))
        p = pr.create_problem(s, env.clerk, source="自查", category="违规保", description="线索",
                              found_date=date(2026, 12, 29), responsible="王", is_clue=True, today=TODAY)
        [task] = casetasks.list_tasks(s, household_id=hid)
        assert not task.due_covered and "2027 年" in task.warning and task.due == date(2027, 1, 4)
        assert not p.transfer.due_covered and p.transfer.warning
        # 2027: 元旦 1-1 (Fri); the State Council's notice adds no other day in the first week here
        workdays.import_calendar_rows(s, env.admin, [("2027-01-01", "holiday", "元旦"),
                                                     ("2027-01-04", "holiday", "示例调整")],
                                      source="区民政局同步包", years=[2027])
        [task] = casetasks.list_tasks(s, household_id=hid)
        assert task.due_covered and task.warning is None and task.due == date(2027, 1, 6)
        t = pr.get_problem(s, p.number, today=TODAY).transfer
        assert t.due_covered and t.warning is None and t.due_date == date(2027, 1, 7)
        summary = s.execute(select(AuditEntry).where(AuditEntry.action == "deadline.recompute")).scalars().all()
        assert summary and '"case_tasks":1' in summary[-1].after and '"transfers":1' in summary[-1].after
        assert audit.verify(s).ok


def test_a_time_limit_setting_change_moves_open_tasks_only(env):
    a, b = household(env, [("张三", 11, "户主")]), household(env, [("李四", 12, "户主")])
    with env.database.session() as s:
        hs.change_status(s, env.reviewer, a, status="未通过", reason="收入超标", day=date(2026, 3, 2))
        hs.change_status(s, env.reviewer, b, status="未通过", reason="收入超标", day=date(2026, 3, 2))
        hs.record_step(s, env.clerk, b, kind="告知", day=date(2026, 3, 3), handler="马晓梅", today=TODAY)
        assert casetasks.list_tasks(s, household_id=a)[0].due == date(2026, 3, 5)
        rulesettings.set_value(s, env.admin, "refusal_notice_working_days", 5)
        assert casetasks.list_tasks(s, household_id=a)[0].due == date(2026, 3, 9)
        done = casetasks.list_tasks(s, household_id=b, state=casetasks.DONE)[0]
        assert done.due == date(2026, 3, 5)  # a finished task keeps its due date


def test_review_frequency_change_recomputes_next_reviews(env):
    hid = granted(env, household(env, [("张三", 11, "户主")], classification="B"), day=date(2026, 1, 10))
    with env.database.session() as s:
        assert s.get(Household, hid).next_review_date == date(2026, 7, 10)  # B: 6 months
        rulesettings.set_value(s, env.admin, "review_frequency_months", {"A": 12, "B": 4, "C": 3})
        assert s.get(Household, hid).next_review_date == date(2026, 5, 10)


def test_yearly_family_check_is_tracked_per_household(env):
    hid = granted(env, household(env, [("张三", 11, "户主")]), day=date(2026, 1, 10))
    with env.database.session() as s:
        [task] = casetasks.list_tasks(s, household_id=hid)
        assert (task.kind, task.due) == ("在保核对", date(2027, 1, 10))
        assert not task.late(date(2027, 1, 10)) and task.late(date(2027, 1, 11))
        hs.record_step(s, env.clerk, hid, kind="在保核对", day=date(2026, 11, 2), handler="马晓梅",
                       report_number="HD-2026-1102", today=TODAY)
        [task] = casetasks.list_tasks(s, household_id=hid)
        assert task.start == date(2026, 11, 2) and task.due == date(2027, 11, 2)
        assert deadlines.ensure_annual_checks(s, env.admin, today=TODAY) == 0  # it has one
