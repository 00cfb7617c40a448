"""排查统计表: three internal screening sheets (在保 / 退出 / 申请未通过).

Internal working papers: full ID numbers are allowed here (unlike 公示).
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from app.documents.excel import (
    Column, StyledCells, header_cells, plain_cell, print_setup, set_widths, title_cell,
)
from app.documents.model import DocumentResult, HouseholdRow, OfficeInfo

_BASE = [
    Column("序号", 6, "int"),
    Column("村(居)", 12),
    Column("申请人/户主", 10),
    Column("身份证号", 21, "id"),
    Column("家庭人口", 6, "int"),
    Column("保障类别", 16),
    Column("月保障金额(元)", 11, "money", "right"),
    Column("致贫原因", 12),
]
_TAIL = [Column("排查结论", 22, align="left"), Column("处理意见", 22, align="left")]

SHEETS = {
    "在保": _BASE + [Column("批准日期", 11, "date")] + _TAIL,
    "退出": _BASE + [Column("退出日期", 11, "date"),
                   Column("退出原因", 16, align="left")] + _TAIL,
    "申请未通过": _BASE + [Column("申请日期", 11, "date"),
                      Column("未通过原因", 22, align="left")] + _TAIL,
}
HEADER_ROW = 3  # title, sub-title, column headers


def _amount(v) -> float | None:
    # Excel stores doubles; amounts are cents-exact well inside 15 digits.
    return None if v is None else float(Decimal(v).quantize(Decimal("0.01")))


def _values(sheet: str, i: int, h: HouseholdRow) -> list:
    base = [i, h.village, h.head_name, h.head_id_number, h.household_size, h.category,
            _amount(h.monthly_amount), h.poverty_cause]
    if sheet == "在保":
        mid = [h.approve_date]
    elif sheet == "退出":
        mid = [h.exit_date, h.exit_reason]
    else:
        mid = [h.apply_date, h.refuse_reason]
    return base + mid + [h.screening_conclusion, h.handling_opinion]


def build_screening_xlsx(path, *, office: OfficeInfo, current_rows: Iterable[HouseholdRow],
                         exited_rows: Iterable[HouseholdRow],
                         refused_rows: Iterable[HouseholdRow],
                         period_label: str) -> DocumentResult:
    """Write the three 排查统计表 sheets into one workbook.

    Rows may be any iterables (e.g. generators over a paged query); they are
    consumed once.  ID numbers are stored as text (never numbers) and every
    text cell goes through :func:`app.documents.excel.safe_text`.
    """
    wb = Workbook(write_only=True)
    total = 0
    for name, rows in (("在保", current_rows), ("退出", exited_rows),
                       ("申请未通过", refused_rows)):
        cols = SHEETS[name]
        ws = wb.create_sheet(name)
        set_widths(ws, cols)
        print_setup(ws, header_row=HEADER_ROW, freeze=f"D{HEADER_ROW + 1}")
        last = len(cols)
        ws.row_dimensions[1].height = 30
        # Write-only sheets have no merge_cells(); the ranges are written at the end.
        end = get_column_letter(last)
        ws.merged_cells.add(f"A1:{end}1")
        ws.merged_cells.add(f"A2:{get_column_letter(last - 3)}2")
        ws.merged_cells.add(f"{get_column_letter(last - 2)}2:{end}2")
        ws.append([title_cell(ws, f"{office.name}{period_label}{_TITLES[name]}")])
        ws.append([plain_cell(ws, f"填报单位：{office.name}（盖章）"),
                   *([None] * (last - 4)),
                   plain_cell(ws, f"统计期间：{period_label}", align="right")])
        ws.append(header_cells(ws, [c.header for c in cols]))
        cells = StyledCells(ws, cols)
        n = 0
        for n, h in enumerate(rows, 1):
            ws.append(cells.row(_values(name, n, h)))
        total += n
        if n == 0:
            ws.append([plain_cell(ws, "本期无此类对象。")])
    wb.save(str(path))
    return DocumentResult(path=str(path), pages=3, rows=total)


_TITLES = {
    "在保": "在保对象排查统计表",
    "退出": "退出对象排查统计表",
    "申请未通过": "申请未通过对象排查统计表",
}

__all__ = ["build_screening_xlsx", "SHEETS"]
