"""Reports from the database: fills the document builders' dataclasses (app.documents), writes
the file, and audits every document that contains personal data (who, what, when, which file).
"""
from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from app import asat, audit, clock, documents, monthly_report, publicity_service, rulesettings, townships
from app.errors import ValidationError
from app.offices import own_office
from app.permissions import Actor, require
from db.models import Household, Member, Office, Village


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str


def parse_period(text: str | None, *, today: date) -> Period:
    """'2026-11' (month), '2026Q4' (quarter), '2026' (year) or '2026-01-01:2026-06-30'."""
    t = (text or f"{today:%Y-%m}").strip().upper()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", t):
        y, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12:
            return Period(date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1]), f"{y}年{mo}月")
    if m := re.fullmatch(r"(\d{4})Q([1-4])", t):
        y, q = int(m[1]), int(m[2])
        end_month = q * 3
        return Period(date(y, end_month - 2, 1), date(y, end_month, calendar.monthrange(y, end_month)[1]),
                      f"{y}年第{'一二三四'[q - 1]}季度")
    if re.fullmatch(r"\d{4}", t):
        return Period(date(int(t), 1, 1), date(int(t), 12, 31), f"{t}年")
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2})", t):
        try:
            a, b = date.fromisoformat(m[1]), date.fromisoformat(m[2])
        except ValueError:
            a = b = None
        if a and b and a <= b:
            return Period(a, b, f"{a:%Y年%m月%d日}至{b:%Y年%m月%d日}")
    raise ValidationError("期间", text, "格式应为 2026-11（月）、2026Q4（季度）、2026（年）或 2026-01-01:2026-06-30")


def office_info(session: Session) -> documents.OfficeInfo:
    o = own_office(session)
    parent = session.execute(select(Office.name).where(Office.code == o.parent_code)).scalar()
    return documents.OfficeInfo(code=o.code, name=o.name, district_name=parent or "区（县）民政局",
                                phone=o.phone or "", district_phone=o.district_phone or "",
                                address=o.address or o.name, doc_prefix=o.doc_prefix or "")


def household_sizes(session: Session) -> dict[str, int]:
    stmt = (select(Member.household_id, func.count()).where(Member.deleted_at.is_(None),
                                                            Member.lives_together.is_(True))
            .group_by(Member.household_id))
    return dict(session.connection().execute(stmt).all())


def _covered(session: Session) -> dict[str, tuple[tuple[str, date | None], ...]]:
    """Household → its covered persons (保障对象) living together: (name, birth date)."""
    out: dict[str, list[tuple[str, date | None]]] = {}
    for hid, name, birth in session.connection().execute(  # plain rows: no ORM result processing
            select(Member.household_id, Member.name, Member.birth_date)
            .where(Member.deleted_at.is_(None), Member.lives_together.is_(True), Member.covered.is_(True))
            .order_by(Member.household_id, Member.relation != "户主", Member.name)):
        out.setdefault(hid, []).append((name, birth))
    return {k: tuple(v) for k, v in out.items()}


_ROW_COLUMNS = (Household.id, Household.head_name, Household.category, Household.poverty_cause,
                Household.monthly_amount, Household.status, Household.apply_date, Household.approve_date,
                Household.exit_date, Household.exit_reason, Household.phone, Household.bank_account)


