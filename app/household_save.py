"""Saving a household window in one transaction: the household's own fields, the members
removed, edited and added, and — for 保障类别/月保障金额 of a household in force — the change
proposed for review (the two-person rule). The GUI calls this; nothing is written on a refusal."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app import households as hs
from app.assessment import approvals
from app.household_types import MemberInput
from app.permissions import Actor


def save_household(session: Session, actor: Actor, household_id: str, *, version: int,
                   changes: dict, removed: list[tuple[str, str, date | None]] = (),
                   edited: list[tuple[str, int, dict]] = (), added: list[MemberInput] = (),
                   proposal: dict | None = None) -> list[str]:
    """``changes``: household fields saved directly; ``removed``: (member id, reason, date of death or None);
    ``edited``: (member id, version, changes); ``proposal``: {"day", "reason", "category",
    "monthly_amount"} submitted for review. Always checks ``version``: a change someone else
    saved meanwhile is refused (ConflictError). Returns the notices to show."""
    notices: list[str] = []
    if changes or proposal is None:
        hs.edit_household(session, actor, household_id, expected_version=version, changes=changes)
    else:  # only a proposal: still refuse when someone saved meanwhile
        hs.expect_version(session, household_id, version)
    for member_id, reason, died in removed:
        hs.remove_member(session, actor, member_id, reason=reason, death_date=died)
    for member_id, member_version, diff in edited:
        notices += hs.edit_member(session, actor, member_id, expected_version=member_version,
                                  changes=diff).notices
    for m in added:
        notices += hs.add_member(session, actor, household_id, m).notices
    if proposal is not None:
        day: date = proposal["day"]
        approvals.propose_change(session, actor, household_id, day=day, reason=proposal["reason"],
                                 category=proposal.get("category"),
                                 monthly_amount=proposal.get("monthly_amount"))
        notices.append("保障类别或金额的变更已提交审核，须经审核人批准后生效")
    return notices
