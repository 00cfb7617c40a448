"""What the three ledger pages share: a table model fed rows, a small form dialog, and the
base page that runs a service in one unit of work and shows refusals in Chinese.

The ledgers are small (hundreds of rows), so services run directly in ``database.session()``
scopes on the UI thread; a refusal (``QingfengError``) is shown in the page's message line and
in the error dialog (``ui.dialogs.error``, replaceable in tests).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDateEdit, QDialog,
                               QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QSpinBox, QSplitter, QTableView,
                               QTextBrowser,
                               QVBoxLayout, QWidget)

from app import clock, offices
from app.permissions import Actor, can
from db.errors import QingfengError
from ui import dialogs, widgets

ALL = widgets.ALL
LATE_COLOR = QColor("#c62828")
PRIORITY_COLOR = QColor("#e65100")
ERROR_STYLE = "color: #c62828;"
OK_STYLE = "color: #1b5e20;"


def text_of(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class RowsModel(QAbstractTableModel):
    """Rows pushed in with :meth:`set_rows`; a column is (header, getter). Never queries."""

    def __init__(self, columns: list[tuple[str, Callable[[Any], object]]],
                 alert: Callable[[Any], QColor | None] | None = None, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.columns, self.alert, self.rows = columns, alert, []

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int):  # noqa: ANN201
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return text_of(self.columns[index.column()][1](row))
        if role == Qt.ItemDataRole.ForegroundRole and self.alert is not None:
            return self.alert(row)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][0]
        return None


def table(model: QAbstractTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setDefaultSectionSize(26)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def date_edit(value: date | None = None) -> QDateEdit:
    d = QDateEdit()
    d.setCalendarPopup(True)
    d.setDisplayFormat("yyyy-MM-dd")
    d.setDate(QDate(value or clock.today()))
    return d


class FormDialog(QDialog):
    """A form from field specs: (key, label, kind, options). Kinds: text, long, choice, date,
    optional_date, int, bool. ``values()`` returns plain Python values."""

    def __init__(self, title: str, fields: list[tuple], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.widgets: dict[str, tuple[str, QWidget]] = {}
        form = QFormLayout()
        for key, label, kind, *rest in fields:
            opt = rest[0] if rest else None
            if kind == "long":
                w = QPlainTextEdit()
                w.setFixedHeight(70)
            elif kind == "choice":
                w = widgets.combo(list(opt))
            elif kind in ("date", "optional_date"):
                w = date_edit(opt)
                if kind == "optional_date":
                    box = QCheckBox("不设")
                    row = QWidget()
                    lay = QHBoxLayout(row)
                    lay.setContentsMargins(0, 0, 0, 0)
                    lay.addWidget(w)
                    lay.addWidget(box)
                    w.no_date = box
                    form.addRow(label, row)
                    self.widgets[key] = (kind, w)
                    continue
            elif kind == "int":
                w = QSpinBox()
                w.setRange(*(opt or (0, 9999)))
            elif kind == "bool":
                w = QCheckBox()
            else:
                w = QLineEdit(opt or "")
            form.addRow(label, w)
            self.widgets[key] = (kind, w)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)

    def values(self) -> dict:
        out = {}
        for key, (kind, w) in self.widgets.items():
            if kind == "long":
                out[key] = w.toPlainText()
            elif kind == "choice":
                out[key] = widgets.value(w)
            elif kind in ("date", "optional_date"):
                skip = kind == "optional_date" and w.no_date.isChecked()
                out[key] = None if skip else w.date().toPython()
            elif kind == "int":
                out[key] = w.value()
            elif kind == "bool":
                out[key] = w.isChecked()
            else:
                out[key] = w.text()
        return out


def ask(parent: QWidget, title: str, fields: list[tuple]) -> dict | None:
    """Show a form; None when cancelled. Tests replace this function."""
    dlg = FormDialog(title, fields, parent)
    return dlg.values() if dlg.exec() == QDialog.DialogCode.Accepted else None


class LedgerPage(QWidget):
    """Base of the ledger pages: database, actor, a message line, ``run`` and ``export``."""

    title = ""
    export_kind = ""

    def __init__(self, database, actor: Actor, parent: QWidget | None = None):  # noqa: ANN001
        super().__init__(parent)
        self.database, self.actor = database, actor
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.detail = QTextBrowser()
        self.detail.setMinimumWidth(300)

    def assemble(self, filters: list[tuple[str | None, QWidget]], main: QWidget) -> None:
        """Lay the page out: title, filter bar, ``main`` (table and detail), action buttons
        (``self.buttons``) with the count, and the message line; then load the rows."""
        bar = QHBoxLayout()
        for label, w in filters:
            if label:
                bar.addWidget(QLabel(label))
            bar.addWidget(w, 1 if w is getattr(self, "search", None) else 0)
        actions = QHBoxLayout()
        for b in self.buttons.values():
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.count)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"<b style='font-size:15pt;color:#1f3b63'>{self.title}</b>"))
        lay.addLayout(bar)
        lay.addWidget(main, 1)
        lay.addLayout(actions)
        lay.addWidget(self.message)
        self.refresh()

    def detail_split(self) -> QSplitter:
        split = QSplitter()
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        return split

    def can(self, permission: str) -> bool:
        return can(self.actor, permission)

    def villages(self) -> list[str]:
        with self.database.session(write=False) as s:
            return offices.list_villages(s, self.actor.office_code)

    def run(self, fn: Callable, *, done: str | None = None, write: bool = True):  # noqa: ANN201
        """Run ``fn(session)`` in one unit of work; show a refusal in Chinese, return None."""
        try:
            with self.database.session(write=write) as s:
                result = fn(s)
        except QingfengError as exc:
            self.show_message(str(exc), error=True)
            dialogs.error(self, str(exc))
            return None
        if done:
            self.show_message(done)
        if write:
            self.refresh()
        return result

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message.setText(text)

    def refresh(self) -> None:  # pragma: no cover - each ledger page loads its own rows
        """Reload the table; every ledger page overrides this."""

    def export_filters(self) -> dict:
        return {}

    def export(self, path: str | None = None) -> int | None:
        from app import offices as off
        from app.ledgers import export as ex

        if path is None:
            default = f"{ex.KINDS[self.export_kind]}-{clock.today():%Y%m%d}.xlsx"
            path = dialogs.save_file(self, "导出到 Excel", default, "Excel 工作簿 (*.xlsx)")
            if not path:
                return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        filters = self.export_filters()
        return self.run(lambda s: ex.export_ledger(s, self.actor, kind=self.export_kind, path=path,
                                                   office_name=off.own_office(s).name, **filters),
                        done=f"已导出到 {path}（文件含个人信息，请妥善保管；已记入审计日志）。")


def button(text: str, slot: Callable, enabled: bool = True) -> QPushButton:
    b = QPushButton(text)
    b.clicked.connect(lambda _checked=False: slot())
    b.setEnabled(enabled)
    return b
