"""Amount calculation (app.assessment.amounts): worked examples computed by hand, rounding at the
boundaries, and properties (never negative, never above the category's maximum)."""
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.assessment import amounts
from app.assessment.amounts import Person, Rate

TIERS = [[25, 100], [50, 75], [75, 50], [100, 25]]  # the settings default
RATES = {"重度残疾": Rate("重度残疾", D("20"), "%"), "重病": Rate("重病", D("15"), "%"),
         "老年": Rate("老年", D("50"), "元"), "未成年": Rate("未成年", D("50"), "元")}
CARE = {"全自理": D("100"), "半护理": D("300"), "全护理": D("600")}


def people(n, groups=()):
    return [Person(f"P{i}", tuple(groups[i]) if i < len(groups) else ()) for i in range(n)]


def dibao(standard, annual, counted, covered, **kw):
    return amounts.dibao_amount(category="农村低保", standard_label="农村低保标准", standard=D(standard),
                                annual_income=D(annual), persons_counted=counted,
                                covered=kw.pop("persons", None) or people(covered), **kw)


# Gap rule: (standard − annual ÷ 12 ÷ counted) × covered, rounded once to the fen, half up.
#  standard  annual     counted covered  hand computation                          amount
GAP = [
    ("600", "0", 1, 1, "600 × 1", "600.00"),
    ("600", "10000", 3, 3, "(600 − 277.777…) × 3 = 966.666…", "966.67"),  # per-person rounding: 966.66
    ("600", "14400", 3, 3, "(600 − 400) × 3", "600.00"),
    ("600", "14400", 4, 1, "单人保: (600 − 300) × 1", "300.00"),
    ("800", "7000", 3, 3, "(800 − 194.444…) × 3 = 1816.666…", "1816.67"),
    ("600", "21600", 3, 3, "income per person = standard", "0.00"),
    ("600", "25000", 3, 3, "above the standard", "0.00"),
    ("600", "0.18", 1, 1, "600 − 0.015 = 599.985 → half up (banker's: 599.98)", "599.99"),
    ("600", "0.54", 3, 3, "(600 − 0.015) × 3 = 1799.955", "1799.96"),
    ("600", "0.17", 1, 1, "600 − 0.014166… = 599.985833…", "599.99"),
    ("600", "0.42", 1, 1, "600 − 0.035 = 599.965", "599.97"),
]


@pytest.mark.parametrize("standard,annual,counted,covered,how,expected", GAP)
def test_gap_rule_worked_examples(standard, annual, counted, covered, how, expected):
    d = dibao(standard, annual, counted, covered)
    assert d.amount == D(expected), how
    assert d.method == "差额" and d.persons_covered == covered and d.persons_counted == counted
    assert d.lines[-1].endswith(f"{expected} 元")


def test_rounded_once_not_per_person():
    d = dibao("600", "10000", 3, 3)
    assert d.income_per_person == D("277.78")  # shown rounded …
    assert d.amount == D("966.67")  # … but (600 − 277.78) × 3 would be 966.66
    assert d.unrounded > D("966.666") and "966.67" in d.lines[-1]


# Tiers (default setting): income per person as % of the standard → share of the standard paid.
#  annual    counted  ratio            tier  pay   amount (standard 600)
TIER_CASES = [
    ("0", 2, "0%", 1, "600 × 100% × 2", "1200.00"),
    ("3600", 1, "300/600 = 50% (≤ 50)", 2, "600 × 75%", "450.00"),
    ("3600.12", 1, "300.01/600 = 50.0017%", 3, "600 × 50%", "300.00"),
    ("6000", 2, "250/600 = 41.67%", 2, "600 × 75% × 2", "900.00"),
    ("5400", 1, "450/600 = 75%", 3, "600 × 50%", "300.00"),
    ("6480", 1, "540/600 = 90%", 4, "600 × 25%", "150.00"),
    ("7200", 1, "600/600 = 100%: not eligible", None, "—", "0.00"),
]


@pytest.mark.parametrize("annual,counted,ratio,tier,how,expected", TIER_CASES)
def test_tiers_worked_examples(annual, counted, ratio, tier, how, expected):
    d = dibao("600", annual, counted, counted, method="分档", tiers=TIERS)
    assert d.amount == D(expected), f"{ratio}: {how}"
    assert d.tier == (f"第{tier}档" if tier else None)


def test_tier_chosen_by_clerk_and_top_tier_is_full_standard():
    d = dibao("600", "6480", 1, 1, method="分档", tiers=TIERS, tier=1)
    assert d.amount == D("600.00") and "经办人按困难程度选定" in "".join(d.lines)


