"""The one clock of the program: the only module that reads the wall clock.

``app.clock`` is its public face (``today()``, ``now()``, ``frozen()``); ``db`` uses
``utcnow()`` for row timestamps. Rules, reports and tests never read the time anywhere else,
so a frozen clock (tests) or a clock set 18 months ahead (CI under faketime) reaches every rule.
"""
from __future__ import annotations

from datetime import datetime, timezone

_frozen: datetime | None = None  # aware datetime while a test or a caller freezes time


def now_aware() -> datetime:
    """The current moment as an aware datetime in the machine's local zone."""
    if _frozen is not None:
        return _frozen
    return datetime.now().astimezone()


def utcnow() -> datetime:
    """Naive UTC with whole seconds: identical after a round trip through any database."""
    return now_aware().astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)


def freeze(moment: datetime | None) -> datetime | None:
    """Freeze the clock at ``moment`` (naive = local time) or release it with None.

    Returns the previous frozen moment so callers can restore it."""
    global _frozen
    previous = _frozen
    if moment is not None and moment.tzinfo is None:
        moment = moment.astimezone()
    _frozen = moment
    return previous
