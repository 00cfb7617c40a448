"""近亲属备案: officials whose near relatives must be filed, their relatives, and the check.

Staff who handle or supervise acceptance, investigation and decisions (county and township) and
village/residents' committee members must file near relatives who apply for or receive
assistance; those cases are re-examined one by one (民政部《关于进一步加强生活困难群众基本生活
保障工作的通知》 and the campaign plans). Who counts as a near relative is the setting
``near_relative_relations`` (《民法典》第一千零四十五条 by default; local rules are wider).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, clock, codes, rulesettings
from app.errors import NotFound, ValidationError
from app.idcard import IdNumberError, mask_id, validate_id
from app.ledgers import common as c
from app.ledgers import problems as pr
from app.permissions import Actor, require
from db.ledger_models import NearRelative, Official, Problem
from db.models import Household, Member, Village

POST_TYPES = ("民政经办人员", "村(居)委会成员", "其他公职人员")
FILED, SELF, UNFILED = "已备案近亲属享受救助", "备案人员本人享受救助", "近亲属未备案"

# relation of another member to the official, from both members' relations to the head (户主)
_AS_HEAD = {"配偶": "配偶", "子": "子女", "女": "子女", "父亲": "父母", "母亲": "父母",
            "孙子": "孙子女", "孙女": "孙子女", "外孙子": "外孙子女", "外孙女": "外孙子女",
            "祖父": "祖父母", "祖母": "祖父母", "外祖父": "外祖父母", "外祖母": "外祖父母",
            "兄弟": "兄弟姐妹", "姐妹": "兄弟姐妹", "儿媳": "子女的配偶", "女婿": "子女的配偶",
            "岳父": "配偶的父母", "岳母": "配偶的父母", "公公": "配偶的父母", "婆婆": "配偶的父母"}
_AS_SPOUSE = {"户主": "配偶", "子": "子女", "女": "子女", "孙子": "孙子女", "孙女": "孙子女",
              "外孙子": "外孙子女", "外孙女": "外孙子女", "岳父": "父母", "岳母": "父母", "公公": "父母",
              "婆婆": "父母", "父亲": "配偶的父母", "母亲": "配偶的父母", "儿媳": "子女的配偶",
              "女婿": "子女的配偶", "兄弟": "配偶的兄弟姐妹", "姐妹": "配偶的兄弟姐妹"}
_AS_CHILD = {"户主": "父母", "配偶": "父母", "子": "兄弟姐妹", "女": "兄弟姐妹", "父亲": "祖父母",
             "母亲": "祖父母"}
_AS_PARENT = {"户主": "子女", "兄弟": "子女", "姐妹": "子女", "子": "孙子女", "女": "孙子女",
              "父亲": "配偶", "母亲": "配偶", "配偶": "子女的配偶"}
_RELATIVE_OF = {"户主": _AS_HEAD, "配偶": _AS_SPOUSE, "子": _AS_CHILD, "女": _AS_CHILD,
                "父亲": _AS_PARENT, "母亲": _AS_PARENT}


@dataclass(frozen=True)
class RelativeInfo:
    id: str
    name: str
    id_number: str
    relation: str
    filed_date: date
    note: str | None


@dataclass(frozen=True)
class OfficialInfo:
    id: str
    name: str
    id_number: str
    post_type: str
    unit: str | None
    village: str | None
    active: bool
    note: str | None
    relatives: list[RelativeInfo] = field(default_factory=list)


@dataclass(frozen=True)
class Finding:
    kind: str  # FILED | SELF | UNFILED
    household_id: str
    household_number: str
    head_name: str
    village: str
    status: str
    member_id: str
    member_name: str
    id_number: str | None
    official_id: str
    official_name: str
    post_type: str
    relation: str | None
    message: str
    problem_id: str | None = None
    problem_number: str | None = None
    new_problem: bool = False


# ---------------------------------------------------------------- the rules

def near_relative_relations(session: Session) -> list[str]:
    return list(rulesettings.get(session, "near_relative_relations"))


def is_near_relative(session: Session, relation: str | None) -> bool:
    """Near relative (近亲属): the relations of the setting ``near_relative_relations``
    (default: 《民法典》第一千零四十五条 — 配偶、父母、子女、兄弟姐妹、祖父母、外祖父母、孙子女、外孙子女)."""
    return relation in near_relative_relations(session)


def relation_in_household(official_relation: str, other_relation: str) -> str | None:
    """What another member of the official's household is to the official (None: unclear)."""
    return _RELATIVE_OF.get(official_relation, {}).get(other_relation)


# ---------------------------------------------------------------- the registry

def _id(field_name: str, value: str | None, today: date) -> str:
    if not value:
        raise ValidationError(field_name, value, "必须填写")
    try:
        return validate_id(value, today=today).number
    except IdNumberError as exc:
        raise ValidationError(field_name, value, exc.rule) from None


