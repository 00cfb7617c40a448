"""Income, rigid expenditure and assets of a household, and the means figures derived from them.

Rules (DOMAIN.md §Money): household size counts the members who live together; a supporter with
a legal duty of support (赡养/抚养/扶养) who lives apart is not counted, but what they pay counts as
income (their other income does not). Income items are monthly or yearly; the annual figure is
authoritative and rounded once (to the fen, half up). Rigid expenditures are deducted only for
the kinds local rules allow (setting ``deductible_expenditures``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, inputs, rulesettings
from app.assessment.amounts import ZERO, round_fen
from app.errors import NotFound, ValidationError
from app.household_types import Saved
from app.permissions import Actor, require
from app.rulesettings import EXPENDITURE_KINDS
from db.assessment_models import Asset, Expenditure, IncomeItem
from db.models import Household, Member, utcnow

INCOME_KINDS = ("工资性收入", "经营性收入(种养殖)", "养老金/退休金", "赡养/抚养/扶养费", "政策性补贴", "其他")
SUPPORT_KIND = "赡养/抚养/扶养费"
ASSET_KINDS = ("住房", "车辆", "金融资产", "其他")
PERIODS = {"monthly": "每月", "yearly": "每年"}
PERIOD_ALIASES = {"月": "monthly", "每月": "monthly", "年": "yearly", "每年": "yearly"}
MODELS = {"income": (IncomeItem, "收入"), "expenditure": (Expenditure, "刚性支出"), "asset": (Asset, "财产")}


@dataclass(frozen=True)
class ItemLine:
    """One income or expenditure item as counted (or not) in the annual figure."""

    id: str
    kind: str
    member: str | None
    period: str
    amount: Decimal
    annual: Decimal
    counted: bool
    why: str | None = None


@dataclass(frozen=True)
class AssetLine:
    id: str
    kind: str
    quantity: int
    area: Decimal | None
    value: Decimal | None
    note: str | None


@dataclass(frozen=True)
class PersonFacts:
    id: str
    name: str
    relation: str
    birth_date: object
    lives_together: bool
    covered: bool
    work_ability: str | None
    health: str | None
    disability: str | None


@dataclass
class Means:
    """A household's means: who counts, annual income, deductions, assets."""

    household_id: str
    persons: list[PersonFacts]
    counted: list[PersonFacts]
    apart: list[PersonFacts]
    income: list[ItemLine]
    expenditure: list[ItemLine]
    assets: list[AssetLine]
    annual_income: Decimal  # counted income, rounded once
    annual_expenditure: Decimal  # all rigid expenditure
    annual_deductible: Decimal  # the part local rules allow to deduct
    deductible_kinds: list[str] = field(default_factory=list)

    @property
    def persons_counted(self) -> int:
        return len(self.counted)

    @property
    def covered(self) -> list[PersonFacts]:
        return [p for p in self.counted if p.covered]

    @property
    def annual_net(self) -> Decimal:
        """Income after the deductions local rules allow (never below zero)."""
        return max(self.annual_income - self.annual_deductible, ZERO)

    def lines(self) -> list[str]:
        out = [f"计入家庭人口 {self.persons_counted} 人：{'、'.join(p.name for p in self.counted) or '无'}"]
        if self.apart:
            out.append(f"不共同生活、不计入家庭人口：{'、'.join(p.name for p in self.apart)}"
                       f"（其支付的{SUPPORT_KIND}计入收入）")
        for i in self.income:
            who = f"{i.member}，" if i.member else ""
            state = f"计入 {i.annual:.2f} 元/年" if i.counted else f"不计入（{i.why}）"
            out.append(f"收入：{i.kind}（{who}{PERIODS[i.period]} {i.amount:.2f} 元）{state}")
        out.append(f"家庭年收入合计 {self.annual_income:.2f} 元")
        if self.annual_deductible:
            out.append(f"扣减刚性支出（{'、'.join(self.deductible_kinds)}）{self.annual_deductible:.2f} 元/年，"
                       f"扣减后 {self.annual_net:.2f} 元/年")
        return out


def _amount(value: object, what: str) -> Decimal:
    return inputs.amount(what, value, maximum=Decimal("10000000"))  # finite, ≥ 0, cents, no -0


def _period(value: str) -> str:
    p = PERIOD_ALIASES.get(value, value)
    if p not in PERIODS:
        raise ValidationError("周期", value, "应为 monthly（每月）或 yearly（每年）")
    return p


def _household(session: Session, household_id: str) -> Household:
    hh = session.get(Household, household_id)
    if hh is None or hh.deleted_at is not None:
        raise NotFound(f"找不到家庭：{household_id}")
    return hh


def _member(session: Session, hh: Household, member_id: str | None) -> str | None:
    if not member_id:
        return None
    m = session.get(Member, member_id)
    if m is None or m.deleted_at is not None or m.household_id != hh.id:
        raise ValidationError("成员", member_id, f"不是{hh.head_name}户的在册成员")
    return m.id


def _add(session: Session, actor: Actor, entity: str, household_id: str, values: dict) -> Saved:
    require(actor, "household.edit")
    hh = _household(session, household_id)
    model, _label = MODELS[entity]
    if "member_id" in values:
        values["member_id"] = _member(session, hh, values["member_id"])
    row = model(owner_office=hh.owner_office, household_id=hh.id, updated_by=actor.username, **values)
    session.add(row)
    audit.record_change(session, actor, f"{entity}.create", entity, row, None)
    return Saved(id=row.id, version=row.version)


