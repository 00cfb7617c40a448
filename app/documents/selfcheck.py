"""自查自纠报告 in the formal layout of GB/T 9704-2012 (党政机关公文格式).

Geometry: A4, top margin 37 mm, left (binding) 28 mm, type area 156 × 225 mm.
Body 3号 仿宋: 3号 is nominally 16 pt; the body is set at 15.75 pt so that 28
characters fill the 156 mm line exactly (Word reaches the same with a slight
negative character spacing, which reportlab paragraphs lack), and a leading
of 28.9 pt gives 22 lines a page.  Title 2号 (22 pt), page numbers 4号 (14 pt)
"— 1 —", right on odd pages and left on even pages, 7 mm below the type area.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from reportlab.platypus import (
    BaseDocTemplate, Flowable, Frame, KeepTogether, LongTable, PageBreak, PageTemplate, Paragraph, Spacer,
    Table, TableStyle,
)
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.documents.fonts import get_fonts, markup
from app.documents.model import DocumentResult, OfficeInfo, ProblemRow, SelfCheckFigures
from app.documents.pdfbase import (
    GRID, HEADER_BG, RED, TA_CENTER, TA_LEFT, CellMaker, cn_date, glyph_warnings, mm,
    numbered_canvas, page_size, para, set_info, style,
)

FIGURES = "{figures}"  # put this alone in ``paragraphs`` to place the generated figures
TOP, LEFT, WIDTH, HEIGHT = 37 * mm, 28 * mm, 156 * mm, 225 * mm
BODY_SIZE, LEADING = 15.75, 28.9
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


class _RedRule(Flowable):
    def __init__(self, width: float, thickness: float = 1.5, space_before: float = 4 * mm):
        super().__init__()
        self.width, self.thickness, self.space = width, thickness, space_before

    def wrap(self, aw, ah):
        return self.width, self.space + self.thickness

    def draw(self):
        c = self.canv
        c.setStrokeColor(RED)
        c.setLineWidth(self.thickness)
        c.line(0, self.thickness / 2, self.width, self.thickness / 2)


def _body_para(text: str, fonts, st):
    """A body paragraph; a leading 一、 heading goes in 黑体, （一） in 楷体
    (up to the first 。, or the whole paragraph when it has none)."""
    m1, m2 = _H1.match(text), _H2.match(text)
    if not (m1 or m2):
        return para(text, st, fonts, "fangsong")
    role = "hei" if m1 else "kai"
    cut = text.find("。")
    head, rest = (text, "") if cut < 0 or cut == len(text) - 1 else (text[:cut + 1], text[cut + 1:])
    xml = (f'<font face="{fonts.name(role)}">{markup(head, role, fonts=fonts)}</font>'
           + markup(rest, "fangsong", fonts=fonts))
    return Paragraph(xml, st)


def build_selfcheck_pdf(path, *, office: OfficeInfo, doc_number: int, year: int,
                        addressee: str, title: str, figures: SelfCheckFigures,
                        paragraphs: Sequence[str], problems: Sequence[ProblemRow],
                        signature: str, date: date, signer: str | None = None,
                        attachment_title: str = "问题清单", fonts_dir="auto") -> DocumentResult:
    """自查自纠报告 (GB/T 9704).  ``paragraphs`` are the clerk's body
    paragraphs; the generated figures paragraph goes where an item equals
    :data:`FIGURES`, else first.  ``problems`` become the attachment (own
    page); none → no attachment.  ``signer`` (签发人) switches to the
    上行文 head (发文字号 left, 签发人 right, mark 80 mm below the top)."""
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
    body = style("body", fs_name, BODY_SIZE, leading=LEADING, firstLineIndent=2 * BODY_SIZE,
                 align=4)  # TA_JUSTIFY
    flat = style("flat", fs_name, BODY_SIZE, leading=LEADING)
    center = style("center", fs_name, BODY_SIZE, leading=LEADING, align=TA_CENTER)
    title_st = style("title", title_font, TITLE_SIZE, leading=TITLE_SIZE * 1.45, align=TA_CENTER)

    mark = office.mark or f"{office.name}文件"
    mark_size = min(42.0, WIDTH / max(stringWidth(mark, title_font, 1), 1) * 0.98)
    mark_st = style("mark", title_font, mark_size, leading=mark_size * 1.2, align=TA_CENTER,
                    color=RED)
    number = _doc_number(office.doc_prefix, year, doc_number)
    story: list = [Spacer(1, (80 if signer else 35) * mm - 2), para(mark, mark_st, fonts, "title"),
                   Spacer(1, 2 * LEADING - 4)]
    if signer:
        row = Table([[para(number, flat, fonts, "fangsong"),
                      para(f"签发人：{signer}", style("r", fs_name, BODY_SIZE, leading=LEADING,
                                                   align=2), fonts, "fangsong")]],
                    colWidths=[WIDTH / 2] * 2)
        row.setStyle(TableStyle([("LEFTPADDING", (0, 0), (0, 0), BODY_SIZE),
                                 ("RIGHTPADDING", (1, 0), (1, 0), BODY_SIZE),
                                 ("TOPPADDING", (0, 0), (-1, -1), 0),
                                 ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
        story.append(row)
    else:
        story.append(para(number, center, fonts, "fangsong"))
    story += [_RedRule(WIDTH), Spacer(1, 2 * LEADING - 10), para(title, title_st, fonts, "title"),
              Spacer(1, LEADING), para(f"{addressee}：", flat, fonts, "fangsong")]

    fig = figures_text(figures, office.name)
    texts = [p for p in paragraphs if p.strip()]
    texts = ([fig if p.strip() == FIGURES else p for p in texts] if FIGURES in
             [p.strip() for p in texts] else [fig] + texts)
    story += [_body_para(t.strip(), fonts, body) for t in texts[:-1]]
    # The last paragraph, the 附件 line and the signature stay together, so the
    # signature and seal never stand alone on a page (GB/T 9704 7.3.5).
    tail = [_body_para(t.strip(), fonts, body) for t in texts[-1:]]
    if problems:
        tail += [Spacer(1, LEADING), para(f"附件：{attachment_title}", body, fonts, "fangsong")]
    tail += [Spacer(1, 2 * LEADING), _signature(signature, cn_date(date), fonts, center)]
    story.append(KeepTogether(tail))
    if problems:
        story += [PageBreak(), para("附件", style("att", fonts.name("hei"), BODY_SIZE,
                                                 leading=LEADING), fonts, "hei"),
                  Spacer(1, LEADING / 2), para(attachment_title, title_st, fonts, "title"),
                  Spacer(1, LEADING / 2), _problem_table(problems, fonts)]

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
    weights = [0.7, 1.5, 1.5, 4.9, 1.3, 1.6, 1.2]
    widths = [WIDTH * w / sum(weights) for w in weights]
    fs = 10.5
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
