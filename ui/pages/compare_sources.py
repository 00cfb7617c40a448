"""数据源 panel of the 数据比对 page: the external lists kept for the checks, with their date,
origin and row counts; a list imported by mistake can be removed (with a reason, audited)."""
from __future__ import annotations

from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from app import sources
from ui import dialogs, ops
from ui.context import AppContext

COLUMNS = ["类别", "来源单位", "数据日期", "文件", "总行数", "导入", "有误", "导入时间", "导入人"]


class SourcesPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[sources.SourceInfo] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.status = QLabel("")
        self.remove_btn = QPushButton("删除数据源…")
        self.remove_btn.clicked.connect(self.remove)
        self.remove_btn.setEnabled(ctx.can("import.source"))
        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.remove_btn)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table, 1)
        lay.addLayout(bar)

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        database = self.ctx.database

        def load():  # noqa: ANN202
            with database.session(write=False) as s:
                return sources.list_sources(s)

        ops.run_query(self, load, on_success=self.show_rows)

    def show_rows(self, rows: list[sources.SourceInfo]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, x in enumerate(rows):
            for c, v in enumerate([x.kind_label, x.origin, x.list_date.isoformat(), x.file_name, x.rows_total,
                                   x.rows_accepted, x.rows_refused, x.imported_at, x.imported_by or ""]):
                self.table.setItem(r, c, QTableWidgetItem(str(v)))
        self.status.setText(f"共 {len(rows)} 个数据源")

    def remove(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.rows):
            dialogs.info(self, "请先在表格中选择一个数据源。")
            return
        src = self.rows[row]
        reason = dialogs.ask_text(self, "删除数据源", f"删除“{src.kind_label}（{src.origin}，{src.list_date}）”的原因：")
        if reason is None:
            return
        database, actor = self.ctx.database, self.ctx.actor

        def work(_progress, _cancelled):  # noqa: ANN001, ANN202
            with database.session() as s:
                return sources.remove_source(s, actor, src.id, reason=reason)

        ops.run_op(self, work, label="正在删除……", cancellable=False,
                   on_success=lambda info: (self.status.setText(f"已删除：{info.kind_label}，{info.origin}"), self.refresh()))
