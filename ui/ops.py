"""Background work in Anki's style: one helper runs a function off the UI thread.

``run_op(parent, fn, label=..., on_success=...)`` runs ``fn(progress, cancelled)`` on a
QThreadPool worker. A cancellable progress dialog appears only when the work takes longer than
~300 ms; a timer polls the thread-safe :class:`app.jobs.Progress` (the worker never touches a
widget). Failures go to one error dialog, in Chinese. ``run_query`` is the read-only twin
without a dialog.

Database work in ``fn`` opens its own unit of work (``database.session()``); the pool pools a
connection per thread. To make a cancelled write leave nothing behind, call
``app.jobs.raise_if_cancelled(cancelled)`` inside the session scope: it raises and rolls back.
"""
from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Qt, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.errors import BUSY_MESSAGE, QingfengError, is_busy, translate
from app.jobs import Cancelled, Progress
from ui import dialogs

log = logging.getLogger("qingfeng.ui")
SHOW_AFTER_MS = 300
POLL_MS = 100

_pools: dict[str, QThreadPool] = {}
_running: set["Op"] = set()


def pool(name: str = "db") -> QThreadPool:
    """One worker thread per purpose: "db" for changes and slow jobs, "query" for list loads."""
    if name not in _pools:
        p = QThreadPool()
        p.setMaxThreadCount(1)
        p.setExpiryTimeout(-1)
        _pools[name] = p
    return _pools[name]


def wait_idle(msecs: int = 10000) -> bool:
    """Wait until every pool has finished (closing the database, tests)."""
    return all(p.waitForDone(msecs) for p in _pools.values())


def error_text(exc: BaseException) -> tuple[str, str | None]:
    """The Chinese message for an error, and details for the "显示详细信息" part."""
    if isinstance(exc, QingfengError):
        return str(exc), None
    if is_busy(exc):
        return BUSY_MESSAGE, None
    known = translate(exc)  # a damaged page, a full disk, a read-only folder
    if known is not None:
        return str(known), None
    details = getattr(exc, "qf_traceback", None) or "".join(
        traceback.format_exception(type(exc), exc, exc.__traceback__))
    if isinstance(exc, PermissionError):
        return f"没有权限读写该文件或文件夹（{exc.filename or ''}）。请换一个位置，或关闭正在使用该文件的程序（如 Excel）后重试。", details
    if isinstance(exc, OSError):
        return f"读写文件失败：{exc.strerror or exc}。请检查磁盘空间和文件位置后重试。", details
    return ("发生了意外错误，操作没有完成，已保存的数据不受影响。请重试；如果再次出现，"
            "请把“显示详细信息”中的内容发给技术支持。"), details


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    text, details = error_text(exc)
    if details:
        log.error("unexpected error: %s", details)
    dialogs.error(parent, text, details)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable, progress: Progress, cancel: threading.Event):
        super().__init__()
        self.setAutoDelete(False)
        self.fn, self.progress, self.cancel = fn, progress, cancel
        self.signals = _Signals()

    def run(self) -> None:
        try:
            result = self.fn(self.progress, self.cancel.is_set)
        except BaseException as exc:  # reported on the UI thread
            exc.qf_traceback = traceback.format_exc()
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


