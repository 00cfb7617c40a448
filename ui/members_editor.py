"""Members of a household in an editable table, with the ID number checked as you type."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app import clock, codes
from app.households import MemberInfo
from app.idcard import IdNumberError, validate_id
from ui.widgets import NONE, FieldError, combo, value

NAME, IDNO, GENDER, BIRTH, RELATION, TOGETHER, COVERED, WORK, HEALTH, DISABILITY, PHONE = range(11)
HEADERS = ["姓名*", "身份证号", "性别", "出生日期", "与户主关系*", "共同生活", "保障对象", "劳动能力",
           "健康状况", "残疾情况", "联系电话"]
TEXT_KEYS = {NAME: "name", IDNO: "id_number", HEALTH: "health", DISABILITY: "disability",
             PHONE: "phone"}
BAD = QColor("#ffcdd2")


class MembersEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, editable: bool = True):
        super().__init__(parent)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        for col, width in ((NAME, 80), (IDNO, 170), (GENDER, 40), (BIRTH, 92), (RELATION, 92),
                           (TOGETHER, 64), (COVERED, 64), (WORK, 130), (HEALTH, 80),
                           (DISABILITY, 90)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(PHONE, QHeaderView.ResizeMode.Stretch)
        self.error = FieldError()
        self.add_button = QPushButton("添加成员")
        self.remove_button = QPushButton("移出成员……")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button.clicked.connect(self.remove_current)
        self.add_button.setEnabled(editable)
        self.remove_button.setEnabled(editable)
        if not editable:
            self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.id_errors: dict[int, str] = {}
        self.dup_errors: dict[int, str] = {}
        self.name_errors: dict[int, str] = {}
        self.removed: list[tuple[str, int, str, str, date | None]] = []  # (id, version, name, reason, died)
        self.ask_reason: Callable[[str], str | None] = lambda _name: None
        self.ask_death_date: Callable[[str], date | None] = lambda _name: None
        self.dup_check: Callable[[int, str], None] | None = None
        self._loading = False
        self.table.itemChanged.connect(self._item_changed)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.table)
        lay.addWidget(self.error)
        lay.addLayout(buttons)

    # -- rows
    def add_row(self, m: MemberInfo | None = None) -> int:
        self._loading = True
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, key in TEXT_KEYS.items():
            item = QTableWidgetItem((getattr(m, key) or "") if m else "")
            self.table.setItem(row, col, item)
        meta = self.table.item(row, NAME)
        meta.setData(Qt.ItemDataRole.UserRole, (m.id, m.version) if m else "")
        for col, text in ((GENDER, m.gender if m else ""),
                          (BIRTH, m.birth_date.isoformat() if m and m.birth_date else "")):
            item = QTableWidgetItem(text or "")
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, col, item)
        for col, value in ((TOGETHER, m.lives_together if m else True),
                           (COVERED, m.covered if m else True)):
            item = QTableWidgetItem()
            item.setFlags((item.flags() | Qt.ItemFlag.ItemIsUserCheckable) & ~Qt.ItemFlag.ItemIsEditable)
            item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
            self.table.setItem(row, col, item)
        relation = combo(codes.values("relations"),
                         current=(m.relation if m else ("户主" if row == 0 else "子")))
        work = combo(codes.values("work_abilities"), NONE, current=m.work_ability if m else None)
        relation.currentIndexChanged.connect(lambda _i: self._emit())
        work.currentIndexChanged.connect(lambda _i: self._emit())
        self.table.setCellWidget(row, RELATION, relation)
        self.table.setCellWidget(row, WORK, work)
        self._loading = False
        if m is None:
            self.table.setCurrentCell(row, NAME)
            self._emit()
        return row

    def set_members(self, members: list[MemberInfo]) -> None:
        self.table.setRowCount(0)
        for errors in (self.id_errors, self.dup_errors, self.name_errors):
            errors.clear()
        self.removed.clear()
        for m in members:
            self.add_row(m)
        self.show_errors()

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        meta = self.table.item(row, NAME).data(Qt.ItemDataRole.UserRole)
        name = self.table.item(row, NAME).text()
        if value(self.table.cellWidget(row, RELATION)) == "户主" and meta:
            self.error.show_message("户主不能移出；请先把另一成员设为户主并保存。")
            return
        if meta:
            reason = self.ask_reason(name)
            if not (reason or "").strip():
                return
            died = None
            if "死亡" in reason:
                died = self.ask_death_date(name)
                if died is None:
                    return
            self.removed.append((meta[0], meta[1], name, reason.strip(), died))
        self.table.removeRow(row)
        for errors in (self.id_errors, self.dup_errors, self.name_errors):
            shifted = {r - (r > row): msg for r, msg in errors.items() if r != row}
            errors.clear()
            errors.update(shifted)
        self.show_errors()
        self._emit()

    # -- values
    def rows(self) -> list[dict]:
        out = []
        for row in range(self.table.rowCount()):
            values = {key: self.table.item(row, col).text().strip() or None
                      for col, key in TEXT_KEYS.items()}
            values["relation"] = value(self.table.cellWidget(row, RELATION))
            values["work_ability"] = value(self.table.cellWidget(row, WORK))
            values["lives_together"] = self.table.item(row, TOGETHER).checkState() == Qt.CheckState.Checked
            values["covered"] = self.table.item(row, COVERED).checkState() == Qt.CheckState.Checked
            meta = self.table.item(row, NAME).data(Qt.ItemDataRole.UserRole)
            values["_id"], values["_version"] = meta if meta else (None, None)
            out.append(values)
        return out

    # -- checks
    def _emit(self) -> None:
        if not self._loading:
            self.changed.emit()

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        if item.column() == IDNO:
            self.check_id(item.row())
        elif item.column() == NAME:
            self.check_name(item.row())
        self._emit()

    def _paint_id(self, row: int) -> None:
        self._loading = True
        bad = row in self.id_errors or row in self.dup_errors
        self.table.item(row, IDNO).setBackground(BAD if bad else QColor(0, 0, 0, 0))
        self._loading = False

    def check_id(self, row: int) -> None:
        item = self.table.item(row, IDNO)
        text = item.text().strip()
        gender = birth = ""
        self.dup_errors.pop(row, None)
        self.id_errors.pop(row, None)
        if text:
            try:
                info = validate_id(text, today=clock.today())
            except IdNumberError as exc:
                self.id_errors[row] = f"第 {row + 1} 行身份证号：{exc.rule}"
            else:
                gender, birth = info.gender, info.birth_date.isoformat()
                if self.dup_check is not None:
                    self.dup_check(row, info.number)
        self._loading = True
        self.table.item(row, GENDER).setText(gender)
        self.table.item(row, BIRTH).setText(birth)
        self._loading = False
        self._paint_id(row)
        self.show_errors()

    def check_name(self, row: int) -> None:
        if self.table.item(row, NAME).text().strip():
            self.name_errors.pop(row, None)
        else:
            self.name_errors[row] = f"第 {row + 1} 行：姓名必须填写"
        self.show_errors()

    def set_row_error(self, row: int, message: str | None) -> None:
        """From the duplicate check (another household) run by the window."""
        if row >= self.table.rowCount():
            return
        if message:
            self.dup_errors[row] = f"第 {row + 1} 行：{message}"
        else:
            self.dup_errors.pop(row, None)
        self._paint_id(row)
        self.show_errors()

    @property
    def row_errors(self) -> dict[int, str]:
        merged: dict[int, str] = {}
        for errors in (self.name_errors, self.id_errors, self.dup_errors):
            for row, msg in errors.items():
                merged[row] = (merged[row] + "；" + msg) if row in merged else msg
        return merged

    def show_errors(self, extra: str | None = None) -> None:
        errors = self.row_errors
        lines = [errors[r] for r in sorted(errors)]
        if extra:
            lines.append(extra)
        self.error.show_message("\n".join(lines))

    def check_all(self) -> bool:
        heads = 0
        for row in range(self.table.rowCount()):
            self.check_name(row)
            heads += value(self.table.cellWidget(row, RELATION)) == "户主"
        extra = None
        if self.table.rowCount() == 0:
            extra = "至少要有一名成员（户主）"
        elif heads != 1:
            extra = "每户必须有且只有一名与户主关系为“户主”的成员"
        self.show_errors(extra)
        return not self.row_errors and extra is None
