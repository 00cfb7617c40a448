"""渐退 (start, cap, list, due exits), recalculation when standards change (preview, batch
approval, monthly report) and the review schedule (due and overdue)."""
from datetime import date
from decimal import Decimal as D

import pytest

from app import audit, queries, reviews
from app.assessment import approvals, gradual, income, recalc, standards
from app.assessment.assess import save_assessment
from app.errors import ValidationError
from test_assessment_support import granted, household


def _detail(env, hid):
    with env.database.session(write=False) as s:
        return queries.household_detail(s, hid)


def _with_income(env, monthly, amount="600", members=(("张三", 11, "户主"),)):
    hid = granted(env, household(env, list(members), amount=amount))
    with env.database.session() as s:
        income.add_income(s, env.clerk, hid, kind="工资性收入", amount=monthly)
    return hid


def test_grace_period_starts_next_month_keeps_amount_and_lists_ending(env):
    hid = _with_income(env, "900", amount="500")  # 900 > 600: income above the standard
    with env.database.session() as s:
        started = gradual.start_grace(s, env.clerk, hid, reason="就业", day=date(2026, 5, 20))
    g = started.grace
    # 就业: 6 months by default → 2026-06-01 … 2026-11-30
    assert (g.start, g.end, g.months, g.amount, g.state) == (date(2026, 6, 1), date(2026, 11, 30), 6,
                                                              D("500.00"), "进行中")
    assert started.proposal is None and _detail(env, hid).monthly_amount == D("500.00")
    assert _detail(env, hid).steps[-1].outcome.startswith("进入渐退期")
    with env.database.session(write=False) as s:
        assert [x.id for x in gradual.grace_ending(s, today=date(2026, 10, 15))] == [g.id]  # ends next month
        assert gradual.grace_ending(s, today=date(2026, 9, 15)) == []
    with env.database.session() as s, pytest.raises(ValidationError, match="已在渐退期内"):
        gradual.start_grace(s, env.clerk, hid, reason="就业", day=date(2026, 5, 21))


def test_grace_amount_capped_at_standard_times_household_size(env):
    hid = _with_income(env, "1300", amount="800",
                       members=(("张三", 11, "户主"), ("李梅", 12, "配偶")))  # 650 per person
    with env.database.session() as s:
        started = gradual.start_grace(s, env.clerk, hid, reason="领取养老金", day=date(2026, 5, 20))
    # 650 per person > 600; cap 600 × 2 persons = 1200 ≥ 800: the amount is kept
    assert started.grace.amount == D("800.00") and started.proposal is None
    hid2 = _with_income(env, "700", amount="750", members=(("王五", 21, "户主"),))
    with env.database.session() as s:
        capped = gradual.start_grace(s, env.clerk, hid2, reason="就业", day=date(2026, 5, 20))
    assert capped.grace.amount == D("600.00")  # 600 × 1
    assert capped.proposal.kind == "金额调整" and capped.proposal.after["monthly_amount"] == "600.00"
    assert _detail(env, hid2).monthly_amount == D("750.00")  # until the reviewer approves


def test_grace_refused_when_income_not_above_standard_or_reason_unknown(env):
    hid = _with_income(env, "300")
    with env.database.session() as s:
        with pytest.raises(ValidationError, match="不需渐退"):
            gradual.start_grace(s, env.clerk, hid, reason="就业", day=date(2026, 5, 20))
        with pytest.raises(ValidationError, match="中彩票.*领取养老金"):
            gradual.start_grace(s, env.clerk, hid, reason="中彩票", day=date(2026, 5, 20))


def test_grace_end_proposes_exit_which_the_reviewer_approves(env):
    hid = _with_income(env, "900", amount="500")
    kept = _with_income(env, "900", amount="500", members=(("李四", 31, "户主"),))
    with env.database.session() as s:
        g = gradual.start_grace(s, env.clerk, hid, reason="就业", day=date(2026, 5, 20)).grace
        k = gradual.start_grace(s, env.clerk, kept, reason="就业", day=date(2026, 5, 20)).grace
        gradual.keep_household(s, env.clerk, k.id, note="复核发现务工收入已中断")
        assert gradual.process_due_exits(s, env.clerk, today=date(2026, 10, 31)).proposed == []
        report = gradual.process_due_exits(s, env.clerk, today=date(2026, 11, 5))
    [p] = report.proposed
    assert p.household_id == hid and p.kind == "退出" and p.day == date(2026, 12, 1)
    assert "渐退期满" in p.reason
    with env.database.session() as s:
        approvals.approve(s, env.reviewer, p.id)
        assert sorted(x.state for x in gradual.list_grace(s, states=("已结束", "不退出"))) == ["不退出", "已结束"]
        assert audit.verify(s).ok
    d = _detail(env, hid)
    assert (d.status, d.exit_date) == ("已退出", date(2026, 12, 1))
    assert _detail(env, kept).status == "在保"


