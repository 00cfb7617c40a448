"""Every message box and file prompt goes through here, so tests can replace them.

Call them as ``dialogs.error(...)`` (module attribute), never import the functions directly.
"""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

TITLE = "清风台账"


def error(parent: QWidget | None, text: str, details: str | None = None) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, TITLE, text, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.exec()


def info(parent: QWidget | None, text: str) -> None:
    QMessageBox.information(parent, TITLE, text)


def confirm(parent: QWidget | None, text: str) -> bool:
    answer = QMessageBox.question(parent, TITLE, text,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value if ok else None


def ask_password(parent: QWidget | None, title: str, label: str) -> str | None:
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Password)
    return value if ok else None


def save_file(parent: QWidget | None, title: str, default: str, filters: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, default, filters)
    return path or None


def open_file(parent: QWidget | None, title: str, start: str, filters: str) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, start, filters)
    return path or None


def open_files(parent: QWidget | None, title: str, start: str, filters: str) -> list[str]:
    paths, _ = QFileDialog.getOpenFileNames(parent, title, start, filters)
    return list(paths)


def open_path(path: str) -> None:
    """Open a file (e.g. a PDF to print) with the system's program."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl.fromLocalFile(path))
