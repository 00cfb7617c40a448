"""Bad input to the readers: wrong types in every column, formulas, merged cells in odd places,
hidden and empty sheets, an encrypted file, files that are not Excel, 100,000 rows. Every case
ends in a report naming sheet, row and reason (or a refusal of the whole file), never a crash,
and nothing is written from a refused import."""
from __future__ import annotations

import csv
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app import clock, sources
from app.errors import ValidationError
from app.idcard import make_valid_id
from app.imports import apply as ap
from app.imports import roster as ro
from app.imports.readers import ReadError
from db.models import AuditEntry, Household
from tests.test_imports_roster import H1, TODAY, sample_rows

HEADER = ["序号", "村居", "户主姓名", "户主身份证号", "姓名", "身份证号", "与户主关系", "月保障金", "保障类别"]
cells = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
    st.sampled_from(["=A1+1", "=SUM(H:H)", "户主", "妻", "农村低保", "香水村", H1, "'" + H1, "合计", "  "]),
)


def _counts(env):  # noqa: ANN001, ANN202
    with env.database.session(write=False) as s:
        return (s.execute(select(func.count()).select_from(Household)).scalar_one(),
                s.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def _try_plan(env, path, **kw):  # noqa: ANN001, ANN202
    with env.database.session(write=False) as s, clock.frozen(TODAY):
        try:
            return ro.plan_roster(s, path, **kw)
        except ValidationError as exc:  # ReadError is one: the whole file refused, with a reason
            assert str(exc)
            return None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cells, min_size=0, max_size=10), min_size=0, max_size=12))
def test_wrong_types_in_every_column_never_crash(env, tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("fz") / "f.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append([v if not isinstance(v, float) or v == v and abs(v) != float("inf") else str(v) for v in r])
    wb.save(path)
    plan = _try_plan(env, path)
    if plan is not None:
        for i in plan.refused + plan.warnings:
            assert i.sheet and i.reason and (i.row or i.column or "整户" in i.reason or "缺少" in i.reason)
        assert {p.row for h in plan.households for p in h.members}.isdisjoint(
            {i.row for i in plan.refused if i.row})
    with env.database.session(write=False) as s:
        assert s.execute(select(func.count()).select_from(Household)).scalar_one() == 0


def test_formulas_and_merged_cells_in_odd_places(env, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for row in sample_rows():
        ws.append(row)
    ws["H4"] = "=H2*2"  # a formula without a cached value
    ws.merge_cells("E3:G3")  # a member's name, number and relation merged into one cell
    ws.merge_cells("A6:I7")  # a block merged over the end and empty rows
    wb.save(tmp_path / "odd.xlsx")
    plan = _try_plan(env, tmp_path / "odd.xlsx")
    texts = [i.text() for i in plan.refused]
    assert any("第 3 行" in t for t in texts), texts
    before = _counts(env)
    with env.database.session() as s, clock.frozen(TODAY), pytest.raises(ValidationError):
        ap.apply_roster(s, env.reviewer, ro.plan_roster(s, tmp_path / "odd.xlsx"))
    assert _counts(env) == before


def test_hidden_and_empty_sheets(env, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "空表"
    hidden = wb.create_sheet("隐藏名单")
    hidden.append(HEADER)
    hidden.append(sample_rows()[0])
    hidden.sheet_state = "hidden"
    wb.save(tmp_path / "h.xlsx")
    with env.database.session(write=False) as s, pytest.raises(ReadError) as err:
        ro.plan_roster(s, tmp_path / "h.xlsx")
    assert "找不到表头" in str(err.value)
    wb.create_sheet("名单").append(HEADER)
    wb["名单"].append(sample_rows()[3])
    wb.save(tmp_path / "h2.xlsx")
    plan = _try_plan(env, tmp_path / "h2.xlsx")
    assert any("隐藏" in n for n in plan.notes) and [h.head_name for h in plan.households] == ["王五"]


@pytest.mark.parametrize("content, needle", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048, "密码"),  # an encrypted workbook is an OLE file
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "不是 Excel"),
    (b"", "空的"),
    (b"PK\x03\x04garbage", "损坏"),
])
def test_files_that_cannot_be_read_are_refused_whole(env, tmp_path, content, needle):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(content)
    with env.database.session(write=False) as s, pytest.raises(ReadError) as err:
        ro.plan_roster(s, path)
    assert needle in str(err.value) and "名单.xlsx" in str(err.value) and err.value.exit_code == 10
    with env.database.session(write=False) as s, pytest.raises(ReadError):
        sources.plan_source(s, path, kind="deaths")


def test_zip_that_is_not_a_workbook(env, tmp_path):
    path = tmp_path / "x.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    with env.database.session(write=False) as s, pytest.raises(ReadError):
        ro.plan_roster(s, path)


def test_hundred_thousand_rows(env, tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["村居", "姓名", "身份证号", "与户主关系", "保障类别", "月保障金"])
        for i in range(100_000):
            number = make_valid_id("640424", date(1950 + i % 50, 1 + i % 12, 1 + i % 28), i % 1000) \
                if i % 1000 != 999 else f"{i}"
            w.writerow(["香水村", "张" + "一二三四五六七八九十"[i % 10] * 2, number, "户主", "农村低保", 600])
    plan = _try_plan(env, path)
    assert len(plan.refused) >= 100 and all(i.sheet == "big" for i in plan.refused)
    assert plan.refused[0].row == 1001 and "身份证号" in plan.refused[0].column
    before = _counts(env)
    with env.database.session() as s, clock.frozen(TODAY), pytest.raises(ValidationError) as err:
        ap.apply_roster(s, env.reviewer, plan)
    assert "第 1001 行" in str(err.value)
    assert _counts(env) == before


def test_source_fuzz_types(env, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "死亡日期", "工作单位"])
    for row in ([True, 12.5, "昨天", None], [None, None, None, None], [datetime(2026, 1, 1), H1, 45000, "=1/0"],
                ["甲", "x" * 40, date(2026, 1, 1), "a" * 500]):
        ws.append(row)
    wb.save(tmp_path / "s.xlsx")
    with env.database.session(write=False) as s, clock.frozen(TODAY):
        plan = sources.plan_source(s, tmp_path / "s.xlsx", kind="deaths")
    assert plan.rows == [] or all(r["id_number"] for r in plan.rows)
    assert all(i.row and i.column and i.reason for i in plan.refused)
