"""家庭经济状况评估 for one household on one date: means, standards in force, amount, suggestion.

:func:`assess` only reads; :func:`save_assessment` stores the inputs, result and derivation
(audited) so that a later change of standards can be recalculated with the same inputs.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, codes, rulesettings
from app.assessment import amounts, eligibility, standards
from app.assessment.income import Means, household_means
from app.errors import NotFound, ValidationError
from app.permissions import Actor, require
from db.assessment_models import Assessment
from db.models import Household

SELF_CARE = ("全自理", "半护理", "全护理")
DIBAO = {"城市低保": "城市", "农村低保": "农村"}
TEKUN = {"特困人员(分散供养)": "分散", "特困人员(集中供养)": "集中"}


@dataclass(frozen=True)
class Inputs:
    """What the clerk chose for an assessment (kept, so recalculation uses the same choices)."""

    category: str
    method: str | None = None  # 差额 | 分档 (None: the setting); 特困 categories ignore it
    tier: int | None = None  # 分档: set by the clerk from the home visit
    self_care: dict[str, str] = field(default_factory=dict)  # member id -> 全自理/半护理/全护理

    def as_dict(self) -> dict:
        return {"category": self.category, "method": self.method, "tier": self.tier,
                "self_care": dict(sorted(self.self_care.items()))}


@dataclass(frozen=True)
class AssessmentResult:
    household_id: str
    day: date
    inputs: Inputs
    means: Means
    derivation: amounts.Derivation
    suggestion: eligibility.Suggestion
    maximum: Decimal  # the most this household may receive in its category
    current_amount: Decimal
    assessment_id: str | None = None

    @property
    def amount(self) -> Decimal:
        return self.derivation.amount

    @property
    def over_maximum(self) -> bool:
        """不按标施保: the amount now paid is above the standard for the family's size and category."""
        return self.derivation.method != "不适用" and self.current_amount > self.maximum

    def lines(self) -> list[str]:
        out = self.means.lines() + list(self.derivation.lines)
        out += [f"建议：{self.suggestion.primary}"] + [f"  {r}" for r in self.suggestion.reasons]
        if self.over_maximum:
            out.append(f"注意：现发放 {self.current_amount:.2f} 元，高于该户按标准最多可得 {self.maximum:.2f} 元"
                       "（不按标施保）")
        return out

    def as_dict(self) -> dict:
        return {"day": self.day.isoformat(), "inputs": self.inputs.as_dict(),
                "derivation": self.derivation.as_dict(), "suggestion": self.suggestion.primary,
                "reasons": list(self.suggestion.reasons), "maximum": f"{self.maximum:.2f}",
                "lines": self.lines()}


def _household(session: Session, household_id: str) -> Household:
    hh = session.get(Household, household_id)
    if hh is None or hh.deleted_at is not None:
        raise NotFound(f"找不到家庭：{household_id}")
    return hh


def _rates(session: Session, day: date) -> dict[str, amounts.Rate]:
    return {g: amounts.Rate(g, s.value, s.unit) for g, s in standards.surcharges_in_force(session, day).items()}


def _care(session: Session, day: date) -> dict[str, Decimal]:
    return {level: standards.in_force(session, "特困护理", level, day).value for level in SELF_CARE}


