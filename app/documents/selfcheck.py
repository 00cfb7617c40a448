"""自查自纠报告 in the formal layout of GB/T 9704-2012 (党政机关公文格式).

Geometry: A4, top margin 37 mm, left (binding) 28 mm, type area 156 × 225 mm.
Body 3号 仿宋: 3号 is nominally 16 pt; the body is set at 15.75 pt so that 28
characters fill the 156 mm line exactly (Word reaches the same with a slight
negative character spacing), and a leading of 225 mm / 22 gives 22 lines a page.
The body is set glyph by glyph (app.documents.gbt9704): full lines, no hanging
punctuation.  Title 2号 (22 pt), page numbers 4号 (14 pt)
"— 1 —", right on odd pages and left on even pages, 7 mm below the type area.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from reportlab.platypus import (
    BaseDocTemplate, Frame, KeepTogether, LongTable, PageBreak, PageTemplate, Spacer, Table, TableStyle,
)
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.documents.fonts import get_fonts
from app.documents.gbt9704 import BodyText, Colophon, NumberAndRule, heading_parts, title_lines
from app.documents.model import DocumentResult, OfficeInfo, ProblemRow, SelfCheckFigures
from app.documents.pdfbase import (
    GRID, HEADER_BG, RED, TA_CENTER, TA_LEFT, CellMaker, cn_date, glyph_warnings, mm,
    numbered_canvas, page_size, para, set_info, style,
)

FIGURES = "{figures}"  # put this alone in ``paragraphs`` to place the generated figures
TOP, LEFT, WIDTH, HEIGHT = 37 * mm, 28 * mm, 156 * mm, 225 * mm
BODY_SIZE, LEADING = 15.75, HEIGHT / 22 - 1e-4  # 22 lines fill the 225 mm exactly
TITLE_SIZE = 22
NUM_SIZE = 14
_H1 = re.compile(r"^[一二三四五六七八九十]+、")
_H2 = re.compile(r"^（[一二三四五六七八九十]+）")


def doc_number(prefix: str, year: int, number: int) -> str:
    """发文字号: 香民发〔2026〕12号 (六角括号, no leading zeros)."""
    return f"{prefix}〔{year}〕{int(number)}号"


def _we(office_name: str) -> str:
    for suffix, we in (("街道办事处", "我街道"), ("街道", "我街道"), ("镇", "我镇"), ("乡", "我乡")):
        if suffix in office_name:
            return we
    return "我单位"


def figures_text(f: SelfCheckFigures, office_name: str = "") -> str:
    """The figures paragraph, generated from the data (editable afterwards)."""
    we = _we(office_name)

    def hp(h: int, p: int | None) -> str:
        return f"{h}户" + (f"{p}人" if p is not None else "")

    text = (f"{we}对在保对象开展了全面排查，共排查{hp(f.households_reviewed, f.persons_reviewed)}；"
            f"其中新纳入{hp(f.newly_included_households, f.newly_included_persons)}，"
            f"退出{hp(f.exited_households, f.exited_persons)}，"
            f"调整保障金额{f.adjusted_households}户。")
    cats = [(k, v) for k, v in f.problems_by_category.items() if v]
    sources = [(k, v) for k, v in f.problems_by_source.items() if v]
    late = f"，其中逾期移交{f.transfers_late}件" if f.transfers_late else ""
    if cats:
        text += (f"排查发现各类问题{f.problems_found}个，"
                 + (f"按来源分：{'、'.join(f'{k}{v}个' for k, v in sources)}；按类别分："
                    if sources else "其中")
                 + "、".join(f"{k}{v}个" for k, v in cats)
                 + f"；已整改{f.rectified}个，逾期未整改{f.overdue}个，"
                   f"向纪检监察机关移交问题线索{f.transferred}件{late}。")
    else:
        text += f"排查未发现问题，向纪检监察机关移交问题线索{f.transferred}件{late}。"
    text += (f"受理信访举报{f.petitions_received}件，已办结{f.petitions_concluded}件，"
             f"超期未办结{f.petitions_overdue}件，其中重点信访举报{f.petitions_priority}件。")
    return text


def build_selfcheck_pdf(path, *, office: OfficeInfo, doc_number: int, year: int,
                        addressee: str, title: str, figures: SelfCheckFigures,
                        paragraphs: Sequence[str], problems: Sequence[ProblemRow],
                        signature: str, date: date, signer: str | None = None,
                        attachment_title: str = "问题清单", copy_to: str | None = None,
                        fonts_dir="auto") -> DocumentResult:
    """自查自纠报告 (GB/T 9704).  ``paragraphs`` are the clerk's body
    paragraphs; the generated figures paragraph goes where an item equals
    :data:`FIGURES`, else first.  ``problems`` become the attachment (own
    page); none → no attachment.  ``signer`` (签发人) switches to the
    上行文 head (发文字号 left, 签发人 right, mark 80 mm below the top).  The 版记 (``copy_to``
    抄送, the office as 印发机关 and ``date`` as 印发日期) closes the last page."""
    fonts = get_fonts(fonts_dir)
    size = page_size("A4")
    bottom = size[1] - TOP - HEIGHT
    doc = BaseDocTemplate(str(path), pagesize=size, leftMargin=LEFT,
                          rightMargin=size[0] - LEFT - WIDTH, topMargin=TOP, bottomMargin=bottom)
    set_info(doc, title, office.name)
    frame = Frame(LEFT, bottom, WIDTH, HEIGHT, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate(id="gb9704", frames=[frame])])
    fs_name, title_font = fonts.name("fangsong"), fonts.name("title")
    center = style("center", fs_name, BODY_SIZE, leading=LEADING, align=TA_CENTER)
    title_st = style("title", title_font, TITLE_SIZE, leading=TITLE_SIZE * 1.45, align=TA_CENTER)

    mark = office.mark or f"{office.name}文件"
    mark_size = min(42.0, WIDTH / max(stringWidth(mark, title_font, 1), 1) * 0.98)
    mark_st = style("mark", title_font, mark_size, leading=mark_size * 1.2, align=TA_CENTER,
                    color=RED)
    number = _doc_number(office.doc_prefix, year, doc_number)
    story: list = [Spacer(1, (80 if signer else 35) * mm - 2), para(mark, mark_st, fonts, "title"),
                   Spacer(1, 2 * LEADING - 4)]
    story.append(NumberAndRule(number, fonts, size=BODY_SIZE, gap=4 * mm, color=RED,
                               signer=(signer or "").strip() or None))
    story += [Spacer(1, 2 * LEADING - 10)]
    story += [para(line, title_st, fonts, "title") for line in title_lines(title, int(WIDTH // TITLE_SIZE))]
    story += [Spacer(1, LEADING), _text(f"{addressee}：", fonts, indent=0, justify=False)]

    fig = figures_text(figures, office.name)
    texts = [p for p in paragraphs if p.strip()]
    texts = ([fig if p.strip() == FIGURES else p for p in texts] if FIGURES in
             [p.strip() for p in texts] else [fig] + texts)
    story += [_body(t.strip(), fonts) for t in texts[:-1]]
    # The last paragraph, the 附件 line and the signature stay together, so the
    # signature and seal never stand alone on a page (GB/T 9704 7.3.5).
    tail = [_body(t.strip(), fonts) for t in texts[-1:]]
    while story and getattr(story[-1], "keepWithNext", False):  # a heading goes with its text
        tail.insert(0, story.pop())
    if problems:
        tail += [Spacer(1, LEADING), _text(f"附件：{attachment_title}", fonts)]
    tail += [Spacer(1, 2 * LEADING), _signature(signature, cn_date(date), fonts, center)]
    story.append(KeepTogether(tail))
    if problems:
        story += [PageBreak(), para("附件", style("att", fonts.name("hei"), BODY_SIZE,
                                                 leading=LEADING), fonts, "hei"),
                  Spacer(1, LEADING / 2), para(attachment_title, title_st, fonts, "title"),
                  Spacer(1, LEADING / 2), _problem_table(problems, fonts)]
    story.append(Colophon(fonts, copy_to=(copy_to or "").strip().rstrip("。") or None, issuer=office.name,
                          date_text=f"{cn_date(date)}印发"))

    song = fonts.name("song")

    def footer(c, page_no, total):
        text = f"— {page_no} —"
        c.saveState()
        c.setFont(song, NUM_SIZE)
        y = bottom - 7 * mm - NUM_SIZE * 0.8
        if page_no % 2:
            c.drawRightString(LEFT + WIDTH - NUM_SIZE, y, text)
        else:
            c.drawString(LEFT + NUM_SIZE, y, text)
        c.restoreState()

    canvas_cls = numbered_canvas(footer)
    doc.build(story, canvasmaker=canvas_cls)
    res = DocumentResult(path=str(path), pages=canvas_cls.pages, rows=len(problems))
    items = [(p.responsible, "责任人") for p in problems if p.responsible]
    items += [(p.description, f"附件第 {i} 项问题描述") for i, p in enumerate(problems, 1)]
    items += [(t, "正文") for t in texts] + [(signature, "署名"), (addressee, "主送机关")]
    res.glyph_warnings = glyph_warnings(items, "fangsong", fonts)
    res.warnings += [str(w) for w in res.glyph_warnings]
    return res


def _body(text: str, fonts) -> BodyText:
    parts, alone = heading_parts(text)
    return BodyText(parts, fonts, size=BODY_SIZE, leading=LEADING, keep_with_next=alone)


def _text(text: str, fonts, *, indent: float = 2, justify: bool = True) -> BodyText:
    return BodyText([(text, "fangsong")], fonts, size=BODY_SIZE, leading=LEADING,
                    indent_chars=indent, justify=justify)


def _doc_number(prefix: str, year: int, number: int) -> str:
    return doc_number(prefix, year, number)


def _signature(signature: str, date_text: str, fonts, st) -> Table:
    """署名 centred over the date; the date 右空四字 (four characters from the right)."""
    w = max(stringWidth(signature, fonts.name("fangsong"), BODY_SIZE),
            stringWidth(date_text, fonts.name("fangsong"), BODY_SIZE)) + 4
    t = Table([[para(signature, st, fonts, "fangsong"), ""],
               [para(date_text, st, fonts, "fangsong"), ""]],
              colWidths=[w, 4 * BODY_SIZE], hAlign="RIGHT")
    t.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                           ("TOPPADDING", (0, 0), (-1, -1), 0),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return t


def _problem_table(problems: Sequence[ProblemRow], fonts) -> LongTable:
    fs = 10.5
    # headers on one line (序号, 问题类别 …), the date whole; the description takes the rest
    fixed = [2 * fs + 8, 4 * fs + 8, 4 * fs + 8, 0, 4 * fs + 8, 10 * fs / 2 + 10, 3 * fs + 8]
    widths = [w or WIDTH - sum(fixed) for w in fixed]
    cell = CellMaker(fonts, "song", fs, widths)
    head = style("ph", fonts.name("hei"), fs, leading=fs * 1.25, align=TA_CENTER)
    cell.styles = {a: style(f"pc{a}", cell.font, fs, leading=fs * 1.35, align=a)
                   for a in cell.styles}
    data = [[para(h, head, fonts, "hei") for h in
             ("序号", "问题类别", "问题来源", "问题描述", "整改状态", "整改时限", "责任人")]]
    for i, p in enumerate(problems, 1):
        data.append([str(i), cell(p.category, 1), cell(p.source, 2),
                     cell(p.description, 3, TA_LEFT), cell(p.status, 4),
                     p.deadline.isoformat() if p.deadline else "", cell(p.responsible, 6)])
    t = LongTable(data, colWidths=widths, repeatRows=1)
    t.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts.name("song"), fs, fs * 1.25),
        ("GRID", (0, 0), (-1, -1), 0.6, GRID), ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return t
