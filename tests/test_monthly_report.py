"""动态管理月报: deaths of members (with the date of death), 零报告 only when there is none, the
新增 table's 致贫原因, and the month's snapshot: what is entered after the report was made goes
into the next month's report as 补报 — never lost, never twice."""
import re
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from app import clock, reports
from app import households as hs
from app.assessment import approvals
from app.errors import ValidationError
from app.idcard import make_valid_id
from procedure_support import complete_steps
from db.models import Household, Member


def _text(path):
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(str(path)).pages))


@pytest.fixture
def family(env):
    """张三's household (张三, his mother 张母), granted from 2026-10-10."""
    with clock.frozen(date(2026, 10, 9)), env.database.session() as s:
        saved = hs.create_household(
            s, env.clerk, village="香水村", category="农村低保", monthly_amount="620",
            poverty_cause="因病", apply_date=date(2026, 9, 1),
            members=[hs.MemberInput(name="张三", id_number=make_valid_id("640424", date(1960, 1, 1), 11)),
                     hs.MemberInput(name="张母", id_number=make_valid_id("640424", date(1935, 3, 1), 22),
                                    relation="母亲")])
        complete_steps(s, env.clerk, saved.id, date(2026, 10, 10))
        approvals.approve(s, env.reviewer, approvals.propose_grant(
            s, env.clerk, saved.id, reason="符合条件", day=date(2026, 10, 10)).id)
        return saved.id


def _mother(env, hid):
    with env.database.session(write=False) as s:
        return next(m.id for m in s.query(Member).filter_by(household_id=hid, deleted_at=None) if m.name == "张母")


def _keys(rows):
    return [(r.kind, r.name, r.date, r.amount_before, r.amount_after, r.late) for r in rows]


def _month(env, key, when, tmp_path):
    """Make the month's report at ``when``; its rows and its PDF text."""
    out = tmp_path / f"m-{key}-{when:%d%H}.pdf"
    with clock.frozen(when), env.database.session() as s:
        reports.make_monthly(s, env.clerk, out, period=reports.parse_period(key, today=when.date()),
                             today=when.date())
        rows, _ = reports.monthly_changes(s, reports.parse_period(key, today=when.date()))
    return rows, _text(out)


def test_new_households_show_the_poverty_cause_and_deaths_are_zero_reported(env, family, tmp_path):
    rows, text = _month(env, "2026-10", datetime(2026, 10, 25, 10), tmp_path)
    new = [r for r in rows if r.kind == "新增"]
    assert [(r.name, r.reason) for r in new] == [("张三", "因病")]
    assert "审核确认" not in text and "因病" in text
    assert "本月无死亡人员，特此零报告" in text


def test_a_member_dying_in_a_household_that_stays_is_reported_by_the_date_of_death(env, family, tmp_path):
    mother = _mother(env, family)
    with clock.frozen(date(2026, 11, 10)), env.database.session() as s:
        with pytest.raises(ValidationError, match="死亡日期"):
            hs.remove_member(s, env.clerk, mother, reason="死亡")
        with pytest.raises(ValidationError, match="不能晚于今天"):
            hs.remove_member(s, env.clerk, mother, reason="死亡", death_date=date(2026, 11, 11))
    with clock.frozen(date(2026, 11, 10)), env.database.session() as s:
        hs.remove_member(s, env.clerk, mother, reason="死亡", death_date=date(2026, 10, 30))
    # October had not been reported yet: the death belongs to October
    rows, text = _month(env, "2026-10", datetime(2026, 11, 12, 9), tmp_path)
    deaths = [r for r in rows if r.kind == "死亡"]
    assert [(r.name, r.date, r.late) for r in deaths] == [("张母", date(2026, 10, 30), False)]
    assert "本月无死亡人员" not in text and "张母" in text and "户内成员死亡" in text
    with env.database.session(write=False) as s:
        assert s.get(Member, mother).deleted_at is not None
        assert s.get(Household, family).status == "在保"
    rows, text = _month(env, "2026-11", datetime(2026, 11, 25, 9), tmp_path)
    assert not [r for r in rows if r.kind == "死亡"] and "本月无死亡人员，特此零报告" in text


def test_entered_after_the_report_goes_into_the_next_month_as_late_entry(env, family, tmp_path):
    nov_report = datetime(2026, 11, 25, 9)
    # effective 11-20, approved 11-24: before the report, so in November
    with clock.frozen(datetime(2026, 11, 24, 15)), env.database.session() as s:
        approvals.approve(s, env.reviewer, approvals.propose_change(
            s, env.clerk, family, day=date(2026, 11, 20), reason="收入减少", monthly_amount="700").id)
    rows, text = _month(env, "2026-11", nov_report, tmp_path)
    assert [(r.kind, r.amount_after, r.late) for r in rows] == [("调整", 700, False)]
    # effective 11-27, approved 11-26 after the report of the 25th
    with clock.frozen(datetime(2026, 11, 26, 10)), env.database.session() as s:
        approvals.approve(s, env.reviewer, approvals.propose_change(
            s, env.clerk, family, day=date(2026, 11, 27), reason="收入减少", monthly_amount="750").id)
    again, _ = _month(env, "2026-11", datetime(2026, 11, 28, 9), tmp_path)
    assert _keys(again) == _keys(rows)  # the November report is a snapshot: made again, it says the same
    dec, text = _month(env, "2026-12", datetime(2026, 12, 24, 9), tmp_path)
    assert [(r.kind, r.date, r.amount_before, r.amount_after, r.late) for r in dec] == [
        ("调整", date(2026, 11, 27), 700, 750, True)]
    assert "补报" in text
    # entered after the December report too: January picks it up, December stays as printed
    with clock.frozen(date(2026, 12, 26)), env.database.session() as s:
        hs.remove_member(s, env.clerk, _mother(env, family), reason="死亡", death_date=date(2026, 11, 29))
    dec_again, _ = _month(env, "2026-12", datetime(2026, 12, 28, 9), tmp_path)
    assert _keys(dec_again) == _keys(dec)
    jan, _ = _month(env, "2027-01", datetime(2027, 1, 25, 9), tmp_path)
    assert [(r.kind, r.name, r.late) for r in jan] == [("死亡", "张母", True)]


def test_a_future_month_is_refused(env, family, tmp_path):
    with clock.frozen(date(2026, 11, 20)), env.database.session() as s:
        with pytest.raises(ValidationError, match="还没有开始"):
            reports.make_monthly(s, env.clerk, tmp_path / "x.pdf",
                                 period=reports.parse_period("2026-12", today=date(2026, 11, 20)),
                                 today=date(2026, 11, 20))
