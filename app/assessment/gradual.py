"""渐退 (gradual exit when income rises above the standard).

Rule (DOMAIN.md 渐退; local policy): for a reason that allows it (pension, finding work, a
disabled person finding work …) the household keeps its amount for the months set for that
reason (setting ``gradual_exit_months``), never more than standard × household size; the period
starts on the first day of the next month and is not recalculated automatically. When it ends
the household exits, unless the clerk decides otherwise; the exit itself is a proposal that a
审核人 approves (two pairs of eyes).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, rulesettings
from app import households as hs
from app.assessment import approvals
from app.assessment.approvals import ProposalInfo
from app.assessment.assess import assess, latest_inputs
from app.errors import NotFound, ValidationError
from app.permissions import Actor, require
from app.reviews import add_months
from db.assessment_models import GracePeriod
from db.models import Household, Village, utcnow

RUNNING, EXIT_PROPOSED, KEPT, ENDED = "进行中", "已提出退出", "不退出", "已结束"


@dataclass(frozen=True)
class GraceInfo:
    id: str
    household_id: str
    number: str
    head_name: str
    village: str
    reason: str
    months: int
    start: date
    end: date
    amount: Decimal
    state: str
    proposal_id: str | None
    note: str | None


@dataclass
class GraceStart:
    grace: GraceInfo
    proposal: ProposalInfo | None  # the capped amount, when the amount was above the cap
    lines: list[str] = field(default_factory=list)


@dataclass
class DueReport:
    proposed: list[ProposalInfo] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (household, why)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def grace_window(day: date, months: int) -> tuple[date, date]:
    """From the first day of the month after ``day`` to the last day of the last month."""
    start = month_end(day) + timedelta(days=1)
    return start, month_end(add_months(start, months - 1))


def _info(session: Session, g: GracePeriod) -> GraceInfo:
    hh = session.get(Household, g.household_id)
    village = session.get(Village, hh.village_id).name
    return GraceInfo(g.id, hh.id, hh.number, hh.head_name, village, g.reason, g.months, g.start,
                     g.end, Decimal(g.amount), g.state, g.proposal_id, g.note)


def active_grace(session: Session, household_id: str) -> GracePeriod | None:
    return session.execute(select(GracePeriod).where(
        GracePeriod.household_id == household_id, GracePeriod.state.in_((RUNNING, EXIT_PROPOSED)),
        GracePeriod.deleted_at.is_(None))).scalars().first()


def start_grace(session: Session, actor: Actor, household_id: str, *, reason: str, day: date,
                note: str | None = None) -> GraceStart:
    """Enter 渐退 on ``day`` (the date the rise of income was found), for ``reason``."""
    require(actor, "household.propose")
    months_by_reason = rulesettings.get(session, "gradual_exit_months")
    if reason not in months_by_reason:
        raise ValidationError("渐退原因", reason, f"应为设置中允许渐退的原因之一：{'、'.join(months_by_reason)}")
    hh = session.get(Household, household_id)
    if hh is None or hh.deleted_at is not None:
        raise NotFound(f"找不到家庭：{household_id}")
    if hh.status != "在保":
        raise ValidationError("保障状态", hh.status, "只有“在保”的家庭可以进入渐退期")
    if active_grace(session, hh.id) is not None:
        raise ValidationError("渐退期", f"{hh.head_name}户", "该户已在渐退期内")
    result = assess(session, hh.id, day=day, inputs=latest_inputs(session, hh.id))
    d = result.derivation
    if d.method in ("特困", "不适用"):
        raise ValidationError("保障类别", hh.category, "渐退适用于城乡低保家庭")
    if d.income_per_person < d.standard:
        raise ValidationError("月人均收入", f"{d.income_per_person:.2f}", f"未超过{d.standard_label} "
                              f"{d.standard:.2f} 元，不需渐退（收入超标时才进入渐退期）")
    months = int(months_by_reason[reason])
    start, end = grace_window(day, months)
    cap = (d.standard * result.means.persons_counted).quantize(Decimal("0.01"))
    current = Decimal(hh.monthly_amount)
    amount = min(current, cap)
    proposal = None
    if amount < current:
        proposal = approvals.propose_change(
            session, actor, hh.id, day=start, monthly_amount=amount,
            reason=f"渐退期内保障金额不超过标准×家庭人口（{d.standard:.2f} × {result.means.persons_counted}"
                   f" = {cap:.2f} 元）")
    g = GracePeriod(owner_office=hh.owner_office, household_id=hh.id, reason=reason, months=months,
                    start=start, end=end, amount=amount, state=RUNNING, note=note or None,
                    updated_by=actor.username)
    session.add(g)
    audit.record_change(session, actor, "grace.create", "grace", g, None)
    hs.add_step(session, actor, hh, kind="调整", day=day, handler=actor.display_name,
                 outcome=f"进入渐退期（{reason}，{months}个月）",
                 note=f"月人均收入 {d.income_per_person:.2f} 元超过{d.standard_label} {d.standard:.2f} 元；"
                      f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d} 保持 {amount:.2f} 元，期满退出")
    lines = list(result.lines()) + [f"渐退期 {start} 至 {end}（{months} 个月），保持 {amount:.2f} 元"]
    return GraceStart(_info(session, g), proposal, lines)


def grace_ending(session: Session, *, today: date) -> list[GraceInfo]:
    """Grace periods (running) ending this month or next month, soonest first."""
    last = month_end(month_end(today) + timedelta(days=1))
    rows = session.execute(select(GracePeriod).where(
        GracePeriod.state == RUNNING, GracePeriod.deleted_at.is_(None),
        GracePeriod.end <= last).order_by(GracePeriod.end)).scalars()
    return [_info(session, g) for g in rows]


def list_grace(session: Session, *, states: tuple[str, ...] = (RUNNING, EXIT_PROPOSED)) -> list[GraceInfo]:
    rows = session.execute(select(GracePeriod).where(
        GracePeriod.state.in_(states), GracePeriod.deleted_at.is_(None)).order_by(GracePeriod.end)).scalars()
    return [_info(session, g) for g in rows]


def keep_household(session: Session, actor: Actor, grace_id: str, *, note: str) -> GraceInfo:
    """The clerk decides the household does not exit when the period ends (reason required)."""
    require(actor, "household.propose")
    g = session.get(GracePeriod, grace_id)
    if g is None or g.state != RUNNING:
        raise NotFound(f"找不到进行中的渐退期：{grace_id}")
    if not (note or "").strip():
        raise ValidationError("不退出理由", note, "必须填写（如 收入再次下降、复核后仍符合条件）")
    before = audit.state(g)
    g.state = KEPT
    g.note = ((g.note + "；") if g.note else "") + f"不退出：{note.strip()}"
    g.updated_at, g.updated_by = utcnow(), actor.username
    audit.record_change(session, actor, "grace.update", "grace", g, before)
    return _info(session, g)


def process_due_exits(session: Session, actor: Actor, *, today: date) -> DueReport:
    """For every running grace period ending by the end of this month, propose the exit
    (effective the day after it ends) for a 审核人 to approve."""
    require(actor, "household.propose")
    report = DueReport()
    rows = session.execute(select(GracePeriod).where(
        GracePeriod.state == RUNNING, GracePeriod.deleted_at.is_(None),
        GracePeriod.end <= month_end(today)).order_by(GracePeriod.end)).scalars().all()
    for g in rows:
        hh = session.get(Household, g.household_id)
        if hh.status not in hs.IN_FORCE:
            report.skipped.append((hh.head_name, f"状态为“{hh.status}”，无需退出"))
            continue
        if approvals.open_proposal(session, hh.id) is not None:
            report.skipped.append((hh.head_name, "有待审核的提议，请先处理"))
            continue
        p = approvals.propose_exit(session, actor, hh.id, day=g.end + timedelta(days=1),
                                   reason=f"渐退期满（{g.reason}，{g.start:%Y-%m-%d}至{g.end:%Y-%m-%d}）")
        before = audit.state(g)
        g.state, g.proposal_id = EXIT_PROPOSED, p.id
        g.updated_at, g.updated_by = utcnow(), actor.username
        audit.record_change(session, actor, "grace.update", "grace", g, before)
        report.proposed.append(p)
    return report
