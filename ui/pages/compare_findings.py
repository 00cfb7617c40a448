"""比对疑点 panel of the 数据比对 page: run the cross-checks (with progress and cancel), filter the
findings, confirm one into the 问题台账 or dismiss it with a reason, export 名单推送."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget, QHeaderView)

from app import checks, clock, findings, offices, push
from app.jobs import raise_if_cancelled
from ui import dialogs, ops, widgets
from ui.context import AppContext

COLUMNS = ["规则", "状态", "对象", "村（居）", "户编号", "发现日期", "处理", "证据"]


class FindingsPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[findings.FindingInfo] = []
        self.loaded = False
        self.rule = QComboBox()
        self.rule.addItem(widgets.ALL, "")
        for k, (label, _fn) in checks.RULES.items():
            self.rule.addItem(label, k)
        self.state = widgets.combo(list(findings.STATES), first=widgets.ALL, current=findings.PENDING)
        self.village = widgets.combo([], first=widgets.ALL)  # filled off the UI thread when shown
        self.village.currentIndexChanged.connect(self.refresh)
        self.text = QLineEdit()
        self.text.setPlaceholderText("姓名、身份证号或证据中的文字")
        for w in (self.rule, self.state):
            w.currentIndexChanged.connect(self.refresh)
        self.text.returnPressed.connect(self.refresh)
        self.run_btn = QPushButton("运行比对")
        self.run_btn.clicked.connect(self.run_checks)
        self.confirm_btn = QPushButton("确认为问题")
        self.confirm_btn.clicked.connect(self.confirm)
        self.dismiss_btn = QPushButton("排除…")
        self.dismiss_btn.clicked.connect(self.dismiss)
        self.push_btn = QPushButton("名单推送（导出）…")
        self.push_btn.clicked.connect(self.export_push)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.status = QLabel("")
        self.message = QLabel("")
        self.message.setStyleSheet("color: #1b5e20;")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("规则"))
        bar.addWidget(self.rule)
        bar.addWidget(QLabel("状态"))
        bar.addWidget(self.state)
        bar.addWidget(QLabel("村（居）"))
        bar.addWidget(self.village)
        bar.addWidget(self.text, 1)
        bar.addWidget(self.run_btn)
        actions = QHBoxLayout()
        actions.addWidget(self.status)
        actions.addWidget(self.message, 1)
        actions.addWidget(self.confirm_btn)
        actions.addWidget(self.dismiss_btn)
        actions.addWidget(self.push_btn)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.table, 1)
        lay.addLayout(actions)
        editable = ctx.can("ledger.edit")
        self.confirm_btn.setEnabled(editable)
        self.dismiss_btn.setEnabled(editable)
        self.run_btn.setEnabled(ctx.can("import.source"))
        self.push_btn.setEnabled(ctx.can("export.personal"))

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        if not self.loaded:
            self.load_villages()
            self.refresh()

    def load_villages(self) -> None:
        database, code = self.ctx.database, self.ctx.office.code

        def load():  # noqa: ANN202
            with database.session(write=False) as s:
                return offices.list_villages(s, code)

        def fill(villages: list[str]) -> None:
            self.village.blockSignals(True)
            for v in villages:
                self.village.addItem(v, v)
            self.village.blockSignals(False)

        ops.run_query(self, load, on_success=fill)

    def refresh(self) -> None:
        rule, state, text = widgets.value(self.rule), widgets.value(self.state), self.text.text().strip() or None
        village = widgets.value(self.village)
        database = self.ctx.database

        def load():  # noqa: ANN202
            with database.session(write=False) as s:
                return findings.list_findings(s, rule=rule, state=state, village=village, text=text, limit=5000)

        ops.run_query(self, load, on_success=self.show_rows)

    def show_rows(self, rows: list[findings.FindingInfo]) -> None:
        self.rows, self.loaded = rows, True
        self.table.setRowCount(len(rows))
        for r, f in enumerate(rows):
            decided = f"问题 {f.problem_number}" if f.problem_number else (f.reason or "")
            for c, v in enumerate([f.rule_label, f.state, f.person_name or "", f.village or "",
                                   f.household_number or "", f.found_date.isoformat(), decided, f.evidence]):
                item = QTableWidgetItem(v)
                item.setToolTip(f.evidence)
                self.table.setItem(r, c, item)
        self.status.setText(f"共 {len(rows)} 条疑点")

    def selected(self) -> findings.FindingInfo | None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.rows):
            dialogs.info(self, "请先在表格中选择一条疑点。")
            return None
        return self.rows[row]

    def run_checks(self) -> None:
        database, actor = self.ctx.database, self.ctx.actor

        def work(progress, cancelled):  # noqa: ANN001, ANN202
            with database.session() as s:
                reports = findings.run_checks(
                    s, actor, progress=lambda d, t, label: (raise_if_cancelled(cancelled), progress.update(d, t, label)))
                raise_if_cancelled(cancelled)
                return reports

        def done(reports: list[findings.RunReport]) -> None:
            lines = [f"{r.label}：疑点 {r.found} 条（新增 {r.new}，已消失 {r.gone}）" for r in reports]
            dialogs.info(self, "比对完成。\n" + "\n".join(lines))
            self.refresh()

        ops.run_op(self, work, label="正在比对……", on_success=done)

    def _write(self, fn, message: str) -> None:  # noqa: ANN001
        database = self.ctx.database

        def work(_progress, _cancelled):  # noqa: ANN001, ANN202
            with database.session() as s:
                return fn(s)

        def done(info: findings.FindingInfo) -> None:
            self.message.setText(message.format(f=info))
            self.refresh()
            self.ctx.changed.emit("ledgers")

        ops.run_op(self, work, label="正在保存……", on_success=done, cancellable=False)

    def confirm(self) -> None:
        f = self.selected()
        if f is None or not dialogs.confirm(self, f"将此疑点确认为问题，转入问题台账（来源：大数据比对）？\n\n{f.evidence}"):
            return
        actor = self.ctx.actor
        self._write(lambda s: findings.confirm_finding(s, actor, f.id), "已确认，转入问题台账：问题 {f.problem_number}")

    def dismiss(self) -> None:
        f = self.selected()
        if f is None:
            return
        reason = dialogs.ask_text(self, "排除疑点", "排除理由（如：经核实为同名不同人）：")
        if reason is None:
            return
        actor = self.ctx.actor
        self._write(lambda s: findings.dismiss_finding(s, actor, f.id, reason=reason), "已排除：{f.reason}")

    def export_push(self) -> None:
        default = str(Path.home() / f"救助对象名单推送_{clock.today():%Y%m%d}.xlsx")
        path = dialogs.save_file(self, "名单推送：导出在保对象名单", default, "Excel 文件 (*.xlsx)")
        if not path:
            return
        database, actor = self.ctx.database, self.ctx.actor

        def work(_progress, _cancelled):  # noqa: ANN001, ANN202
            with database.session() as s:
                return push.export_recipients(s, actor, path)

        ops.run_op(self, work, label="正在导出……",
                   on_success=lambda n: dialogs.info(self, f"已导出 {n} 人到 {path}。文件含个人信息，已记入审计日志，"
                                                         "请按规定传递和保管。"))
