"""Helpers shared by the ledger tests (no tests here)."""
from datetime import date

from app import audit
from app import households as hs
from app import queries
from app.idcard import make_valid_id
from db.models import Household

TODAY = date(2026, 11, 23)


def ident(n: int, birth: date = date(1960, 5, 1)) -> str:
    return make_valid_id("640424", birth, n)


def household(env, head: str, head_id: str, *, village: str = "香水村", others=(),
              status: str = "在保") -> str:
    """A household (members: (name, id, relation) tuples) in ``status``; returns 户编号.

    The status is set directly (audited, so ``audit.verify`` stays clean): the ledger tests need
    households in a given state, not the registry's approval workflow.
    """
    members = [hs.MemberInput(name=head, id_number=head_id, relation="户主")]
    members += [hs.MemberInput(name=n, id_number=i, relation=r) for n, i, r in others]
    with env.database.session() as s:
        saved = hs.create_household(s, env.clerk, village=village, category="农村低保",
                                    members=members, poverty_cause="因病", classification="B",
                                    monthly_amount="620", today=TODAY)
        if status != "申请中":
            hh = s.get(Household, saved.id)
            before = audit.state(hh)
            hh.status = status
            audit.record_change(s, env.reviewer, "household.status", "household", hh, before)
        return queries.household_detail(s, saved.id).number
