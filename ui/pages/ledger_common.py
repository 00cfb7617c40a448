"""What the three ledger pages share: a table model fed rows, a small form dialog, and the
base page that runs a service in one unit of work and shows refusals in Chinese.

Every service call runs off the UI thread through :mod:`ui.ops` (``LedgerPage.run``); a
refusal (``QingfengError``) is shown beside the refused field of the open form, which stays
open, or in the page's message line and the error dialog (``ui.dialogs.error``).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDateEdit, QDialog,
                               QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QSpinBox, QSplitter, QTableView,
                               QTextBrowser,
                               QVBoxLayout, QWidget)

from app import clock, offices
from app.permissions import Actor, can
from app.errors import BUSY_MESSAGE, PeriodLocked, QingfengError, is_busy
from app.sync import lock
from ui import correction, dialogs, ops, widgets

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
    optional_date, int, bool. ``values()`` returns plain Python values.

    With ``submit``, 确定 calls ``submit(values, form)`` and the form stays open: the page runs
    the service off the UI thread and either closes the form (:meth:`succeeded`) or marks the
    refused field with the message beside it (:meth:`refused`) — nothing typed is lost."""

    def __init__(self, title: str, fields: list[tuple], parent: QWidget | None = None,
                 submit: Callable[[dict, "FormDialog"], Any] | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.submit_to = submit
        self.widgets: dict[str, tuple[str, QWidget]] = {}
        self.labels: dict[str, str] = {}
        self.errors: dict[str, widgets.FieldError] = {}
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
            elif kind == "int":
                w = QSpinBox()
                w.setRange(*(opt or (0, 9999)))
            elif kind == "bool":
                w = QCheckBox()
            else:
                w = QLineEdit(opt or "")
            shown: QWidget = w
            if kind == "optional_date":
                box = QCheckBox("不设")
                shown = QWidget()
                row = QHBoxLayout(shown)
                row.setContentsMargins(0, 0, 0, 0)
                row.addWidget(w)
                row.addWidget(box)
                w.no_date = box
            cell, err = widgets.with_error(shown)
            form.addRow(label, cell)
            self.widgets[key] = (kind, w)
            self.labels[key] = label
            self.errors[key] = err
        self.message = widgets.FieldError()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)

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

    def set_values(self, values: dict) -> None:
        """Fill the form (tests, and a form opened again with what was typed)."""
        for key, value in values.items():
            kind, w = self.widgets[key]
            if kind == "long":
                w.setPlainText(value or "")
            elif kind == "choice":
                widgets.set_combo(w, value)
            elif kind in ("date", "optional_date"):
                if kind == "optional_date":
                    w.no_date.setChecked(value is None)
                if value is not None:
                    w.setDate(QDate(value))
            elif kind == "int":
                w.setValue(int(value))
            elif kind == "bool":
                w.setChecked(bool(value))
            else:
                w.setText(value or "")

    def clear_errors(self) -> None:
        for key, err in self.errors.items():
            err.show_message(None)
            self.widgets[key][1].setStyleSheet("")
        self.message.show_message(None)

    def submit(self) -> None:
        if self.submit_to is None:
            self.accept()
            return
        self.clear_errors()
        self.buttons.setEnabled(False)
        self.submit_to(self.values(), self)

    def field_for(self, name: str) -> str | None:
        """The key of the field a refusal names (``ValidationError.field`` is its Chinese label)."""
        if not name:
            return None
        for key, label in self.labels.items():
            if name == label or label.startswith(name) or name.startswith(label):
                return key
        for key, label in self.labels.items():
            if name in label:
                return key
        return None

    def refused(self, exc: BaseException) -> None:
        """Mark the refused field and say why beside it; the form stays open with its input."""
        self.buttons.setEnabled(True)
        key = self.field_for(getattr(exc, "field", "") or "")
        if key is None:
            self.message.show_message(str(exc))
            return
        self.errors[key].show_message(str(exc))
        w = self.widgets[key][1]
        w.setStyleSheet(FIELD_ERROR_STYLE)
        w.setFocus()

    def succeeded(self) -> None:
        self.buttons.setEnabled(True)
        self.accept()


FIELD_ERROR_STYLE = "border: 1px solid #c62828;"


def ask(parent: QWidget, title: str, fields: list[tuple],
        submit: Callable[[dict, FormDialog], Any]) -> FormDialog:
    """Open a form (window-modal, not blocking); 保存 calls ``submit(values, form)``."""
    dlg = FormDialog(title, fields, parent, submit)
    dlg.open()
    return dlg


