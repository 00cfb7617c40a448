"""Tracked case tasks with a due date: 补办程序 after 先行救助, 书面告知 of a refusal, the yearly
家庭经济状况核对 of a household in force (在保必核), the county-level home visit of a filed
near-relative case (县级入户核查).

The due date depends on a rule setting (and, for working days, on the holiday calendar): it is
stored, and recomputed (audited) by :func:`recompute` whenever the calendar or a setting changes.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, rulesettings, workdays
from app.permissions import Actor
from app.reviews import add_months
from db.models import Household, Step, Village, utcnow
from db.procedure_models import PROCEDURE_LABELS, CaseTask

audit.ENTITY_LABELS.update(PROCEDURE_LABELS)

OPEN, DONE, CANCELLED = "待办", "已完成", "已取消"
KINDS = {"补办程序": "first_aid_completion_working_days", "书面告知": "refusal_notice_working_days",
         "在保核对": "annual_check_months", "县级入户核查": "county_visit_working_days"}
# which recorded step completes a task of each kind
COMPLETED_BY = {"书面告知": ("告知",), "在保核对": ("家庭经济状况核对", "在保核对"),
                "县级入户核查": ("县级入户核查",)}
# the steps that may complete a task: those above and the steps a grant needs (补办程序)
ANSWERING_KINDS = frozenset({k for kinds in COMPLETED_BY.values() for k in kinds}
                            | set(rulesettings.PROCEDURE_STEPS))


@dataclass(frozen=True)
class TaskInfo:
    id: str
    household_id: str
    household: str
    village: str
    kind: str
    start: date
    due: date
    due_covered: bool
    done: date | None
    state: str
    note: str | None
    warning: str | None

    def late(self, today: date) -> bool:
        return (self.done or today) > self.due


def due_for(session: Session, rule: str, start: date) -> workdays.Deadline:
    """The due day of a task: ``start`` plus the setting ``rule`` (months or working days)."""
    n = rulesettings.get(session, rule)
    if rule.endswith("_months"):
        return workdays.Deadline(add_months(start, int(n)), True, None)
    return workdays.add_working_days(session, start, int(n))


def open_task(session: Session, actor: Actor, hh: Household, *, kind: str, rule: str, start: date,
              source_id: str | None = None, note: str | None = None, known_new: bool = False) -> CaseTask:
    """Open a task unless the same kind is already open for the household (then keep that one;
    ``known_new``: the caller has checked that there is none)."""
    if not known_new:
        existing = session.execute(select(CaseTask).where(
            CaseTask.household_id == hh.id, CaseTask.kind == kind, CaseTask.state == OPEN,
            CaseTask.deleted_at.is_(None))).scalars().first()
        if existing is not None:
            return existing
    due = due_for(session, rule, start)
    task = CaseTask(owner_office=hh.owner_office, household_id=hh.id, kind=kind, rule=rule, start=start,
                    due=due.day, due_covered=due.covered, state=OPEN, source_id=source_id, note=note,
                    updated_by=actor.username)
    session.add(task)
    audit.record_change(session, actor, "task.open", "case_task", task, None)
    return task


def _finish(session: Session, actor: Actor, task: CaseTask, day: date, state: str = DONE) -> None:
    before = audit.state(task)
    task.done, task.state = day, state
    task.updated_at, task.updated_by = utcnow(), actor.username
    audit.record_change(session, actor, "task.done" if state == DONE else "task.cancel", "case_task",
                        task, before)


def open_tasks(session: Session, household_id: str) -> list[CaseTask]:
    return list(session.execute(select(CaseTask).where(
        CaseTask.household_id == household_id, CaseTask.state == OPEN,
        CaseTask.deleted_at.is_(None)).order_by(CaseTask.due)).scalars())


def on_step(session: Session, actor: Actor, hh: Household, step: Step,
            missing: Callable[[], list]) -> None:
    """A recorded step completes the open tasks it answers; a yearly check opens the next one."""
    for task in open_tasks(session, hh.id):
        if step.day < task.start:
            continue
        if task.kind == "补办程序":
            if not missing():
                _finish(session, actor, task, step.day)
        elif step.kind in COMPLETED_BY.get(task.kind, ()):
            _finish(session, actor, task, step.day)
            if task.kind == "在保核对" and hh.status in ("在保", "暂停"):
                open_task(session, actor, hh, kind="在保核对", rule=KINDS["在保核对"], start=step.day)


def on_status(session: Session, actor: Actor, hh: Household, *, status: str, day: date) -> None:
    """A refusal must be told in writing; a grant starts the yearly check; an exit ends tasks."""
    if status == "未通过":
        open_task(session, actor, hh, kind="书面告知", rule=KINDS["书面告知"], start=day,
                  note="不予确认：书面告知申请人理由及救济途径")
    elif status == "在保":
        open_task(session, actor, hh, kind="在保核对", rule=KINDS["在保核对"], start=day)
    elif status == "已退出":
        for task in open_tasks(session, hh.id):
            if task.kind in ("在保核对", "县级入户核查"):
                _finish(session, actor, task, day, CANCELLED)


def recompute(session: Session, actor: Actor, *, rules: set[str] | None = None) -> int:
    """Recompute the due day of every open task (those depending on ``rules``, or all), audited;
    a due day now within a covered calendar year loses its "year not covered" warning."""
    stmt = select(CaseTask).where(CaseTask.state == OPEN, CaseTask.deleted_at.is_(None))
    if rules:
        stmt = stmt.where(CaseTask.rule.in_(sorted(rules)))
    changed = 0
    for task in session.execute(stmt).scalars().all():
        due = due_for(session, task.rule, task.start)
        if (task.due, task.due_covered) != (due.day, due.covered):
            before = audit.state(task)
            task.due, task.due_covered = due.day, due.covered
            task.updated_at, task.updated_by = utcnow(), actor.username
            audit.record_change(session, actor, "task.recompute", "case_task", task, before)
            changed += 1
    return changed


def list_tasks(session: Session, *, household_id: str | None = None, state: str | None = OPEN,
               due_by: date | None = None) -> list[TaskInfo]:
    stmt = (select(CaseTask, Household, Village.name).join(Household, Household.id == CaseTask.household_id)
            .join(Village, Village.id == Household.village_id).where(CaseTask.deleted_at.is_(None)))
    if household_id:
        stmt = stmt.where(CaseTask.household_id == household_id)
    if state:
        stmt = stmt.where(CaseTask.state == state)
    if due_by:
        stmt = stmt.where(CaseTask.due <= due_by)
    return [TaskInfo(t.id, hh.id, f"{hh.head_name}户（{hh.number}）", village, t.kind, t.start, t.due,
                     t.due_covered, t.done, t.state, t.note,
                     None if t.due_covered else workdays.uncovered_warning([t.due.year]))
            for t, hh, village in session.execute(stmt.order_by(CaseTask.due, CaseTask.kind))]
