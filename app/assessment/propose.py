"""Proposing an assessed amount: save the assessment (inputs and derivation, audited) and submit
its amount for review in one transaction — 纳入 for a household 申请中, an adjustment for one in
force. The household window's 测算 tab and ``qingfeng-cli assess … --propose`` both call this."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.assessment import approvals
from app.assessment.assess import AssessmentResult, Inputs, save_assessment
from app.permissions import Actor
from db.models import Household


def propose_assessed(session: Session, actor: Actor, household_id: str, *, assessed_on: date,
                     inputs: Inputs, day: date, reason: str) -> tuple[AssessmentResult, approvals.ProposalInfo]:
    """Assess on ``assessed_on`` and propose the result to take effect on ``day``."""
    saved = save_assessment(session, actor, household_id, day=assessed_on, inputs=inputs)
    hh = session.get(Household, household_id)
    propose = approvals.propose_grant if hh is not None and hh.status == "申请中" else approvals.propose_change
    proposal = propose(session, actor, household_id, day=day, reason=reason,
                       category=saved.inputs.category, monthly_amount=saved.amount,
                       derivation=saved.as_dict(), assessment_id=saved.assessment_id)
    return saved, proposal
