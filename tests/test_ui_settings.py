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
    qtbot.waitUntil(lambda: rules.table.rowCount() == len(rules.keys), timeout=5000)
    row = rules.keys.index("monthly_report_day")
    assert rules.table.item(row, 0).text() == rulesettings.RULES["monthly_report_day"].label
    rules.table.setCurrentCell(row, 1)
    editor = rules.editors["monthly_report_day"]
    assert editor.spin.suffix().strip() == "日" and "规定默认值：25" in rules.default.text()
    editor.spin.setValue(20)
    rules.save()
    qtbot.waitUntil(lambda: rules.table.item(row, 1).text() == "20 日", timeout=5000)
    with env.database.session(write=False) as s:
        assert rulesettings.get(s, "monthly_report_day") == 20


def test_backup_verify_and_recovery_sheet(qtbot, env, ui_dialogs, tmp_path):  # noqa: F811
    page = _page(qtbot, env, env.admin)
    data = page.data_tab
    target = tmp_path / "备份.qfdb"
    page.backup_tab.backup_to_file(path=str(target))
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


def _select(rules, key):  # noqa: ANN001, ANN202
    rules.table.setCurrentCell(rules.keys.index(key), 0)
    return rules.editors[key]


def test_every_rule_has_a_typed_form_with_its_default(qtbot, env, ui_dialogs):  # noqa: F811
    from PySide6.QtWidgets import QLineEdit as Line

    from ui.pages.settings_forms import MapEditor, NumberEditor, TextListEditor

    page = _page(qtbot, env, env.admin)
    page.tabs.setCurrentWidget(page.rules_tab)
    rules = page.rules_tab
    from ui.pages.settings_procedure import KEYS as PROCEDURE_KEYS

    assert set(rules.keys) | PROCEDURE_KEYS == set(rulesettings.RULES)  # every rule has a form
    qtbot.waitUntil(lambda: rules.table.rowCount() == len(rules.keys), timeout=5000)
    for key in rules.keys:
        rule = rulesettings.RULES[key]
        editor = _select(rules, key)
        assert rules.stack.currentWidget() is rules.pages[key] and editor.isVisibleTo(rules)
        assert editor.value() == rule.default, key  # the form shows what is stored
        assert rules.default.text().startswith("规定默认值：") and rules.table.item(
            rules.keys.index(key), 2).text() == editor.describe(rule.default)
        assert not [w for w in editor.findChildren(Line) if w.text().startswith(("{", "["))]

    # per-class table: 复核频次 A 12 → 10, a class D added; saved as a dict of months
    freq = _select(rules, "review_frequency_months")
    assert isinstance(freq, MapEditor) and freq.table.rowCount() == 3
    freq.table.cellWidget(0, 1).setValue(10)
    freq.add_row(["D", 2])
    rules.save()
    qtbot.waitUntil(lambda: "D 2 个月" in rules.table.item(rules.keys.index("review_frequency_months"), 1).text(),
                    timeout=5000)
    with env.database.session(write=False) as s:
        assert rulesettings.get(s, "review_frequency_months") == {"A": 10, "B": 6, "C": 3, "D": 2}

    # a list with add/remove
    rel = _select(rules, "near_relative_relations")
    assert isinstance(rel, TextListEditor)
    rel.entry.setText("儿媳")
    rel.add()
    rel.list.setCurrentRow(0)
    rel.remove()
    assert rel.value()[0] == "父母" and rel.value()[-1] == "儿媳"

    # the service refuses a bad value: shown beside the form, the form keeps it
    tiers = _select(rules, "amount_tiers")
    tiers.table.cellWidget(0, 1).setValue(90)  # the hardest tier must be the full standard
    rules.save()
    qtbot.waitUntil(lambda: "100%" in rules.error.text(), timeout=5000)
    assert tiers.value()[0] == [25, 90]
    rules.reset_default()
    assert tiers.value() == rulesettings.RULES["amount_tiers"].default

    # numbers carry their unit and range
    edge = _select(rules, "edge_multiple")
    assert isinstance(edge, NumberEditor) and edge.spin.suffix().strip() == "倍" and edge.value() == 1.5
    surcharges = _select(rules, "classified_surcharges")
    assert surcharges.value() == {"重度残疾": "20%", "重病": "15%", "老年": "50元", "未成年": "50元"}


def test_standards_by_year_category_and_urban_rural(qtbot, env, ui_dialogs):  # noqa: F811
    from datetime import date

    from app.assessment import standards

    page = _page(qtbot, env, env.admin)
    tab = page.standards_tab
    page.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.table.rowCount() > 0, timeout=5000)
    tab.kind.setCurrentIndex(tab.kind.findData("低保"))
    tab.variant.setCurrentIndex(tab.variant.findData("农村"))
    tab.value.setValue(650)
    tab.effective.setDate(date(2027, 1, 1))
    tab.source.setText("县民政局 2027 年 1 号文")
    tab.add()
    qtbot.waitUntil(lambda: "已录入" in tab.error.text(), timeout=5000)
    qtbot.waitUntil(lambda: tab.year.findData("2027") >= 0, timeout=5000)
    tab.year.setCurrentIndex(tab.year.findData("2027"))
    shown = [[tab.table.item(r, c).text() for c in range(5)] for r in range(tab.table.rowCount())]
    assert shown == [["2027", "低保", "农村", "650.00 元/人·月", "2027-01-01"]]
    with env.database.session(write=False) as s:
        assert standards.in_force(s, "低保", "农村", date(2027, 3, 1)).value == 650
        assert standards.in_force(s, "低保", "农村", date(2026, 12, 31)).value == 600  # the old one kept
    # 分类施保: a group typed, unit % or 元
    tab.kind.setCurrentIndex(tab.kind.findData("分类施保"))
    assert tab.group.isVisibleTo(tab) and not tab.variant.isVisibleTo(tab)
    tab.group.setText("")
    tab.add()
    qtbot.waitUntil(lambda: "必须填写" in tab.error.text(), timeout=5000)


def test_backup_and_restore_have_one_home(qtbot, env, ui_dialogs, tmp_path):  # noqa: F811
    """备份和自检 holds every backup/restore action; 数据安全 no longer repeats them."""
    from PySide6.QtWidgets import QPushButton

    page = _page(qtbot, env, env.admin)
    homes = {}
    for i in range(page.tabs.count()):
        for b in page.tabs.widget(i).findChildren(QPushButton):
            if "备份" in b.text():
                homes.setdefault(b.text(), []).append(page.tabs.tabText(i))
    assert set(homes) == {"立即备份", "备份到文件……", "恢复所选备份……", "恢复最近的备份……",
                          "从备份文件恢复……"}
    assert all(tabs == ["备份和自检"] for tabs in homes.values()), homes
    assert page.data_tab.recovery_button.isVisibleTo(page.data_tab)  # 恢复码 stays with the key
    # a backup file from anywhere reaches the controller through the page's signal
    ui_dialogs.answers.update(confirm=True)
    with qtbot.waitSignal(page.restoreRequested, timeout=2000) as sig:
        page.backup_tab.restore_file(path=str(tmp_path / "u盘备份.qfdb"))
    assert sig.args == [str(tmp_path / "u盘备份.qfdb")]
