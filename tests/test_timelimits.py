"""Time limits of a case (app.timelimits), each at its day boundary, and the refusal notice PDF."""
from datetime import date

import pytest
from pypdf import PdfReader

from app import timelimits
from app import households as hs
from app.errors import ValidationError
from app.refusal import make_refusal_notice
from db.models import Household
from test_assessment_support import household

HEAD = [("张三", 11, "户主")]
TODAY = date(2026, 11, 23)


def _step(s, env, hid, kind, day, **kw):
    hs.record_step(s, env.clerk, hid, kind=kind, day=day, handler="马晓梅", today=TODAY, **kw)


def _limits(env, hid, today):
    with env.database.session(write=False) as s:
        return {lim.rule: lim for lim in timelimits.case_limits(s, hid, today=today)}


def test_decision_within_30_working_days_of_acceptance_plus_15_when_extended(env):
    hid = household(env, HEAD)
    with env.database.session() as s:
        _step(s, env, hid, "受理", date(2026, 3, 2))
    lim = _limits(env, hid, date(2026, 4, 14))["低保审核确认时限"]
    assert lim.due == date(2026, 4, 14) and lim.state == timelimits.NEAR  # 清明 4-6 not counted
    assert _limits(env, hid, date(2026, 4, 15))["低保审核确认时限"].state == timelimits.LATE
    assert _limits(env, hid, date(2026, 4, 8))["低保审核确认时限"].state == timelimits.OPEN
    with env.database.session() as s, pytest.raises(ValidationError, match="须写明理由"):
        _step(s, env, hid, "延期", date(2026, 4, 1))
    with env.database.session() as s:
        _step(s, env, hid, "延期", date(2026, 4, 1), note="需调取外省社保记录")
    lim = _limits(env, hid, date(2026, 4, 15))["低保审核确认时限（已延期）"]
    assert lim.due == date(2026, 5, 8) and lim.state == timelimits.OPEN  # +15, 劳动节 5-1…5-5


def test_tekun_investigation_15_objection_15_decision_10(env):
    hid = household(env, [("李四", 12, "户主")], category="特困人员(分散供养)")
    with env.database.session() as s:
        _step(s, env, hid, "受理", date(2026, 3, 2))
        _step(s, env, hid, "公示", date(2026, 3, 10))  # ends 3-16
        gs = s.query(hs.Step).filter_by(household_id=hid, kind="公示").one().id
        from app import procedure
        procedure.record_objection(s, env.clerk, gs, day=date(2026, 3, 10), objection="有房产",
                                   today=TODAY)
    limits = _limits(env, hid, date(2026, 3, 31))
    assert limits["特困调查及初审时限"].due == date(2026, 3, 23)
    assert limits["特困调查及初审时限"].state == timelimits.DONE  # opinion published 3-10
    assert limits["公示异议复查时限"].due == date(2026, 3, 31)
    assert limits["公示异议复查时限"].state == timelimits.NEAR
    assert _limits(env, hid, date(2026, 4, 1))["公示异议复查时限"].state == timelimits.LATE
    assert limits["特困审核确认时限"].due == date(2026, 3, 30)  # 10 working days after 3-16


def test_refusal_told_in_writing_within_3_working_days_and_the_notice_pdf(env, tmp_path):
    hid = household(env, HEAD)
    with env.database.session() as s:
        _step(s, env, hid, "受理", date(2026, 4, 20))
        hs.change_status(s, env.reviewer, hid, status="未通过", reason="家庭人均收入 820 元，高于当地低保标准",
                         day=date(2026, 4, 30))
    lim = _limits(env, hid, date(2026, 5, 8))["不予确认书面告知时限"]
    assert lim.due == date(2026, 5, 8) and lim.state == timelimits.NEAR  # 劳动节 5-1…5-5
    assert _limits(env, hid, date(2026, 5, 9))["不予确认书面告知时限"].state == timelimits.LATE
    out = tmp_path / "notice.pdf"
    with env.database.session() as s:
        res = make_refusal_notice(s, env.clerk, hid, out, today=date(2026, 5, 7))
        number = s.get(Household, hid).number
    text = "".join(p.extract_text() for p in PdfReader(out).pages).replace("\n", "")
    assert res.pages == 1
    for expected in ("不予确认告知书", "张三：", number, "2026年4月30日", "高于当地低保标准", "行政复议",
                     "行政诉讼", "2026年5月7日"):
        assert expected in text, expected
    lim = _limits(env, hid, date(2026, 6, 1))["不予确认书面告知时限"]
    assert lim.done == date(2026, 5, 7) and lim.state == timelimits.DONE


def test_calendar_limit_moves_past_a_holiday(env):
    with env.database.session(write=False) as s:
        assert timelimits.calendar_limit(s, date(2026, 9, 16), 15).day == date(2026, 10, 8)
        assert timelimits.calendar_limit(s, date(2026, 9, 15), 15).day == date(2026, 9, 30)
        assert timelimits.calendar_limit(s, date(2026, 11, 6), 2).day == date(2026, 11, 9)  # Sunday
