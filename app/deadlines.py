"""Deadlines stay true: stored due dates recomputed when what they depend on changes.

Called by :mod:`app.rulesettings` after a setting changes and by :mod:`app.workdays` after the
holiday calendar changes. Every due date that changes is audited with before and after, and the
"year not covered" flag is cleared where the calendar now covers the year; one summary entry
(``deadline.recompute``) says what was recomputed and why. Computed limits (信访, app.timelimits)
need nothing: they are never stored.

Stored due dates: case tasks (app.casetasks), 移交纪检监察 (problem_transfers), the next 复核 of a
household in force (households.next_review_date), and the yearly 在保必核 task per household.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit, casetasks
from app.ledgers import problems as pr
from app.permissions import Actor
from app.reviews import next_review_date
from db.ledger_models import ProblemTransfer
from db.models import Household, Step, utcnow
from db.procedure_models import CaseTask

audit.ENTITY_LABELS.update({"deadline": "时限重新计算", "amount_check": "不按标施保（书面理由）"})
WORKING_DAY_RULES = {"first_aid_completion_working_days", "refusal_notice_working_days",
                     "county_visit_working_days"}


@dataclass
class Recomputed:
    reason: str
    tasks: int = 0
    transfers: int = 0
    reviews: int = 0
    opened: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.tasks + self.transfers + self.reviews + self.opened


def _transfers(session: Session, actor: Actor) -> int:
    changed = 0
    for t in session.execute(select(ProblemTransfer).where(
            ProblemTransfer.deleted_at.is_(None), ProblemTransfer.transferred_date.is_(None))).scalars().all():
        due = pr.transfer_due(session, t.found_date)
        if (t.due_date, t.due_covered) != (due.day, due.covered):
            before = audit.state(t)
            t.due_date, t.due_covered = due.day, due.covered
            t.updated_at, t.updated_by = utcnow(), actor.username
            audit.record_change(session, actor, "problem.recompute", "problem_transfer", t, before)
            changed += 1
    return changed


def _reviews(session: Session, actor: Actor) -> int:
    changed = 0
    for hh in session.execute(select(Household).where(
            Household.deleted_at.is_(None), Household.status.in_(("在保", "暂停")),
            Household.last_review_date.is_not(None))).scalars().all():
        due = next_review_date(session, hh.classification, hh.last_review_date)
        if hh.next_review_date != due:
            before = audit.state(hh)
            hh.next_review_date = due
            hh.updated_at, hh.updated_by = utcnow(), actor.username
            audit.record_change(session, actor, "household.review", "household", hh, before)
            changed += 1
    return changed


def _summary(session: Session, actor: Actor, r: Recomputed) -> Recomputed:
    audit.record(session, actor, "deadline.recompute", "deadline", r.reason, None,
                 {"reason": r.reason, "case_tasks": r.tasks, "transfers": r.transfers,
                  "reviews": r.reviews, "annual_checks_opened": r.opened})
    return r


def after_calendar(session: Session, actor: Actor, reason: str = "工作日历变更") -> Recomputed:
    """The holiday calendar changed: every working-day due date is recomputed."""
    r = Recomputed(reason)
    r.tasks = casetasks.recompute(session, actor, rules=WORKING_DAY_RULES)
    r.transfers = _transfers(session, actor)
    return _summary(session, actor, r) if r.total else r


def after_setting(session: Session, actor: Actor, key: str) -> Recomputed:
    """A rule setting changed: the due dates depending on it are recomputed."""
    r = Recomputed(f"规则设置 {key} 变更")
    if key in casetasks.KINDS.values():
        r.tasks = casetasks.recompute(session, actor, rules={key})
    if key == "transfer_working_days":
        r.transfers = _transfers(session, actor)
    if key == "review_frequency_months":
        r.reviews = _reviews(session, actor)
    return _summary(session, actor, r) if r.total else r


def ensure_annual_checks(session: Session, actor: Actor, *, today: date) -> int:
    """Every household in force has its yearly 家庭经济状况核对 (在保必核) task, due a year
    (setting ``annual_check_months``) after its last check, or after its approval. Reads in
    bulk; writes one task and its audit entry per household that had none."""
    have = set(session.execute(select(CaseTask.household_id).where(
        CaseTask.kind == "在保核对", CaseTask.state == casetasks.OPEN, CaseTask.deleted_at.is_(None))).scalars())
    last = dict(session.execute(select(Step.household_id, func.max(Step.day)).where(
        Step.deleted_at.is_(None), Step.kind.in_(("家庭经济状况核对", "在保核对")))
        .group_by(Step.household_id)).all())
    opened = 0
    for hh in session.execute(select(Household).where(
            Household.deleted_at.is_(None), Household.status.in_(("在保", "暂停")))).scalars().all():
        if hh.id in have:
            continue
        days = [d for d in (last.get(hh.id), hh.approve_date, hh.apply_date) if d is not None]
        casetasks.open_task(session, actor, hh, kind="在保核对", rule="annual_check_months",
                            start=max(days) if days else today, known_new=True)
        opened += 1
    return opened


def recompute_all(session: Session, actor: Actor, *, today: date) -> Recomputed:
    """Everything at once (CLI ``procedure recompute``): tasks, transfers, reviews, and a yearly
    check task for every household in force that has none."""
    r = Recomputed("全部重新计算")
    r.tasks = casetasks.recompute(session, actor)
    r.transfers = _transfers(session, actor)
    r.reviews = _reviews(session, actor)
    r.opened = ensure_annual_checks(session, actor, today=today)
    return _summary(session, actor, r)
