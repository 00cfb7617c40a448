"""The 首页 (dashboard): registry counts (households by status, category and village, members,
reviews due or overdue), every due or overdue item of the ledgers, reviews, approvals and 渐退,
the 动态管理月报 reminder, and the series of its charts — read in one unit of work."""
from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock, codes, own_work, reviews, rulesettings
from db.models import AuditEntry, Household, Member, Village

DUE_SOON_DAYS = 30


@dataclass
class Dashboard:
    households: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_village: dict[str, dict[str, int]] = field(default_factory=dict)  # village -> status -> n
    members_active: int = 0  # persons in 申请中/在保/暂停 households
    members_covered: int = 0  # 保障对象 in 在保 households
    reviews_due: int = 0  # 在保, next review within DUE_SOON_DAYS
    reviews_overdue: int = 0  # 在保, next review before today
    today: date | None = None


def registry_counts(session: Session, office_code: str, *, today: date | None = None) -> Dashboard:
    """Counts over live households of ``office_code``.

    Overdue follows :func:`app.reviews.is_review_overdue` (next review date before today),
    applied to 在保 households only (在保必核).
    """
    today = today or clock.today()
    d = Dashboard(today=today)
    live = (Household.deleted_at.is_(None), Household.owner_office == office_code)
    for status, n in session.execute(select(Household.status, func.count()).where(*live)
                                     .group_by(Household.status)):
        d.by_status[status] = n
    # 在册 = 申请中/在保/暂停, as the category and village charts and 在册人口 count
    d.households = sum(n for st, n in d.by_status.items() if st in codes.ACTIVE_STATUSES)
    order = {c: i for i, c in enumerate(codes.values("categories"))}
    rows = session.execute(select(Household.category, func.count()).where(
        *live, Household.status.in_(codes.ACTIVE_STATUSES)).group_by(Household.category)).all()
    d.by_category = dict(sorted(rows, key=lambda r: order.get(r[0], 99)))
    for vname, status, n in session.execute(
            select(Village.name, Household.status, func.count())
            .join(Village, Village.id == Household.village_id).where(*live)
            .group_by(Village.name, Household.status).order_by(Village.name)):
        d.by_village.setdefault(vname, {})[status] = n
    member_live = (Member.deleted_at.is_(None), Member.household_id == Household.id)
    d.members_active = session.execute(select(func.count()).select_from(Member).join(
        Household, Household.id == Member.household_id).where(
        *live, *member_live, Household.status.in_(codes.ACTIVE_STATUSES))).scalar_one()
    d.members_covered = session.execute(select(func.count()).select_from(Member).join(
        Household, Household.id == Member.household_id).where(
        *live, *member_live, Household.status == "在保", Member.covered.is_(True))).scalar_one()
    due = _due_counts(session, office_code, today)  # the one home: app.reviews
    d.reviews_overdue = sum(overdue for _due, overdue in due.values())
    d.reviews_due = sum(soon for soon, _overdue in due.values())
    return d


def _due_counts(session: Session, office_code: str, today: date) -> dict:
    """Reviews overdue or due within DUE_SOON_DAYS by class (cached for the unit of work)."""
    key = ("due_counts", office_code, today)
    if key not in session.info:
        session.info[key] = reviews.due_counts(session, today=today, within_days=DUE_SOON_DAYS,
                                               office_code=office_code)
    return session.info[key]


# ---------------------------------------------------------------- what is due (首页 reminders)

RECTIFY_SOON_DAYS = 7  # 整改时限: amber when due within a week, red when passed
PETITION_SOON_DAYS = 7
LIST_LIMIT = 50  # rows per reminder list shown on the 首页


@dataclass(frozen=True)
class ReviewRow:
    household_id: str
    number: str
    head_name: str
    village: str
    classification: str  # "A" | "B" | "C" | "未分类"
    next_review_date: date
    days_left: int  # negative: overdue by that many days


@dataclass(frozen=True)
class PetitionRow:
    petition_id: str
    number: str
    limit: str  # 登记转送 | 办结 | 复查答复 | 复核答复
    due: date
    days_left: int
    priority: bool
    channel: str
    note: str  # extension: "已延期 30 日" / "可延期一次（最多 30 日）" / ""


@dataclass(frozen=True)
class ProposalRow:
    proposal_id: str
    household_id: str
    number: str
    head_name: str
    village: str
    kind: str
    day: date
    proposed_by: str


@dataclass(frozen=True)
class GraceRow:
    household_id: str
    number: str
    head_name: str
    village: str
    reason: str
    end: date
    amount: Decimal


