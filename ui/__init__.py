"""The PySide6 desktop client (calls app/ services only).

Guard against a PySide6 6.12 bug on Python 3.11: every call that returns an *invalid* QVariant
to Python (``QComboBox.currentData()`` on an item without data, ``QModelIndex.data()`` for an
unset role …) drops one reference to ``None`` without taking it. After enough calls ``None``
is deallocated and the interpreter aborts ("none_dealloc"). Our widgets never store None as
item data (see ``ui.widgets.value``); as a second line of defence we hold a million extra
references (8 MB). Python 3.12 makes ``None`` immortal, so the guard is not needed there.
"""
import sys

if sys.version_info < (3, 12):
    _NONE_GUARD = [None] * 1_000_000
