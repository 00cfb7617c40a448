"""ID repair rules in imports, the provincial paired files, CSV in GBK, saved column layouts."""
from __future__ import annotations

import csv
from datetime import date

import openpyxl
import pytest

from app import clock
from app.idcard import make_valid_id
from app.imports import apply as ap
from app.imports import mapping as mp
from app.imports import roster as ro
from app.imports import values as val
from tests.test_imports_roster import C1, H1, H2, S1, TODAY, plan, roster_xlsx, sample_rows

OLD15 = "441900890101221"  # DOMAIN.md: → 441900198901012219


@pytest.mark.parametrize("raw, fix", [
    ("６４０４２４１９６００１０１００１６", "全角"), (" 640424 19600101 0016 ", "空格"),
    ("640424196001010016\u00a0", "不间断空格"), ("'640424196001010016", "单引号"),
])
def test_repairable_ids_are_normalised_with_a_warning(raw, fix):
    res = val.id_number(raw, today=TODAY)
    assert res.info.number == "640424196001010016"
    assert any(fix in f for f in res.fixes)


def test_lowercase_x_and_15_digits():
    x = make_valid_id("110105", date(1949, 12, 31), 2)
    assert x.endswith("X")
    assert val.id_number(x.lower(), today=TODAY).info.number == x
    res = val.id_number(OLD15, today=TODAY)
    assert res.info.number == "441900198901012219" and any("15位" in f for f in res.fixes)


@pytest.mark.parametrize("raw", [6.40424196001010e17, 640424196001010016, "6.40424196001010E+17",
                                 "640424196001010000", "640424196001010016.0"])
def test_numbers_stored_by_excel_are_never_repaired(raw):
    with pytest.raises(val.CellError) as err:
        val.id_number(raw, today=TODAY)
    assert err.value.damaged and "重新录入" in err.value.reason
    assert err.value.birth == date(1960, 1, 1)


def test_damaged_row_reported_with_candidates(env, tmp_path):
    with env.database.session() as s, clock.frozen(TODAY):
        ap.apply_roster(s, env.reviewer, ro.plan_roster(s, roster_xlsx(tmp_path / "a.xlsx", sample_rows())))
    rows = sample_rows()
    rows[1][5] = float(S1)  # 李梅's number stored as a number
    p = plan(env, roster_xlsx(tmp_path / "b.xlsx", rows))
    damaged = [i for i in p.refused if i.damaged]
    assert len(damaged) == 1 and damaged[0].row == 5 and damaged[0].column.startswith("F列")
    assert damaged[0].candidates and "李梅" in damaged[0].candidates[0] and "户编号" in damaged[0].candidates[0]
    assert not any(h.head_name == "张三" for h in p.households)  # the household is refused whole


def test_provincial_family_and_person_files_joined_on_head_id(env, tmp_path):
    fam = openpyxl.Workbook()
    ws = fam.active
    ws.append(["农村低保家庭查询"])
    ws.append(["序号", "户主姓名", "户主身份证号", "家庭人口", "保障人口", "户月保障金额", "所属村(居)"])
    ws.append([1, "张三", H1, 3, 3, "1200.00", "香水村"])
    ws.append([2, "王五", H2, 1, 1, "600.00", "泾河村"])
    fam.save(tmp_path / "农村低保家庭查询_202611.xlsx")
    per = openpyxl.Workbook()
    ws = per.active
    ws.append(["姓名", "身份证号", "户主身份证号", "与户主关系"])
    ws.append(["张三", H1, H1, "户主"])
    ws.append(["李梅", S1, H1, "配偶"])
    ws.append(["张小龙", C1, H1, "子"])
    ws.append(["孤儿", make_valid_id("640424", date(2010, 1, 1), 11), make_valid_id("640424", date(1950, 1, 1), 13), "孙子"])
    per.save(tmp_path / "农村低保人员查询_202611.xlsx")
    p = plan(env, tmp_path / "农村低保家庭查询_202611.xlsx", persons_path=tmp_path / "农村低保人员查询_202611.xlsx")
    assert [(h.head_name, h.category, len(h.members)) for h in p.households] == \
        [("张三", "农村低保", 3), ("王五", "农村低保", 1)]  # 王五's head comes from the family file
    assert any("找不到" in i.reason and i.row == 5 for i in p.refused)
    assert not any("家庭人口" in w.reason for w in p.warnings)


def test_csv_in_gbk_with_repeated_household_columns(env, tmp_path):
    path = tmp_path / "名单.csv"
    with path.open("w", encoding="gbk", newline="") as f:
        w = csv.writer(f)
        w.writerow(["香水镇低保名单"])
        w.writerow(["村居", "户主", "姓名", "身份证号码", "与户主的关系", "保障金额(元)", "保障类型"])
        w.writerow(["香水村", "张三", "张三", H1, "户主", "620", "农村最低生活保障"])
        w.writerow(["香水村", "张三", "李梅", "'" + S1, "妻子", "620", "农村最低生活保障"])
        w.writerow(["合计", "", "", "", "", "620", ""])
    p = plan(env, path)
    assert p.refused == []
    assert [(h.head_name, h.category, [m.relation for m in h.members]) for h in p.households] == \
        [("张三", "农村低保", ["户主", "配偶"])]
    assert any("单引号" in w.reason for w in p.warnings)


def test_clerk_corrects_mapping_and_it_is_saved_for_the_layout(env, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["名字", "证号", "身份证号", "与户主关系", "村"])  # 证号 unknown; wrong column named 身份证号
    ws.append(["王五", H2, "不是号码", "户主", "泾河村"])
    wb.save(tmp_path / "odd.xlsx")
    p = plan(env, tmp_path / "odd.xlsx", category="农村低保")
    assert p.households == [] and p.refused
    corrections = {0: "name", 1: "id_number", 2: None}
    with env.database.session() as s, clock.frozen(TODAY):
        fixed = ro.plan_roster(s, tmp_path / "odd.xlsx", category="农村低保", corrections=corrections)
        assert fixed.refused == [] and fixed.households[0].head_name == "王五"
        mp.save_layout(s, env.clerk, fixed.tables[0], kind="roster")
    again = plan(env, tmp_path / "odd.xlsx", category="农村低保")
    assert again.refused == [] and again.households[0].head_id == H2


def test_village_names_as_files_write_them():
    from app.imports.compare import Existing

    class Fake:
        villages = {"香水村": "v1", "新民社区": "v2", "东峡村": "v3", "东峡社区": "v4"}

    ex = Existing.__new__(Existing)
    ex.villages = Fake.villages
    keys: dict = {}
    for n, i in ex.villages.items():
        keys.setdefault(val.village_key(n), []).append((n, i))
    ex.by_key = {k: v[0] for k, v in keys.items() if len(v) == 1}
    assert ex.village("香水村委会") == ("香水村", "v1")
    assert ex.village(" 新民社区居委会") == ("新民社区", "v2")
    assert ex.village("东峡社区") == ("东峡社区", "v4")
    assert ex.village("东峡") is None  # two villages could be meant: refused, not guessed


@pytest.mark.parametrize("raw", [float("inf"), float("-inf"), float("nan")])
def test_an_infinite_number_in_an_id_cell_is_refused_not_a_crash(raw):
    with pytest.raises(val.CellError, match="不是身份证号"):
        val.id_number(raw, today=TODAY)
    with pytest.raises(val.CellError):
        val.IdMemo(TODAY)(raw)
