"""Asking for the reason of a correction: a change to a month already reported to the district
(``app.sync.lock``) is refused with ``PeriodLocked``; the window asks why and saves again as a
correction, which travels in the next package."""
from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.errors import PeriodLocked
from ui import dialogs

TITLE = "更正已报送月份的数据"


def ask_reason(parent: QWidget | None, exc: PeriodLocked) -> str | None:
    """The reason typed, or None when the clerk cancels or leaves it empty (nothing is saved)."""
    text = dialogs.ask_text(parent, TITLE, f"{exc.value} 的数据已随数据包报送区县并锁定。\n"
                            "这次修改将作为更正保存，并随下一个数据包报送区县。\n请填写更正原因：")
    return (text or "").strip() or None
