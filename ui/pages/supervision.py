"""督导检查 page: supervision visits (with their findings in the problem ledger), each village's
公示栏 with its inspections, and the approvals made with steps missing (先行救助) that supervision
should look at. All database work runs through :mod:`ui.ops`."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QPushButton, QTabWidget,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from app import clock, procedure, supervision
from app.ledgers import problems as pr
from app.errors import QingfengError
from ui import correction, ops
from ui.widgets import FieldError, combo, date_edit, page_title, value


def _tree(headers: list[str], widths: tuple[int, ...]) -> QTreeWidget:
    t = QTreeWidget()
    t.setHeaderLabels(headers)
    t.setRootIsDecorated(False)
    t.setAlternatingRowColors(True)
    for col, width in enumerate(widths):
        t.setColumnWidth(col, width)
    return t


class VisitDialog(QDialog):
    """登记督导检查: date, inspectors, methods, households visited, one finding (optional)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("登记督导检查")
        self.day = date_edit(clock.today())
        self.inspectors = QLineEdit()
        self.inspectors.setPlaceholderText("检查人员，用顿号分隔")
        self.unit = QLineEdit()
        self.methods = {m: QCheckBox(m) for m in supervision.METHODS}
        self.households = QLineEdit()
        self.households.setPlaceholderText("检查的家庭：户编号或身份证号，用顿号分隔")
        self.summary = QPlainTextEdit()
        self.summary.setFixedHeight(60)
        self.category = combo(list(pr.CATEGORIES), first="（无问题）")
        self.description = QLineEdit()
        self.responsible = QLineEdit()
        box = QHBoxLayout()
        for cb in self.methods.values():
            box.addWidget(cb)
        form = QFormLayout()
        form.addRow("检查日期", self.day)
        form.addRow("检查人员", self.inspectors)
        form.addRow("检查单位", self.unit)
        form.addRow("检查方式", box)
        form.addRow("检查的家庭", self.households)
        form.addRow("检查情况", self.summary)
        form.addRow("发现的问题（类别）", self.category)
        form.addRow("问题描述", self.description)
        form.addRow("整改责任人", self.responsible)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)

    def values(self) -> dict:
        findings = []
        if value(self.category):
            findings.append(supervision.Finding(value(self.category), self.description.text(),
                                                self.responsible.text()))
        return {"day": self.day.date().toPython(), "inspectors": self.inspectors.text(),
                "unit": self.unit.text() or None,
                "methods": [m for m, cb in self.methods.items() if cb.isChecked()],
                "households": [h for h in self.households.text().replace("，", "、").split("、") if h.strip()],
                "summary": self.summary.toPlainText() or None, "findings": findings}


class BoardDialog(QDialog):
    """登记公示栏检查: village, date, inspector, present/damaged/complete, last update."""

    def __init__(self, villages: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("公示栏检查")
        self.village = combo(villages)
        self.day = date_edit(clock.today())
        self.inspector = QLineEdit()
        self.present = QCheckBox("公示栏在")
        self.present.setChecked(True)
        self.damaged = QCheckBox("破损")
        self.complete = QCheckBox("公示内容齐全（户主姓名、家庭人口、保障类别、保障金额）")
        self.complete.setChecked(True)
        self.last_update = date_edit(clock.today())
        self.visit = QLineEdit()
        self.visit.setPlaceholderText("所属督导检查编号（可不填）")
        form = QFormLayout()
        for label, w in (("村（居）", self.village), ("检查日期", self.day), ("检查人", self.inspector),
                         ("", self.present), ("", self.damaged), ("", self.complete),
                         ("内容最近更新", self.last_update), ("督导检查", self.visit)):
            form.addRow(label, w)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)

    def values(self) -> dict:
        return {"village": value(self.village), "day": self.day.date().toPython(),
                "inspector": self.inspector.text(), "present": self.present.isChecked(),
                "damaged": self.damaged.isChecked(), "items_complete": self.complete.isChecked(),
                "last_update": self.last_update.date().toPython(), "visit": self.visit.text().strip() or None}


class BoardSetDialog(QDialog):
    """登记公示栏: village, person responsible, location."""

    def __init__(self, villages: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("登记公示栏")
        self.village = combo(villages)
        self.responsible = QLineEdit()
        self.location = QLineEdit()
        form = QFormLayout()
        for label, w in (("村（居）", self.village), ("责任人", self.responsible), ("位置", self.location)):
            form.addRow(label, w)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)


