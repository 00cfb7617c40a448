"""Assessment against the database: standards by date, who counts, supporters living apart,
单人保, refusal without a standard, suggestions, saved derivations, and standards import."""
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from app import audit
from app.assessment import income, standards
from app.assessment.assess import Inputs, assess, save_assessment
from app.errors import PermissionDenied, ValidationError
from db.models import AuditEntry
from test_assessment_support import household, member_ids


def _assess(env, hid, day, inputs=None):
    with env.database.session(write=False) as s:
        return assess(s, hid, day=day, inputs=inputs)


def test_seeded_standards_from_settings_on_first_use(env):
    with env.database.session(write=False) as s:  # before seeding: the settings defaults
        found = standards.in_force(s, "低保", "农村", date(2026, 3, 1))
        assert found.value == D("600.00") and found.id is None and found.owner_office == "640424"
    with env.database.session() as s:
        assert standards.ensure_seeded(s, env.admin) > 8
        assert standards.ensure_seeded(s, env.admin) == 0
    with env.database.session(write=False) as s:
        rows = standards.all_standards(s)
        assert all(r.id for r in rows)
        assert {(r.kind, r.variant) for r in rows} >= {("低保", "城市"), ("特困基本", "集中"),
                                                      ("特困护理", "全护理"), ("分类施保", "重度残疾"),
                                                      ("低保边缘", "")}
        assert audit.verify(s).ok


def test_standard_change_across_a_month_boundary(env):
    hid = household(env, [("张三", 11, "户主")])
    with env.database.session() as s:
        standards.add_standard(s, env.admin, kind="低保", variant="农村", value="700",
                               effective_from=date(2026, 7, 1))
    june, july = _assess(env, hid, date(2026, 6, 30)), _assess(env, hid, date(2026, 7, 1))
    assert (june.derivation.standard, june.amount) == (D("600.00"), D("600.00"))
    assert (july.derivation.standard, july.amount) == (D("700.00"), D("700.00"))
    with env.database.session() as s, pytest.raises(PermissionDenied):
        standards.add_standard(s, env.clerk, kind="低保", variant="农村", value="1", effective_from=date(2027, 1, 1))


def test_no_standard_in_force_is_refused_naming_standard_and_date(env):
    hid = household(env, [("张三", 11, "户主")])
    with pytest.raises(ValidationError) as err:
        _assess(env, hid, date(2025, 12, 31))
    assert "农村低保标准" in str(err.value) and "2025年12月31日" in str(err.value)
    tekun = household(env, [("李四", 12, "户主", {"work_ability": "无劳动能力"})],
                      category="特困人员(集中供养)")
    with pytest.raises(ValidationError, match="特困人员基本生活标准（集中供养）"):
        _assess(env, tekun, date(2025, 6, 1))


def test_supporter_living_apart_not_counted_but_payment_is_income(env):
    hid = household(env, [("王大娘", 11, "户主", {"birth": date(1950, 1, 1)}),
                          ("王强", 12, "子", {"lives_together": False, "birth": date(1980, 1, 1)})])
    ids = member_ids(env, hid)
    with env.database.session() as s:
        income.add_income(s, env.clerk, hid, kind="工资性收入", amount="5000", member_id=ids["王强"])
        income.add_income(s, env.clerk, hid, kind="赡养/抚养/扶养费", amount="300", member_id=ids["王强"])
        income.add_income(s, env.clerk, hid, kind="养老金/退休金", amount="2400", period="yearly",
                          member_id=ids["王大娘"])
    r = _assess(env, hid, date(2026, 11, 1))
    # counted: 王大娘 only; income 300 × 12 + 2400 = 6000 a year → 500 a month; (600 − 500) × 1 = 100
    # plus 分类施保 老年 (76 years old) 50 元 → 150.00
    assert [p.name for p in r.means.counted] == ["王大娘"] and [p.name for p in r.means.apart] == ["王强"]
    assert r.means.annual_income == D("6000.00") and r.derivation.income_per_person == D("500.00")
    assert r.amount == D("150.00")
    wage = next(i for i in r.means.income if i.kind == "工资性收入")
    assert not wage.counted and "不共同生活" in wage.why
    assert any("不共同生活、不计入家庭人口：王强" in line for line in r.lines())


def test_single_person_cover_inside_a_larger_household(env):
    hid = household(env, [("赵一", 21, "户主"), ("钱二", 22, "配偶", {"covered": False}),
                          ("赵三", 23, "子", {"covered": False, "birth": date(1990, 1, 1)}),
                          ("赵四", 24, "女", {"covered": False, "birth": date(1992, 1, 1)})])
    with env.database.session() as s:
        income.add_income(s, env.clerk, hid, kind="工资性收入", amount="19200", period="yearly")
    r = _assess(env, hid, date(2026, 11, 1))
    # 4 counted, 1 covered: 19200 / 12 / 4 = 400; (600 − 400) × 1 = 200
    assert (r.means.persons_counted, r.derivation.persons_covered, r.amount) == (4, 1, D("200.00"))
    assert r.maximum == D("600.00")


def test_single_person_cover_suggested_for_severely_ill_in_edge_household(env):
    hid = household(env, [("孙一", 31, "户主", {"health": "尿毒症（重病）"}),
                          ("孙二", 32, "配偶", {"work_ability": "有劳动能力"})])
    with env.database.session() as s:
        income.add_income(s, env.clerk, hid, kind="工资性收入", amount="1400")  # 700 per person
    r = _assess(env, hid, date(2026, 11, 1))
    assert r.suggestion.primary == "单人保" and r.suggestion.covered == ("孙一",)
    assert "低保边缘" in r.suggestion.options and r.amount == D("0.00")


