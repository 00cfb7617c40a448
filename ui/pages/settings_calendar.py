"""系统设置 › 节假日日历: the years the working-day calendar covers and the holidays and 调休
working days of one year; the administrator may add, change or remove a day (audited by
:func:`app.workdays.set_day`). Others see it read-only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from app import clock, workdays
from app.errors import ValidationError
from ui import dialogs, ops
from ui.context import AppContext
from ui.widgets import FieldError, combo, date_edit, set_combo, value

WEEKDAYS = "一二三四五六日"
KIND_LABELS = {"holiday": "放假", "workday": "调休上班"}
EDIT_KINDS = [("holiday", "放假（法定节假日，周一至周五）"), ("workday", "调休上班（周六或周日）")]


@dataclass
class CalendarView:
    years: list[int]
    year: int
    covered: bool
    days: list[workdays.DayInfo]
    warning: str | None


class CalendarTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.admin = ctx.can("calendar.edit")
        self.view: CalendarView | None = None
        self.year = combo([str(y) for y in self._default_years([])], current=str(clock.today().year))
        self.year.setMinimumWidth(90)
        self.year.currentIndexChanged.connect(lambda _i: self.refresh())
        self.covered = QLabel("已录入年度：—")
        self.covered.setWordWrap(True)
        self.covered.setStyleSheet("color: #5f6b7a;")
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #c62828; background: #fdecea; border: 1px solid #c62828;"
                                   " border-radius: 4px; padding: 6px;")
        self.warning.hide()
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["日期", "星期", "类型", "名称", "来源"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        self.count = QLabel()
        note = QLabel("工作日 = 周一至周五，扣除法定节假日，加上调休上班的周六、周日。移交纪检监察等按工作日"
                      "计算的期限都用这份日历。未录入的年度只按周末计算，相关期限会显示提醒，请及时按国务院"
                      "办公厅当年的放假安排补录。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #5f6b7a;")

        # the administrator's form
        self.day = date_edit()
        self.kind = QComboBox()
        for key, label in EDIT_KINDS:
            self.kind.addItem(label, key)
        self.name = QLineEdit()
        self.name.setPlaceholderText("如：春节、国庆节")
        self.error = FieldError()
        self.saved = QLabel()
        self.saved.setStyleSheet("color: #1b5e20;")
        self.save = QPushButton("保存这一天")
        self.save.clicked.connect(self.save_day)
        self.remove = QPushButton("删除这一天（恢复为按周一至周五）")
        self.remove.clicked.connect(self.remove_day)
        box = QGroupBox("修改日历（管理员）" if self.admin else "修改日历（只有管理员可以修改）")
        form = QFormLayout(box)
        form.addRow("日期", self.day)
        form.addRow("类型", self.kind)
        form.addRow("名称", self.name)
        form.addRow("", self.error)
        form.addRow("", self.saved)
        buttons = QVBoxLayout()
        buttons.addWidget(self.save)
        buttons.addWidget(self.remove)
        form.addRow("", buttons)
        hint = QLabel("在左边选中一天可修改或删除；修改会记入审计日志。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #8a96a3;")
        form.addRow(hint)
        for w in (self.day, self.kind, self.name, self.save, self.remove):
            w.setEnabled(self.admin)

        top = QHBoxLayout()
        top.addWidget(QLabel("年度"))
        top.addWidget(self.year)
        top.addWidget(self.covered, 1)
        left = QVBoxLayout()
        left.addLayout(top)
        left.addWidget(self.warning)
        left.addWidget(self.table, 1)
        left.addWidget(self.count)
        right = QVBoxLayout()
        right.addWidget(box)
        right.addStretch(1)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addLayout(body, 1)

    @staticmethod
    def _default_years(covered: list[int]) -> list[int]:
        this = clock.today().year
        return sorted(set(covered) | {this - 1, this, this + 1})

    def refresh(self) -> None:
        database = self.ctx.database
        year = int(value(self.year) or clock.today().year)

        def query() -> CalendarView:
            with database.session(write=False) as s:
                years = workdays.covered_years(s)
                covered = year in years
                return CalendarView(years, year, covered, workdays.list_days(s, year),
                                    None if covered else workdays.uncovered_warning([year]))

        ops.run_query(self, query, on_success=self._show)

    def _show(self, v: CalendarView) -> None:
        self.view = v
        wanted = [str(y) for y in self._default_years(v.years)]
        if [self.year.itemText(i) for i in range(self.year.count())] != wanted:
            self.year.blockSignals(True)
            self.year.clear()
            for y in wanted:
                self.year.addItem(y, y)
            set_combo(self.year, str(v.year))
            self.year.blockSignals(False)
        self.covered.setText(f"已录入年度：{_ranges(v.years) or '无'}")
        self.warning.setText("" if v.warning is None else "⚠ " + v.warning)
        self.warning.setVisible(v.warning is not None)
        self.table.setRowCount(len(v.days))
        for r, d in enumerate(v.days):
            cells = (d.day.isoformat(), "星期" + WEEKDAYS[d.day.weekday()], KIND_LABELS.get(d.kind, d.kind),
                     d.name or "", d.source or "")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if d.kind == "workday":
                    item.setForeground(QBrush(QColor("#1565c0")))
                elif c == 2:
                    item.setForeground(QBrush(QColor("#c62828")))
                self.table.setItem(r, c, item)
        holidays = sum(d.kind == "holiday" for d in v.days)
        self.count.setText(f"{v.year} 年：放假（工作日内）{holidays} 天，调休上班 {len(v.days) - holidays} 天")
        if self.admin and v.year != self.day.date().year():
            self.day.setDate(QDate(v.year, 1, 1))

    def _selected(self) -> None:
        row = self.table.currentRow()
        if self.view is None or not 0 <= row < len(self.view.days):
            return
        d = self.view.days[row]
        self.day.setDate(QDate(d.day))
        self.kind.setCurrentIndex(max(self.kind.findData(d.kind), 0))
        self.name.setText(d.name or "")
        self.error.show_message(None)

    # ---------------------------------------------------------------- writing

    def save_day(self) -> None:
        self._write(self.kind.currentData(), self.name.text().strip() or None)

    def remove_day(self) -> None:
        day = self.day.date().toPython()
        if not dialogs.confirm(self, f"删除 {day} 的设置，这一天恢复为按周一至周五计算？"):
            return
        self._write("normal", None)

    def _write(self, kind: str, name: str | None) -> None:
        ctx, day = self.ctx, self.day.date().toPython()
        self.error.show_message(None)
        self.saved.clear()

        def work(_p, _c) -> workdays.DayInfo | None:  # noqa: ANN001
            with ctx.database.session() as s:
                return workdays.set_day(s, ctx.actor, day=day, kind=kind, name=name)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ValidationError):
                self.error.show_message(exc.rule)
                return True
            return False

        def done(_info: object) -> None:
            what = "已删除" if kind == "normal" else "已保存"
            self.saved.setText(f"{day} {what}，已记入审计日志。")
            if str(day.year) != value(self.year):
                set_combo(self.year, str(day.year))  # refreshes through the signal
            else:
                self.refresh()
            ctx.changed.emit("calendar")

        ops.run_op(self, work, label="正在保存日历……", on_success=done, on_failure=failed,
                   cancellable=False)


def _ranges(years: list[int]) -> str:
    """2004–2026 style, gaps separated by 、."""
    out: list[list[int]] = []
    for y in sorted(years):
        if out and out[-1][1] == y - 1:
            out[-1][1] = y
        else:
            out.append([y, y])
    return "、".join(f"{a}–{b} 年" if a != b else f"{a} 年" for a, b in out)