class Op(QObject):
    """One running job; keeps itself alive until it has reported."""

    def __init__(self, parent: QWidget | None, fn: Callable, *, label: str,
                 on_success: Callable[[Any], None] | None,
                 on_failure: Callable[[BaseException], bool | None] | None,
                 on_cancelled: Callable[[], None] | None, cancellable: bool,
                 show_progress: bool, pool_name: str):
        super().__init__()
        self.parent_widget, self.label = parent, label
        self.on_success, self.on_failure, self.on_cancelled = on_success, on_failure, on_cancelled
        self.cancellable, self.show_progress = cancellable, show_progress
        self.progress, self.cancel_event = Progress(), threading.Event()
        self.dialog: QProgressDialog | None = None
        self.finished = False
        self.task = _Task(fn, self.progress, self.cancel_event)
        self.task.signals.done.connect(self._done, Qt.ConnectionType.QueuedConnection)
        self.task.signals.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self.started_ms = 0
        _running.add(self)
        self.elapsed = 0
        self.timer.start()
        pool(pool_name).start(self.task)

    def cancel(self) -> None:
        self.cancel_event.set()
        if self.dialog is not None:
            self.dialog.setLabelText("正在取消，请稍候……")

    @Slot()
    def _poll(self) -> None:
        self.elapsed += POLL_MS
        if self.finished:
            return
        if self.dialog is None and self.show_progress and self.elapsed >= SHOW_AFTER_MS:
            d = QProgressDialog(self.label, "取消" if self.cancellable else None, 0, 0,
                                self.parent_widget)
            d.setWindowTitle(dialogs.TITLE)
            d.setWindowModality(Qt.WindowModality.WindowModal)
            d.setMinimumDuration(0)
            d.setAutoClose(False)
            d.setAutoReset(False)
            d.setMinimumWidth(380)
            d.canceled.connect(self.cancel)
            self.dialog = d
            d.show()
        if self.dialog is not None and not self.cancel_event.is_set():
            done, total, text = self.progress.snapshot()
            self.dialog.setMaximum(max(total, 0))
            if total:
                self.dialog.setValue(min(done, total))
            if text:
                self.dialog.setLabelText(text)

    def _finish(self) -> None:
        self.finished = True
        self.timer.stop()
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None
        _running.discard(self)

    def _parent_gone(self) -> bool:
        return self.parent_widget is not None and not shiboken6.isValid(self.parent_widget)

    @Slot(object)
    def _done(self, result: object) -> None:
        self._finish()
        if self._parent_gone():
            return
        if self.cancel_event.is_set() and self.on_cancelled is not None:
            self.on_cancelled()
        elif self.on_success is not None:
            self.on_success(result)

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if self._parent_gone():
            log.warning("error after the window closed: %s", exc)
            return
        if isinstance(exc, Cancelled):
            if self.on_cancelled is not None:
                self.on_cancelled()
            return
        if self.on_failure is not None and self.on_failure(exc):
            return
        show_error(self.parent_widget, exc)


def run_op(parent: QWidget | None, fn: Callable[[Progress, Callable[[], bool]], Any], *,
           label: str, on_success: Callable[[Any], None] | None = None,
           on_failure: Callable[[BaseException], bool | None] | None = None,
           on_cancelled: Callable[[], None] | None = None, cancellable: bool = True,
           show_progress: bool = True) -> Op:
    """Run ``fn(progress, cancelled)`` in the database worker. ``on_failure`` returns True when
    it has shown the error itself (e.g. next to a field)."""
    return Op(parent, fn, label=label, on_success=on_success, on_failure=on_failure,
              on_cancelled=on_cancelled, cancellable=cancellable, show_progress=show_progress,
              pool_name="db")


def run_query(parent: QWidget | None, fn: Callable[[], Any], *,
              on_success: Callable[[Any], None] | None = None,
              on_failure: Callable[[BaseException], bool | None] | None = None,
              pool_name: str = "query") -> Op:
    """Read-only twin: ``fn()`` off the UI thread, no progress dialog."""
    return Op(parent, lambda _p, _c: fn(), label="", on_success=on_success,
              on_failure=on_failure, on_cancelled=None, cancellable=False,
              show_progress=False, pool_name=pool_name)


def wait_for(parent: QWidget | None, fn: Callable[[], Any], *, label: str) -> Any:
    """Run ``fn()`` in the database worker and wait for it with the event loop running (the
    progress dialog shows after ~300 ms), for start-up steps whose caller needs the result —
    e.g. unlocking the database. Returns the result or raises what ``fn`` raised."""
    from PySide6.QtCore import QEventLoop

    loop = QEventLoop()
    outcome: dict[str, Any] = {}

    def done(result: Any) -> None:
        outcome["result"] = result
        loop.quit()

    def failed(exc: BaseException) -> bool:
        outcome["error"] = exc
        loop.quit()
        return True  # raised to the caller below, which shows it

    op = run_op(parent, lambda _p, _c: fn(), label=label, on_success=done, on_failure=failed,
                cancellable=False)
    if not op.finished:
        loop.exec()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
