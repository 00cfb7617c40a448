"""首页: what is due and what is late at a glance, registry counts and charts.

Everything comes from one background query (:func:`app.dashboard.home_data`) returning a plain
dataclass; the page never blocks. A reminder row opens the page that handles it
(``openRequested(target, ref)``: "问题台账"/"信访举报" with a number, "household" with an id,
"报表打印").
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QScrollArea, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout,
                               QWidget)

from app import codes
from app.dashboard import (DUE_SOON_DAYS, PETITION_SOON_DAYS, RECTIFY_SOON_DAYS, HomeData,
                           home_data)
from app.permissions import ADMIN, REVIEWER
from ui import ops
from ui.charts import BarChart, HBarChart, PieChart
from ui.context import AppContext
from ui.widgets import page_title, stat_card

RED, AMBER, GREEN, BLUE = "#c62828", "#b26a00", "#2e7d32", "#1f3b63"
RED_BG, AMBER_BG, GREEN_BG, BLUE_BG = "#fdecea", "#fff4e0", "#e8f5e9", "#e8eef6"
VALUE_STYLE = "font-size: 20pt; font-weight: bold; color: %s;"


def _table(headers: list[str], stretch: int = 0) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().hide()
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    t.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    t.setAlternatingRowColors(True)
    t.verticalHeader().setDefaultSectionSize(24)
    header = t.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(len(headers) - 1 if stretch < 0 else stretch, QHeaderView.ResizeMode.Stretch)
    return t


def days_text(days_left: int) -> str:
    if days_left < 0:
        return f"逾期 {-days_left} 天"
    if days_left == 0:
        return "今天到期"
    return f"还有 {days_left} 天"


class _Click(QObject):
    """Makes a card clickable."""

    def __init__(self, target: QWidget, slot: Callable[[], None]):
        super().__init__(target)
        self.slot = slot
        target.installEventFilter(self)
        target.setCursor(Qt.CursorShape.PointingHandCursor)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.MouseButtonRelease:
            self.slot()
            return True
        return False


class Reminders:
    """One tab of the reminder list: a table whose rows each open a target."""

    def __init__(self, key: str, title: str, headers: list[str], stretch: int, hint: str):
        self.key, self.title = key, title
        self.table = _table(headers, stretch)
        self.targets: list[tuple[str, str]] = []
        self.hint = QLabel(hint)
        self.hint.setStyleSheet("color: #5f6b7a;")
        self.hint.setWordWrap(True)
        self.widget = QWidget()
        lay = QVBoxLayout(self.widget)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.hint)
        lay.addWidget(self.table, 1)

    def fill(self, rows: list[tuple[tuple, str | None, tuple[str, str]]]) -> None:
        """rows: (cells, colour or None, (target, ref))."""
        t = self.table
        t.setRowCount(len(rows))
        self.targets = []
        for r, (cells, color, target) in enumerate(rows):
            self.targets.append(target)
            for c, value in enumerate(cells):
                item = QTableWidgetItem("" if value is None else str(value))
                if color:
                    item.setForeground(QBrush(QColor(color)))
                t.setItem(r, c, item)


class HomePage(QWidget):
    openRequested = Signal(str, str)  # target ("问题台账", "信访举报", "household", "报表打印"), ref

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.data: HomeData | None = None
        self._started = False
        self.approvals_visible = ctx.actor.role in (REVIEWER, ADMIN)
        self.welcome = QLabel(f"{ctx.office.name}（{ctx.office.code}）　欢迎你，{ctx.actor.display_name}")
        self.welcome.setStyleSheet("color: #5f6b7a;")
        self.refresh_button = QPushButton("刷新")
        self.refresh_button.clicked.connect(self.refresh)
        self.updated = QLabel("正在读取……")
        self.updated.setStyleSheet("color: #8a96a3;")

        # 动态管理月报 reminder
        self.report_banner = QLabel("")
        self.report_banner.setWordWrap(True)
        self.report_banner.setTextFormat(Qt.TextFormat.PlainText)
        _Click(self.report_banner, lambda: self.openRequested.emit("报表打印", "动态管理月报"))

        # registry cards (kept from the first 首页) and reminder cards
        self.values: dict[str, QLabel] = {}
        self.notes: dict[str, QLabel] = {}
        cards = QGridLayout()
        cards.setSpacing(8)
        registry = [("households", "在册家庭（户）", "申请中、在保、暂停（同下方图表）"),
                    ("在保", "在保（户）", "正在享受保障"), ("申请中", "申请中（户）", "尚未审核确认"),
                    ("members", "在册人口（人）", "申请中、在保、暂停家庭的成员"),
                    ("due", "复核将到期（户）", f"{DUE_SOON_DAYS} 天内到期的在保家庭"),
                    ("overdue", "复核已逾期（户）", "在保必核：请尽快安排复核")]
        reminders = [("rectify", "整改逾期（个）", f"另有 — 个 {RECTIFY_SOON_DAYS} 天内到期"),
                     ("transfer", "移交纪检监察超期（件）", "发现后 5 个工作日内移交"),
                     ("petition", "信访时限临近（件）", f"{PETITION_SOON_DAYS} 天内到期或已超期"),
                     ("approval", "待审批提议（件）",
                      "纳入、变更和退出须审核人批准" if self.approvals_visible else "审核人、管理员可见"),
                     ("grace", "渐退本月、下月期满（户）", "期满退出须提议并审批")]
        for i, (key, title, note) in enumerate(registry + reminders):
            card, value = stat_card(title, "—", note)
            value.setStyleSheet(VALUE_STYLE % BLUE)
            self.values[key] = value
            labels = card.findChildren(QLabel)
            if note:
                self.notes[key] = labels[-1]
            cards.addWidget(card, i // 6, i % 6)
            tab = {"due": "reviews", "overdue": "reviews"}.get(key, key)
            if key in ("due", "overdue") or i >= len(registry):
                _Click(card, lambda t=tab: self.show_tab(t))

        # reminder tabs
        self.tabs = QTabWidget()
        self.lists: dict[str, Reminders] = {}
        specs = [
            ("rectify", "整改时限", ["问题编号", "问题类别", "村（居）", "责任人", "状态", "整改时限", "剩余"], 1,
             f"未销号问题：红色为已超过整改时限，橙色为 {RECTIFY_SOON_DAYS} 天内到期。双击打开问题台账。"),
            ("transfer", "移交纪检监察", ["问题编号", "问题类别", "发现日期", "应移交日期", "移交日期", "超期", "提示"], 6,
             "问题线索应在发现后 5 个工作日内移交纪检监察机关；以下为未按时移交或移交晚了的。双击打开问题台账。"),
            ("petition", "信访时限", ["信访件编号", "时限", "到期日", "剩余", "渠道", "重点", "说明"], 6,
             f"登记转送 15 日、办结 60 日（可延期一次最多 30 日）、复查复核答复 30 日；"
             f"{PETITION_SOON_DAYS} 天内到期或已超期的。双击打开信访举报台账。"),
            ("reviews", "复核", ["户编号", "户主", "村（居）", "分类", "应复核日期", "剩余"], 1,
             "在保家庭复核（在保必核）。双击打开家庭。"),
            ("approval", "待审批", ["户编号", "户主", "村（居）", "事项", "日期", "提议人"], 3,
             "两人审核：经办人提议、审核人批准。双击打开家庭。"),
            ("grace", "渐退到期", ["户编号", "户主", "村（居）", "渐退原因", "渐退期满", "保持金额（元）"], 3,
             "渐退期在本月或下月期满的家庭：期满退出（提议并审批）或决定不退出。双击打开家庭。"),
            ("case", "办理时限", ["家庭", "村（居）", "时限", "到期日", "剩余", "提示"], 5,
             "审核确认 30 个工作日、不予确认书面告知 3 个工作日、异议复查 15 个工作日、先行救助补办程序、"
             "在保必核等：5 天内到期或已超期的。双击打开家庭。"),
        ]
        for key, title, headers, stretch, hint in specs:
            if key == "approval" and not self.approvals_visible:
                continue
            r = Reminders(key, title, headers, -1, hint)
            r.table.cellDoubleClicked.connect(lambda row, _col, k=key: self.open_row(k, row))
            r.table.activated.connect(lambda index, k=key: self.open_row(k, index.row()))
            self.lists[key] = r
            self.tabs.addTab(r.widget, title)
        self.tabs.setMinimumHeight(250)

        # charts
        self.category_chart = PieChart("在册家庭按保障类别")
        self.village_chart = HBarChart("在册家庭按村（居）", "户")
        self.money_chart = BarChart("近 12 个月保障金（按月）", "元", "#2e7d32", integers=False)
        charts = QHBoxLayout()
        charts.addWidget(self.category_chart, 4)
        charts.addWidget(self.village_chart, 3)
        charts.addWidget(self.money_chart, 4)
        for chart in (self.category_chart, self.village_chart, self.money_chart):
            chart.setMinimumHeight(320)

        # registry tables (kept)
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
            table.setMinimumHeight(200)
            box = QVBoxLayout()
            box.addWidget(self._section(title))
            box.addWidget(table)
            tables.addLayout(box, stretch)

        head = QHBoxLayout()
        head.addWidget(page_title("首页"))
        head.addWidget(self.welcome)
        head.addStretch(1)
        head.addWidget(self.updated)
        head.addWidget(self.refresh_button)
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(0, 0, 6, 0)
        lay.addWidget(self.report_banner)
        lay.addLayout(cards)
        lay.addWidget(self._section("待办提醒"))
        lay.addWidget(self.tabs)
        lay.addWidget(self._section("统计图表"))
        lay.addLayout(charts)
        lay.addWidget(self._section("统计表"))
        lay.addLayout(tables)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(head)
        outer.addWidget(scroll, 1)
        ctx.changed.connect(lambda what: self.refresh() if self._started else None)

    @staticmethod
    def _section(text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet("font-weight: bold; color: #1f3b63; padding-top: 6px;")
        return label

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        # every time: the ledger pages change data without telling the context
        self._started = True
        self.refresh()

    def refresh(self) -> None:
        database, office, visible = self.ctx.database, self.ctx.office.code, self.approvals_visible

        def query() -> HomeData:
            with database.session(write=False) as s:
                return home_data(s, office, approvals_visible=visible)

        ops.run_query(self, query, on_success=self.show_data, pool_name="stats")

    # ---------------------------------------------------------------- navigation

    def show_tab(self, key: str) -> None:
        r = self.lists.get(key)
        if r is not None:
            self.tabs.setCurrentWidget(r.widget)

    def open_row(self, key: str, row: int) -> None:
        r = self.lists[key]
        if 0 <= row < len(r.targets):
            self.openRequested.emit(*r.targets[row])

    # ---------------------------------------------------------------- showing

    def show_data(self, d: HomeData) -> None:
        first = self.data is None
        self.data = d
        self.updated.setText(f"数据截至 {d.today:%Y-%m-%d}")
        self._show_banner(d)
        self._show_counts(d)
        self._show_reminders(d)
        self._show_charts(d)
        if first:  # open on the first list with something in it, red ones first
            keys = list(self.lists)
            busy = [k for k in keys if self.lists[k].table.rowCount()]
            late = [k for k in busy if any(self.lists[k].table.item(r, 0).foreground().color().name() == RED
                                           for r in range(self.lists[k].table.rowCount()))]
            if late or busy:
                self.show_tab((late or busy)[0])

    def _show_banner(self, d: HomeData) -> None:
        m = d.monthly_report
        if m is None:
            self.report_banner.hide()
            return
        late = m.overdue or any(r.overdue for r in d.documents)
        done = m.made_on and all(r.done for r in d.documents)
        color, bg = ((GREEN, GREEN_BG) if done else (RED, RED_BG) if late
                     else (AMBER, AMBER_BG) if m.days_left <= 5 else (BLUE, BLUE_BG))
        self.report_banner.setText("\n".join(["动态管理月报：" + m.text()]
                                             + [f"{r.what}：{r.text}" for r in d.documents]
                                             + ([f"数据比对：{d.check_reminder}"] if d.check_reminder else [])))
        self.report_banner.setStyleSheet(
            f"background: {bg}; color: {color}; border: 1px solid {color}; border-radius: 4px;"
            f" padding: 6px 10px; font-size: 11pt;{' font-weight: bold;' if late else ''}")
        self.report_banner.setToolTip("点击打开“报表打印”")
        self.report_banner.show()

    def _set(self, key: str, value: int | None, *, alarm: bool = False, warn: bool = False) -> None:
        self.values[key].setText("—" if value is None else str(value))
        color = RED if alarm and value else AMBER if warn and value else BLUE
        self.values[key].setStyleSheet(VALUE_STYLE % color)

    def _show_counts(self, d: HomeData) -> None:
        c = d.counts
        self._set("households", c.households)
        self._set("在保", c.by_status.get("在保", 0))
        self._set("申请中", c.by_status.get("申请中", 0))
        self._set("members", c.members_active)
        self._set("due", c.reviews_due, warn=True)
        self._set("overdue", c.reviews_overdue, alarm=True)
        overdue = sum(r.overdue for r in d.rectifications)
        self._set("rectify", overdue, alarm=True)
        self.notes["rectify"].setText(f"另有 {len(d.rectifications) - overdue} 个 {RECTIFY_SOON_DAYS} 天内到期")
        self._set("transfer", len(d.transfers), alarm=True)
        late = sum(p.days_left < 0 for p in d.petitions)
        self._set("petition", len(d.petitions), alarm=bool(late), warn=True)
        self.notes["petition"].setText(f"{PETITION_SOON_DAYS} 天内到期 {len(d.petitions) - late} 件，"
                                       f"已超期 {late} 件")
        self._set("approval", d.proposals_pending, warn=True)
        self._set("grace", len(d.grace_ending), warn=True)
        by_class = "；".join(f"{k} 类 {due + over}（逾期 {over}）" for k, (due, over) in d.reviews_by_class.items())
        self.notes["overdue"].setText(by_class or "在保必核：无逾期")
        statuses = codes.values("statuses")
        self._fill(self.status_table, [(s, c.by_status.get(s, 0)) for s in statuses])
        self._fill(self.category_table, list(c.by_category.items()))
        rows = []
        for village, counts in c.by_village.items():
            rows.append((village, *[counts.get(s, 0) for s in statuses], sum(counts.values())))
        self._fill(self.village_table, rows)

    def _show_reminders(self, d: HomeData) -> None:
        def color(days_left: int) -> str:
            return RED if days_left < 0 else AMBER

        self.lists["rectify"].fill([
            ((r.number, r.category, r.village or "—", r.responsible, r.state, r.deadline,
              days_text(r.days_left)), RED if r.overdue else AMBER, ("问题台账", r.number))
            for r in d.rectifications])
        self.lists["transfer"].fill([
            ((t.number, t.category, t.found_date, t.due_date, t.transferred_date or "未移交",
              f"{t.days_late} 天", t.warning or ""), RED, ("问题台账", t.number))
            for t in d.transfers])
        self.lists["petition"].fill([
            ((p.number, p.limit, p.due, days_text(p.days_left), p.channel, "重点" if p.priority else "",
              p.note), color(p.days_left), ("信访举报", p.number)) for p in d.petitions])
        summary = "；".join(f"{k} 类：逾期 {over} 户，{DUE_SOON_DAYS} 天内到期 {due} 户"
                           for k, (due, over) in d.reviews_by_class.items())
        self.lists["reviews"].hint.setText(
            f"在保家庭复核（在保必核），按分类：{summary or '没有逾期或将到期的复核'}。双击打开家庭。")
        self.lists["reviews"].fill([
            ((r.number, r.head_name, r.village, r.classification, r.next_review_date,
              days_text(r.days_left)), color(r.days_left), ("household", r.household_id))
            for r in d.reviews])
        if "approval" in self.lists:
            self.lists["approval"].fill([
                ((p.number, p.head_name, p.village, p.kind, p.day, p.proposed_by), None,
                 ("household", p.household_id)) for p in d.proposals])
        self.lists["grace"].fill([
            ((g.number, g.head_name, g.village, g.reason, g.end, f"{g.amount:.2f}"),
             RED if g.end < d.today else AMBER, ("household", g.household_id)) for g in d.grace_ending])
        self.lists["case"].fill([
            ((c.household, c.village, c.rule, c.due, days_text(c.days_left), c.warning or ""),
             color(c.days_left), ("household", c.household_id)) for c in d.case_limits])
        counts = {"case": len(d.case_limits), "rectify": len(d.rectifications), "transfer": len(d.transfers),
                  "petition": len(d.petitions), "reviews": d.counts.reviews_due + d.counts.reviews_overdue,
                  "approval": d.proposals_pending or 0, "grace": len(d.grace_ending)}
        alarm = {"case": any(c.days_left < 0 for c in d.case_limits),
                 "rectify": any(r.overdue for r in d.rectifications), "transfer": bool(d.transfers),
                 "petition": any(p.days_left < 0 for p in d.petitions),
                 "reviews": bool(d.counts.reviews_overdue)}
        for i in range(self.tabs.count()):
            key = next(k for k, r in self.lists.items() if r.widget is self.tabs.widget(i))
            self.tabs.setTabText(i, f"{self.lists[key].title}（{counts[key]}）")
            self.tabs.tabBar().setTabTextColor(i, QColor(RED if alarm.get(key) else "#37474f"))

    def _show_charts(self, d: HomeData) -> None:
        c = d.counts
        self.category_chart.set_data(list(c.by_category), list(c.by_category.values()))
        villages = [(v, sum(n for s, n in counts.items() if s in codes.ACTIVE_STATUSES))
                    for v, counts in c.by_village.items()]
        self.village_chart.set_data([v for v, _n in villages], [n for _v, n in villages])
        months = d.money_by_month
        self.money_chart.set_data([str(int(m[5:])) for m, _t in months], [float(t) for _m, t in months],
                                  f"月份（{months[0][0]} 至 {months[-1][0]}）" if months else "")

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(str(value))
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, c, item)

