"""专项整治工作台账 (monthly): the month's figures, the problems concerned and the 典型问题,
as an A4 landscape PDF and an Excel sheet with the same content. Empty sections say so."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from reportlab.platypus import KeepTogether, LongTable, SimpleDocTemplate, Spacer, TableStyle

from app.documents.fonts import get_fonts
from app.documents.model import DocumentResult, OfficeInfo
from app.documents.pdfbase import (
    GRID, HEADER_BG, TA_CENTER, TA_LEFT, CellMaker, cn_date, glyph_warnings, mm, numbered_canvas,
    page_size, para, set_info, style,
)

SUMMARY_HEADERS = ["项目", "本月", "说明"]
DETAIL_HEADERS = ["序号", "问题编号", "发现日期", "来源", "类别", "问题描述", "责任人", "整改时限",
                  "状态（截至统计日）", "本月情况"]
DETAIL_WEIGHTS = [0.6, 1.4, 1.1, 1.0, 1.1, 4.2, 0.9, 1.1, 1.4, 1.6]
TYPICAL_HEADERS = ["序号", "问题编号", "类别", "问题描述", "整改措施", "状态"]
TYPICAL_WEIGHTS = [0.6, 1.4, 1.1, 4.6, 4.0, 1.4]
NO_PROBLEMS = "本月无新发现、整改、销号或逾期的问题。"
NO_TYPICAL = "本月无标注的典型问题。"


@dataclass
class LedgerSheet:
    """What the 台账 prints (plain strings; the app layer fills it from the ledgers)."""

    year: int
    month: int
    cut_off: date
    summary: list[tuple[str, int, str]]  # (项目, figure, 说明)
    rows: list[list[str]] = field(default_factory=list)  # DETAIL_HEADERS[1:]
    typical: list[list[str]] = field(default_factory=list)  # TYPICAL_HEADERS[1:]
    empty: bool = False

    @property
    def period_label(self) -> str:
        return f"{self.year}年{self.month}月"


def title_of(office: OfficeInfo, sheet: LedgerSheet) -> str:
    return f"{office.name}民政领域专项整治工作台账（{sheet.period_label}）"


def _table(headers, weights, rows, avail, fonts, fs=10.0) -> LongTable:
    widths = [avail * w / sum(weights) for w in weights]
    cell = CellMaker(fonts, "song", fs, widths)
    head_st = style("lh", fonts.name("hei"), fs, leading=fs * 1.2, align=TA_CENTER)
    data = [[para(h, head_st, fonts, "hei") for h in headers]]
    for i, r in enumerate(rows, 1):
        data.append([str(i)] + [cell(v, j + 1, TA_LEFT if headers[j + 1] in ("问题描述", "整改措施", "说明")
                                     else TA_CENTER) for j, v in enumerate(r)])
    t = LongTable(data, colWidths=widths, repeatRows=1)
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts.name("song"), fs, fs * 1.2),
        ("GRID", (0, 0), (-1, -1), 0.6, GRID), ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]))
    return t


def build_ledger_pdf(path, *, office: OfficeInfo, sheet: LedgerSheet, today: date,
                     fonts_dir="auto") -> DocumentResult:
    fonts = get_fonts(fonts_dir)
    size = page_size("A4L")
    margin = 15 * mm
    doc = SimpleDocTemplate(str(path), pagesize=size, leftMargin=margin, rightMargin=margin,
                            topMargin=margin, bottomMargin=margin + 6 * mm)
    title = title_of(office, sheet)
    set_info(doc, title, office.name)
    song, hei = fonts.name("song"), fonts.name("hei")
    title_st = style("lt", hei, 20, align=TA_CENTER, spaceAfter=3 * mm)
    info_st = style("li", song, 11, leading=16)
    h_st = style("lhd", hei, 13, leading=20, spaceBefore=3 * mm, spaceAfter=1.5 * mm)
    zero_st = style("lz", song, 12, leading=20, firstLineIndent=24)
    avail = size[0] - 2 * margin - 12
    story = [para(title, title_st, fonts, "hei"),
             para(f"填报单位：{office.name}（盖章）　统计期间：{sheet.period_label}"
                  f"　统计截至：{cn_date(sheet.cut_off)}　填报日期：{cn_date(today)}", info_st, fonts, "song"),
             Spacer(1, 2 * mm)]
    if sheet.empty:
        story.append(para(f"{sheet.period_label}无新发现问题、无整改销号、无移交线索、无信访举报，特此说明。",
                          zero_st, fonts, "song"))
    summary = [[label, str(n), note] for label, n, note in sheet.summary]
    story += [para("一、本月工作情况", h_st, fonts, "hei"),
              _table(["序号"] + SUMMARY_HEADERS, [0.6, 4.0, 1.2, 6.0], summary, avail, fonts)]
    heading = para("二、问题整改台账", h_st, fonts, "hei")
    if sheet.rows:
        story += [heading, _table(DETAIL_HEADERS, DETAIL_WEIGHTS, sheet.rows, avail, fonts)]
    else:
        story.append(KeepTogether([heading, para(NO_PROBLEMS, zero_st, fonts, "song")]))
    heading = para("三、典型问题", h_st, fonts, "hei")
    if sheet.typical:
        story += [heading, _table(TYPICAL_HEADERS, TYPICAL_WEIGHTS, sheet.typical, avail, fonts)]
    else:
        story.append(KeepTogether([heading, para(NO_TYPICAL, zero_st, fonts, "song")]))
    story += [Spacer(1, 8 * mm),
              para(f"填报人：　　　　　　审核人：　　　　　　分管领导：　　　　　　联系电话：{office.phone}",
                   info_st, fonts, "song")]

    def footer(c, page_no, total):
        c.saveState()
        c.setFont(song, 9)
        y = margin - 2 * mm
        c.drawString(margin, y, title)
        c.drawRightString(size[0] - margin, y, f"第 {page_no} 页 共 {total} 页")
        c.restoreState()

    canvas_cls = numbered_canvas(footer)
    doc.build(story, canvasmaker=canvas_cls)
    res = DocumentResult(path=str(path), pages=canvas_cls.pages, rows=len(sheet.rows))
    res.glyph_warnings = glyph_warnings([(r[5], "责任人") for r in sheet.rows], "song", fonts)
    res.warnings += [str(w) for w in res.glyph_warnings]
    return res


def build_ledger_xlsx(path, *, office: OfficeInfo, sheet: LedgerSheet, today: date) -> DocumentResult:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from app.documents.excel import (
        BODY_FONT, BORDER, CENTER, EXCEL_FONT, HEADER_FILL, HEADER_FONT, LEFT, TITLE_FONT,
        print_setup, safe_text,
    )

    wb = Workbook()
    ws = wb.active
    ws.title = "专项整治工作台账"
    for i, w in enumerate([6, 16, 12, 10, 12, 40, 10, 12, 16, 18], 1):
        ws.column_dimensions[chr(64 + i)].width = w
    ncol = len(DETAIL_HEADERS)

    def line(row: int, text: str, font: Font, align: Alignment = LEFT) -> None:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncol)
        c = ws.cell(row=row, column=1, value=safe_text(text))
        c.font, c.alignment = font, align

    def table(row: int, headers: list[str], rows: list[list]) -> int:
        for col, h in enumerate(headers, 1):
            c = ws.cell(row=row, column=col, value=h)
            c.font, c.fill, c.border, c.alignment = HEADER_FONT, HEADER_FILL, BORDER, CENTER
        for i, r in enumerate(rows, 1):
            for col, v in enumerate([i, *r], 1):
                c = ws.cell(row=row + i, column=col, value=safe_text(v))
                c.font, c.border = BODY_FONT, BORDER
                c.alignment = LEFT if headers[col - 1] in ("问题描述", "整改措施", "说明") else CENTER
        return row + len(rows) + 2

    plain, bold = Font(name=EXCEL_FONT, size=11), Font(name=EXCEL_FONT, size=12, bold=True)
    line(1, title_of(office, sheet), TITLE_FONT, Alignment(horizontal="center", vertical="center"))
    line(2, f"填报单位：{office.name}（盖章）    统计期间：{sheet.period_label}    "
            f"统计截至：{cn_date(sheet.cut_off)}    填报日期：{cn_date(today)}", plain)
    r = 4
    line(r, "一、本月工作情况", bold)
    r = table(r + 1, ["序号"] + SUMMARY_HEADERS, [[a, n, b] for a, n, b in sheet.summary])
    line(r, "二、问题整改台账", bold)
    if sheet.rows:
        r = table(r + 1, DETAIL_HEADERS, sheet.rows)
    else:
        line(r + 1, NO_PROBLEMS, plain)
        r += 3
    line(r, "三、典型问题", bold)
    if sheet.typical:
        r = table(r + 1, TYPICAL_HEADERS, sheet.typical)
    else:
        line(r + 1, NO_TYPICAL, plain)
    print_setup(ws, header_row=2)
    ws.print_title_rows = None
    wb.save(str(path))
    return DocumentResult(path=str(path), pages=1, rows=len(sheet.rows))
