"""Procedure gates (app.procedure): no step skipped, each refusal naming its rule; 先行救助."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app import audit, casetasks, procedure, rulesettings
from app import households as hs
from app.assessment import approvals
from app.errors import PermissionDenied, ValidationError
from db.models import AuditEntry, Household, Step
from db.procedure_models import ProcedureOverride
from test_assessment_support import TODAY, household

HEAD = [("张三", 11, "户主")]


def _step(s, env, hid, kind, day, **kw):
    hs.record_step(s, env.clerk, hid, kind=kind, day=day, handler="马晓梅", today=TODAY, **kw)


def _all_steps(s, env, hid, gongshi=date(2026, 1, 10)):
    _step(s, env, hid, "受理", date(2026, 1, 3))
    _step(s, env, hid, "家庭经济状况核对", date(2026, 1, 5), report_number="HD-0001")
    _step(s, env, hid, "入户调查", date(2026, 1, 6), signers="马晓梅、李建军")
    _step(s, env, hid, "民主评议", date(2026, 1, 8), attendee="王乡镇")
    _step(s, env, hid, "公示", gongshi)


def _propose(s, env, hid, day):
    return approvals.propose_grant(s, env.clerk, hid, day=day, reason="符合条件")


def test_grant_refused_naming_each_missing_step(env):
    hid = household(env, HEAD)
    with env.database.session() as s:
        p = _propose(s, env, hid, date(2026, 2, 1))
    with env.database.session() as s, pytest.raises(ValidationError) as err:
        approvals.approve(s, env.reviewer, p.id)
    for step in ("受理", "家庭经济状况核对", "入户调查", "民主评议", "公示"):
        assert step in str(err.value)
    with env.database.session() as s:
        _step(s, env, hid, "受理", date(2026, 1, 3))
        _step(s, env, hid, "家庭经济状况核对", date(2026, 1, 5), report_number="HD-0001")
    with env.database.session() as s, pytest.raises(ValidationError) as err:
        approvals.approve(s, env.reviewer, p.id)
    assert "入户调查" in str(err.value) and "家庭经济状况核对" not in str(err.value)
    with env.database.session(write=False) as s:
        assert s.get(Household, hid).status == "申请中"


def test_bad_steps_refused_with_the_rule_and_nothing_written(env):
    hid = household(env, HEAD)
    with env.database.session() as s:
        _step(s, env, hid, "受理", date(2026, 1, 5))
    with env.database.session(write=False) as s:
        before = s.execute(select(func.count()).select_from(Step)).scalar_one()
    cases = [
        (dict(kind="入户调查", day=date(2026, 1, 6), signers="马晓梅"), "至少 2 名工作人员签字"),
        (dict(kind="入户调查", day=date(2026, 1, 6)), "至少 2 名工作人员签字"),  # the handler alone
        (dict(kind="入户调查", day=date(2026, 1, 4), signers="马晓梅、李建军"), "不得早于受理"),
        (dict(kind="入户调查", day=TODAY.replace(day=24), signers="马晓梅、李建军"), "不能晚于今天"),
        (dict(kind="家庭经济状况核对", day=date(2026, 1, 6)), "报告编号"),
        (dict(kind="民主评议", day=date(2026, 1, 6), attendee=" "), "乡镇（街道）工作人员参加"),
        (dict(kind="公示", day=date(2026, 1, 6), period_days=6), "公示期不少于 7 天"),
    ]
    for kw, rule in cases:
        with env.database.session() as s, pytest.raises(ValidationError, match=rule):
            _step(s, env, hid, **kw)
    with env.database.session(write=False) as s:
        assert s.execute(select(func.count()).select_from(Step)).scalar_one() == before
    with env.database.session() as s:  # on the day of 受理 and on today: both accepted
        _step(s, env, hid, "入户调查", date(2026, 1, 5), signers="马晓梅，李建军")
        _step(s, env, hid, "入户调查", TODAY, signers=["马晓梅", "李建军"])


def test_gongshi_must_be_finished_on_the_day_after_its_seventh_day(env):
    hid = household(env, HEAD)
    with env.database.session() as s:
        _all_steps(s, env, hid, gongshi=date(2026, 1, 10))  # 1-10 … 1-16
        p = _propose(s, env, hid, date(2026, 1, 16))
    with env.database.session() as s, pytest.raises(ValidationError, match="公示期满（2026-01-16 结束）"):
        approvals.approve(s, env.reviewer, p.id)
    with env.database.session() as s:
        approvals.withdraw(s, env.clerk, p.id, reason="公示未满")
        p = _propose(s, env, hid, date(2026, 1, 17))
        assert approvals.approve(s, env.reviewer, p.id).state == "已批准"


def test_unresolved_objection_blocks_until_reinvestigated(env):
    hid = household(env, HEAD)
    with env.database.session() as s:
        _all_steps(s, env, hid)
        gs = s.execute(select(Step.id).where(Step.household_id == hid, Step.kind == "公示")).scalar_one()
        procedure.record_objection(s, env.clerk, gs, day=date(2026, 1, 12), objection="村民反映有车辆",
                                   today=TODAY)
        p = _propose(s, env, hid, date(2026, 2, 1))
    with env.database.session() as s, pytest.raises(ValidationError, match="异议须复查处理完毕"):
        approvals.approve(s, env.reviewer, p.id)
    with env.database.session() as s:
        procedure.resolve_objection(s, env.clerk, gs, day=date(2026, 1, 20), resolution="车辆已过户，不影响",
                                    today=TODAY)
        assert approvals.approve(s, env.reviewer, p.id).state == "已批准"


def test_first_aid_override_by_reviewer_is_audited_a_finding_and_a_task(env):
    hid = household(env, HEAD, category="临时救助")
    with env.database.session() as s:
        p = _propose(s, env, hid, date(2026, 1, 9))  # a Friday
    with env.database.session() as s, pytest.raises(ValidationError, match="受理.*入户调查"):
        approvals.approve(s, env.reviewer, p.id, override_reason="  ")
    with env.database.session() as s:
        done = approvals.approve(s, env.reviewer, p.id, override_reason="突发火灾，先行救助")
        assert done.state == "已批准"
        [o] = procedure.overrides(s)
        assert "受理" in o.missing and "入户调查" in o.missing and o.reason == "突发火灾，先行救助"
        assert not o.completed
        [task] = [t for t in casetasks.list_tasks(s, household_id=hid) if t.kind == "补办程序"]
        assert task.due == date(2026, 1, 16)  # 5 working days after Friday 1-9
        assert s.execute(select(AuditEntry).where(AuditEntry.action == "procedure.override")).scalar_one()
        _step(s, env, hid, "受理", date(2026, 1, 12))
        assert not procedure.overrides(s)[0].completed
        _step(s, env, hid, "入户调查", date(2026, 1, 13), signers="马晓梅、李建军")
        assert procedure.overrides(s)[0].completed
        assert audit.verify(s).ok


def test_short_procedure_for_temporary_assistance(env):
    hid = household(env, HEAD, category="临时救助")
    with env.database.session() as s:
        _step(s, env, hid, "受理", date(2026, 1, 3))
        _step(s, env, hid, "入户调查", date(2026, 1, 4), signers="马晓梅、李建军")
        p = _propose(s, env, hid, date(2026, 1, 5))
        assert approvals.approve(s, env.reviewer, p.id).state == "已批准"
        assert s.execute(select(func.count()).select_from(ProcedureOverride)).scalar_one() == 0


def test_clerk_cannot_override(env):
    hid = household(env, HEAD)
    with env.database.session() as s:
        p = _propose(s, env, hid, date(2026, 1, 5))
    with env.database.session() as s, pytest.raises(PermissionDenied):
        approvals.approve(s, env.clerk, p.id, override_reason="急")


def test_democratic_review_only_where_the_office_holds_one(env):
    hid = household(env, HEAD)
    with env.database.session() as s:
        rulesettings.set_value(s, env.admin, "democratic_review_held", "否")
        _step(s, env, hid, "受理", date(2026, 1, 3))
        _step(s, env, hid, "家庭经济状况核对", date(2026, 1, 5), report_number="HD-0001")
        _step(s, env, hid, "入户调查", date(2026, 1, 6), signers="马晓梅、李建军")
        _step(s, env, hid, "公示", date(2026, 1, 10))
        assert procedure.missing_for_grant(s, s.get(Household, hid), "农村低保", date(2026, 1, 17)) == []
        with pytest.raises(ValidationError, match="环节"):
            rulesettings.set_value(s, env.admin, "procedure_steps", {"农村低保": ["受理", "喝茶"]})


def test_tekun_exit_needs_its_termination_notice(env):
    hid = household(env, [("李四", 12, "户主")], category="特困人员(分散供养)")
    with env.database.session() as s:
        _all_steps(s, env, hid)
        approvals.approve(s, env.reviewer, _propose(s, env, hid, date(2026, 1, 20)).id)
        e = approvals.propose_exit(s, env.clerk, hid, day=date(2026, 3, 1), reason="死亡")
    with env.database.session() as s, pytest.raises(ValidationError, match="终止公示"):
        approvals.approve(s, env.reviewer, e.id)
    with env.database.session() as s:
        _step(s, env, hid, "终止公示", date(2026, 2, 20))
        assert approvals.approve(s, env.reviewer, e.id).state == "已批准"


def test_refusal_opens_a_written_notice_task_due_in_three_working_days(env):
    hid = household(env, HEAD)
    with env.database.session() as s:
        hs.change_status(s, env.reviewer, hid, status="未通过", reason="收入超标", day=date(2026, 1, 8))
        [task] = casetasks.list_tasks(s, household_id=hid)
        assert (task.kind, task.due) == ("书面告知", date(2026, 1, 13))  # Thu → Tue
        assert task.late(date(2026, 1, 14)) and not task.late(date(2026, 1, 13))
        _step(s, env, hid, "告知", date(2026, 1, 12))
        assert casetasks.list_tasks(s, household_id=hid) == []
