"""The monthly amount (月保障金额): every local method in one place, each result with its
derivation as a dataclass and as Chinese text lines.

Rules (DOMAIN.md §Money):
- 低保, gap rule: (monthly standard − family's monthly income per person) × persons covered;
  persons covered may be fewer than the household (单人保).
- 低保, tiers by degree of hardship: at least 4 tiers (setting ``amount_tiers``), the top one the
  full standard; the tier follows from income per person as a share of the standard unless the
  clerk sets it from the home visit.
- 分类施保: a surcharge per qualifying covered person (amount, or percent of the standard);
  one person in several groups gets the highest one or all (setting ``surcharge_stacking``).
- Optional floor: at least ``amount_floor_percent`` % of the standard per person covered.
- 特困: basic-living standard + care standard by degree of self-care, per person covered.
Pure functions over plain values: no database. The annual income is authoritative; the monthly
income per person is shown rounded but computed exactly, and the result is rounded once, to the
fen, half up.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def round_fen(value: Decimal) -> Decimal:
    """Round once, to the fen, half up (never banker's rounding)."""
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def money(value: Decimal) -> str:
    return f"{round_fen(value):.2f}"


def _exact(value: Decimal) -> str:
    """An unrounded value as shown in a derivation: up to 6 decimals, marked when cut."""
    if value == value.quantize(FEN):
        return f"{value:.2f}"
    shown = value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP).normalize()
    return f"{shown:f}" + ("…" if shown != value else "")


@dataclass(frozen=True)
class Rate:
    """A 分类施保 surcharge rate: ``value`` 元 per month, or ``value`` % of the standard."""

    group: str
    value: Decimal
    unit: str  # 元 | %

    def per_month(self, standard: Decimal) -> Decimal:
        return self.value if self.unit == "元" else standard * self.value / HUNDRED

    def text(self, standard: Decimal) -> str:
        return f"{self.value} 元" if self.unit == "元" else f"{self.value}% × {standard:.2f}"


@dataclass(frozen=True)
class Person:
    """A person covered (保障对象) and what the calculation needs to know about them."""

    name: str
    groups: tuple[str, ...] = ()  # 分类施保 groups they qualify for
    self_care: str = "全自理"  # 特困: 全自理 | 半护理 | 全护理


@dataclass(frozen=True)
class Surcharge:
    person: str
    group: str
    rule: str
    value: Decimal  # exact, per month


@dataclass(frozen=True)
class Derivation:
    """How an amount was reached: every input, each step, and the one rounding."""

    method: str  # 差额 | 分档 | 特困
    category: str
    standard_label: str
    standard: Decimal
    annual_income: Decimal
    persons_counted: int
    income_per_person: Decimal  # monthly, rounded for display only
    persons_covered: int
    tier: str | None
    base: Decimal  # exact, before surcharges
    surcharges: tuple[Surcharge, ...]
    floor_applied: bool
    unrounded: Decimal
    amount: Decimal
    lines: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict:
        """Plain JSON values (for the audit ``after`` and the proposal)."""
        data = asdict(self)
        for key, value in list(data.items()):
            if isinstance(value, Decimal):
                data[key] = money(value) if key not in ("unrounded", "base") else _exact(value)
        data["surcharges"] = [{"person": s.person, "group": s.group, "rule": s.rule,
                               "value": _exact(s.value)} for s in self.surcharges]
        data["lines"] = list(self.lines)
        return data


def income_per_person(annual_income: Decimal, persons_counted: int) -> Decimal:
    """Family monthly income per person, exact: annual ÷ 12 ÷ persons counted."""
    if persons_counted <= 0:
        return ZERO
    return annual_income / Decimal(12) / Decimal(persons_counted)


def surcharges_for(persons: list[Person], rates: dict[str, Rate], standard: Decimal, *,
                   stacking: str = "最高一项") -> list[Surcharge]:
    """分类施保 for each qualifying covered person: the highest group, or all (累加)."""
    result: list[Surcharge] = []
    for p in persons:
        own = [Surcharge(p.name, g, rates[g].text(standard), rates[g].per_month(standard))
               for g in p.groups if g in rates]
        if not own:
            continue
        if stacking == "累加":
            result.extend(own)
        else:
            result.append(max(own, key=lambda s: s.value))
    return result


def _tier(ratio_percent: Decimal, tiers: list[list], chosen: int | None) -> tuple[int, Decimal]:
    if chosen is not None:
        if not 1 <= chosen <= len(tiers):
            raise ValueError(f"档次应在 1 到 {len(tiers)} 之间")
        return chosen, Decimal(str(tiers[chosen - 1][1]))
    for number, (limit, pay) in enumerate(tiers, start=1):
        if ratio_percent <= Decimal(str(limit)):
            return number, Decimal(str(pay))
    return len(tiers), Decimal(str(tiers[-1][1]))


