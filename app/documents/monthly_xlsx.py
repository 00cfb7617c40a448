"""Excel writer of the 动态管理月报 (small: a normal openpyxl workbook)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from app.documents.excel import (
    BODY_FONT, BORDER, CENTER, EXCEL_FONT, HEADER_FILL, HEADER_FONT, LEFT, MONEY_FORMAT, RIGHT,
    TITLE_FONT, print_setup, safe_text,
)
from app.documents.model import ChangeRow, OfficeInfo, StockFigures
from app.documents.monthly import (
    KINDS, SECTION_TITLES, ZERO_LINES, SectionTotals, delta, reason_text, section_headers, summary_text,
    title_of,
)
from app.documents.pdfbase import cn_date

WIDTHS = [6, 12, 12, 18, 8, 14, 14, 11, 26, 12]
NCOL = len(WIDTHS)


def write_monthly_xlsx(path, *, office: OfficeInfo, year: int, month: int,
                       changes: Sequence[ChangeRow], today: date,
                       stock: StockFigures | None, totals: dict[str, SectionTotals]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "动态管理月报"
    for i, w in enumerate(WIDTHS, 1):
        ws.column_dimensions[chr(64 + i)].width = w

    def merged_line(row: int, text: str, font: Font, height: float | None = None,
                    align: Alignment = LEFT) -> None:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=NCOL)
        c = ws.cell(row=row, column=1, value=safe_text(text))
        c.font, c.alignment = font, align
        if height:
            ws.row_dimensions[row].height = height

    merged_line(1, title_of(office, year, month), TITLE_FONT, 30,
                Alignment(horizontal="center", vertical="center"))
    merged_line(2, f"报送单位：{office.name}（盖章）    报送日期：{cn_date(today)}    "
                   f"统计期间：{year}年{month}月", Font(name=EXCEL_FONT, size=11))
    merged_line(3, summary_text(changes, stock), Font(name=EXCEL_FONT, size=11), 48)
    r = 5
    section_font = Font(name=EXCEL_FONT, size=12, bold=True)
    for kind in KINDS:
        t = totals[kind]
        unit = f"（{t.households} 人）" if kind == "死亡" else f"（{t.households} 户 {t.persons} 人）"
        merged_line(r, SECTION_TITLES[kind] + unit, section_font, 22)
        r += 1
        rows = [x for x in changes if x.kind == kind]
        if not rows:
            merged_line(r, ZERO_LINES[kind], Font(name=EXCEL_FONT, size=11), 20)
            r += 2
            continue
        for col, h in enumerate(section_headers(kind), 1):
            c = ws.cell(row=r, column=col, value=h)
            c.font, c.fill, c.border, c.alignment = HEADER_FONT, HEADER_FILL, BORDER, CENTER
        r += 1
        for i, x in enumerate(rows, 1):
            values = [i, x.village, x.name, x.category, x.household_size,
                      _num(x.amount_before), _num(x.amount_after), float(delta(x)),
                      reason_text(x), x.date]
            for col, v in enumerate(values, 1):
                c = ws.cell(row=r, column=col, value=safe_text(v))
                c.font, c.border = BODY_FONT, BORDER
                c.alignment = LEFT if col == 9 else (RIGHT if 6 <= col <= 8 else CENTER)
                if 6 <= col <= 8:
                    c.number_format = MONEY_FORMAT
                elif col == 10:
                    c.number_format = "yyyy-mm-dd"
            r += 1
        sub = ["小计", None, f"{t.households} " + ("人" if kind == "死亡" else "户"), None,
               f"{t.persons} 人", float(t.before), float(t.after), float(t.delta), None, None]
        for col, v in enumerate(sub, 1):
            c = ws.cell(row=r, column=col, value=v)
            c.font, c.border = HEADER_FONT, BORDER
            c.alignment = RIGHT if 6 <= col <= 8 else CENTER
            if 6 <= col <= 8:
                c.number_format = MONEY_FORMAT
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        r += 2
    merged_line(r, f"填报人：            审核人：            分管领导：            "
                   f"联系电话：{office.phone}", Font(name=EXCEL_FONT, size=11))
    print_setup(ws, header_row=2)
    ws.print_title_rows = None  # sections have their own headers
    wb.save(str(path))


def _num(v):
    return None if v is None else float(v)
