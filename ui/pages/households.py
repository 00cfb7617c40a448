"""救助对象 page: search as you type, filters, server-side sorting, export of the view."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QTableView, QVBoxLayout, QWidget)

from app import clock, codes, offices, search
from app.queries import TEXT_MATCH_CAP, Filters
from ui import dialogs, ops
from ui.context import AppContext
from ui.household_model import COLUMNS, HouseholdLoader, HouseholdTableModel
from ui.widgets import ALL, combo, page_title, value

DEBOUNCE_MS = 150


class SearchKeys(QObject):
    """Keys of the search box and the list: Down/Esc in the box, Enter/Esc in the list."""

    def __init__(self, page: "HouseholdsPage"):
        super().__init__(page)
        self.page = page

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key, page = event.key(), self.page
        if obj is page.search and key == Qt.Key.Key_Down:
            page.enter_list()
            return True
        if key == Qt.Key.Key_Escape:
            page.escape_pressed()
            return True
        if obj is page.table and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            page.open_current()
            return True
        return False


class HouseholdsPage(QWidget):
    openRequested = Signal(str)
    newRequested = Signal()
    pageRequested = Signal(str)  # e.g. "数据交换" from the empty-database guide

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = HouseholdTableModel(self)
        self.model.today = clock.today()
        self.loader = HouseholdLoader(ctx.database, self.model, self)
        self.loader.loaded.connect(self._loaded)
        self.loader.failed.connect(lambda text: self.count_label.setText(f"查询失败：{text}"))
        self.last_load_seconds = 0.0
        self._started = False

        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索：姓名、拼音首字母（如 zs）、全拼、身份证号、村名、户编号")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(320)
        self.village = combo([], ALL)
        self.category = combo(codes.values("categories"), ALL)
        self.status = combo(codes.values("statuses"), ALL)
        self.classification = combo(codes.values("classifications"), ALL)
        self.count_label = QLabel("正在查询……")
        self.count_label.setStyleSheet("font-weight: bold; color: #1f3b63;")
        self.new_button = QPushButton("新增家庭（Ctrl+N）")
        self.open_button = QPushButton("打开")
        self.export_button = QPushButton("导出 Excel")
        self.recalc_button = QPushButton("标准调整测算")
        self.recalc_button.setToolTip("新的保障标准开始执行时：按新标准重算在保家庭的金额，生成待审核的调整提议")
        self.recalc_button.clicked.connect(self.open_recalc)
        self.new_button.setEnabled(ctx.can("household.edit"))
        self.export_button.setEnabled(ctx.can("export.personal"))

        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self.debounce.start())
        self.search.returnPressed.connect(self.enter_pressed)
        self._keys = SearchKeys(self)
        self.search.installEventFilter(self._keys)
        self._open_when_loaded = False
        self._warmed = False
        for c in (self.village, self.category, self.status, self.classification):
            c.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.new_button.clicked.connect(self.newRequested.emit)
        self.open_button.clicked.connect(self.open_current)
        self.export_button.clicked.connect(self.export)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setMinimumWidth(44)
        header = self.table.horizontalHeader()
        widths = {"number": 150, "village": 90, "head_name": 80, "category": 140, "status": 72,
                  "classification": 48, "size": 48, "monthly_amount": 96}
        for i, (key, _label) in enumerate(COLUMNS):
            if key in widths:
                header.resizeSection(i, widths[key])
        header.setStretchLastSection(True)
        self.table.installEventFilter(self._keys)
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.table.activated.connect(lambda index: self._open_row(index.row()))

        top = QHBoxLayout()
        top.addWidget(page_title("救助对象"))
        top.addStretch(1)
        top.addWidget(self.count_label)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        for label, widget in (("村（居）", self.village), ("类别", self.category),
                              ("状态", self.status), ("分类", self.classification)):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        buttons.addWidget(self.recalc_button)
        buttons.addWidget(self.export_button)
        self.empty = self._empty_guide()
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(bar)
        lay.addWidget(self.empty)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)
        ctx.changed.connect(self._changed)

    def _empty_guide(self) -> QWidget:
        """What to do first in an empty database: import a roster, or register a household."""
        box = QWidget()
        box.setObjectName("emptyGuide")
        box.setStyleSheet("#emptyGuide { background: #eef3f8; border: 1px solid #c5d3e3; border-radius: 6px; }")
        text = QLabel("<b style='font-size:12pt;color:#1f3b63'>还没有救助对象。先做这一步：</b><br>"
                      "① 已有花名册（Excel）：到“数据交换”导入，一次建立全部家庭；<br>"
                      "② 逐户登记：点“新增家庭”（Ctrl+N），录入户主和家庭成员。<br>"
                      "<span style='color:#5f6b7a'>村（居）可在“系统设置 › 单位和村（居）”中添加；"
                      "想先熟悉软件，可用演示数据库（qingfeng --demo）。</span>")
        text.setWordWrap(True)
        self.import_button = QPushButton("去导入花名册……")
        self.import_button.clicked.connect(lambda: self.pageRequested.emit("数据交换"))
        first_new = QPushButton("新增家庭（Ctrl+N）")
        first_new.setEnabled(self.ctx.can("household.edit"))
        first_new.clicked.connect(self.newRequested.emit)
        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addWidget(first_new)
        row.addStretch(1)
        lay = QVBoxLayout(box)
        lay.addWidget(text)
        lay.addLayout(row)
        box.hide()
        return box

    # -- loading
    def start(self) -> None:
        """First show: fill the village list and run the first query."""
        if self._started:
            return
        self._started = True
        self._load_villages()
        self.apply_filters()

    def showEvent(self, event) -> None:  # noqa: ANN001, N802
        super().showEvent(event)
        self.start()

    def _load_villages(self) -> None:
        database, office = self.ctx.database, self.ctx.office.code

        def query() -> list[str]:
            with database.session(write=False) as s:
                return offices.list_villages(s, office)

        def done(names: list[str]) -> None:
            current = value(self.village)
            self.village.blockSignals(True)
            self.village.clear()
            self.village.addItem(ALL, "")
            for n in names:
                self.village.addItem(n, n)
            self.village.setCurrentIndex(max(self.village.findData(current or ""), 0))
            self.village.blockSignals(False)

        ops.run_query(self, query, on_success=done)

    def filters(self) -> Filters:
        return Filters(text=self.search.text().strip(), village=value(self.village),
                       category=value(self.category), status=value(self.status),
                       classification=value(self.classification))

    def apply_filters(self) -> None:
        self.debounce.stop()
        self.loader.set_filters(self.filters())

    def refresh(self) -> None:
        self.loader.reload()

    def _loaded(self, total: int, seconds: float) -> None:
        self.last_load_seconds = seconds
        f = self.filters()
        unfiltered = not (f.text or f.village or f.category or f.status or f.classification)
        self.empty.setVisible(total == 0 and unfiltered)
        if not self._warmed:  # the pinyin dictionary, off the UI thread, once the list is shown
            self._warmed = True
            ops.run_query(self, search.warm_up, pool_name="warm")
        if self._open_when_loaded:
            self._open_when_loaded = False
            if total == 1:
                self._open_row(0)
        if total > TEXT_MATCH_CAP:
            self.count_label.setText(f"匹配超过 {TEXT_MATCH_CAP} 户，只列出前 {TEXT_MATCH_CAP} 户，请多输入几个字缩小范围")
        else:
            self.count_label.setText(f"共 {total} 户")

    def _changed(self, what: str) -> None:
        if not self._started:
            return
        if what in ("households", "all"):
            self.refresh()
        if what in ("office", "all"):
            self._load_villages()

    # -- keyboard: Enter opens, Down enters the list, Esc clears
    def enter_pressed(self) -> None:
        """Enter in the search box: open the selected row, or the only result (once the typed
        text has been searched)."""
        if self.debounce.isActive() or self.loader.pending:
            self._open_when_loaded = True
            self.apply_filters()
            return
        index = self.table.currentIndex()
        if index.isValid() and self.table.selectionModel().isRowSelected(index.row()):
            self._open_row(index.row())
        elif self.model.rowCount() == 1:
            self._open_row(0)
        elif self.model.rowCount() > 1:
            self.enter_list()

    def enter_list(self) -> None:
        """Down from the search box: into the list, on the first row when none is selected."""
        if self.model.rowCount() == 0:
            return
        self.table.setFocus()
        if not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def escape_pressed(self) -> None:
        if self.search.text():
            self.search.clear()
        self.search.setFocus()

    # -- actions
    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _open_row(self, row: int) -> None:
        r = self.model.row_at(row)
        if r is not None:
            self.openRequested.emit(r.id)

    def open_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self._open_row(index.row())

    def open_recalc(self):  # noqa: ANN201 - RecalcDialog
        """标准调整测算: preview the recalculation and (clerk) turn it into proposals."""
        from ui.proposal_dialog import RecalcDialog

        dlg = RecalcDialog(self.ctx, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    def export(self) -> None:
        default = str(Path.home() / f"救助对象名单-{clock.today():%Y%m%d}.xlsx")
        path = dialogs.save_file(self, "导出当前列表到 Excel", default, "Excel 工作簿 (*.xlsx)")
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        self.export_to(path)

    def export_to(self, path: str, on_done=None) -> ops.Op:  # noqa: ANN001
        ctx, filters = self.ctx, self.filters()
        order, desc = self.loader.order, self.loader.descending

        def work(progress, cancelled):  # noqa: ANN001, ANN202
            with ctx.database.session() as s:
                from app.export_view import export_households  # openpyxl: load on first export

                return export_households(s, ctx.actor, path=path, filters=filters, order=order,
                                         descending=desc, office_name=ctx.office.name,
                                         progress=progress, cancelled=cancelled)

        def done(n: int) -> None:
            if on_done is not None:
                on_done(n)
            else:
                dialogs.info(self, f"已导出 {n} 户到：\n{path}\n\n文件含个人信息，请妥善保管；本次导出已记入审计日志。")

        return ops.run_op(self, work, label="正在导出 Excel……", on_success=done)
