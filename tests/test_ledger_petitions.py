"""信访举报台账: time limits, extension, reply, repeats marked 重点, opening a problem."""
from datetime import date

import pytest

from app import audit
from app.errors import PermissionDenied, ValidationError
from app.ledgers import petitions as pt
from test_ledger_support import TODAY, household, ident

D = date


def new(env, **kw):
    args = dict(channel="12345热线", content="反映张三家有车仍享受低保", received_date=D(2026, 9, 1),
                petitioner="李四", phone="13800000000", today=TODAY)
    args.update(kw)
    with env.database.session() as s:
        return pt.create_petition(s, env.clerk, **args)


def test_deadlines_are_computed_from_the_settings(env):
    p = new(env)
    assert p.number == "XF2026-0001" and p.state == "办理中"
    # 60 days from the last day of 受理 (9-16): 11-15 is a Sunday → Monday 11-16 (民法典 第二百零三条)
    assert p.deadlines.sort_due == D(2026, 9, 16) and p.deadlines.conclude_due == D(2026, 11, 16)
    assert p.deadlines.accept_notice_due == D(2026, 9, 21)  # 实名: 15 working days (Sunday 9-20 is 调休 work)
    assert p.deadlines.review_request_due is None
    assert p.sort_late and p.conclude_late and p.overdue  # nothing done by 2026-11-23
    with env.database.session() as s:
        sorted_ = pt.sort_petition(s, env.clerk, p.number, day=D(2026, 9, 10), handler="王五", today=TODAY)
        assert not sorted_.sort_late and sorted_.deadlines.conclude_due == D(2026, 11, 9)  # from 受理
        with pytest.raises(PermissionDenied, match="审核人"):
            pt.extend_petition(s, env.clerk, p.number, days=30, reason="需入户核查", today=D(2026, 10, 20))
        with pytest.raises(ValidationError, match="延期理由.*必须填写"):
            pt.extend_petition(s, env.reviewer, p.number, days=30, reason="", today=D(2026, 10, 20))
        with pytest.raises(ValidationError, match="延期天数.*1 到 30 日"):
            pt.extend_petition(s, env.reviewer, p.number, days=31, reason="需入户核查", today=D(2026, 10, 20))
        with pytest.raises(ValidationError, match="延期须在期限届满前决定"):
            pt.extend_petition(s, env.reviewer, p.number, days=30, reason="需入户核查", today=TODAY)
        ext = pt.extend_petition(s, env.reviewer, p.number, days=30, reason="需调取车辆登记信息",
                                 today=D(2026, 10, 20))
        assert ext.deadlines.conclude_due == D(2026, 12, 9) and not ext.conclude_late
        with pytest.raises(ValidationError, match="只能延长一次"):
            pt.extend_petition(s, env.reviewer, p.number, days=5, reason="再延", today=D(2026, 10, 21))
        with pytest.raises(ValidationError, match="答复日期.*不能早于收到日期"):
            pt.reply_petition(s, env.clerk, p.number, reply="经核实属实", outcome="属实",
                              day=D(2026, 8, 1), today=TODAY)
        done = pt.reply_petition(s, env.clerk, p.number, reply="经核实属实，已停保", outcome="属实",
                                 day=D(2026, 11, 20), today=TODAY)
    assert done.state == "已办结" and not done.conclude_late
    assert done.deadlines.review_request_due == D(2026, 12, 21)  # 12-20 is a Sunday
    with env.database.session() as s:
        with pytest.raises(ValidationError, match="超过申请期限"):
            pt.record_feedback(s, env.clerk, p.number, stage="复查", requested=D(2026, 12, 22),
                               today=D(2026, 12, 31))
        with pytest.raises(ValidationError, match="复核须在复查答复之后申请"):
            pt.record_feedback(s, env.clerk, p.number, stage="复核", requested=D(2026, 11, 22), today=TODAY)
        r = pt.record_feedback(s, env.clerk, p.number, satisfaction="不满意", stage="复查",
                               requested=D(2026, 11, 22), today=TODAY)
        assert r.deadlines.review_answer_due == D(2026, 12, 22) and r.satisfaction == "不满意"
        with pytest.raises(ValidationError, match="已于 2026-11-20 办结答复"):
            pt.reply_petition(s, env.clerk, p.number, reply="again", outcome="属实", today=TODAY)
        assert audit.verify(s).ok


