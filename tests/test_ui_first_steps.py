"""First steps a newcomer can take: the demo's three logins, a first login that must change the
initial password, an administrator resetting a password, and the wizard's keys and numbered steps."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from sqlalchemy import select

from app import audit, firstrun, users
from db.models import AuditEntry
from app.errors import ValidationError
from conftest import PASSWORD
from test_ui_support import make_ctx, ui_dialogs  # noqa: F401 - fixture


def test_demo_has_a_clerk_a_reviewer_and_an_admin(tmp_path):
    created = firstrun.create_demo_database(tmp_path / "demo.qfdb", households=3)
    try:
        with created.database.session(write=False) as s:
            roles = {u.username: u.role for u in users.list_users(s)}
            assert roles == {"admin": "管理员", "demo_clerk": "经办人", "demo_reviewer": "审核人"}
            for name, _n, role in firstrun.DEMO_USERS:
                assert users.authenticate(s, name, firstrun.DEMO_PASSWORD).role == role
                assert not users.must_change_password(s, name)  # a published demo password
    finally:
        created.database.dispose()


def test_login_lists_demo_accounts_and_fills_them(qtbot, env):
    from ui.login import LoginDialog

    def auth(username, password):  # noqa: ANN001, ANN202
        with env.database.session(write=False) as s:
            return users.authenticate(s, username, password)

    accounts = [("clerk", "经办人", PASSWORD), ("reviewer", "审核人", PASSWORD), ("admin", "管理员", PASSWORD)]
    dlg = LoginDialog(auth, office="香水镇人民政府", db_path=str(env.path), username="admin",
                      demo_accounts=accounts)
    qtbot.addWidget(dlg)
    assert [b.text() for b in dlg.demo_buttons] == ["经办人（clerk）", "审核人（reviewer）", "管理员（admin）"]
    dlg.demo_buttons[1].click()
    assert dlg.username.text() == "reviewer" and dlg.password.text() == PASSWORD
    dlg.try_login()
    qtbot.waitUntil(lambda: dlg.actor is not None, timeout=5000)
    assert dlg.actor.role == "审核人"


def test_first_login_must_change_the_initial_password(qtbot, env):
    from ui.login_password import ChangePasswordDialog

    with env.database.session() as s:
        users.create_user(s, env.admin, username="zhouli", display_name="周丽", role="经办人",
                          password="initial-pass-1")
        assert users.must_change_password(s, "zhouli")
        assert not users.must_change_password(s, "admin")  # chose their own at set-up
    with env.database.session(write=False) as s:
        actor = users.authenticate(s, "zhouli", "initial-pass-1")

    def change(new: str) -> None:
        with env.database.session() as s:
            users.change_password(s, actor, old="initial-pass-1", new=new)

    dlg = ChangePasswordDialog(change, username="zhouli")
    qtbot.addWidget(dlg)
    dlg.new.setText("zhouli-2027")
    dlg.again.setText("zhouli-2028")
    dlg.submit()
    assert "不一致" in dlg.errors["again"].text() and not dlg.changed
    dlg.new.setText("short")
    dlg.again.setText("short")
    dlg.submit()
    assert "至少" in dlg.errors["new"].text() and not dlg.changed
    dlg.new.setText("initial-pass-1")
    dlg.again.setText("initial-pass-1")
    dlg.submit()
    assert "不能与原密码相同" in dlg.errors["new"].text()
    dlg.new.setText("zhouli-2027")
    dlg.again.setText("zhouli-2027")
    dlg.submit()
    assert dlg.changed and dlg.result() == 1
    with env.database.session(write=False) as s:
        assert not users.must_change_password(s, "zhouli")
        assert users.authenticate(s, "zhouli", "zhouli-2027").username == "zhouli"


def test_admin_resets_a_password_audited(qtbot, env, ui_dialogs):  # noqa: F811
    from ui.pages.settings import SettingsPage

    with env.database.session() as s:
        with pytest.raises(Exception, match="无权"):
            users.reset_password(s, env.clerk, username="reviewer", new="reset-pass-1")
    page = SettingsPage(make_ctx(env, env.admin))
    qtbot.addWidget(page)
    page.show()
    tab = page.users_tab
    qtbot.waitUntil(lambda: tab.table.rowCount() == 3, timeout=5000)
    row = [u.username for u in tab.users].index("reviewer")
    tab.table.selectRow(row)
    ui_dialogs.answers["ask_password"] = "reset-pass-1"
    tab.reset_password()
    qtbot.waitUntil(lambda: bool(ui_dialogs.infos), timeout=5000)
    assert "已重置 reviewer" in ui_dialogs.infos[-1]
    with env.database.session(write=False) as s:
        assert users.must_change_password(s, "reviewer")
        assert users.authenticate(s, "reviewer", "reset-pass-1").role == "审核人"
        entries = s.execute(select(AuditEntry).where(AuditEntry.action == "user.password_reset")).scalars().all()
        assert [e.username for e in entries] == ["admin"] and "reset-pass-1" not in (entries[0].after or "")
        assert audit.verify(s).ok
    with env.database.session() as s, pytest.raises(ValidationError):
        users.reset_password(s, env.admin, username="reviewer", new="1234")


def test_wizard_enter_adds_the_village_and_steps_are_numbered(qtbot, tmp_path, ui_dialogs):  # noqa: F811
    from ui.wizard import SetupWizard

    wiz = SetupWizard(tmp_path / "office.qfdb")
    qtbot.addWidget(wiz)
    wiz.show()
    assert wiz.office.title().startswith("第 1 步（共 ")
    wiz.office.code.setText("640424100")
    wiz.office.name.setText("香水镇人民政府")
    wiz.next()
    assert wiz.currentPage() is wiz.villages and wiz.villages.title().startswith("第 2 步")
    wiz.villages.entry.setFocus()
    wiz.villages.entry.setText("香水村")  # (QTest cannot type Chinese characters)
    qtbot.keyClick(wiz.villages.entry, Qt.Key.Key_Return)
    wiz.villages.entry.setText("泾河村")
    qtbot.keyClick(wiz.villages.entry, Qt.Key.Key_Enter)
    assert wiz.currentPage() is wiz.villages  # Enter added, did not move on
    assert wiz.villages.villages() == ["香水村", "泾河村"] and wiz.villages.entry.text() == ""
    total = len(wiz.pageIds())
    assert wiz.recovery.title().startswith(f"第 {total} 步（共 {total} 步）")


def test_an_empty_database_says_what_to_do_first(qtbot, env, ui_dialogs):  # noqa: F811
    from test_ui_support import add_household
    from ui.main_window import MainWindow

    win = MainWindow(make_ctx(env, env.clerk))
    qtbot.addWidget(win)
    win.show()
    page = win.show_page("救助对象")
    qtbot.waitUntil(lambda: page.count_label.text() == "共 0 户", timeout=10000)
    assert page.empty.isVisible() and "导入" in page.empty.findChildren(type(page.count_label))[0].text()
    page.import_button.click()
    assert win.stack.currentWidget() is win.pages["数据交换"]
    win.show_page("救助对象")
    add_household(env)
    win.ctx.changed.emit("households")
    qtbot.waitUntil(lambda: page.count_label.text() == "共 1 户", timeout=10000)
    assert not page.empty.isVisible()
