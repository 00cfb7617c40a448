"""Excel builders, read back with openpyxl."""
from __future__ import annotations

import dataclasses
from datetime import date

import openpyxl

from app.documents import build_monthly_xlsx, build_screening_xlsx
from app.documents.samples import sample_changes, sample_households, sample_office
from app.documents.screening import HEADER_ROW

TODAY = date(2026, 11, 23)


def test_screening_workbook(tmp_path):
    current = sample_households(50, seed=1)
    current[0] = dataclasses.replace(current[0], head_name="=1+1", poverty_cause="@SUM(A1:A9)")
    current[1] = dataclasses.replace(current[1], head_id_number="11010519491231002X",
                                     handling_opinion="-继续保障", head_name="王𠇔明")
    exited = sample_households(7, seed=2, status="退出")
    path = tmp_path / "screening.xlsx"
    res = build_screening_xlsx(path, office=sample_office(), current_rows=iter(current),
                               exited_rows=exited, refused_rows=[], period_label="2026年第四季度")
    assert res.rows == 57
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["在保", "退出", "申请未通过"]
    ws = wb["在保"]
    header = [c.value for c in ws[HEADER_ROW]]
    assert header == ["序号", "村(居)", "申请人/户主", "身份证号", "家庭人口", "保障类别",
                      "月保障金额(元)", "致贫原因", "批准日期", "排查结论", "处理意见"]
    first = HEADER_ROW + 1
    # ID numbers stay text, all 18 characters, never numbers.
    for row in ws.iter_rows(min_row=first, max_row=ws.max_row):
        idc = row[3]
        assert idc.data_type == "s" and isinstance(idc.value, str) and len(idc.value) == 18
        assert idc.number_format == "@"
    assert ws.cell(first + 1, 4).value == "11010519491231002X"
    # Formula injection neutralised.
    assert ws.cell(first, 3).value == "'=1+1" and ws.cell(first, 3).data_type == "s"
    assert ws.cell(first, 8).value == "'@SUM(A1:A9)"
    assert ws.cell(first + 1, 11).value == "'-继续保障"
    assert ws.cell(first + 1, 3).value == "王𠇔明"
    assert ws.cell(first, 7).value == float(current[0].monthly_amount)
    assert ws.cell(first, 9).value.date() == current[0].approve_date
    # Print setup.
    assert ws.print_title_rows == f"$1:${HEADER_ROW}"
    assert ws.freeze_panes == f"D{first}"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.cell(HEADER_ROW, 1).font.b and ws.cell(first, 1).border.left.style == "thin"
    ex = wb["退出"]
    assert [c.value for c in ex[HEADER_ROW]][8:10] == ["退出日期", "退出原因"]
    assert ex.cell(first, 10).value in {"收入超标", "死亡", "迁出", "自愿退出"}
    assert [c.value for c in wb["申请未通过"][HEADER_ROW]][8:10] == ["申请日期", "未通过原因"]
    assert wb["申请未通过"].cell(first, 1).value == "本期无此类对象。"


def test_monthly_workbook_zero_report(tmp_path):
    changes = sample_changes(2026, 11, added=3, exited=0, adjusted=2, deaths=0)
    changes[0] = dataclasses.replace(changes[0], reason="=HYPERLINK(\"x\")")
    path = tmp_path / "monthly.xlsx"
    res = build_monthly_xlsx(path, office=sample_office(), year=2026, month=11,
                             changes=changes, today=TODAY)
    assert res.rows == 5
    ws = openpyxl.load_workbook(path).active
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "本月无死亡人员，特此零报告。" in values
    assert "本月无退出对象，特此零报告。" in values
    assert "本月无新增对象，特此零报告。" not in values
    assert "'=HYPERLINK(\"x\")" in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    assert ws.page_setup.orientation == "landscape"


def _cells(path):
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                out[(ws.title, c.coordinate)] = (
                    c.value, c.data_type if c.value is not None else None, c.number_format,
                    c.font.name, c.font.b, c.border.left.style, c.alignment.horizontal)
        out[(ws.title, "setup")] = (ws.print_title_rows, ws.freeze_panes,
                                    sorted(str(r) for r in ws.merged_cells.ranges),
                                    ws.page_setup.orientation, ws.column_dimensions["D"].width)
    return out


def test_stream_engine_matches_openpyxl_engine(tmp_path):
    current = sample_households(40, seed=11)
    current[2] = dataclasses.replace(current[2], head_name=" 李<&>\x01玥 ",
                                     handling_opinion="第一行\r\n第二行")
    exited = sample_households(5, seed=12, status="退出")
    refused = sample_households(3, seed=13, status="未通过")
    kw = dict(office=sample_office(), exited_rows=exited, refused_rows=refused,
              period_label="2026年11月")
    build_screening_xlsx(tmp_path / "a.xlsx", current_rows=current, engine="stream", **kw)
    build_screening_xlsx(tmp_path / "b.xlsx", current_rows=current, engine="openpyxl", **kw)
    a, b = _cells(tmp_path / "a.xlsx"), _cells(tmp_path / "b.xlsx")
    assert a.keys() >= {k for k, v in b.items() if v[0] is not None}
    diffs = {k: (a.get(k), v) for k, v in b.items() if a.get(k) != v and v[0] is not None}
    assert not diffs
    assert a[("在保", "C6")][0] == " 李<&>玥 "
    assert a[("在保", "K6")][0] == "第一行\n第二行"
    ro = openpyxl.load_workbook(tmp_path / "a.xlsx", read_only=True)
    assert ro["在保"].max_row == HEADER_ROW + 40 and ro["退出"].max_row == HEADER_ROW + 5
