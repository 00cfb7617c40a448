"""Registry counts for the 首页 (dashboard): households by status, category and village,
members, and reviews due or overdue."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import codes
from db.models import Household, Member, Village

DUE_SOON_DAYS = 30


@dataclass
class Dashboard:
    households: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_village: dict[str, dict[str, int]] = field(default_factory=dict)  # village -> status -> n
    members_active: int = 0  # persons in 申请中/在保/暂停 households
    members_covered: int = 0  # 保障对象 in 在保 households
    reviews_due: int = 0  # 在保, next review within DUE_SOON_DAYS
    reviews_overdue: int = 0  # 在保, next review before today
    today: date | None = None


def registry_counts(session: Session, office_code: str, *, today: date | None = None) -> Dashboard:
    """Counts over live households of ``office_code``.

    Overdue follows :func:`app.reviews.is_review_overdue` (next review date before today),
    applied to 在保 households only (在保必核).
    """
    today = today or date.today()
    d = Dashboard(today=today)
    live = (Household.deleted_at.is_(None), Household.owner_office == office_code)
    for status, n in session.execute(select(Household.status, func.count()).where(*live)
                                     .group_by(Household.status)):
        d.by_status[status] = n
    d.households = sum(d.by_status.values())
    order = {c: i for i, c in enumerate(codes.values("categories"))}
    rows = session.execute(select(Household.category, func.count()).where(
        *live, Household.status.in_(codes.ACTIVE_STATUSES)).group_by(Household.category)).all()
    d.by_category = dict(sorted(rows, key=lambda r: order.get(r[0], 99)))
    for vname, status, n in session.execute(
            select(Village.name, Household.status, func.count())
            .join(Village, Village.id == Household.village_id).where(*live)
            .group_by(Village.name, Household.status).order_by(Village.name)):
        d.by_village.setdefault(vname, {})[status] = n
    member_live = (Member.deleted_at.is_(None), Member.household_id == Household.id)
    d.members_active = session.execute(select(func.count()).select_from(Member).join(
        Household, Household.id == Member.household_id).where(
        *live, *member_live, Household.status.in_(codes.ACTIVE_STATUSES))).scalar_one()
    d.members_covered = session.execute(select(func.count()).select_from(Member).join(
        Household, Household.id == Member.household_id).where(
        *live, *member_live, Household.status == "在保", Member.covered.is_(True))).scalar_one()
    in_care = (*live, Household.status == "在保")
    d.reviews_overdue = session.execute(select(func.count()).select_from(Household).where(
        *in_care, Household.next_review_date < today)).scalar_one()
    d.reviews_due = session.execute(select(func.count()).select_from(Household).where(
        *in_care, Household.next_review_date >= today,
        Household.next_review_date <= today + timedelta(days=DUE_SOON_DAYS))).scalar_one()
    return d