def household_rows(session: Session, *where) -> Iterator[documents.HouseholdRow]:  # noqa: ANN002
    """Households (with head member's ID and birth date, and the covered persons) as document
    rows, by village and number. Plain columns through the session's connection: no ORM objects
    or ORM result processing (a township's 3,000 rows)."""
    head = aliased(Member)
    sizes = household_sizes(session)
    covered = _covered(session)
    township = townships.prefixes(session)  # a district's reports name the township
    stmt = (select(*_ROW_COLUMNS, Household.owner_office, Village.name, head.id_number,
                   head.birth_date, head.health, head.disability)
            .join(Village, Village.id == Household.village_id)
            .outerjoin(head, (head.household_id == Household.id) & (head.relation == "户主")
                       & head.deleted_at.is_(None))
            .where(Household.deleted_at.is_(None), *where)
            .order_by(Village.owner_office, Village.sort_order, Village.name, Household.number))
    for (hid, head_name, category, cause, amount, status, apply_date, approve_date, exit_date, exit_reason,
         phone, bank_account, owner, village, id_number, birth, health, disability) in session.connection().execute(
            stmt.execution_options(yield_per=2000)):
        yield documents.HouseholdRow(
            uuid=hid, village=township.get(owner, "") + village, head_name=head_name,
            head_id_number=id_number,
            head_birth_date=birth, household_size=sizes.get(hid, 0), category=category,
            poverty_cause=cause or "", monthly_amount=amount,
            status=status, apply_date=apply_date, approve_date=approve_date,
            exit_date=exit_date, exit_reason=exit_reason,
            refuse_reason=exit_reason if status == "未通过" else None, phone=phone,
            bank_account=bank_account, illness=health, disability=disability,
            covered=covered.get(hid, ()))


def record_document(session: Session, actor: Actor, action: str, what: str, out: Path,
            result: documents.DocumentResult, **extra: object) -> None:
    audit.record(session, actor, action, "document", what,
                 None, {"what": what, "file": str(out.resolve()), "rows": result.rows,
                        "pages": result.pages, **extra})


def in_period(col, period: Period):  # noqa: ANN001, ANN202
    return col.between(period.start, period.end)


# ------------------------------------------------------------------ 公示

def make_gongshi(session: Session, actor: Actor, out: Path, *, period: Period,
                 village: str | None = None, start: date, paper: str = "A4",
                 today: date) -> documents.DocumentResult:
    """Standing 公示 of households 在保: one village (monthly) or the township (quarterly)."""
    require(actor, "export.personal")
    publicity_service.require_office_details(session, "公示")
    # the households 在保 and their figures as at the period's end (today while it runs): a
    # reprint of an earlier period shows what was true then (app.asat)
    asof = min(period.end, today)
    where = [asat.in_force_on(asof) if asof < today else Household.status == "在保"]
    if village:
        if not session.execute(select(Village.id).where(Village.name == village)).first():
            raise ValidationError("村（居）", village, "不是本单位的村（居）")
        where.append(Village.name == village)
    history = asat.load(session, asof)
    rows = [history.row(r, asof) for r in household_rows(session, *where)]
    result = documents.build_gongshi_pdf(
        out, office=office_info(session), households=rows, period_label=period.label,
        scope="village" if village else "township", village=village, start=start,
        days=rulesettings.get(session, "gongshi_days"), paper=paper, today=today)
    record_document(session, actor, "print", "公示", out, result, village=village, period=period.label)
    return result


# ------------------------------------------------------------------ 动态管理月报

def _amount_changes(session: Session, period: Period) -> list[tuple[str, Decimal, Decimal, date]]:
    """Approved amount changes that take effect in the period (the proposal's day), never by
    when they were typed or approved: (household, amount before, amount after, effective day)."""
    from db.assessment_models import Proposal

    stmt = (select(Proposal.household_id, Proposal.before, Proposal.after, Proposal.day)
            .where(Proposal.state == "已批准", Proposal.kind.in_(("金额调整", "类别变更")),
                   Proposal.deleted_at.is_(None), in_period(Proposal.day, period))
            .order_by(Proposal.day, Proposal.decided_at))
    first: dict[str, tuple[Decimal, Decimal, date]] = {}
    for hid, before, after, day in session.execute(stmt):
        b, a = json.loads(before or "{}"), json.loads(after or "{}")
        if b.get("monthly_amount") != a.get("monthly_amount"):
            old = first.get(hid, (Decimal(b["monthly_amount"]),))[0]
            first[hid] = (old, Decimal(a["monthly_amount"]), day)
    return [(hid, *v) for hid, v in first.items() if v[0] != v[1]]


