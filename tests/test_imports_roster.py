"""花名册导入: header detection, merged cells, synonyms, preview, apply, idempotence, refusals."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from app import audit, clock
from app.errors import ValidationError
from app.idcard import make_valid_id
from app.imports import apply as ap
from app.imports import roster as ro
from db.models import Household, Member

TODAY = date(2026, 11, 20)
H1 = make_valid_id("640424", date(1960, 1, 1), 1)
S1 = make_valid_id("640424", date(1962, 3, 4), 2)
C1 = make_valid_id("640424", date(1990, 5, 6), 3)
H2 = make_valid_id("640424", date(1955, 7, 8), 5)


def roster_xlsx(path, rows, *, title=True, merge_household=True):
    """A roster as offices make them: a title row, a two-row header, household columns merged."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    r = 1
    if title:
        ws.append(["香水镇2026年11月农村低保花名册"])
        ws.merge_cells("A1:I1")
        r = 2
    ws.append(["序号", "所属村(居)", "户主信息", None, "家庭成员", None, None, "月保障金\n(元)", "保障类别"])
    ws.append([None, None, "户主姓名", "户主身份证号", "姓名", "公民身份号码", "与户主关系", None, None])
    ws.merge_cells(start_row=r, start_column=3, end_row=r, end_column=4)
    ws.merge_cells(start_row=r, start_column=5, end_row=r, end_column=7)
    for c in (1, 2, 8, 9):
        ws.merge_cells(start_row=r, start_column=c, end_row=r + 1, end_column=c)
    start = r + 2
    for i, row in enumerate(rows):
        ws.append(row)
    # merge household columns vertically over each household's member rows
    if merge_household:
        groups: list[tuple[int, int]] = []
        for i, row in enumerate(rows):
            if row[2] is not None:
                groups.append((start + i, start + i))
            else:
                groups[-1] = (groups[-1][0], start + i)
        for a, b in groups:
            if b > a:
                for c in (1, 2, 3, 4, 8, 9):
                    ws.merge_cells(start_row=a, start_column=c, end_row=b, end_column=c)
    ws.append(["合计", None, None, None, None, None, None, 1240, None])
    ws.append(["制表人：马晓梅"])
    wb.save(path)
    return path


def sample_rows():
    return [[1, "香水村", "张三", H1, "张三", H1, "户主", 620, "农村低保"],
            [None, None, None, None, "李梅", S1, "妻", None, None],
            [None, None, None, None, "张小龙", C1, "儿子", None, None],
            [2, "泾河村委会", "王五", H2, "王五", H2, "本人", 620.5, "农村低保"]]


def plan(env, path, **kw):
    with env.database.session(write=False) as s, clock.frozen(TODAY):
        return ro.plan_roster(s, path, **kw)


def test_preview_reads_title_two_row_header_merged_households(env, tmp_path):
    p = plan(env, roster_xlsx(tmp_path / "r.xlsx", sample_rows()))
    assert p.refused == []
    assert p.summary()["households_add"] == 2 and p.summary()["persons_add"] == 4
    first = p.households[0]
    assert (first.head_name, first.village, first.category, first.monthly_amount) == \
        ("张三", "香水村", "农村低保", Decimal("620.00"))
    assert [(m.name, m.relation) for m in first.members] == [("张三", "户主"), ("李梅", "配偶"), ("张小龙", "子")]
    assert p.households[1].village == "泾河村" and p.households[1].monthly_amount == Decimal("620.50")
    assert any("合计" in n for n in p.notes)


def test_apply_writes_audited_and_twice_changes_nothing(env, tmp_path):
    path = roster_xlsx(tmp_path / "r.xlsx", sample_rows())
    with env.database.session() as s, clock.frozen(TODAY):
        result = ap.apply_roster(s, env.reviewer, ro.plan_roster(s, path))
    assert (result.households_added, result.persons_added) == (2, 4)
    with env.database.session(write=False) as s:
        hh = s.execute(select(Household).where(Household.head_name == "张三")).scalar_one()
        assert hh.status == "在保" and hh.monthly_amount == Decimal("620.00")
        assert s.execute(select(func.count()).select_from(Member).where(Member.household_id == hh.id)).scalar_one() == 3
        report = audit.verify(s)
        assert report.ok, report.problems[:3]
        entries = s.execute(select(func.count()).select_from(audit.AuditEntry)).scalar_one()
    again = plan(env, path)
    assert again.summary()["households_same"] == 2 and not again.has_changes
    with env.database.session() as s, clock.frozen(TODAY):
        assert not ap.apply_roster(s, env.reviewer, ro.plan_roster(s, path)).changed
    with env.database.session(write=False) as s:
        assert s.execute(select(func.count()).select_from(audit.AuditEntry)).scalar_one() == entries


