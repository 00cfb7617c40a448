"""名单推送: the current recipients (低保, 特困, 低收入) in one plain layout for the
medical-insurance, education and housing departments, which look up who lacks 医疗/教育/住房
assistance (厦门 plan). One row per person of a household in force; ID numbers as text; audited
as an export of personal data.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, clock
from app.documents.excel import safe_text
from app.documents.xlsx_stream import BulkRows, save_with_bulk_rows
from app.permissions import Actor, require
from db.models import Household, Member, Village

CATEGORIES = ("城市低保", "农村低保", "特困人员(分散供养)", "特困人员(集中供养)", "低保边缘家庭")
COLUMNS = [("序号", 7, "int"), ("姓名", 10, "text"), ("身份证号", 21, "id"), ("性别", 6, "text"),
           ("出生日期", 12, "date"), ("与户主关系", 10, "text"), ("户主姓名", 10, "text"),
           ("户主身份证号", 21, "id"), ("保障类别", 18, "text"), ("是否保障对象", 8, "text"),
           ("村（居）", 12, "text"), ("家庭住址", 24, "text"), ("批准日期", 12, "date")]
SHEET = "救助对象名单"


def recipient_rows(session: Session) -> list[list]:
    heads = dict(session.execute(select(Member.household_id, Member.id_number).where(
        Member.relation == "户主", Member.deleted_at.is_(None))).all())
    rows = session.execute(
        select(Member.name, Member.id_number, Member.gender, Member.birth_date, Member.relation,
               Household.head_name, Household.id, Household.category, Member.covered, Village.name,
               Household.address, Household.approve_date)
        .join(Household, Household.id == Member.household_id).join(Village, Village.id == Household.village_id)
        .where(Member.deleted_at.is_(None), Household.deleted_at.is_(None), Household.status == "在保",
               Household.category.in_(CATEGORIES))
        .order_by(Village.sort_order, Village.name, Household.number, Member.relation != "户主", Member.name)).all()
    return [[i, safe_text(n), idn or "", g or "", b, rel, safe_text(head), heads.get(hid) or "", cat,
             "是" if cov else "否", v, safe_text(addr or ""), ad]
            for i, (n, idn, g, b, rel, head, hid, cat, cov, v, addr, ad) in enumerate(rows, start=1)]


def export_recipients(session: Session, actor: Actor, path: str | Path, *, today: date | None = None) -> int:
    """Write the list to ``path`` (.xlsx); returns the number of persons."""
    require(actor, "export.personal")
    today = today or clock.today()
    rows = recipient_rows(session)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([c[0] for c in COLUMNS])
    for i, (_name, width, kind) in enumerate(COLUMNS, start=1):
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
        proto = ws.cell(row=2, column=i, value="")
        if kind == "date":
            proto.number_format = "yyyy-mm-dd"
        elif kind == "id":
            proto.number_format = "@"
    ws.freeze_panes = "A2"
    save_with_bulk_rows(wb, path, [BulkRows(SHEET, 2, [c[2] for c in COLUMNS], rows)])
    audit.record(session, actor, "export", "document", "push:recipients", None,
                 {"what": "名单推送（低保、特困、低收入）", "rows": len(rows), "file": Path(path).name,
                  "day": today.isoformat()})
    return len(rows)