def _official(session: Session, ref: str) -> Official:
    ref = (ref or "").strip()
    o = session.execute(select(Official).where(
        (Official.id == ref.lower()) | (Official.id_number == ref.upper()),
        Official.deleted_at.is_(None))).scalars().first()
    if o is None:
        raise NotFound(f"找不到备案人员“{ref}”：请输入其身份证号或 ID。")
    return o


def _official_info(session: Session, o: Official) -> OfficialInfo:
    rels = session.execute(select(NearRelative).where(
        NearRelative.official_id == o.id, NearRelative.deleted_at.is_(None))
        .order_by(NearRelative.filed_date, NearRelative.name)).scalars()
    village = c.village_names(session).get(o.village_id) if o.village_id else None
    return OfficialInfo(o.id, o.name, o.id_number, o.post_type, o.unit, village, o.active, o.note,
                        [RelativeInfo(r.id, r.name, r.id_number, r.relation, r.filed_date, r.note)
                         for r in rels])


def add_official(session: Session, actor: Actor, *, name: str, id_number: str, post_type: str,
                 unit: str | None = None, village: str | None = None, note: str | None = None,
                 today: date | None = None) -> OfficialInfo:
    require(actor, "ledger.edit")
    today = today or clock.today()
    number = _id("备案人员身份证号", id_number, today)
    if session.execute(select(Official.id).where(Official.id_number == number,
                                                 Official.deleted_at.is_(None))).first():
        raise ValidationError("备案人员身份证号", id_number, "此人已在备案人员名单中")
    o = Official(name=c.text("姓名", name, max_len=60), id_number=number,
                 post_type=c.choice("人员类别", post_type, POST_TYPES),
                 unit=c.text("单位及职务", unit, required=False, max_len=100),
                 village_id=c.village_id(session, actor, village), active=True,
                 note=c.text("备注", note, required=False))
    c.add(session, actor, o, "official", "official.create")
    return _official_info(session, o)


def add_relative(session: Session, actor: Actor, *, official: str, name: str, id_number: str,
                 relation: str, filed_date: date | None = None, note: str | None = None,
                 today: date | None = None) -> RelativeInfo:
    """File a near relative of an official (relation from the setting)."""
    require(actor, "ledger.edit")
    today = today or clock.today()
    o = _official(session, official)
    relation = c.choice("与备案人员关系", relation, tuple(near_relative_relations(session)))
    number = _id("近亲属身份证号", id_number, today)
    if number == o.id_number:
        raise ValidationError("近亲属身份证号", id_number, "与备案人员本人相同")
    if session.execute(select(NearRelative.id).where(
            NearRelative.official_id == o.id, NearRelative.id_number == number,
            NearRelative.deleted_at.is_(None))).first():
        raise ValidationError("近亲属身份证号", id_number, f"已在 {o.name} 的近亲属中备案")
    r = NearRelative(official_id=o.id, name=c.text("姓名", name, max_len=60), id_number=number,
                     relation=relation, filed_date=c.past_date("备案日期", filed_date or today, today),
                     note=c.text("备注", note, required=False))
    c.add(session, actor, r, "near_relative", "relative.create")
    return RelativeInfo(r.id, r.name, r.id_number, r.relation, r.filed_date, r.note)


def list_officials(session: Session, *, text: str | None = None,
                   post_type: str | None = None) -> list[OfficialInfo]:
    stmt = select(Official).where(Official.deleted_at.is_(None))
    if post_type:
        stmt = stmt.where(Official.post_type == post_type)
    if text:
        stmt = stmt.where(Official.name.contains(text.strip()) | (Official.id_number == text.strip().upper()))
    return [_official_info(session, o) for o in session.execute(
        stmt.order_by(Official.post_type, Official.name)).scalars()]


# ---------------------------------------------------------------- the check

def _recipients(session: Session, household_ids: list[str] | None) -> list:
    stmt = (select(Member.id, Member.name, Member.id_number, Member.relation, Household.id,
                   Household.number, Household.head_name, Village.name, Household.status)
            .join(Household, Household.id == Member.household_id)
            .join(Village, Village.id == Household.village_id)
            .where(Member.deleted_at.is_(None), Household.deleted_at.is_(None),
                   Household.status.in_(codes.ACTIVE_STATUSES)))
    if household_ids is not None:
        stmt = stmt.where(Household.id.in_(household_ids))
    return session.execute(stmt).all()