@dataclass(frozen=True)
class MonthlyReport:
    """动态管理月报 of the current month: due on ``monthly_report_day`` (25th)."""

    due: date
    days_left: int  # negative: overdue
    made_on: date | None  # the day the report of this month was printed or exported, if any

    @property
    def overdue(self) -> bool:
        return self.made_on is None and self.days_left < 0

    def text(self) -> str:
        if self.made_on is not None:
            return f"本月动态管理月报已于 {self.made_on:%m月%d日} 生成，请确认已报送区（县）民政局。"
        if self.days_left > 0:
            return f"本月 {self.due.day} 日前报送动态管理月报，还有 {self.days_left} 天。"
        if self.days_left == 0:
            return f"今天（{self.due.day} 日）是动态管理月报的报送截止日，请尽快报送。"
        return (f"本月动态管理月报应于 {self.due.day} 日前报送，已逾期 {-self.days_left} 天，"
                "请在“报表打印”中生成并报送。")


@dataclass(frozen=True)
class CaseLimitRow:
    """A time limit of a case or a tracked case task (app.timelimits, app.casetasks), near or late."""

    household_id: str
    household: str  # "张三户（户编号）"
    village: str
    rule: str
    due: date
    days_left: int
    warning: str | None = None


CASE_SOON_DAYS = 5


def case_limit_rows(session: Session, today: date, households: frozenset[str] | None = None) -> list[CaseLimitRow]:
    """Case time limits and case tasks due within CASE_SOON_DAYS days or late, soonest first
    (of the given households only, when given: a district's own)."""
    from app import casetasks, timelimits

    if households is not None and not households:
        return []  # a district without households of its own: nothing to compute
    rows = [CaseLimitRow(c.household_id, f"{c.head_name}户（{c.number}）", c.village, c.limit.rule,
                         c.limit.due, (c.limit.due - today).days, c.limit.warning)
            for c in timelimits.near_or_late(session, today=today, near_days=CASE_SOON_DAYS)]
    rows += [CaseLimitRow(t.household_id, t.household, t.village, t.kind, t.due, (t.due - today).days,
                          t.warning)
             for t in casetasks.list_tasks(session, due_by=today + timedelta(days=CASE_SOON_DAYS))]
    rows = own_work.keep(rows, "household_id", households)
    return sorted(rows, key=lambda r: (r.due, r.household))[:LIST_LIMIT]


@dataclass
class HomeData:
    """Everything the 首页 shows, loaded in one background query."""

    counts: Dashboard
    today: date
    rectifications: list = field(default_factory=list)  # overview.RectificationDue
    transfers: list = field(default_factory=list)  # overview.TransferDue
    petitions: list[PetitionRow] = field(default_factory=list)
    reviews_by_class: dict[str, tuple[int, int]] = field(default_factory=dict)  # class -> (due, overdue)
    reviews: list[ReviewRow] = field(default_factory=list)  # overdue first, at most LIST_LIMIT
    proposals_pending: int | None = None  # None: not shown to this role
    proposals: list[ProposalRow] = field(default_factory=list)
    grace_ending: list[GraceRow] = field(default_factory=list)
    monthly_report: MonthlyReport | None = None
    check_reminder: str | None = None  # 数据比对 monthly (app.findings.monthly_reminder)
    documents: list = field(default_factory=list)  # doc_reminders.DocReminder: 台账, 公示
    money_by_month: list[tuple[str, Decimal]] = field(default_factory=list)  # ("2026-05", total)
    case_limits: list[CaseLimitRow] = field(default_factory=list)  # 办理时限 near or late


