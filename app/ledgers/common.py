"""What the three ledgers share: field checks, households and villages by reference, numbering."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import audit, inputs
from app.errors import ConflictError, NotFound, ValidationError
from app.permissions import Actor
from db.models import Household, Member, Village, utcnow


def text(field: str, value: object, *, required: bool = True, max_len: int = 2000) -> str | None:
    shown = ("" if value is None else str(value)).strip()
    if not shown:
        if required:
            raise ValidationError(field, value, "必须填写")
        return None
    if len(shown) > max_len:
        raise ValidationError(field, f"{shown[:20]}……", f"不超过 {max_len} 个字")
    return shown


def choice(field: str, value: str | None, options: tuple[str, ...], *, required: bool = True) -> str | None:
    if value in (None, ""):
        if required:
            raise ValidationError(field, value, f"必须填写，应为以下之一：{'、'.join(options)}")
        return None
    if value not in options:
        raise ValidationError(field, value, f"应为以下之一：{'、'.join(options)}")
    return value


def past_date(field: str, day: date | None, today: date, *, required: bool = True) -> date | None:
    if day is None:
        if required:
            raise ValidationError(field, day, "必须填写")
        return None
    if not isinstance(day, date):
        raise ValidationError(field, day, "应为日期 YYYY-MM-DD")
    return inputs.day(field, day, today=today)  # 1900 … today (app.inputs)


def not_before(field: str, day: date | None, other_field: str, other: date | None) -> None:
    if day is not None and other is not None and day < other:
        raise ValidationError(field, day.isoformat(), f"不能早于{other_field}（{other.isoformat()}）")


def households(session: Session, actor: Actor, refs) -> list[Household]:  # noqa: ANN001
    """Households of this office by 户编号, a member's ID number or UUID; unknown ones refused.
    A district links its townships' households too (its 督导检查, problems and petitions concern
    them; the households themselves stay read-only there)."""
    from app import offices, queries  # here, so that app.households may import the ledgers (check_household)

    found: dict[str, Household] = {}
    district = bool(refs) and offices.own_office(session).level == "district"
    for ref in refs or ():
        ref = str(ref).strip()
        if not ref:
            continue
        try:
            hid = queries.find_household_id(session, ref)
        except NotFound:
            hid = None
        h = session.get(Household, hid) if hid else None
        if h is None or h.deleted_at is not None or (h.owner_office != actor.office_code and not district):
            raise ValidationError("关联家庭", ref, "找不到本单位的这户家庭：请输入户编号、成员身份证号或家庭 ID")
        found[h.id] = h
    return list(found.values())


def village_id(session: Session, actor: Actor, name: str | None) -> str | None:
    if not name:
        return None
    v = session.execute(select(Village).where(
        Village.owner_office == actor.office_code, Village.deleted_at.is_(None),
        (Village.name == name) | (Village.id == name))).scalar_one_or_none()
    if v is None:
        raise ValidationError("村（居）", name, "不是本单位的村（居）")
    return v.id


def village_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Village.id, Village.name)).all())


def live(session: Session, model, ident: str, what: str):  # noqa: ANN001, ANN202
    obj = session.get(model, ident) if ident else None
    if obj is None or obj.deleted_at is not None:
        raise NotFound(f"找不到{what}：{ident}")
    return obj


def by_number(session: Session, model, ref: str, what: str):  # noqa: ANN001, ANN202
    """A ledger record by its 编号 or its UUID."""
    obj = session.execute(select(model).where(
        (model.number == ref.strip()) | (model.id == ref.strip().lower()),
        model.deleted_at.is_(None))).scalars().first()
    if obj is None:
        raise NotFound(f"找不到{what}“{ref}”：请输入编号或 ID。")
    return obj


def check_version(obj, expected: int | None, what: str) -> None:  # noqa: ANN001
    if expected is not None and obj.version != expected:
        raise ConflictError(f"{what}已被 {obj.updated_by or '其他用户'} 修改（当前版本 {obj.version}，"
                            f"你打开的是版本 {expected}）。你的修改未保存，请重新打开后再改。")


def stamp(obj, actor: Actor) -> None:  # noqa: ANN001
    obj.updated_at, obj.updated_by = utcnow(), actor.username


def add(session: Session, actor: Actor, obj, entity: str, action: str) -> dict:  # noqa: ANN001
    """Insert a synced record owned by the actor's office, audited."""
    obj.owner_office = actor.office_code
    stamp(obj, actor)
    session.add(obj)
    return audit.record_change(session, actor, action, entity, obj, None)


def next_number(session: Session, model, office: str, prefix: str, year: int) -> str:  # noqa: ANN001
    stem = f"{prefix}{year}-"
    count = session.execute(select(func.count()).select_from(model).where(
        model.owner_office == office, model.number.like(f"{stem}%"))).scalar_one()
    return f"{stem}{count + 1:04d}"


def household_labels(session: Session, household_ids: list[str]) -> dict[str, tuple[str, str, str]]:
    """household id -> (户编号, 户主, 村名)."""
    if not household_ids:
        return {}
    rows = session.execute(select(Household.id, Household.number, Household.head_name, Village.name)
                           .join(Village, Village.id == Household.village_id)
                           .where(Household.id.in_(household_ids))).all()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def member_names(session: Session, member_ids: list[str]) -> dict[str, str]:
    ids = [m for m in member_ids if m]
    if not ids:
        return {}
    return dict(session.execute(select(Member.id, Member.name).where(Member.id.in_(ids))).all())
