"""The 救助对象 table: a model fed with blocks of rows, and the loader that fetches them.

The model never queries. It knows the total (so the scroll bar spans the whole list) and holds
a bounded cache of row blocks; when the view asks for a row whose block is missing it shows a
placeholder and emits ``blockNeeded``. The loader runs the paged queries of
:mod:`app.queries` on the query worker and feeds the results back, dropping stale ones
(every new search or sort starts a new generation).
"""
from __future__ import annotations

import time
from collections import OrderedDict
from functools import lru_cache
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal

from app.queries import SORTABLE, TEXT_MATCH_CAP, Filters, HouseholdRow, first_page, list_households
from app import reviews
from ui import ops

BLOCK = 200
MAX_BLOCKS = 60  # 12,000 rows kept at most
COLUMNS = [("number", "户编号"), ("village", "村（居）"), ("head_name", "户主"),
           ("category", "保障类别"), ("status", "保障状态"), ("classification", "分类"),
           ("size", "人口"), ("monthly_amount", "月保障金额"), ("next_review_date", "下次复核")]
RIGHT = {"size", "monthly_amount"}
DISPLAY, ALIGN, FOREGROUND, TOOLTIP, USER = (int(r) for r in (
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.UserRole))
HORIZONTAL = Qt.Orientation.Horizontal
HANDLED_ROLES = frozenset((DISPLAY, ALIGN, FOREGROUND, TOOLTIP, USER))
ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
STATUS_COLORS = {"在保": "#1b5e20", "申请中": "#0d47a1", "暂停": "#e65100", "已退出": "#757575",
                 "未通过": "#757575"}


@lru_cache(maxsize=16)
def _color(name: str):  # noqa: ANN202 - QColor
    from PySide6.QtGui import QColor

    return QColor(name)