def _assessed(env, monthly, amount):
    hid = _with_income(env, monthly, amount=amount, members=(("赵%s" % monthly, int(monthly) % 97 + 1, "户主"),))
    with env.database.session() as s:
        save_assessment(s, env.clerk, hid, day=date(2026, 3, 1))
    return hid


def test_recalculation_preview_then_batch_approved_and_reported(env):
    up = _assessed(env, "200", "400")  # (600 − 200) = 400 now; 700 → 500: 增发
    same = _assessed(env, "750", "0")  # above both standards: 0 → 0: 不变
    unassessed = granted(env, household(env, [("钱七", 77, "户主")], amount="300"))
    with env.database.session() as s:
        standards.add_standard(s, env.admin, kind="低保", variant="农村", value="700",
                               effective_from=date(2026, 7, 1))
    with env.database.session(write=False) as s:
        preview = recalc.preview_recalculation(s, day=date(2026, 7, 1))
        with pytest.raises(ValidationError, match="没有新的保障标准"):
            recalc.preview_recalculation(s, day=date(2026, 7, 2))
    rows = {r.household_id: r for r in preview.rows}
    assert (rows[up].old, rows[up].new, rows[up].change) == (D("400.00"), D("500.00"), "增发")
    assert rows[same].change == "不变" and rows[unassessed].change == "未评估"
    assert "农村低保标准：600.00 → 700.00元" in preview.changed[0]
    with env.database.session() as s:
        batch = recalc.apply_recalculation(s, env.clerk, day=date(2026, 7, 1))
        assert [p.household_id for p in batch.proposals] == [up]
        with pytest.raises(ValidationError, match="提出人不能审核"):
            approvals.approve_batch(s, env.clerk.__class__("clerk", "x", "审核人", env.clerk.office_code),
                                    batch.batch_id)
        approved = approvals.approve_batch(s, env.reviewer, batch.batch_id)
    assert [p.state for p in approved] == ["已批准"]
    d = _detail(env, up)
    assert d.monthly_amount == D("500.00") and d.steps[-1].kind == "调整" and d.steps[-1].day == date(2026, 7, 1)
    from app import reports

    with env.database.session(write=False) as s:
        changes, _ = reports.monthly_changes(s, reports.parse_period("2026-07", today=date(2026, 7, 1)))
        assert [(c.amount_before, c.amount_after) for c in changes if c.kind == "调整"] == [
            (D("400.00"), D("500.00"))]
        assert audit.verify(s).ok


def test_recalculation_skips_households_in_grace(env):
    hid = _assessed(env, "900", "500")
    with env.database.session() as s:
        gradual.start_grace(s, env.clerk, hid, reason="就业", day=date(2026, 5, 20))
        standards.add_standard(s, env.admin, kind="低保", variant="农村", value="1000",
                               effective_from=date(2026, 7, 1))
    with env.database.session(write=False) as s:
        [row] = recalc.preview_recalculation(s, day=date(2026, 7, 1)).rows
    assert row.change == "渐退期内"


def test_review_due_and_overdue_from_class_and_settings(env):
    a = granted(env, household(env, [("甲", 11, "户主")], classification="A"), day=date(2026, 1, 10))
    c = granted(env, household(env, [("乙", 12, "户主")], classification="C"), day=date(2026, 1, 10))
    household(env, [("丙", 13, "户主")])  # an application: not reviewed
    with env.database.session(write=False) as s:
        due = reviews.due_reviews(s, today=date(2026, 4, 15))
        assert [(r.household_id, r.next_review_date, r.overdue, r.days) for r in due] == [
            (c, date(2026, 4, 10), True, 5)]  # C: every 3 months
        soon = reviews.due_reviews(s, today=date(2026, 12, 20), within_days=30)
        assert [r.household_id for r in soon] == [c, a] and not soon[1].overdue  # A: 2027-01-10
        with pytest.raises(ValidationError):
            reviews.due_reviews(s, today=date(2026, 4, 15), within_days=-1)
