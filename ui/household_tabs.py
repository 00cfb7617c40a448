"""The household window's timeline (办理环节) and audit (修改记录) tabs, and the status dialog."""
from __future__ import annotations

from datetime import date, timezone

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from app import clock, codes
from app.history import HistoryEntry
from app import households as hs
from app.households import TRANSITIONS, StepInfo
from ui.widgets import FieldError, combo, date_edit, value, with_error


class StepsTab(QWidget):
    """The case's dated steps, oldest first, and a form to record a new one."""

    recordRequested = Signal(dict)

    def __init__(self, handler: str, *, can_record: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["日期", "环节", "结果", "经办人", "说明"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        for col, width in enumerate((100, 130, 150, 80)):
            self.tree.setColumnWidth(col, width)
        self.kind = combo([k for k in codes.values("step_kinds") if k != "申请"])
        self.day = date_edit()
        self.handler = QLineEdit(handler)
        self.outcome = QLineEdit()
        self.outcome.setPlaceholderText("如：两人入户，已签字")
        self.note = QLineEdit()
        # the structured fields a step needs (app.procedure): shown for its kind only
        self.report_number = QLineEdit()
        self.report_number.setPlaceholderText("核对平台出具的报告编号")
        self.signers = QLineEdit()
        self.signers.setPlaceholderText("至少两名工作人员，用顿号分隔，如：马晓梅、李建军")
        self.attendee = QLineEdit()
        self.attendee.setPlaceholderText("参加评议的乡镇（街道）工作人员姓名")
        self.record_button = QPushButton("登记环节")
        self.record_button.clicked.connect(self._record)
        self.errors: dict[str, FieldError] = {}
        box = QGroupBox("登记新的办理环节")
        form = QFormLayout(box)
        self.rows: dict[str, tuple[QLabel, QWidget]] = {}
        for key, label in (("kind", "环节"), ("day", "办理日期"), ("handler", "经办人"),
                           ("report_number", "核对报告编号"), ("signers", "调查人员签字"),
                           ("attendee", "乡镇参加人员"), ("outcome", "结果"), ("note", "说明")):
            w, err = with_error(getattr(self, key))
            self.errors[key] = err
            self.rows[key] = (QLabel(label), w)
            form.addRow(*self.rows[key])
        form.addRow("", self.record_button)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        box.setEnabled(can_record)
        lay = QHBoxLayout(self)
        lay.addWidget(self.tree, 3)
        lay.addWidget(box, 2)

    def _kind_changed(self) -> None:
        kind = value(self.kind)
        shown = {"report_number": kind in ("家庭经济状况核对", "在保核对"),
                 "signers": kind in ("入户调查", "县级入户核查"), "attendee": kind == "民主评议"}
        for key, visible in shown.items():
            for w in self.rows[key]:
                w.setVisible(visible)

    def set_steps(self, steps: list[StepInfo]) -> None:
        self.tree.clear()
        for s in steps:
            QTreeWidgetItem(self.tree, [s.day.isoformat(), s.kind, s.outcome or "", s.handler,
                                        s.note or ""])
        if steps:
            self.tree.scrollToItem(self.tree.topLevelItem(len(steps) - 1))

    def _record(self) -> None:
        for err in self.errors.values():
            err.show_message(None)
        day = self.day.date().toPython()
        if day > clock.today():
            self.errors["day"].show_message("办理日期不能晚于今天")
            return
        if not self.handler.text().strip():
            self.errors["handler"].show_message("必须填写经办人")
            return
        self.recordRequested.emit({"kind": value(self.kind), "day": day,
                                   "handler": self.handler.text().strip(),
                                   "outcome": self.outcome.text().strip() or None,
                                   "note": self.note.text().strip() or None,
                                   **self._details()})

    def _details(self) -> dict:
        kind = value(self.kind)
        if kind in ("家庭经济状况核对", "在保核对"):
            return {"report_number": self.report_number.text().strip() or None}
        if kind in ("入户调查", "县级入户核查"):
            return {"signers": self.signers.text().strip() or None}
        if kind == "民主评议":
            return {"attendee": self.attendee.text().strip() or None}
        return {}

    def show_service_error(self, field: str, message: str) -> None:
        key = {"办理日期": "day", "经办人": "handler", "环节": "kind", "核对报告编号": "report_number",
               "调查人员签字": "signers", "参加评议的乡镇工作人员": "attendee"}.get(field, "note")
        self.errors[key].show_message(message)

    def recorded(self) -> None:
        for w in (self.outcome, self.note, self.report_number, self.signers, self.attendee):
            w.clear()


class AuditTab(QWidget):
    """Who changed what and when: one line per audit entry, its field changes beneath."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["时间", "操作人", "操作", "对象 / 字段", "修改前", "修改后"])
        for col, width in enumerate((140, 120, 110, 150, 150)):
            self.tree.setColumnWidth(col, width)
        self.tree.setAlternatingRowColors(True)
        note = QLabel("审计日志由程序在每次修改时自动写入，不能修改或删除（时间为本机时间）。")
        note.setStyleSheet("color: #5f6b7a;")
        lay = QVBoxLayout(self)
        lay.addWidget(note)
        lay.addWidget(self.tree)

    def set_entries(self, entries: list[HistoryEntry]) -> None:
        self.tree.clear()
        for e in entries:
            local = e.ts.replace(tzinfo=timezone.utc).astimezone()
            user = e.user_name if e.user_name == e.username else f"{e.user_name}（{e.username}）"
            top = QTreeWidgetItem(self.tree, [f"{local:%Y-%m-%d %H:%M}", user, e.action, e.subject,
                                              "", ""])
            for c in e.changes:
                QTreeWidgetItem(top, ["", "", "", c.label, c.before, c.after])
        self.tree.expandToDepth(0)


class StatusDialog(QDialog):
    """Change of 保障状态: target from TRANSITIONS, date, and a required reason.

    Gated targets (a new grant 申请中→在保, any exit →已退出) are not changed here but submitted
    for review (“提交审核”): offered to whoever may propose, with an effective date that may lie
    ahead. The others are changed directly by whoever holds ``household.status``."""

    def __init__(self, current: str, parent: QWidget | None = None, *, can_status: bool = True,
                 can_propose: bool = False, grant_summary: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("变更保障状态")
        self.setMinimumWidth(460)
        self.current = current
        self.target = QComboBox()
        self.gated: set[str] = set()
        held_back = []
        for s in TRANSITIONS.get(current, ()):
            if hs.is_gated_transition(current, s):
                if can_propose:
                    self.gated.add(s)
                    self.target.addItem(f"{s}（提交审核）", s)
                else:
                    held_back.append(s)
            elif can_status:
                self.target.addItem(s, s)
        self.day = date_edit()
        self.day_label = QLabel("日期")
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText("必填：如 经审核符合条件 / 家庭人均收入高于保障标准 / 死亡")
        self.reason.setFixedHeight(80)
        self.error = FieldError()
        self.gate_note = QLabel()
        self.gate_note.setWordWrap(True)
        self.gate_note.setStyleSheet("color: #8d6e00;")
        self.grant_summary = grant_summary
        form = QFormLayout()
        form.addRow("当前状态", QLabel(current))
        form.addRow("变更为", self.target)
        form.addRow(self.day_label, self.day)
        form.addRow("原因*", self.reason)
        form.addRow("", self.gate_note)
        if held_back:
            note = QLabel(f"变更为“{'”“'.join(held_back)}”须经两人审核：由经办人提交审核、审核人批准后生效，不在此直接变更。")
            note.setWordWrap(True)
            note.setStyleSheet("color: #5f6b7a;")
            form.addRow("", note)
        form.addRow("", self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self.target.currentIndexChanged.connect(lambda _i: self._target_changed())
        self.reason.textChanged.connect(lambda: self.error.show_message(None))
        self._target_changed()

    def is_proposal(self) -> bool:
        return value(self.target) in self.gated

    def select(self, status: str) -> None:
        self.target.setCurrentIndex(max(self.target.findData(status), 0))

    def _target_changed(self) -> None:
        proposal = self.is_proposal()
        self.ok_button.setText("提交审核" if proposal else "确定变更")
        self.day_label.setText("生效日期" if proposal else "日期")
        if proposal:
            what = self.grant_summary if value(self.target) == "在保" and self.grant_summary else ""
            self.gate_note.setText(f"须经审核人批准：提交后由另一名审核人审核，批准后才生效。{what}")
        self.gate_note.setVisible(proposal)

    def values(self) -> dict:
        return {"status": value(self.target), "reason": self.reason.toPlainText().strip(),
                "day": self.day.date().toPython()}

    def try_accept(self) -> None:
        v = self.values()
        if not v["status"]:
            self.error.show_message("当前状态不能再变更（或你的角色不能变更）")
        elif not v["reason"]:
            self.error.show_message("提交审核必须写明理由" if self.is_proposal()
                                    else "变更保障状态必须填写原因")
            self.reason.setFocus()
        elif v["day"] > clock.today() and not self.is_proposal():
            self.error.show_message("日期不能晚于今天")
        else:
            self.accept()
