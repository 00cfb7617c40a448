"""Compare a planned household with the database: add, update (which fields), or unchanged.

A household is the same household when its head's ID number is the head of a household here;
a person is the same person by ID number. A person already in another active household is
refused (一人两户, app.households.one_person_one_household). Category and monthly amount of a
household in force are never changed by an import: a difference is listed for a proposal
(两人审核, app.assessment.approvals).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import codes
from app.households import IN_FORCE
from app.idcard import mask_id
from app.imports import values as val
from app.imports.readers import is_blank
from db.models import Household, Member, Village

if TYPE_CHECKING:
    from app.imports.roster import HouseholdPlan, Issue, RosterPlan


class Existing:
    """What the database already holds, loaded once (not one query per row): villages, members
    by ID number, and the households and members a comparison needs."""

    HH_COLS = ("id", "status", "head_name", "village_id", "address", "phone", "bank_account", "classification",
               "poverty_cause", "urban_rural", "category", "monthly_amount")
    MEMBER_COLS = ("id", "household_id", "id_number", "name", "relation", "work_ability", "health", "disability")

    def __init__(self, session: Session):
        self.session = session
        self.villages = {v.name: v.id for v in session.execute(
            select(Village).where(Village.deleted_at.is_(None))).scalars()}
        keys: dict[str, list[tuple[str, str]]] = {}
        for n, i in self.villages.items():
            keys.setdefault(val.village_key(n), []).append((n, i))
        self.by_key = {k: v[0] for k, v in keys.items() if len(v) == 1}  # an ambiguous short name: no match
        self._members: dict[str, list[tuple]] | None = None
        self._households: dict[str, dict] | None = None
        self._by_household: dict[str, list[dict]] | None = None

    def village(self, name: object) -> tuple[str, str] | None:
        """(name, id) of the village a file names: the exact name, or the one it unambiguously means."""
        text = "".join(str(name).split())
        if text in self.villages:
            return text, self.villages[text]
        return self.by_key.get(val.village_key(text))

    def members(self) -> dict[str, list[tuple]]:
        """Live members by ID number: (id_number, id, household_id, relation, status, number)."""
        if self._members is None:
            self._load()
        return self._members

    def household(self, household_id: str) -> tuple[dict, list[dict]]:
        """The compared columns of a household and of its live members."""
        if self._households is None:
            self._load()
        return self._households[household_id], self._by_household.get(household_id, [])

    def _load(self) -> None:
        """Households and members, each table read once."""
        households: dict[str, dict] = {}
        numbers: dict[str, str] = {}
        for row in self.session.execute(select(Household.number, *(getattr(Household, c) for c in self.HH_COLS))
                                        .where(Household.deleted_at.is_(None))):
            households[row[1]] = dict(zip(self.HH_COLS, row[1:]))
            numbers[row[1]] = row[0]
        members: dict[str, list[tuple]] = {}
        by_household: dict[str, list[dict]] = {}
        for row in self.session.execute(select(*(getattr(Member, c) for c in self.MEMBER_COLS))
                                        .where(Member.deleted_at.is_(None))):
            m = dict(zip(self.MEMBER_COLS, row))
            hid, idn = m["household_id"], m["id_number"]
            by_household.setdefault(hid, []).append(m)
            hh = households.get(hid)
            if idn is not None and hh is not None:
                members.setdefault(idn, []).append((idn, m["id"], hid, m["relation"], hh["status"], numbers[hid]))
        self._households, self._by_household, self._members = households, by_household, members

    def candidates(self, name: object, birth: date | None) -> list[str]:
        if is_blank(name):
            return []
        stmt = select(Member.name, Member.id_number, Household.number).join(
            Household, Household.id == Member.household_id).where(
            Member.name == "".join(str(name).split()), Member.deleted_at.is_(None))
        if birth is not None:
            stmt = stmt.where(Member.birth_date == birth)
        return [f"{n} {mask_id(i or '')}（户编号 {h}）" for n, i, h in self.session.execute(stmt.limit(5))]




def compare_household(session: Session, hp: "HouseholdPlan", ex: Existing, plan: "RosterPlan") -> list["Issue"]:
    from app.imports.roster import LABELS, MEMBER_COMPARED, Issue

    issues: list[Issue] = []
    known = ex.members()
    head_rows = [r for r in known.get(hp.head_id, []) if r[3] == "户主"]
    hh, current = ex.household(head_rows[0][2]) if head_rows else (None, [])
    if hh is not None:
        hp.household_id = hh["id"]
    for p in hp.members:
        for _num, mid, hid, _rel, status, number in known.get(p.id_number, []):
            if hid != hp.household_id and status in codes.ACTIVE_STATUSES:
                issues.append(Issue(p.sheet, p.row, "身份证号", f"{p.name}已在另一户（户编号 {number}，"
                                    f"{status}）中，一人不能同时在两户（拆户保/重复享受的疑点）"))
    if issues:
        return issues
    if hh is None:
        if hp.category is None:
            issues.append(Issue(hp.sheet, hp.row, "保障类别", "新增家庭须有保障类别（文件中没有该列时，"
                                "请在导入时指定类别）"))
        hp.action = "add"
        for p in hp.members:
            p.action = "add"
        return issues
    wanted = {"head_name": hp.head_name, "village_id": hp.village_id, **hp.values}
    if hp.category:
        wanted["category"] = hp.category
    if hp.monthly_amount is not None:
        wanted["monthly_amount"] = hp.monthly_amount
    for key, new in wanted.items():
        if new is None:
            continue
        old = hh[key]
        if key == "monthly_amount":
            old = Decimal(old or 0).quantize(Decimal("0.01"))
        if old == new:
            continue
        if key == "village_id":
            names = {i: n for n, i in ex.villages.items()}
            old, new = names.get(old, old), names.get(new, new)
            if old == new:
                continue
        if key in ("category", "monthly_amount") and hh["status"] in IN_FORCE:
            hp.gated.append(f"{LABELS[key]}：系统中为 {old}，文件中为 {new}（该户{hh['status']}，"
                            "须由经办人提交审核、审核人批准后生效，导入不作修改）")
            plan.warnings.append(Issue(hp.sheet, hp.row, LABELS[key], f"{hp.head_name}户 {hp.gated[-1]}"))
            continue
        hp.changes[key] = (old, new)
    members = {m["id_number"]: m for m in current if m["id_number"]}
    for p in hp.members:
        m = members.get(p.id_number)
        if m is None:
            p.action = "add"
            continue
        p.member_id = m["id"]
        for key in MEMBER_COMPARED:
            new = getattr(p, key)
            if new is not None and m[key] != new:
                p.changes[key] = (m[key], new)
        p.action = "update" if p.changes else "same"
    hp.action = "update" if hp.changes else "same"
    return issues
