"""系统设置 → 备份和自检, the one home of backup and restore: the automatic backups (list, back
up now, a copy to a chosen file, restore the selected, the latest or any backup file), the second
backup folder on a USB drive, the log folder, the diagnostic bundle and the self-check."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QGroupBox, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from app import backups, clock, logs, selfcheck, storage
from app.backups import Entry
from app.errors import BackupError
from ui import dialogs, ops
from ui.context import AppContext

WARN_STYLE = "color: #e65100;"


def entry_text(e: Entry) -> str:
    rows = f"{e.rows} 行" if e.rows is not None else "—"
    return f"{e.moment:%Y-%m-%d %H:%M}　{e.label}　{rows}　{'已校验' if e.verified else '未校验'}"


class BackupTab(QWidget):
    restoreRequested = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        admin = ctx.can("backup.restore")
        self.path = ctx.db_path
        auto = QGroupBox("自动备份（每天第一次使用、升级和导入前；保留 7 天、4 周、12 个月）")
        al = QVBoxLayout(auto)
        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.list = QListWidget()
        self.backup_button = QPushButton("立即备份")
        self.backup_file_button = QPushButton("备份到文件……")
        self.backup_file_button.setToolTip("另存一份校验过的备份到指定位置（如单位的移动硬盘）")
        self.restore_selected = QPushButton("恢复所选备份……")
        self.restore_latest = QPushButton("恢复最近的备份……")
        self.restore_file_button = QPushButton("从备份文件恢复……")
        self.backup_button.setEnabled(ctx.can("export.personal") and self.path is not None)
        self.backup_file_button.setEnabled(ctx.can("export.personal"))
        for b in (self.restore_selected, self.restore_latest, self.restore_file_button):
            b.setVisible(admin)
        self.backup_button.clicked.connect(self.backup_now)
        self.backup_file_button.clicked.connect(self.backup_to_file)
        self.restore_selected.clicked.connect(self.restore_chosen)
        self.restore_latest.clicked.connect(self.restore_newest)
        self.restore_file_button.clicked.connect(self.restore_file)
        row = QHBoxLayout()
        for b in (self.backup_button, self.backup_file_button):
            row.addWidget(b)
        row.addStretch(1)
        for b in (self.restore_selected, self.restore_latest, self.restore_file_button):
            row.addWidget(b)
        al.addWidget(self.folder_label)
        al.addWidget(self.list, 1)
        al.addLayout(row)

        second = QGroupBox("第二备份位置（U 盘或移动硬盘）")
        sl = QVBoxLayout(second)
        self.second_label = QLabel()
        self.second_label.setWordWrap(True)
        self.reminder_label = QLabel()
        self.reminder_label.setWordWrap(True)
        self.reminder_label.setStyleSheet(WARN_STYLE)
        self.choose_button = QPushButton("选择文件夹……")
        self.clear_button = QPushButton("不再使用")
        for b in (self.choose_button, self.clear_button):
            b.setVisible(admin)
        self.choose_button.clicked.connect(self.choose_second)
        self.clear_button.clicked.connect(lambda: self.set_second(None))
        srow = QHBoxLayout()
        srow.addWidget(self.choose_button)
        srow.addWidget(self.clear_button)
        srow.addStretch(1)
        sl.addWidget(self.second_label)
        sl.addWidget(self.reminder_label)
        sl.addLayout(srow)

        tools = QGroupBox("自检和日志")
        tl = QVBoxLayout(tools)
        self.check_button = QPushButton("运行自检")
        self.logs_button = QPushButton("打开日志文件夹")
        self.bundle_button = QPushButton("导出诊断包……")
        self.check_button.clicked.connect(self.run_check)
        self.logs_button.clicked.connect(self.open_logs)
        self.bundle_button.clicked.connect(self.export_bundle)
        trow = QHBoxLayout()
        for b in (self.check_button, self.logs_button, self.bundle_button):
            trow.addWidget(b)
        trow.addStretch(1)
        note = QLabel("诊断包只含自检结果、版本、各表行数和日志，其中的姓名、证件号和电话已隐去，可发给技术支持。")
        note.setWordWrap(True)
        self.check_results = QListWidget()
        tl.addLayout(trow)
        tl.addWidget(note)
        tl.addWidget(self.check_results, 1)

        lay = QVBoxLayout(self)
        lay.addWidget(auto, 2)
        lay.addWidget(second)
        lay.addWidget(tools, 1)
        self.refresh()

    # -- list and second folder
    def refresh(self) -> None:
        self.list.clear()
        if self.path is None:
            self.folder_label.setText("服务器数据库（PostgreSQL）请由管理员用 pg_dump 备份。")
            self.second_label.setText("—")
            return
        self.folder_label.setText(f"备份文件夹：{backups.folder(self.path)}")
        for e in backups.list_backups(self.path) + backups.list_pre_restore(self.path):
            item = QListWidgetItem(entry_text(e))
            item.setData(Qt.ItemDataRole.UserRole, str(e.path))
            self.list.addItem(item)
        if not self.list.count():
            self.list.addItem("还没有备份。")
        second = backups.second_folder(self.path)
        written = backups.second_written(self.path)
        self.second_label.setText(
            "未设置。插上 U 盘后选择其中的文件夹，每次自动备份都会复制一份到那里。" if second is None else
            f"{second}（上次写入：{written:%Y-%m-%d %H:%M}）" if written else f"{second}（还没有写入过）")
        note = backups.reminder(self.path)
        self.reminder_label.setText(note or "")
        self.reminder_label.setVisible(bool(note))

    def backup_now(self) -> None:
        ctx = self.ctx

        def work(progress, _c) -> Entry | None:  # noqa: ANN001
            from app import audit
            from app.permissions import require

            progress.update(0, 0, "正在备份并校验……")
            with ctx.database.session() as s:
                require(ctx.actor, "export.personal")
                audit.record(s, ctx.actor, "backup", "document", "backup", None,
                             {"file": str(backups.folder(ctx.db_path))})
            return backups.safety_backup(ctx.database, "manual")

        def done(entry: Entry | None) -> None:
            self.refresh()
            if entry is not None:
                dialogs.info(self, f"已备份到：\n{entry.path}\n校验通过（共 {entry.rows} 行）。")

        ops.run_op(self, work, label="正在备份……", cancellable=False, on_success=done)

    def backup_to_file(self, _checked: bool = False, *, path: str | None = None) -> None:
        """A verified copy at a place the clerk chooses (audited by the service)."""
        if path is None:
            default = str(Path.home() / f"清风台账备份-{clock.now():%Y%m%d-%H%M}.qfdb")
            path = dialogs.save_file(self, "备份数据库到文件", default, "清风台账数据库 (*.qfdb)")
        if not path:
            return
        ctx = self.ctx

        def work(progress, _c) -> dict:  # noqa: ANN001
            progress.update(0, 0, "正在备份并校验……")
            return storage.make_backup(ctx.database, ctx.actor, path)

        ops.run_op(self, work, label="正在备份……", cancellable=False, on_success=lambda counts: dialogs.info(
            self, f"已备份到：\n{path}\n校验通过（共 {sum(counts.values())} 行）。\n"
                  "备份用本数据库的密钥加密；请另存一份到单位的移动硬盘。"))

    def _restore(self, path: str) -> None:
        if not dialogs.confirm(self, f"用备份\n{path}\n替换当前数据库？\n\n恢复前会完整校验备份（密钥、完整性、审计链、单位）；"
                                     "当前数据库会先校验并另存到“恢复前”文件夹，不会丢失。恢复后需要重新登录。"):
            return
        self.restoreRequested.emit(path)

    def restore_chosen(self) -> None:
        item = self.list.currentItem()
        path = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not path:
            path = dialogs.open_file(self, "选择要恢复的备份", str(backups.folder(self.path)),
                                     "清风台账数据库 (*.qfdb)")
        if path:
            self._restore(path)

    def restore_file(self, _checked: bool = False, *, path: str | None = None) -> None:
        """Restore from a backup file anywhere (a copy on a USB drive, another computer's)."""
        if path is None:
            path = dialogs.open_file(self, "选择要恢复的备份文件", str(Path.home()), "清风台账数据库 (*.qfdb)")
        if path:
            self._restore(path)

    def restore_newest(self) -> None:
        try:
            entry = backups.latest(self.path)
        except BackupError as exc:
            dialogs.error(self, str(exc))
            return
        self._restore(str(entry.path))

    def choose_second(self, _checked: bool = False, *, path: str | None = None) -> None:
        if path is None:
            path = QFileDialog.getExistingDirectory(self, "选择第二备份位置（U 盘上的文件夹）", str(Path.home()))
        if path:
            self.set_second(path)

    def set_second(self, path: str | None) -> None:
        ctx = self.ctx

        def work(_p, _c) -> None:  # noqa: ANN001
            backups.set_second_folder(ctx.database, ctx.actor, path)
            if path:
                found = backups.list_backups(ctx.db_path)
                if found:
                    backups.copy_to_second(ctx.db_path, found[0])

        ops.run_op(self, work, label="正在设置……", cancellable=False, on_success=lambda _r: self.refresh())

    # -- self-check and logs
    def run_check(self) -> None:
        ctx = self.ctx
        self.check_button.setEnabled(False)

        def work(progress, _c) -> selfcheck.Report:  # noqa: ANN001
            progress.update(0, 0, "正在自检……")
            return selfcheck.run(ctx.db_path, database=ctx.database)

        def done(report: selfcheck.Report) -> None:
            self.check_button.setEnabled(True)
            self.check_results.clear()
            self.check_results.addItems(report.lines())

        def failed(_exc: BaseException) -> bool:
            self.check_button.setEnabled(True)
            return False

        ops.run_op(self, work, label="正在自检……", on_success=done, on_failure=failed)

    def open_logs(self) -> None:
        where = logs.log_dir()
        where.mkdir(parents=True, exist_ok=True)
        dialogs.open_path(str(where))

    def export_bundle(self, _checked: bool = False, *, path: str | None = None) -> None:
        if path is None:
            default = str(Path.home() / f"清风台账诊断包-{clock.now():%Y%m%d-%H%M}.zip")
            path = dialogs.save_file(self, "导出诊断包", default, "ZIP (*.zip)")
        if not path:
            return
        ctx = self.ctx

        def work(progress, _c) -> Path:  # noqa: ANN001
            progress.update(0, 0, "正在生成诊断包……")
            from PySide6 import __version__ as qt_version

            return logs.diagnostic_bundle(path, database=ctx.database, db_path=ctx.db_path,
                                          extra={"Qt（PySide6）": qt_version})

        ops.run_op(self, work, label="正在生成诊断包……", cancellable=False, on_success=lambda p: dialogs.info(
            self, f"诊断包已保存到：\n{p}\n其中不含姓名、证件号和电话，可发给技术支持。"))