def _text(key: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if key == "next_review_date":
        return value.isoformat()
    return str(value)


class HouseholdTableModel(QAbstractTableModel):
    blockNeeded = Signal(int)
    sortRequested = Signal(str, bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.total = 0
        self.generation = 0
        self.blocks: OrderedDict[int, list[HouseholdRow]] = OrderedDict()
        self.requested: set[int] = set()
        self.keys = [k for k, _ in COLUMNS]
        self.today = None

    # -- feeding
    def reset(self, generation: int, total: int, first: list[HouseholdRow]) -> None:
        self.beginResetModel()
        self.generation, self.total = generation, total
        self.blocks.clear()
        self.requested.clear()
        if first:
            self.blocks[0] = first
        self.endResetModel()

    def set_block(self, generation: int, block: int, rows: list[HouseholdRow]) -> None:
        if generation != self.generation:
            return
        self.requested.discard(block)
        self.blocks[block] = rows
        self.blocks.move_to_end(block)
        while len(self.blocks) > MAX_BLOCKS:
            self.blocks.popitem(last=False)
        first = block * BLOCK
        last = min(first + BLOCK, self.total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

    def touch_block(self, block: int) -> None:
        first, last = block * BLOCK, min((block + 1) * BLOCK, self.total) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, 0))

    def row_at(self, row: int) -> HouseholdRow | None:
        rows = self.blocks.get(row // BLOCK)
        if rows is None or row % BLOCK >= len(rows):
            return None
        return rows[row % BLOCK]

    # -- Qt model API
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else self.total

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = DISPLAY) -> object:
        if role == DISPLAY:
            if orientation == HORIZONTAL:
                return COLUMNS[section][1]
            return str(section + 1)
        return None

    def data(self, index: QModelIndex, role: int = DISPLAY) -> object:
        # called for every visible cell and role at each repaint: plain ints, early return
        if role not in HANDLED_ROLES:
            return None
        if role == DISPLAY:
            block = index.row() // BLOCK
            rows = self.blocks.get(block)
            if rows is None:
                if block not in self.requested:
                    self.requested.add(block)
                    self.blockNeeded.emit(block)
                return "……" if index.column() == 0 else ""
            i = index.row() % BLOCK
            if i >= len(rows):
                return ""
            key = self.keys[index.column()]
            if key == "head_name" and rows[i].matched_member:
                return f"{rows[i].head_name}（经成员 {rows[i].matched_member}）"
            return _text(key, getattr(rows[i], key))
        key = self.keys[index.column()]
        if role == ALIGN:
            return ALIGN_RIGHT if key in RIGHT else None
        if role == FOREGROUND:
            if key == "status":
                r = self.row_at(index.row())
                if r is not None:
                    return _color(STATUS_COLORS.get(r.status, "#000000"))
            if key == "next_review_date" and self.today is not None:
                r = self.row_at(index.row())
                if r is not None and reviews.review_overdue(r.status, r.next_review_date, self.today):
                    return _color("#c62828")
            return None
        if role == TOOLTIP:
            if key == "head_name":
                r = self.row_at(index.row())
                if r is not None and r.matched_member:
                    return f"此户因家庭成员“{r.matched_member}”与搜索内容相符而列出"
            return None
        r = self.row_at(index.row())  # USER: the household id
        return r.id if r else None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.keys[column]
        if key in SORTABLE:
            self.sortRequested.emit(key, order == Qt.SortOrder.DescendingOrder)


class HouseholdLoader(QObject):
    """Runs the paged queries for the model on the query worker."""

    loaded = Signal(int, float)  # total, seconds from request to model reset
    failed = Signal(str)

    def __init__(self, database, model: HouseholdTableModel, parent: QObject | None = None):  # noqa: ANN001
        super().__init__(parent)
        self.database, self.model = database, model
        self.filters = Filters()
        self.order, self.descending = "number", False
        self.generation = 0
        self.pending = 0
        self.block_seq = 0  # newest block request; older ones are skipped while dragging
        model.blockNeeded.connect(self.load_block)
        model.sortRequested.connect(self.set_order)

    def set_filters(self, filters: Filters) -> None:
        self.filters = filters
        self.reload()

    def set_order(self, order: str, descending: bool) -> None:
        self.order, self.descending = order, descending
        self.reload()

    @property
    def busy(self) -> bool:
        return self.pending > 0

    def reload(self) -> None:
        self.generation += 1
        gen, filters, order, desc = self.generation, self.filters, self.order, self.descending
        database, started = self.database, time.perf_counter()

        def query() -> tuple[int, list[HouseholdRow]]:
            with database.session(write=False) as s:
                return first_page(s, filters, order=order, descending=desc, limit=BLOCK)

        def done(result: tuple[int, list[HouseholdRow]]) -> None:
            self.pending -= 1
            if gen != self.generation:
                return
            total, first = result
            self.model.reset(gen, min(total, TEXT_MATCH_CAP) if filters.text else total, first)
            self.loaded.emit(total, time.perf_counter() - started)

        self.pending += 1
        ops.run_query(self.model_parent(), query, on_success=done, on_failure=self._failed)

    def load_block(self, block: int) -> None:
        gen, filters, order, desc = self.generation, self.filters, self.order, self.descending
        database = self.database
        if gen != self.model.generation:
            return

        self.block_seq += 1
        seq = self.block_seq

        def query() -> list[HouseholdRow] | None:
            if gen != self.generation or self.block_seq - seq > 4:
                return None  # superseded before it ran (new search, or scrolled past it)
            with database.session(write=False) as s:
                return list_households(s, filters, order=order, descending=desc,
                                       offset=block * BLOCK, limit=BLOCK)

        def done(rows: list[HouseholdRow] | None) -> None:
            self.pending -= 1
            if rows is None:
                self.model.requested.discard(block)
                if gen == self.generation:  # still on screen? the repaint asks again
                    self.model.touch_block(block)
            elif gen == self.generation:
                self.model.set_block(gen, block, rows)

        self.pending += 1
        ops.run_query(self.model_parent(), query, on_success=done, on_failure=self._failed)

    def model_parent(self):  # noqa: ANN201
        return None

    def _failed(self, exc: BaseException) -> bool:
        self.pending -= 1
        self.failed.emit(ops.error_text(exc)[0])
        return True