def monthly_changes(session: Session, period: Period) -> tuple[list[documents.ChangeRow],
                                                               documents.StockFigures]:
    """The month's changes by the day they take effect, up to the month's first report, plus
    late entries (补报) of earlier months (app.monthly_report)."""
    changes = monthly_report.month_changes(session, own_office(session).code, period.start, period.end)
    return changes, stock_at(session, period.end)


def stock_at(session: Session, day: date) -> documents.StockFigures:
    """在保 households, persons living together and monthly amounts as at ``day`` (the month's
    end), by the dates changes take effect (app.asat), not today's rows."""
    history = asat.load(session, day)
    sizes = household_sizes(session)
    count, persons, money = 0, 0, Decimal("0")
    for hid, amount in session.execute(select(Household.id, Household.monthly_amount).where(
            Household.deleted_at.is_(None), asat.in_force_on(day))):
        count += 1
        persons += history.size(hid, day, sizes.get(hid, 0))
        money += history.amount(hid, day, Decimal(amount or 0))
    return documents.StockFigures(count, persons, money)


def make_monthly(session: Session, actor: Actor, out: Path, *, period: Period,
                 today: date) -> documents.DocumentResult:
    require(actor, "export.personal")
    if period.start.day != 1 or period.end.month != period.start.month:
        raise ValidationError("期间", period.label, "动态管理月报按月编制，请写成 2026-11 这样的月份")
    if period.start > today:
        raise ValidationError("期间", period.label, f"还没有开始（今天是 {today}），不能编制月报")
    changes, stock = monthly_changes(session, period)
    monthly_report.record_run(session, own_office(session).code, monthly_report.month_key(period.start),
                              monthly_report.content_hash(changes, stock), actor.username)
    day = min(rulesettings.get(session, "monthly_report_day"),
              calendar.monthrange(period.start.year, period.start.month)[1])
    build = documents.build_monthly_xlsx if out.suffix.lower() == ".xlsx" else documents.build_monthly_pdf
    result = build(out, office=office_info(session), year=period.start.year,
                   month=period.start.month, changes=changes, today=today, stock=stock,
                   due_date=period.start.replace(day=day))
    record_document(session, actor, "export" if out.suffix.lower() == ".xlsx" else "print", "动态管理月报",
            out, result, period=period.label)
    return result


# ------------------------------------------------------------------ 排查统计表

def make_screening(session: Session, actor: Actor, out: Path, *, period: Period) -> documents.DocumentResult:
    require(actor, "export.personal")
    result = documents.build_screening_xlsx(
        out, office=office_info(session),
        current_rows=household_rows(session, Household.status == "在保"),
        exited_rows=household_rows(session, Household.status == "已退出", in_period(Household.exit_date, period)),
        refused_rows=household_rows(session, Household.status == "未通过", in_period(Household.exit_date, period)),
        period_label=period.label)
    record_document(session, actor, "export", "排查统计表", out, result, period=period.label)
    return result


# ------------------------------------------------------------------ 自查自纠报告

def selfcheck_figures(session: Session, period: Period, *,
                      today: date | None = None) -> documents.SelfCheckFigures:
    from db.models import Step

    reviewed = session.execute(select(func.count(func.distinct(Step.household_id))).where(
        Step.kind == "复核", in_period(Step.day, period), Step.deleted_at.is_(None))).scalar_one()
    # households and persons as at the period's end (today while it runs), new ones as granted
    # and exits as they were the day before: a report for an earlier period is not rewritten
    # by what changed since (app.asat)
    today = today or clock.today()
    asof = min(period.end, today)
    history = asat.load(session, period.start - timedelta(days=1))
    sizes = household_sizes(session)

    def hp(day_of, *where) -> tuple[int, int]:  # noqa: ANN001, ANN002
        found = session.execute(select(Household.id, Household.approve_date, Household.exit_date).where(
            Household.deleted_at.is_(None), *where)).all()
        return len(found), sum(history.size(i, day_of(a, e), sizes.get(i, 0)) for i, a, e in found)

    standing = (Household.status.in_(("在保", "暂停")) if asof >= today else
                or_(asat.in_force_on(asof), and_(Household.status == "暂停", Household.approve_date <= asof)))
    households_all, persons_all = hp(lambda a, e: asof, standing)
    new_h, new_p = hp(lambda a, e: a, in_period(Household.approve_date, period))
    exit_h, exit_p = hp(lambda a, e: e - timedelta(days=1), Household.status == "已退出",
                        in_period(Household.exit_date, period))
    adjusted = len(_amount_changes(session, period))
    figures = documents.SelfCheckFigures(
        households_reviewed=max(reviewed, households_all) if households_all else reviewed,
        persons_reviewed=persons_all, newly_included_households=new_h, newly_included_persons=new_p,
        exited_households=exit_h, exited_persons=exit_p, adjusted_households=adjusted)
    _ledger_figures(session, period, figures, today)
    return figures