def dibao_amount(*, category: str, standard_label: str, standard: Decimal, annual_income: Decimal,
                 persons_counted: int, covered: list[Person], method: str = "差额",
                 tiers: list[list] | None = None, tier: int | None = None,
                 rates: dict[str, Rate] | None = None, stacking: str = "最高一项",
                 floor_percent: Decimal | int = 0) -> Derivation:
    """低保 amount by the gap rule or by tiers, plus 分类施保 and an optional floor."""
    n_cov = len(covered)
    ipp = income_per_person(annual_income, persons_counted)
    lines = [f"保障标准：{standard_label} {standard:.2f} 元/人·月",
             f"家庭年收入 {annual_income:.2f} 元（年度数为准，按分四舍五入一次），计入家庭人口 {persons_counted} 人",
             f"月人均收入 = {annual_income:.2f} ÷ 12 ÷ {persons_counted} = {money(ipp)} 元"
             f"（显示值；计算使用未舍入值 {_exact(ipp)}）" if persons_counted else "计入家庭人口为 0，月人均收入按 0 计",
             f"保障人数 {n_cov} 人：{'、'.join(p.name for p in covered) or '无'}"]
    tier_name = None
    eligible = n_cov > 0 and ipp < standard
    if not eligible:
        base = ZERO
        why = f"月人均收入 {money(ipp)} 元不低于标准 {standard:.2f} 元" if n_cov else "没有保障对象"
        lines.append(why + "，不发放低保金")
    elif method == "分档":
        ratio = ipp / standard * HUNDRED
        number, pay = _tier(ratio, tiers or [], tier)
        tier_name = f"第{number}档"
        base = standard * pay / HUNDRED * n_cov
        how = "经办人按困难程度选定" if tier is not None else f"人均收入为标准的 {_exact(ratio)}%"
        lines.append(f"分档：{how}，属{tier_name}，按标准的 {pay}% 发放："
                     f"{standard:.2f} × {pay}% × {n_cov} = {_exact(base)} 元")
    else:
        base = (standard - ipp) * n_cov
        lines.append(f"差额：({standard:.2f} − {_exact(ipp)}) × {n_cov} = {_exact(base)} 元")
    floor_applied = False
    floor_percent = Decimal(str(floor_percent or 0))
    if eligible and floor_percent > 0:
        floor = standard * floor_percent / HUNDRED * n_cov
        if base < floor:
            floor_applied = True
            base = floor
            lines.append(f"保底：不低于标准的 {floor_percent}%：{standard:.2f} × {floor_percent}% × {n_cov}"
                         f" = {_exact(floor)} 元，按保底发放")
    extras = surcharges_for(covered, rates or {}, standard, stacking=stacking) if eligible else []
    for s in extras:
        lines.append(f"分类施保：{s.person}（{s.group}）加发 {s.rule} = {_exact(s.value)} 元")
    total = base + sum((s.value for s in extras), ZERO)
    amount = round_fen(max(total, ZERO))
    lines.append(f"月保障金额：{_exact(total)} 元，按分四舍五入为 {amount:.2f} 元")
    return Derivation(method, category, standard_label,
                      standard, annual_income, persons_counted, round_fen(ipp), n_cov, tier_name, base,
                      tuple(extras), floor_applied, total, amount, tuple(lines))


def tekun_amount(*, category: str, basic_label: str, basic: Decimal, care: dict[str, Decimal],
                 covered: list[Person], annual_income: Decimal = ZERO,
                 persons_counted: int = 1) -> Derivation:
    """特困: basic-living standard + care standard by degree of self-care, per person covered."""
    lines = [f"基本生活标准：{basic_label} {basic:.2f} 元/人·月", f"供养人数 {len(covered)} 人"]
    total = ZERO
    extras: list[Surcharge] = []
    for p in covered:
        if p.self_care not in care:
            raise ValueError(f"{p.name} 的自理能力“{p.self_care}”没有照料护理标准")
        rate = care[p.self_care]
        extras.append(Surcharge(p.name, f"照料护理（{p.self_care}）", f"{rate:.2f}元", rate))
        lines.append(f"{p.name}：基本生活 {basic:.2f} + 照料护理（{p.self_care}）{rate:.2f} 元")
    base = basic * len(covered)
    total = base + sum((s.value for s in extras), ZERO)
    amount = round_fen(total)
    lines.append(f"月供养金额：{_exact(total)} 元，按分四舍五入为 {amount:.2f} 元")
    return Derivation("特困", category, basic_label, basic, annual_income, persons_counted,
                      round_fen(income_per_person(annual_income, persons_counted)), len(covered),
                      None, base, tuple(extras), False, total, amount, tuple(lines))


def dibao_maximum(standard: Decimal, covered: list[Person], rates: dict[str, Rate], *,
                  stacking: str = "最高一项") -> Decimal:
    """The most a 低保 household may receive: the full standard for each person covered plus
    their 分类施保 (above this is 不按标施保)."""
    extras = surcharges_for(covered, rates, standard, stacking=stacking)
    return round_fen(standard * len(covered) + sum((s.value for s in extras), ZERO))


def tekun_maximum(basic: Decimal, care: dict[str, Decimal], persons: int) -> Decimal:
    return round_fen((basic + max(care.values(), default=ZERO)) * persons)
