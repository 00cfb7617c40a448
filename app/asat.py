"""Households as they were on a day: who was 在保, their category, monthly amount, persons
living together and covered persons — from the records that carry the day a change took
effect, never from today's rows alone.

A document for an earlier period (a reprint of a 公示, a 动态管理月报's tables and its 在保
stock at month end) shows these, not today's figures:

* in force (在保) on ``day``: approved on or before it (``approve_date``; none recorded counts
  as always) and not yet exited (``exit_date`` after it); a household now 暂停 counts as 在保
  on days before its first dated 暂停发放 step;
* category and amount: today's, unless an approved proposal takes effect after ``day``; then
  the value before the first such proposal (its ``before``);
* members: a removed member counts until the day the removal took effect (``member_exits``:
  the date of death, or the day given; a removal without one: the day it was recorded); a
  member added to a household that already existed counts from the (local) day they were
  added. A member moved to another household is counted where they are now (the move has no
  effective date).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from db.assessment_models import Proposal
from db.models import Household, Member, Step
from db.report_models import MemberExit

SUSPEND_STEP = ("调整", "暂停发放")  # (kind, outcome) of the step a suspension records


def local_day(moment: datetime | None) -> date | None:
    """The local calendar day of a stored (naive UTC) timestamp."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc).astimezone().date()


def _utc_start(day: date) -> datetime:
    """The first stored (naive UTC) moment of the local ``day``."""
    return datetime.combine(day, time()).astimezone().astimezone(timezone.utc).replace(tzinfo=None)


def in_force_on(day: date):  # noqa: ANN201 - a SQL condition on Household
    """Households 在保 on ``day`` (see the module notes)."""
    suspend = aliased(Step)

    def suspended(cmp):  # noqa: ANN001, ANN202
        return exists().where(suspend.household_id == Household.id, suspend.deleted_at.is_(None),
                              suspend.kind == SUSPEND_STEP[0], suspend.outcome == SUSPEND_STEP[1], cmp(suspend.day))

    approved = or_(Household.approve_date.is_(None), Household.approve_date <= day)
    return or_(
        and_(Household.status == "在保", approved),
        and_(Household.status == "已退出", Household.approve_date <= day, Household.exit_date > day),
        and_(Household.status == "暂停", Household.approve_date <= day,
             suspended(lambda d: d > day), ~suspended(lambda d: d <= day)))


@dataclass(frozen=True)
class _MemberRow:
    name: str
    birth: date | None
    head: bool
    lives_together: bool
    covered: bool
    added: date | None  # counts from this day (None: from the household's start)
    gone: date | None  # counts before this day (None: still a member)


@dataclass
class History:
    """What changed after ``since``, to answer for any day on or after it."""

    since: date
    proposals: dict[str, list[tuple[date, dict]]] = field(default_factory=dict)  # by effective day
    members: dict[str, list[_MemberRow]] = field(default_factory=dict)  # households with member changes

    def _before(self, hid: str, day: date, key: str) -> object | None:
        for effective, before in self.proposals.get(hid, ()):
            if effective > day and key in before:
                return before[key]
        return None

    def amount(self, hid: str, day: date, current: Decimal) -> Decimal:
        value = self._before(hid, day, "monthly_amount")
        return current if value is None else Decimal(str(value))

    def category(self, hid: str, day: date, current: str) -> str:
        value = self._before(hid, day, "category")
        return current if value is None else str(value)

    def _present(self, hid: str, day: date) -> list[_MemberRow] | None:
        rows = self.members.get(hid)
        if rows is None:
            return None
        return [m for m in rows if (m.added is None or m.added <= day) and (m.gone is None or m.gone > day)]

    def size(self, hid: str, day: date, current: int) -> int:
        present = self._present(hid, day)
        return current if present is None else sum(1 for m in present if m.lives_together)

    def covered(self, hid: str, day: date, current: tuple) -> tuple:
        present = self._present(hid, day)
        if present is None:
            return current
        people = sorted((m for m in present if m.lives_together and m.covered), key=lambda m: (not m.head, m.name))
        return tuple((m.name, m.birth) for m in people)

    def row(self, r, day: date):  # noqa: ANN001, ANN201 - app.documents.HouseholdRow
        """A document row with its figures as on ``day``."""
        return replace(r, monthly_amount=self.amount(r.uuid, day, r.monthly_amount),
                       category=self.category(r.uuid, day, r.category),
                       household_size=self.size(r.uuid, day, r.household_size),
                       covered=self.covered(r.uuid, day, r.covered))


def load(session: Session, since: date) -> History:
    """The changes taking effect after ``since`` (approved proposals, member removals and
    additions): what :class:`History` needs for any day from ``since`` on."""
    h = History(since)
    for hid, day, before in session.execute(
            select(Proposal.household_id, Proposal.day, Proposal.before)
            .where(Proposal.state == "已批准", Proposal.deleted_at.is_(None), Proposal.day > since)
            .order_by(Proposal.household_id, Proposal.day, Proposal.decided_at)):
        h.proposals.setdefault(hid, []).append((day, json.loads(before or "{}")))
    start = _utc_start(since + timedelta(days=1))
    exit_day = select(func.max(MemberExit.day)).where(MemberExit.member_id == Member.id,
                                            MemberExit.deleted_at.is_(None)).correlate(Member).scalar_subquery()
    changed = set(session.execute(select(Member.household_id).where(
        or_(and_(Member.deleted_at.is_not(None), or_(exit_day > since, Member.deleted_at >= start)),
            Member.created_at >= start))).scalars())
    if not changed:
        return h
    made = dict(session.execute(select(Household.id, Household.created_at).where(Household.id.in_(changed))).all())
    found: dict[str, list[_MemberRow]] = defaultdict(list)
    for hid, name, birth, relation, together, covered, created, deleted, left in session.execute(
            select(Member.household_id, Member.name, Member.birth_date, Member.relation, Member.lives_together,
                   Member.covered, Member.created_at, Member.deleted_at, exit_day)
            .where(Member.household_id.in_(changed))):
        added = local_day(created)
        if added is not None and added <= local_day(made.get(hid)):
            added = None  # registered with the household: a member from its start
        gone = None if deleted is None else (left or local_day(deleted))
        found[hid].append(_MemberRow(name, birth, relation == "户主", bool(together), bool(covered), added, gone))
    h.members = dict(found)
    return h