def _ledger_figures(session: Session, period: Period, figures: documents.SelfCheckFigures,
                    today: date) -> None:
    """Problem and petition figures from the ledgers (app.ledgers.reporting)."""
    from app.ledgers import reporting  # the ledgers only for the 自查自纠报告 (not every document)

    f = reporting.ledger_figures(session, period.start, period.end, today=today)
    figures.problems_by_category = f.problems_by_category
    figures.problems_by_source = f.problems_by_source
    figures.rectified, figures.overdue = f.rectified, f.overdue
    figures.transferred, figures.transfers_late = f.transferred, f.transfers_late
    figures.petitions_received, figures.petitions_concluded = f.petitions_received, f.petitions_concluded
    figures.petitions_overdue, figures.petitions_priority = f.petitions_overdue, f.petitions_priority


def selfcheck_default_paragraphs(office: documents.OfficeInfo, period: Period) -> list[str]:
    """The default body of the 自查自纠报告; the clerk edits it before printing."""
    return [
        f"根据{office.district_name}关于开展民政领域“微腐败”专项整治的工作部署，{office.name}"
        f"对{period.label}最低生活保障、特困人员救助供养等工作开展了自查自纠，现将有关情况报告如下。",
        documents.FIGURES,
        "下一步，我们将持续落实“逢进必核、在保必核”，严格执行公示制度，对发现的问题立行立改，"
        "建立长效机制，确保“不漏一户、不落一人”。"]


def selfcheck_default_title(period: Period) -> str:
    return f"关于{period.label}民政领域专项整治自查自纠情况的报告"


def record_saved_copy(session: Session, actor: Actor, *, what: str, source: Path, copy: Path) -> None:
    """A generated document saved again elsewhere (另存为) is another copy of personal data."""
    require(actor, "export.personal")
    audit.record(session, actor, "export", "document", what, None,
                 {"what": what, "file": str(Path(copy).resolve()), "copied_from": str(source)})


def make_selfcheck(session: Session, actor: Actor, out: Path, *, period: Period, number: int,
                   addressee: str, paragraphs: list[str] | None = None, title: str | None = None,
                   today: date, signer: str | None = None,
                   copy_to: str | None = None) -> documents.DocumentResult:
    from app.ledgers import reporting

    require(actor, "export.personal")
    if number < 1:
        raise ValidationError("发文序号", number, "应为正整数（不编虚位、不加“第”字）")
    publicity_service.require_office_details(session, "公文")
    office = office_info(session)
    addressee = (addressee or "").strip() or office.district_name
    figures = selfcheck_figures(session, period, today=today)
    body = paragraphs or selfcheck_default_paragraphs(office, period)
    result = documents.build_selfcheck_pdf(
        out, office=office, doc_number=number, year=today.year, addressee=addressee,
        title=title or selfcheck_default_title(period), figures=figures,
        paragraphs=body, problems=reporting.problem_rows(session, period.start, period.end, today=today), signature=office.name, date=today,
        signer=(signer or "").strip() or None, copy_to=copy_to)
    record_document(session, actor, "print", "自查自纠报告", out, result, period=period.label,
            number=documents.doc_number(office.doc_prefix, today.year, number))
    return result
