"""Ledger figures for the reports: the 自查自纠报告 (figures and the 问题清单 attachment) and
the monthly 专项整治工作台账. Everything is selected by the day it happened (found, rectified,
transferred, received, replied), as of the end of the period or today, whichever is earlier.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.documents.model import ProblemRow
from app.ledgers import petitions as pt
from app.ledgers import problems as pr
from db.ledger_models import Petition, Problem, ProblemTransfer


@dataclass(frozen=True)
class LedgerFigures:
    """What the ledgers say about one period."""

    problems_by_category: dict[str, int] = field(default_factory=dict)
    problems_by_source: dict[str, int] = field(default_factory=dict)
    rectified: int = 0  # of the problems found in the period, rectified by the cut-off day
    closed: int = 0  # of those, 销号 (verified) by the cut-off day
    overdue: int = 0  # still open after the deadline on the cut-off day
    transferred: int = 0  # clues transferred to 纪检监察机关 in the period
    transfers_late: int = 0  # transferred after the due day, or due and not transferred
    petitions_received: int = 0
    petitions_concluded: int = 0  # of those received, replied by the cut-off day
    petitions_overdue: int = 0  # of those received, past a time limit on the cut-off day
    petitions_priority: int = 0  # of those received, marked 重点

    @property
    def problems_found(self) -> int:
        return sum(self.problems_by_category.values())


def cut_off(end: date, today: date) -> date:
    """The day the figures are taken: the end of the period, or today for a running period."""
    return min(end, today)


def _found(session: Session, start: date, end: date) -> list[Problem]:
    return list(session.execute(select(Problem).where(
        Problem.deleted_at.is_(None), Problem.found_date.between(start, end))
        .order_by(Problem.found_date, Problem.number)).scalars())


def _rectified_by(p: Problem, day: date) -> bool:
    return p.rectified_date is not None and p.rectified_date <= day


def _overdue_on(p: Problem, day: date) -> bool:
    return p.deadline is not None and day > p.deadline and not _rectified_by(p, day)


def ledger_figures(session: Session, start: date, end: date, *, today: date) -> LedgerFigures:
    day = cut_off(end, today)
    found = _found(session, start, end)
    by_category: dict[str, int] = {}
    by_source: dict[str, int] = {}
    for p in found:
        by_category[p.category] = by_category.get(p.category, 0) + 1
        by_source[p.source] = by_source.get(p.source, 0) + 1
    transfers = session.execute(select(ProblemTransfer).join(Problem, Problem.id == ProblemTransfer.problem_id)
                                .where(ProblemTransfer.deleted_at.is_(None), Problem.deleted_at.is_(None),
                                       or_(ProblemTransfer.found_date.between(start, day),
                                           ProblemTransfer.transferred_date.between(start, day)))).scalars().all()

    def done(t: ProblemTransfer) -> date | None:
        return t.transferred_date if t.transferred_date and t.transferred_date <= day else None

    in_period = [t for t in transfers if done(t) and done(t) >= start]
    late = [t for t in transfers if pr.transfer_is_late(t.due_date, done(t), day)]
    received = list(session.execute(select(Petition).where(
        Petition.deleted_at.is_(None), Petition.received_date.between(start, end))).scalars())
    infos = pt._infos(session, received, day) if received else []  # noqa: SLF001 - same package
    return LedgerFigures(
        problems_by_category=by_category, problems_by_source=by_source,
        rectified=sum(_rectified_by(p, day) for p in found),
        closed=sum(p.closed_date is not None and p.closed_date <= day for p in found),
        overdue=sum(_overdue_on(p, day) for p in found),
        transferred=len(in_period), transfers_late=len(late),
        petitions_received=len(received),
        petitions_concluded=sum(p.reply_date is not None and p.reply_date <= day for p in received),
        petitions_overdue=sum(i.overdue for i in infos),
        petitions_priority=sum(bool(p.priority) for p in received))


def problem_rows(session: Session, start: date, end: date, *, today: date) -> list[ProblemRow]:
    """The 问题清单: problems found in the period, and older ones still open during it."""
    day = cut_off(end, today)
    stmt = (select(Problem).where(
        Problem.deleted_at.is_(None), Problem.found_date <= end,
        or_(Problem.found_date >= start, Problem.rectified_date.is_(None), Problem.rectified_date >= start))
        .order_by(Problem.found_date, Problem.number))
    transferred = set(session.execute(select(ProblemTransfer.problem_id).where(
        ProblemTransfer.deleted_at.is_(None), ProblemTransfer.transferred_date <= day)).scalars())
    rows = []
    for p in session.execute(stmt).scalars():
        if p.closed_date is not None and p.closed_date <= day:
            status = "已销号"
        elif _rectified_by(p, day):
            status = "已整改"
        else:
            status = "逾期未整改" if _overdue_on(p, day) else "整改中"
        if p.id in transferred:
            status += "、已移交"
        rows.append(ProblemRow(category=p.category, source=p.source, description=p.description,
                               status=status, deadline=p.deadline, responsible=p.responsible))
    return rows
