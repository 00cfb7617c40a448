"""Long jobs without Qt: a thread-safe progress value and the cancel token's exception.

A job is a plain function ``fn(progress, cancelled)``: it reports through :class:`Progress`
and calls :func:`raise_if_cancelled` regularly *inside* its unit of work, so that a cancelled
write raises, the session rolls back and nothing is half written. The GUI polls the progress
with a timer (the worker never touches a widget); the CLI may print it.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from db.errors import QingfengError


class Cancelled(QingfengError):
    """The user cancelled a job; its unit of work was rolled back."""

    exit_code = 15

    def __init__(self, message: str = "操作已取消，未作任何改动。"):
        super().__init__(message)


class Progress:
    """Done/total/label shared between a worker and the thread that shows it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done = 0
        self._total = 0
        self._label: str | None = None

    def update(self, done: int | None = None, total: int | None = None,
               label: str | None = None) -> None:
        with self._lock:
            if done is not None:
                self._done = int(done)
            if total is not None:
                self._total = int(total)
            if label is not None:
                self._label = label

    def snapshot(self) -> tuple[int, int, str | None]:
        with self._lock:
            return self._done, self._total, self._label


def raise_if_cancelled(cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        raise Cancelled()
