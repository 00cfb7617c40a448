"""首页: registry counts — households by status, category and village, persons, reviews."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QGridLayout, QHBoxLayout, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from app import codes
from app.dashboard import DUE_SOON_DAYS, Dashboard, registry_counts
from ui import ops
from ui.context import AppContext
from ui.widgets import page_title, stat_card


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().hide()
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setAlternatingRowColors(True)
    t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return t


class HomePage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.data: Dashboard | None = None
        self._started = False
        self.welcome = QLabel(f"{ctx.office.name}（{ctx.office.code}）　欢迎你，{ctx.actor.display_name}")
        self.welcome.setStyleSheet("color: #5f6b7a;")
        cards = QGridLayout()
        self.values: dict[str, QLabel] = {}
        for i, (key, title, note) in enumerate([
                ("households", "在册家庭（户）", "不含已删除"),
                ("在保", "在保（户）", "正在享受保障"), ("申请中", "申请中（户）", "尚未审核确认"),
                ("members", "在册人口（人）", "申请中、在保、暂停家庭的成员"),
                ("due", "复核将到期（户）", f"{DUE_SOON_DAYS} 天内到期的在保家庭"),
                ("overdue", "复核已逾期（户）", "在保必核：请尽快安排复核")]):
            card, value = stat_card(title, "—", note)
            self.values[key] = value
            cards.addWidget(card, i // 3, i % 3)
        self.status_table = _table(["保障状态", "户数"])
        self.category_table = _table(["保障类别（在册）", "户数"])
        self.village_table = _table(["村（居）", *codes.values("statuses"), "合计"])
        header = self.village_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        tables = QHBoxLayout()
        for title, table, stretch in (("按状态", self.status_table, 2),
                                      ("按保障类别", self.category_table, 3),
                                      ("按村（居）", self.village_table, 5)):
            box = QVBoxLayout()
            label = QLabel(title)
            label.setStyleSheet("font-weight: bold;")
            box.addWidget(label)
            box.addWidget(table)
            tables.addLayout(box, stretch)
        lay = QVBoxLayout(self)
        lay.addWidget(page_title("首页"))
        lay.addWidget(self.welcome)
        lay.addLayout(cards)
        lay.addLayout(tables, 1)
        ctx.changed.connect(lambda what: self.refresh() if self._started else None)

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        if not self._started:
            self._started = True
            self.refresh()

    def refresh(self) -> None:
        database, office = self.ctx.database, self.ctx.office.code

        def query() -> Dashboard:
            with database.session(write=False) as s:
                return registry_counts(s, office)

        ops.run_query(self, query, on_success=self.show_data, pool_name="stats")

    def show_data(self, d: Dashboard) -> None:
        self.data = d
        self.values["households"].setText(str(d.households))
        self.values["在保"].setText(str(d.by_status.get("在保", 0)))
        self.values["申请中"].setText(str(d.by_status.get("申请中", 0)))
        self.values["members"].setText(str(d.members_active))
        self.values["due"].setText(str(d.reviews_due))
        self.values["overdue"].setText(str(d.reviews_overdue))
        self.values["overdue"].setStyleSheet(
            "font-size: 22pt; font-weight: bold; color: %s;" % ("#c62828" if d.reviews_overdue else "#1f3b63"))
        statuses = codes.values("statuses")
        self._fill(self.status_table, [(s, d.by_status.get(s, 0)) for s in statuses])
        self._fill(self.category_table, list(d.by_category.items()))
        rows = []
        for village, counts in d.by_village.items():
            rows.append((village, *[counts.get(s, 0) for s in statuses], sum(counts.values())))
        self._fill(self.village_table, rows)

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(str(value))
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)
