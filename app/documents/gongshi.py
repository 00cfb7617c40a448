"""公示 sheets: the standing monthly/quarterly list and the case-by-case notice."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, LongTable, SimpleDocTemplate, Spacer, Table, TableStyle

from app.documents.fonts import get_fonts
from app.documents.model import CaseNotice, DocumentResult, HouseholdRow, OfficeInfo
from app.documents.pdfbase import (
    GRID, HEADER_BG, TA_CENTER, TA_LEFT, TA_RIGHT, CellMaker, cn_date, glyph_warnings,
    mm, money, numbered_canvas, page_size, para, set_info, style,
)
from app.documents.publicity import public_case_rows, public_rows

LAW = "《最低生活保障审核确认办法》《特困人员认定办法》"
TAIL_ROWS = 3  # table rows kept on the page of the 合计 and the signature


def period_end(start: date, days: int) -> date:
    """Last day of a 公示 of ``days`` calendar days starting on ``start``."""
    if days < 1:
        raise ValueError("公示期至少 1 天")
    return start + timedelta(days=days - 1)


@dataclass
class _Notice:
    title: str
    intro: str
    headers: list[str]
    weights: list[float]
    aligns: list[int]
    rows: list[list[str]]
    totals: list[str] | None
    total_span: int  # how many leading columns the 合计 label spans
    closing: list[str]
    signer: str
    sign_date: date


def _scale(paper: str) -> float:
    return 1.45 if paper.startswith("A3") else 1.0


def _render(path: str, n: _Notice, *, paper: str, fonts, office_name: str) -> int:
    size = page_size(paper)
    k = _scale(paper)
    margin = 15 * mm * k
    doc = SimpleDocTemplate(str(path), pagesize=size, leftMargin=margin, rightMargin=margin,
                            topMargin=margin, bottomMargin=margin + 6 * mm * k)
    set_info(doc, n.title, office_name)
    song, hei = fonts.name("song"), fonts.name("hei")
    total_w = size[0] - 2 * margin - 12  # the frame pads 6 pt each side
    # Shrink a long title to one line, down to 16 pt; below that let it wrap.
    tsize = 20 * k
    tw = stringWidth(n.title, hei, tsize)
    if tw > total_w:
        tsize = max(16 * k, tsize * total_w / tw * 0.98)
    title_st = style("title", hei, tsize, align=TA_CENTER, spaceAfter=4 * mm * k)
    body_st = style("body", song, 12 * k, leading=20 * k, firstLineIndent=24 * k)
    sign_st = style("sign", song, 12 * k, leading=20 * k, align=TA_CENTER)

    widths = [total_w * w / sum(n.weights) for w in n.weights]
    fs = 11 * k
    cell = CellMaker(fonts, "song", fs, widths)
    head_st = style("head", hei, fs * 0.95, leading=fs * 1.15, align=TA_CENTER)
    header = [para(h, head_st, fonts, "hei") for h in n.headers]
    body = [[cell(v, i, n.aligns[i]) for i, v in enumerate(r)] for r in n.rows]
    if not n.rows:
        body = [["本期无公示对象"] + [""] * (len(n.headers) - 1)]
    totals = ([cell(v, i, n.aligns[i] if i >= n.total_span else TA_CENTER)
               for i, v in enumerate(n.totals)] if n.totals and n.rows else None)

    def table_style(first_is_header: bool, last_is_totals: bool) -> TableStyle:
        ts = [("FONT", (0, 0), (-1, -1), song, fs, fs * 1.2),
              ("GRID", (0, 0), (-1, -1), 0.6, GRID),
              ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
              ("ALIGN", (0, 0), (-1, -1), "CENTER"),
              ("TOPPADDING", (0, 0), (-1, -1), 2.5 * k),
              ("LEFTPADDING", (0, 0), (-1, -1), 3),
              ("RIGHTPADDING", (0, 0), (-1, -1), 3),
              ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5 * k)]
        top = 1 if first_is_header else 0
        if first_is_header:
            ts.append(("BACKGROUND", (0, 0), (-1, 0), HEADER_BG))
        for i, a in enumerate(n.aligns):
            if a == TA_RIGHT:
                ts.append(("ALIGN", (i, top), (i, -1), "RIGHT"))
            elif a == TA_LEFT:
                ts.append(("ALIGN", (i, top), (i, -1), "LEFT"))
        if not n.rows:
            ts.append(("SPAN", (0, 1), (-1, 1)))
        if last_is_totals:
            # No SPAN here: a span in a long table makes every page split re-scan
            # all rows (quadratic); "合计" fits in the 序号 column.
            ts += [("FONT", (0, -1), (-1, -1), hei, fs, fs * 1.2),
                   ("ALIGN", (0, -1), (n.total_span - 1, -1), "CENTER")]
        return TableStyle(ts)

    # The last rows, the 合计, the closing text and the seal space stay together: never a
    # 合计 or a signature alone on the last page.
    keep = TAIL_ROWS if len(body) > TAIL_ROWS else 0
    head_rows = [header] + body[:len(body) - keep] + ([totals] if totals and not keep else [])
    table = LongTable(head_rows, colWidths=widths, repeatRows=1)
    table.setStyle(table_style(True, bool(totals) and not keep))
    tail = []
    if keep:
        rest = body[-keep:] + ([totals] if totals else [])
        t = Table(rest, colWidths=widths)
        t.setStyle(table_style(False, bool(totals)))
        tail.append(t)

    story = [para(n.title, title_st, fonts, "hei"), para(n.intro, body_st, fonts, "song"),
             Spacer(1, 3 * mm * k), table]
    closing = [para(t, body_st, fonts, "song") for t in n.closing]
    # Signature block, right-aligned, with room above the name for the seal.
    sign = Table([[para(n.signer, sign_st, fonts, "song")],
                  [para(cn_date(n.sign_date), sign_st, fonts, "song")]],
                 colWidths=[max(70 * mm, len(n.signer) * 12 * k + 12) * k], hAlign="RIGHT")
    sign.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, 0), 16 * mm * k)]))
    story.append(KeepTogether(tail + [Spacer(1, 4 * mm * k)] + closing + [sign]))

    def footer(c, page_no, total):
        c.saveState()
        c.setFont(song, 9 * k)
        y = margin - 2 * mm
        c.drawRightString(size[0] - margin, y, f"第 {page_no} 页 共 {total} 页")
        c.drawString(margin, y, n.title)
        c.restoreState()

    canvas_cls = numbered_canvas(footer)
    doc.build(story, canvasmaker=canvas_cls)
    return canvas_cls.pages


def build_gongshi_pdf(path, *, office: OfficeInfo, households: Sequence[HouseholdRow],
                      period_label: str, scope: str = "village", village: str | None = None,
                      start: date, days: int, paper: str = "A4", today: date,
                      title: str | None = None, fonts_dir="auto") -> DocumentResult:
    """The standing 公示 list: village monthly (``scope='village'``) or
    township quarterly (``scope='township'``, adds a 村(居) column).

    ``households`` go through :func:`public_rows` (masking, 特困 minors left
    out); the caller chooses which households (normally those 在保) and their
    order.  ``days`` is the 公示期 in calendar days (a setting; default 7).
    """
    if scope not in ("village", "township"):
        raise ValueError("scope 只能是 village 或 township")
    if scope == "village" and not village:
        raise ValueError("村级公示须指定 village")
    fonts = get_fonts(fonts_dir)
    rows = public_rows(households, today=today)
    withheld = len(households) - len(rows)
    end = period_end(start, days)
    where = village if scope == "village" else office.name
    title = title or f"{where}{period_label}最低生活保障等救助对象公示"
    n_h = len(rows)
    n_p = sum(r.household_size for r in rows)
    amount = sum((r.monthly_amount for r in rows), Decimal("0"))
    township = scope == "township"
    headers = ["序号"] + (["村(居)"] if township else []) + [
        "户主姓名", "保障人数", "保障类别", "致贫原因", "月保障金额(元)"]
    weights = [0.8] + ([1.5] if township else []) + [1.4, 1.3, 2.7, 2.3, 2.0]
    aligns = [TA_CENTER] + ([TA_CENTER] if township else []) + [
        TA_CENTER, TA_CENTER, TA_CENTER, TA_CENTER, TA_RIGHT]
    table_rows = [
        [str(i)] + ([r.village] if township else []) + [
            r.head_name, str(r.household_size), r.category, r.poverty_cause,
            money(r.monthly_amount)]
        for i, r in enumerate(rows, 1)
    ]
    span = 2 if township else 1
    totals = ["合计"] + ([""] if township else []) + [
        f"{n_h} 户", f"{n_p} 人", "", "", money(amount)]
    intro = (f"根据{LAW}等规定，现将{where}{period_label}最低生活保障、特困人员等救助对象"
             f"予以公示，共 {n_h} 户 {n_p} 人，月保障金额合计 {money(amount)} 元。"
             f"公示期自{cn_date(start)}至{cn_date(end)}，共 {days} 天。")
    notice = _Notice(title, intro, headers, weights, aligns, table_rows, totals, span,
                     _closing(office), office.name, today)
    pages = _render(path, notice, paper=paper, fonts=fonts, office_name=office.name)
    res = DocumentResult(path=str(path), pages=pages, rows=n_h, withheld=withheld)
    _add_warnings(res, rows, fonts, township)
    return res


def build_case_gongshi_pdf(path, *, office: OfficeInfo, cases: Sequence[CaseNotice],
                           start: date, days: int = 7, today: date,
                           village: str | None = None, paper: str = "A4",
                           title: str | None = None, fonts_dir="auto") -> DocumentResult:
    """Case-by-case 公示 of proposed decisions (拟新增 / 拟终止 / 拟调整),
    ``days`` calendar days (7 by the national rules), start and end printed."""
    fonts = get_fonts(fonts_dir)
    crow = public_case_rows(cases, today=today)
    withheld = len(cases) - len(crow)
    end = period_end(start, days)
    where = village or office.name
    present = list(dict.fromkeys(c.kind for c in crow))
    order = ["拟新增", "拟调整", "拟终止"]
    kinds = [k for k in order if k in present] + [k for k in present if k not in order]
    what = "、".join(k.removeprefix("拟") for k in kinds) or "新增"
    title = title or f"{where}最低生活保障等救助对象{what}公示"
    headers = ["序号", "村(居)", "户主姓名", "保障人数", "保障类别", "月保障金额(元)",
               "公示事项", "理由"]
    weights = [0.9, 1.5, 1.4, 1.3, 2.7, 2.0, 1.4, 2.2]
    aligns = [TA_CENTER] * 5 + [TA_RIGHT, TA_CENTER, TA_LEFT]
    rows = [[str(i), c.row.village, c.row.head_name, str(c.row.household_size),
             c.row.category, money(c.row.monthly_amount), c.kind, c.reason]
            for i, c in enumerate(crow, 1)]
    intro = (f"根据{LAW}等规定，经申请受理、家庭经济状况核对、入户调查、民主评议和乡镇（街道）审核，"
             f"拟对以下 {len(crow)} 户救助对象作如下处理，现予以公示。"
             f"公示期自{cn_date(start)}至{cn_date(end)}，共 {days} 天。")
    notice = _Notice(title, intro, headers, weights, aligns, rows, None, 1,
                     _closing(office), office.name, today)
    pages = _render(path, notice, paper=paper, fonts=fonts, office_name=office.name)
    res = DocumentResult(path=str(path), pages=pages, rows=len(crow), withheld=withheld)
    _add_warnings(res, [c.row for c in crow], fonts, True)
    return res


def _closing(office: OfficeInfo) -> list[str]:
    return [
        f"公示期内，如对公示对象有异议，可向{office.name}书面或当面反映"
        f"（受理地点：{office.address}），也可拨打监督举报电话："
        f"{office.name} {office.phone}；{office.district_name} {office.district_phone}。"
        "我们将依法依规调查核实，并对反映人信息严格保密。",
    ]


def _add_warnings(res: DocumentResult, rows, fonts, with_village: bool) -> None:
    items = [(r.head_name, "户主姓名") for r in rows]
    if with_village:
        items += sorted({(r.village, "村(居)") for r in rows})
    res.glyph_warnings = glyph_warnings(items, "song", fonts)
    res.warnings += [str(w) for w in res.glyph_warnings]
    if res.withheld:
        res.warnings.append(
            f"{res.withheld} 户特困人员为未成年人，依规不予公示，已从公示名单中略去。")
