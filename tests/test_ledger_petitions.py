"""信访举报台账: time limits, extension, reply, repeats marked 重点, opening a problem."""
from datetime import date

import pytest

from app import audit
from app.errors import ValidationError
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
    assert p.deadlines.sort_due == D(2026, 9, 16) and p.deadlines.conclude_due == D(2026, 10, 31)
    assert p.deadlines.review_request_due is None
    assert p.sort_late and p.conclude_late and p.overdue  # nothing done by 2026-11-23
    with env.database.session() as s:
        sorted_ = pt.sort_petition(s, env.clerk, p.number, day=D(2026, 9, 10), handler="王五", today=TODAY)
        assert not sorted_.sort_late
        with pytest.raises(ValidationError, match="延期理由.*必须填写"):
            pt.extend_petition(s, env.clerk, p.number, days=30, reason="", today=D(2026, 10, 20))
        with pytest.raises(ValidationError, match="延期天数.*1 到 30 日"):
            pt.extend_petition(s, env.clerk, p.number, days=31, reason="需入户核查", today=D(2026, 10, 20))
        with pytest.raises(ValidationError, match="延期须在期限届满前决定"):
            pt.extend_petition(s, env.clerk, p.number, days=30, reason="需入户核查", today=TODAY)
        ext = pt.extend_petition(s, env.clerk, p.number, days=30, reason="需调取车辆登记信息",
                                 today=D(2026, 10, 20))
        assert ext.deadlines.conclude_due == D(2026, 11, 30) and not ext.conclude_late
        with pytest.raises(ValidationError, match="只能延长一次"):
            pt.extend_petition(s, env.clerk, p.number, days=5, reason="再延", today=D(2026, 10, 21))
        with pytest.raises(ValidationError, match="答复日期.*不能早于收到日期"):
            pt.reply_petition(s, env.clerk, p.number, reply="经核实属实", outcome="属实",
                              day=D(2026, 8, 1), today=TODAY)
        done = pt.reply_petition(s, env.clerk, p.number, reply="经核实属实，已停保", outcome="属实",
                                 day=D(2026, 11, 20), today=TODAY)
    assert done.state == "已办结" and not done.conclude_late
    assert done.deadlines.review_request_due == D(2026, 12, 20)
    with env.database.session() as s:
        with pytest.raises(ValidationError, match="超过申请期限"):
            pt.record_feedback(s, env.clerk, p.number, stage="复查", requested=D(2026, 12, 21),
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
