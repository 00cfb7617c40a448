"""The household registry: households, members, application steps and status changes.

Each service validates, writes and audits in the caller's unit of work (one transaction), and
returns plain dataclasses. Keyword-only arguments throughout.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit, casetasks, clock, codes, inputs, procedure, search
from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.household_types import HouseholdInfo, MemberInfo, MemberInput, Saved, StepInfo  # noqa: F401 (re-exported)
from app.idcard import IdNumberError, validate_id
from app.permissions import Actor, require
from app.reviews import next_review_date
from db.assessment_models import ASSESSMENT_LABELS
from db.report_models import REPORT_LABELS, MemberExit
from db.models import Household, Member, Step, Village, utcnow

audit.ENTITY_LABELS.update(ASSESSMENT_LABELS)
audit.ENTITY_LABELS.update(REPORT_LABELS)

EDITABLE = ("village", "address", "phone", "bank_account", "urban_rural", "category",
            "classification", "monthly_amount", "poverty_cause", "apply_date", "note", "head_name")
MEMBER_EDITABLE = ("name", "id_number", "relation", "lives_together", "covered", "work_ability",
                   "health", "disability", "phone", "note")

# status lifecycle: from -> allowed targets
TRANSITIONS = {
    "申请中": ("在保", "未通过"),
    "在保": ("暂停", "已退出"),
    "暂停": ("在保", "已退出"),
    "未通过": ("申请中",),
    "已退出": ("申请中",),
}
STATUS_STEP = {"在保": ("审核确认", "同意"), "未通过": ("审核确认", "不予确认"),
               "已退出": ("停保/退出", "终止"), "暂停": ("调整", "暂停发放"), "申请中": ("申请", "重新申请")}

# "Two pairs of eyes": these take effect only when a 审核人 approves what a 经办人 proposed
# (app.assessment.approvals). A household is in force (its category and amount are paid) while
# 在保 or 暂停; while 申请中 its category and amount are the application being prepared, and the
# grant proposal carries them to the reviewer.
IN_FORCE = ("在保", "暂停")
GATED_FIELDS = {"category": "保障类别", "monthly_amount": "月保障金额"}
PROPOSAL_PATH = ("请由经办人“提交审核”、审核人批准后生效（两人审核；命令行：qingfeng-cli approval，"
                 "服务：app.assessment.approvals）")


def is_gated_transition(current: str, target: str) -> bool:
    """A new grant (申请中→在保) and any exit (→已退出) need a proposal and an approval."""
    return target == "已退出" or (current == "申请中" and target == "在保")


# ---------------------------------------------------------------- validation helpers

def choice(field_name: str, value: str | None, name: str, *, required: bool = True) -> str | None:
    if value in (None, ""):
        if required:
            raise ValidationError(field_name, value, "必须填写")
        return None
    if value not in codes.values(name):
        raise ValidationError(field_name, value, f"应为以下之一：{'、'.join(codes.values(name))}")
    return value


def _amount(value: object) -> Decimal:
    return inputs.amount("月保障金额", value)


# free fields of a household: how each is checked (app.inputs; lengths from the model)
def _free_field(key: str, value: object) -> object:
    if key == "phone":
        return inputs.phone("联系电话", value)
    if key == "apply_date":
        return inputs.day("申请日期", value)
    label = {"address": "地址", "bank_account": "银行账号", "note": "备注"}.get(key, key)
    return inputs.text(label, value, model=Household, column=key)


def _name(value: str | None, field_name: str = "姓名") -> str:
    text = "".join((value or "").split())
    if not text:
        raise ValidationError(field_name, value, "必须填写")
    if len(text) > 30:
        raise ValidationError(field_name, value, "不超过 30 个字")
    return text


def _village(session: Session, actor: Actor, ref: str) -> Village:
    v = session.execute(select(Village).where(
        Village.owner_office == actor.office_code, Village.deleted_at.is_(None),
        (Village.name == ref) | (Village.id == ref))).scalar_one_or_none()
    if v is None:
        names = session.execute(select(Village.name).where(
            Village.owner_office == actor.office_code, Village.deleted_at.is_(None))).scalars().all()
        raise ValidationError("村（居）", ref, f"不是本单位的村（居）；现有：{'、'.join(names) or '无'}")
    return v


def one_person_one_household(session: Session, id_number: str, *, household_id: str | None) -> None:
    """Refuse a person (ID number) who is already in another active household.

    Rule: 《最低生活保障审核确认办法》 — a person belongs to one household for assistance;
    "一人两户" is a red flag of 拆户保/重复享受. Active = 申请中, 在保, 暂停.
    """
    stmt = (select(Household.number, Household.head_name, Village.name, Household.status)
            .join(Member, Member.household_id == Household.id)
            .join(Village, Village.id == Household.village_id)
            .where(Member.id_number == id_number, Member.deleted_at.is_(None),
                   Household.deleted_at.is_(None), Household.status.in_(codes.ACTIVE_STATUSES)))
    if household_id:
        stmt = stmt.where(Household.id != household_id)
    other = session.execute(stmt.limit(1)).first()
    if other:
        raise ValidationError("身份证号", id_number,
                              f"此人已在另一户（{other.name} {other.head_name}户，户编号 {other.number}，"
                              f"状态 {other.status}）中，一人不能同时在两户")


def _member_fields(session: Session, m: MemberInput, *, household_id: str | None,
                   notices: list[str], today: date) -> dict:
    name = _name(m.name)
    values = {"name": name, "relation": choice("与户主关系", m.relation, "relations"),
              "lives_together": bool(m.lives_together), "covered": bool(m.covered),
              "work_ability": choice("劳动能力", m.work_ability, "work_abilities", required=False),
              "health": inputs.text(f"{name}的健康状况", m.health, model=Member, column="health"),
              "disability": inputs.text(f"{name}的残疾情况", m.disability, model=Member, column="disability"),
              "phone": inputs.phone(f"{name}的联系电话", m.phone),
              "note": inputs.text(f"{name}的备注", m.note, model=Member, column="note"),
              "id_number": None, "gender": None, "birth_date": None}
    if m.id_number:
        try:
            info = validate_id(m.id_number, today=today)
        except IdNumberError as exc:
            raise ValidationError(f"{name}的身份证号", m.id_number, exc.rule) from None
        notices.extend(f"{name}的身份证号：{fix}" for fix in info.fixes)
        one_person_one_household(session, info.number, household_id=household_id)
        values.update(id_number=info.number, gender=info.gender, birth_date=info.birth_date)
    return values


def _get(session: Session, model, ident: str, what: str):  # noqa: ANN001, ANN202
    obj = session.get(model, ident)
    if obj is None or obj.deleted_at is not None:
        raise NotFound(f"找不到{what}：{ident}")
    return obj


def require_own(actor: Actor, obj, what: str) -> None:  # noqa: ANN001 - a Synced record
    """DESIGN §4: only the owning office changes a record. Another office's copy (a township's
    household in the district's database) is read-only; it changes through that office's packages."""
    if obj.owner_office != actor.office_code:
        raise PermissionDenied(f"{what}属于单位 {obj.owner_office}，本单位保存的是只读副本，不能修改；"
                               "请由该单位修改后随数据交换包报送。")


def _own(session: Session, actor: Actor, model, ident: str, what: str):  # noqa: ANN001, ANN202
    """A record this office may change (exists, not deleted, owned by the actor's office)."""
    obj = _get(session, model, ident, what)
    require_own(actor, obj, what)
    return obj


def check_version(obj, expected: int | None, what: str) -> None:  # noqa: ANN001
    if expected is not None and obj.version != expected:
        raise ConflictError(f"{what}已被 {obj.updated_by or '其他用户'} 于 {obj.updated_at:%Y-%m-%d %H:%M} "
                            f"修改（当前版本 {obj.version}，你打开的是版本 {expected}）。"
                            "你的修改未保存，请重新打开后再改。")


def expect_version(session: Session, household_id: str, expected_version: int | None) -> None:
    """Refuse (ConflictError) when the household was saved by someone else since it was read."""
    hh = _get(session, Household, household_id, "家庭")
    check_version(hh, expected_version, f"{hh.head_name}户")


def _stamp(obj, actor: Actor) -> None:  # noqa: ANN001
    obj.updated_at, obj.updated_by = utcnow(), actor.username


def _near_relatives(session: Session, actor: Actor, household_id: str) -> list[str]:
    """On every save: is a member a filed near relative of an official, or one who should have
    been filed? An unfiled match opens a 近亲属未备案 problem (app.ledgers.relatives)."""
    from app.ledgers.relatives import check_household

    return [f.message for f in check_household(session, household_id, actor=actor)]


def _next_number(session: Session, office: str) -> str:
    count = session.execute(select(func.count()).select_from(Household)
                            .where(Household.owner_office == office)).scalar_one()
    return f"{office}-{count + 1:06d}"


# ---------------------------------------------------------------- services

def create_household(session: Session, actor: Actor, *, village: str, category: str,
                     members: list[MemberInput], urban_rural: str = "农村",
                     poverty_cause: str | None = None, classification: str | None = None,
                     monthly_amount: object = 0, address: str | None = None,
                     phone: str | None = None, bank_account: str | None = None,
                     apply_date: date | None = None, note: str | None = None,
                     today: date | None = None) -> Saved:
    """Register an application: the household (状态 申请中), its members and the 申请 step."""
    require(actor, "household.edit")
    today = today or clock.today()
    v = _village(session, actor, village)
    heads = [m for m in members if m.relation == "户主"]
    if len(heads) != 1:
        raise ValidationError("户主", len(heads), "每户必须有且只有一名与户主关系为“户主”的成员")
    notices: list[str] = []
    seen: set[str] = set()
    rows = []
    for m in members:
        values = _member_fields(session, m, household_id=None, notices=notices, today=today)
        if values["id_number"] and values["id_number"] in seen:
            raise ValidationError("身份证号", values["id_number"], "同一户内重复录入了同一个人")
        seen.add(values["id_number"])
        rows.append(values)
    hh = Household(owner_office=actor.office_code, number=_next_number(session, actor.office_code),
                   village_id=v.id, head_name=_name(heads[0].name, "户主姓名"),
                   address=_free_field("address", address), phone=_free_field("phone", phone),
                   bank_account=_free_field("bank_account", bank_account),
                   urban_rural=choice("城乡", urban_rural, "urban_rural"),
                   category=choice("保障类别", category, "categories"), status="申请中",
                   classification=choice("分类", classification, "classifications", required=False),
                   monthly_amount=_amount(monthly_amount),
                   poverty_cause=choice("致贫原因", poverty_cause, "poverty_causes", required=False),
                   apply_date=inputs.day("申请日期", apply_date, today=today) or today,
                   note=_free_field("note", note), updated_by=actor.username)
    session.add(hh)
    audit.record_change(session, actor, "household.create", "household", hh, None)
    for values in rows:
        member = Member(owner_office=actor.office_code, household_id=hh.id,
                        updated_by=actor.username, **values)
        session.add(member)
        audit.record_change(session, actor, "member.create", "member", member, None)
    add_step(session, actor, hh, kind="申请", day=hh.apply_date, handler=actor.display_name,
              outcome="已登记", note=None)
    search.reindex_household(session, hh)
    notices += _near_relatives(session, actor, hh.id)
    return Saved(id=hh.id, version=hh.version, notices=notices)


def edit_household(session: Session, actor: Actor, household_id: str, *, expected_version: int | None,
                   changes: dict) -> Saved:
    """Change household fields (not the status: see :func:`change_status`)."""
    require(actor, "household.edit")
    hh = _own(session, actor, Household, household_id, "家庭")
    check_version(hh, expected_version, f"{hh.head_name}户")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError("字段", "、".join(sorted(unknown)), "不能在此修改")
    if hh.status in IN_FORCE:
        for key, label in GATED_FIELDS.items():
            if key in changes and _normalized(key, changes[key]) != getattr(hh, key):
                raise ValidationError(label, changes[key], f"{hh.head_name}户当前“{hh.status}”，"
                                      f"{label}的变更不能直接修改，{PROPOSAL_PATH}")
    return apply_changes(session, actor, hh, changes)


def _normalized(key: str, value: object) -> object:
    return _amount(value) if key == "monthly_amount" else value


def apply_changes(session: Session, actor: Actor, hh: Household, changes: dict) -> Saved:
    """Write validated field changes and audit them as ``household.update`` (no gate: used by
    :func:`edit_household` and by the approval of a proposal)."""
    before = audit.state(hh)
    for key, value in changes.items():
        if key == "village":
            hh.village_id = _village(session, actor, value).id
        elif key == "category":
            hh.category = choice("保障类别", value, "categories")
        elif key == "classification":
            hh.classification = choice("分类", value, "classifications", required=False)
        elif key == "poverty_cause":
            hh.poverty_cause = choice("致贫原因", value, "poverty_causes", required=False)
        elif key == "urban_rural":
            hh.urban_rural = choice("城乡", value, "urban_rural")
        elif key == "monthly_amount":
            hh.monthly_amount = _amount(value)
        elif key == "head_name":
            hh.head_name = _name(value, "户主姓名")
        else:
            setattr(hh, key, _free_field(key, value))
    if hh.classification != before["classification"] and hh.last_review_date and hh.status in IN_FORCE:
        hh.next_review_date = next_review_date(session, hh.classification, hh.last_review_date)
    if audit.state(hh) == before:
        return Saved(id=hh.id, version=hh.version)
    _stamp(hh, actor)
    audit.record_change(session, actor, "household.update", "household", hh, before)
    search.reindex_household(session, hh)
    return Saved(id=hh.id, version=hh.version, notices=_near_relatives(session, actor, hh.id))


def add_member(session: Session, actor: Actor, household_id: str, member: MemberInput,
               *, today: date | None = None) -> Saved:
    require(actor, "household.edit")
    hh = _own(session, actor, Household, household_id, "家庭")
    notices: list[str] = []
    values = _member_fields(session, member, household_id=hh.id, notices=notices,
                            today=today or clock.today())
    if values["relation"] == "户主":
        raise ValidationError("与户主关系", "户主", "该户已有户主；请先修改原户主的关系")
    if values["id_number"] and session.execute(select(Member.id).where(
            Member.household_id == hh.id, Member.id_number == values["id_number"],
            Member.deleted_at.is_(None))).first():
        raise ValidationError("身份证号", values["id_number"], "该成员已在本户中")
    m = Member(owner_office=hh.owner_office, household_id=hh.id, updated_by=actor.username, **values)
    session.add(m)
    audit.record_change(session, actor, "member.create", "member", m, None)
    search.reindex_household(session, hh)
    notices += _near_relatives(session, actor, hh.id)
    return Saved(id=m.id, version=m.version, notices=notices)


def edit_member(session: Session, actor: Actor, member_id: str, *, expected_version: int | None,
                changes: dict, today: date | None = None) -> Saved:
    require(actor, "household.edit")
    m = _own(session, actor, Member, member_id, "成员")
    check_version(m, expected_version, f"成员 {m.name}")
    unknown = set(changes) - set(MEMBER_EDITABLE)
    if unknown:
        raise ValidationError("字段", "、".join(sorted(unknown)), "不能在此修改")
    current = {k: getattr(m, k) for k in MEMBER_EDITABLE}
    current.update(changes)
    notices: list[str] = []
    values = _member_fields(session, MemberInput(**current), household_id=m.household_id,
                            notices=notices, today=today or clock.today())
    before = audit.state(m)
    for key, value in values.items():
        setattr(m, key, value)
    if audit.state(m) == before:
        return Saved(id=m.id, version=m.version)
    _stamp(m, actor)
    audit.record_change(session, actor, "member.update", "member", m, before)
    search.reindex_household(session, session.get(Household, m.household_id))
    notices += _near_relatives(session, actor, m.household_id)
    return Saved(id=m.id, version=m.version, notices=notices)


def move_member(session: Session, actor: Actor, member_id: str, *, to_household_id: str,
                relation: str) -> Saved:
    """Move a member to another household of this office (e.g. marriage, split)."""
    require(actor, "household.edit")
    m = _own(session, actor, Member, member_id, "成员")
    source = session.get(Household, m.household_id)
    target = _own(session, actor, Household, to_household_id, "目标家庭")
    if target.id == source.id:
        raise ValidationError("目标家庭", target.number, "与原家庭相同")
    if m.relation == "户主":
        raise ValidationError("成员", m.name, "户主不能迁出；请先指定新户主")
    if choice("与户主关系", relation, "relations") == "户主":
        raise ValidationError("与户主关系", relation, "目标家庭已有户主")
    if m.id_number:
        one_person_one_household(session, m.id_number, household_id=m.household_id)
    before = audit.state(m)
    m.household_id, m.relation = target.id, relation
    _stamp(m, actor)
    audit.record_change(session, actor, "member.move", "member", m, before)
    search.reindex_household(session, source)
    search.reindex_household(session, target)
    return Saved(id=m.id, version=m.version, notices=_near_relatives(session, actor, target.id))


def remove_member(session: Session, actor: Actor, member_id: str, *, reason: str,
                  death_date: date | None = None, day: date | None = None,
                  today: date | None = None) -> Saved:
    """Remove a member from a household that stays; a death (reason containing 死亡) needs the
    date of death, which is the day the 动态管理月报 reports it under. Other removals take effect
    on ``day`` (default today)."""
    require(actor, "household.edit")
    today = today or clock.today()
    m = _own(session, actor, Member, member_id, "成员")
    if not (reason or "").strip():
        raise ValidationError("移出原因", reason, "必须填写")
    if m.relation == "户主":
        raise ValidationError("成员", m.name, "户主不能移出；请先指定新户主")
    died = "死亡" in reason
    if died:
        if not isinstance(death_date, date):
            raise ValidationError("死亡日期", death_date, f"{m.name}因死亡移出，须填写死亡日期（YYYY-MM-DD）")
        if death_date > today:
            raise ValidationError("死亡日期", death_date.isoformat(), f"不能晚于今天 {today}")
        if m.birth_date and death_date < m.birth_date:
            raise ValidationError("死亡日期", death_date.isoformat(), f"不能早于出生日期 {m.birth_date}")
        effective = death_date
    else:
        effective = day or today
    before = audit.state(m)
    m.deleted_at = utcnow()
    m.note = ((m.note + "；") if m.note else "") + f"移出：{reason.strip()}" + (
        f"（死亡日期 {death_date}）" if died else "")
    _stamp(m, actor)
    audit.record_change(session, actor, "member.remove", "member", m, before)
    hh = session.get(Household, m.household_id)
    exit_row = MemberExit(owner_office=hh.owner_office, household_id=hh.id, member_id=m.id,
                          reason=reason.strip(), died=died, day=effective, updated_by=actor.username)
    session.add(exit_row)
    session.flush()
    audit.record_change(session, actor, "member.exit", "member_exit", exit_row, None)
    search.reindex_household(session, hh)
    return Saved(id=m.id, version=m.version)


def add_step(session: Session, actor: Actor, hh: Household, *, kind: str, day: date,
             handler: str, outcome: str | None, note: str | None) -> Step:
    """Record a step of the case, also within a larger use case (approvals, 渐退)."""
    step = Step(owner_office=hh.owner_office, household_id=hh.id,
                kind=choice("环节", kind, "step_kinds"), day=day, handler=_name(handler, "经办人"),
                outcome=outcome or None, note=note or None, updated_by=actor.username)
    session.add(step)
    audit.record_change(session, actor, "step.create", "step", step, None)
    return step


def record_step(session: Session, actor: Actor, household_id: str, *, kind: str, day: date,
                handler: str, outcome: str | None = None, note: str | None = None,
                today: date | None = None, report_number: str | None = None,
                signers: object = None, attendee: str | None = None,
                period_days: int | None = None) -> Saved:
    """Record one dated step of the case (受理, 入户调查, 民主评议, 公示, 复核 …) with its
    structured fields (核对报告编号, 调查人员签字, 乡镇参加人员, 公示天数: app.procedure)."""
    require(actor, "household.step")
    hh = _own(session, actor, Household, household_id, "家庭")
    day = inputs.day("办理日期", day, required=True, today=today)
    handler = inputs.text("经办人", handler, model=Step, column="handler", required=True)
    outcome = inputs.text("办理结果", outcome, model=Step, column="outcome")
    note = inputs.text("说明", note, model=Step, column="note")
    if hh.apply_date and day < hh.apply_date and kind not in ("申请", "其他"):
        raise ValidationError("办理日期", day.isoformat(), f"不能早于申请日期 {hh.apply_date}")
    choice("环节", kind, "step_kinds")
    detail = procedure.check_step(session, hh, kind=kind, day=day, handler=_name(handler, "经办人"),
                                  report_number=report_number, signers=signers, attendee=attendee,
                                  period_days=period_days, note=note)
    step = add_step(session, actor, hh, kind=kind, day=day, handler=handler, outcome=outcome,
                     note=note)
    procedure.save_detail(session, actor, step, detail)
    procedure.after_step(session, actor, hh, step)
    if kind == "复核":
        before = audit.state(hh)
        hh.last_review_date = day
        hh.next_review_date = next_review_date(session, hh.classification, day)
        _stamp(hh, actor)
        audit.record_change(session, actor, "household.review", "household", hh, before)
    return Saved(id=step.id, version=step.version)


def change_status(session: Session, actor: Actor, household_id: str, *, status: str, reason: str,
                  day: date | None = None, expected_version: int | None = None) -> Saved:
    """Move a household along its lifecycle; the reason is required and recorded as a step."""
    require(actor, "household.status")
    hh = _own(session, actor, Household, household_id, "家庭")
    check_version(hh, expected_version, f"{hh.head_name}户")
    choice("保障状态", status, "statuses")
    if status not in TRANSITIONS.get(hh.status, ()):
        allowed = "、".join(TRANSITIONS.get(hh.status, ())) or "无"
        raise ValidationError("保障状态", status, f"当前状态“{hh.status}”只能变更为：{allowed}")
    if not (reason or "").strip():
        raise ValidationError("变更原因", reason, "变更保障状态必须填写原因")
    if is_gated_transition(hh.status, status):
        what = "纳入保障（申请中→在保）" if status == "在保" else "停保/退出（→已退出）"
        raise ValidationError("保障状态", status, f"{what}不能直接变更，{PROPOSAL_PATH}")
    return apply_status(session, actor, hh, status=status, reason=reason, day=day or clock.today())


def apply_status(session: Session, actor: Actor, hh: Household, *, status: str, reason: str, day: date,
                 outcome: str | None = None, fields: dict | None = None) -> Saved:
    """Write a status change (with validated ``fields`` such as the granted amount), its audit
    entry and its step (no gate: used by :func:`change_status` and by an approval)."""
    before = audit.state(hh)
    for key, value in (fields or {}).items():
        setattr(hh, key, value)
    hh.status = status
    if status == "在保":
        hh.approve_date = hh.approve_date if before["status"] == "暂停" else day
        hh.exit_date = hh.exit_reason = None
        hh.last_review_date = day
        hh.next_review_date = next_review_date(session, hh.classification, day)
    elif status in ("已退出", "未通过"):
        hh.exit_date, hh.exit_reason, hh.next_review_date = day, reason.strip(), None
    elif status == "申请中":
        hh.apply_date, hh.approve_date, hh.exit_date, hh.exit_reason = day, None, None, None
    _stamp(hh, actor)
    audit.record_change(session, actor, "household.status", "household", hh, before)
    kind, default_outcome = STATUS_STEP[status]
    add_step(session, actor, hh, kind=kind, day=day, handler=actor.display_name,
              outcome=outcome or default_outcome, note=reason.strip())
    casetasks.on_status(session, actor, hh, status=status, day=day)
    search.reindex_household(session, hh)
    return Saved(id=hh.id, version=hh.version)


def delete_household(session: Session, actor: Actor, household_id: str, *, reason: str) -> Saved:
    """Soft-delete a household entered by mistake (never one that has been approved)."""
    require(actor, "household.edit")
    hh = _own(session, actor, Household, household_id, "家庭")
    if hh.approve_date is not None:
        raise ValidationError("家庭", hh.number, "已审核确认过的家庭不能删除，请办理停保/退出")
    if not (reason or "").strip():
        raise ValidationError("删除原因", reason, "必须填写")
    before = audit.state(hh)
    hh.deleted_at = utcnow()
    hh.note = ((hh.note + "；") if hh.note else "") + f"删除：{reason.strip()}"
    _stamp(hh, actor)
    audit.record_change(session, actor, "household.delete", "household", hh, before)
    search.reindex_household(session, hh)
    return Saved(id=hh.id, version=hh.version)
