"""Export of the current household list view (filters, order) to Excel.

ID numbers are written as text, formula-looking text is neutralised
(:func:`app.documents.excel.safe_text` via ``StyledCells``), and the export is audited because
the file holds personal data. The file appears only when complete (temporary name, then rename).
"""
from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, clock
from app.documents.excel import (Column, StyledCells, header_cells, plain_cell, print_setup,
                                 set_widths, title_cell)
from app.jobs import Progress, raise_if_cancelled
from app.permissions import Actor, require
from app.queries import Filters, count_households, list_households
from db.models import Member

COLUMNS = [Column("序号", 6, "int"), Column("户编号", 18), Column("村（居）", 12),
           Column("户主姓名", 10), Column("户主身份证号", 21, "id"), Column("保障类别", 16),
           Column("保障状态", 9), Column("分类", 6), Column("家庭人口", 8, "int"),
           Column("月保障金额（元）", 12, "money", "right"), Column("下次复核日期", 12, "date")]
HEADER_ROW = 3
CHUNK = 2000


def describe_filters(filters: Filters) -> str:
    parts = [f"搜索“{filters.text}”" if filters.text else "",
             f"村（居）：{filters.village}" if filters.village else "",
             f"类别：{filters.category}" if filters.category else "",
             f"状态：{filters.status}" if filters.status else "",
             f"分类：{filters.classification}" if filters.classification else ""]
    return "，".join(p for p in parts if p) or "全部"


def export_households(session: Session, actor: Actor, *, path: Path | str, filters: Filters,
                      order: str = "number", descending: bool = False, office_name: str = "",
                      progress: Progress | None = None,
                      cancelled: Callable[[], bool] | None = None) -> int:
    """Write the view to ``path`` (.xlsx); returns the number of households written."""
    require(actor, "export.personal")
    path = Path(path)
    total = count_households(session, filters)
    if progress:
        progress.update(0, total, f"正在导出 {total} 户……")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("救助对象")
    set_widths(ws, COLUMNS)
    print_setup(ws, header_row=HEADER_ROW, freeze=f"E{HEADER_ROW + 1}")
    ws.append([title_cell(ws, f"{office_name}救助对象名单")])
    ws.append([plain_cell(ws, f"条件：{describe_filters(filters)}；共 {total} 户；"
                              f"导出：{actor.display_name} {clock.now():%Y-%m-%d %H:%M}")])
    ws.append(header_cells(ws, [c.header for c in COLUMNS]))
    cells = StyledCells(ws, COLUMNS)
    n = 0
    for offset in range(0, total, CHUNK):
        raise_if_cancelled(cancelled)
        rows = list_households(session, filters, order=order, descending=descending,
                               offset=offset, limit=CHUNK)
        heads = dict(session.execute(select(Member.household_id, Member.id_number).where(
            Member.household_id.in_([r.id for r in rows]), Member.relation == "户主",
            Member.deleted_at.is_(None))).all())
        for r in rows:
            n += 1
            ws.append(cells.row([n, r.number, r.village, r.head_name, heads.get(r.id),
                                 r.category, r.status, r.classification, r.size,
                                 r.monthly_amount, r.next_review_date]))
        if progress:
            progress.update(n, total)
    raise_if_cancelled(cancelled)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    try:
        raise_if_cancelled(cancelled)
        audit.record(session, actor, "export", "document", "households-view", None,
                     {"file": str(path.resolve()), "rows": n, "filters": describe_filters(filters),
                      "what": "救助对象名单"})
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return n
