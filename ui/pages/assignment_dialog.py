"""交办问题: the district assigns a problem to one of its townships, in one form."""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from app import clock
from ui.widgets import date_edit

DEFAULT_DAYS = 30  # the deadline offered: a month from today


class AssignmentDialog(QDialog):
    """The township (one of those whose card is enrolled), the title, the content and what is
    required, the deadline (a date picker, not before today). Nothing typed is lost: a missing
    field is named in the form and the dialog stays open."""

    def __init__(self, townships: list[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("交办问题")
        self.township = QComboBox()
        for code, name in townships:
            self.township.addItem(f"{name}（{code}）", code)
        self.title = QLineEdit()
        self.title.setMaxLength(100)
        self.title.setPlaceholderText("例如：核查低保金额")
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("问题内容和整改要求")
        self.text.setFixedHeight(90)
        today = clock.today()
        self.deadline = date_edit(today + timedelta(days=DEFAULT_DAYS))
        self.deadline.setMinimumDate(QDate(today))
        self.error = QLabel()
        self.error.setStyleSheet("color: #c62828;")
        self.error.hide()
        form = QFormLayout()
        form.addRow("交办给", self.township)
        form.addRow("问题标题", self.title)
        form.addRow("内容和要求", self.text)
        form.addRow("整改期限", self.deadline)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("交办")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.check_and_accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)

    def check_and_accept(self) -> None:
        missing = [name for name, empty in (("问题标题", not self.title.text().strip()),
                                            ("内容和要求", not self.text.toPlainText().strip())) if empty]
        if missing:
            self.error.setText(f"请填写{'和'.join(missing)}。")
            self.error.show()
            return
        self.accept()

    def values(self) -> tuple[str, str, str, date]:
        return (self.township.currentData(), self.title.text().strip(), self.text.toPlainText().strip(),
                self.deadline.date().toPython())
