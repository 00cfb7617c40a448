"""Two pairs of eyes: grants, category and amount changes and exits take effect only when a
审核人 approves what a 经办人 proposed; before/after side by side; everything audited."""
import json
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from app import audit, clock, queries
from app import households as hs
from app.assessment import approvals, income
from app.assessment.assess import save_assessment
from app.errors import PermissionDenied, ValidationError
from db.models import AuditEntry
from test_assessment_support import granted, household
from procedure_support import complete_steps


def _detail(env, hid):
    with env.database.session(write=False) as s:
        return queries.household_detail(s, hid)


def test_grant_proposed_by_clerk_approved_by_reviewer_with_before_after(env):
    hid = household(env, [("张三", 11, "户主")], amount="500")
    with env.database.session() as s:
        complete_steps(s, env.clerk, hid, date(2026, 11, 1))
        p = approvals.propose_grant(s, env.clerk, hid, day=date(2026, 11, 1), reason="经审核符合条件",
                                    monthly_amount="520")
    assert p.state == "待审核" and p.kind == "纳入"
    pairs = {f.field: (f.before, f.after) for f in p.pairs}
    assert pairs["status"] == ("申请中", "在保") and pairs["monthly_amount"] == ("500.00", "520.00")
    assert _detail(env, hid).status == "申请中"  # nothing in effect before the approval
    with env.database.session() as s:
        done = approvals.approve(s, env.reviewer, p.id, note="同意")
    assert done.state == "已批准" and done.decided_by == "reviewer"
    d = _detail(env, hid)
    assert (d.status, d.monthly_amount, d.approve_date) == ("在保", D("520.00"), date(2026, 11, 1))
    assert d.steps[-1].kind == "审核确认" and "clerk 提出" in d.steps[-1].outcome
    with env.database.session(write=False) as s:
        assert audit.verify(s).ok


def test_same_user_cannot_propose_and_approve(env):
    hid = household(env, [("张三", 11, "户主")])
    with env.database.session() as s:
        p = approvals.propose_grant(s, env.reviewer, hid, day=date(2026, 11, 1), reason="符合条件")
    with env.database.session() as s, pytest.raises(ValidationError, match="提出人不能审核"):
        approvals.approve(s, env.reviewer, p.id)
    with env.database.session() as s, pytest.raises(ValidationError, match="提出人不能审核"):
        approvals.refuse(s, env.reviewer, p.id, reason="不同意")
    assert _detail(env, hid).status == "申请中"


def test_clerk_cannot_approve_and_admin_cannot_propose(env):
    hid = household(env, [("张三", 11, "户主")])
    with env.database.session() as s:
        p = approvals.propose_grant(s, env.clerk, hid, day=date(2026, 11, 1), reason="符合条件")
    with env.database.session() as s, pytest.raises(PermissionDenied, match="审核人"):
        approvals.approve(s, env.clerk, p.id)
    with env.database.session() as s, pytest.raises(PermissionDenied):
        approvals.approve(s, env.admin, p.id)
    other = household(env, [("李四", 12, "户主")])
    with env.database.session() as s, pytest.raises(PermissionDenied):
        approvals.propose_grant(s, env.admin, other, day=date(2026, 11, 1), reason="符合条件")


def test_refusal_needs_a_reason_and_is_audited(env):
    hid = household(env, [("张三", 11, "户主")])
    with env.database.session() as s:
        p = approvals.propose_grant(s, env.clerk, hid, day=date(2026, 11, 1), reason="符合条件")
    with env.database.session() as s, pytest.raises(ValidationError, match="退回理由"):
        approvals.refuse(s, env.reviewer, p.id, reason="  ")
    with env.database.session() as s:
        r = approvals.refuse(s, env.reviewer, p.id, reason="入户调查记录缺少签字")
    assert r.state == "已退回" and r.decision_note == "入户调查记录缺少签字"
    assert _detail(env, hid).status == "申请中"
    with env.database.session() as s, pytest.raises(ValidationError, match="已退回"):
        approvals.approve(s, env.reviewer, p.id)
    with env.database.session(write=False) as s:
        e = s.execute(select(AuditEntry).where(AuditEntry.action == "proposal.refuse")).scalar_one()
        assert e.username == "reviewer" and "入户调查记录缺少签字" in e.after


