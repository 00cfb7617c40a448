"""Two pairs of eyes (两人审核) in the GUI: the dialog that submits a proposal (effective date and
reason), the banner that shows a household's pending proposal side by side (before → after) with
批准 / 退回 / 撤回 for whoever may do so, and the 标准调整测算 dialog (recalculation after a
standards change, turned into a batch of amount proposals)."""
from __future__ import annotations

from datetime import date, timezone

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFormLayout, QFrame,
                               QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app.assessment.approvals import ProposalInfo
from app import clock
from ui import ops
from ui.context import AppContext
from ui.widgets import FieldError, date_edit

CHANGE_COLORS = {"增发": "#1b5e20", "减发": "#b71c1c", "不变": "#5f6b7a"}


class ProposeDialog(QDialog):
    """Submit a change for review: what changes (before → after), effective date, reason."""

    def __init__(self, title: str, pairs: list[tuple[str, str, str]], parent: QWidget | None = None,
                 *, day: date | None = None, reason: str = "", note: str | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.table = pairs_table(pairs)
        self.day = date_edit(day or clock.today())
        self.reason = QPlainTextEdit(reason)
        self.reason.setPlaceholderText("必填：如 经入户调查和家庭经济状况核对，符合低保条件")
        self.reason.setFixedHeight(80)
        self.error = FieldError()
        self.reason.textChanged.connect(lambda: self.error.show_message(None))
        explain = QLabel(note or "提交后须经另一名审核人批准才生效；批准前该户保持现状，"
                         "提交人可以撤回。")
        explain.setWordWrap(True)
        explain.setStyleSheet("color: #5f6b7a;")
        form = QFormLayout()
        form.addRow("生效日期*", self.day)
        form.addRow("理由*", self.reason)
        form.addRow("", self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("提交审核")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("提交审核的变更（修改前 → 修改后）："))
        lay.addWidget(self.table)
        lay.addLayout(form)
        lay.addWidget(explain)
        lay.addWidget(self.buttons)

    def values(self) -> dict:
        return {"day": self.day.date().toPython(), "reason": self.reason.toPlainText().strip()}

    def try_accept(self) -> None:
        if not self.values()["reason"]:
            self.error.show_message("提交审核必须写明理由")
            self.reason.setFocus()
            return
        self.accept()


def pairs_table(pairs: list[tuple[str, str, str]]) -> QTableWidget:
    """A read-only 项目 | 修改前 | 修改后 table; changed rows in bold."""
    t = QTableWidget(0, 3)
    t.setHorizontalHeaderLabels(["项目", "修改前", "修改后"])
    t.verticalHeader().hide()
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    t.verticalHeader().setDefaultSectionSize(24)
    t.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    t.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    fill_pairs(t, pairs)
    return t


def fill_pairs(t: QTableWidget, pairs: list[tuple[str, str, str]]) -> None:
    t.setRowCount(len(pairs))
    for r, (label, before, after) in enumerate(pairs):
        for c, text in enumerate((label, before or "—", after or "—")):
            item = QTableWidgetItem(text)
            if before != after:
                f = item.font()
                f.setBold(True)
                item.setFont(f)
                if c == 2:
                    item.setForeground(QColor("#0d47a1"))
            t.setItem(r, c, item)
    header = t.horizontalHeader().sizeHint().height()
    t.setFixedHeight(header + 24 * max(len(pairs), 1) + 2 * t.frameWidth() + 2)


class ProposalBanner(QFrame):
    """The household's pending proposal: kind, proposer, date, reason, before → after, and the
    buttons the viewer may use (审核人 not the proposer: 批准 / 退回; the proposer: 撤回)."""

    approveRequested = Signal()
    refuseRequested = Signal()
    withdrawRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("proposalBanner")
        self.setStyleSheet("#proposalBanner { background: #fff8e1; border: 1px solid #ffca28;"
                           " border-radius: 4px; }")
        self.proposal: ProposalInfo | None = None
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; color: #8d6e00;")
        self.title.setWordWrap(True)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.role_note = QLabel()
        self.role_note.setStyleSheet("color: #5f6b7a;")
        self.role_note.setWordWrap(True)
        self.table = pairs_table([])
        self.derivation = QLabel()
        self.derivation.setWordWrap(True)
        self.derivation.setStyleSheet("color: #37474f; font-size: 9pt;")
        self.derivation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.approve_button = QPushButton("批准")
        self.refuse_button = QPushButton("退回……")
        self.withdraw_button = QPushButton("撤回……")
        self.approve_button.setStyleSheet("font-weight: bold;")
        self.approve_button.clicked.connect(self.approveRequested.emit)
        self.refuse_button.clicked.connect(self.refuseRequested.emit)
        self.withdraw_button.clicked.connect(self.withdrawRequested.emit)
        self.error = FieldError()
        self.holder = QVBoxLayout()
        self.holder.setContentsMargins(0, 0, 0, 0)
        self.holder.addWidget(self.table)
        self.holder.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.title)
        left.addWidget(self.detail)
        left.addWidget(self.derivation)
        left.addWidget(self.role_note)
        left.addWidget(self.error)
        buttons = QVBoxLayout()
        for b in (self.approve_button, self.refuse_button, self.withdraw_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay = QHBoxLayout(self)
        lay.addLayout(left, 3)
        lay.addLayout(self.holder, 3)
        lay.addLayout(buttons)
        self.hide()

    def set_proposal(self, p: ProposalInfo | None, *, username: str, can_approve: bool,
                     can_propose: bool) -> None:
        self.proposal = p
        self.error.show_message(None)
        if p is None:
            self.hide()
            return
        # stored in UTC (naive), shown in local time like the audit tab
        local = (p.proposed_at if p.proposed_at.tzinfo else
                 p.proposed_at.replace(tzinfo=timezone.utc)).astimezone()
        self.title.setText(f"待审核提议：{p.kind}（{p.proposed_by} 于 {local:%Y-%m-%d %H:%M} 提出，"
                           f"生效日期 {p.day}）")
        batch = "（标准调整批量提议）" if p.batch_id else ""
        self.detail.setText(f"理由：{p.reason}{batch}")
        self.derivation.setText("测算过程：\n" + "\n".join(p.derivation) if p.derivation else "")
        self.derivation.setVisible(bool(p.derivation))
        fill_pairs(self.table, [(x.label, x.before or "", x.after or "") for x in p.pairs])
        mine = p.proposed_by == username
        self.approve_button.setVisible(can_approve and not mine)
        self.refuse_button.setVisible(can_approve and not mine)
        self.withdraw_button.setVisible(mine and can_propose)
        if mine:
            note = "这是你提出的变更：须由另一名审核人批准；你可以撤回。"
        elif can_approve:
            note = "请核对修改前后的内容：批准后立即生效；退回须写明理由。"
        else:
            note = "须由审核人（非提出人）批准后生效；批准前该户保持现状。"
        self.role_note.setText(note)
        self.show()


class RecalcDialog(QDialog):
    """标准调整测算: households affected by the standards taking effect on a day, old and new
    amount, 增发/减发/不变 or why not recalculated; a clerk turns them into one batch of proposals."""

    proposed = Signal(int)
    HEAD = ["户编号", "村（居）", "户主", "保障类别", "原金额", "新金额", "变化", "说明"]

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.preview = None
        self.busy = False
        self.setWindowTitle("标准调整测算")
        self.resize(940, 560)
        self.day = date_edit(date(clock.today().year, 1, 1))
        self.preview_button = QPushButton("测算")
        self.preview_button.clicked.connect(self.run_preview)
        self.apply_button = QPushButton("生成调整提议")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        if not ctx.can("household.propose"):
            self.apply_button.setToolTip("生成调整提议需要经办人或审核人角色")
        self.changed_label = QLabel("选择新标准开始执行的日期，点“测算”。")
        self.changed_label.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setStyleSheet("font-weight: bold; color: #1f3b63;")
        self.error = FieldError()
        self.result_label = QLabel()
        self.result_label.setStyleSheet("color: #1b5e20; font-weight: bold;")
        self.result_label.setWordWrap(True)
        self.table = QTableWidget(0, len(self.HEAD))
        self.table.setHorizontalHeaderLabels(self.HEAD)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((150, 80, 70, 130, 80, 80, 90)):
            self.table.setColumnWidth(col, width)
        top = QHBoxLayout()
        top.addWidget(QLabel("新标准执行日期"))
        top.addWidget(self.day)
        top.addWidget(self.preview_button)
        top.addStretch(1)
        top.addWidget(self.apply_button)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary)
        bottom.addStretch(1)
        bottom.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.changed_label)
        lay.addWidget(self.error)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.result_label)
        lay.addLayout(bottom)
        self._suggest_day()

    def _suggest_day(self) -> None:
        """Default to the latest day a standard takes effect (the district's newest change)."""
        from app.assessment import standards

        database, initial = self.ctx.database, self.chosen_day()

        def query():  # noqa: ANN202
            with database.session(write=False) as s:
                return max((x.effective_from for x in standards.all_standards(s)), default=None)

        def done(day) -> None:  # noqa: ANN001
            if day is not None and self.chosen_day() == initial and not self.busy:
                self.day.setDate(QDate(day))

        ops.run_query(self, query, on_success=done)

    def chosen_day(self) -> date:
        return self.day.date().toPython()

    def run_preview(self) -> None:
        from app.assessment import recalc

        if self.busy:
            return
        database, day = self.ctx.database, self.chosen_day()
        self.error.show_message(None)
        self.result_label.clear()
        self.apply_button.setEnabled(False)

        def work(_p, _c):  # noqa: ANN001, ANN202
            with database.session(write=False) as s:
                return recalc.preview_recalculation(s, day=day)

        self.busy = True
        ops.run_op(self, work, label="正在按新标准测算……", on_success=self._previewed,
                   on_failure=self._failed, cancellable=False)

    def _failed(self, exc: BaseException) -> bool:
        from app.errors import QingfengError

        self.busy = False
        if isinstance(exc, QingfengError):
            self.error.show_message(str(exc))
            return True
        return False

    def _previewed(self, preview) -> None:  # noqa: ANN001
        self.busy = False
        self.preview = preview
        self.changed_label.setText("开始执行的标准：" + "；".join(preview.changed))
        self.table.setRowCount(len(preview.rows))
        counts: dict[str, int] = {}
        for r, row in enumerate(preview.rows):
            counts[row.change] = counts.get(row.change, 0) + 1
            new = f"{row.new:.2f}" if row.new is not None else "—"
            values = [row.number, row.village, row.head_name, row.category, f"{row.old:.2f}", new,
                      row.change, row.note or ("\n".join(row.lines[-2:]) if row.lines else "")]
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c in (4, 5):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if c == 6:
                    item.setForeground(QColor(CHANGE_COLORS.get(row.change, "#8d6e00")))
                if row.lines:
                    item.setToolTip("\n".join(row.lines))
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()
        self.summary.setText(f"共 {len(preview.rows)} 户：" + "，".join(
            f"{k} {v} 户" for k, v in counts.items()) if preview.rows else "没有受影响的在保家庭。")
        changed = counts.get("增发", 0) + counts.get("减发", 0)
        self.apply_button.setEnabled(bool(changed) and self.ctx.can("household.propose"))

    def apply(self) -> None:
        from app.assessment import recalc

        if self.preview is None or self.busy or not self.ctx.can("household.propose"):
            return
        ctx, day = self.ctx, self.preview.day

        def work(_p, _c):  # noqa: ANN001, ANN202
            with ctx.database.session() as s:
                return recalc.apply_recalculation(s, ctx.actor, day=day)

        def done(batch) -> None:  # noqa: ANN001
            self.busy = False
            n = len(batch.proposals)
            self.result_label.setText(f"已生成 {n} 条金额调整提议（同一批次），待审核人审核批准后生效；"
                                      f"另有 {len(batch.skipped)} 户未生成提议（不变或未重算）。")
            self.apply_button.setEnabled(False)
            ctx.changed.emit("households")
            self.proposed.emit(n)

        self.busy = True
        ops.run_op(self, work, label="正在生成调整提议……", on_success=done, on_failure=self._failed,
                   cancellable=False)
