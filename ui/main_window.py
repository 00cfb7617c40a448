"""The main window: left navigation, pages, status bar, keyboard shortcuts, household windows."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMainWindow,
                               QStackedWidget, QWidget)

from app import offices
from ui import dialogs, ops
from ui.context import AppContext
from ui.pages.home import HomePage
from ui.pages.households import HouseholdsPage

if TYPE_CHECKING:
    from ui.household_window import HouseholdWindow
    from ui.new_household import NewHouseholdDialog

PAGES = ["首页", "救助对象", "问题台账", "信访举报", "近亲属备案", "督导检查", "数据比对", "报表打印", "数据交换",
         "系统设置"]
EAGER = ("首页", "救助对象")  # built with the window; the others when first shown (faster start)
# ledger-style pages: module and class, imported when the page is first shown
LEDGER_PAGES = {"问题台账": ("ui.pages.ledger_problems", "ProblemsPage"),
                "信访举报": ("ui.pages.ledger_petitions", "PetitionsPage"),
                "近亲属备案": ("ui.pages.ledger_relatives", "RelativesPage"),
                "督导检查": ("ui.pages.supervision", "SupervisionPage")}


class LazyPages(dict):
    """Page name → page. A page not built yet is built on first access (``pages["系统设置"]``),
    so start-up pays only for 首页 and 救助对象 — and imports the rest (reportlab, openpyxl, the
    household window) only when a clerk goes there."""

    def __init__(self, build):  # noqa: ANN001
        super().__init__()
        self.build = build

    def __missing__(self, name: str) -> QWidget:
        if name not in PAGES:
            raise KeyError(name)
        return self.build(name)

    def __contains__(self, name: object) -> bool:
        return name in PAGES


NAV_STYLE = """
QListWidget { background: #1f3b63; color: #e8eef6; border: none; font-size: 11pt; outline: 0; }
QListWidget::item { padding: 9px 14px; }
QListWidget::item:selected { background: #3d6aa5; color: white; }
QListWidget::item:hover:!selected { background: #2b4d7c; }
"""


class MainWindow(QMainWindow):
    restoreRequested = Signal(str)
    logoutRequested = Signal()
    closed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.household_windows: dict[str, HouseholdWindow] = {}
        title = f"清风台账 — {ctx.office.name}"
        self.setWindowTitle(title + ("（演示数据）" if ctx.demo else ""))
        self.resize(1280, 760)
        self.nav = QListWidget()
        self.nav.setFixedWidth(150)
        self.nav.setStyleSheet(NAV_STYLE)
        self.nav.setIconSize(QSize(0, 0))
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = LazyPages(self._build_page)
        for name in PAGES:
            if name in EAGER:
                self._build_page(name)
            else:
                self.stack.addWidget(QWidget())  # stands in until the page is first shown
            item = QListWidgetItem(name)
            item.setSizeHint(QSize(140, 40))
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._show_row)
        central = QWidget()
        lay = QHBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.nav)
        body = QWidget()
        body_lay = QHBoxLayout(body)
        body_lay.setContentsMargins(10, 6, 10, 6)
        body_lay.addWidget(self.stack)
        lay.addWidget(body, 1)
        self.setCentralWidget(central)

        bar = self.statusBar()
        a = ctx.actor
        for text in (f"单位：{ctx.office.code} {ctx.office.name}",
                     f"用户：{a.display_name}（{a.username}，{a.role}）",
                     f"数据库：{ctx.db_path or '服务器'}" + ("（演示）" if ctx.demo else "")):
            label = QLabel(text)
            label.setStyleSheet("padding: 0 8px; color: #37474f;")
            bar.addPermanentWidget(label)
        for text, keys, slot in (("搜索", QKeySequence.StandardKey.Find, self.focus_search),
                                 ("新增家庭", QKeySequence.StandardKey.New, self.new_household),
                                 ("注销", QKeySequence("Ctrl+L"), self.logoutRequested.emit)):
            action = QAction(text, self)
            action.setShortcut(keys)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
        self.nav.setCurrentRow(0)

    def _build_page(self, name: str) -> QWidget:
        ctx = self.ctx
        if name == "首页":
            page = HomePage(ctx)
            page.openRequested.connect(self.open_target)
        elif name == "救助对象":
            page = HouseholdsPage(ctx)
            page.openRequested.connect(self.open_household)
            page.newRequested.connect(self.new_household)
            page.pageRequested.connect(self.show_page)
        elif name == "系统设置":
            from ui.pages.settings import SettingsPage

            page = SettingsPage(ctx)
            page.restoreRequested.connect(self.restoreRequested.emit)
        elif name == "报表打印":
            from ui.pages.reports import ReportsPage

            page = ReportsPage(ctx)
        elif name == "数据比对":
            from ui.pages.compare import ComparePage

            page = ComparePage(ctx)
        elif name == "数据交换":
            from ui.pages.exchange import ExchangePage

            page = ExchangePage(ctx)
        elif name in LEDGER_PAGES:
            module, cls = LEDGER_PAGES[name]
            page = getattr(importlib.import_module(module), cls)(ctx.database, ctx.actor)
            page.changed.connect(ctx.changed.emit)  # 首页 and lists refresh after a ledger write
            ctx.changed.connect(page.other_changed)
        else:
            from ui.pages.placeholder import PlaceholderPage

            page = PlaceholderPage(name)
        dict.__setitem__(self.pages, name, page)
        index = PAGES.index(name)
        stand_in = self.stack.widget(index)
        self.stack.insertWidget(index, page)
        if stand_in is not None:
            self.stack.removeWidget(stand_in)
            stand_in.deleteLater()
        return page

    def _show_row(self, row: int) -> None:
        if row >= 0:
            self.stack.setCurrentWidget(self.pages[PAGES[row]])  # built on first show

    def show_page(self, name: str) -> QWidget:
        self.nav.setCurrentRow(PAGES.index(name))
        return self.pages[name]

    def open_target(self, target: str, ref: str) -> None:
        """From a 首页 reminder: a household window, or a ledger page with the row selected."""
        if target == "household":
            self.open_household(ref)
            return
        if target not in self.pages:
            return
        page = self.show_page(target)
        if target in LEDGER_PAGES:
            page.select_later(ref)  # selected when the reloaded rows arrive, or a message
            page.refresh()

    @property
    def households_page(self) -> HouseholdsPage:
        return self.pages["救助对象"]

    def focus_search(self) -> None:
        """Ctrl+F anywhere: the search box of the page shown (a ledger's), else 救助对象's."""
        page = self.stack.currentWidget()
        box = getattr(page, "search", None)
        if page is not self.households_page and isinstance(box, QLineEdit):
            box.setFocus()
            box.selectAll()
            return
        self.show_page("救助对象")
        self.households_page.focus_search()

    def new_household(self) -> NewHouseholdDialog | None:
        if not self.ctx.can("household.edit"):
            dialogs.info(self, "你的角色不能新增家庭。")
            return None
        database, code = self.ctx.database, self.ctx.office.code
        from ui.new_household import NewHouseholdDialog

        dlg = NewHouseholdDialog(self.ctx, [], self)
        dlg.created.connect(self.open_household)

        def villages() -> list[str]:
            with database.session(write=False) as s:
                return offices.list_villages(s, code)

        ops.run_query(dlg, villages, on_success=dlg.form.set_villages)  # off the UI thread
        dlg.open()
        self._new_dialog = dlg
        return dlg

    def open_household(self, household_id: str) -> HouseholdWindow:
        win = self.household_windows.get(household_id)
        if win is None:
            from ui.household_window import HouseholdWindow  # imported on the first one opened

            win = HouseholdWindow(self.ctx, household_id)
            win.destroyed.connect(lambda _o=None, hid=household_id: self.household_windows.pop(hid, None))
            self.household_windows[household_id] = win
        win.show()
        win.raise_()
        win.activateWindow()
        return win

    def close_household_windows(self) -> bool:
        for win in list(self.household_windows.values()):
            if not win.close():
                return False
        return True

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.close_household_windows():
            event.ignore()
            return
        ops.wait_idle(5000)
        super().closeEvent(event)
        self.closed.emit()
