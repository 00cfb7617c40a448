"""The household window: inline validation, one-transaction save, status change with a reason,
version conflicts, undo, history, and what a clerk is not offered."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app import households as hs
from app import queries, users
from app.errors import PermissionDenied
from app.history import household_history
from app.idcard import make_valid_id
from db.models import AuditEntry
from test_ui_support import add_household, make_ctx, ui_dialogs  # noqa: F401 - fixture
from ui.members_editor import IDNO
from ui.pages.settings import SettingsPage


def _open(qtbot, env, actor, hid):  # noqa: ANN001, ANN202
    from ui.household_window import HouseholdWindow

    win = HouseholdWindow(make_ctx(env, actor), hid)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.loaded, timeout=5000)
    return win


def _detail(env, hid):  # noqa: ANN001, ANN202
    with env.database.session(write=False) as s:
        return queries.household_detail(s, hid)


def _audit_count(env) -> int:  # noqa: ANN001
    with env.database.session(write=False) as s:
        return len(s.execute(select(AuditEntry.seq)).all())


def test_bad_id_shown_inline_then_fixed_and_saved_with_audit(qtbot, env, ui_dialogs):  # noqa: F811
    hid = add_household(env)
    win = _open(qtbot, env, env.clerk, hid)
    before_audit = _audit_count(env)
    win.form.monthly_amount.setText("650.50")
    win.form.monthly_amount.textEdited.emit("650.50")
    bad = make_valid_id("640424", date(1960, 1, 2), 11)[:-1] + ("0" if not make_valid_id(
        "640424", date(1960, 1, 2), 11).endswith("0") else "1")
    win.members.table.item(0, IDNO).setText(bad)
    assert "校验码" in win.members.error.text() and not win.members.error.isHidden()
    assert win.is_dirty()
    win.save()
    assert "标红" in win.banner.text()
    qtbot.wait(50)
    assert _audit_count(env) == before_audit  # nothing saved
    assert _detail(env, hid).monthly_amount == 500
    good = make_valid_id("640424", date(1961, 3, 4), 13)
    win.members.table.item(0, IDNO).setText(good)
    assert win.members.error.isHidden()
    assert win.members.table.item(0, 2).text() == "男"  # read from the ID as you type
    win.save()
    qtbot.waitUntil(lambda: "已保存" in win.notice.text(), timeout=5000)
    d = _detail(env, hid)
    assert str(d.monthly_amount) == "650.50" and d.members[0].id_number == good
    with env.database.session(write=False) as s:
        actions = [e.action for e in s.execute(select(AuditEntry).where(
            AuditEntry.seq > before_audit)).scalars()]
        assert {"household.update", "member.update"} <= set(actions)
        history = household_history(s, hid)
    change = next(c for e in history for c in e.changes if c.label == "月保障金额")
    assert (change.before, change.after) == ("500.00", "650.50")
    qtbot.waitUntil(lambda: win.loaded and not win.is_dirty(), timeout=5000)
    labels = [win.audit.tree.topLevelItem(i).text(2) for i in range(win.audit.tree.topLevelItemCount())]
    assert "修改家庭信息" in labels and "修改成员" in labels


def test_duplicate_person_in_another_household_is_named_next_to_the_field(qtbot, env, ui_dialogs):  # noqa: F811
    other = make_valid_id("640424", date(1960, 1, 2), 21)
    add_household(env, name="李四", seq=21)
    hid = add_household(env, name="王五", seq=31)
    win = _open(qtbot, env, env.clerk, hid)
    win.members.add_row()
    win.members.table.item(1, 0).setText("李四")
    win.members.table.item(1, IDNO).setText(other)
    qtbot.waitUntil(lambda: "另一户" in win.members.error.text(), timeout=5000)
    win.save()
    assert "标红" in win.banner.text()


def test_status_change_needs_a_reason(qtbot, env, ui_dialogs):  # noqa: F811
    hid = add_household(env)
    win = _open(qtbot, env, env.reviewer, hid)
    assert win.status_button.isEnabled()
    dlg = win.change_status_dialog()
    assert dlg is not None
    # a new grant needs the two-person approval: offered as a proposal, not a direct change
    dlg.select("在保")
    assert dlg.is_proposal() and "提交审核" in dlg.target.currentText()
    assert dlg.ok_button.text() == "提交审核" and "须经审核人批准" in dlg.gate_note.text()
    dlg.target.setCurrentIndex(dlg.target.findData("未通过"))
    assert not dlg.is_proposal() and dlg.ok_button.text() == "确定变更"
    dlg.try_accept()
    assert "必须填写原因" in dlg.error.text() and dlg.isVisible()
    dlg.reason.setPlainText("家庭人均收入高于保障标准")
    dlg.try_accept()
    qtbot.waitUntil(lambda: _detail(env, hid).status == "未通过" or bool(win.banner.text()), timeout=5000)
    assert not win.banner.text()
    steps = _detail(env, hid).steps
    assert steps[-1].kind == "审核确认" and steps[-1].note == "家庭人均收入高于保障标准"
    qtbot.waitUntil(lambda: win.info.status == "未通过", timeout=5000)


def test_conflict_names_the_other_user_and_keeps_edits(qtbot, env, ui_dialogs):  # noqa: F811
    hid = add_household(env)
    win = _open(qtbot, env, env.clerk, hid)
    win.form.address.setText("3组12号")
    with env.database.session() as s:  # someone else saves meanwhile
        hs.edit_household(s, env.reviewer, hid, expected_version=None, changes={"note": "已电话核实"})
    win.save()
    qtbot.waitUntil(lambda: bool(ui_dialogs.errors), timeout=5000)
    assert "reviewer" in ui_dialogs.errors[0]
    assert "reviewer" in win.banner.text() and not win.banner.isHidden()
    assert win.form.address.text() == "3组12号"  # the clerk's edit is still there
    assert _detail(env, hid).address is None


def test_undo_restores_last_saved_values(qtbot, env, ui_dialogs):  # noqa: F811
    hid = add_household(env)
    win = _open(qtbot, env, env.clerk, hid)
    win.form.monthly_amount.setText("999")
    win.members.add_row()
    assert win.is_dirty()
    undo = next(a for a in win.actions() if a.text() == "撤销修改")
    assert undo.shortcut().toString() == "Ctrl+Z"
    undo.trigger()
    assert win.form.monthly_amount.text() == "500.00"
    assert win.members.table.rowCount() == 1 and not win.is_dirty()


def test_clerk_is_not_offered_what_the_role_lacks_and_the_service_refuses(qtbot, env, ui_dialogs):  # noqa: F811
    hid = add_household(env)
    win = _open(qtbot, env, env.clerk, hid)
    # a clerk may only submit the gated transitions for review, never change the status directly
    assert win.status_button.isEnabled()
    dlg = win.change_status_dialog()
    assert dlg is not None
    assert [dlg.target.itemData(i) for i in range(dlg.target.count())] == ["在保"]
    assert dlg.is_proposal() and dlg.target.findData("未通过") < 0
    dlg.reject()
    with pytest.raises(PermissionDenied):
        with env.database.session() as s:
            hs.change_status(s, env.clerk, hid, status="未通过", reason="试图越权")
    page = SettingsPage(make_ctx(env, env.clerk))
    qtbot.addWidget(page)
    assert "用户和角色" not in page.tab_titles() and page.users_tab is None
    assert not page.backup_tab.restore_file_button.isVisibleTo(page)
    with pytest.raises(PermissionDenied):
        with env.database.session() as s:
            users.create_user(s, env.clerk, username="x1", display_name="X", role="管理员",
                              password="abc12345")
    admin_page = SettingsPage(make_ctx(env, env.admin))
    qtbot.addWidget(admin_page)
    assert "用户和角色" in admin_page.tab_titles()


def test_record_step_on_the_timeline(qtbot, env, ui_dialogs):  # noqa: F811
    hid = add_household(env)
    win = _open(qtbot, env, env.clerk, hid)
    win.tabs.setCurrentWidget(win.steps)
    win.steps.kind.setCurrentIndex(win.steps.kind.findData("入户调查"))
    win.steps.outcome.setText("两人入户，已签字")
    win.steps.signers.setText("马晓梅")
    win.steps.record_button.click()
    qtbot.waitUntil(lambda: "至少 2 名工作人员签字" in win.steps.errors["signers"].text(), timeout=5000)
    assert win.steps.tree.topLevelItemCount() == 1  # nothing written
    win.steps.signers.setText("马晓梅、李建军")
    win.steps.record_button.click()
    qtbot.waitUntil(lambda: win.steps.tree.topLevelItemCount() == 2, timeout=5000)
    assert win.steps.tree.topLevelItem(1).text(1) == "入户调查"
    assert win.steps.tree.topLevelItem(1).text(2) == "两人入户，已签字"
    assert Qt.ItemDataRole.DisplayRole is not None