def add_income(session: Session, actor: Actor, household_id: str, *, kind: str, amount: object,
               period: str = "monthly", member_id: str | None = None, note: str | None = None) -> Saved:
    """Record one income item (工资性收入 … 其他), monthly or yearly, optionally of one member."""
    if kind not in INCOME_KINDS:
        raise ValidationError("收入类型", kind, f"应为以下之一：{'、'.join(INCOME_KINDS)}")
    return _add(session, actor, "income", household_id, {
        "kind": kind, "amount": _amount(amount, f"{kind}金额"), "period": _period(period),
        "member_id": member_id, "note": note or None})


def add_expenditure(session: Session, actor: Actor, household_id: str, *, kind: str, amount: object,
                    period: str = "yearly", member_id: str | None = None,
                    note: str | None = None) -> Saved:
    """Record one rigid expenditure (医疗, 教育, 康复, 住房)."""
    if kind not in EXPENDITURE_KINDS:
        raise ValidationError("刚性支出类型", kind, f"应为以下之一：{'、'.join(EXPENDITURE_KINDS)}")
    return _add(session, actor, "expenditure", household_id, {
        "kind": kind, "amount": _amount(amount, f"{kind}支出"), "period": _period(period),
        "member_id": member_id, "note": note or None})


def add_asset(session: Session, actor: Actor, household_id: str, *, kind: str, quantity: int = 1,
              area: object = None, value: object = None, note: str | None = None) -> Saved:
    """Record property: housing (units, area in m²), vehicles, financial assets (value), other."""
    if kind not in ASSET_KINDS:
        raise ValidationError("财产类型", kind, f"应为以下之一：{'、'.join(ASSET_KINDS)}")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= 1000:
        raise ValidationError(f"{kind}数量", quantity, "应为 0 到 1000 的整数")
    return _add(session, actor, "asset", household_id, {
        "kind": kind, "quantity": quantity,
        "area": None if area in (None, "") else _amount(area, "住房面积（平方米）"),
        "value": None if value in (None, "") else _amount(value, f"{kind}价值"), "note": note or None})


def remove_item(session: Session, actor: Actor, entity: str, item_id: str, *, reason: str) -> Saved:
    """Remove an income, expenditure or asset entry (soft deletion, with the reason, audited)."""
    require(actor, "household.edit")
    if entity not in MODELS:
        raise ValidationError("项目类型", entity, f"应为：{'、'.join(MODELS)}")
    model, label = MODELS[entity]
    row = session.get(model, item_id)
    if row is None or row.deleted_at is not None:
        raise NotFound(f"找不到{label}项目：{item_id}")
    if not (reason or "").strip():
        raise ValidationError("删除原因", reason, "必须填写")
    before = audit.state(row)
    row.deleted_at = row.updated_at = utcnow()
    row.updated_by = actor.username
    row.note = ((row.note + "；") if row.note else "") + f"删除：{reason.strip()}"
    audit.record_change(session, actor, f"{entity}.remove", entity, row, before)
    return Saved(id=row.id, version=row.version)


def _annual(amount: Decimal, period: str) -> Decimal:
    return amount * 12 if period == "monthly" else amount


def household_means(session: Session, household_id: str) -> Means:
    """Who counts in the household, its annual income (rounded once) and deductions."""
    hh = _household(session, household_id)
    members = session.execute(select(Member).where(
        Member.household_id == hh.id, Member.deleted_at.is_(None))
        .order_by(Member.relation != "户主", Member.created_at)).scalars().all()
    persons = [PersonFacts(m.id, m.name, m.relation, m.birth_date, bool(m.lives_together),
                           bool(m.covered), m.work_ability, m.health, m.disability) for m in members]
    by_id = {p.id: p for p in persons}
    income: list[ItemLine] = []
    for row in session.execute(select(IncomeItem).where(
            IncomeItem.household_id == hh.id, IncomeItem.deleted_at.is_(None))
            .order_by(IncomeItem.created_at)).scalars():
        who = by_id.get(row.member_id)
        counted, why = True, None
        if who is not None and not who.lives_together and row.kind != SUPPORT_KIND:
            counted, why = False, f"{who.name}不共同生活，只计其支付的{SUPPORT_KIND}"
        income.append(ItemLine(row.id, row.kind, who.name if who else None, row.period,
                               Decimal(row.amount), _annual(Decimal(row.amount), row.period), counted, why))
    allowed = list(rulesettings.get(session, "deductible_expenditures"))
    spending: list[ItemLine] = []
    for row in session.execute(select(Expenditure).where(
            Expenditure.household_id == hh.id, Expenditure.deleted_at.is_(None))
            .order_by(Expenditure.created_at)).scalars():
        who = by_id.get(row.member_id)
        spending.append(ItemLine(row.id, row.kind, who.name if who else None, row.period,
                                 Decimal(row.amount), _annual(Decimal(row.amount), row.period),
                                 row.kind in allowed, None if row.kind in allowed else "本地规则不扣减"))
    assets = [AssetLine(a.id, a.kind, a.quantity, a.area, a.value, a.note) for a in session.execute(
        select(Asset).where(Asset.household_id == hh.id, Asset.deleted_at.is_(None))
        .order_by(Asset.created_at)).scalars()]
    total = round_fen(sum((i.annual for i in income if i.counted), ZERO))
    return Means(household_id=hh.id, persons=persons,
                 counted=[p for p in persons if p.lives_together],
                 apart=[p for p in persons if not p.lives_together], income=income,
                 expenditure=spending, assets=assets, annual_income=total,
                 annual_expenditure=round_fen(sum((e.annual for e in spending), ZERO)),
                 annual_deductible=round_fen(sum((e.annual for e in spending if e.counted), ZERO)),
                 deductible_kinds=allowed)
