"""Two pairs of eyes and the assessment in the GUI: a clerk submits a grant from the household
window and a reviewer approves it side by side; refusals need a reason; a proposer cannot approve;
amount changes of a household in force go to review; the 测算 tab shows the derivation; the
标准调整测算 dialog lists the households and creates a batch of proposals."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from app import audit, clock, queries
from app.assessment import approvals, income, standards
from app.assessment.assess import save_assessment
from app.errors import ValidationError
from app.history import household_history
from test_ui_support import add_household, make_ctx, ui_dialogs  # noqa: F401 - fixture
from procedure_support import complete_steps

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _frozen_clock():
    """A fixed 'today' for the app and the test alike (never the real date)."""
    with clock.frozen(TODAY):
        yield


OUT = Path(__file__).resolve().parent.parent / "screenshots"


def _shot(widget, name: str) -> None:  # noqa: ANN001
    OUT.mkdir(exist_ok=True)
    widget.grab().save(str(OUT / name))


def _open(qtbot, env, actor, hid):  # noqa: ANN001, ANN202
    from ui.household_window import HouseholdWindow

    win = HouseholdWindow(make_ctx(env, actor), hid)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.loaded and win.assessment.loaded, timeout=5000)
    return win


def _detail(env, hid):  # noqa: ANN001, ANN202
    with env.database.session(write=False) as s:
        return queries.household_detail(s, hid)


def _proposals(env, hid, state=approvals.PENDING):  # noqa: ANN001, ANN202
    with env.database.session(write=False) as s:
        return approvals.list_proposals(s, household_id=hid, state=state)


def _granted(env, hid):  # noqa: ANN001, ANN202
    with env.database.session() as s:
        complete_steps(s, env.clerk, hid, TODAY)
        p = approvals.propose_grant(s, env.clerk, hid, day=TODAY, reason="经审核符合条件")
        approvals.approve(s, env.reviewer, p.id)
    return hid


def _table(t):  # noqa: ANN001, ANN202
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def test_clerk_proposes_grant_and_reviewer_approves_side_by_side(qtbot, env, ui_dialogs):  # noqa: F811
    hid = add_household(env)
    win = _open(qtbot, env, env.clerk, hid)
    assert win.proposal_banner.isHidden()
    dlg = win.change_status_dialog()
    dlg.select("在保")
    assert dlg.is_proposal()
    dlg.try_accept()
    assert "必须写明理由" in dlg.error.text() and dlg.isVisible()
    dlg.reason.setPlainText("经入户调查和经济状况核对，符合农村低保条件")
    _shot(dlg, "46-两人审核-提交纳入.png")
    dlg.try_accept()
    qtbot.waitUntil(lambda: win.proposal is not None and win.proposal_banner.isVisible(), timeout=5000)
    assert _detail(env, hid).status == "申请中"  # nothing in force before the approval
    assert "已提交审核" in win.notice.text()
    banner = win.proposal_banner
    assert "纳入" in banner.title.text() and "clerk" in banner.title.text()
    assert banner.withdraw_button.isVisible() and not banner.approve_button.isVisible()
    _shot(win, "40-两人审核-经办人提交.png")

    with env.database.session() as s:  # the steps a decision needs (app.procedure)
        complete_steps(s, env.clerk, hid, TODAY)
    rev = _open(qtbot, env, env.reviewer, hid)
    banner = rev.proposal_banner
    assert banner.isVisible() and banner.approve_button.isVisible() and banner.refuse_button.isVisible()
    assert not banner.withdraw_button.isVisible()
    rows = _table(banner.table)
    assert ["保障状态", "申请中", "在保"] in rows
    assert ["月保障金额", "500.00", "500.00"] in rows
    assert "理由：经入户调查" in banner.detail.text()
    rev.resize(1200, 760)
    _shot(rev, "41-两人审核-审核人批准.png")
    banner.approve_button.click()
    qtbot.waitUntil(lambda: _detail(env, hid).status == "在保", timeout=5000)
    qtbot.waitUntil(lambda: rev.info.status == "在保" and rev.proposal is None, timeout=5000)
    assert rev.proposal_banner.isHidden() and "已批准" in rev.notice.text()
    assert _detail(env, hid).steps[-1].kind == "审核确认"
    with env.database.session(write=False) as s:
        assert audit.verify(s).ok
        actions = [e.action for e in household_history(s, hid)]
    assert "提交审核" in actions and "审核批准" in actions
    labels = [rev.audit.tree.topLevelItem(i).text(2) for i in range(rev.audit.tree.topLevelItemCount())]
    assert "审核批准" in labels and "提交审核" in labels
    rev.tabs.setCurrentWidget(rev.audit)
    _shot(rev, "45-两人审核-修改记录.png")


def test_refusal_needs_a_reason(qtbot, env, ui_dialogs):  # noqa: F811
    hid = add_household(env)
    with env.database.session() as s:
        complete_steps(s, env.clerk, hid, TODAY)
        p = approvals.propose_grant(s, env.clerk, hid, day=TODAY, reason="符合条件")
    rev = _open(qtbot, env, env.reviewer, hid)
    ui_dialogs.answers["ask_text"] = "  "
    rev.proposal_banner.refuse_button.click()
    assert "必须写明理由" in rev.proposal_banner.error.text()
    qtbot.wait(50)
    assert [x.state for x in _proposals(env, hid, None)] == ["待审核"]
    with pytest.raises(ValidationError, match="退回提议必须写明理由"):
        with env.database.session() as s:
            approvals.refuse(s, env.reviewer, p.id, reason="")
    ui_dialogs.answers["ask_text"] = "入户调查记录缺少两人签字"
    rev.proposal_banner.refuse_button.click()
    qtbot.waitUntil(lambda: _proposals(env, hid, None)[0].state == "已退回", timeout=5000)
    qtbot.waitUntil(lambda: rev.proposal is None and rev.proposal_banner.isHidden(), timeout=5000)
    assert _detail(env, hid).status == "申请中"
    assert _proposals(env, hid, None)[0].decision_note == "入户调查记录缺少两人签字"


def test_proposer_cannot_approve_and_others_see_it_read_only(qtbot, env, ui_dialogs):  # noqa: F811
    hid = _granted(env, add_household(env))
    win = _open(qtbot, env, env.reviewer, hid)  # a reviewer may propose too
    dlg = win.change_status_dialog()
    dlg.select("已退出")
    assert dlg.is_proposal()
    dlg.reason.setPlainText("家庭人均收入高于保障标准")
    dlg.try_accept()
    qtbot.waitUntil(lambda: win.proposal is not None, timeout=5000)
    banner = win.proposal_banner
    assert not banner.approve_button.isVisible() and not banner.refuse_button.isVisible()
    assert banner.withdraw_button.isVisible() and "另一名审核人" in banner.role_note.text()
    assert ["保障状态", "在保", "已退出"] in _table(banner.table)
    with pytest.raises(ValidationError, match="提出人不能"):
        with env.database.session() as s:
            approvals.approve(s, env.reviewer, win.proposal.id)
    win.approve_proposal()  # even if called, the service refuses and the banner says why
    qtbot.waitUntil(lambda: "提出人不能" in banner.error.text(), timeout=5000)
    assert _detail(env, hid).status == "在保"
    admin = _open(qtbot, env, env.admin, hid)  # read-only
    b = admin.proposal_banner
    assert b.isVisible() and not any(x.isVisible() for x in (b.approve_button, b.refuse_button,
                                                              b.withdraw_button))
    # the proposer withdraws, with a reason
    ui_dialogs.answers["ask_text"] = "误操作"
    banner.withdraw_button.click()
    qtbot.waitUntil(lambda: _proposals(env, hid, None)[-1].state == "已撤回", timeout=5000)


def test_amount_change_of_a_household_in_force_goes_to_review(qtbot, env, ui_dialogs):  # noqa: F811
    hid = _granted(env, add_household(env))
    win = _open(qtbot, env, env.clerk, hid)
    assert win.form.gate_note.isVisibleTo(win) and "须经审核人批准" in win.form.gate_note.text()
    win.form.monthly_amount.setText("650")
    win.form.address.setText("3组12号")
    win.save()
    dlg = win.findChild(__import__("ui.proposal_dialog", fromlist=["ProposeDialog"]).ProposeDialog)
    assert dlg is not None and dlg.isVisible()
    assert ["月保障金额", "500.00", "650.00"] in _table(dlg.table)
    dlg.try_accept()
    assert "必须写明理由" in dlg.error.text()
    dlg.reason.setPlainText("家庭成员患病，医疗支出增加")
    _shot(dlg, "44-两人审核-金额调整提交.png")
    dlg.try_accept()
    qtbot.waitUntil(lambda: win.proposal is not None, timeout=5000)
    d = _detail(env, hid)
    assert d.monthly_amount == D("500.00") and d.address == "3组12号"  # others saved directly
    [p] = _proposals(env, hid)
    assert p.kind == "金额调整" and p.after["monthly_amount"] == "650.00"
    assert not win.is_dirty() and win.form.monthly_amount.text() == "500.00"


def test_assessment_tab_shows_the_derivation_and_proposes_its_amount(qtbot, env, ui_dialogs):  # noqa: F811
    hid = add_household(env)
    win = _open(qtbot, env, env.clerk, hid)
    tab = win.assessment
    win.tabs.setCurrentWidget(tab)
    tab.income_kind.setCurrentIndex(tab.income_kind.findData("养老金/退休金"))
    tab.income_amount.setText("abc")
    tab.add_income()
    assert "金额" in tab.income_error.text()
    tab.income_amount.setText("200")
    tab.add_income()
    qtbot.waitUntil(lambda: tab.income_tree.topLevelItemCount() == 1, timeout=5000)
    assert tab.income_tree.topLevelItem(0).text(4) == "2400.00"
    tab.spend_amount.setText("1200")
    tab.add_expenditure()
    qtbot.waitUntil(lambda: tab.spend_tree.topLevelItemCount() == 1 and not tab.busy, timeout=5000)
    tab.asset_area.setText("80")
    tab.add_asset()
    qtbot.waitUntil(lambda: tab.asset_tree.topLevelItemCount() == 1 and not tab.busy, timeout=5000)
    tab.assess_button.click()
    qtbot.waitUntil(lambda: tab.result is not None, timeout=5000)
    text = tab.derivation.toPlainText()
    assert "计入家庭人口 1 人" in text and "家庭年收入合计 2400.00 元" in text
    assert "保障标准：农村低保标准 600.00 元/人·月" in text
    assert "差额：(600.00 − 200.00) × 1 = 400.00 元" in text
    assert "分类施保：张三（老年）加发 50.00 元" in text and "按分四舍五入为 450.00 元" in text
    assert "建议：特困" in text  # 66 years old, no work ability, income below the 特困 standard
    assert tab.result.amount == D("450.00") and "450.00" in tab.amount_label.text()
    assert "符合特困人员条件" in tab.suggestion_label.text()
    win.resize(1280, 800)
    _shot(win, "42-测算.png")
    # remove with a reason
    tab.income_tree.setCurrentItem(tab.income_tree.topLevelItem(0))
    ui_dialogs.answers["ask_text"] = ""
    tab.income_remove.click()
    assert "原因" in tab.income_error.text()
    # propose the computed amount: a grant, with the saved assessment and its derivation
    assert tab.propose_button.isEnabled()
    dlg = tab.propose_dialog()
    assert ["月保障金额", "500.00", "450.00"] in _table(dlg.table)
    dlg.try_accept()
    qtbot.waitUntil(lambda: win.proposal is not None, timeout=5000)
    [p] = _proposals(env, hid)
    assert p.kind == "纳入" and p.after["monthly_amount"] == "450.00" and p.after["category"] == "农村低保"
    assert any("家庭年收入合计" in line for line in p.derivation)
    assert win.proposal_banner.derivation.isVisibleTo(win)


def test_recalculation_dialog_lists_households_and_creates_proposals(qtbot, env, ui_dialogs):  # noqa: F811
    from ui.pages.households import HouseholdsPage

    up = _granted(env, add_household(env, seq=41, name="赵一"))
    plain = _granted(env, add_household(env, seq=42, name="钱二"))
    with env.database.session() as s:
        income.add_income(s, env.clerk, up, kind="养老金/退休金", amount="300")
        save_assessment(s, env.clerk, up, day=date(2026, 3, 1))
        standards.add_standard(s, env.admin, kind="低保", variant="农村", value="700",
                               effective_from=date(2027, 1, 1))
    page = HouseholdsPage(make_ctx(env, env.clerk))
    qtbot.addWidget(page)
    assert page.recalc_button.isEnabled()
    dlg = page.open_recalc()
    qtbot.waitUntil(lambda: dlg.chosen_day() == date(2027, 1, 1), timeout=5000)
    dlg.preview_button.click()
    qtbot.waitUntil(lambda: dlg.preview is not None, timeout=5000)
    rows = {r[2]: r for r in _table(dlg.table)}
    assert rows["赵一"][4:7] == ["500.00", "450.00", "减发"]  # (700 − 300) × 1 + 50 老年
    assert rows["钱二"][6] == "未评估"
    assert "700.00" in dlg.changed_label.text() and "共 2 户" in dlg.summary.text()
    dlg.resize(1000, 500)
    _shot(dlg, "43-标准调整测算.png")
    assert dlg.apply_button.isEnabled()
    dlg.apply_button.click()
    qtbot.waitUntil(lambda: "已生成" in dlg.result_label.text(), timeout=5000)
    assert "已生成 1 条" in dlg.result_label.text() and not dlg.apply_button.isEnabled()
    [p] = _proposals(env, up)
    assert p.batch_id and p.after["monthly_amount"] == "450.00" and not _proposals(env, plain)
    # a page for a role without propose: the dialog previews but offers no proposals
    admin_page = HouseholdsPage(make_ctx(env, env.admin))
    qtbot.addWidget(admin_page)
    adlg = admin_page.open_recalc()
    assert not adlg.apply_button.isEnabled()


def test_household_history_lists_proposals(env):
    hid = add_household(env)
    with env.database.session() as s:
        p = approvals.propose_grant(s, env.clerk, hid, day=TODAY, reason="符合条件")
        approvals.refuse(s, env.reviewer, p.id, reason="材料不全")
    with env.database.session(write=False) as s:
        entries = household_history(s, hid)
    refused = next(e for e in entries if e.action == "审核退回")
    assert refused.subject == "审核提议 纳入"
    assert any(c.label == "审核意见" and c.after == "材料不全" for c in refused.changes)
    created = next(e for e in entries if e.action == "提交审核")
    after = next(c.after for c in created.changes if c.label == "审核后")
    assert "保障状态 在保" in after and "月保障金额 500.00" in after
