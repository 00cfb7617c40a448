"""Household-level rosters (one row per household) and values that are not what their numeric
column needs (汉字数字, text, dates in amount/count/date columns)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from app import audit, clock
from app.idcard import make_valid_id
from app.imports import apply as ap
from app.imports import roster as ro
from app.imports import values as val
from db.models import Household, Member, Step
from tests.test_imports_roster import H1, H2, TODAY, plan, roster_xlsx, sample_rows

H3 = make_valid_id("640424", date(1948, 2, 3), 7)


def household_xlsx(path, header, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "低保户"
    ws.append(["香水镇农村低保户名册"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    ws.append(["合计", None, None, None, 5, 4, 920, None])
    wb.save(path)
    return path


ROWS = [[1, "香水村", "张三", H1, 4, 3, 620, "农村低保"],
        [2, "泾河村", "王五", H2, 1, 1, 300, "农村低保"]]


@pytest.mark.parametrize("id_label, name_label", [("户主身份证号", "户主姓名"), ("身份证号", "户主姓名"),
                                                  ("身份证号码", "户主"), ("公民身份号码", "户主姓名")])
def test_a_household_level_roster_is_read_without_a_mapping(env, tmp_path, id_label, name_label):
    header = ["序号", "村居", name_label, id_label, "家庭人口", "保障人数", "月保障金", "保障类别"]
    p = plan(env, household_xlsx(tmp_path / "h.xlsx", header, ROWS))
    assert p.refused == [], [i.text() for i in p.refused]
    assert [(h.head_name, h.head_id, [m.relation for m in h.members]) for h in p.households] == \
        [("张三", H1, ["户主"]), ("王五", H2, ["户主"])]
    assert [(h.family_size, h.covered_count) for h in p.households] == [(4, 3), (1, 1)]
    assert not any("家庭人口填" in w.reason for w in p.warnings)  # one row per household lists the head only
    assert any("每行一户" in n for n in p.notes)


def test_a_household_level_roster_applies_the_head_and_keeps_the_figures(env, tmp_path):
    header = ["序号", "村居", "户主姓名", "身份证号", "家庭人口", "保障人口", "月保障金", "保障类别"]
    path = household_xlsx(tmp_path / "h.xlsx", header, ROWS)
    with env.database.session() as s, clock.frozen(TODAY):
        result = ap.apply_roster(s, env.reviewer, ro.plan_roster(s, path))
    assert (result.households_added, result.persons_added) == (2, 2)
    with env.database.session(write=False) as s:
        hh = s.execute(select(Household).where(Household.head_name == "张三")).scalar_one()
        assert hh.monthly_amount == Decimal("620.00")
        assert [(m.name, m.id_number, m.relation) for m in s.execute(
            select(Member).where(Member.household_id == hh.id)).scalars()] == [("张三", H1, "户主")]
        note = s.execute(select(Step.note).where(Step.household_id == hh.id)).scalar_one()
        assert "家庭人口 4 人" in note and "保障人口 3 人" in note
        assert audit.verify(s).ok
    assert not plan(env, path).has_changes


@pytest.mark.parametrize("column, value, words", [
    (5, "两", ("保障人数", "两", "不是人数", "汉字数字")),
    (4, "四口", ("家庭人口", "四口", "不是人数", "汉字数字")),
    (4, 3.5, ("家庭人口", "3.5", "整数")),
    (6, "六百元", ("月保障金", "六百元", "不是金额", "汉字数字")),
    (6, "待定", ("月保障金", "待定", "不是金额")),
    (6, date(2026, 1, 1), ("月保障金", "2026-01-01", "不是金额")),
])
def test_a_non_number_in_a_number_column_refuses_the_row(env, tmp_path, column, value, words):
    header = ["序号", "村居", "户主姓名", "户主身份证号", "家庭人口", "保障人数", "月保障金", "保障类别"]
    rows = [list(r) for r in ROWS]
    rows[1][column] = value
    p = plan(env, household_xlsx(tmp_path / "h.xlsx", header, rows))
    texts = [i.text() for i in p.refused]
    assert any("工作表“低保户”第 4 行" in t and all(w in t for w in words) for t in texts), texts
    assert [h.head_name for h in p.households] == ["张三"]  # the other household is not touched
    with env.database.session() as s, clock.frozen(TODAY), pytest.raises(Exception) as err:
        ap.apply_roster(s, env.reviewer, ro.plan_roster(s, tmp_path / "h.xlsx"))
    assert "第 4 行" in str(err.value)


def test_covered_more_than_family_is_a_warning(env, tmp_path):
    header = ["序号", "村居", "户主姓名", "户主身份证号", "家庭人口", "保障人口", "月保障金", "保障类别"]
    rows = [list(r) for r in ROWS]
    rows[0][5] = 5
    p = plan(env, household_xlsx(tmp_path / "h.xlsx", header, rows))
    assert p.refused == []
    assert any(w.row == 3 and "保障人口填 5 人，多于家庭人口 4 人" in w.reason for w in p.warnings)


def test_an_approval_date_that_is_not_a_date_is_refused(env, tmp_path):
    header = ["序号", "村居", "户主姓名", "户主身份证号", "家庭人口", "保障人口", "月保障金", "保障类别", "批准日期"]
    rows = [r + [d] for r, d in zip(ROWS, (date(2025, 3, 1), 45717))]
    p = plan(env, household_xlsx(tmp_path / "h.xlsx", header, rows))
    texts = [i.text() for i in p.refused]
    assert any("第 4 行" in t and "批准日期" in t and "45717" in t and "不是日期" in t and "日期格式" in t
               for t in texts), texts
    assert p.households[0].approve_date == date(2025, 3, 1)


def test_stated_birth_date_and_gender_are_checked_against_the_id_number(env, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(["村居", "户主姓名", "户主身份证号", "姓名", "身份证号", "与户主关系", "性别", "出生日期", "月保障金",
               "保障类别"])
    ws.append(["香水村", "张三", H1, "张三", H1, "户主", "男", "一九六〇年", 620, "农村低保"])
    ws.append(["香水村", "张三", H1, "李梅", H3, "妻", "女", date(1948, 2, 4), None, None])
    wb.save(tmp_path / "m.xlsx")
    p = plan(env, tmp_path / "m.xlsx")
    assert p.refused == [] and p.summary()["persons_add"] == 2
    texts = [w.text() for w in p.warnings]
    assert any("第 2 行" in t and "出生日期" in t and "一九六〇年" in t and "不是日期" in t and "以身份证号为准" in t
               for t in texts), texts
    assert any("第 3 行" in t and "1948-02-04" in t and "1948-02-03" in t for t in texts), texts
    assert any("第 3 行" in t and "性别填“女”" in t and "（男）" in t for t in texts), texts  # H3's sequence 7 is odd


def test_a_member_roster_is_not_taken_for_a_household_level_one(env, tmp_path):
    p = plan(env, roster_xlsx(tmp_path / "r.xlsx", sample_rows()))
    assert not any("每行一户" in n for n in p.notes)
    assert p.summary()["persons_add"] == 4


@pytest.mark.parametrize("fn, value", [(val.integer, "两"), (val.integer, True), (val.amount, "伍佰"),
                                       (val.amount, float("nan")), (val.day, "二〇二六年三月"), (val.day, 45000)])
def test_number_parsers_refuse_with_the_rule(fn, value):
    with pytest.raises(val.CellError) as err:
        fn(value)
    assert str(value) in err.value.reason and ("应填" in err.value.reason or "应为" in err.value.reason)
