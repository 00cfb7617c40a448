"""Cross-check rules (数据比对): one function per rule, its rule and source in the docstring.

Each rule reads the register and the data sources (:mod:`app.sources`) and returns
:class:`Draft` findings with their evidence and a stable key, so that re-running a check never
duplicates (:mod:`app.findings` keeps them, and turns a confirmed one into a problem with
source 大数据比对). Rules read only; they are run on demand, after an import, and monthly.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import codes, rulesettings
from app.assessment import amounts, eligibility, standards
from app.assessment.income import PersonFacts
from app.errors import ValidationError
from app.idcard import mask_id
from app.reviews import add_months, is_review_overdue, next_review_date
from app.sources import KINDS
from db.check_models import DataSource, SourceRecord
from db.models import Household, Member, Step, Village

IN_FORCE = ("在保", "暂停")
DIBAO = {"城市低保": "城市", "农村低保": "农村"}
TEKUN = {"特困人员(分散供养)": "分散", "特困人员(集中供养)": "集中"}


@dataclass
class Draft:
    key: str
    rule: str
    category: str  # the problem category (app.ledgers.problems.CATEGORIES) when confirmed
    evidence: str
    household_id: str | None = None
    member_id: str | None = None
    person_name: str | None = None
    id_number: str | None = None
    source_id: str | None = None


def _where(number: str, head: str, village: str, status: str) -> str:
    return f"{village} {head}户（户编号 {number}，{status}）"


def _source_label(origin: str, kind: str, list_date: date) -> str:
    return f"{origin}《{KINDS.get(kind, kind)}》（{list_date}）"


def _on_list(session: Session, kinds: tuple[str, ...], *, covered_only: bool = True):  # noqa: ANN202
    """Members of households in force whose ID number is on a live source of ``kinds``."""
    stmt = (select(Member.id, Member.name, Member.id_number, Household.id, Household.number,
                   Household.head_name, Village.name, Household.status, Household.monthly_amount,
                   SourceRecord.event_date, SourceRecord.detail, DataSource.id, DataSource.origin,
                   DataSource.kind, DataSource.list_date)
            .join(Household, Household.id == Member.household_id)
            .join(Village, Village.id == Household.village_id)
            .join(SourceRecord, SourceRecord.id_number == Member.id_number)
            .join(DataSource, DataSource.id == SourceRecord.source_id)
            .where(Member.deleted_at.is_(None), Household.deleted_at.is_(None),
                   Household.status.in_(IN_FORCE), DataSource.deleted_at.is_(None),
                   DataSource.kind.in_(kinds))
            .order_by(DataSource.list_date.desc()))
    if covered_only:
        stmt = stmt.where(Member.covered.is_(True))
    seen: set[tuple[str, str]] = set()
    for row in session.execute(stmt):
        if (row[0], row[13]) in seen:  # newest source per member and kind
            continue
        seen.add((row[0], row[13]))
        yield row


def check_deaths(session: Session, today: date) -> list[Draft]:
    """死亡未及时停保: a member of a household in force is on a death list (殡葬 or 公安).

    Source: 民政部门与殡葬、公安部门数据比对（“每月与殡葬死亡数据比对”，区专项整治方案）；
    《最低生活保障审核确认办法》 — 家庭成员死亡的应及时减发或停发.
    """
    out = []
    for mid, name, idn, hid, number, head, village, status, amount, died, _d, sid, origin, kind, ld in \
            _on_list(session, ("deaths",), covered_only=False):
        when = f"于 {died} 死亡" if died else "已死亡（名单未载死亡日期）"
        out.append(Draft(f"deaths:{idn}", "deaths", "死亡未及时停保",
                         f"{name}（{mask_id(idn)}）据{_source_label(origin, kind, ld)}{when}，"
                         f"仍是{_where(number, head, village, status)}的成员，月保障金 {amount} 元",
                         hid, mid, name, idn, sid))
    return out


def _list_rule(session: Session, kind: str, category: str, what: str) -> list[Draft]:
    out = []
    for mid, name, idn, hid, number, head, village, status, _a, _e, detail, sid, origin, k, ld in \
            _on_list(session, (kind,)):
        more = f"（{detail}）" if detail else ""
        out.append(Draft(f"{kind}:{idn}", kind, category,
                         f"{name}（{mask_id(idn)}）是{_where(number, head, village, status)}的保障对象，"
                         f"却在{_source_label(origin, k, ld)}上{what}{more}", hid, mid, name, idn, sid))
    return out


def check_servants(session: Session, today: date) -> list[Draft]:
    """财政供养人员享受低保: a covered member is on the list of public servants (财政供养人员).

    Source: 《最低生活保障审核确认办法》（财政供养人员一般不纳入）；区县“三比对”方案 — 错保/关系保疑点.
    """
    return _list_rule(session, "servants", "关系保", "列为财政供养人员")


def check_vehicles(session: Session, today: date) -> list[Draft]:
    """保障对象名下有车辆: a covered member owns a vehicle (车辆登记比对, “三比对”之车辆).

    Source: 区县“户籍、车辆、房产”三比对方案；《最低生活保障审核确认办法》家庭财产状况规定.
    """
    return _list_rule(session, "vehicles", "错保", "登记有车辆")


def check_property(session: Session, today: date) -> list[Draft]:
    """保障对象名下有房产: a covered member owns real estate (不动产登记比对, “三比对”之房产).

    Source: 区县“户籍、车辆、房产”三比对方案；《最低生活保障审核确认办法》家庭财产状况规定.
    """
    return _list_rule(session, "property", "错保", "登记有不动产")


def check_business(session: Session, today: date) -> list[Draft]:
    """保障对象登记有市场主体: a covered member is registered as owner of a business.

    Source: 市场监管登记信息比对（家庭经济状况核对）；错保疑点.
    """
    return _list_rule(session, "business", "错保", "登记有市场主体（工商登记）")


def check_duplicates(session: Session, today: date) -> list[Draft]:
    """一人两户 and 两户同址同人 (拆户保/重复享受): one ID number in two active households, or two
    active households at the same address of the same village sharing a person (same name and
    birth date) or the same head's name.

    Source: 《最低生活保障审核确认办法》（以家庭为单位，共同生活的家庭成员）；区专项整治方案“拆户保”.
    """
    active = (Member.deleted_at.is_(None), Household.deleted_at.is_(None),
              Household.status.in_(codes.ACTIVE_STATUSES))
    cols = (Member.id, Member.name, Member.id_number, Member.birth_date, Household.id, Household.number,
            Household.head_name, Village.name, Household.status, Household.address, Household.village_id)
    base = select(*cols).join(Household, Household.id == Member.household_id).join(
        Village, Village.id == Household.village_id).where(*active)
    # the database finds the few candidates; only their members are read
    twice = (select(Member.id_number).where(Member.deleted_at.is_(None), Member.id_number.is_not(None))
             .group_by(Member.id_number).having(func.count(func.distinct(Member.household_id)) > 1))
    out = []
    by_id: dict[str, list] = defaultdict(list)
    for r in session.execute(base.where(Member.id_number.in_(twice))):
        by_id[r[2]].append(r)
    for idn, group in sorted(by_id.items()):
        hids = sorted({r[4] for r in group})
        if len(hids) < 2:  # the other household is no longer active
            continue
        where = "、".join(_where(r[5], r[6], r[7], r[8]) for r in group)
        out.append(Draft(f"dup-person:{idn}", "duplicates", "拆户保",
                         f"{group[0][1]}（{mask_id(idn)}）同时是 {len(hids)} 户的成员：{where}",
                         hids[0], group[0][0], group[0][1], idn))
    addr_key = func.replace(func.replace(Household.address, " ", ""), "\u3000", "")
    shared = (select(Household.village_id.label("vid"), addr_key.label("ak")).where(
        Household.deleted_at.is_(None), Household.status.in_(codes.ACTIVE_STATUSES), Household.address.is_not(None),
        addr_key != "").group_by(Household.village_id, addr_key).having(func.count() > 1)).subquery()
    candidates = select(Household.id).join(shared, (shared.c.vid == Household.village_id) & (shared.c.ak == addr_key))
    by_address: dict[tuple[str, str], dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for r in session.execute(base.where(Household.id.in_(candidates))):
        by_address[(r[10], "".join((r[9] or "").split()))][r[4]].append(r)
    for (_vid, addr), households in by_address.items():
        if len(households) < 2:
            continue
        hids = sorted(households)
        for i, a in enumerate(hids):
            for b in hids[i + 1:]:
                ra, rb = households[a], households[b]
                people = {(r[1], r[3]) for r in ra if r[3]} & {(r[1], r[3]) for r in rb if r[3]}
                same_head = ra[0][6] == rb[0][6]
                if not people and not same_head:
                    continue
                why = (f"有相同的人：{'、'.join(n for n, _ in sorted(people))}" if people
                       else f"户主同名（{ra[0][6]}）")
                out.append(Draft(f"same-address:{a}:{b}", "duplicates", "拆户保",
                                 f"{_where(ra[0][5], ra[0][6], ra[0][7], ra[0][8])}与"
                                 f"{_where(rb[0][5], rb[0][6], rb[0][7], rb[0][8])}住址同为“{addr}”，{why}",
                                 a, None, ra[0][6], None))
    return out


def check_amounts(session: Session, today: date) -> list[Draft]:
    """不按标施保: a 低保 or 特困 household in force paid more than the most its category and size
    allow on ``today`` — for 低保 the standard for each covered member plus their 分类施保, for
    特困 the basic standard plus the highest care standard for each person (app.assessment).

    Source: 《最低生活保障审核确认办法》（按家庭人均收入低于标准的差额发放）；《特困人员认定办法》；
    区专项整治方案“不按标准施保”.
    """
    cats = tuple(DIBAO) + tuple(TEKUN)
    covered_n = (select(Member.household_id.label("hid"), func.count().label("n"))
                 .where(Member.deleted_at.is_(None), Member.covered.is_(True), Member.lives_together.is_(True))
                 .group_by(Member.household_id)).subquery()
    hh_rows = session.execute(
        select(Household.id, Household.number, Household.head_name, Village.name, Household.status,
               Household.category, Household.monthly_amount, func.coalesce(covered_n.c.n, 0))
        .join(Village, Village.id == Household.village_id)
        .outerjoin(covered_n, covered_n.c.hid == Household.id)
        .where(Household.deleted_at.is_(None), Household.status.in_(IN_FORCE), Household.category.in_(cats))).all()
    rates = {g: amounts.Rate(g, s.value, s.unit) for g, s in standards.surcharges_in_force(session, today).items()}
    stacking = rulesettings.get(session, "surcharge_stacking")
    elderly = int(rulesettings.get(session, "elderly_age"))
    limits: dict[tuple[str, str], Decimal | None] = {}

    def standard(kind: str, variant: str) -> Decimal | None:
        if (kind, variant) not in limits:
            try:
                limits[(kind, variant)] = standards.in_force(session, kind, variant, today).value
            except ValidationError:
                limits[(kind, variant)] = None
        return limits[(kind, variant)]

    care = {lv: standard("特困护理", lv) or Decimal(0) for lv in ("全自理", "半护理", "全护理")}
    # only a 低保 household paid more than the bare standard for each covered member can be above
    # its maximum: the members of those alone are read, to add their 分类施保
    over_base = [r[0] for r in hh_rows if r[5] in DIBAO and standard("低保", DIBAO[r[5]]) is not None
                 and Decimal(r[6]) > standard("低保", DIBAO[r[5]]) * r[7]]
    persons: dict[str, list[PersonFacts]] = defaultdict(list)
    for i in range(0, len(over_base), 500):
        for m in session.execute(select(Member.household_id, Member.id, Member.name, Member.relation,
                                        Member.birth_date, Member.lives_together, Member.covered,
                                        Member.work_ability, Member.health, Member.disability)
                                 .where(Member.household_id.in_(over_base[i:i + 500]), Member.deleted_at.is_(None),
                                        Member.covered.is_(True), Member.lives_together.is_(True))):
            persons[m[0]].append(PersonFacts(*m[1:]))
    out = []
    for hid, number, head, village, status, category, amount, n in hh_rows:
        if category in DIBAO:
            base = standard("低保", DIBAO[category])
            if base is None or Decimal(amount) <= base * n:
                continue
            covered = persons.get(hid, [])
            people = [amounts.Person(p.name, eligibility.surcharge_groups(p, today, elderly_age=elderly))
                      for p in covered]
            most = amounts.dibao_maximum(base, people, rates, stacking=stacking)
            how = f"低保标准 {base} 元 × {n} 名保障成员，加分类施保"
        else:
            base = standard("特困基本", TEKUN[category])
            if base is None:
                continue
            most = amounts.tekun_maximum(base, care, n)
            how = f"基本生活标准 {base} 元加最高照料护理标准，× {n} 人"
        if Decimal(amount) > most:
            out.append(Draft(f"amount:{hid}:{Decimal(amount):.2f}", "amounts", "不按标施保",
                             f"{_where(number, head, village, status)}{category}月保障金 {Decimal(amount):.2f} 元，"
                             f"高于按标准最多可发的 {most:.2f} 元（{how}，{today} 执行的标准）", hid, None, head))
    return out


def check_reviews(session: Session, today: date) -> list[Draft]:
    """复核逾期 and 年度家庭经济状况核对逾期 (在保必核): a household in force whose 复核 is past due
    (frequency by class, app.reviews), or whose last 家庭经济状况核对 is older than
    ``information_check_months`` (default 12) months.

    Source: 民政部低保动态管理规定（分类复核）；区专项整治方案“在保必核”.
    """
    out = []
    rows = session.execute(
        select(Household.id, Household.number, Household.head_name, Village.name, Household.status,
               Household.classification, Household.last_review_date, Household.approve_date,
               Household.next_review_date).join(Village, Village.id == Household.village_id)
        .where(Household.deleted_at.is_(None), Household.status.in_(IN_FORCE),
               (Household.next_review_date < today) | Household.next_review_date.is_(None))).all()
    for hid, number, head, village, status, cls, last_review, approved, due in rows:
        if due is None:  # as app.reviews.due_reviews: due by the class's frequency from the last review
            start = last_review or approved
            if start is None:
                continue
            due = next_review_date(session, cls, start)
        if not is_review_overdue(due, today):
            continue
        out.append(Draft(f"review:{hid}:{due}", "reviews", "其他",
                         f"{_where(number, head, village, status)}应于 {due} 复核，已逾期 {(today - due).days} 天"
                         f"（分类 {cls or '未分类'}，上次复核 {last_review or '无'}）", hid, None, head))
    months = int(rulesettings.get(session, "information_check_months"))
    last = dict(session.execute(select(Step.household_id, func.max(Step.day)).where(
        Step.kind == "家庭经济状况核对", Step.deleted_at.is_(None)).group_by(Step.household_id)).all())
    for hid, number, head, village, status, approved in session.execute(
            select(Household.id, Household.number, Household.head_name, Village.name, Household.status,
                   Household.approve_date).join(Village, Village.id == Household.village_id)
            .where(Household.deleted_at.is_(None), Household.status.in_(IN_FORCE))):
        base = last.get(hid) or approved
        if base is None or add_months(base, months) >= today:
            continue
        due = add_months(base, months)
        out.append(Draft(f"infocheck:{hid}:{due}", "reviews", "其他",
                         f"{_where(number, head, village, status)}上次家庭经济状况核对为 "
                         f"{last.get(hid) or '无（自批准日 ' + str(approved) + ' 起）'}，应于 {due} 前再次核对"
                         f"（每 {months} 个月），已逾期", hid, None, head))
    return out


def check_relatives(session: Session, today: date) -> list[Draft]:
    """近亲属未备案: a member of an active household is a near relative of an official (民政经办
    人员、村(居)委会成员) and was not filed (app.ledgers.relatives, report only).

    Source: 民政部《关于进一步加强生活困难群众基本生活保障工作的通知》（近亲属备案制度）.
    """
    from app.ledgers import relatives
    from db.ledger_models import Official

    # an unfiled near relative is found only in a household the official belongs to: check those
    households = session.execute(
        select(Member.household_id).join(Household, Household.id == Member.household_id)
        .join(Official, Official.id_number == Member.id_number)
        .where(Official.deleted_at.is_(None), Official.active.is_(True), Member.deleted_at.is_(None),
               Household.deleted_at.is_(None), Household.status.in_(codes.ACTIVE_STATUSES)).distinct()).scalars().all()
    return [Draft(f"近亲属未备案:{f.official_id}:{f.id_number or f.member_id}", "relatives", "近亲属未备案",
                  f.message, f.household_id, f.member_id, f.member_name, f.id_number)
            for hid in sorted(households)
            for f in relatives.check_household(session, hid, today=today) if f.kind == relatives.UNFILED]


def check_missed(session: Session, today: date) -> list[Draft]:
    """漏保 candidates: a person on a severe-disability (残疾人证 一、二级), serious-illness or
    monitoring (防返贫监测) list who is in no household in force — a candidate to visit.

    Source: 市级“不漏一户、不落一人”排查方案（残联、医保、乡村振兴部门数据比对）.
    """
    in_force = (select(Member.id).join(Household, Household.id == Member.household_id)
                .where(Member.id_number == SourceRecord.id_number, Member.deleted_at.is_(None),
                       Household.deleted_at.is_(None), Household.status.in_(IN_FORCE)).exists())
    out, seen = [], set()
    for idn, name, detail, kind, origin, ld, sid in session.execute(
            select(SourceRecord.id_number, SourceRecord.name, SourceRecord.detail, DataSource.kind,
                   DataSource.origin, DataSource.list_date, DataSource.id)
            .join(DataSource, DataSource.id == SourceRecord.source_id)
            .where(DataSource.deleted_at.is_(None), DataSource.kind.in_(("disability", "illness", "monitoring")),
                   ~in_force)
            .order_by(DataSource.list_date.desc())):
        if idn in seen:
            continue
        if kind == "disability" and detail and any(g in detail for g in ("三级", "四级", "3级", "4级")):
            continue  # only grades one and two are severe
        seen.add(idn)
        more = f"（{detail}）" if detail else ""
        out.append(Draft(f"missed:{idn}", "missed", "漏保",
                         f"{name or '（无姓名）'}（{mask_id(idn)}）在{_source_label(origin, kind, ld)}上{more}，"
                         "但不在任何在保家庭中：请入户走访，核实是否符合救助条件", None, None, name, idn, sid))
    return out


RULES: dict[str, tuple[str, Callable[[Session, date], list[Draft]]]] = {
    "deaths": ("死亡未及时停保", check_deaths),
    "duplicates": ("一人两户/两户同址同人", check_duplicates),
    "servants": ("财政供养人员享受救助", check_servants),
    "vehicles": ("保障对象有车辆", check_vehicles),
    "property": ("保障对象有房产", check_property),
    "business": ("保障对象有工商登记", check_business),
    "amounts": ("超标准发放（不按标施保）", check_amounts),
    "reviews": ("复核/年度核对逾期", check_reviews),
    "relatives": ("近亲属未备案", check_relatives),
    "missed": ("漏保线索", check_missed),
}
