"""系统设置 › 保障标准: the standards table by year × category × 城乡/细分, each with the date it takes
effect; an administrator enters the new year's standard in a form (audited by the service)."""
from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app import clock
from app.assessment import standards
from app.errors import ValidationError
from ui import ops, widgets
from ui.context import AppContext
from ui.pages.settings_forms import spin

UNIT_TEXT = {"元": "元/人·月", "%": "%（低保标准的百分比）", "倍": "倍（低保标准的倍数）"}
VARIANT_LABEL = {"低保": "城乡", "特困基本": "供养方式", "特困护理": "自理能力", "分类施保": "对象",
                 "低保边缘": "细分"}


class StandardsTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[standards.StandardInfo] = []
        self.year = widgets.combo([], first=widgets.ALL)
        self.kind_filter = widgets.combo(list(standards.KINDS), first=widgets.ALL)
        for c in (self.year, self.kind_filter):
            c.currentIndexChanged.connect(lambda _i: self._fill())
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["年度", "类别", "城乡/细分", "标准", "起执行日期", "依据"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().resizeSection(2, 120)
        self.table.horizontalHeader().resizeSection(3, 190)

        # the form for a new standard
        self.kind = widgets.combo(list(standards.KINDS))
        self.variant = widgets.combo([])
        self.variant.setEditable(False)
        self.variant_label = QLabel("城乡")
        self.group = QLineEdit()
        self.group.setPlaceholderText("如 重度残疾、重病、老年、未成年")
        self.value = spin("float", 0, high=100000)
        self.unit = widgets.combo([])
        self.effective = widgets.date_edit()
        self.effective.setDate(QDate(clock.today().year, 1, 1))
        self.source = QLineEdit()
        self.source.setPlaceholderText("如 某县民政局 2027 年 1 号文")
        self.error = widgets.FieldError()
        self.add_button = QPushButton("录入标准")
        self.add_button.clicked.connect(self.add)
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
        box = QGroupBox("录入新标准（新年度或调整后的标准，自起执行日期起生效，旧标准保留）")
        form = QFormLayout(box)
        form.addRow("类别", self.kind)
        variant_row = QWidget()
        vr = QHBoxLayout(variant_row)
        vr.setContentsMargins(0, 0, 0, 0)
        vr.addWidget(self.variant)
        vr.addWidget(self.group)
        form.addRow(self.variant_label, variant_row)
        value_row = QWidget()
        vl = QHBoxLayout(value_row)
        vl.setContentsMargins(0, 0, 0, 0)
        vl.addWidget(self.value)
        vl.addWidget(self.unit)
        vl.addStretch(1)
        form.addRow("标准", value_row)
        form.addRow("起执行日期", self.effective)
        form.addRow("依据", self.source)
        form.addRow("", self.error)
        form.addRow("", self.add_button)
        box.setVisible(ctx.can("settings.edit"))
        self._kind_changed()

        bar = QHBoxLayout()
        bar.addWidget(QLabel("年度"))
        bar.addWidget(self.year)
        bar.addWidget(QLabel("类别"))
        bar.addWidget(self.kind_filter)
        bar.addStretch(1)
        note = QLabel("保障标准每年由区（县）民政局公布，按城乡和类别不同；评估按家庭评估日当天生效的标准计算。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #5f6b7a;")
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addLayout(bar)
        lay.addWidget(self.table, 1)
        lay.addWidget(box)

    def _kind_changed(self) -> None:
        kind = widgets.value(self.kind) or "低保"
        variants, units = standards.KINDS[kind]
        self.variant_label.setText(VARIANT_LABEL[kind])
        self.variant.clear()
        for v in variants or ():
            self.variant.addItem(v or "（无）", v)
        self.variant.setVisible(variants is not None and variants != ("",))
        self.group.setVisible(variants is None)
        self.unit.clear()
        for u in units:
            self.unit.addItem(UNIT_TEXT[u], u)

    def refresh(self) -> None:
        database = self.ctx.database

        def query() -> list[standards.StandardInfo]:
            with database.session(write=False) as s:
                return standards.all_standards(s)

        ops.run_query(self, query, on_success=self._show)

    def _show(self, rows: list[standards.StandardInfo]) -> None:
        self.rows = sorted(rows, key=lambda r: (r.effective_from, r.kind, r.variant), reverse=True)
        chosen = widgets.value(self.year)
        self.year.blockSignals(True)
        self.year.clear()
        self.year.addItem(widgets.ALL, "")
        for y in sorted({r.effective_from.year for r in rows}, reverse=True):
            self.year.addItem(f"{y} 年", str(y))
        widgets.set_combo(self.year, chosen)
        self.year.blockSignals(False)
        self._fill()

    def shown_rows(self) -> list[standards.StandardInfo]:
        year, kind = widgets.value(self.year), widgets.value(self.kind_filter)
        return [r for r in self.rows if (not year or str(r.effective_from.year) == year)
                and (not kind or r.kind == kind)]

    def _fill(self) -> None:
        rows = self.shown_rows()
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            unit = UNIT_TEXT[r.unit].split("（")[0]
            for c, text in enumerate((str(r.effective_from.year), r.kind, r.variant or "—",
                                      f"{r.value} {unit}", f"{r.effective_from:%Y-%m-%d}",
                                      r.source or ("规定默认值（尚未写入标准表）" if r.id is None else ""))):
                self.table.setItem(i, c, QTableWidgetItem(text))

    def form_values(self) -> dict:
        kind = widgets.value(self.kind)
        variants = standards.KINDS[kind][0]
        variant = self.group.text().strip() if variants is None else (widgets.value(self.variant) or "")
        return dict(kind=kind, variant=variant, value=f"{self.value.value():.2f}",
                    unit=widgets.value(self.unit), effective_from=self.effective.date().toPython(),
                    source=self.source.text().strip() or None)

    def add(self) -> None:
        values, ctx = self.form_values(), self.ctx
        self.error.show_message(None)

        def work(_p, _c) -> standards.StandardInfo:  # noqa: ANN001
            with ctx.database.session() as s:
                standards.ensure_seeded(s, ctx.actor)
                return standards.add_standard(s, ctx.actor, **values)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ValidationError):
                self.error.show_message(str(exc))
                return True
            return False

        def done(info: standards.StandardInfo) -> None:
            self.error.setStyleSheet("color: #1b5e20;")
            self.error.show_message(f"已录入：{info.text()}")
            self.refresh()
            ctx.changed.emit("settings")

        self.error.setStyleSheet(widgets.ERROR_STYLE)
        ops.run_op(self, work, label="正在保存……", cancellable=False, on_success=done, on_failure=failed)
