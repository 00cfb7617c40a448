"""系统设置, data safety: where the database is and how it is encrypted, the recovery sheet,
audit verification. Backup and restore live in one place: 备份和自检 (settings_backup)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QLabel, QListWidget, QPushButton,
                               QVBoxLayout, QWidget)

from app import audit, firstrun, storage, users
from app.errors import PermissionDenied
from app.permissions import ADMIN
from ui import dialogs, ops
from ui.context import AppContext


class DataTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        storage = firstrun.key_storage(ctx.db_path) if ctx.db_path else None
        where = QGroupBox("数据库")
        wl = QVBoxLayout(where)
        path = QLabel(f"位置：{ctx.db_path or '（服务器数据库）'}")
        path.setWordWrap(True)
        path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        wl.addWidget(path)
        wl.addWidget(QLabel("加密：SQLCipher（AES-256）；密钥保存在："
                            + {"keyring": "本机系统凭据管理器", "passphrase": "口令保护的密钥文件"}.get(storage or "", "—")))
        if ctx.demo:
            demo = QLabel("这是演示数据库，数据均为虚构，请勿录入真实信息。")
            demo.setStyleSheet("color: #e65100;")
            wl.addWidget(demo)
        self.recovery_button = QPushButton("再次打印恢复码……")
        self.verify_button = QPushButton("校验审计日志")
        self.recovery_button.setVisible(ctx.actor.role == ADMIN)
        self.recovery_button.clicked.connect(self.recovery_sheet)
        self.verify_button.clicked.connect(self.verify)
        row = QHBoxLayout()
        row.addWidget(self.recovery_button)
        hint = QLabel("备份和恢复：见“备份和自检”。")
        hint.setStyleSheet("color: #5f6b7a;")
        row.addWidget(hint)
        row.addStretch(1)
        wl.addLayout(row)
        check = QGroupBox("审计日志（步步有痕迹、环环能倒查）")
        cl = QVBoxLayout(check)
        row = QHBoxLayout()
        row.addWidget(self.verify_button)
        self.verify_summary = QLabel("重新计算哈希链，并逐条核对记录是否被绕过本程序修改。")
        self.verify_summary.setWordWrap(True)
        row.addWidget(self.verify_summary, 1)
        cl.addLayout(row)
        self.results = QListWidget()
        self.results.setWordWrap(True)
        cl.addWidget(self.results)
        lay = QVBoxLayout(self)
        lay.addWidget(where)
        lay.addWidget(check, 1)

    def recovery_sheet(self, _checked: bool = False, *, password: str | None = None,
                       path: str | None = None) -> None:
        ctx = self.ctx
        password = password if password is not None else dialogs.ask_password(
            self, "再次打印恢复码", f"恢复码能打开整个数据库。请再次输入管理员 {ctx.actor.username} 的密码：")
        if password is None:
            return
        if path is None:
            path = dialogs.save_file(self, "保存恢复码", str(Path.home() / "清风台账恢复码.pdf"), "PDF (*.pdf)")
        if not path:
            return

        def work(_p, _c) -> str:  # noqa: ANN001
            from app.recovery_sheet import write_recovery_sheet  # reportlab: load when used

            with ctx.database.session() as s:
                actor = users.authenticate(s, ctx.actor.username, password)
                if actor.role != ADMIN:
                    raise PermissionDenied("只有管理员可以打印恢复码。")
                audit.record(s, actor, "export", "document", "recovery-sheet", None,
                             {"file": str(Path(path).resolve()), "what": "恢复码"})
                write_recovery_sheet(path, code=storage.recovery_code(ctx.database.key),
                                     office_code=ctx.office.code, office_name=ctx.office.name,
                                     db_path=str(ctx.db_path))
            return path

        ops.run_op(self, work, label="正在生成……", cancellable=False, on_success=lambda p: dialogs.info(
            self, f"恢复码已保存到：\n{p}\n请立即打印，存放在单位保险柜，然后删除该文件。"))

    def verify(self) -> None:
        database = self.ctx.database
        self.verify_button.setEnabled(False)

        def work(progress, _c) -> audit.VerifyReport:  # noqa: ANN001
            progress.update(0, 0, "正在校验审计日志……")
            with database.session(write=False) as s:
                return audit.verify(s, progress=lambda n: progress.update(
                    n, 0, f"已核对 {n} 条审计记录……"))

        def done(report: audit.VerifyReport) -> None:
            self.verify_button.setEnabled(True)
            self.results.clear()
            if report.ok:
                self.verify_summary.setText(f"全部一致：审计记录 {report.entries} 条，核对记录 {report.records} 条，"
                                            f"链头 {report.head_hash[:16]}…")
                self.verify_summary.setStyleSheet("color: #1b5e20; font-weight: bold;")
            else:
                self.verify_summary.setText(f"发现 {len(report.problems)} 处问题（审计记录 {report.entries} 条）：")
                self.verify_summary.setStyleSheet("color: #c62828; font-weight: bold;")
                self.results.addItems([f"✗ {p.message}" for p in report.problems[:1000]])

        def failed(_exc: BaseException) -> bool:
            self.verify_button.setEnabled(True)
            return False

        ops.run_op(self, work, label="正在校验审计日志……", on_success=done, on_failure=failed)