def _check(session: Session, household_ids: list[str] | None, actor: Actor | None,
           today: date) -> list[Finding]:
    officials = {o.id_number: o for o in session.execute(select(Official).where(
        Official.deleted_at.is_(None), Official.active.is_(True))).scalars()}
    by_id = {o.id: o for o in officials.values()}
    filed: dict[str, list[NearRelative]] = {}
    for r in session.execute(select(NearRelative).where(NearRelative.deleted_at.is_(None))).scalars():
        if r.official_id in by_id:
            filed.setdefault(r.id_number, []).append(r)
    rows = _recipients(session, household_ids)
    by_household: dict[str, list] = {}
    for row in rows:
        by_household.setdefault(row[4], []).append(row)
    findings: list[Finding] = []

    def finding(kind: str, row, o: Official, relation: str | None, message: str) -> Finding:  # noqa: ANN001
        return Finding(kind, row[4], row[5], row[6], row[7], row[8], row[0], row[1], row[2], o.id,
                       o.name, o.post_type, relation, message)

    for row in rows:
        where = f"{row[7]} {row[6]}户（户编号 {row[5]}，{row[8]}）"
        o = officials.get(row[2]) if row[2] else None
        if o is not None:
            findings.append(finding(SELF, row, o, None, f"{o.post_type} {o.name} 本人是{where}的成员，"
                                    "须逐户复核并由县级入户核查"))
            for other in by_household[row[4]]:
                if other[0] == row[0]:
                    continue
                if any(r.official_id == o.id for r in filed.get(other[2] or "", ())):
                    continue  # filed: reported below as FILED
                relation = relation_in_household(row[3], other[3])
                if relation is not None and not is_near_relative(session, relation):
                    continue
                shown = relation or f"同户成员，与户主关系“{other[3]}”，关系待核实"
                findings.append(finding(UNFILED, other, o, relation,
                                        f"{other[1]}（{shown}）是{o.post_type} {o.name} 的近亲属，"
                                        f"在{where}中享受救助或申请，但未备案"))
        for r in filed.get(row[2] or "", ()):
            o = by_id[r.official_id]
            findings.append(finding(FILED, row, o, r.relation,
                                    f"{row[1]} 是{o.post_type} {o.name} 已备案的近亲属（{r.relation}），"
                                    f"在{where}中：须逐户复核并由县级入户核查"))
    if actor is not None:
        findings = [_open_unfiled(session, actor, f, today) if f.kind == UNFILED else f for f in findings]
        for f in findings:
            if f.kind in (FILED, SELF):
                _county_visit(session, actor, f, today)
    return findings


def _county_visit(session: Session, actor: Actor, f: Finding, today: date) -> None:
    """A filed near-relative case is visited by the county: a tracked 县级入户核查 task with its
    due date (setting ``county_visit_working_days``), opened once per household."""
    from app import casetasks
    from db.procedure_models import CaseTask

    if session.execute(select(CaseTask.id).where(CaseTask.household_id == f.household_id,
                                                 CaseTask.kind == "县级入户核查",
                                                 CaseTask.deleted_at.is_(None))).first() is None:
        casetasks.open_task(session, actor, session.get(Household, f.household_id), kind="县级入户核查",
                            rule=casetasks.KINDS["县级入户核查"], start=today,
                            source_id=f.official_id, note=f.message)


def _open_unfiled(session: Session, actor: Actor, f: Finding, today: date) -> Finding:
    """Open one 近亲属未备案 problem per official and relative, never a second one while it is
    not closed; a closed (销号) one while the relative is still unfiled opens a new one."""
    key = f"近亲属未备案:{f.official_id}:{f.id_number or f.member_id}"
    found = session.execute(select(Problem).where(
        Problem.auto_key == key, Problem.deleted_at.is_(None)).order_by(Problem.created_at)).scalars().all()
    existing = next((p for p in found if p.state != pr.CLOSED), None)
    if existing is not None:
        return replace(f, problem_id=existing.id, problem_number=existing.number)
    shown = mask_id(f.id_number) if f.id_number else "无身份证号"
    again = f"（问题 {found[-1].number} 已销号但仍未备案，重新立项）" if found else ""
    info = pr.create_problem(
        session, actor, source="自查", category="近亲属未备案",
        description=f"近亲属备案核查发现：{f.message}（身份证号 {shown}）。{again}", found_date=today,
        responsible=actor.display_name, households=[f.household_id], member_id=f.member_id,
        measures="补办近亲属备案，逐户复核该户保障资格，报县级民政部门入户核查。",
        auto_key=key, today=today)
    return replace(f, problem_id=info.id, problem_number=info.number, new_problem=True)


def check_household(session: Session, household_id: str, *, actor: Actor | None = None,
                    today: date | None = None) -> list[Finding]:
    """Check one household (call on every save of a household or member).

    With ``actor`` an unfiled near relative opens a 近亲属未备案 problem (once); without it the
    check only reports.
    """
    h = session.get(Household, household_id)
    if h is None or h.deleted_at is not None:
        raise NotFound(f"找不到家庭：{household_id}")
    return _check(session, [household_id], actor, today or clock.today())


def check_all(session: Session, *, actor: Actor | None = None,
              today: date | None = None) -> list[Finding]:
    """Check every active household (申请中、在保、暂停) against the whole registry."""
    if actor is not None:
        require(actor, "ledger.edit")
    return _check(session, None, actor, today or clock.today())


def deactivate_official(session: Session, actor: Actor, ref: str, *, note: str) -> OfficialInfo:
    """An official who left the post stays in the registry, inactive (no longer checked)."""
    require(actor, "ledger.edit")
    o = _official(session, ref)
    before = audit.state(o)
    o.active, o.note = False, c.text("说明", note)
    c.stamp(o, actor)
    audit.record_change(session, actor, "official.update", "official", o, before)
    return _official_info(session, o)
