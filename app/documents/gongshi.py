"""公示 sheets: the standing monthly/quarterly list and the case-by-case notice."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from reportlab.pdfgen.canvas import Canvas

from app.documents import fasttable as ft
from app.documents.fonts import get_fonts
from app.documents.model import CaseNotice, DocumentResult, HouseholdRow, OfficeInfo
from app.documents.pagebase import TA_CENTER, TA_LEFT, TA_RIGHT, cn_date, glyph_warnings, mm, money, page_size
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
    """Lay the pages out first, then draw them straight on the canvas (app.documents.fasttable)."""
    size = page_size(paper)
    k = _scale(paper)
    margin = 15 * mm * k
    width = size[0] - 2 * margin
    top, bottom = size[1] - margin, margin + 6 * mm * k
    measure = ft.Measure(fonts)
    # Shrink a long title to one line, down to 16 pt; below that let it wrap.
    tsize = 20 * k
    tw = measure(n.title, "hei", tsize)[1]
    if tw > width:
        tsize = max(16 * k, tsize * width / tw * 0.98)
    title = ft.paragraph(measure, n.title, "hei", tsize, tsize * 1.3, width, align=TA_CENTER,
                         space_after=4 * mm * k)
    intro = ft.paragraph(measure, n.intro, "song", 12 * k, 20 * k, width, indent_chars=2,
                         space_after=3 * mm * k)
    widths = [width * w / sum(n.weights) for w in n.weights]
    fs, pad = 11 * k, 3 * k
    head = ft.table_rows(measure, [n.headers], widths, role="hei", size=fs * 0.95, leading=fs * 1.15, pad_v=pad)
    body_texts = n.rows or [["本期无公示对象"] + [""] * (len(n.headers) - 1)]
    body = ft.table_rows(measure, body_texts, widths, role="song", size=fs, leading=fs * 1.2, pad_v=pad)
    totals = (ft.table_rows(measure, [n.totals], widths, role="hei", size=fs, leading=fs * 1.2, pad_v=pad)
              if n.totals and n.rows else [])
    closing = [ft.paragraph(measure, t, "song", 12 * k, 20 * k, width, indent_chars=2) for t in n.closing]
    sign_w = max(70 * mm, len(n.signer) * 12 * k + 12) * k
    sign = [ft.paragraph(measure, t, "song", 12 * k, 20 * k, sign_w, align=TA_CENTER)
            for t in (n.signer, cn_date(n.sign_date))]
    seal = 16 * mm * k
    head_h = sum(r.height for r in head)
    end_h = (sum(r.height for r in totals) + 4 * mm * k + sum(b.height for b in closing) + seal
             + sum(b.height for b in sign))

    # pages as (first row, end row); page 1 also carries the title and the intro
    pages: list[list[int]] = []
    i, avail = 0, top - bottom - title.height - intro.height
    while True:
        room, start = avail - head_h, i
        while i < len(body) and body[i].height <= room:
            room -= body[i].height
            i += 1
        if i == start and i < len(body):
            i += 1  # a row taller than a page: alone on its page
        pages.append([start, i, room])
        if i >= len(body):
            break
        avail = top - bottom
    if pages[-1][2] < end_h:
        # the last rows, the 合计, the closing text and the seal space go over together
        cut = max(pages[-1][0], len(body) - TAIL_ROWS)
        if cut == pages[-1][0] and len(pages) > 1 and cut > 0:
            cut = max(pages[-2][0] + 1, len(body) - TAIL_ROWS)
            pages[-2][1] = cut
            pages[-1][0] = cut
        else:
            pages[-1][1] = cut
            pages.append([cut, len(body), 0])
        pages = [p for p in pages if p[1] > p[0] or p is pages[-1]]

    c = Canvas(str(path), pagesize=size)
    c.setTitle(n.title)
    c.setAuthor(office_name)
    c.setSubject(n.title)
    c.setCreator("清风台账")
    total = len(pages)
    for no, (start, end, _room) in enumerate(pages, 1):
        y = top
        if no == 1:
            y = ft.draw_block(c, title, margin, y, width)
            y = ft.draw_block(c, intro, margin, y, width)
        y = ft.draw_rows(c, measure, head, margin, y, widths, n.aligns, size=fs * 0.95, leading=fs * 1.15,
                         pad_v=pad, header=True)
        y = ft.draw_rows(c, measure, body[start:end], margin, y, widths, n.aligns, size=fs, leading=fs * 1.2,
                         pad_v=pad, span_first=not n.rows)
        if no == total:
            if totals:
                y = ft.draw_rows(c, measure, totals, margin, y, widths,
                                 [TA_CENTER] * n.total_span + n.aligns[n.total_span:],
                                 size=fs, leading=fs * 1.2, pad_v=pad)
            y -= 4 * mm * k
            for b in closing:
                y = ft.draw_block(c, b, margin, y, width)
            y -= seal
            for b in sign:
                y = ft.draw_block(c, b, margin + width - sign_w, y, sign_w)
        c.setFont(fonts.name("song"), 9 * k)
        c.drawRightString(size[0] - margin, margin - 2 * mm, f"第 {no} 页 共 {total} 页")
        c.drawString(margin, margin - 2 * mm, n.title)
        c.showPage()
    c.save()
    return total


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