def test_surcharges_per_qualifying_person_highest_or_all():
    persons = [Person("甲", ("重度残疾", "老年")), Person("乙", ("未成年",)), Person("丙")]
    # gap (600 − 400) × 3 = 600; 甲 highest of 120 (20% × 600) and 50 → 120; 乙 50  → 770
    d = dibao("600", "14400", 3, 3, persons=persons, rates=RATES)
    assert d.amount == D("770.00")
    assert [(s.person, s.group, s.value) for s in d.surcharges] == [("甲", "重度残疾", D("120")),
                                                                   ("乙", "未成年", D("50"))]
    assert any("甲（重度残疾）加发 20% × 600.00" in line for line in d.lines)
    # 累加: 甲 gets 120 + 50 → 820
    assert dibao("600", "14400", 3, 3, persons=persons, rates=RATES, stacking="累加").amount == D("820.00")


def test_percent_surcharge_rounds_once_with_the_total():
    # standard 633: gap (633 − 600) × 1 = 33; 15% × 633 = 94.95 → 127.95
    d = dibao("633", "7200", 1, 1, persons=[Person("甲", ("重病",))], rates=RATES)
    assert d.amount == D("127.95")
    # standard 633.33: 15% = 94.9995 → 33.33 + 94.9995 = 128.3295 → 128.33
    d = dibao("633.33", "7200", 1, 1, persons=[Person("甲", ("重病",))], rates=RATES)
    assert d.amount == D("128.33")


def test_floor_raises_small_gaps_only_for_eligible_households():
    # ipp 576 → gap 24 < 20% × 600 = 120 → 120; + 老年 50 → 170
    d = dibao("600", "6912", 1, 1, persons=[Person("甲", ("老年",))], rates=RATES, floor_percent=20)
    assert d.floor_applied and d.amount == D("170.00")
    assert dibao("600", "7200", 1, 1, floor_percent=20).amount == D("0.00")  # not eligible
    assert not dibao("600", "0", 1, 1, floor_percent=20).floor_applied


def test_no_surcharge_when_not_eligible():
    d = dibao("600", "8000", 1, 1, persons=[Person("甲", ("重度残疾",))], rates=RATES)
    assert d.amount == D("0.00") and d.surcharges == ()


# 特困: basic (780) + care by self-care level, per person.
TEKUN = [
    (["全护理"], "780 + 600", "1380.00"),
    (["全自理", "半护理"], "780 × 2 + 100 + 300", "1960.00"),
    (["全自理"], "780 + 100", "880.00"),
]


@pytest.mark.parametrize("levels,how,expected", TEKUN)
def test_tekun_basic_plus_care(levels, how, expected):
    d = amounts.tekun_amount(category="特困人员(分散供养)", basic_label="特困基本生活标准", basic=D("780"),
                             care=CARE, covered=[Person(f"P{i}", self_care=lv) for i, lv in enumerate(levels)])
    assert d.amount == D(expected), how
    assert d.method == "特困" and len(d.surcharges) == len(levels)


def test_derivation_as_dict_is_plain_json():
    import json

    d = dibao("600", "10000", 3, 3, persons=[Person("甲", ("老年",)), Person("乙"), Person("丙")],
              rates=RATES)
    data = json.loads(json.dumps(d.as_dict(), ensure_ascii=False))
    assert data["amount"] == "1016.67" and data["standard"] == "600.00"
    assert data["surcharges"][0]["group"] == "老年" and data["lines"][0].startswith("保障标准")


money = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)
standard_st = st.decimals(min_value=D("1"), max_value=D("5000"), places=2)
groups_st = st.lists(st.sampled_from(sorted(RATES)), max_size=3, unique=True)


@settings(max_examples=300, deadline=None)
@given(standard=standard_st, annual=money, counted=st.integers(1, 8), data=st.data(),
       method=st.sampled_from(["差额", "分档"]), floor=st.integers(0, 100),
       stacking=st.sampled_from(["最高一项", "累加"]))
def test_dibao_amount_never_negative_never_above_maximum(standard, annual, counted, data, method,
                                                         floor, stacking):
    covered = data.draw(st.integers(0, counted))
    persons = [Person(f"P{i}", tuple(data.draw(groups_st))) for i in range(covered)]
    tier = data.draw(st.one_of(st.none(), st.integers(1, len(TIERS))))
    d = amounts.dibao_amount(category="城市低保", standard_label="城市低保标准", standard=standard,
                             annual_income=annual, persons_counted=counted, covered=persons,
                             method=method, tiers=TIERS, tier=tier, rates=RATES, stacking=stacking,
                             floor_percent=floor)
    maximum = amounts.dibao_maximum(standard, persons, RATES, stacking=stacking)
    assert D("0") <= d.amount <= maximum
    assert d.amount == d.amount.quantize(D("0.01"))
    if annual / 12 / counted >= standard:
        assert d.amount == 0


@settings(max_examples=100, deadline=None)
@given(basic=standard_st, levels=st.lists(st.sampled_from(sorted(CARE)), max_size=4))
def test_tekun_amount_never_negative_never_above_maximum(basic, levels):
    d = amounts.tekun_amount(category="特困人员(集中供养)", basic_label="b", basic=basic, care=CARE,
                             covered=[Person(str(i), self_care=lv) for i, lv in enumerate(levels)])
    assert D("0") <= d.amount <= amounts.tekun_maximum(basic, CARE, len(levels))