class SupervisionPage(QWidget):
    changed = Signal(str)  # findings open problems: 首页 and the 问题台账 refresh

    def __init__(self, database, actor, parent: QWidget | None = None):  # noqa: ANN001
        super().__init__(parent)
        self.database, self.actor = database, actor
        self.loaded = False
        self.message = FieldError()
        self.notice = QLabel()
        self.notice.setStyleSheet("color: #1b5e20;")
        self.visits = _tree(["编号", "日期", "检查人员", "方式", "检查的家庭", "发现的问题", "检查情况"],
                            (110, 90, 150, 160, 200, 140))
        self.boards = _tree(["村（居）", "责任人", "位置", "最近检查", "内容最近更新", "状态"], (90, 90, 120, 90, 100))
        self.findings = _tree(["批准日期", "家庭", "批准人", "缺少的环节", "书面理由", "补办"], (90, 180, 80, 300, 200))
        self.add_visit_button = QPushButton("登记督导检查……")
        self.board_button = QPushButton("登记公示栏……")
        self.board_button.clicked.connect(self.board_dialog)
        self.inspect_button = QPushButton("登记公示栏检查……")
        self.check_button = QPushButton("核查公示栏（不规范的列入问题台账）")
        self.add_visit_button.clicked.connect(self.add_visit_dialog)
        self.inspect_button.clicked.connect(self.inspect_dialog)
        self.check_button.clicked.connect(self.check_boards)
        self.tabs = QTabWidget()
        for widget, title, buttons in ((self.visits, "督导检查记录", [self.add_visit_button]),
                                       (self.boards, "公示栏", [self.board_button, self.inspect_button, self.check_button]),
                                       (self.findings, "先行救助（程序未完成即批准）", [])):
            w = QWidget()
            lay = QVBoxLayout(w)
            row = QHBoxLayout()
            for b in buttons:
                row.addWidget(b)
            row.addStretch(1)
            lay.addLayout(row)
            lay.addWidget(widget)
            self.tabs.addTab(w, title)
        lay = QVBoxLayout(self)
        lay.addWidget(page_title("督导检查"))
        lay.addWidget(QLabel("督导检查的时间、人员、方式、对象和发现的问题；村（居）公示栏的责任人和检查情况；"
                             "发现的问题自动转入问题台账（来源：督导检查；公示栏不规范：公示不规范）。"))
        lay.addWidget(self.message)
        lay.addWidget(self.notice)
        lay.addWidget(self.tabs, 1)

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        if not self.loaded:
            self.refresh()

    def other_changed(self, what: str) -> None:
        """Another page changed data (``AppContext.changed``): reload once shown."""
        if self.loaded and what in ("ledgers", "households", "all"):
            self.refresh()

    def refresh(self) -> None:
        database, today = self.database, clock.today()

        def query():  # noqa: ANN202
            with database.session(write=False) as s:
                return (supervision.list_visits(s), supervision.board_status(s, today=today),
                        procedure.overrides(s))

        ops.run_query(self, query, on_success=self.show_data)

    def show_data(self, data) -> None:  # noqa: ANN001
        visits, boards, overrides = data
        self.villages = [b.village for b in boards]
        self.visits.clear()
        for v in visits:
            QTreeWidgetItem(self.visits, [v.number, str(v.day), v.inspectors, "、".join(v.methods),
                                          "、".join(v.households), "、".join(v.problems) or "无", v.summary or ""])
        self.boards.clear()
        for b in boards:
            QTreeWidgetItem(self.boards, [b.village, b.responsible or "—", b.location or "",
                                          str(b.last_inspection or "未检查"), str(b.last_update or ""),
                                          "；".join(b.faults) or "规范"])
        self.findings.clear()
        for o in overrides:
            QTreeWidgetItem(self.findings, [str(o.day), o.household, o.approved_by, o.missing, o.reason,
                                            "已补办" if o.completed else "未补办"])
        self.loaded = True

    def _write(self, label: str, fn, done: str, reason: str | None = None) -> None:  # noqa: ANN001
        database, actor = self.database, self.actor

        def work(_p, _c):  # noqa: ANN001, ANN202
            with database.session() as s:
                return correction.run(s, actor, fn, reason)

        def failed(exc: BaseException) -> bool:
            if correction.retry(self, exc, reason, lambda r: self._write(label, fn, done, r)):
                return True  # a reported month: saved again as a correction, or nothing saved
            if isinstance(exc, QingfengError):
                self.message.show_message(str(exc))
                return True
            return False

        def ok(_r: object) -> None:
            self.message.show_message(None)
            self.notice.setText(done)
            self.refresh()
            self.changed.emit("ledgers")

        ops.run_op(self, work, label=label, on_success=ok, on_failure=failed, cancellable=False)

    def add_visit(self, values: dict) -> None:
        self._write("正在登记……", lambda s, a: supervision.record_visit(s, a, **values), "已登记督导检查。")

    def add_visit_dialog(self) -> None:
        dlg = VisitDialog(self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.add_visit(dlg.values())

    def inspect(self, values: dict) -> None:
        self._write("正在登记……", lambda s, a: supervision.inspect_board(s, a, **values), "已登记公示栏检查。")

    def inspect_dialog(self) -> None:
        dlg = BoardDialog(getattr(self, "villages", []), self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.inspect(dlg.values())

    def set_board(self, village: str, responsible: str, location: str | None = None) -> None:
        self._write("正在登记……", lambda s, a: supervision.set_board(
            s, a, village=village, responsible=responsible, location=location), f"已登记{village}公示栏。")

    def board_dialog(self) -> None:
        dlg = BoardSetDialog(getattr(self, "villages", []), self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.set_board(value(dlg.village), dlg.responsible.text(), dlg.location.text() or None)

    def check_boards(self) -> None:
        self._write("正在核查……", lambda s, a: supervision.check_boards(s, a), "已核查公示栏。")

