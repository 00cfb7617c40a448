"""Review schedule: when the next 复核 is due and when a review is overdue."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from app import rulesettings
from app.errors import ValidationError


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_date(session: Session, classification: str | None, last_review: date) -> date:
    """Next 复核 date from the household's class and the review frequencies in settings.

    Rule: 民政部 低保 dynamic management — stable households checked yearly, those with unstable
    income and working ability half-yearly; local A/B/C schemes refine this (settings
    ``review_frequency_months``). Unclassified households take the strictest (shortest) interval.
    """
    freq = rulesettings.get(session, "review_frequency_months")
    months = freq.get(classification or "", min(freq.values()))
    return add_months(last_review, int(months))


def is_review_overdue(next_review: date | None, today: date) -> bool:
    """A review not done by its due date is overdue (在保必核)."""
    return next_review is not None and next_review < today


# The one definition of "a 复核 is due" used by 首页, the lists, the household window and the
# CLI (``review due``): households 在保 (在保必核), by their next review date.
REVIEW_STATUSES = ("在保",)


def review_overdue(status: str, next_review: date | None, today: date) -> bool:
    """The household's 复核 is overdue (shown red in the list and the household window)."""
    return status in REVIEW_STATUSES and is_review_overdue(next_review, today)


@dataclass(frozen=True)
class DueReview:
    household_id: str
    number: str
    head_name: str
    village: str
    category: str
    classification: str | None
    last_review_date: date | None
    next_review_date: date
    overdue: bool
    days: int  # days overdue (positive) or left (negative: due in -days days)


def _where(today: date, within_days: int, office_code: str | None):  # noqa: ANN202
    from db.models import Household

    if within_days < 0:
        raise ValidationError("天数", within_days, "应为不小于 0 的整数")
    where = [Household.deleted_at.is_(None), Household.status.in_(REVIEW_STATUSES)]
    if office_code:
        where.append(Household.owner_office == office_code)
    return where, today + timedelta(days=within_days)


def due_reviews(session: Session, *, today: date, within_days: int = 0,
                office_code: str | None = None, limit: int | None = None) -> list[DueReview]:
    """Households in force whose 复核 is overdue or due within ``within_days`` (在保必核),
    earliest first (at most ``limit``).

    The due date is the stored ``next_review_date``; a household in force without one is due
    from its last review (or its approval) by the frequency of its class (settings).
    """
    from sqlalchemy import select

    from db.models import Household, Village

    where, horizon = _where(today, within_days, office_code)
    cols = (Household.id, Household.number, Household.head_name, Village.name, Household.category,
            Household.classification, Household.last_review_date, Household.next_review_date,
            Household.approve_date)
    dated = (select(*cols).join(Village, Village.id == Household.village_id)
             .where(*where, Household.next_review_date <= horizon)
             .order_by(Household.next_review_date, Household.number))
    undated = (select(*cols).join(Village, Village.id == Household.village_id)
               .where(*where, Household.next_review_date.is_(None)))
    rows = []
    for stmt in (dated.limit(limit) if limit else dated, undated):
        for hid, number, head, village, category, cls, last, due, approved in session.execute(stmt):
            if due is None:
                base = last or approved
                if base is None:
                    continue
                due = next_review_date(session, cls, base)
            if due > horizon:
                continue
            rows.append(DueReview(hid, number, head, village, category, cls, last, due,
                                  is_review_overdue(due, today), (today - due).days))
    rows.sort(key=lambda r: (r.next_review_date, r.number))
    return rows[:limit] if limit else rows


def due_counts(session: Session, *, today: date, within_days: int = 0,
               office_code: str | None = None) -> dict[str | None, tuple[int, int]]:
    """The same households as :func:`due_reviews`, counted: class → (due soon, overdue)."""
    from sqlalchemy import func, select

    from db.models import Household

    where, horizon = _where(today, within_days, office_code)
    counts: dict[str | None, list[int]] = {}
    late = Household.next_review_date < today
    for cls, overdue, n in session.execute(
            select(Household.classification, late, func.count())
            .where(*where, Household.next_review_date <= horizon)
            .group_by(Household.classification, late)):
        counts.setdefault(cls, [0, 0])[1 if overdue else 0] += n
    for cls, last, approved in session.execute(
            select(Household.classification, Household.last_review_date, Household.approve_date)
            .where(*where, Household.next_review_date.is_(None))):
        base = last or approved
        if base is None:
            continue
        due = next_review_date(session, cls, base)
        if due <= horizon:
            counts.setdefault(cls, [0, 0])[1 if is_review_overdue(due, today) else 0] += 1
    return {k: (v[0], v[1]) for k, v in counts.items()}
