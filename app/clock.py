"""'Today' for every rule, report and screen.

Nothing in app/, db/ or ui/ reads the wall clock except ``db.clock``; everything asks here.
Reports select records by the date they take effect and take that date from this clock.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from typing import Iterator

from db import clock as _source


def now() -> datetime:
    """Local wall time, naive, to the second (for 'printed at' lines and file names)."""
    return _source.now_aware().replace(tzinfo=None, microsecond=0)


def today() -> date:
    """The local calendar day: the 'today' of every rule and report."""
    return _source.now_aware().date()


def utcnow() -> datetime:
    """Naive UTC with whole seconds, as stored in the database."""
    return _source.utcnow()


@contextmanager
def frozen(when: date | datetime) -> Iterator[None]:
    """Run a block with the clock standing still (tests, reproducible batch runs).

    A date freezes at 09:00 local time on that day."""
    moment = when if isinstance(when, datetime) else datetime(when.year, when.month, when.day, 9)
    previous = _source.freeze(moment)
    try:
        yield
    finally:
        _source.freeze(previous)
