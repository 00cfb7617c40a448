"""Small shared widgets: inline error labels, Enter-moves-on forms, combos, stat cards."""
from __future__ import annotations

from PySide6.QtCore import QDate, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QComboBox, QDateEdit, QFrame, QLabel,
                               QLineEdit, QVBoxLayout, QWidget)

from app import clock

ALL = "（全部）"
NONE = "（无）"
ERROR_STYLE = "color: #c62828;"


class FieldError(QLabel):
    """A red message under a field; hidden while empty."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.hide()

    def show_message(self, text: str | None) -> None:
        self.setText(text or "")
        self.setVisible(bool(text))


class EnterMovesFocus(QObject):
    """Install on a form: Enter in a line edit, combo, date or spin box moves to the next field."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not event.modifiers() & Qt.KeyboardModifier.ControlModifier \
                and isinstance(obj, (QLineEdit, QComboBox, QAbstractSpinBox)):
            if isinstance(obj, QComboBox) and obj.view().isVisible():
                return False
            tab = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)
            QApplication.sendEvent(obj, tab)
            return True
        return False


def install_enter_moves(form: QWidget) -> EnterMovesFocus:
    f = EnterMovesFocus(form)
    for child in form.findChildren(QWidget):
        if isinstance(child, (QLineEdit, QComboBox, QAbstractSpinBox)):
            child.installEventFilter(f)
    return f


def with_error(widget: QWidget) -> tuple[QWidget, FieldError]:
    """The widget with a FieldError under it, for a QFormLayout row."""
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(2)
    lay.addWidget(widget)
    err = FieldError()
    lay.addWidget(err)
    return box, err


def combo(values: list[str], first: str | None = None, current: str | None = None) -> QComboBox:
    """Items carry their value as data; the "all"/"none" first item carries "" (never None:
    see ui/__init__.py on invalid QVariants). Read it with :func:`value`."""
    c = QComboBox()
    if first is not None:
        c.addItem(first, "")
    for v in values:
        c.addItem(v, v)
    if current is not None:
        set_combo(c, current)
    return c


def value(c: QComboBox) -> str | None:
    """The current item's value, None for the "all"/"none" item or an empty combo."""
    if c.currentIndex() < 0:
        return None
    return c.currentData() or None


def set_combo(c: QComboBox, value: str | None) -> None:
    i = c.findData(value or "")
    if i < 0 and value:
        c.addItem(value, value)
        i = c.count() - 1
    c.setCurrentIndex(max(i, 0))


def date_edit(value=None, *, blank: bool = False) -> QDateEdit:  # noqa: ANN001
    d = QDateEdit()
    d.setCalendarPopup(True)
    d.setDisplayFormat("yyyy-MM-dd")
    d.setDate(QDate(value) if value else QDate(clock.today()))
    return d


def stat_card(title: str, value: str = "—", note: str = "") -> tuple[QFrame, QLabel]:
    f = QFrame()
    f.setObjectName("card")
    f.setStyleSheet("#card { background: #ffffff; border: 1px solid #d7dde5; border-radius: 6px; }")
    lay = QVBoxLayout(f)
    t = QLabel(title)
    t.setStyleSheet("color: #5f6b7a;")
    v = QLabel(value)
    v.setStyleSheet("font-size: 22pt; font-weight: bold; color: #1f3b63;")
    lay.addWidget(t)
    lay.addWidget(v)
    if note:
        n = QLabel(note)
        n.setStyleSheet("color: #8a96a3; font-size: 9pt;")
        n.setWordWrap(True)
        lay.addWidget(n)
    return f, v


def page_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-size: 15pt; font-weight: bold; color: #1f3b63; padding: 4px 0;")
    return label
