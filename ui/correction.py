"""Asking for the reason of a correction: a change to a month already reported to the district
(``app.sync.lock``) is refused with ``PeriodLocked``; the window asks why and saves again as a
correction, which travels in the next package."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import QWidget

from app.errors import PeriodLocked
from app.permissions import Actor
from app.sync import lock
from ui import dialogs

TITLE = "更正已报送月份的数据"


def ask_reason(parent: QWidget | None, exc: PeriodLocked) -> str | None:
    """The reason typed, or None when the clerk cancels or leaves it empty (nothing is saved)."""
    text = dialogs.ask_text(parent, TITLE, f"{exc.value} 的数据已随数据包报送区县并锁定。\n"
                            "这次修改将作为更正保存，并随下一个数据包报送区县。\n请填写更正原因：")
    return (text or "").strip() or None


def run(session, actor: Actor, fn: Callable[[Any, Actor], Any], reason: str | None) -> Any:  # noqa: ANN001
    """``fn(session, actor)``, as a correction of locked months when ``reason`` is given."""
    if reason:
        return lock.as_correction(lambda s: fn(s, actor), actor, reason)(session)
    return fn(session, actor)


def retry(parent: QWidget | None, exc: BaseException, reason: str | None,
          again: Callable[[str], None]) -> bool:
    """After a failed write: when it was refused for a locked month (and no reason was given
    yet), ask the reason and call ``again(reason)``. True when handled (asked, saved again or
    cancelled by the clerk — nothing saved then)."""
    if not isinstance(exc, PeriodLocked) or reason is not None:
        return False
    text = ask_reason(parent, exc)
    if text:
        again(text)
    return True
