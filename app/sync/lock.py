"""Period lock: once a month's package is sent, that month's records are locked.

A change to a record dated in a locked month is refused unless it is made inside
:func:`correction` with a reason; the reason is kept as a :class:`PeriodCorrection` record
(audited), which travels in the next package so the district sees the change as a correction.
The check is a ``before_flush`` hook on the dated ledger tables, so every service is covered.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Iterator

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app import audit
from app.errors import ValidationError
from app.permissions import Actor
from db.ledger_models import NearRelative, Petition, Problem, ProblemTransition
from db.models import Office, Step
from db.sync_models import PeriodCorrection, PeriodLock

# the date that places a record in a month
DATED = {Step: ("step", "day"), Problem: ("problem", "found_date"),
         ProblemTransition: ("problem_transition", "day"), Petition: ("petition", "received_date"),
         NearRelative: ("near_relative", "filed_date")}
_LOCKS = "period_locks"
_REASON = "correction_reason"
_PENDING = "corrections_pending"


def lock_period(session: Session, actor: Actor, period: str, package_hash: str) -> None:
    if session.get(PeriodLock, period) is None:
        session.add(PeriodLock(period=period, package_hash=package_hash, username=actor.username))
        session.flush()
        session.info.pop(_LOCKS, None)


def locked_periods(session: Session) -> set[str]:
    if _LOCKS not in session.info:
        session.info[_LOCKS] = set(session.execute(select(PeriodLock.period)).scalars())
    return session.info[_LOCKS]


def is_locked(session: Session, day: date) -> bool:
    return day.strftime("%Y-%m") in locked_periods(session)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:  # noqa: ANN001
    if transaction.parent is None:
        session.info.pop(_LOCKS, None)


@event.listens_for(Session, "before_flush")
def _check_locked(session: Session, _context, _instances) -> None:  # noqa: ANN001
    candidates = [o for o in list(session.new) + list(session.dirty) if type(o) in DATED]
    if not candidates:
        return
    locked = locked_periods(session)
    if not locked:
        return
    own = session.info.get("own_office_code")
    if own is None:
        own = session.execute(select(Office.code).where(Office.is_self.is_(True))).scalar()
        session.info["own_office_code"] = own
    for obj in candidates:
        entity, attr = DATED[type(obj)]
        day = getattr(obj, attr)
        if obj.owner_office != own or day is None:
            continue
        period = day.strftime("%Y-%m")
        if obj in session.dirty and not session.is_modified(obj):
            continue
        if period not in locked:
            continue
        reason = session.info.get(_REASON)
        if not reason:
            raise ValidationError("记录所属月份", period, "该月数据已报送并锁定；修改须作为更正并填写原因")
        session.info.setdefault(_PENDING, []).append((entity, obj, period))


@contextmanager
def correction(session: Session, actor: Actor, reason: str) -> Iterator[None]:
    """Allow changes to locked months inside the block; each becomes an audited correction."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("更正原因", reason, "修改已锁定月份的数据必须填写原因")
    session.info[_REASON] = reason
    try:
        yield
        session.flush()
        pending = session.info.pop(_PENDING, [])
        session.info.pop(_REASON, None)
        seen = set()
        for entity, obj, period in pending:
            if (entity, obj.id) in seen:
                continue
            seen.add((entity, obj.id))
            c = PeriodCorrection(owner_office=obj.owner_office, entity=entity, entity_id=obj.id,
                                 period=period, reason=reason, updated_by=actor.username)
            session.add(c)
            audit.record_change(session, actor, "sync.correction", "correction", c, None)
    finally:
        session.info.pop(_REASON, None)
        session.info.pop(_PENDING, None)
