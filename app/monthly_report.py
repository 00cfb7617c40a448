"""The 动态管理月报's selection: every change by the day it takes effect, cut off when the
month's report is first made.

A change (新增, 退出, 死亡 of a household or of a member of a household that stays, 金额调整)
belongs to the month it takes effect in. The first report made for a month is that month's
snapshot (``report_runs``): a change entered after it is not lost but goes into the first later
month's report that had not been made when it was entered, marked 补报. Entry time is when the
reviewer approved the proposal (or when the member's removal was recorded).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import asat, clock, documents, townships
from db.assessment_models import Proposal
from db.models import Household, Member, Village
from db.report_models import MemberExit, ReportRun

KIND = "monthly"
LOOKBACK = timedelta(days=400)  # how far back a late entry is still picked up


@dataclass(frozen=True)
class Candidate:
    row: documents.ChangeRow
    day: date  # effective day
    entered: datetime | None  # naive UTC; None: no record of when (counts as on time)


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _next(key: str) -> str:
    y, m = int(key[:4]), int(key[5:])
    return f"{y + (m == 12):04d}-{m % 12 + 1:02d}"


def first_runs(session: Session, office: str) -> dict[str, datetime]:
    """Month → the moment its first 月报 was made (the month's cut-off)."""
    runs: dict[str, datetime] = {}
    for period, made in session.execute(select(ReportRun.period, ReportRun.made_at).where(
            ReportRun.office == office, ReportRun.kind == KIND).order_by(ReportRun.made_at)):
        runs.setdefault(period, made)
    return runs


def report_month(day: date, entered: datetime | None, runs: dict[str, datetime]) -> str:
    """The month whose report lists a change: its own, or — entered after that month's report
    was made — the first later month not yet reported when it was entered."""
    key = month_key(day)
    if entered is None or key not in runs or entered <= runs[key]:
        return key
    key = _next(key)
    while key in runs and runs[key] < entered:
        key = _next(key)
    return key


def _decided(session: Session, kinds: tuple[str, ...], ids: list[str]) -> dict[tuple[str, date], datetime]:
    """(household, effective day) → when the approved proposal was decided."""
    if not ids:
        return {}
    out: dict[tuple[str, date], datetime] = {}
    for hid, day, decided in session.execute(select(Proposal.household_id, Proposal.day, Proposal.decided_at).where(
            Proposal.state == "已批准", Proposal.kind.in_(kinds), Proposal.deleted_at.is_(None),
            Proposal.household_id.in_(ids))):
        if decided is not None:
            out[(hid, day)] = max(decided, out.get((hid, day), decided))
    return out


def candidates(session: Session, start: date, end: date) -> list[Candidate]:
    """Every change taking effect from ``start`` to ``end``, with when it was entered."""
    from app.reports import Period, in_period, household_rows

    period = Period(start, end, "")
    out: list[Candidate] = []
    # each row's figures as on its day (a later change never rewrites an earlier month)
    history = asat.load(session, start - timedelta(days=1))
    new = [history.row(r, r.approve_date) for r in household_rows(
        session, in_period(Household.approve_date, period), Household.status.in_(("在保", "已退出", "暂停")))]
    entered = _decided(session, ("纳入",), [r.uuid for r in new])
    for r in new:
        out.append(Candidate(documents.ChangeRow(
            "新增", r.head_name, r.village, r.household_size, None, r.monthly_amount,
            r.poverty_cause or "", r.approve_date, r.category), r.approve_date,
            entered.get((r.uuid, r.approve_date))))
    # an exit shows the household as it was the day before: the amount that stops
    gone = [history.row(r, r.exit_date - timedelta(days=1)) for r in household_rows(
        session, in_period(Household.exit_date, period), Household.status == "已退出")]
    entered = _decided(session, ("退出",), [r.uuid for r in gone])
    for r in gone:
        died = "死亡" in (r.exit_reason or "")
        out.append(Candidate(documents.ChangeRow(
            "死亡" if died else "退出", r.head_name, r.village, r.household_size, r.monthly_amount,
            Decimal("0"), "死亡，终止保障" if died else (r.exit_reason or ""), r.exit_date, r.category),
            r.exit_date, entered.get((r.uuid, r.exit_date))))
    out += _adjustments(session, start, end, history)
    out += _member_deaths(session, start, end, history)
    return out


def _adjustments(session: Session, start: date, end: date, history: asat.History) -> list[Candidate]:
    """Each approved change of the monthly amount, by its effective day, as its own row."""
    from app.reports import household_rows

    stmt = (select(Proposal.household_id, Proposal.before, Proposal.after, Proposal.day, Proposal.decided_at)
            .where(Proposal.state == "已批准", Proposal.kind.in_(("金额调整", "类别变更")),
                   Proposal.deleted_at.is_(None), Proposal.day.between(start, end))
            .order_by(Proposal.day, Proposal.decided_at))
    found = []
    for hid, before, after, day, decided in session.execute(stmt):
        b, a = json.loads(before or "{}"), json.loads(after or "{}")
        if "monthly_amount" in b and "monthly_amount" in a and Decimal(b["monthly_amount"]) != Decimal(a["monthly_amount"]):
            found.append((hid, Decimal(b["monthly_amount"]), Decimal(a["monthly_amount"]), day, decided))
    if not found:
        return []
    by_id = {r.uuid: r for r in household_rows(session, Household.id.in_({f[0] for f in found}))}
    return [Candidate(documents.ChangeRow("调整", r.head_name, r.village,
                                          history.size(hid, day, r.household_size), old, new, "调整保障金额", day,
                                          history.category(hid, day, r.category)), day, decided)
            for hid, old, new, day, decided in found if (r := by_id.get(hid))]


def _member_deaths(session: Session, start: date, end: date, history: asat.History) -> list[Candidate]:
    """Members who died in a household that stays 在保 (or 暂停): the household goes on, the
    person is reported under the date of death."""
    from app.reports import household_sizes

    sizes = household_sizes(session)
    stmt = (select(MemberExit, Member.name, Household, Village.name)
            .join(Member, Member.id == MemberExit.member_id)
            .join(Household, Household.id == MemberExit.household_id)
            .join(Village, Village.id == Household.village_id)
            .where(MemberExit.died.is_(True), MemberExit.deleted_at.is_(None),
                   MemberExit.day.between(start, end), Household.deleted_at.is_(None))
            .order_by(MemberExit.day))
    out = []
    township = townships.prefixes(session)
    for ex, name, hh, village in session.execute(stmt):
        if hh.status == "已退出" and hh.exit_date and start <= hh.exit_date <= end and "死亡" in (hh.exit_reason or ""):
            continue  # the household's own 死亡 row already reports the case
        amount = history.amount(hh.id, ex.day, hh.monthly_amount)
        out.append(Candidate(documents.ChangeRow(
            "死亡", name, township.get(hh.owner_office, "") + village,
            history.size(hh.id, ex.day, sizes.get(hh.id, 0)), amount, amount,
            "户内成员死亡，家庭继续保障", ex.day, history.category(hh.id, ex.day, hh.category)),
            ex.day, ex.created_at))
    return out


def month_changes(session: Session, office: str, start: date, end: date) -> list[documents.ChangeRow]:
    """The rows of the month's report: its own changes up to its cut-off, plus 补报."""
    runs = first_runs(session, office)
    key = month_key(start)
    rows = []
    for c in sorted(candidates(session, start - LOOKBACK, end), key=lambda c: (c.day, c.row.name)):
        if report_month(c.day, c.entered, runs) != key:
            continue
        late = month_key(c.day) != key
        rows.append(documents.ChangeRow(**{**asdict(c.row), "late": late}) if late else c.row)
    return rows


def content_hash(rows: list[documents.ChangeRow], stock: documents.StockFigures) -> str:
    data = [asdict(r) for r in rows] + [asdict(stock)]
    return hashlib.sha256(json.dumps(data, default=str, ensure_ascii=False, sort_keys=True)
                          .encode("utf-8")).hexdigest()


def record_run(session: Session, office: str, period_key: str, digest: str, username: str) -> ReportRun:
    run = ReportRun(office=office, kind=KIND, period=period_key, made_at=clock.utcnow(),
                    made_by=username, content_hash=digest)
    session.add(run)
    session.flush()
    return run
