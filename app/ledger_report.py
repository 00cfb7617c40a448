"""专项整治工作台账 (monthly, due with the 动态管理月报 on ``monthly_report_day``): the
ledgers' month (app.ledgers.reporting) on paper and in Excel, audited like every document."""
from __future__ import annotations

import calendar
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from app.documents.ledger_month import LedgerSheet, build_ledger_pdf, build_ledger_xlsx
from app.documents.model import DocumentResult
from app.errors import ValidationError
from app.ledgers import reporting
from app.permissions import Actor, require

WHAT = "专项整治工作台账"


def sheet_for(session: Session, start: date, end: date, *, today: date) -> LedgerSheet:
    m = reporting.ledger_month(session, start, end, today=today)
    f = m.figures
    cats = "、".join(f"{k}{v}个" for k, v in f.problems_by_category.items()) or "无"
    summary = [
        ("新发现问题（个）", m.opened, f"按类别：{cats}"),
        ("整改完成（个）", m.rectified, "本月标记为已整改（待核验）的问题，含以前月份发现的"),
        ("核验销号（个）", m.closed, "本月经审核人核验销号的问题"),
        ("逾期未整改（个）", m.overdue, "截至统计日已过整改时限仍未整改到位的问题"),
        ("移交纪检监察机关问题线索（件）", f.transferred, f"其中逾期移交或到期未移交 {f.transfers_late} 件"),
        ("受理信访举报（件）", f.petitions_received,
         f"已办结 {f.petitions_concluded} 件，超期 {f.petitions_overdue} 件，重点 {f.petitions_priority} 件"),
        ("典型问题（个）", len(m.typical), "经办人标注的典型问题，见第三部分"),
    ]
    rows = [[x.number, x.found_date.isoformat(), x.source, x.category, x.description, x.responsible,
             x.deadline.isoformat() if x.deadline else "", x.status, x.events] for x in m.lines]
    typical = [[x.number, x.category, x.description, x.measures, x.status] for x in m.typical]
    return LedgerSheet(start.year, start.month, m.cut_off, summary, rows, typical, empty=m.empty)


def make_ledger(session: Session, actor: Actor, out: Path, *, period, today: date) -> DocumentResult:  # noqa: ANN001
    """The month's 台账 as PDF (``.pdf``) or Excel (``.xlsx``)."""
    from app.reports import record_document, office_info

    require(actor, "export.personal")
    if period.start.day != 1 or period.end.month != period.start.month or period.start.year != period.end.year:
        raise ValidationError("期间", period.label, "专项整治工作台账按月编制，请写成 2026-11 这样的月份")
    if period.start > today:
        raise ValidationError("期间", period.label, f"还没有开始（今天是 {today}），不能编制台账")
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise ValidationError("输出文件", str(out), "专项整治工作台账应保存为 .pdf 或 .xlsx 文件")
    end = date(period.start.year, period.start.month, calendar.monthrange(period.start.year, period.start.month)[1])
    sheet = sheet_for(session, period.start, end, today=today)
    build = build_ledger_pdf if suffix == ".pdf" else build_ledger_xlsx
    result = build(out, office=office_info(session), sheet=sheet, today=today)
    record_document(session, actor, "print" if suffix == ".pdf" else "export", WHAT, out, result, period=period.label)
    return result
