"""动态管理月报: additions, exits, amount changes and deaths of one month,
with an explicit 零报告 line for every empty section."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.platypus import (
    KeepTogether, LongTable, SimpleDocTemplate, Spacer, Table, TableStyle,
)

from app.documents.fonts import get_fonts
from app.documents.model import ChangeRow, DocumentResult, OfficeInfo, StockFigures
from app.documents.pdfbase import (
    GRID, HEADER_BG, TA_CENTER, TA_LEFT, TA_RIGHT, CellMaker, cn_date, glyph_warnings, mm,
    money, numbered_canvas, page_size, para, set_info, style,
)

KINDS = ("新增", "退出", "调整", "死亡")
SECTION_TITLES = {"新增": "一、新增对象", "退出": "二、退出对象",
                  "调整": "三、保障金额调整对象", "死亡": "四、死亡人员"}
ZERO_LINES = {
    "新增": "本月无新增对象，特此零报告。",
    "退出": "本月无退出对象，特此零报告。",
    "调整": "本月无保障金额调整对象，特此零报告。",
    "死亡": "本月无死亡人员，特此零报告。",
}
DATE_HEADERS = {"新增": "批准日期", "退出": "退出日期", "调整": "调整日期", "死亡": "死亡日期"}
REASON_HEADERS = {"新增": "致贫原因", "退出": "退出原因", "调整": "调整原因", "死亡": "处理情况"}
ZERO = Decimal("0")


@dataclass
class SectionTotals:
    households: int
    persons: int
    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before


def delta(r: ChangeRow) -> Decimal:
    return Decimal(r.amount_after or 0) - Decimal(r.amount_before or 0)


def summarize(changes: Sequence[ChangeRow]) -> dict[str, SectionTotals]:
    out = {}
    for k in KINDS:
        rows = [r for r in changes if r.kind == k]
        out[k] = SectionTotals(
            len(rows), sum(int(r.household_size or 0) for r in rows),
            sum((Decimal(r.amount_before or 0) for r in rows), ZERO),
            sum((Decimal(r.amount_after or 0) for r in rows), ZERO))
    unknown = {r.kind for r in changes} - set(KINDS)
    if unknown:
        raise ValueError(f"未知的变动类型：{'、'.join(sorted(unknown))}")
    return out


def _signed(v: Decimal) -> str:
    return ("+" if v > 0 else "") + money(v)


def summary_text(changes: Sequence[ChangeRow], stock: StockFigures | None = None) -> str:
    """The summary paragraph (same words in the PDF and the Excel)."""
    t = summarize(changes)
    n, x, a, d = t["新增"], t["退出"], t["调整"], t["死亡"]
    net = sum((v.delta for v in t.values()), ZERO)
    text = (f"本月新增 {n.households} 户 {n.persons} 人，月保障金额增加 {money(n.delta)} 元；"
            f"退出 {x.households} 户 {x.persons} 人，月保障金额减少 {money(-x.delta)} 元；"
            f"调整保障金额 {a.households} 户，增减 {_signed(a.delta)} 元；"
            f"死亡 {d.households} 人，增减 {_signed(d.delta)} 元。"
            f"本月月保障金额合计变化 {_signed(net)} 元。")
    if stock is not None:
        text += (f"截至本月末，在保 {stock.households} 户 {stock.persons} 人，"
                 f"月保障金额 {money(stock.monthly_amount)} 元。")
    return text


def section_rows(kind: str, changes: Sequence[ChangeRow]) -> list[list[str]]:
    rows = []
    for i, r in enumerate((r for r in changes if r.kind == kind), 1):
        rows.append([str(i), r.village, r.name, r.category, str(r.household_size),
                     money(r.amount_before), money(r.amount_after), _signed(delta(r)),
                     reason_text(r), r.date.isoformat() if r.date else ""])
    return rows


def reason_text(r: ChangeRow) -> str:
    """The reason column; a late entry (补报) says so."""
    return (r.reason or "") + ("（补报）" if r.late else "")


def section_headers(kind: str) -> list[str]:
    return ["序号", "村(居)", "死亡人员姓名" if kind == "死亡" else "户主姓名", "保障类别",
            "家庭人口", "原月保障金额(元)", "现月保障金额(元)", "增减(元)",
            REASON_HEADERS[kind], DATE_HEADERS[kind]]


def title_of(office: OfficeInfo, year: int, month: int) -> str:
    return f"{office.name}{year}年{month}月救助对象动态管理月报"


def _check(office, year, month, changes, today, due_date, res: DocumentResult, fonts):
    if fonts is not None:  # PDF only: Excel shows whatever fonts the PC has
        res.glyph_warnings = glyph_warnings([(r.name, r.kind) for r in changes], "song", fonts)
        res.warnings += [str(w) for w in res.glyph_warnings]
    if due_date is not None and today > due_date:
        res.warnings.append(f"{year}年{month}月动态管理月报应于{cn_date(due_date)}前报送，已逾期。")
    outside = [r for r in changes if r.date and (r.date.year, r.date.month) != (year, month)]
    if outside:
        res.warnings.append(f"{len(outside)} 条变动的日期不在{year}年{month}月内，请核对。")


WEIGHTS = [0.7, 1.3, 1.3, 2.0, 1.1, 1.8, 1.8, 1.2, 2.4, 1.3]
ALIGNS = [TA_CENTER, TA_CENTER, TA_CENTER, TA_CENTER, TA_CENTER, TA_RIGHT, TA_RIGHT,
          TA_RIGHT, TA_LEFT, TA_CENTER]


def build_monthly_pdf(path, *, office: OfficeInfo, year: int, month: int,
                      changes: Sequence[ChangeRow], today: date,
                      stock: StockFigures | None = None, due_date: date | None = None,
                      fonts_dir="auto") -> DocumentResult:
    """动态管理月报 as an A4 landscape PDF."""
    fonts = get_fonts(fonts_dir)
    totals = summarize(changes)
    size = page_size("A4L")
    margin = 15 * mm
    doc = SimpleDocTemplate(str(path), pagesize=size, leftMargin=margin, rightMargin=margin,
                            topMargin=margin, bottomMargin=margin + 6 * mm)
    title = title_of(office, year, month)
    set_info(doc, title, office.name)
    song, hei = fonts.name("song"), fonts.name("hei")
    title_st = style("t", hei, 20, align=TA_CENTER, spaceAfter=3 * mm)
    info_st = style("i", song, 11, leading=16)
    body_st = style("b", song, 12, leading=20, firstLineIndent=24)
    h_st = style("h", hei, 13, leading=20, spaceBefore=3 * mm, spaceAfter=1.5 * mm)
    zero_st = style("z", song, 12, leading=20, firstLineIndent=24)
    avail = size[0] - 2 * margin - 12
    widths = [avail * w / sum(WEIGHTS) for w in WEIGHTS]
    fs = 10.5
    cell = CellMaker(fonts, "song", fs, widths)
    head_st = style("th", hei, 10, leading=12, align=TA_CENTER)

    story = [para(title, title_st, fonts, "hei"),
             _line([f"报送单位：{office.name}（盖章）", f"报送日期：{cn_date(today)}",
                    f"统计期间：{year}年{month}月"], avail, info_st, fonts),
             Spacer(1, 2 * mm), para(summary_text(changes, stock), body_st, fonts, "song")]
    for kind in KINDS:
        rows = section_rows(kind, changes)
        t = totals[kind]
        heading = para(SECTION_TITLES[kind] + (f"（{t.households} 户 {t.persons} 人）"
                                                if kind != "死亡" else f"（{t.households} 人）"),
                       h_st, fonts, "hei")
        if not rows:
            story.append(KeepTogether([heading, para(ZERO_LINES[kind], zero_st, fonts, "song")]))
            continue
        data = [[para(h, head_st, fonts, "hei") for h in section_headers(kind)]]
        data += [[cell(v, i, ALIGNS[i]) for i, v in enumerate(r)] for r in rows]
        data.append(["小计", "", f"{t.households} " + ("人" if kind == "死亡" else "户"), "",
                     f"{t.persons} 人", money(t.before), money(t.after), _signed(t.delta),
                     "", ""])
        ts = [("FONT", (0, 0), (-1, -1), song, fs, fs * 1.2),
              ("GRID", (0, 0), (-1, -1), 0.6, GRID),
              ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
              ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
              ("ALIGN", (0, 0), (-1, -1), "CENTER"),
              ("ALIGN", (5, 1), (7, -1), "RIGHT"),
              ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
              ("FONT", (0, -1), (-1, -1), hei, fs, fs * 1.2)]
        table = LongTable(data, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle(ts))
        story += [heading, table]
    story += [Spacer(1, 8 * mm),
              _line(["填报人：", "审核人：", "分管领导：", f"联系电话：{office.phone}"],
                    avail, info_st, fonts)]

    def footer(c, page_no, total):
        c.saveState()
        c.setFont(song, 9)
        y = margin - 2 * mm
        c.drawString(margin, y, title)
        c.drawRightString(size[0] - margin, y, f"第 {page_no} 页 共 {total} 页")
        c.restoreState()

    canvas_cls = numbered_canvas(footer)
    doc.build(story, canvasmaker=canvas_cls)
    res = DocumentResult(path=str(path), pages=canvas_cls.pages, rows=len(changes))
    _check(office, year, month, changes, today, due_date, res, fonts)
    return res


def _line(texts: list[str], width: float, st, fonts) -> Table:
    """Items spread over one line (Paragraph collapses runs of spaces)."""
    t = Table([[para(x, st, fonts, "song") for x in texts]],
              colWidths=[width / len(texts)] * len(texts), hAlign="LEFT")
    t.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return t


def build_monthly_xlsx(path, *, office: OfficeInfo, year: int, month: int,
                       changes: Sequence[ChangeRow], today: date,
                       stock: StockFigures | None = None,
                       due_date: date | None = None) -> DocumentResult:
    """动态管理月报 as one Excel sheet with the same sections as the PDF."""
    from app.documents.monthly_xlsx import write_monthly_xlsx

    totals = summarize(changes)
    write_monthly_xlsx(path, office=office, year=year, month=month, changes=changes,
                       today=today, stock=stock, totals=totals)
    res = DocumentResult(path=str(path), pages=1, rows=len(changes))
    _check(office, year, month, changes, today, due_date, res, None)
    return res
