"""openpyxl helpers shared by the Excel exports: safe text, styles, print setup."""
from __future__ import annotations

import copy
from dataclasses import dataclass

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

EXCEL_FONT = "宋体"
_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
HEADER_FONT = Font(name=EXCEL_FONT, size=11, bold=True)
TITLE_FONT = Font(name=EXCEL_FONT, size=16, bold=True)
BODY_FONT = Font(name=EXCEL_FONT, size=10.5)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")

TEXT_FORMAT = "@"
MONEY_FORMAT = "0.00"
DATE_FORMAT = "yyyy-mm-dd"
INT_FORMAT = "0"


def safe_text(value):
    """Neutralise spreadsheet formula injection (CSV/Excel injection).

    Text beginning with = + - @ (or a tab / carriage return) would be run as a
    formula by Excel or WPS when the cell is edited or the file re-imported;
    such text gets a leading apostrophe and is stored as a plain string.
    Also drops the control characters a worksheet cannot hold and cuts text
    to Excel's 32,767 characters.  Non-text values are returned unchanged.
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)[:32767]
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass
class Column:
    header: str
    width: float  # Excel character units
    kind: str = "text"  # text | int | money | date | id
    align: str = "center"  # center | left | right


def number_format(kind: str) -> str:
    return {"id": TEXT_FORMAT, "text": TEXT_FORMAT, "money": MONEY_FORMAT,
            "date": DATE_FORMAT, "int": INT_FORMAT}[kind]


def plain_font(bold: bool = False) -> Font:
    return Font(name=EXCEL_FONT, size=11, bold=bold)


class StyledCells:
    """Fast styled cells for write-only sheets.

    Assigning Font/Border objects to every cell hashes them into the style
    tables each time; instead one template cell per column is styled once
    and its compiled style array copied into each new cell.
    """

    def __init__(self, ws, columns: list[Column]):
        self.ws = ws
        self.templates = []
        for col in columns:
            t = WriteOnlyCell(ws)
            t.font = BODY_FONT
            t.border = BORDER
            t.alignment = {"left": LEFT, "right": RIGHT}.get(col.align, CENTER)
            t.number_format = number_format(col.kind)
            self.templates.append(t._style)
        self.kinds = [c.kind for c in columns]

    def row(self, values) -> list[WriteOnlyCell]:
        out = []
        for v, st, kind in zip(values, self.templates, self.kinds):
            if kind in ("text", "id"):
                v = safe_text(v if v is None or isinstance(v, str) else str(v))
            c = WriteOnlyCell(self.ws, value=v)
            if kind in ("text", "id") and v is not None:
                c.data_type = "s"  # never a number, never a formula
            c._style = copy.copy(st)
            out.append(c)
        return out


def header_cells(ws, headers: list[str]) -> list[WriteOnlyCell]:
    out = []
    for h in headers:
        c = WriteOnlyCell(ws, value=h)
        c.font, c.border, c.fill, c.alignment = HEADER_FONT, BORDER, HEADER_FILL, CENTER
        out.append(c)
    return out


def title_cell(ws, text: str, font: Font = TITLE_FONT) -> WriteOnlyCell:
    c = WriteOnlyCell(ws, value=text)
    c.font = font
    c.alignment = Alignment(horizontal="center", vertical="center")
    return c


def plain_cell(ws, text, *, bold=False, align: str = "left") -> WriteOnlyCell:
    c = WriteOnlyCell(ws, value=safe_text(text))
    c.font = plain_font(bold)
    c.alignment = {"left": LEFT, "right": RIGHT}.get(align, CENTER)
    return c


def set_widths(ws, columns: list[Column]) -> None:
    for i, col in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = col.width


def print_setup(ws: Worksheet, *, header_row: int, landscape: bool = True,
                freeze: str | None = None) -> None:
    """A4 (landscape), fit all columns to the page width, repeat the header
    rows 1..header_row on every printed page, optional frozen panes."""
    ws.page_setup.paperSize = 9  # xlPaperA4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.6
    ws.print_title_rows = f"1:{header_row}"
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    if freeze:
        ws.freeze_panes = freeze