def test_approved_amount_change_audited_with_before_and_after_and_derivation(env):
    hid = granted(env, household(env, [("张三", 11, "户主")], amount="600"))
    with env.database.session() as s:
        income.add_income(s, env.clerk, hid, kind="工资性收入", amount="200")
        result = save_assessment(s, env.clerk, hid, day=date(2026, 11, 1))
        p = approvals.propose_change(s, env.clerk, hid, day=date(2026, 11, 1), reason="收入增加",
                                     monthly_amount=result.amount, derivation=result.as_dict(),
                                     assessment_id=result.assessment_id)
    assert result.amount == D("400.00") and p.kind == "金额调整"
    assert ("600.00", "400.00") == next((f.before, f.after) for f in p.pairs if f.field == "monthly_amount")
    assert any("差额" in line for line in p.derivation)
    with env.database.session() as s:
        approvals.approve(s, env.reviewer, p.id)
    d = _detail(env, hid)
    assert d.monthly_amount == D("400.00") and d.steps[-1].kind == "调整" and d.steps[-1].note == "收入增加"
    with env.database.session(write=False) as s:
        upd = s.execute(select(AuditEntry).where(AuditEntry.action == "household.update")
                        .order_by(AuditEntry.seq.desc())).scalars().first()
        assert upd.username == "reviewer"
        assert json.loads(upd.before)["monthly_amount"] == "600.00"
        assert json.loads(upd.after)["monthly_amount"] == "400.00"
        created = s.execute(select(AuditEntry).where(AuditEntry.action == "proposal.create")
                            .order_by(AuditEntry.seq.desc())).scalars().first()
        derivation = json.loads(json.loads(created.after)["derivation"])
        assert derivation["derivation"]["amount"] == "400.00" and derivation["derivation"]["lines"]
        assert audit.verify(s).ok


def test_direct_changes_of_gated_fields_are_refused_with_the_proposal_path(env):
    hid = granted(env, household(env, [("张三", 11, "户主")], amount="600"))
    with env.database.session() as s:
        for changes in ({"monthly_amount": "700"}, {"category": "城市低保"}):
            with pytest.raises(ValidationError, match="提交审核"):
                hs.edit_household(s, env.reviewer, hid, expected_version=None, changes=changes)
        with pytest.raises(ValidationError, match="提交审核"):
            hs.change_status(s, env.reviewer, hid, status="已退出", reason="死亡")
        # unchanged values and other fields still save directly; 暂停 is not gated
        hs.edit_household(s, env.clerk, hid, expected_version=None,
                          changes={"monthly_amount": "600", "address": "3组12号"})
        hs.change_status(s, env.reviewer, hid, status="暂停", reason="外出务工，暂停发放")
    assert _detail(env, hid).status == "暂停"


def test_category_change_and_exit_through_approval(env):
    hid = granted(env, household(env, [("张三", 11, "户主")], amount="600"))
    with env.database.session() as s:
        p = approvals.propose_change(s, env.clerk, hid, day=date(2026, 11, 1), reason="迁入城区",
                                     category="城市低保", monthly_amount="800")
        assert p.kind == "类别变更"
        with pytest.raises(ValidationError, match="已有待审核的提议"):
            approvals.propose_exit(s, env.clerk, hid, day=date(2026, 11, 1), reason="死亡")
        approvals.approve(s, env.reviewer, p.id)
        e = approvals.propose_exit(s, env.clerk, hid, day=date(2026, 12, 1), reason="收入超标")
        approvals.approve(s, env.reviewer, e.id)
    d = _detail(env, hid)
    assert (d.category, d.monthly_amount, d.status) == ("城市低保", D("800.00"), "已退出")
    assert (d.exit_date, d.exit_reason) == (date(2026, 12, 1), "收入超标")


def test_stale_proposal_cannot_be_approved_and_proposer_may_withdraw(env):
    hid = granted(env, household(env, [("张三", 11, "户主")], amount="600"))
    with env.database.session() as s:
        p = approvals.propose_change(s, env.clerk, hid, day=date(2026, 11, 1), reason="x", monthly_amount="650",
                                     over_reason="测试：高于标准")
        hs.change_status(s, env.reviewer, hid, status="暂停", reason="暂停发放")
    with env.database.session() as s, pytest.raises(ValidationError, match="保障状态：在保 → 暂停"):
        approvals.approve(s, env.reviewer, p.id)
    with env.database.session() as s, pytest.raises(ValidationError, match="只有提出人"):
        approvals.withdraw(s, env.reviewer, p.id, reason="x")
    with env.database.session() as s:
        assert approvals.withdraw(s, env.clerk, p.id, reason="情况有变").state == "已撤回"
        assert approvals.list_proposals(s) == []
        assert [x.state for x in approvals.list_proposals(s, state=None, household_id=hid)] == ["已批准", "已撤回"]


def test_monthly_report_lists_an_approved_adjustment(env):
    from app import reports

    hid = granted(env, household(env, [("张三", 11, "户主")], amount="600"))
    with env.database.session() as s, clock.frozen(date(2026, 11, 23)):
        p = approvals.propose_change(s, env.clerk, hid, day=clock.today(), reason="收入增加", monthly_amount="450")
        approvals.approve(s, env.reviewer, p.id)
        period = reports.parse_period(None, today=clock.today())
        changes, _ = reports.monthly_changes(s, period)
    adj = [c for c in changes if c.kind == "调整"]
    assert [(c.name, c.amount_before, c.amount_after) for c in adj] == [("张三", D("600.00"), D("450.00"))]
