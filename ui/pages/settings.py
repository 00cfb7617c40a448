"""系统设置: tabs by what the role may do (the services refuse anyway)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLineEdit, QPushButton, QTabWidget, QVBoxLayout, QWidget

from app import users
from app.errors import AuthError, ValidationError
from ui import dialogs, ops
from ui.context import AppContext
from ui.pages.settings_admin import OfficeTab, UsersTab
from ui.pages.settings_backup import BackupTab
from ui.pages.settings_calendar import CalendarTab
from ui.pages.settings_data import DataTab
from ui.pages.settings_rules import RulesTab
from ui.pages.settings_standards import StandardsTab
from ui.pages.settings_procedure import ProcedureSettingsTab
from ui.widgets import FieldError, page_title, with_error


class AccountTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.old, self.new, self.again = QLineEdit(), QLineEdit(), QLineEdit()
        self.errors: dict[str, FieldError] = {}
        box = QGroupBox(f"修改我的密码（{ctx.actor.display_name}，{ctx.actor.username}，{ctx.actor.role}）")
        form = QFormLayout(box)
        for key, label in (("old", "原密码"), ("new", "新密码（至少 8 位，含字母和数字）"), ("again", "再次输入新密码")):
            w = getattr(self, key)
            w.setEchoMode(QLineEdit.EchoMode.Password)
            box_w, self.errors[key] = with_error(w)
            form.addRow(label, box_w)
        button = QPushButton("修改密码")
        button.clicked.connect(self.change)
        form.addRow("", button)
        lay = QVBoxLayout(self)
        lay.addWidget(box)
        lay.addStretch(1)

    def change(self) -> None:
        for e in self.errors.values():
            e.show_message(None)
        if self.new.text() != self.again.text():
            self.errors["again"].show_message("两次输入的新密码不一致")
            return
        ctx, old, new = self.ctx, self.old.text(), self.new.text()

        def work(_p, _c) -> None:  # noqa: ANN001
            with ctx.database.session() as s:
                users.change_password(s, ctx.actor, old=old, new=new)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, AuthError):
                self.errors["old"].show_message(str(exc))
                return True
            if isinstance(exc, ValidationError):
                self.errors["new"].show_message(exc.rule)
                return True
            return False

        def done(_r: object) -> None:
            for w in (self.old, self.new, self.again):
                w.clear()
            dialogs.info(self, "密码已修改，下次登录请使用新密码。")

        ops.run_op(self, work, label="正在修改密码……", on_success=done, on_failure=failed,
                   cancellable=False)


class SettingsPage(QWidget):
    restoreRequested = Signal(str)  # a backup file chosen in 备份和自检 (the controller restores)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.tabs = QTabWidget()
        self.users_tab = UsersTab(ctx) if ctx.can("users.manage") else None
        self.office_tab = OfficeTab(ctx)
        self.rules_tab = RulesTab(ctx)
        self.standards_tab = StandardsTab(ctx)
        self.procedure_tab = ProcedureSettingsTab(ctx)
        self.calendar_tab = CalendarTab(ctx)
        self.data_tab = DataTab(ctx)
        self.account_tab = AccountTab(ctx)
        if self.users_tab is not None:
            self.tabs.addTab(self.users_tab, "用户和角色")
        self.tabs.addTab(self.office_tab, "单位和村（居）")
        self.tabs.addTab(self.rules_tab, "规则设置")
        self.tabs.addTab(self.standards_tab, "保障标准")
        self.tabs.addTab(self.procedure_tab, "办理程序和时限")
        self.tabs.addTab(self.calendar_tab, "节假日日历")
        self.tabs.addTab(self.data_tab, "数据安全")
        self.backup_tab = BackupTab(ctx)
        self.backup_tab.restoreRequested.connect(self.restoreRequested.emit)
        self.tabs.addTab(self.backup_tab, "备份和自检")
        self.tabs.addTab(self.account_tab, "我的账户")
        lay = QVBoxLayout(self)
        lay.addWidget(page_title("系统设置"))
        lay.addWidget(self.tabs)
        self._started = False

    def tab_titles(self) -> list[str]:
        return [self.tabs.tabText(i) for i in range(self.tabs.count())]

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        if not self._started:
            self._started = True
            self.refresh()

    def refresh(self) -> None:
        for tab in (self.users_tab, self.office_tab, self.rules_tab, self.standards_tab, self.calendar_tab,
                    self.procedure_tab):
            if tab is not None:
                tab.refresh()
