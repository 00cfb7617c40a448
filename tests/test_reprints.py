"""Documents for an earlier period tell what was true then: a reprint of a 公示 shows the
households, persons and amounts in force at the period's end, and the 动态管理月报 its rows'
figures as on their day and the 在保 stock as at month end — not today's rows. Everything is
read back from the PDF."""
import re
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from app import clock, offices, reports
from app import households as hs
from app.assessment import approvals
from app.idcard import make_valid_id
from db.models import Member
from procedure_support import complete_steps


def _text(path):
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(str(path)).pages))


def _grant(env, name, seq, day, amount, *, mother=None):
    members = [hs.MemberInput(name=name, id_number=make_valid_id("640424", date(1960, 1, 1), seq))]
    if mother:
        members.append(hs.MemberInput(name=mother, id_number=make_valid_id("640424", date(1935, 3, 1), seq + 1),
                                      relation="母亲"))
    with clock.frozen(day), env.database.session() as s:
        saved = hs.create_household(s, env.clerk, village="香水村", category="农村低保", monthly_amount=amount,
                                    poverty_cause="因病", apply_date=date(2026, 6, 1), members=members)
        complete_steps(s, env.clerk, saved.id, day)
        approvals.approve(s, env.reviewer, approvals.propose_grant(
            s, env.clerk, saved.id, reason="符合条件", day=day).id)
    return saved.id


@pytest.fixture
def history(env):
    """张三 (with 张母) granted 07-10 at 620, 李四 granted 07-12 at 500; in the fourth quarter
    张三's amount goes to 800 (from 10-01) and 张母 moves out (10-05), 李四 exits (10-15) and
    王五 is granted (10-20)."""
    with env.database.session() as s:
        offices.update_office(s, env.admin, phone="0954-5011234", district_phone="0954-5012345",
                              doc_prefix="香民发", district_name="泾源县民政局")
    zhang = _grant(env, "张三", 11, date(2026, 7, 10), "620", mother="张母")
    li = _grant(env, "李四", 21, date(2026, 7, 12), "500")
    with clock.frozen(date(2026, 10, 2)), env.database.session() as s:
        approvals.approve(s, env.reviewer, approvals.propose_change(
            s, env.clerk, zhang, day=date(2026, 10, 1), reason="收入减少", monthly_amount="800").id)
    with clock.frozen(date(2026, 10, 6)), env.database.session() as s:
        mother = next(m.id for m in s.query(Member).filter_by(household_id=zhang, deleted_at=None)
                      if m.name == "张母")
        hs.remove_member(s, env.clerk, mother, reason="迁出", day=date(2026, 10, 5))
    with clock.frozen(date(2026, 10, 16)), env.database.session() as s:
        approvals.approve(s, env.reviewer, approvals.propose_exit(
            s, env.clerk, li, day=date(2026, 10, 15), reason="收入超标").id)
    _grant(env, "王五", 31, date(2026, 10, 20), "450")


def _gongshi(env, period, today, out):
    with clock.frozen(today), env.database.session() as s:
        reports.make_gongshi(s, env.clerk, out, period=reports.parse_period(period, today=today),
                             start=today, today=today)
    return _text(out)


def test_a_reprinted_gongshi_shows_the_period_not_today(env, history, tmp_path):
    today = date(2026, 11, 20)
    q3 = _gongshi(env, "2026Q3", today, tmp_path / "q3.pdf")
    # 张三 as on 09-30: 2 persons at 620.00; 李四 still 在保; 王五 not yet
    assert "张三2农村低保因病620.00" in q3 and "李四1农村低保因病500.00" in q3
    assert "王五" not in q3 and "800.00" not in q3
    assert "共2户3人，月保障金额合计1120.00元" in q3
    q4 = _gongshi(env, "2026Q4", today, tmp_path / "q4.pdf")
    assert "张三1农村低保因病800.00" in q4 and "王五1农村低保因病450.00" in q4
    assert "李四" not in q4 and "共2户2人，月保障金额合计1250.00元" in q4


def _monthly(env, key, when, out):
    with clock.frozen(when), env.database.session() as s:
        reports.make_monthly(s, env.clerk, out, period=reports.parse_period(key, today=when.date()),
                             today=when.date())
    return _text(out)


def test_monthly_stock_is_as_at_month_end(env, history, tmp_path):
    # September, printed in November: 李四 (exits in October) counts, 王五 (October) does not,
    # 张三 with his mother at 620
    sep = _monthly(env, "2026-09", datetime(2026, 11, 20, 9), tmp_path / "sep.pdf")
    assert "截至本月末，在保2户3人，月保障金额1120.00元。" in sep
    oct_ = _monthly(env, "2026-10", datetime(2026, 11, 20, 9), tmp_path / "oct.pdf")
    assert "截至本月末，在保2户2人，月保障金额1250.00元。" in oct_


def test_monthly_rows_show_the_figures_of_their_day(env, history, tmp_path):
    with clock.frozen(date(2026, 11, 20)), env.database.session() as s:
        rows, _ = reports.monthly_changes(s, reports.parse_period("2026-07", today=date(2026, 11, 20)))
        oct_rows, _ = reports.monthly_changes(s, reports.parse_period("2026-10", today=date(2026, 11, 20)))
    # 新增 in July: 张三's household of 2 at 620 (not today's 1 person at 800)
    assert [(r.kind, r.name, r.household_size, r.amount_after) for r in rows] == [
        ("新增", "张三", 2, 620), ("新增", "李四", 1, 500)]
    exits = [(r.name, r.household_size, r.amount_before) for r in oct_rows if r.kind == "退出"]
    assert exits == [("李四", 1, 500)]
    text = _monthly(env, "2026-07", datetime(2026, 11, 20, 9), tmp_path / "jul.pdf")
    assert "620.00" in text and "800.00" not in text


def test_selfcheck_figures_of_an_earlier_quarter(env, history, tmp_path):
    """The third quarter's 自查自纠报告 made in November counts 张三 (2 persons then) and 李四
    (exited in October) but not 王五 (granted in October)."""
    out = tmp_path / "sc.pdf"
    with clock.frozen(date(2026, 11, 20)), env.database.session() as s:
        reports.make_selfcheck(s, env.clerk, out, period=reports.parse_period("2026Q3", today=date(2026, 11, 20)),
                               number=3, addressee="泾源县民政局", today=date(2026, 11, 20))
    text = _text(out)
    assert "共排查2户3人；其中新纳入2户3人，退出0户0人" in text
    with clock.frozen(date(2026, 11, 20)), env.database.session() as s:
        q4 = reports.selfcheck_figures(s, reports.parse_period("2026Q4", today=date(2026, 11, 20)),
                                       today=date(2026, 11, 20))
    assert (q4.persons_reviewed, q4.newly_included_persons, q4.exited_households, q4.exited_persons) == (2, 1, 1, 1)
