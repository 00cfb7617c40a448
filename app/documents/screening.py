"""排查统计表: three internal screening sheets (在保 / 退出 / 申请未通过).

Internal working papers: full ID numbers are allowed here (unlike 公示).
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from app.documents.excel import (
    BODY_FONT, BORDER, CENTER, HEADER_FILL, HEADER_FONT, LEFT, RIGHT, TITLE_FONT, Column,
    StyledCells, header_cells, number_format, plain_cell, plain_font, print_setup,
    safe_text, set_widths, title_cell,
)
from app.documents.model import DocumentResult, HouseholdRow, OfficeInfo
from app.documents.xlsx_stream import BulkRows, save_with_bulk_rows

_BASE = [
    Column("序号", 6, "int"),
    Column("村(居)", 12),
    Column("申请人/户主", 10),
    Column("身份证号", 21, "id"),
    Column("家庭人口", 8, "int"),
    Column("保障类别", 16),
    Column("月保障金额(元)", 11, "money", "right"),
    Column("致贫原因", 16),
]
_TAIL = [Column("排查结论", 22, align="left"), Column("处理意见", 22, align="left")]

SHEETS = {
    "在保": _BASE + [Column("批准日期", 11, "date")] + _TAIL,
    "退出": _BASE + [Column("退出日期", 11, "date"),
                   Column("退出原因", 16, align="left")] + _TAIL,
    "申请未通过": _BASE + [Column("申请日期", 11, "date"),
                      Column("未通过原因", 22, align="left")] + _TAIL,
}
TITLES = {"在保": "在保对象排查统计表", "退出": "退出对象排查统计表",
          "申请未通过": "申请未通过对象排查统计表"}
HEADER_ROW = 3  # title, sub-title, column headers
EMPTY_LINE = "本期无此类对象。"


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


def _safe_row(cols, values) -> list:
    return [safe_text(v if v is None or isinstance(v, str) else str(v))
            if c.kind in ("text", "id") else v for c, v in zip(cols, values)]


def build_screening_xlsx(path, *, office: OfficeInfo, current_rows: Iterable[HouseholdRow],
                         exited_rows: Iterable[HouseholdRow],
                         refused_rows: Iterable[HouseholdRow], period_label: str,
                         engine: str = "stream") -> DocumentResult:
    """Write the three 排查统计表 sheets into one workbook.

    Rows may be any iterables (e.g. generators over a paged query); they are
    consumed once.  ID numbers are stored as text (never numbers) and every
    text cell goes through :func:`app.documents.excel.safe_text`.

    ``engine="stream"`` (default): openpyxl builds the workbook and the data
    rows are streamed in by :mod:`app.documents.xlsx_stream` (~10× faster);
    ``engine="openpyxl"``: openpyxl write-only mode for every cell (reference).
    """
    groups = (("在保", current_rows), ("退出", exited_rows), ("申请未通过", refused_rows))
    if engine == "openpyxl":
        return _build_write_only(path, office, groups, period_label)
    if engine != "stream":
        raise ValueError("engine 只能是 stream 或 openpyxl")
    wb = Workbook()
    wb.remove(wb.active)
    bulks = []
    for name, rows in groups:
        cols = SHEETS[name]
        ws = wb.create_sheet(name)
        _head(ws, cols, office, period_label, name)
        it = iter(rows)
        first = next(it, None)
        if first is None:
            c = ws.cell(HEADER_ROW + 1, 1, EMPTY_LINE)
            c.font = plain_font()
            continue
        proto = HEADER_ROW + 1
        for j, col in enumerate(cols, 1):  # the styled prototype row
            c = ws.cell(proto, j)
            c.font, c.border, c.number_format = BODY_FONT, BORDER, number_format(col.kind)
            c.alignment = {"left": LEFT, "right": RIGHT}.get(col.align, CENTER)

        def gen(name=name, cols=cols, first=first, it=it):
            yield _safe_row(cols, _values(name, 1, first))
            for i, h in enumerate(it, 2):
                yield _safe_row(cols, _values(name, i, h))

        bulks.append(BulkRows(name, proto, [c.kind for c in cols], gen()))
    save_with_bulk_rows(wb, path, bulks)
    return DocumentResult(path=str(path), pages=3, rows=sum(b.written for b in bulks))


def _head(ws, cols, office, period_label, name) -> None:
    """Title, sub-title and header rows, widths and print setup (normal mode)."""
    last = len(cols)
    set_widths(ws, cols)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last - 3)
    ws.merge_cells(start_row=2, start_column=last - 2, end_row=2, end_column=last)
    ws.row_dimensions[1].height = 30
    ws.row_dimensions[HEADER_ROW].height = 30
    t = ws.cell(1, 1, f"{office.name}{period_label}{TITLES[name]}")
    t.font, t.alignment = TITLE_FONT, Alignment(horizontal="center", vertical="center")
    a = ws.cell(2, 1, safe_text(f"填报单位：{office.name}（盖章）"))
    b = ws.cell(2, last - 2, safe_text(f"统计期间：{period_label}"))
    a.font = b.font = plain_font()
    a.alignment = LEFT
    b.alignment = RIGHT
    for j, col in enumerate(cols, 1):
        c = ws.cell(HEADER_ROW, j, col.header)
        c.font, c.border, c.fill, c.alignment = HEADER_FONT, BORDER, HEADER_FILL, CENTER
    print_setup(ws, header_row=HEADER_ROW, freeze=f"D{HEADER_ROW + 1}")


def _build_write_only(path, office, groups, period_label) -> DocumentResult:
    wb = Workbook(write_only=True)
    total = 0
    for name, rows in groups:
        cols = SHEETS[name]
        ws = wb.create_sheet(name)
        set_widths(ws, cols)
        print_setup(ws, header_row=HEADER_ROW, freeze=f"D{HEADER_ROW + 1}")
        last = len(cols)
        ws.row_dimensions[1].height = 30
        ws.row_dimensions[HEADER_ROW].height = 30
        # Write-only sheets have no merge_cells(); the ranges are written at the end.
        end = get_column_letter(last)
        ws.merged_cells.add(f"A1:{end}1")
        ws.merged_cells.add(f"A2:{get_column_letter(last - 3)}2")
        ws.merged_cells.add(f"{get_column_letter(last - 2)}2:{end}2")
        ws.append([title_cell(ws, f"{office.name}{period_label}{TITLES[name]}")])
        ws.append([plain_cell(ws, f"填报单位：{office.name}（盖章）"), *([None] * (last - 4)),
                   plain_cell(ws, f"统计期间：{period_label}", align="right")])
        ws.append(header_cells(ws, [c.header for c in cols]))
        cells = StyledCells(ws, cols)
        n = 0
        for n, h in enumerate(rows, 1):
            ws.append(cells.row(_values(name, n, h)))
        total += n
        if n == 0:
            ws.append([plain_cell(ws, EMPTY_LINE)])
    wb.save(str(path))
    return DocumentResult(path=str(path), pages=3, rows=total)
