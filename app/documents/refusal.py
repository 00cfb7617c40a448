"""不予确认告知书: a refusal told in writing, with the reason and how to object (A4)."""
from __future__ import annotations

from datetime import date

from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from app.documents.fonts import get_fonts
from app.documents.model import DocumentResult, OfficeInfo
from app.documents.pdfbase import TA_CENTER, cn_date, glyph_warnings, mm, numbered_canvas, para, set_info, style

TITLE = "不予确认告知书"


def build_refusal_notice_pdf(path, *, office: OfficeInfo, applicant: str, household_number: str,
                             category: str, apply_date: date | None, decision_date: date,
                             reason: str, doc_number: str | None = None, today: date,
                             fonts_dir="auto") -> DocumentResult:
    """The written notice of a refusal (不予确认): who applied for what and when, the decision,
    its reason, and the remedies (复核 by the office, 行政复议, 行政诉讼, the bureau's supervision
    telephone). ``today`` is the date printed under the signature."""
    fonts = get_fonts(fonts_dir)
    song, hei = fonts.name("song"), fonts.name("hei")
    margin = 25 * mm
    doc = SimpleDocTemplate(str(path), leftMargin=28 * mm, rightMargin=margin, topMargin=30 * mm,
                            bottomMargin=margin)
    set_info(doc, TITLE, office.name)
    title_st = style("title", hei, 22, align=TA_CENTER, spaceAfter=3 * mm)
    number_st = style("number", song, 12, align=TA_CENTER, spaceAfter=6 * mm)
    body_st = style("body", song, 14, leading=26, firstLineIndent=28)
    plain_st = style("plain", song, 14, leading=26)
    sign_st = style("sign", song, 14, leading=26, align=TA_CENTER)
    applied = f"于{cn_date(apply_date)}" if apply_date else ""
    paragraphs = [
        f"你（户编号 {household_number}）{applied}提出的{category}申请，本机关已依法受理，并经家庭经济状况核对、"
        f"入户调查等程序审核。经审核，你家庭不符合{category}条件，本机关于{cn_date(decision_date)}决定不予确认。",
        f"不予确认的理由：{reason.strip()}",
        "如对本决定有异议，可自收到本告知书之日起 60 日内向" + (office.district_name or "区（县）民政局")
        + "或者本级人民政府申请行政复议，也可以在 6 个月内依法向人民法院提起行政诉讼；"
        + "对审核过程有意见的，可向本机关申请复核" + (f"（电话：{office.phone}）" if office.phone else "")
        + "，或向" + (office.district_name or "区（县）民政局") + "反映"
        + (f"（监督电话：{office.district_phone}）" if office.district_phone else "") + "。",
        "家庭情况发生变化、符合条件时，可以重新提出申请。",
        "特此告知。",
    ]
    story = [para(TITLE, title_st, fonts, "hei")]
    if doc_number:
        story.append(para(doc_number, number_st, fonts, "song"))
    story += [para(f"{applicant}：", plain_st, fonts, "song")]
    story += [para(t, body_st, fonts, "song") for t in paragraphs]
    sign = Table([[para(office.name, sign_st, fonts, "song")], [para(cn_date(today), sign_st, fonts, "song")]],
                 colWidths=[80 * mm], hAlign="RIGHT")
    sign.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, 0), 14 * mm)]))
    story += [Spacer(1, 4 * mm), sign, Spacer(1, 12 * mm),
              para("签收人：＿＿＿＿＿＿　　签收日期：＿＿＿＿年＿＿月＿＿日", plain_st, fonts, "song")]

    def footer(c, page_no, total):
        c.saveState()
        c.setFont(song, 9)
        c.drawCentredString(doc.pagesize[0] / 2, 12 * mm, f"— {page_no} —")
        c.restoreState()

    canvas_cls = numbered_canvas(footer)
    doc.build(story, canvasmaker=canvas_cls)
    res = DocumentResult(path=str(path), pages=canvas_cls.pages, rows=1)
    res.glyph_warnings = glyph_warnings([(applicant, "申请人")], "song", fonts)
    res.warnings = [str(w) for w in res.glyph_warnings]
    return res
