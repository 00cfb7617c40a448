"""Which of the district's records go to which township (DESIGN.md §4: the district sends its
standards and calendar to every township, and to each township only what concerns it).

- 交办 (assignment): those assigned to the township;
- 督导检查 visits and their findings (problems, their households and state changes): those that
  concern one of the township's households;
- district-wide data sources (death lists …) and standards: every township.

A township sends everything it owns to its district (no filter).
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, select

from db.ledger_models import ProblemLink
from db.models import Household
from db.procedure_models import SupervisionHousehold


def _households_of(office: str):  # noqa: ANN202 - a scalar subquery
    return select(Household.id).where(Household.owner_office == office)


def _problems_of(office: str):  # noqa: ANN202
    return select(ProblemLink.problem_id).where(ProblemLink.household_id.in_(_households_of(office)),
                                                ProblemLink.deleted_at.is_(None))


def recipient_filter(entity: str, table, recipient: str) -> ColumnElement | None:  # noqa: ANN001
    """The condition a district's row of ``entity`` meets to travel to ``recipient`` (None: all)."""
    if entity == "assignment":
        return table.c.target_office == recipient
    if entity == "supervision_visit":
        return table.c.id.in_(select(SupervisionHousehold.visit_id).where(
            SupervisionHousehold.household_id.in_(_households_of(recipient))))
    if entity in ("supervision_household", "problem_link"):
        return table.c.household_id.in_(_households_of(recipient))
    if entity == "problem":
        return table.c.id.in_(_problems_of(recipient))
    if entity == "problem_transition":
        return table.c.problem_id.in_(_problems_of(recipient))
    return None
