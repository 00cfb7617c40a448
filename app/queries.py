"""Read side of the registry: one household in full, and paged lists for tables and the CLI.

Lists are built from plain column tuples (never whole ORM objects), so a table over 100,000
households pages quickly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.household_types import HouseholdInfo, MemberInfo, StepInfo
from app.search import name_term_set, normalize_query
from db.models import Household, Member, SearchTerm, Step, Village

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def find_household_id(session: Session, ref: str) -> str:
    """A household by UUID, 户编号, or a member's ID number."""
    ref = ref.strip()
    if _UUID.match(ref.lower()):
        hid = session.execute(select(Household.id).where(Household.id == ref.lower())).scalar()
    else:
        hid = session.execute(select(Household.id).where(Household.number == ref)).scalar()
        if hid is None:
            hid = session.execute(
                select(Household.id).join(Member, Member.household_id == Household.id)
                .where(Member.id_number == ref.upper(), Member.deleted_at.is_(None))
                .order_by(Household.deleted_at.is_not(None), Household.updated_at.desc())).scalar()
    if hid is None:
        raise NotFound(f"找不到家庭“{ref}”：请输入户编号、成员身份证号或家庭 ID。")
    return hid


def household_detail(session: Session, household_id: str) -> HouseholdInfo:
    hh = session.get(Household, household_id)
    if hh is None:
        raise NotFound(f"找不到家庭：{household_id}")
    village = session.get(Village, hh.village_id)
    members = session.execute(select(Member).where(
        Member.household_id == hh.id, Member.deleted_at.is_(None))
        .order_by(Member.relation != "户主", Member.created_at)).scalars().all()
    steps = session.execute(select(Step).where(Step.household_id == hh.id, Step.deleted_at.is_(None))
                            .order_by(Step.day, Step.created_at)).scalars().all()
    return HouseholdInfo(
        id=hh.id, number=hh.number, owner_office=hh.owner_office, village=village.name,
        head_name=hh.head_name, address=hh.address, phone=hh.phone, bank_account=hh.bank_account,
        urban_rural=hh.urban_rural, category=hh.category, status=hh.status,
        classification=hh.classification, monthly_amount=hh.monthly_amount,
        poverty_cause=hh.poverty_cause, apply_date=hh.apply_date, approve_date=hh.approve_date,
        exit_date=hh.exit_date, exit_reason=hh.exit_reason, last_review_date=hh.last_review_date,
        next_review_date=hh.next_review_date, note=hh.note, version=hh.version,
        updated_at=hh.updated_at, updated_by=hh.updated_by,
        members=[MemberInfo(id=m.id, name=m.name, id_number=m.id_number, gender=m.gender,
                            birth_date=m.birth_date, relation=m.relation,
                            lives_together=m.lives_together, covered=m.covered,
                            work_ability=m.work_ability, health=m.health,
                            disability=m.disability, phone=m.phone, version=m.version)
                 for m in members],
        steps=[StepInfo(id=s.id, kind=s.kind, day=s.day, handler=s.handler, outcome=s.outcome,
                        note=s.note) for s in steps])


@dataclass(frozen=True)
class HouseholdRow:
    id: str
    number: str
    village: str
    head_name: str
    category: str
    status: str
    classification: str | None
    monthly_amount: Decimal
    size: int
    next_review_date: object
    matched_member: str | None = None  # found through this member (not the head): shown as a hint


@dataclass(frozen=True)
class Filters:
    text: str = ""
    village: str | None = None
    category: str | None = None
    status: str | None = None
    classification: str | None = None


SORTABLE = {"number": Household.number, "village": Village.name, "head_name": Household.head_name,
            "category": Household.category, "status": Household.status,
            "classification": Household.classification,
            "monthly_amount": Household.monthly_amount,
            "next_review_date": Household.next_review_date}


def _filtered(session: Session, stmt, filters: Filters):  # noqa: ANN001, ANN202
    stmt = stmt.where(Household.deleted_at.is_(None))
    if filters.village:
        stmt = stmt.where(Village.name == filters.village)
    if filters.category:
        stmt = stmt.where(Household.category == filters.category)
    if filters.status:
        stmt = stmt.where(Household.status == filters.status)
    if filters.classification:
        stmt = stmt.where(Household.classification == filters.classification)
    matches = _text_matches(filters.text)
    if matches is not None:
        stmt = stmt.where(Household.id.in_(select(matches.c.household_id)))
    return stmt


TEXT_MATCH_CAP = 1000


def _text_matches(text: str | None):  # noqa: ANN202 - a subquery, or None when no text
    """Households whose names, pinyin, ID numbers or village start with ``text``, at most
    TEXT_MATCH_CAP + 1 of them (a broader query asks the clerk to type more); None: no text.

    A subquery on the covering (rank, term, household_id) index, so the database joins the
    matches itself: thousands of ids never travel through Python as bound parameters."""
    q = normalize_query(text or "")
    if not q:
        return None
    return (select(SearchTerm.household_id)
            .where(SearchTerm.rank.in_((0, 1, 2)), SearchTerm.term >= q,
                   SearchTerm.term < q + "\U0010ffff")
            .distinct().limit(TEXT_MATCH_CAP + 1).subquery("matches"))