def assess(session: Session, household_id: str, *, day: date, inputs: Inputs | None = None) -> AssessmentResult:
    """Assess a household on ``day`` with the standards in force that day (read only).

    Refused, naming the standard and the date, when a standard needed is not in force.
    """
    hh = _household(session, household_id)
    inputs = inputs or Inputs(category=hh.category)
    category = inputs.category
    if category not in codes.values("categories"):
        raise ValidationError("保障类别", category, "不是已知的保障类别")
    means = household_means(session, hh.id)
    urban_rural = DIBAO.get(category, hh.urban_rural)
    if category in TEKUN:  # the category's own standard first: a refusal names it
        standards.in_force(session, "特困基本", TEKUN[category], day)
    dibao = standards.in_force(session, "低保", urban_rural, day)
    multiple = standards.in_force(session, "低保边缘", "", day).value
    elderly = int(rulesettings.get(session, "elderly_age"))
    covered = [p for p in means.counted if p.covered]
    if category in TEKUN:
        basic = standards.in_force(session, "特困基本", TEKUN[category], day)
        care = _care(session, day)
        persons = []
        for p in covered:
            level = inputs.self_care.get(p.id, "全自理")
            if level not in SELF_CARE:
                raise ValidationError(f"{p.name}的自理能力", level, f"应为：{'、'.join(SELF_CARE)}")
            persons.append(amounts.Person(p.name, self_care=level))
        derivation = amounts.tekun_amount(
            category=category, basic_label=basic.label, basic=basic.value, care=care,
            covered=persons, annual_income=means.annual_net, persons_counted=means.persons_counted)
        maximum = amounts.tekun_maximum(basic.value, care, len(covered))
    else:
        rates = _rates(session, day)
        stacking = rulesettings.get(session, "surcharge_stacking")
        persons = [amounts.Person(p.name, eligibility.surcharge_groups(p, day, elderly_age=elderly))
                   for p in covered]
        method = inputs.method or rulesettings.get(session, "amount_method")
        if method not in ("差额", "分档"):
            raise ValidationError("计算方法", method, "应为 差额 或 分档")
        tiers = rulesettings.get(session, "amount_tiers")
        if inputs.tier is not None and not 1 <= inputs.tier <= len(tiers):
            raise ValidationError("档次", inputs.tier, f"应在 1 到 {len(tiers)} 之间（见设置“分档发放”）")
        if category in DIBAO:
            derivation = amounts.dibao_amount(
                category=category, standard_label=dibao.label, standard=dibao.value,
                annual_income=means.annual_net, persons_counted=means.persons_counted,
                covered=persons, method=method, tiers=tiers, tier=inputs.tier, rates=rates,
                stacking=stacking, floor_percent=rulesettings.get(session, "amount_floor_percent"))
        else:
            derivation = _no_monthly_amount(category, dibao, means)
        maximum = amounts.dibao_maximum(dibao.value, persons, rates, stacking=stacking) \
            if category in DIBAO else Decimal("0.00")
    n = means.persons_counted
    ipp = amounts.income_per_person(means.annual_net, n)
    after_all = amounts.income_per_person(max(means.annual_income - means.annual_expenditure, Decimal(0)), n)
    tekun_basic = standards.in_force(session, "特困基本", TEKUN.get(category, "分散"), day).value \
        if _has(session, "特困基本", TEKUN.get(category, "分散"), day) else None
    suggestion = eligibility.suggest(
        counted=means.counted, apart=means.apart, day=day, urban_rural=urban_rural,
        income_per_person=amounts.round_fen(ipp),
        income_per_person_after_all_spending=amounts.round_fen(after_all),
        dibao_standard=dibao.value, edge_multiple=multiple, tekun_standard=tekun_basic)
    return AssessmentResult(hh.id, day, inputs, means, derivation, suggestion, maximum,
                            Decimal(hh.monthly_amount))


def _has(session: Session, kind: str, variant: str, day: date) -> bool:
    try:
        standards.in_force(session, kind, variant, day)
        return True
    except ValidationError:
        return False


def _no_monthly_amount(category: str, dibao: standards.StandardInfo, means: Means) -> amounts.Derivation:
    ipp = amounts.income_per_person(means.annual_net, means.persons_counted)
    line = f"“{category}”不按月计发低保金，金额为 0（可按临时救助等办法另行救助）"
    return amounts.Derivation("不适用", category, dibao.label, dibao.value, means.annual_net,
                              means.persons_counted, amounts.round_fen(ipp), len(means.covered), None,
                              Decimal(0), (), False, Decimal(0), Decimal("0.00"), (line,))


def save_assessment(session: Session, actor: Actor, household_id: str, *, day: date,
                    inputs: Inputs | None = None) -> AssessmentResult:
    """Assess and keep the result, its inputs and derivation (audited as ``assessment.create``)."""
    require(actor, "household.edit")
    standards.ensure_seeded(session, actor)
    result = assess(session, household_id, day=day, inputs=inputs)
    hh = _household(session, household_id)
    row = Assessment(owner_office=hh.owner_office, household_id=hh.id, day=day,
                     category=result.inputs.category, method=result.derivation.method,
                     persons_counted=result.means.persons_counted,
                     persons_covered=result.derivation.persons_covered,
                     annual_income=result.means.annual_net, amount=result.amount,
                     suggestion=result.suggestion.primary,
                     inputs=audit.canonical(result.inputs.as_dict()),
                     derivation=audit.canonical(result.as_dict()), updated_by=actor.username)
    session.add(row)
    audit.record_change(session, actor, "assessment.create", "assessment", row, None)
    return AssessmentResult(result.household_id, day, result.inputs, result.means, result.derivation,
                            result.suggestion, result.maximum, result.current_amount, row.id)


def latest_inputs(session: Session, household_id: str) -> Inputs | None:
    """The inputs of the household's most recent saved assessment, if any."""
    row = session.execute(select(Assessment).where(
        Assessment.household_id == household_id, Assessment.deleted_at.is_(None))
        .order_by(Assessment.day.desc(), Assessment.created_at.desc()).limit(1)).scalar_one_or_none()
    if row is None:
        return None
    data = json.loads(row.inputs)
    return Inputs(category=data["category"], method=data.get("method"), tier=data.get("tier"),
                  self_care=dict(data.get("self_care") or {}))
