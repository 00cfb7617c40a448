"""The household window's 程序和时限 tab: the steps the next decision needs (done or missing,
with the rule), the case's time limits and tracked tasks (late in red, near in amber), the 公示
with any objection (登记异议, 异议复查), and the 不予确认告知书 of a refused application.
All database work runs through :mod:`ui.ops`."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from app import casestatus, clock, procedure, timelimits
from app.refusal import make_refusal_notice
from app.errors import QingfengError
from ui import correction, dialogs, ops
from ui.context import AppContext
from ui.widgets import FieldError

RED, AMBER, GREEN = "#c62828", "#ef6c00", "#2e7d32"


def _tree(headers: list[str], widths: tuple[int, ...]) -> QTreeWidget:
    t = QTreeWidget()
    t.setHeaderLabels(headers)
    t.setRootIsDecorated(False)
    t.setAlternatingRowColors(True)
    for col, width in enumerate(widths):
        t.setColumnWidth(col, width)
    t.setMinimumHeight(90)
    return t


def _row(tree: QTreeWidget, values: list[object], color: str | None = None) -> QTreeWidgetItem:
    item = QTreeWidgetItem(tree, ["" if v is None else str(v) for v in values])
    if color:
        for col in range(len(values)):
            item.setForeground(col, QBrush(QColor(color)))
    return item


def _section(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: bold; color: #1f3b63; padding-top: 4px;")
    return label


class ProcedureTab(QWidget):
    changed = Signal()  # something was recorded: the window reloads

    def __init__(self, ctx: AppContext, household_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.household_id = ctx, household_id
        self.status: casestatus.CaseStatus | None = None
        self.summary = QLabel("正在读取……")
        self.summary.setWordWrap(True)
        self.error = FieldError()
        self.checks = _tree(["环节", "完成", "日期", "记录或缺少的内容"], (130, 50, 95))
        self.checks.setMinimumHeight(140)
        self.limits = _tree(["时限", "起算日", "到期日", "完成日", "状态", "依据"], (170, 95, 95, 95, 60))
        self.tasks = _tree(["任务", "起算日", "到期日", "说明"], (110, 95, 95))
        self.gongshi = _tree(["公示开始", "期满", "异议日期", "异议", "复查日期"], (95, 95, 95, 200))
        self.objection_button = QPushButton("登记异议……")
        self.resolve_button = QPushButton("异议复查结论……")
        self.notice_button = QPushButton("出具不予确认告知书（PDF）……")
        self.objection_button.clicked.connect(self.record_objection)
        self.resolve_button.clicked.connect(self.resolve_objection)
        self.notice_button.clicked.connect(self.save_notice)
        can_step = ctx.can("household.step")
        for b in (self.objection_button, self.resolve_button):
            b.setEnabled(can_step)
        self.notice_button.setEnabled(False)
        buttons = QHBoxLayout()
        for b in (self.objection_button, self.resolve_button, self.notice_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.error)
        lay.addWidget(_section("审核确认（或终止）前须完成的环节"))
        lay.addWidget(self.checks, 2)
        lay.addWidget(_section("办理时限（红色已超期，橙色 5 天内到期）"))
        lay.addWidget(self.limits, 1)
        lay.addWidget(_section("时限任务（先行救助补办、书面告知、在保必核、县级入户核查）"))
        lay.addWidget(self.tasks, 1)
        lay.addWidget(_section("公示及异议"))
        lay.addWidget(self.gongshi, 1)
        lay.addLayout(buttons)

    def reload(self) -> None:
        database, hid, today = self.ctx.database, self.household_id, clock.today()

        def query() -> casestatus.CaseStatus:
            with database.session(write=False) as s:
                return casestatus.case_status(s, hid, today=today)

        ops.run_query(self, query, on_success=self.show_status)

    def show_status(self, st: casestatus.CaseStatus) -> None:
        self.status = st
        today = clock.today()
        missing = st.missing
        if st.decision is None:
            self.summary.setText(f"状态“{st.status}”：没有待审核确认的事项。")
        elif missing:
            self.summary.setText(f"{st.decision}前还须完成：{'、'.join(missing)}。环节不全的审核确认将被拒绝；"
                                 "紧急情况（先行救助）须审核人书面说明理由，并记为督导检查发现。")
        else:
            self.summary.setText(f"{st.decision}前须完成的环节已全部完成。")
        self.summary.setStyleSheet(f"color: {RED if missing else GREEN};")
        self.checks.clear()
        for c in st.checks:
            _row(self.checks, [c.step, "✓" if c.done else "✗", c.day, c.detail], None if c.done else RED)
        self.limits.clear()
        for lim in st.limits:
            color = RED if lim.state == timelimits.LATE else AMBER if lim.state == timelimits.NEAR else None
            item = _row(self.limits, [lim.rule, lim.start, lim.due, lim.done, lim.state, lim.regulation], color)
            if lim.warning:
                item.setToolTip(2, lim.warning)
        self.tasks.clear()
        for t in st.tasks:
            color = RED if t.late(today) else AMBER if (t.due - today).days <= 5 else None
            item = _row(self.tasks, [t.kind, t.start, t.due, t.note or ""], color)
            if t.warning:
                item.setToolTip(2, t.warning)
        self.gongshi.clear()
        for g in st.gongshi:
            open_objection = g.objection_date is not None and g.resolved is None
            _row(self.gongshi, [g.start, g.end, g.objection_date, g.objection, g.resolved],
                 RED if open_objection else None)
        self.notice_button.setEnabled(st.status == "未通过" and self.ctx.can("export.personal"))

    # -- actions
    def _last_gongshi(self) -> str | None:
        if self.status is None or not self.status.gongshi:
            self.error.show_message("该户没有登记公示环节：请先在“办理环节”中登记公示。")
            return None
        return self.status.gongshi[-1].step_id

    def _write(self, label: str, fn, done_text: str, reason: str | None = None) -> None:  # noqa: ANN001
        ctx = self.ctx

        def work(_p, _c) -> None:  # noqa: ANN001
            with ctx.database.session() as s:
                correction.run(s, ctx.actor, fn, reason)

        def failed(exc: BaseException) -> bool:
            if correction.retry(self, exc, reason, lambda r: self._write(label, fn, done_text, r)):
                return True  # a reported month: saved again as a correction, or nothing saved
            if isinstance(exc, QingfengError):
                self.error.show_message(str(exc))
                return True
            return False

        def ok(_r: object) -> None:
            self.error.show_message(None)
            self.summary.setText(done_text)
            self.changed.emit()

        ops.run_op(self, work, label=label, on_success=ok, on_failure=failed, cancellable=False)

    def record_objection(self) -> None:
        step_id = self._last_gongshi()
        if step_id is None:
            return
        text = dialogs.ask_text(self, "登记异议", "公示期间收到的异议内容（必填；异议日期为今天）：")
        if not (text or "").strip():
            return
        today = clock.today()
        self._write("正在登记异议……", lambda s, a: procedure.record_objection(
            s, a, step_id, day=today, objection=text, today=today), "已登记异议：须在 15 个工作日内复查。")

    def resolve_objection(self) -> None:
        step_id = self._last_gongshi()
        if step_id is None:
            return
        text = dialogs.ask_text(self, "异议复查", "复查结论（必填；复查日期为今天）：")
        if not (text or "").strip():
            return
        today = clock.today()
        self._write("正在登记复查结论……", lambda s, a: procedure.resolve_objection(
            s, a, step_id, day=today, resolution=text, today=today), "已登记异议复查结论。")

    def save_notice(self, path: str | None = None) -> None:
        if path is None:
            path = dialogs.save_file(self, "保存不予确认告知书", str(Path.home() / "不予确认告知书.pdf"),
                                     "PDF 文件 (*.pdf)")
        if not path:
            return
        hid = self.household_id
        self._write("正在生成告知书……", lambda s, a: make_refusal_notice(s, a, hid, Path(path)),
                    f"已生成不予确认告知书：{path}，并登记“告知”环节。")