class LedgerPage(QWidget):
    """Base of the ledger pages: database, actor, a message line, ``run`` and ``export``.

    Every service call runs off the UI thread through :mod:`ui.ops`; a write reports
    ``changed("ledgers")`` so that 首页 and the lists refresh."""

    title = ""
    export_kind = ""
    changed = Signal(str)

    def __init__(self, database, actor: Actor, parent: QWidget | None = None):  # noqa: ANN001
        super().__init__(parent)
        self.database, self.actor = database, actor
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.detail = QTextBrowser()
        self.detail.setMinimumWidth(300)
        self.pending = 0  # ops started and not yet reported (tests wait for 0)
        self._refresh_seq = 0
        self.wanted: str | None = None  # a row to select once the reloaded rows arrive
        self._emitting = False

    def other_changed(self, what: str) -> None:
        """Another page or window changed data (``AppContext.changed``): reload the rows."""
        if not self._emitting and what in ("ledgers", "households", "all"):
            self.refresh()

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
        self.load_villages()
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

    def load_villages(self) -> None:
        """Fill ``self.village`` (the village filter) off the UI thread."""
        combo = getattr(self, "village", None)
        if combo is None:
            return
        code = self.actor.office_code

        def query(s):  # noqa: ANN001, ANN202
            return offices.list_villages(s, code)

        def fill(names: list[str]) -> None:
            combo.blockSignals(True)
            for name in names:
                combo.addItem(name, name)
            combo.blockSignals(False)

        self.run(query, write=False, then=fill)

    def run(self, fn: Callable, *, done: str | None = None, write: bool = True,  # noqa: ANN201
            then: Callable[[Any], None] | None = None, form: FormDialog | None = None,
            label: str = "正在保存……"):
        """Run ``fn(session)`` in one unit of work off the UI thread. On success: the ``done``
        message, ``form`` closed, the rows reloaded and ``changed`` emitted (writes), then
        ``then(result)``. A refusal (``QingfengError``) is shown beside the field of ``form``
        (which stays open), or in the message line and a dialog. Returns the op."""
        database = self.database

        def work(_p, _c):  # noqa: ANN001, ANN202
            with database.session(write=write) as s:
                return fn(s)

        def ok(result: Any) -> None:
            self.pending -= 1
            if done:
                self.show_message(done)
            if form is not None:
                form.succeeded()
            if write:
                self.refresh()
                self._emitting = True
                try:
                    self.changed.emit("ledgers")
                finally:
                    self._emitting = False
            if then is not None:
                then(result)

        def failed(exc: BaseException) -> bool:
            self.pending -= 1
            if form is not None:
                form.buttons.setEnabled(True)
            if not isinstance(exc, QingfengError) and not is_busy(exc):
                return False  # unexpected: ops shows the one error dialog
            if write and isinstance(exc, PeriodLocked):  # a reported month: ask why, save as a correction
                reason = correction.ask_reason(self, exc)
                if reason:
                    self.run(lock.as_correction(fn, self.actor, reason), done=done, then=then, form=form,
                             label=label)
                    return True
            text = str(exc) if isinstance(exc, QingfengError) else BUSY_MESSAGE
            if form is not None:
                form.refused(exc if isinstance(exc, QingfengError) else QingfengError(text))
                return True
            self.show_message(text, error=True)
            dialogs.error(self, text)
            return True

        self.pending += 1
        if write:
            return ops.run_op(self, work, label=label, on_success=ok, on_failure=failed,
                              cancellable=False)
        return ops.run_query(self, lambda: work(None, None), on_success=ok, on_failure=failed,
                             pool_name="db")

    def load(self, fn: Callable, show: Callable[[Any], None]) -> None:
        """Reload rows with ``fn(session)``; only the latest request's result is shown."""
        self._refresh_seq += 1
        seq = self._refresh_seq

        def latest(rows: Any) -> None:
            if seq == self._refresh_seq:
                show(rows)

        self.run(fn, write=False, then=latest)

    def select_later(self, number: str) -> None:
        """Select ``number`` now if shown, and again when the reloaded rows arrive."""
        self.wanted = number
        self.select(number)

    def reselect(self, current_number: str | None) -> None:
        """After new rows: select the wanted row, else keep the one that was selected."""
        wanted, self.wanted = self.wanted, None
        if wanted is not None and not self.select(wanted):
            self.show_message(f"{wanted} 不在当前筛选结果中，请清除筛选条件后查找。", error=True)
        elif wanted is None and current_number is not None:
            self.select(current_number)

    def select(self, number: str) -> bool:  # pragma: no cover - pages with numbered rows override
        return False

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
        self.message.setText(text)

    def refresh(self) -> None:  # pragma: no cover - each ledger page loads its own rows
        """Reload the table; every ledger page overrides this."""

    def export_filters(self) -> dict:
        return {}

    def export(self, path: str | None = None):  # noqa: ANN201
        from app import offices as off
        from app.ledgers import export as ex

        if path is None:
            default = f"{ex.KINDS[self.export_kind]}-{clock.today():%Y%m%d}.xlsx"
            path = dialogs.save_file(self, "导出到 Excel", default, "Excel 工作簿 (*.xlsx)")
            if not path:
                return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        filters, actor, kind = self.export_filters(), self.actor, self.export_kind
        return self.run(lambda s: ex.export_ledger(s, actor, kind=kind, path=path,
                                                   office_name=off.own_office(s).name, **filters),
                        done=f"已导出到 {path}（文件含个人信息，请妥善保管；已记入审计日志）。",
                        label="正在导出……")


def button(text: str, slot: Callable, enabled: bool = True) -> QPushButton:
    b = QPushButton(text)
    b.clicked.connect(lambda _checked=False: slot())
    b.setEnabled(enabled)
    return b