def test_update_lists_field_changes_and_gates_amount(env, tmp_path):
    path = roster_xlsx(tmp_path / "r.xlsx", sample_rows())
    with env.database.session() as s, clock.frozen(TODAY):
        ap.apply_roster(s, env.reviewer, ro.plan_roster(s, path))
    rows = sample_rows()
    rows[0][1] = "东峡村"
    rows[0][7] = 900
    rows.insert(3, [None, None, None, None, "张小花", make_valid_id("640424", date(1995, 1, 2), 4), "女儿", None, None])
    p = plan(env, roster_xlsx(tmp_path / "r2.xlsx", rows))
    hp = p.households[0]
    assert hp.action == "update" and hp.changes == {"village_id": ("香水村", "东峡村")}
    assert any("月保障金额" in g and "900" in g for g in hp.gated)
    assert [m.action for m in hp.members] == ["same", "same", "same", "add"]
    with env.database.session() as s, clock.frozen(TODAY):
        r = ap.apply_roster(s, env.reviewer, ro.plan_roster(s, tmp_path / "r2.xlsx"))
    assert (r.households_updated, r.persons_added) == (1, 1)
    with env.database.session(write=False) as s:
        hh = s.get(Household, hp.household_id)
        assert hh.monthly_amount == Decimal("620.00")  # gated: not changed by the import


def test_refused_rows_name_sheet_row_column_and_nothing_is_written(env, tmp_path):
    rows = sample_rows()
    rows[1][5] = "640424196203040028"  # wrong check digit
    rows[3][1] = "不存在村"
    p = plan(env, roster_xlsx(tmp_path / "r.xlsx", rows))
    texts = [i.text() for i in p.refused]
    assert any("工作表“花名册”第 5 行" in t and "F列" in t and "校验码" in t for t in texts), texts
    assert any("第 7 行" in t and "不存在村" in t for t in texts), texts
    assert p.households == []
    with env.database.session() as s, clock.frozen(TODAY):
        with pytest.raises(ValidationError) as err:
            ap.apply_roster(s, env.reviewer, ro.plan_roster(s, tmp_path / "r.xlsx"))
    assert "第 5 行" in str(err.value) and err.value.exit_code == 10
    with env.database.session(write=False) as s:
        assert s.execute(select(func.count()).select_from(Household)).scalar_one() == 0


def test_clerk_may_not_import_a_roster(env, tmp_path):
    from app.errors import PermissionDenied

    path = roster_xlsx(tmp_path / "r.xlsx", sample_rows())
    with env.database.session() as s, clock.frozen(TODAY), pytest.raises(PermissionDenied):
        ap.apply_roster(s, env.clerk, ro.plan_roster(s, path))


def test_preview_can_be_cancelled(env, tmp_path):
    from app.jobs import Cancelled

    path = roster_xlsx(tmp_path / "r.xlsx", sample_rows())
    with env.database.session(write=False) as s, clock.frozen(TODAY), pytest.raises(Cancelled):
        ro.plan_roster(s, path, cancelled=lambda: True)


def test_the_import_summary_never_calls_skipped_rows_unchanged():
    from app.imports.apply import ApplyResult

    assert ApplyResult().summary().startswith("无变化")
    all_refused = ApplyResult(skipped_refused=3).summary()
    assert "跳过有误 3 处" in all_refused and "无变化" not in all_refused
    assert ApplyResult(households_added=1, persons_added=2, skipped_refused=1).summary() == (
        "已导入：新增 1 户 2 人，更新 0 户、0 人；跳过有误 1 处。")


def test_imported_households_are_indexed_as_a_saved_household_is(env, tmp_path):
    """The terms written in bulk are those app.search.reindex_household writes for the stored
    household (names, pinyin, ID numbers, village, number), so search finds imported people."""
    from app import search
    from db.models import SearchTerm

    path = roster_xlsx(tmp_path / "r.xlsx", sample_rows())
    with env.database.session() as s, clock.frozen(TODAY):
        ids = ap.apply_roster(s, env.reviewer, ro.plan_roster(s, path)).household_ids
    assert len(ids) == 2

    def terms(s, hid):
        return sorted(s.execute(select(SearchTerm.term, SearchTerm.rank).where(SearchTerm.household_id == hid)).all())

    with env.database.session() as s:
        bulk_terms = {hid: terms(s, hid) for hid in ids}
        for hid in ids:
            search.reindex_household(s, s.get(Household, hid))
            assert terms(s, hid) == bulk_terms[hid]
        assert ("zs", 0) in bulk_terms[ids[0]] + bulk_terms[ids[1]]
        s.rollback()
