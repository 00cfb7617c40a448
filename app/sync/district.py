"""District mode: the townships' status, cross-township checks, and what the district sends back
(交办 problems with deadlines; standards and the calendar travel in its packages) and the
townships' answers (整改反馈).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit, clock, offices
from app.errors import NotFound, ValidationError
from app.permissions import Actor, require
from db.models import Household, Member
from db.sync_models import Assignment, AssignmentAnswer, ExchangeLog, OfficeCard, SyncPeer

MONTHLY_DUE_DAY = 25  # 月报 is due by the 25th of the month it reports


@dataclass(frozen=True)
class TownshipStatus:
    code: str
    name: str
    last_seq: int | None
    last_period: str | None
    last_import: datetime | None
    missing_months: list[str]
    chain_ok: bool
    chain_alarm: str | None
    monthly_on_time: bool  # this month's package received by the 25th (or not yet due)
    monthly: str = ""  # the same for the clerk: 按时报送 / 逾期报送 / 逾期未报 / 未到期（尚未报送）

    @property
    def missing_text(self) -> str:
        """缺报月份 for the clerk: the months, 无, or 从未报送 (nothing received yet)."""
        if self.last_seq is None:
            return "从未报送"
        return "、".join(self.missing_months) or "无"


def _months(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def monthly_due(period: str) -> date:
    """The 月报 of a month is due on the 25th of that month."""
    y, m = map(int, period.split("-"))
    return date(y, m, MONTHLY_DUE_DAY)


def township_status(session: Session) -> list[TownshipStatus]:
    today = clock.today()
    current = today.strftime("%Y-%m")
    out = []
    cards = session.execute(select(OfficeCard).where(OfficeCard.level == "township")
                            .order_by(OfficeCard.code)).scalars()
    for card in cards:
        peer = session.get(SyncPeer, card.code)
        received = session.execute(select(ExchangeLog.period, func.min(ExchangeLog.ts)).where(
            ExchangeLog.peer == card.code, ExchangeLog.direction == "in", ExchangeLog.status == "ok",
            ExchangeLog.kind.in_(("full", "delta"))).group_by(ExchangeLog.period)).all()
        first_seen = {p: ts for p, ts in received}
        missing = [] if not first_seen else [p for p in _months(min(first_seen), current)
                                             if p not in first_seen and p != current]
        arrived = first_seen.get(current)
        due = monthly_due(current)
        if arrived is not None:
            on_time, monthly = arrived.date() <= due, "按时报送" if arrived.date() <= due else "逾期报送"
        else:
            on_time = today <= due
            monthly = f"未到期（{due:%m月%d日}前报送）" if on_time else "逾期未报"
        out.append(TownshipStatus(card.code, card.name, peer.in_seq if peer else None,
                                  peer.in_period if peer else None, peer.in_at if peer else None,
                                  missing, not (peer and peer.chain_alarm),
                                  peer.chain_alarm if peer else None, on_time, monthly))
    return out


@dataclass(frozen=True)
class DuplicatePerson:
    id_number: str
    offices: list[str]
    names: list[str]


def cross_township_duplicates(session: Session) -> list[DuplicatePerson]:
    """One person (ID number) covered in two townships at once."""
    rows = session.execute(
        select(Member.id_number, Member.owner_office, Member.name)
        .join(Household, Household.id == Member.household_id)
        .where(Member.id_number.is_not(None), Member.deleted_at.is_(None),
               Household.deleted_at.is_(None), Member.id_number.in_(
                   select(Member.id_number).where(Member.deleted_at.is_(None), Member.id_number.is_not(None))
                   .group_by(Member.id_number).having(func.count(func.distinct(Member.owner_office)) > 1)))
        .order_by(Member.id_number, Member.owner_office)).all()
    by_id: dict[str, DuplicatePerson] = {}
    for id_number, office, name in rows:
        d = by_id.setdefault(id_number, DuplicatePerson(id_number, [], []))
        if office not in d.offices:
            d.offices.append(office)
        if name not in d.names:
            d.names.append(name)
    return list(by_id.values())


@dataclass(frozen=True)
class AssignmentInfo:
    id: str
    target_office: str
    title: str
    description: str
    assigned_date: date
    deadline: date
    overdue: bool
    answers: list[tuple[date, str, bool]]


def assign(session: Session, actor: Actor, *, to_office: str, title: str, description: str,
           deadline: date, household_id: str | None = None) -> str:
    """The district assigns a problem (交办) to one of its townships; it travels in the next package."""
    require(actor, "sync.assign")
    own = offices.own_office(session)
    if own.level != "district":
        raise ValidationError("交办", title, "只有区县可以交办问题")
    if session.get(OfficeCard, to_office) is None:
        raise ValidationError("交办对象", to_office, "尚未登记该乡镇的名片")
    title, description = (title or "").strip(), (description or "").strip()
    if not title or len(title) > 100:
        raise ValidationError("交办标题", title, "必须填写，不超过 100 个字")
    if not description:
        raise ValidationError("交办内容", description, "必须填写")
    if deadline < clock.today():
        raise ValidationError("整改期限", deadline.isoformat(), "不能早于今天")
    a = Assignment(owner_office=own.code, target_office=to_office, title=title, description=description,
                   assigned_date=clock.today(), deadline=deadline, household_id=household_id,
                   updated_by=actor.username)
    session.add(a)
    audit.record_change(session, actor, "assignment.create", "assignment", a, None)
    return a.id


def answer(session: Session, actor: Actor, assignment_id: str, *, content: str, done: bool = False) -> str:
    """The township's 整改反馈 on an assigned problem; a record of its own that travels back."""
    require(actor, "sync.assign")
    a = session.get(Assignment, assignment_id)
    own = offices.own_office(session)
    if a is None or a.target_office != own.code:
        raise NotFound(f"找不到交给本单位的交办问题：{assignment_id}")
    content = (content or "").strip()
    if not content:
        raise ValidationError("整改反馈", content, "必须填写")
    r = AssignmentAnswer(owner_office=own.code, assignment_id=a.id, day=clock.today(), content=content,
                         done=done, updated_by=actor.username)
    session.add(r)
    audit.record_change(session, actor, "assignment.answer", "assignment_answer", r, None)
    return r.id


def assignments(session: Session, *, office: str | None = None) -> list[AssignmentInfo]:
    q = select(Assignment).where(Assignment.deleted_at.is_(None)).order_by(Assignment.deadline, Assignment.id)
    if office:
        q = q.where(Assignment.target_office == office)
    today = clock.today()
    out = []
    for a in session.execute(q).scalars():
        answers = [(r.day, r.content, r.done) for r in session.execute(
            select(AssignmentAnswer).where(AssignmentAnswer.assignment_id == a.id,
                                           AssignmentAnswer.deleted_at.is_(None))
            .order_by(AssignmentAnswer.day, AssignmentAnswer.id)).scalars()]
        done = any(d for _day, _c, d in answers)
        out.append(AssignmentInfo(a.id, a.target_office, a.title, a.description, a.assigned_date,
                                  a.deadline, not done and a.deadline < today, answers))
    return out
