"""The office this install serves, and its villages."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, rulesettings, users
from app.errors import NotFound, ValidationError
from app.permissions import ADMIN, Actor, require
from db.models import Office, Village

LEVELS = {"township": "乡镇（街道）", "district": "区（县）"}


def check_office_code(code: str, level: str) -> str:
    """Township: 9-digit statistical code; district: 6-digit GB/T 2260 code (province 11–82)."""
    code = (code or "").strip()
    length = {"township": 9, "district": 6}.get(level)
    if length is None:
        raise ValidationError("单位级别", level, "应为 township（乡镇）或 district（区县）")
    if not code.isdigit() or len(code) != length:
        raise ValidationError("单位代码", code, f"{LEVELS[level]}代码应为 {length} 位数字")
    if not 11 <= int(code[:2]) <= 82:
        raise ValidationError("单位代码", code, "前两位省级代码应在 11–82 之间（GB/T 2260）")
    return code


@dataclass(frozen=True)
class OfficeInfo:
    code: str
    name: str
    level: str
    parent_code: str | None
    region_code: str
    phone: str | None
    district_phone: str | None
    address: str | None
    doc_prefix: str | None


def init_office(session: Session, *, code: str, name: str, level: str, parent: str | None,
                admin: str, admin_password: str, admin_name: str | None = None,
                villages: list[str] = ()) -> Actor:
    """Set up a new database: the office, its first administrator, villages, default rules."""
    code = check_office_code(code, level)
    if not (name or "").strip():
        raise ValidationError("单位名称", name, "必须填写")
    if parent:
        parent = check_office_code(parent, "district")
        if level == "township" and not code.startswith(parent):
            raise ValidationError("上级单位代码", parent, f"乡镇代码 {code} 应以所属区县代码开头")
    elif level == "township":
        parent = code[:6]
    if session.execute(select(Office.id).where(Office.is_self.is_(True))).first():
        raise ValidationError("单位", code, "本数据库已经初始化过")
    info = users.create_user(session, None, username=admin, display_name=admin_name or admin,
                             role=ADMIN, password=admin_password, office_code=code)
    actor = users.actor_for(session, info.username)
    office = Office(owner_office=code, code=code, name=name.strip(), level=level,
                    parent_code=parent, region_code=code[:6], is_self=True, updated_by=admin)
    session.add(office)
    audit.record_change(session, actor, "office.create", "office", office, None)
    rulesettings.seed_defaults(session, actor)
    for v in villages:
        add_village(session, actor, name=v)
    return actor


def own_office(session: Session) -> OfficeInfo:
    o = session.execute(select(Office).where(Office.is_self.is_(True))).scalar()
    if o is None:
        raise NotFound("数据库尚未初始化单位信息。")
    return OfficeInfo(o.code, o.name, o.level, o.parent_code, o.region_code, o.phone,
                      o.district_phone, o.address, o.doc_prefix)


def update_office(session: Session, actor: Actor, **changes: str | None) -> OfficeInfo:
    """Change the office's details; ``district_name`` names the parent bureau (kept as its own
    office record, as the counterpart of sync packages)."""
    require(actor, "office.edit")
    o = session.execute(select(Office).where(Office.is_self.is_(True))).scalar_one()
    allowed = {"name", "phone", "district_phone", "address", "doc_prefix"}
    if set(changes) - allowed - {"district_name"}:
        raise ValidationError("字段", "、".join(sorted(set(changes) - allowed)), "不能在此修改")
    district_name = changes.pop("district_name", None)
    if district_name is not None and o.parent_code:
        _set_parent_name(session, actor, o.parent_code, district_name)
    before = audit.state(o)
    for k, v in changes.items():
        setattr(o, k, (v or "").strip() or None)
    if not o.name:
        raise ValidationError("单位名称", "", "必须填写")
    o.updated_by = actor.username
    audit.record_change(session, actor, "office.update", "office", o, before)
    return own_office(session)


def _set_parent_name(session: Session, actor: Actor, code: str, name: str) -> None:
    name = (name or "").strip()
    if not name:
        raise ValidationError("上级单位名称", name, "必须填写")
    parent = session.execute(select(Office).where(Office.code == code)).scalar()
    before = None if parent is None else audit.state(parent)
    if parent is None:
        parent = Office(owner_office=code, code=code, level="district", region_code=code[:6],
                        name=name, is_self=False, updated_by=actor.username)
        session.add(parent)
    parent.name = name
    audit.record_change(session, actor, "office.update" if before else "office.create", "office",
                        parent, before)


def add_village(session: Session, actor: Actor, *, name: str, code: str | None = None) -> str:
    require(actor, "office.edit")
    name = "".join((name or "").split())
    if not name or len(name) > 30:
        raise ValidationError("村（居）名称", name, "必须填写，不超过 30 个字")
    if session.execute(select(Village.id).where(Village.owner_office == actor.office_code,
                                                Village.name == name)).first():
        raise ValidationError("村（居）名称", name, "已存在")
    count = len(list_villages(session, actor.office_code))
    v = Village(owner_office=actor.office_code, name=name, code=code, sort_order=count + 1,
                updated_by=actor.username)
    session.add(v)
    audit.record_change(session, actor, "village.create", "village", v, None)
    return v.id


def list_villages(session: Session, office_code: str) -> list[str]:
    return list(session.execute(select(Village.name).where(
        Village.owner_office == office_code, Village.deleted_at.is_(None))
        .order_by(Village.sort_order, Village.name)).scalars())
