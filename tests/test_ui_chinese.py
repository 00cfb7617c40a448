"""Chinese throughout: Qt's own texts are translated, and no page or dialog a clerk can open
shows English (data and identifiers may be Latin: user names, file types, key names)."""
from __future__ import annotations

import re
from html import unescape

import pytest
from PySide6.QtWidgets import (QAbstractButton, QComboBox, QDialogButtonBox, QGroupBox, QLabel,
                               QLineEdit, QMessageBox, QPlainTextEdit, QTabWidget, QTableView,
                               QTableWidget, QWidget)

from app import demo
from test_ui_support import make_ctx, ui_dialogs  # noqa: F401 - fixture

# Latin words a clerk may see: file types, key names, product names, demo user names
ALLOWED = {"excel", "pdf", "xlsx", "qfdb", "csv", "ctrl", "shift", "alt", "esc", "enter", "tab",
           "id", "wps", "word", "windows", "sqlcipher", "aes", "admin", "demo", "clerk", "reviewer",
           "cli", "qingfeng", "www", "http", "https", "ok", "ca", "utf", "fn", "del", "gb", "mb",
           "kb", "qm", "zs", "pgup", "pgdown", "home", "end", "ins", "backspace", "space"}
WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture(autouse=True)
def chinese(qapp):  # noqa: ANN001, ANN201
    from ui import i18n

    assert i18n.install(qapp), "qtbase_zh_CN.qm not found"
    yield


def english(text: str) -> list[str]:
    plain = unescape(re.sub(r"<[^>]+>", " ", text or ""))
    plain = re.sub(r"&\w", "", plain)  # mnemonics
    plain = re.sub(r"\{\w+\}", "", plain)  # a placeholder the user types, e.g. {figures}
    plain = re.sub(r"[\w.:-]*[/\\][^\s，。；）]*", "", plain)  # file paths are data
    return [w for w in WORD.findall(plain) if w.lower() not in ALLOWED]


def visible_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) of everything a person reads in ``root``: not the data cells."""
    out = [("title", root.windowTitle())]
    for w in [root, *root.findChildren(QWidget)]:
        name = type(w).__name__
        if isinstance(w, QAbstractButton):
            out.append((name, w.text()))
        elif isinstance(w, QLabel):
            out.append((name, w.text()))
        elif isinstance(w, QGroupBox):
            out.append((name, w.title()))
        elif isinstance(w, QLineEdit):
            out.append((name + ".placeholder", w.placeholderText()))
        elif isinstance(w, QPlainTextEdit):
            out.append((name + ".placeholder", w.placeholderText()))
        elif isinstance(w, QTabWidget):
            out += [(name, w.tabText(i)) for i in range(w.count())]
        elif isinstance(w, QComboBox) and not w.isEditable():
            out += [(name, w.itemText(i)) for i in range(min(w.count(), 30))]
        if isinstance(w, (QTableView, QTableWidget)) and w.model() is not None:
            m = w.model()
            out += [(name + ".header", str(m.headerData(c, _H) or "")) for c in range(m.columnCount())]
        if w.toolTip():
            out.append((name + ".tooltip", w.toolTip()))
    return out


FOUND: list = []


def assert_chinese(root: QWidget, where: str) -> None:
    """Collects English texts into FOUND; each test asserts FOUND is empty at its end."""
    FOUND.extend((where, kind, text) for kind, text in visible_texts(root) if english(text))


@pytest.fixture(autouse=True)
def no_english():  # noqa: ANN201
    FOUND.clear()
    yield
    assert not FOUND, "English text a clerk can see:\n" + "\n".join(map(str, FOUND[:40]))


from PySide6.QtCore import Qt  # noqa: E402

_H = Qt.Orientation.Horizontal


def test_qt_standard_texts_are_chinese(qtbot):
    box = QMessageBox(QMessageBox.Icon.Question, "清风台账", "继续？",
                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel
                      | QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                      | QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Close)
    qtbot.addWidget(box)
    texts = [b.text() for b in box.buttons()]
    assert "确定" in "".join(texts) and "取消" in "".join(texts), texts
    assert not [t for t in texts if english(t)], texts
    bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(bb)
    assert not [b.text() for b in bb.buttons() if english(b.text())]
    edit = QLineEdit("张三")
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    actions = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert any("粘贴" in a for a in actions), actions
    assert not [a for a in actions if english(a)], actions


def test_every_page_and_dialog_reads_chinese(qtbot, env, ui_dialogs, monkeypatch):  # noqa: F811
    from ui.main_window import PAGES, MainWindow
    from ui.pages import ledger_common as lc

    with env.database.session() as s:
        demo.generate(s, env.admin, households=30, seed=3)
    win = MainWindow(make_ctx(env, env.admin))
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    for name in PAGES:
        page = win.show_page(name)
        if name == "首页":
            qtbot.waitUntil(lambda: page.data is not None, timeout=10000)
        qtbot.wait(150)
        assert_chinese(page, name)
        for tabs in page.findChildren(QTabWidget):
            for i in range(tabs.count()):
                tabs.setCurrentIndex(i)
                qtbot.wait(100)
                assert_chinese(tabs.widget(i), f"{name}/{tabs.tabText(i)}")
    assert_chinese(win, "主窗口")

    # ledger dialogs: every form the three ledger pages can open
    seen = []

    def capture(parent, title, fields, submit):  # noqa: ANN001, ANN202
        dlg = lc.FormDialog(title, fields, parent, submit)
        qtbot.addWidget(dlg)
        assert_chinese(dlg, title)
        seen.append(title)
        return None

    monkeypatch.setattr(lc, "ask", capture)
    for name in ("问题台账", "信访举报", "近亲属备案"):
        page = win.show_page(name)
        qtbot.waitUntil(lambda: page.pending == 0, timeout=10000)
        if page.table.model().rowCount():
            page.table.selectRow(0)
        for b in page.buttons.values():
            if b.isEnabled() and "导出" not in b.text() and "比对" not in b.text():
                b.click()
                qtbot.waitUntil(lambda: page.pending == 0, timeout=10000)
    assert len(seen) >= 3, seen

    hs_page = win.show_page("救助对象")
    qtbot.waitUntil(lambda: hs_page.model.rowCount() > 0, timeout=10000)
    hw = win.open_household(hs_page.model.row_at(0).id)
    qtbot.waitUntil(lambda: hw.loaded, timeout=10000)
    for i in range(hw.tabs.count()):
        hw.tabs.setCurrentIndex(i)
        qtbot.wait(80)
    assert_chinese(hw, "家庭窗口")
    dlg = win.new_household()
    qtbot.wait(50)
    assert_chinese(dlg, "新增家庭")
    dlg.reject()
    hw.close()


def test_login_and_wizard_read_chinese(qtbot, tmp_path, ui_dialogs):  # noqa: F811
    from ui.login import LoginDialog
    from ui.wizard import SetupWizard

    dlg = LoginDialog(lambda u, p: None, office="香水镇人民政府（640424100）",
                      db_path=str(tmp_path / "x.qfdb"), note=None, username="admin")
    qtbot.addWidget(dlg)
    assert_chinese(dlg, "登录")
    wiz = SetupWizard(tmp_path / "office.qfdb")
    qtbot.addWidget(wiz)
    wiz.show()
    assert_chinese(wiz, "向导")
