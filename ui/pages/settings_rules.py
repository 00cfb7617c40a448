"""系统设置 › 规则设置: every rule setting in a typed form (numbers with units, per-class tables,
lists with add/remove), the regulation's default beside it; changes are audited by the service."""
from __future__ import annotations

from html import escape
from typing import Any


from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter,
                               QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app import rulesettings
from app.errors import ValidationError
from ui import dialogs, ops
from ui.context import AppContext
from ui.pages.settings_forms import Editor, editor_for
from ui.pages.settings_procedure import KEYS as PROCEDURE_KEYS
from ui.widgets import FieldError


class RulesTab(QWidget):
    """Left: the rules with the value in force and the default; right: the selected rule's form."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.admin = ctx.can("settings.edit")
        # 办理程序和时限 settings have their own tab (ui.pages.settings_procedure)
        self.keys = [k for k in rulesettings.RULES if k not in PROCEDURE_KEYS]
        self.values: dict[str, Any] = {}
        self.editors: dict[str, Editor] = {key: editor_for(key) for key in self.keys}
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["规则", "当前值", "规定默认值"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.resizeSection(0, 250)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(2, 200)
        self.table.currentCellChanged.connect(lambda row, *_a: self.show_rule(row))

        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold; color: #1f3b63; font-size: 11pt;")
        self.source = QLabel()
        self.source.setWordWrap(True)
        self.source.setStyleSheet("color: #5f6b7a;")
        self.default = QLabel()
        self.default.setWordWrap(True)
        self.default.setStyleSheet("color: #37474f; background: #eef3f8; padding: 4px;")
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        for key in self.keys:
            self.editors[key].setEnabled(self.admin)
            page = QWidget()  # the editor at the top, whatever the height of the largest one
            col = QVBoxLayout(page)
            col.setContentsMargins(0, 0, 0, 0)
            col.addWidget(self.editors[key])
            col.addStretch(1)
            self.pages[key] = page
            self.stack.addWidget(page)
        self.error = FieldError()
        self.save_button = QPushButton("保存")
        self.reset_button = QPushButton("恢复规定默认值")
        self.save_button.clicked.connect(self.save)
        self.reset_button.clicked.connect(self.reset_default)
        for b in (self.save_button, self.reset_button):
            b.setVisible(self.admin)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        panel = QWidget()
        right = QVBoxLayout(panel)
        right.addWidget(self.title)
        right.addWidget(self.source)
        right.addWidget(self.default)
        right.addWidget(self.stack, 1)
        right.addWidget(self.error)
        right.addLayout(buttons)
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(panel)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        note = QLabel("时限、频次和范围按本地规定设置，右侧为所选规则的表单，旁边注明规定默认值；修改会记入审计日志。"
                      + ("" if self.admin else "（只有管理员可以修改）"))
        note.setWordWrap(True)
        note.setStyleSheet("color: #5f6b7a;")
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addWidget(split, 1)

    def refresh(self) -> None:
        database = self.ctx.database

        def query() -> dict:
            with database.session(write=False) as s:
                return rulesettings.all_settings(s)

        ops.run_query(self, query, on_success=self._show)

    def _show(self, values: dict) -> None:
        self.values = values
        current = max(self.table.currentRow(), 0)
        self.table.setRowCount(len(self.keys))
        for r, key in enumerate(self.keys):
            editor = self.editors[key]
            rule = rulesettings.RULES[key]
            texts = (rule.label, editor.describe(values[key]), editor.describe(rule.default))
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        self.table.setCurrentCell(current, 0)
        self.show_rule(current)

    def current_key(self) -> str | None:
        row = self.table.currentRow()
        return self.keys[row] if 0 <= row < len(self.keys) else None

    def show_rule(self, row: int) -> None:
        if not 0 <= row < len(self.keys) or not self.values:
            return
        key = self.keys[row]
        rule, editor = rulesettings.RULES[key], self.editors[key]
        self.title.setText(rule.label)
        self.source.setText(f"依据：{rule.source}")
        self.default.setText(f"规定默认值：{escape(editor.describe(rule.default))}")
        editor.set_value(self.values[key])
        self.stack.setCurrentWidget(self.pages[key])
        self.error.show_message(None)

    def reset_default(self) -> None:
        key = self.current_key()
        if key is not None:
            self.editors[key].set_value(rulesettings.RULES[key].default)

    def save(self, key: str | None = None) -> None:
        key = key or self.current_key()
        if key is None:
            dialogs.info(self, "请先在左边选中一条规则。")
            return
        value, ctx = self.editors[key].value(), self.ctx
        self.error.show_message(None)

        def work(_p, _c) -> None:  # noqa: ANN001
            with ctx.database.session() as s:
                rulesettings.set_value(s, ctx.actor, key, value)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ValidationError):
                self.error.show_message(str(exc))
                return True
            return False

        def done(_r: object) -> None:
            self.refresh()
            ctx.changed.emit("settings")

        ops.run_op(self, work, label="正在保存……", cancellable=False, on_success=done, on_failure=failed)