@pytest.mark.parametrize("members,monthly,spending,expected", [
    ([("甲", 41, "户主", {"work_ability": "有劳动能力", "birth": date(1985, 1, 1)})], "300", None, "低保"),
    ([("甲", 41, "户主", {"work_ability": "有劳动能力", "birth": date(1985, 1, 1)})], "800", None, "低保边缘"),
    ([("甲", 41, "户主", {"work_ability": "有劳动能力", "birth": date(1985, 1, 1)})], "1000", "3600", "支出型困难"),
    ([("甲", 41, "户主", {"work_ability": "有劳动能力", "birth": date(1985, 1, 1)})], "1000", None, "超出"),
    ([("甲", 41, "户主", {"birth": date(1940, 1, 1)})], "100", None, "特困"),
])
def test_eligibility_suggestions(env, members, monthly, spending, expected):
    hid = household(env, members)
    with env.database.session() as s:
        income.add_income(s, env.clerk, hid, kind="其他", amount=monthly)
        if spending:
            income.add_expenditure(s, env.clerk, hid, kind="医疗", amount=spending, period="monthly")
    r = _assess(env, hid, date(2026, 11, 1))
    assert r.suggestion.primary == expected and r.suggestion.reasons


def test_deductible_expenditure_follows_the_setting(env):
    from app import rulesettings

    hid = household(env, [("周一", 51, "户主", {"birth": date(1985, 1, 1)})])
    with env.database.session() as s:
        income.add_income(s, env.clerk, hid, kind="工资性收入", amount="700")
        income.add_expenditure(s, env.clerk, hid, kind="医疗", amount="1200", period="yearly")
    assert _assess(env, hid, date(2026, 11, 1)).amount == D("0.00")  # not deducted by default
    with env.database.session() as s:
        rulesettings.set_value(s, env.admin, "deductible_expenditures", ["医疗"])
    r = _assess(env, hid, date(2026, 11, 1))  # (8400 − 1200) / 12 = 600 → still 0; boundary
    assert r.means.annual_net == D("7200.00") and r.amount == D("0.00")
    with env.database.session() as s, pytest.raises(ValidationError, match="医疗、教育、康复、住房"):
        rulesettings.set_value(s, env.admin, "deductible_expenditures", ["旅游"])


def test_tekun_with_care_level_and_tiers_setting(env):
    hid = household(env, [("吴一", 61, "户主", {"work_ability": "无劳动能力", "birth": date(1940, 1, 1)})],
                    category="特困人员(分散供养)")
    ids = member_ids(env, hid)
    r = _assess(env, hid, date(2026, 11, 1), Inputs("特困人员(分散供养)", self_care={ids["吴一"]: "全护理"}))
    assert r.amount == D("1380.00") and r.suggestion.primary == "特困"  # 780 + 600
    with pytest.raises(ValidationError, match="自理能力"):
        _assess(env, hid, date(2026, 11, 1), Inputs("特困人员(分散供养)", self_care={ids["吴一"]: "很好"}))


def test_saved_assessment_is_audited_with_derivation(env):
    hid = household(env, [("郑一", 71, "户主")])
    with env.database.session() as s:
        income.add_income(s, env.clerk, hid, kind="工资性收入", amount="10000", period="yearly")
        saved = save_assessment(s, env.clerk, hid, day=date(2026, 11, 1))
    assert saved.assessment_id and saved.amount == D("0.00")  # 10000 / 12 = 833.33 > 600
    with env.database.session(write=False) as s:
        e = s.execute(select(AuditEntry).where(AuditEntry.action == "assessment.create")).scalar_one()
        assert "差额" in e.after and "月保障金额" in e.after
        assert audit.verify(s).ok


def test_income_validation_names_field_value_rule(env):
    hid = household(env, [("冯一", 81, "户主")])
    with env.database.session() as s:
        with pytest.raises(ValidationError, match="收入类型 “彩票”"):
            income.add_income(s, env.clerk, hid, kind="彩票", amount="1")
        with pytest.raises(ValidationError, match="最多两位小数"):
            income.add_income(s, env.clerk, hid, kind="其他", amount="1.234")
        with pytest.raises(ValidationError, match="周期"):
            income.add_income(s, env.clerk, hid, kind="其他", amount="1", period="weekly")
        saved = income.add_asset(s, env.clerk, hid, kind="住房", quantity=1, area="85.5")
        income.remove_item(s, env.clerk, "asset", saved.id, reason="录入错误")
    with env.database.session(write=False) as s:
        assert income.household_means(s, hid).assets == []


def test_import_rows_reports_new_updated_unchanged_refused(env):
    rows = [{"kind": "低保", "variant": "城市", "value": "880", "effective_from": "2027-01-01"},
            {"kind": "低保", "variant": "城市", "value": "800", "effective_from": "2026-01-01"},
            {"kind": "低保", "variant": "火星", "value": "1", "effective_from": "2027-01-01"},
            {"kind": "分类施保", "variant": "重度残疾", "value": "25", "unit": "%", "effective_from": "2027-01-01"},
            {"kind": "低保", "variant": "农村", "value": "650", "effective_from": "2027-01-01",
             "owner_office": "110101"}]
    with env.database.session() as s:
        report = standards.import_rows(s, env.admin, rows, source="区县同步包")
    assert (report.new, report.unchanged, len(report.refused)) == (2, 1, 2)
    assert [n for n, _ in report.refused] == [3, 5] and "火星" in report.refused[0][1]
    with env.database.session() as s:
        again = standards.import_rows(s, env.admin, [dict(rows[0], value="900")])
    assert again.updated == 1
    with env.database.session(write=False) as s:
        assert standards.in_force(s, "低保", "城市", date(2027, 3, 1)).value == D("900.00")
        assert audit.verify(s).ok
