"""Period lock: once a month's package is sent, that month's records are locked.

A change to a record dated in a locked month (before the day its package was sent: what was
reported) is refused unless a reason is given (:func:`correction`, or ``--correction-reason``
on the command line); the reason is kept as a :class:`PeriodCorrection` record
(audited), which travels in the next package so the district sees the change as a correction.
The check is a ``before_flush`` hook on the dated ledger tables, so every service is covered.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Callable, Iterator, TypeVar

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app import audit, users
from app.errors import PeriodLocked, ValidationError
from app.permissions import Actor
from db.ledger_models import NearRelative, Petition, Problem, ProblemTransition
from db.models import Office, Step
from db.sync_models import PeriodCorrection, PeriodLock

T = TypeVar("T")

# the date that places a record in a month
DATED = {Step: ("step", "day"), Problem: ("problem", "found_date"),
         ProblemTransition: ("problem_transition", "day"), Petition: ("petition", "received_date"),
         NearRelative: ("near_relative", "filed_date")}
_LOCKS = "period_locks"
_REASON = "correction_reason"
_PENDING = "corrections_pending"
_ACTOR = "correction_actor"


def lock_period(session: Session, actor: Actor, period: str, package_hash: str) -> None:
    if session.get(PeriodLock, period) is None:
        session.add(PeriodLock(period=period, package_hash=package_hash, username=actor.username))
        session.flush()
        session.info.pop(_LOCKS, None)


def locked_periods(session: Session) -> dict[str, date]:
    """Locked month -> the day its package was sent."""
    if _LOCKS not in session.info:
        session.info[_LOCKS] = {p: at.date() for p, at in session.execute(
            select(PeriodLock.period, PeriodLock.locked_at))}
    return session.info[_LOCKS]


def is_locked(session: Session, day: date) -> bool:
    """A record dated ``day`` is locked when its month's package has been sent and the day is
    before the sending: it was reported. (What happens later in the same month is new and goes
    into the next package as usual.)"""
    sent = locked_periods(session).get(day.strftime("%Y-%m"))
    return sent is not None and day < sent


_process_reason: str | None = None


def allow_corrections(reason: str | None) -> None:
    """For a whole command-line run (``--correction-reason``): changes to locked months are
    accepted as corrections with this reason."""
    global _process_reason
    _process_reason = (reason or "").strip() or None


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:  # noqa: ANN001
    if transaction.parent is None:
        session.info.pop(_LOCKS, None)
        session.info.pop(_PENDING, None)
        session.info.pop(_ACTOR, None)


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
        if not is_locked(session, day) or (obj in session.dirty and not session.is_modified(obj)):
            continue
        reason = session.info.get(_REASON) or _process_reason
        if not reason:
            raise PeriodLocked("记录所属月份", period, "该月数据已报送并锁定；修改须作为更正并填写原因")
        session.info.setdefault(_PENDING, {})[id(obj)] = (entity, obj, period, reason)


@event.listens_for(Session, "before_commit")
def _write_corrections(session: Session) -> None:
    """Each changed record of a locked month becomes an audited correction (once per commit)."""
    if not session.info.get(_PENDING):
        return
    session.flush()
    pending = session.info.pop(_PENDING, {})
    for entity, obj, period, reason in pending.values():
        actor = session.info.get(_ACTOR) or users.actor_for(session, obj.updated_by)
        c = PeriodCorrection(owner_office=obj.owner_office, entity=entity, entity_id=obj.id,
                             period=period, reason=reason, updated_by=actor.username)
        session.add(c)
        audit.record_change(session, actor, "sync.correction", "correction", c, None)
    session.flush()


@contextmanager
def correction(session: Session, actor: Actor, reason: str) -> Iterator[None]:
    """Allow changes to locked months inside the block; each becomes an audited correction
    (written when the unit of work commits)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("更正原因", reason, "修改已锁定月份的数据必须填写原因")
    session.info[_REASON], session.info[_ACTOR] = reason, actor
    try:
        yield
        session.flush()
    finally:
        session.info.pop(_REASON, None)


def as_correction(fn: Callable[[Session], T], actor: Actor, reason: str) -> Callable[[Session], T]:
    """``fn(session)`` run as a correction of locked months with ``reason`` (the GUI asks for the
    reason after a :class:`~app.errors.PeriodLocked` refusal and saves again with this)."""
    def run(session: Session) -> T:
        with correction(session, actor, reason):
            return fn(session)
    return run
