"""数据比对 page: import a roster or an external list (choose a file, preview, correct the column
mapping, confirm), then run the cross-checks and review the findings (ui/pages/compare_findings.py).

Every read of a file and every database write runs off the UI thread through ``ui.ops`` with
progress and cancel; a cancelled import rolls back (``app.jobs.raise_if_cancelled`` inside the
unit of work), so nothing is half written.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QTabWidget,
                               QVBoxLayout, QWidget)

from app import backups, clock, codes, sources
from app.imports import apply as ap
from app.imports import mapping as mp
from app.imports import roster as ro
from app.idcard import mask_id
from app.imports.readers import column_letter
from app.jobs import raise_if_cancelled
from ui import dialogs, ops, widgets
from ui.context import AppContext
from ui.pages.compare_findings import FindingsPanel
from ui.pages.compare_sources import SourcesPanel

ROSTER = "roster"
KIND_LABELS = {ROSTER: "救助对象花名册", **sources.KINDS}
FILTERS = "Excel 或 CSV 文件 (*.xlsx *.xls *.csv);;所有文件 (*)"
IGNORE = "（忽略此列）"


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


ROSTER_HEADERS = ["操作", "村（居）", "户主", "保障类别", "月保障金额", "人数", "变更内容"]
SOURCE_HEADERS = ["行", "姓名", "身份证号", "日期", "内容", "地址"]


def _headers(t: QTableWidget, headers: list[str]) -> None:
    t.setColumnCount(len(headers))
    t.setHorizontalHeaderLabels(headers)


def _fill(t: QTableWidget, rows: list[list[object]], limit: int = 2000) -> None:
    t.setRowCount(min(len(rows), limit))
    for r, row in enumerate(rows[:limit]):
        for c, v in enumerate(row):
            t.setItem(r, c, QTableWidgetItem("" if v is None else str(v)))


class ImportPanel(QWidget):
    """Choose a file → preview → correct mapping → confirm."""

    imported = Signal(str)  # the kind imported

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.path: str | None = None
        self.persons_path: str | None = None
        self.plan = None
        self.kind_combo = QComboBox()
        for k, label in KIND_LABELS.items():
            self.kind_combo.addItem(label, k)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.file_label = QLabel("未选择文件")
        self.choose_btn = QPushButton("选择文件…")
        self.choose_btn.clicked.connect(self.choose_file)
        self.persons_btn = QPushButton("人员文件（省级系统导出，可选）…")
        self.persons_btn.clicked.connect(self.choose_persons)
        self.category = widgets.combo(codes.values("categories"), first="（文件中有类别列）")
        self.origin = QLineEdit()
        self.origin.setPlaceholderText("如 县殡葬管理所、县公安局")
        self.list_date = widgets.date_edit(clock.today())
        self.preview_btn = QPushButton("预览")
        self.preview_btn.clicked.connect(self.preview)
        form = QFormLayout()
        form.addRow("导入内容", self.kind_combo)
        row = QHBoxLayout()
        row.addWidget(self.choose_btn)
        row.addWidget(self.persons_btn)
        row.addWidget(self.file_label, 1)
        form.addRow("文件", row)
        form.addRow("保障类别", self.category)
        form.addRow("数据来源单位", self.origin)
        form.addRow("数据日期", self.list_date)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.mapping = _table(["列", "表头", "对应项目"])
        self.remember = QCheckBox("记住此格式的列对照")
        self.remap_btn = QPushButton("按更正的列对照重新预览")
        self.remap_btn.clicked.connect(self.preview)
        self.tabs = QTabWidget()
        self.add_table = _table(ROSTER_HEADERS)
        self.refused_table = _table(["工作表", "行", "列", "原因", "可能是"])
        self.warning_table = _table(["工作表", "行", "列", "提示"])
        self.tabs.addTab(self.add_table, "新增/更新")
        self.tabs.addTab(self.refused_table, "有误")
        self.tabs.addTab(self.warning_table, "提示")
        self.skip = QCheckBox("跳过有误的行，只导入其余的")
        self.apply_btn = QPushButton("确认导入")
        self.apply_btn.setEnabled(False)
        self.apply_btn.clicked.connect(self.apply)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.preview_btn)
        lay.addWidget(self.summary)
        lay.addWidget(QLabel("列对照（可更正）："))
        lay.addWidget(self.mapping, 1)
        bar = QHBoxLayout()
        bar.addWidget(self.remember)
        bar.addWidget(self.remap_btn)
        bar.addStretch(1)
        lay.addLayout(bar)
        lay.addWidget(self.tabs, 2)
        bottom = QHBoxLayout()
        bottom.addWidget(self.skip)
        bottom.addStretch(1)
        bottom.addWidget(self.apply_btn)
        lay.addLayout(bottom)
        self._kind_changed()

    @property
    def kind(self) -> str:
        return self.kind_combo.currentData()

    def _kind_changed(self) -> None:
        roster = self.kind == ROSTER
        self.persons_btn.setVisible(roster)
        self.category.setEnabled(roster)
        self.origin.setEnabled(not roster)
        self.list_date.setEnabled(not roster)
        self._clear()

    def _clear(self) -> None:
        self.plan = None
        self.apply_btn.setEnabled(False)
        self.summary.setText("")
        for t in (self.add_table, self.refused_table, self.warning_table, self.mapping):
            t.setRowCount(0)

    def choose_file(self) -> None:
        path = dialogs.open_file(self, "选择要导入的文件", str(Path.home()), FILTERS)
        if path:
            self.set_file(path)

    def set_file(self, path: str, persons: str | None = None) -> None:
        self.path, self.persons_path = path, persons
        self.file_label.setText(Path(path).name + (f" + {Path(persons).name}" if persons else ""))
        self._clear()

    def choose_persons(self) -> None:
        path = dialogs.open_file(self, "选择人员文件", str(Path.home()), FILTERS)
        if path and self.path:
            self.set_file(self.path, path)

    def corrections(self) -> dict[int, str | None] | None:
        if self.plan is None or not self.plan.tables or self.mapping.rowCount() == 0:
            return None
        table = self.plan.tables[0]
        out: dict[int, str | None] = {}
        for r in range(self.mapping.rowCount()):
            box = self.mapping.cellWidget(r, 2)
            col = int(self.mapping.item(r, 0).data(256))
            chosen = box.currentData() or None
            if chosen != table.mapping.get(col):
                out[col] = chosen
        return out or None

    def preview(self) -> None:
        if not self.path:
            dialogs.info(self, "请先选择要导入的文件。")
            return
        kind, path, persons = self.kind, self.path, self.persons_path
        corrections, category = self.corrections(), widgets.value(self.category)
        database = self.ctx.database

        def work(progress, cancelled):  # noqa: ANN001, ANN202
            progress.update(label="正在读取和检查文件……")
            with database.session(write=False) as s:
                if kind == ROSTER:
                    return ro.plan_roster(s, path, persons_path=persons, category=category,
                                          corrections=corrections, cancelled=cancelled,
                                          progress=lambda d, t: progress.update(d, t, "正在检查各户……"))
                return sources.plan_source(s, path, kind=kind, corrections=corrections)

        ops.run_op(self, work, label="正在预览……", on_success=self.show_plan,
                   on_cancelled=lambda: self.summary.setText("预览已取消。"))

    def show_plan(self, plan) -> None:  # noqa: ANN001
        self.plan = plan
        allowed = mp.ROSTER_FIELDS if isinstance(plan, ro.RosterPlan) else mp.SOURCE_FIELDS
        table = plan.tables[0] if plan.tables else None
        self.mapping.setRowCount(len(table.labels) if table else 0)
        for c, label in enumerate(table.labels if table else []):
            item = QTableWidgetItem(column_letter(c))
            item.setData(256, c)
            self.mapping.setItem(c, 0, item)
            self.mapping.setItem(c, 1, QTableWidgetItem(label.replace("|", "/")))
            box = QComboBox()
            box.addItem(IGNORE, "")
            for f in allowed:
                box.addItem(mp.label_of(f), f)
            box.setCurrentIndex(max(0, box.findData(table.mapping.get(c, ""))))
            self.mapping.setCellWidget(c, 2, box)
        if isinstance(plan, ro.RosterPlan):
            s = plan.summary()
            text = (f"新增 {s['households_add']} 户 {s['persons_add']} 人；更新 {s['households_update']} 户、"
                    f"{s['persons_update']} 人；无变化 {s['households_same']} 户；有误 {s['refused']} 处"
                    f"（身份证号被 Excel 损坏 {s['damaged']} 处）")
            rows = []
            for h in plan.households:
                if h.action == "same" and all(p.action == "same" for p in h.members):
                    continue
                change = "；".join(f"{ro.LABELS[k]}：{o} → {n}" for k, (o, n) in h.changes.items())
                added = [p.name for p in h.members if p.action == "add" and h.action != "add"]
                if added:
                    change += ("；" if change else "") + "新增成员 " + "、".join(added)
                count = len(h.members) if h.family_size in (None, len(h.members)) else \
                    f"{len(h.members)}（文件载家庭人口 {h.family_size}）"  # a household-level roster lists the head
                rows.append(["新增" if h.action == "add" else "更新", h.village, h.head_name, h.category,
                             h.monthly_amount, count, change])
            _headers(self.add_table, ROSTER_HEADERS)
            _fill(self.add_table, rows)
            can_apply = plan.has_changes and self.ctx.can("import.roster")
        else:
            text = f"{KIND_LABELS[plan.kind]}：可导入 {len(plan.rows)} 行；有误 {len(plan.refused)} 处"
            _headers(self.add_table, SOURCE_HEADERS)
            _fill(self.add_table, [[r["row_no"], r["name"], mask_id(r["id_number"]), r["event_date"], r["detail"],
                                    r["address"]] for r in plan.rows])
            can_apply = not plan.duplicate_of and bool(plan.rows) and self.ctx.can("import.source")
        notes = "\n".join(plan.notes[:6])
        self.summary.setText(text + (f"\n{notes}" if notes else ""))
        _fill(self.refused_table, [[i.sheet, i.row, i.column, i.reason, "；".join(i.candidates)] for i in plan.refused])
        _fill(self.warning_table, [[i.sheet, i.row, i.column, i.reason] for i in plan.warnings])
        self.tabs.setTabText(1, f"有误（{len(plan.refused)}）")
        self.tabs.setTabText(2, f"提示（{len(plan.warnings)}）")
        if plan.refused:
            self.tabs.setCurrentIndex(1)
        self.apply_btn.setEnabled(can_apply)

    def apply(self) -> None:
        plan = self.plan
        if plan is None:
            return
        if plan.refused and not self.skip.isChecked():
            dialogs.error(self, f"有 {len(plan.refused)} 处错误，未导入。请改正文件后重新预览，"
                          "或勾选“跳过有误的行”只导入其余的。\n" + "\n".join(i.text() for i in plan.refused[:5]))
            return
        kind, skip, remember = self.kind, self.skip.isChecked(), self.remember.isChecked()
        origin, day = self.origin.text(), self.list_date.date().toPython()
        database, actor = self.ctx.database, self.ctx.actor

        def work(progress, cancelled):  # noqa: ANN001, ANN202
            progress.update(label="正在备份数据库（导入前的校验备份）……")
            backups.safety_backup(database, "import")
            raise_if_cancelled(cancelled)
            progress.update(label="正在写入……")
            with database.session() as s:
                if remember and plan.tables:
                    mp.save_layout(s, actor, plan.tables[0], kind=kind)
                raise_if_cancelled(cancelled)
                if kind == ROSTER:
                    result = ap.apply_roster(s, actor, plan, skip_refused=skip,
                                             progress=lambda d, t: progress.update(d, t))
                    raise_if_cancelled(cancelled)
                    return result.summary()
                src = sources.apply_source(s, actor, plan, origin=origin, list_date=day, skip_refused=skip)
                raise_if_cancelled(cancelled)
                return f"已导入数据源：{src.kind_label}，{src.origin}，{src.list_date}，{src.rows_accepted} 行。"

        def done(message: str) -> None:
            dialogs.info(self, message)
            self._clear()
            self.imported.emit(kind)
            if kind == ROSTER:
                self.ctx.changed.emit("households")

        ops.run_op(self, work, label="正在导入……", on_success=done,
                   on_cancelled=lambda: dialogs.info(self, "导入已取消，未写入任何数据。"))


class ComparePage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        lay = QVBoxLayout(self)
        lay.addWidget(widgets.page_title("数据比对"))
        self.tabs = QTabWidget()
        self.importer = ImportPanel(ctx)
        self.findings = FindingsPanel(ctx)
        self.tabs.addTab(self.importer, "导入文件")
        self.sources = SourcesPanel(ctx)
        self.tabs.addTab(self.findings, "比对疑点")
        self.tabs.addTab(self.sources, "数据源")
        self.importer.imported.connect(self._after_import)
        lay.addWidget(self.tabs)

    def _after_import(self, _kind: str) -> None:
        """The checks run after every import."""
        self.tabs.setCurrentWidget(self.findings)
        if self.ctx.can("import.source"):
            self.findings.run_checks()
        else:
            self.findings.refresh()

    def refresh(self) -> None:
        self.findings.refresh()

