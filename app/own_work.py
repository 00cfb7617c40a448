"""What the 首页's deadline lists show on a district's database: the district's own work.

A district's database also holds every township's records, as read-only copies (DESIGN.md §4):
the district cannot review a township's household, rectify its problem or approve its
proposal — the township's clerks do that and see it on their own 首页. Listing 150,000
households' deadlines as the district's to-do would drown what the district itself must do
(its own 督导检查 findings, petitions, 交办). The district follows the townships through
数据交换 › 各乡镇报送情况 (missing months, chain alarms, overdue 交办) and the combined reports.
On a township's database nothing is filtered: the district's findings sent down are shown there.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.offices import own_office
from db.assessment_models import Proposal
from db.ledger_models import Petition, Problem
from db.models import Household

T = TypeVar("T")


@dataclass(frozen=True)
class OwnWork:
    """Ids of the records the district's own office owns."""

    problems: frozenset[str]
    petitions: frozenset[str]
    households: frozenset[str]
    proposals: frozenset[str]


def district_filter(session: Session, office_code: str) -> OwnWork | None:
    """The district's own records (None on a township's database: nothing to filter)."""
    if own_office(session).level != "district":
        return None

    def ids(model) -> frozenset[str]:  # noqa: ANN001
        return frozenset(session.execute(select(model.id).where(model.owner_office == office_code,
                                                                model.deleted_at.is_(None))).scalars())
    return OwnWork(ids(Problem), ids(Petition), ids(Household), ids(Proposal))


def keep(rows: list[T], attr: str, own: frozenset[str] | None) -> list[T]:
    """``rows`` whose ``attr`` is one of ``own`` (all of them when ``own`` is None)."""
    return rows if own is None else [r for r in rows if getattr(r, attr) in own]
