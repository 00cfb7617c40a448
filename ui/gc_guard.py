"""Garbage collection on the GUI thread only.

Python's cyclic collector runs in whichever thread happens to allocate when a threshold is
crossed. If that is a worker thread (a database query in ``ui.ops``), it may destroy Qt objects
that belong to the GUI thread, and Qt crashes. As Anki does, automatic collection is switched
off and a timer collects on the GUI thread instead.
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 10_000


class GcGuard(QObject):
    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect)
        self.timer.start(interval_ms)

    def collect(self) -> int:
        return gc.collect()


def install(app: QObject) -> GcGuard:
    return GcGuard(app)
