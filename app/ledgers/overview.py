"""Ledger figures for the 首页 (dashboard): what is due, what is late, how many in each state."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.ledgers import petitions as pt
from app.ledgers import problems as pr
from app import clock
from db.ledger_models import NearRelative, Official, Petition, Problem


@dataclass(frozen=True)
class RectificationDue:
    problem_id: str
    number: str
    category: str
    village: str | None
    responsible: str
    state: str
    deadline: date
    days_left: int  # negative: overdue by that many days
    overdue: bool


@dataclass(frozen=True)
class TransferDue:
    problem_id: str
    number: str
    category: str
    found_date: date
    due_date: date
    transferred_date: date | None
    days_late: int
    warning: str | None


@dataclass(frozen=True)
class PetitionDue:
    petition_id: str
    number: str
    limit: str  # 登记转送 | 办结 | 复查答复 | 复核答复
    due: date
    days_left: int
    priority: bool
    channel: str


@dataclass(frozen=True)
class LedgerCounts:
    problems: dict[str, int] = field(default_factory=dict)
    problems_overdue: int = 0
    transfers_pending: int = 0
    transfers_late: int = 0
    petitions: dict[str, int] = field(default_factory=dict)
    petitions_priority: int = 0
    petitions_overdue: int = 0
    officials: int = 0
    relatives: int = 0


def rectifications_by_deadline(session: Session, *, today: date | None = None,
                               within_days: int | None = None) -> list[RectificationDue]:
    """Open problems (待整改, 整改中) with a deadline, soonest first; optionally only those due
    within ``within_days`` (overdue ones always included)."""
    today = today or clock.today()
    rows = []
    for p in pr.list_problems(session, today=today):
        if p.state not in pr.OPEN_STATES or p.deadline is None:
            continue
        left = (p.deadline - today).days
        if within_days is None or left <= within_days:
            rows.append(RectificationDue(p.id, p.number, p.category, p.village, p.responsible,
                                         p.state, p.deadline, left, p.overdue))
    return sorted(rows, key=lambda r: (r.deadline, r.number))


def late_transfers(session: Session, *, today: date | None = None) -> list[TransferDue]:
    """移交纪检监察 not done by the due day, or done after it."""
    today = today or clock.today()
    return [TransferDue(p.id, p.number, p.category, p.transfer.found_date, p.transfer.due_date,
                        p.transfer.transferred_date,
                        ((p.transfer.transferred_date or today) - p.transfer.due_date).days,
                        p.transfer.warning)
            for p in pr.late_transfers(session, today=today)]


def petitions_near_limits(session: Session, *, today: date | None = None,
                          within_days: int = 7) -> list[PetitionDue]:
    """Every running time limit of a petition due within ``within_days`` (or already passed)."""
    today = today or clock.today()
    rows = []
    for p in pt.list_petitions(session, today=today):
        d = p.deadlines
        limits = []
        if p.state == pt.OPEN:
            if p.sorted_date is None:
                limits.append(("登记转送", d.sort_due))
            limits.append(("办结", d.conclude_due))
        else:
            if p.review_requested and not p.review_replied:
                limits.append(("复查答复", d.review_answer_due))
            if p.rereview_requested and not p.rereview_replied:
                limits.append(("复核答复", d.rereview_answer_due))
        for name, due in limits:
            left = (due - today).days
            if left <= within_days:
                rows.append(PetitionDue(p.id, p.number, name, due, left, p.priority, p.channel))
    return sorted(rows, key=lambda r: (r.due, r.number))


def counts_by_state(session: Session, *, today: date | None = None) -> LedgerCounts:
    today = today or clock.today()
    problems = dict(session.execute(select(Problem.state, func.count()).where(
        Problem.deleted_at.is_(None)).group_by(Problem.state)).all())
    petitions = dict(session.execute(select(Petition.state, func.count()).where(
        Petition.deleted_at.is_(None)).group_by(Petition.state)).all())
    transfers = [p.transfer for p in pr.list_problems(session, today=today) if p.transfer]
    return LedgerCounts(
        problems={s: problems.get(s, 0) for s in pr.STATES},
        problems_overdue=len(pr.overdue_problems(session, today=today)),
        transfers_pending=sum(t.transferred_date is None for t in transfers),
        transfers_late=sum(t.late for t in transfers),
        petitions={s: petitions.get(s, 0) for s in pt.STATES},
        petitions_priority=session.execute(select(func.count()).select_from(Petition).where(
            Petition.deleted_at.is_(None), Petition.priority.is_(True))).scalar_one(),
        petitions_overdue=len(pt.list_petitions(session, state=pt.OPEN, overdue_only=True, today=today)),
        officials=session.execute(select(func.count()).select_from(Official).where(
            Official.deleted_at.is_(None), Official.active.is_(True))).scalar_one(),
        relatives=session.execute(select(func.count()).select_from(NearRelative).where(
            NearRelative.deleted_at.is_(None))).scalar_one())
