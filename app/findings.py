"""Findings of the cross-checks: kept by a stable key (re-running never duplicates), reviewed
by the clerk, confirmed into a problem (source 大数据比对, app.ledgers.problems) or dismissed
with a reason — both audited. A pending finding that a later run no longer produces becomes
已消失 (e.g. the household was stopped meanwhile).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from app import audit, bulk, checks, clock
from app.errors import NotFound, ValidationError
from app.ledgers import problems as pr
from app.permissions import Actor, require
from db.check_models import CHECK_LABELS, CheckFinding
from db.ledger_models import Problem
from db.models import Household, Village, new_id, utcnow

PENDING, CONFIRMED, DISMISSED, GONE = "待处理", "已确认", "已排除", "已消失"
STATES = (PENDING, CONFIRMED, DISMISSED, GONE)
audit.ENTITY_LABELS.update(CHECK_LABELS)


@dataclass(frozen=True)
class RunReport:
    rule: str
    label: str
    found: int
    new: int
    gone: int


@dataclass(frozen=True)
class FindingInfo:
    id: str
    rule: str
    rule_label: str
    category: str
    state: str
    evidence: str
    person_name: str | None
    id_number: str | None
    household_id: str | None
    household_number: str | None
    village: str | None
    found_date: date
    last_seen: date
    decided_date: date | None
    decided_by: str | None
    reason: str | None
    problem_number: str | None


def _rules(rule: str | None) -> list[str]:
    if rule is None:
        return list(checks.RULES)
    if rule not in checks.RULES:
        raise ValidationError("比对规则", rule, "应为：" + "、".join(f"{k}（{v[0]}）" for k, v in checks.RULES.items()))
    return [rule]


def run_checks(session: Session, actor: Actor, *, rule: str | None = None, today: date | None = None,
               progress: Callable[[int, int, str], None] | None = None) -> list[RunReport]:
    """Run one rule or all; store new findings, refresh the evidence of known ones. Audited as
    one event with the counts."""
    require(actor, "import.source")
    today = today or clock.today()
    names = _rules(rule)
    reports = []
    for i, name in enumerate(names):
        label, fn = checks.RULES[name]
        if progress:
            progress(i, len(names), f"正在比对：{label}")
        drafts = {d.key: d for d in fn(session, today)}
        known = {k: (fid, state, evidence, seen) for fid, k, state, evidence, seen in session.execute(
            select(CheckFinding.id, CheckFinding.key, CheckFinding.state, CheckFinding.evidence,
                   CheckFinding.last_seen).where(CheckFinding.rule == name, CheckFinding.deleted_at.is_(None)))}
        now = utcnow()
        rows, seen, changed = [], [], []
        for key, d in drafts.items():
            f = known.get(key)
            if f is None:
                rows.append({"id": new_id(), "owner_office": actor.office_code, "version": 1, "created_at": now,
                             "updated_at": now, "updated_by": actor.username, "deleted_at": None, "key": key,
                             "rule": name, "category": d.category, "household_id": d.household_id,
                             "member_id": d.member_id, "person_name": d.person_name, "id_number": d.id_number,
                             "source_id": d.source_id, "evidence": d.evidence, "state": PENDING, "found_date": today,
                             "last_seen": today, "decided_date": None, "decided_by": None, "reason": None,
                             "problem_id": None})
            elif f[1] == GONE or f[2] != d.evidence:
                changed.append({"id": f[0], "state": PENDING if f[1] == GONE else f[1], "evidence": d.evidence,
                                "last_seen": today, "updated_at": now})
            elif f[3] != today:
                seen.append({"id": f[0], "last_seen": today})
        gone = [{"id": f[0], "state": GONE, "updated_at": now} for key, f in known.items()
                if key not in drafts and f[1] == PENDING]
        table = CheckFinding.__table__
        bump = {"version": table.c.version + literal_column("1")}
        bulk.update_rows(session, table, changed, also=bump)
        bulk.update_rows(session, table, seen)
        bulk.update_rows(session, table, gone, also=bump)
        bulk.insert_rows(session, table, rows)
        gone = len(gone)
        reports.append(RunReport(name, label, len(drafts), len(rows), gone))
    session.expire_all()
    audit.record(session, actor, "check.run", "check", rule or "all", None,
                 {"day": today.isoformat(), "rules": {r.rule: {"found": r.found, "new": r.new, "gone": r.gone}
                                                      for r in reports}})
    return reports


def last_run(session: Session) -> date | None:
    """The day of the last run of the checks (from the audit trail)."""
    from db.models import AuditEntry

    ts = session.execute(select(AuditEntry.ts).where(AuditEntry.action == "check.run")
                         .order_by(AuditEntry.seq.desc()).limit(1)).scalar()
    return ts.date() if ts else None


def monthly_reminder(session: Session, today: date) -> str | None:
    """首页 reminder: the checks are run monthly (每月与殡葬死亡数据比对); pending findings wait."""
    last = last_run(session)
    pending = session.execute(select(func.count()).select_from(CheckFinding).where(
        CheckFinding.deleted_at.is_(None), CheckFinding.state == PENDING)).scalar_one()
    parts = []
    if last is None or (last.year, last.month) != (today.year, today.month):
        parts.append(f"本月尚未运行数据比对（上次：{last or '从未运行'}），请导入最新的殡葬死亡等名单后运行比对")
    if pending:
        parts.append(f"待处理的比对疑点 {pending} 条")
    return "；".join(parts) or None


def list_findings(session: Session, *, rule: str | None = None, state: str | None = None,
                  village: str | None = None, text: str | None = None, limit: int | None = None,
                  ids: list[str] | None = None) -> list[FindingInfo]:
    stmt = (select(CheckFinding, Household.number, Village.name, Problem.number)
            .outerjoin(Household, Household.id == CheckFinding.household_id)
            .outerjoin(Village, Village.id == Household.village_id)
            .outerjoin(Problem, Problem.id == CheckFinding.problem_id)
            .where(CheckFinding.deleted_at.is_(None)))
    if ids is not None:
        stmt = stmt.where(CheckFinding.id.in_(ids))
    if rule:
        stmt = stmt.where(CheckFinding.rule == _rules(rule)[0])
    if state:
        if state not in STATES:
            raise ValidationError("处理状态", state, f"应为：{'、'.join(STATES)}")
        stmt = stmt.where(CheckFinding.state == state)
    if village:
        stmt = stmt.where(Village.name == village)
    if text:
        t = text.strip()
        stmt = stmt.where(CheckFinding.evidence.contains(t) | (CheckFinding.id_number == t.upper()))
    stmt = stmt.order_by(CheckFinding.found_date.desc(), CheckFinding.rule, CheckFinding.key)
    if limit:
        stmt = stmt.limit(limit)
    return [FindingInfo(f.id, f.rule, checks.RULES.get(f.rule, (f.rule,))[0], f.category, f.state, f.evidence,
                        f.person_name, f.id_number, f.household_id, number, vname, f.found_date, f.last_seen,
                        f.decided_date, f.decided_by, f.reason, pnum)
            for f, number, vname, pnum in session.execute(stmt)]


def _finding(session: Session, ref: str) -> CheckFinding:
    ref = (ref or "").strip().lower()
    f = session.get(CheckFinding, ref)
    if f is None and len(ref) >= 6:
        hits = session.execute(select(CheckFinding).where(CheckFinding.id.startswith(ref),
                                                          CheckFinding.deleted_at.is_(None))).scalars().all()
        f = hits[0] if len(hits) == 1 else None
    if f is None or f.deleted_at is not None:
        raise NotFound(f"找不到比对疑点“{ref}”（请用 finding list 中的编号）")
    return f


def _open(f: CheckFinding) -> None:
    if f.state not in (PENDING, GONE):
        raise ValidationError("疑点状态", f.state, f"该疑点已于 {f.decided_date} 由 {f.decided_by} 处理（{f.state}）")


def confirm_finding(session: Session, actor: Actor, ref: str, *, responsible: str | None = None,
                    deadline: date | None = None, note: str | None = None,
                    today: date | None = None) -> FindingInfo:
    """Confirm a finding into a problem (source 大数据比对, category of the rule); a problem
    already opened for the same key (e.g. by the near-relative check) is linked, not doubled."""
    require(actor, "ledger.edit")
    today = today or clock.today()
    f = _finding(session, ref)
    _open(f)
    before = audit.state(f)
    existing = session.execute(select(Problem).where(Problem.auto_key == f.key, Problem.deleted_at.is_(None))
                               ).scalars().first()
    if existing is None:
        households = [f.household_id] if f.household_id else []
        info = pr.create_problem(
            session, actor, source="大数据比对", category=f.category, description=f"数据比对发现：{f.evidence}",
            found_date=today, responsible=responsible or actor.display_name, deadline=deadline,
            households=households, member_id=f.member_id if households else None, note=note,
            measures=None, auto_key=f.key, today=today)
        f.problem_id = info.id
    else:
        f.problem_id = existing.id
    f.state, f.decided_date, f.decided_by = CONFIRMED, today, actor.display_name
    f.reason = (note or "").strip() or None
    f.updated_at, f.updated_by = utcnow(), actor.username
    audit.record_change(session, actor, "finding.confirm", "check_finding", f, before)
    return _info(session, f)


def dismiss_finding(session: Session, actor: Actor, ref: str, *, reason: str,
                    today: date | None = None) -> FindingInfo:
    """Dismiss a finding with a reason (e.g. 同名不同人, 已停保); audited. It is not raised again."""
    require(actor, "ledger.edit")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError("排除理由", reason, "必须填写（如：经核实为同名不同人）")
    f = _finding(session, ref)
    _open(f)
    before = audit.state(f)
    f.state, f.decided_date, f.decided_by = DISMISSED, today or clock.today(), actor.display_name
    f.reason, f.updated_at, f.updated_by = reason, utcnow(), actor.username
    audit.record_change(session, actor, "finding.dismiss", "check_finding", f, before)
    return _info(session, f)


def _info(session: Session, f: CheckFinding) -> FindingInfo:
    session.flush()
    return list_findings(session, ids=[f.id])[0]