@pytest.mark.parametrize("kw,message", [
    (dict(channel="托梦"), "来源渠道.*应为以下之一"),
    (dict(petitioner=None), "信访人.*必须填写"),
    (dict(content=""), "反映内容.*必须填写"),
    (dict(households=["不存在的户"]), "关联家庭.*找不到本单位的这户家庭"),
    (dict(received_date=D(2027, 1, 1)), "收到日期.*不能晚于今天"),
    (dict(id_number="110105194912310021"), "信访人身份证号"),
])
def test_bad_petitions_are_refused(env, kw, message):
    with pytest.raises(ValidationError, match=message):
        new(env, **kw)


def test_anonymous_petition_keeps_no_name(env):
    p = new(env, anonymous=True, petitioner="不应保存", channel="码上监督")
    assert p.anonymous and p.petitioner == "匿名"


def test_third_report_of_the_same_matter_marks_all_three_priority(env):
    number = household(env, "张三", ident(11))
    other = household(env, "赵六", ident(13), village="泾河村")
    a = new(env, households=[number], received_date=D(2026, 9, 1))
    b = new(env, households=[number], channel="来信", received_date=D(2026, 9, 20), anonymous=True)
    unrelated = new(env, households=[other], received_date=D(2026, 9, 21))
    assert not a.priority and b.repeat_count == 2 and not b.priority and b.related == [a.number]
    c = new(env, related_to=b.number, channel="来访", received_date=D(2026, 10, 5))  # explicit link
    assert c.priority and c.repeat_count == 3
    with env.database.session(write=False) as s:
        assert pt.get_petition(s, a.number, today=TODAY).priority
        assert pt.get_petition(s, b.number, today=TODAY).related == [a.number, c.number]
        assert not pt.get_petition(s, unrelated.number, today=TODAY).priority
        assert [p.number for p in pt.list_petitions(s, priority_only=True, today=TODAY)] == \
            [c.number, b.number, a.number]
        assert [p.number for p in pt.list_petitions(s, village="泾河村", today=TODAY)] == [unrelated.number]
        assert audit.verify(s).ok


def test_petition_opens_a_problem_once(env):
    number = household(env, "张三", ident(11))
    p = new(env, households=[number])
    with env.database.session() as s:
        problem = pt.open_problem(s, env.clerk, p.number, category="错保", responsible="王主任",
                                  today=TODAY)
        assert problem.source == "信访举报" and problem.petition_id == p.id
        assert [h.number for h in problem.households] == [number]
        with pytest.raises(ValidationError, match="已转为问题 WT2026-0001"):
            pt.open_problem(s, env.clerk, p.number, category="错保", responsible="王主任", today=TODAY)
        assert pt.get_petition(s, p.number).problem_id == problem.id


def test_calendar_limit_ending_on_a_holiday_moves_to_the_next_working_day(env):
    p = new(env, received_date=D(2026, 9, 16))  # +15 days = 10-01, National Day
    assert p.deadlines.sort_due == D(2026, 10, 8)
    q = new(env, received_date=D(2026, 9, 15))  # +15 days = 09-30, a working day
    assert q.deadlines.sort_due == D(2026, 9, 30)
    r = new(env, received_date=D(2026, 9, 14), anonymous=True)  # no notice for an anonymous report
    assert r.deadlines.accept_notice_due is None


def test_same_petitioner_same_matter_three_times_is_priority_without_a_household(env):
    number = household(env, "张三", ident(11))
    me = ident(31, D(1970, 1, 1))
    kw = dict(id_number=me, subject="村干部索要好处费")
    a = new(env, content="第一次反映", **kw)
    other_matter = new(env, households=[number], content="张三家有车", id_number=me,
                       received_date=D(2026, 9, 3))  # same petitioner, different subject
    b = new(env, content="第二次反映", channel="来信", received_date=D(2026, 9, 10), **kw)
    by_other = new(env, content="x", petitioner="王五", id_number=ident(32, D(1970, 1, 1)),
                   subject="村干部索要好处费", received_date=D(2026, 9, 11))
    assert b.repeat_count == 2 and not b.priority and b.related == [a.number]
    c = new(env, content="第三次", channel="来访", received_date=D(2026, 9, 20), **kw)
    assert c.priority and c.repeat_count == 3
    d = new(env, households=[number], content="张三户另有一事：低保金被克扣", anonymous=True,
            received_date=D(2026, 9, 21))  # the same household, a different matter: not merged
    assert d.repeat_count == 1 and not d.priority
    with env.database.session(write=False) as s:
        assert pt.get_petition(s, other_matter.number, today=TODAY).repeat_count == 1
        assert not pt.get_petition(s, by_other.number, today=TODAY).priority
        assert pt.get_petition(s, a.number, today=TODAY).priority
