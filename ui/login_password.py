"""First login with an initial or reset password: the user chooses a new one before working."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from app.errors import AuthError, QingfengError, ValidationError
from ui.widgets import FieldError, with_error


class ChangePasswordDialog(QDialog):
    """``change(new)`` saves the new password (raises the service's refusals); the dialog stays
    open, the message beside the field, until it succeeds or the user logs out."""

    def __init__(self, change: Callable[[str], None], *, username: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.change = change
        self.changed = False
        self.setWindowTitle("首次登录：请修改初始密码 — 清风台账")
        self.setMinimumWidth(460)
        intro = QLabel(f"用户 {username} 正在使用管理员设置的初始密码。为保护救助对象的个人信息，"
                       "请先设置只有您自己知道的新密码（至少 8 位，含字母和数字）。")
        intro.setWordWrap(True)
        self.new, self.again = QLineEdit(), QLineEdit()
        self.errors: dict[str, FieldError] = {}
        form = QFormLayout()
        for key, label in (("new", "新密码"), ("again", "再次输入新密码")):
            w = getattr(self, key)
            w.setEchoMode(QLineEdit.EchoMode.Password)
            box, self.errors[key] = with_error(w)
            form.addRow(label, box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("修改并登录")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.new.returnPressed.connect(self.again.setFocus)
        self.again.returnPressed.connect(self.submit)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.new.setFocus()

    def submit(self) -> None:
        for e in self.errors.values():
            e.show_message(None)
        if self.new.text() != self.again.text():
            self.errors["again"].show_message("两次输入的新密码不一致")
            self.again.setFocus()
            return
        try:
            self.change(self.new.text())
        except (ValidationError, AuthError) as exc:
            self.errors["new"].show_message(getattr(exc, "rule", None) or str(exc))
            self.new.setFocus()
            return
        except QingfengError as exc:
            self.errors["again"].show_message(str(exc))
            return
        self.changed = True
        self.accept()
