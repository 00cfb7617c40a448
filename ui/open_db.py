"""Opening the database with dialogs for what can go wrong: passphrase, recovery code, a
damaged or newer file. Never a traceback."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QLineEdit, QRadioButton, QVBoxLayout, QWidget)

from app import firstrun
from app.errors import ValidationError
from app import backups, storage
from app.errors import (AuthError, BackupError, KeyMissing, NewerDatabase, NotADatabase,
                        PermissionDenied, QingfengError, WrongKey)
from app.storage import Database
from ui import dialogs, ops
from ui.widgets import FieldError

NEXT_STEPS = {
    NotADatabase: "数据库文件没有被改动。可以从最近的备份恢复（qingfeng-cli restore --latest，"
                  "或 qingfeng-cli --db 数据库 restore 备份文件），或用 --db 参数打开另一个数据库文件。",
    NewerDatabase: "请安装新版本的清风台账后再打开；不要用旧版本修改这个数据库。",
}


class KeyDialog(QDialog):
    """Ask for the database passphrase, or for the recovery code (and a new passphrase)."""

    def __init__(self, message: str, *, path: Path, passphrase_mode: bool,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("打开数据库 — 清风台账")
        self.setMinimumWidth(520)
        self.need_new_passphrase = not storage.keyring_available()
        info = QLabel(f"{message}\n\n数据库：{path}")
        info.setWordWrap(True)
        self.use_passphrase = QRadioButton("输入数据库口令")
        self.use_recovery = QRadioButton("使用恢复码（换电脑、系统凭据丢失时）")
        group = QButtonGroup(self)
        group.addButton(self.use_passphrase)
        group.addButton(self.use_recovery)
        self.use_passphrase.setVisible(passphrase_mode)
        (self.use_passphrase if passphrase_mode else self.use_recovery).setChecked(True)
        self.secret = QLineEdit()
        self.new_passphrase, self.again = QLineEdit(), QLineEdit()
        for w in (self.new_passphrase, self.again):
            w.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = FieldError()
        form = QFormLayout()
        form.addRow("口令或恢复码", self.secret)
        self.new_label = QLabel("为本机设置新口令")
        form.addRow(self.new_label, self.new_passphrase)
        self.again_label = QLabel("再次输入新口令")
        form.addRow(self.again_label, self.again)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("打开")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        for w in (info, self.use_passphrase, self.use_recovery):
            lay.addWidget(w)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.use_recovery.toggled.connect(self._mode)
        self._mode()

    def _mode(self) -> None:
        recovery = self.use_recovery.isChecked()
        self.secret.setEchoMode(QLineEdit.EchoMode.Normal if recovery else QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("13 组，每组 4 位，如 ABCD-EFGH-…" if recovery else "")
        for w in (self.new_label, self.new_passphrase, self.again_label, self.again):
            w.setVisible(recovery and self.need_new_passphrase)

    def try_accept(self) -> None:
        if not self.secret.text().strip():
            self.error.show_message("请输入。")
            return
        if self.use_recovery.isChecked():
            try:
                storage.key_from_recovery_code(self.secret.text())
                if self.need_new_passphrase:
                    firstrun.check_passphrase(self.new_passphrase.text(), self.again.text())
            except (WrongKey, ValidationError) as exc:
                self.error.show_message(str(exc))
                return
        self.accept()


def open_database(path: Path, *, demo: bool = False,
                  parent: QWidget | None = None) -> tuple[Database, str | None] | None:
    """Open ``path``; returns (database, passphrase used) or None when the user gave up."""
    key_store = firstrun.key_storage(path)
    passphrase = os.environ.get("QINGFENG_PASSPHRASE") or None
    if demo and key_store == "passphrase" and not passphrase:
        passphrase = firstrun.DEMO_PASSPHRASE
    recovery, new_passphrase = None, None
    while True:
        try:
            # the key derivation and the integrity check run off the UI thread, with a busy dialog
            database = ops.wait_for(parent, lambda p=passphrase, r=recovery: storage.open_database(
                path, passphrase=p, recovery=r), label="正在解锁并检查数据库……")
            if recovery:
                storage.store_key(database.key, database.path, passphrase=new_passphrase)
                passphrase = new_passphrase
            return database, passphrase
        except (KeyMissing, WrongKey) as exc:
            dlg = KeyDialog(str(exc), path=path, passphrase_mode=key_store == "passphrase", parent=parent)
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return None
            if dlg.use_recovery.isChecked():
                recovery, passphrase = dlg.secret.text(), None
                new_passphrase = dlg.new_passphrase.text() if dlg.need_new_passphrase else None
            else:
                recovery, passphrase = None, dlg.secret.text()
        except NotADatabase as exc:  # damaged page or WAL, truncated: offer the latest backup
            if not offer_restore(path, exc, passphrase=passphrase, parent=parent):
                return None
        except QingfengError as exc:
            hint = next((h for cls, h in NEXT_STEPS.items() if isinstance(exc, cls)), "")
            dialogs.error(parent, f"无法打开数据库。\n\n{exc}\n\n{hint}".strip())
            return None
        except Exception as exc:  # noqa: BLE001 - shown in Chinese, details folded away
            from ui.ops import show_error
            show_error(parent, exc)
            return None


def offer_restore(path: Path, exc: QingfengError, *, passphrase: str | None,
                  parent: QWidget | None = None) -> bool:
    """The database cannot be read: offer to restore the latest verified backup.

    The damaged file is kept aside byte for byte; who restores is checked against the backup.
    Returns True when restored (the caller opens it again)."""
    hint = NEXT_STEPS[NotADatabase]
    try:
        latest = backups.latest(path)
    except BackupError:
        dialogs.error(parent, f"无法打开数据库。\n\n{exc}\n\n{hint}")
        return False
    if not dialogs.confirm(parent, f"无法打开数据库。\n\n{exc}\n\n是否从最近的备份恢复？\n"
                                   f"{latest.moment:%Y-%m-%d %H:%M}（{latest.label}，已校验）\n\n"
                                   "损坏的数据库会原样另存到“恢复前”文件夹。"):
        return False
    while True:
        username = dialogs.ask_text(parent, "从备份恢复", "管理员用户名：", "admin")
        password = dialogs.ask_password(parent, "从备份恢复", "管理员密码：") if username else None
        if not username or password is None:
            return False
        try:
            key = storage.load_key(path, passphrase=passphrase)
            result = backups.restore(path, latest.path, key=key, credentials=(username, password),
                                     passphrase=passphrase)
        except (AuthError, PermissionDenied) as err:
            dialogs.error(parent, str(err))
            continue
        except QingfengError as err:
            dialogs.error(parent, f"没有恢复：{err}")
            return False
        result.database.dispose()
        dialogs.info(parent, f"已从 {latest.path.name} 恢复（校验通过）。\n损坏的数据库已另存在：\n{result.kept}")
        return True