def _month_start(day: date, back: int = 0) -> date:
    m = day.year * 12 + day.month - 1 - back
    return date(m // 12, m % 12 + 1, 1)


def money_by_month(session: Session, office_code: str, *, today: date | None = None,
                   months: int = 12) -> list[tuple[str, Decimal]]:
    """Money per month over the last ``months`` months (the current one last): the sum of
    ``monthly_amount`` of the households in force at some time during the month, i.e. approved
    on or before its last day and not exited before its first day.

    An approximation from the register: each household counts with its current amount (changes
    of amount within the period are not replayed); households never approved do not count.
    """
    today = today or clock.today()
    first = _month_start(today, months - 1)
    rows = session.execute(select(Household.approve_date, Household.exit_date, Household.monthly_amount).where(
        Household.deleted_at.is_(None), Household.owner_office == office_code,
        Household.approve_date.is_not(None), Household.approve_date <= today,
        (Household.exit_date.is_(None)) | (Household.exit_date >= first))).all()
    out = []
    for back in range(months - 1, -1, -1):
        start = _month_start(today, back)
        end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        total = sum((Decimal(amount or 0) for approved, exited, amount in rows
                     if approved <= end and (exited is None or exited >= start)), Decimal("0"))
        out.append((f"{start:%Y-%m}", total))
    return out


def _monthly_report(session: Session, today: date) -> MonthlyReport:
    day = min(int(rulesettings.get(session, "monthly_report_day")),
              calendar.monthrange(today.year, today.month)[1])
    due = today.replace(day=day)
    label = f"{today.year}年{today.month}月"
    made = None
    for ts, after in session.execute(select(AuditEntry.ts, AuditEntry.after).where(
            AuditEntry.entity == "document", AuditEntry.entity_id == "动态管理月报",
            AuditEntry.ts >= datetime(today.year, today.month, 1) - timedelta(days=1))
            .order_by(AuditEntry.seq)):
        try:
            period = json.loads(after or "{}").get("period")
        except ValueError:
            continue
        if period == label:
            made = ts.date()
            break
    return MonthlyReport(due, (due - today).days, made)


def _reviews(session: Session, office_code: str, today: date, d: HomeData) -> None:
    """在保 households whose 复核 is overdue or due within DUE_SOON_DAYS, by classification."""
    counts: dict[str, list[int]] = {}
    for cls, (soon, overdue) in _due_counts(session, office_code, today).items():
        c = counts.setdefault(cls or "未分类", [0, 0])
        c[0], c[1] = c[0] + soon, c[1] + overdue
    d.reviews_by_class = {k: (v[0], v[1]) for k, v in sorted(counts.items())}
    for r in reviews.due_reviews(session, today=today, within_days=DUE_SOON_DAYS,
                                 office_code=office_code, limit=LIST_LIMIT):
        d.reviews.append(ReviewRow(r.household_id, r.number, r.head_name, r.village,
                                   r.classification or "未分类", r.next_review_date, -r.days))


def home_data(session: Session, office_code: str, *, today: date | None = None,
              approvals_visible: bool = False) -> HomeData:
    """The 首页 in one read: registry counts, every due or overdue item, the monthly report
    reminder and the chart series. ``approvals_visible``: count pending proposals (审核人/管理员)."""
    from app.assessment import approvals, gradual
    from app.ledgers import overview
    from app.ledgers import petitions as pt
    from db.ledger_models import Petition

    today = today or clock.today()
    own = own_work.district_filter(session, office_code)  # a district: its own work only
    d = HomeData(counts=registry_counts(session, office_code, today=today), today=today)
    d.rectifications = own_work.keep(overview.rectifications_by_deadline(
        session, today=today, within_days=RECTIFY_SOON_DAYS), "problem_id", own and own.problems)[:LIST_LIMIT]
    d.transfers = own_work.keep(overview.late_transfers(session, today=today), "problem_id",
                                own and own.problems)[:LIST_LIMIT]
    extensions = dict(session.execute(select(Petition.id, Petition.extension_days).where(
        Petition.deleted_at.is_(None), Petition.state == pt.OPEN)).all())
    max_ext = rulesettings.get(session, "petition_extension_max_days")
    for r in own_work.keep(overview.petitions_near_limits(session, today=today, within_days=PETITION_SOON_DAYS),
                           "petition_id", own and own.petitions)[:LIST_LIMIT]:
        note = ""
        if r.limit == "办结":
            ext = extensions.get(r.petition_id) or 0
            note = f"已延期 {ext} 日" if ext else f"可延期一次（最多 {max_ext} 日，须说明理由）"
        d.petitions.append(PetitionRow(r.petition_id, r.number, r.limit, r.due, r.days_left,
                                       r.priority, r.channel, note))
    _reviews(session, office_code, today, d)
    if approvals_visible:
        pending = [] if own is not None and not own.proposals else own_work.keep(approvals.list_proposals(
            session, state=approvals.PENDING, limit=LIST_LIMIT if own is None else 100_000), "id",
            own and own.proposals)[:LIST_LIMIT]
        from db.assessment_models import Proposal
        d.proposals_pending = session.execute(select(func.count()).select_from(Proposal).where(
            Proposal.deleted_at.is_(None), Proposal.state == approvals.PENDING,
            *(() if own is None else (Proposal.owner_office == office_code,)))).scalar_one()
        d.proposals = [ProposalRow(p.id, p.household_id, p.household_number, p.head_name, p.village,
                                   p.kind, p.day, p.proposed_by) for p in pending]
    d.grace_ending = [GraceRow(g.household_id, g.number, g.head_name, g.village, g.reason, g.end, g.amount)
                      for g in own_work.keep(gradual.grace_ending(session, today=today), "household_id",
                                             own and own.households)][:LIST_LIMIT]
    d.monthly_report = _monthly_report(session, today)
    from app import findings

    d.check_reminder = findings.monthly_reminder(session, today)
    from app import doc_reminders
    d.documents = doc_reminders.reminders(session, office_code, today)
    d.money_by_month = money_by_month(session, office_code, today=today)
    d.case_limits = case_limit_rows(session, today, own and own.households)
    return d
