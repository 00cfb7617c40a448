"""系统设置: users (admin), rule settings, backup, audit verification, recovery sheet, password."""
from __future__ import annotations

from app import rulesettings, users
from conftest import PASSWORD
from test_ui_support import make_ctx, ui_dialogs  # noqa: F401 - fixture


def _page(qtbot, env, actor):  # noqa: ANN001, ANN202
    from ui.pages.settings import SettingsPage

    page = SettingsPage(make_ctx(env, actor))
    qtbot.addWidget(page)
    page.show()
    return page


def test_admin_creates_user_and_sees_rules(qtbot, env, ui_dialogs):  # noqa: F811
    page = _page(qtbot, env, env.admin)
    tab = page.users_tab
    qtbot.waitUntil(lambda: tab.table.rowCount() == 3, timeout=5000)
    tab.username.setText("zhouli")
    tab.display_name.setText("周丽")
    tab.role.setCurrentText("经办人")
    tab.password.setText("short")
    tab.again.setText("short")
    tab.create()
    qtbot.waitUntil(lambda: "至少" in tab.errors["password"].text(), timeout=5000)
    tab.password.setText("zhouli-2026")
    tab.again.setText("zhouli-2026")
    tab.create()
    qtbot.waitUntil(lambda: tab.table.rowCount() == 4, timeout=5000)
    with env.database.session(write=False) as s:
        assert users.authenticate(s, "zhouli", "zhouli-2026").role == "经办人"
    rules = page.rules_tab
    qtbot.waitUntil(lambda: rules.table.rowCount() == len(rulesettings.RULES), timeout=5000)
    assert rules.table.item(0, 0).text() == rulesettings.RULES["gongshi_days"].label
    ui_dialogs.answers["ask_text"] = "10"
    rules.table.setCurrentCell(0, 1)
    rules.edit_current()
    qtbot.waitUntil(lambda: rules.table.item(0, 1).text() == "10", timeout=5000)


def test_backup_verify_and_recovery_sheet(qtbot, env, ui_dialogs, tmp_path):  # noqa: F811
    page = _page(qtbot, env, env.admin)
    data = page.data_tab
    target = tmp_path / "备份.qfdb"
    data.backup(path=str(target))
    qtbot.waitUntil(lambda: bool(ui_dialogs.infos), timeout=10000)
    assert target.exists() and "校验通过" in ui_dialogs.infos[-1]
    data.verify()
    qtbot.waitUntil(lambda: "全部一致" in data.verify_summary.text(), timeout=10000)
    data.recovery_sheet(password="wrong-pass-1", path=str(tmp_path / "r.pdf"))
    qtbot.waitUntil(lambda: bool(ui_dialogs.errors), timeout=5000)
    assert "密码不正确" in ui_dialogs.errors[-1] and not (tmp_path / "r.pdf").exists()
    data.recovery_sheet(password=PASSWORD, path=str(tmp_path / "r.pdf"))
    qtbot.waitUntil(lambda: (tmp_path / "r.pdf").exists(), timeout=5000)


def test_change_own_password(qtbot, env, ui_dialogs):  # noqa: F811
    page = _page(qtbot, env, env.clerk)
    tab = page.account_tab
    tab.old.setText("nope-1234")
    tab.new.setText("clerk-new-2026")
    tab.again.setText("clerk-new-2026")
    tab.change()
    qtbot.waitUntil(lambda: "原密码不正确" in tab.errors["old"].text(), timeout=5000)
    tab.old.setText(PASSWORD)
    tab.new.setText("clerk-new-2026")
    tab.again.setText("clerk-new-2026")
    tab.change()
    qtbot.waitUntil(lambda: bool(ui_dialogs.infos), timeout=5000)
    with env.database.session(write=False) as s:
        assert users.authenticate(s, "clerk", "clerk-new-2026").username == "clerk"