def _count_matches(session: Session, text: str | None) -> int | None:
    matches = _text_matches(text)
    if matches is None:
        return None
    return session.execute(select(func.count()).select_from(matches)).scalar_one()


def text_match_capped(session: Session, filters: Filters) -> bool:
    """True when the text matches more households than are listed (type more to narrow)."""
    n = _count_matches(session, filters.text)
    return n is not None and n > TEXT_MATCH_CAP


def count_households(session: Session, filters: Filters = Filters()) -> int:
    if filters.text and not (filters.village or filters.category or filters.status
                             or filters.classification):
        n = _count_matches(session, filters.text)
        if n is not None:
            return n
    stmt = select(func.count()).select_from(Household)
    if filters.village:  # the join only when a village is asked for (every household has one)
        stmt = stmt.join(Village, Village.id == Household.village_id)
    return session.execute(_filtered(session, stmt, filters)).scalar_one()


def list_households(session: Session, filters: Filters = Filters(), *, order: str = "number",
                    descending: bool = False, offset: int = 0, limit: int = 200) -> list[HouseholdRow]:
    column = SORTABLE.get(order, Household.number)
    stmt = (select(Household.id, Household.number, Village.name, Household.head_name,
                   Household.category, Household.status, Household.classification,
                   Household.monthly_amount, Household.next_review_date)
            .join(Village, Village.id == Household.village_id))
    stmt = _filtered(session, stmt, filters).order_by(column.desc() if descending else column,
                                                      Household.number).offset(offset).limit(limit)
    rows = session.execute(stmt).all()
    # household sizes for this page only (a correlated count per row would run for every
    # matching household before OFFSET)
    sizes = dict(session.execute(
        select(Member.household_id, func.count())
        .where(Member.household_id.in_([r.id for r in rows]), Member.deleted_at.is_(None),
               Member.lives_together.is_(True))
        .group_by(Member.household_id)).all()) if rows else {}
    hints = member_hints(session, [r for r in rows], filters.text) if filters.text and rows else {}
    return [HouseholdRow(r.id, r.number, r.name, r.head_name, r.category, r.status,
                         r.classification, r.monthly_amount, sizes.get(r.id, 0), r.next_review_date,
                         hints.get(r.id))
            for r in rows]


def first_page(session: Session, filters: Filters = Filters(), *, order: str = "number",
               descending: bool = False, limit: int = 200) -> tuple[int, list[HouseholdRow]]:
    """How many households the filters find, and the first ``limit`` of them — what a list
    shows after each keystroke. A page that is not full is the whole answer: no count query.
    (A window count in the same query was tried: it sorts every match instead of keeping the
    best ``limit``, and is slower.)"""
    rows = list_households(session, filters, order=order, descending=descending, limit=limit)
    return (len(rows) if len(rows) < limit else count_households(session, filters)), rows


def _matches(q: str, name: str, id_number: str | None) -> bool:
    """Does ``q`` (normalised) find this person, as the search index would?"""
    name = "".join((name or "").split())
    if name.startswith(q) or (id_number and id_number.upper().startswith(q)):
        return True
    if not q.isascii() or not q.isalpha():
        return False  # Chinese or digits: the name and ID number above are all there is
    return any(t.startswith(q) for t in name_term_set(name))


def member_hints(session: Session, rows, text: str) -> dict[str, str]:  # noqa: ANN001
    """For rows found by ``text`` through a member other than the head: household id → that
    member's name (the list says "经成员 李梅" so the clerk sees why the row is there)."""
    q = normalize_query(text or "")
    if not q:
        return {}
    by_id = {r.id: r for r in rows}
    id_query = q[:1].isdigit()
    # the head found by name, number or village needs no hint (an ID query also needs the
    # head's ID number, so those households are looked at with all their members)
    candidates = list(by_id) if id_query else [
        hid for hid, r in by_id.items()
        if not (_matches(q, r.head_name, None) or r.number.lower().startswith(q)
                or (r.name or "").startswith(q))]
    if not candidates:
        return {}
    stmt = (select(Member.household_id, Member.name, Member.id_number, Member.relation)
            .where(Member.household_id.in_(candidates), Member.deleted_at.is_(None))
            .order_by(Member.household_id, Member.created_at))
    if id_query:  # only members whose ID number can match (LIKE ignores the case of x)
        stmt = stmt.where(Member.id_number.startswith(q, autoescape=True))
    members = session.execute(stmt).all()
    head_hit = {m.household_id for m in members if m.relation == "户主" and _matches(q, m.name, m.id_number)}
    found: dict[str, str] = {}
    for m in members:
        if m.relation != "户主" and m.household_id not in head_hit and m.household_id not in found \
                and _matches(q, m.name, m.id_number):
            found[m.household_id] = m.name
    return found
