"""Eligibility suggestion: which kind of assistance the figures point to, with reasons.

Only a suggestion: the clerk decides. Rules applied (national rules as refined by settings):
- 特困 (《特困人员认定办法》): no working ability (60 and over, under 16, severe disability or
  severe illness, or recorded as 无劳动能力), no means of living (income below the 特困 basic
  standard) and no supporter under a legal duty (or the supporter unable to pay).
- 低保: family monthly income per person below the 低保 standard.
- 低保边缘 (《最低生活保障边缘家庭认定办法》): income per person from the 低保 standard up to the
  standard × the multiple in force (e.g. 1.5); severely ill or severely disabled members of such a
  household may be covered alone (单人保, "参照单人户").
- 支出型困难: above those lines, but below the 低保边缘 line once all rigid expenditures are
  deducted.
- otherwise over the limit (超出).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.assessment.income import PersonFacts
from app.idcard import age_on

SEVERE_DISABILITY_WORDS = ("一级", "二级", "重度")
SEVERE_ILLNESS_WORDS = ("重病", "大病", "重特大疾病", "危重")
SUPPORT_RELATIONS = ("配偶", "子", "女", "父亲", "母亲", "儿媳", "女婿", "孙子", "孙女", "外孙子", "外孙女")


@dataclass(frozen=True)
class Suggestion:
    primary: str  # 低保 | 单人保 | 低保边缘 | 特困 | 支出型困难 | 超出
    options: tuple[str, ...]
    reasons: tuple[str, ...]
    category: str | None  # the 保障类别 code to propose, when there is one
    covered: tuple[str, ...] = ()  # 单人保: the names of the persons to cover alone


def is_severely_disabled(disability: str | None) -> bool:
    """重度残疾: disability grade one or two (GB/T 26341), or recorded as 重度."""
    return bool(disability) and any(w in disability for w in SEVERE_DISABILITY_WORDS)


def is_severely_ill(health: str | None) -> bool:
    return bool(health) and any(w in health for w in SEVERE_ILLNESS_WORDS)


def age(person: PersonFacts, day: date) -> int | None:
    return age_on(person.birth_date, day) if person.birth_date else None


def surcharge_groups(person: PersonFacts, day: date, *, elderly_age: int) -> tuple[str, ...]:
    """分类施保 groups a person qualifies for: 重度残疾, 重病, 老年 (age from setting), 未成年."""
    groups = []
    if is_severely_disabled(person.disability):
        groups.append("重度残疾")
    if is_severely_ill(person.health):
        groups.append("重病")
    years = age(person, day)
    if years is not None and years >= elderly_age:
        groups.append("老年")
    if years is not None and years < 18:
        groups.append("未成年")
    return tuple(groups)


def lacks_work_ability(person: PersonFacts, day: date) -> bool:
    """无劳动能力 for 特困: so recorded, severely disabled or ill, or — when the work ability is
    not recorded — 60 or over or under 16."""
    if person.work_ability == "无劳动能力" or is_severely_disabled(person.disability) \
            or is_severely_ill(person.health):
        return True
    years = age(person, day)
    return person.work_ability is None and years is not None and (years >= 60 or years < 16)


def suggest(*, counted: list[PersonFacts], apart: list[PersonFacts], day: date, urban_rural: str,
            income_per_person: Decimal, income_per_person_after_all_spending: Decimal,
            dibao_standard: Decimal, edge_multiple: Decimal, tekun_standard: Decimal | None) -> Suggestion:
    """Suggest the kind of assistance, with the reasons in Chinese."""
    ipp, line = income_per_person, dibao_standard
    edge = dibao_standard * edge_multiple
    dibao = f"{urban_rural}低保"
    reasons = [f"家庭月人均收入 {ipp:.2f} 元，{urban_rural}低保标准 {line:.2f} 元，"
               f"低保边缘线（{edge_multiple} 倍）{edge:.2f} 元"]
    supporters = [p for p in apart if p.relation in SUPPORT_RELATIONS]
    if counted and tekun_standard is not None and all(lacks_work_ability(p, day) for p in counted) \
            and ipp < tekun_standard:
        if supporters:
            reasons.append(f"全部成员无劳动能力，但有不共同生活的法定义务人（{'、'.join(p.name for p in supporters)}）："
                           "其无赡养、抚养、扶养能力的，可认定特困")
        else:
            reasons.append(f"全部成员无劳动能力、收入低于特困基本生活标准 {tekun_standard:.2f} 元、"
                           "无法定赡养抚养扶养义务人：符合特困人员条件")
            options = ("特困", "低保") if ipp < line else ("特困",)
            return Suggestion("特困", options, tuple(reasons), "特困人员(分散供养)")
    if ipp < line:
        reasons.append("月人均收入低于低保标准：符合低保条件")
        return Suggestion("低保", ("低保",), tuple(reasons), dibao)
    if ipp < edge:
        severe = [p for p in counted if is_severely_disabled(p.disability) or is_severely_ill(p.health)]
        reasons.append("月人均收入不低于低保标准、低于低保边缘线：属低保边缘家庭")
        if severe:
            names = tuple(p.name for p in severe)
            reasons.append(f"{'、'.join(names)}为重病或重度残疾人，可参照单人户单独纳入低保（单人保）")
            return Suggestion("单人保", ("单人保", "低保边缘"), tuple(reasons), dibao, names)
        return Suggestion("低保边缘", ("低保边缘",), tuple(reasons), "低保边缘家庭")
    if income_per_person_after_all_spending < edge:
        reasons.append(f"扣除全部刚性支出后月人均收入 {income_per_person_after_all_spending:.2f} 元，"
                       "低于低保边缘线：可认定支出型困难家庭")
        return Suggestion("支出型困难", ("支出型困难",), tuple(reasons), "支出型困难家庭")
    reasons.append("月人均收入超过低保边缘线：不符合低保、低保边缘条件")
    return Suggestion("超出", ("超出",), tuple(reasons), None)
