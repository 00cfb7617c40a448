"""One household's procedure at a glance: the steps its next decision needs (done or missing),
its time limits, its open case tasks and its 公示 steps (for objections) — for the 程序和时限 tab
and ``qingfeng-cli procedure show``. Read only."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import casetasks, procedure, timelimits
from app.errors import NotFound
from db.models import Household, Step
from db.procedure_models import StepDetail


@dataclass(frozen=True)
class GongshiInfo:
    step_id: str
    start: date
    end: date
    objection: str | None
    objection_date: date | None
    resolved: date | None


@dataclass(frozen=True)
class CaseStatus:
    household_id: str
    status: str
    category: str
    decision: str | None  # 纳入 | 退出 | None (nothing to decide)
    checks: list[procedure.StepCheck] = field(default_factory=list)
    limits: list[timelimits.Limit] = field(default_factory=list)
    tasks: list[casetasks.TaskInfo] = field(default_factory=list)
    gongshi: list[GongshiInfo] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [c.step for c in self.checks if not c.done]


def _exit_pending(session: Session, household_id: str) -> bool:
    """An exit is to be decided only once it has been proposed (the 经办人's 退出 proposal)."""
    from db.assessment_models import Proposal

    return session.execute(select(Proposal.id).where(
        Proposal.household_id == household_id, Proposal.kind == "退出", Proposal.state == "待审核",
        Proposal.deleted_at.is_(None)).limit(1)).first() is not None


def case_status(session: Session, household_id: str, *, today: date) -> CaseStatus:
    hh = session.get(Household, household_id)
    if hh is None or hh.deleted_at is not None:
        raise NotFound(f"找不到家庭：{household_id}")
    if hh.status == "申请中":
        decision, checks = "纳入", procedure.checklist(session, hh, hh.category, today)
    elif hh.status in ("在保", "暂停") and _exit_pending(session, hh.id):
        decision = "退出"
        checks = procedure.checklist(session, hh, hh.category, today,
                                     steps=procedure.required_exit_steps(session, hh.category),
                                     since=hh.approve_date)
    else:
        decision, checks = None, []
    gongshi = []
    for s, d in session.execute(select(Step, StepDetail).outerjoin(StepDetail, StepDetail.step_id == Step.id).where(
            Step.household_id == hh.id, Step.deleted_at.is_(None), Step.kind.in_(("公示", "终止公示")))
            .order_by(Step.day)):
        days = d.period_days if d is not None and d.period_days else None
        end = procedure.gongshi_end(s.day, days or 7)
        gongshi.append(GongshiInfo(s.id, s.day, end, d.objection if d else None,
                                   d.objection_date if d else None, d.objection_resolved if d else None))
    return CaseStatus(hh.id, hh.status, hh.category, decision, checks,
                      timelimits.case_limits(session, hh.id, today=today),
                      casetasks.list_tasks(session, household_id=hh.id), gongshi)
