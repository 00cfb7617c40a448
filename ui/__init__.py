"""The PySide6 desktop client (calls app/ services only).

Guard against a PySide6 6.12 bug on Python 3.11: a call that returns an *invalid* QVariant to
Python (``QComboBox.currentData()`` on an item without data, ``QModelIndex.data()`` for an
unset role …) drops one reference to ``None`` without taking it. After enough calls ``None``
is deallocated and the interpreter aborts ("none_dealloc"), at the latest when it exits. Our
widgets never store None as item data (see ``ui.widgets.value``); as a second line of defence
``None`` is made practically immortal here, as Python 3.12 does for all builds.
"""
import sys

if sys.version_info < (3, 12) and sys.implementation.name == "cpython":
    import ctypes

    ctypes.c_ssize_t.from_address(id(None)).value += 1 << 40
