"""Login dialog; three wrong passwords in a row lock it for a minute (app.login.LoginGuard).

The password check (a deliberately slow scrypt) runs off the UI thread through ``ui.ops``: the
dialog stays responsive and shows that it is checking."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget)

from app.errors import AuthError, QingfengError
from app.login import LoginGuard
from app.permissions import Actor
from ui import ops
from ui.widgets import FieldError


class LoginDialog(QDialog):
    def __init__(self, authenticate: Callable[[str, str], Actor], *, office: str, db_path: str,
                 note: str | None = None, username: str = "", guard: LoginGuard | None = None,
                 demo_accounts: list[tuple[str, str, str]] | None = None,
                 parent: QWidget | None = None):
        """``demo_accounts``: (user name, role, password) listed for the demo database; a click
        fills the form."""
        super().__init__(parent)
        self.authenticate, self.guard = authenticate, guard or LoginGuard()
        self.actor: Actor | None = None
        self.setWindowTitle("登录 — 清风台账")
        self.setMinimumWidth(440)
        title = QLabel("清风台账")
        title.setStyleSheet("font-size: 20pt; font-weight: bold; color: #1f3b63;")
        sub = QLabel(office)
        sub.setStyleSheet("font-size: 11pt; color: #37474f;")
        self.username = QLineEdit(username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = FieldError()
        self.checking = False  # a password check is running in the worker
        self.busy = QProgressBar()  # moving bar while the password is checked
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        self.busy.hide()
        self.busy_label = QLabel("正在验证用户名和密码……")
        self.busy_label.setStyleSheet("color: #1f3b63;")
        self.busy_label.hide()
        form = QFormLayout()
        form.addRow("用户名", self.username)
        form.addRow("密码", self.password)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("登录")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        self.buttons.accepted.connect(self.try_login)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(sub)
        if note:
            n = QLabel(note)
            n.setWordWrap(True)
            n.setStyleSheet("color: #e65100; background: #fff3e0; padding: 6px; border-radius: 4px;")
            lay.addWidget(n)
        self.demo_buttons: list[QPushButton] = []
        if demo_accounts:
            row = QHBoxLayout()
            row.addWidget(QLabel("演示账户："))
            for name, role, password in demo_accounts:
                b = QPushButton(f"{role}（{name}）")
                b.setToolTip(f"用户名 {name}，密码 {password}")
                b.clicked.connect(lambda _c=False, n=name, p=password: self.fill(n, p))
                self.demo_buttons.append(b)
                row.addWidget(b)
            row.addStretch(1)
            lay.addLayout(row)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.busy_label)
        lay.addWidget(self.busy)
        where = QLabel(f"数据库：{db_path}")
        where.setWordWrap(True)
        where.setStyleSheet("color: #8a96a3; font-size: 9pt;")
        lay.addWidget(where)
        lay.addWidget(self.buttons)
        self.username.returnPressed.connect(self.password.setFocus)
        self.timer = QTimer(self)
        self.timer.setInterval(500)
        self.timer.timeout.connect(self.update_lock)
        (self.password if username else self.username).setFocus()

    def fill(self, username: str, password: str) -> None:
        self.username.setText(username)
        self.password.setText(password)
        self.ok.setFocus()

    def update_lock(self) -> None:
        locked = self.guard.locked
        for w in (self.username, self.password, self.ok):
            w.setEnabled(not locked)
        if locked:
            self.error.show_message(self.guard.message())
        else:
            self.timer.stop()
            if self.guard.failures == 0:
                self.error.show_message("登录已解锁，请重新输入。")
                self.password.setFocus()

    def _set_checking(self, checking: bool) -> None:
        self.checking = checking
        for w in [self.username, self.password, self.ok, *self.demo_buttons]:
            w.setEnabled(not checking)
        self.busy.setVisible(checking)
        self.busy_label.setVisible(checking)

    def try_login(self) -> None:
        if self.checking:
            return
        if self.guard.locked:
            self.update_lock()
            return
        if not self.username.text().strip():
            self.error.show_message("请输入用户名。")
            self.username.setFocus()
            return
        if not self.password.text():
            self.error.show_message("请输入密码。")
            self.password.setFocus()
            return
        username, password, authenticate = self.username.text().strip(), self.password.text(), self.authenticate
        self.error.show_message(None)
        self._set_checking(True)
        ops.run_op(self, lambda _p, _c: authenticate(username, password), label="正在登录……",
                   cancellable=False, show_progress=False, on_success=self._accepted, on_failure=self._refused)

    def _refused(self, exc: BaseException) -> bool:
        self._set_checking(False)
        if isinstance(exc, AuthError):
            self.guard.failed()
            self.password.clear()
            message = self.guard.message() if self.guard.locked or "不正确" in str(exc) else str(exc)
            self.error.show_message(message)
            if self.guard.locked:
                self.update_lock()
                self.timer.start()
            else:
                self.password.setFocus()
            return True
        if isinstance(exc, QingfengError):
            self.error.show_message(str(exc))
            return True
        return False  # unexpected: the op wrapper's error dialog

    def _accepted(self, actor: Actor) -> None:
        self._set_checking(False)
        self.guard.succeeded()
        self.actor = actor
        self.accept()
