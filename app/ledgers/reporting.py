"""Ledger figures for the reports: the 自查自纠报告 (figures and the 问题清单 attachment) and
the monthly 专项整治工作台账. Everything is selected by the day it happened (found, rectified,
transferred, received, replied), as of the end of the period or today, whichever is earlier.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app import townships
from app.documents.model import ProblemRow
from app.ledgers import petitions as pt
from app.ledgers import problems as pr
from db.ledger_models import Petition, Problem, ProblemTransfer
from db.report_models import TypicalProblem


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
    infos = pt.petition_infos(session, received, day) if received else []
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


# ---------------------------------------------------------------- 专项整治工作台账 (monthly)

@dataclass(frozen=True)
class LedgerLine:
    """One problem in the monthly 台账."""

    number: str
    found_date: date
    source: str
    category: str
    description: str
    responsible: str
    deadline: date | None
    status: str  # as of the cut-off day
    measures: str
    typical: bool
    events: str  # what happened to it in the month: 新发现、整改完成、销号、移交、逾期


@dataclass(frozen=True)
class LedgerMonth:
    """The month's 专项整治工作台账: figures of the month and the problems concerned."""

    start: date
    end: date
    cut_off: date
    figures: LedgerFigures
    opened: int
    rectified: int  # rectified in the month (any problem)
    closed: int  # 销号 in the month
    overdue: int  # open past the deadline on the cut-off day (any problem)
    lines: list[LedgerLine] = field(default_factory=list)
    typical: list[LedgerLine] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        f = self.figures
        return not (self.lines or f.transferred or f.transfers_late or f.petitions_received)


def _status_on(p: Problem, day: date) -> str:
    if p.closed_date is not None and p.closed_date <= day:
        return "已销号"
    if _rectified_by(p, day):
        return "已整改(待核验)"
    return "逾期未整改" if _overdue_on(p, day) else "整改中"


def ledger_month(session: Session, start: date, end: date, *, today: date) -> LedgerMonth:
    """Problems opened, rectified, 销号 and overdue in the month, transfers, petitions and the
    典型问题 (``Problem.typical``), each by the day it happened, as of the cut-off day."""
    day = cut_off(end, today)
    figures = ledger_figures(session, start, end, today=today)
    problems = list(session.execute(select(Problem).where(
        Problem.deleted_at.is_(None), Problem.found_date <= day)
        .order_by(Problem.found_date, Problem.number)).scalars())
    transferred = dict(session.execute(select(ProblemTransfer.problem_id, ProblemTransfer.transferred_date).where(
        ProblemTransfer.deleted_at.is_(None), ProblemTransfer.transferred_date.between(start, day))).all())
    marked = typical_ids(session)
    township = townships.prefixes(session)  # a district's 台账 names the township of each problem

    def within(d: date | None) -> bool:
        return d is not None and start <= d <= day

    lines, typical = [], []
    opened = rectified = closed = overdue = 0
    for p in problems:
        events = []
        if within(p.found_date):
            events.append("新发现")
            opened += 1
        if within(p.rectified_date):
            events.append("整改完成")
            rectified += 1
        if within(p.closed_date):
            events.append("销号")
            closed += 1
        if p.id in transferred:
            events.append("移交纪检监察")
        if _overdue_on(p, day):
            events.append("逾期")
            overdue += 1
        line = LedgerLine(township.get(p.owner_office, "") + p.number, p.found_date, p.source, p.category, p.description, p.responsible,
                          p.deadline, _status_on(p, day), p.measures or "", p.id in marked, "、".join(events))
        if events:
            lines.append(line)
        if p.id in marked and (events or not (p.closed_date and p.closed_date < start)):
            typical.append(line)
    return LedgerMonth(start, end, day, figures, opened, rectified, closed, overdue, lines, typical)


def typical_ids(session: Session) -> set[str]:
    """Problems marked 典型问题 (and not unmarked): a property of the problem, whenever marked."""
    return set(session.execute(select(TypicalProblem.problem_id).where(
        TypicalProblem.deleted_at.is_(None))).scalars())


def set_typical(session: Session, actor, ref: str, *, typical: bool = True,  # noqa: ANN001
                summary: str | None = None, day: date | None = None, today: date | None = None) -> bool:
    """Mark (or unmark) a problem as 典型问题, listed in the 专项整治工作台账; audited."""
    from app import audit, clock
    from app.ledgers import common as c
    from app.permissions import require
    from db.models import utcnow

    require(actor, "ledger.edit")
    today = today or clock.today()
    p = c.by_number(session, Problem, ref, "问题")
    row = session.execute(select(TypicalProblem).where(
        TypicalProblem.problem_id == p.id, TypicalProblem.deleted_at.is_(None))).scalar()
    if typical and row is None:
        row = TypicalProblem(owner_office=p.owner_office, problem_id=p.id,
                             marked_date=c.past_date("标注日期", day or today, today),
                             summary=c.text("典型问题说明", summary, required=False), updated_by=actor.username)
        session.add(row)
        audit.record_change(session, actor, "problem.typical", "typical_problem", row, None)
    elif not typical and row is not None:
        before = audit.state(row)
        row.deleted_at = utcnow()
        c.stamp(row, actor)
        audit.record_change(session, actor, "problem.untypical", "typical_problem", row, before)
    return typical
