"""Excel export of the three ledgers in the usual 台账 columns (openpyxl).

ID numbers are written as text; text that Excel would run as a formula (= + - @ …) is
neutralised; every export is audited as an export of a document containing personal data.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from app import audit, clock
from app.documents.excel import safe_text
from app.errors import ValidationError
from app.ledgers import petitions as pt
from app.ledgers import problems as pr
from app.ledgers import relatives as rl
from app.permissions import Actor, require

KINDS = {"problems": "问题清单及整改台账", "petitions": "信访举报台账", "relatives": "近亲属备案台账"}
_thin = Side(style="thin", color="000000")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_WRAP = Alignment(vertical="center", wrap_text=True)

PROBLEM_COLUMNS = [("序号", 6), ("问题编号", 14), ("问题来源", 10), ("问题类别", 14), ("村（居）", 10),
                   ("涉及对象", 26), ("问题描述", 40), ("发现日期", 12), ("责任人", 10),
                   ("整改措施", 32), ("整改时限", 12), ("整改状态", 14), ("是否逾期", 8),
                   ("整改完成日期", 12), ("销号日期", 12), ("核验人", 10), ("核验意见", 28),
                   ("是否问题线索", 8), ("移交时限", 12), ("移交日期", 12), ("接收机关", 16),
                   ("移交是否超时", 8), ("备注", 20)]
PETITION_COLUMNS = [("序号", 6), ("编号", 14), ("来源渠道", 10), ("信访人", 10), ("联系电话", 14),
                    ("反映内容", 40), ("涉及对象", 26), ("收到日期", 12), ("转送时限", 12),
                    ("转送日期", 12), ("办结时限", 12), ("延期天数", 8), ("延期理由", 20),
                    ("承办人", 10), ("答复内容", 32), ("答复日期", 12), ("办理结果", 10),
                    ("满意度", 8), ("反映次数", 8), ("重点标注", 8), ("办理状态", 10),
                    ("是否超期", 8), ("转问题台账", 14)]
RELATIVE_COLUMNS = [("序号", 6), ("备案人员", 10), ("身份证号", 21), ("人员类别", 14),
                    ("单位及职务", 20), ("村（居）", 10), ("近亲属姓名", 10), ("近亲属身份证号", 21),
                    ("关系", 12), ("备案日期", 12), ("是否在职", 8), ("备注", 20)]
ID_HEADERS = {"身份证号", "近亲属身份证号", "联系电话"}


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def problem_rows(rows: list[pr.ProblemInfo]) -> list[list]:
    out = []
    for i, p in enumerate(rows, start=1):
        t = p.transfer
        out.append([i, p.number, p.source, p.category, p.village or "", p.households_text,
                    p.description, p.found_date, p.responsible, p.measures or "", p.deadline,
                    p.state, _yes(p.overdue), p.rectified_date, p.closed_date, p.closed_by or "",
                    p.verification_note or "", _yes(p.is_clue), t.due_date if t else None,
                    t.transferred_date if t else None, (t.organ or "") if t else "",
                    _yes(t.late) if t else "", p.note or ""])
    return out


def petition_rows(rows: list[pt.PetitionInfo]) -> list[list]:
    out = []
    for i, p in enumerate(rows, start=1):
        who = "、".join(f"{h.village}{h.head_name}（{h.number}）" for h in p.households)
        out.append([i, p.number, p.channel, p.petitioner, p.phone or "", p.content, who,
                    p.received_date, p.deadlines.sort_due, p.sorted_date, p.deadlines.conclude_due,
                    p.extension_days or "", p.extension_reason or "", p.handler or "", p.reply or "",
                    p.reply_date, p.outcome or "", p.satisfaction or "", p.repeat_count,
                    "重点" if p.priority else "", p.state, _yes(p.overdue),
                    "已转" if p.problem_id else ""])
    return out


def relative_rows(officials: list[rl.OfficialInfo]) -> list[list]:
    out = []
    for o in officials:
        for r in o.relatives or [None]:
            out.append([len(out) + 1, o.name, o.id_number, o.post_type, o.unit or "", o.village or "",
                        r.name if r else "（未备案近亲属）", r.id_number if r else "",
                        r.relation if r else "", r.filed_date if r else None,
                        _yes(o.active), (r.note if r else o.note) or ""])
    return out


def write_sheet(path: str | Path, title: str, columns: list[tuple[str, int]], rows: list[list],
                *, subtitle: str = "") -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.cell(row=1, column=1, value=title).font = Font(name="宋体", size=16, bold=True)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    ws.cell(row=2, column=1, value=safe_text(subtitle))
    for j, (header, width) in enumerate(columns, start=1):
        cell = ws.cell(row=3, column=j, value=header)
        cell.font, cell.border = Font(name="宋体", bold=True), _BORDER
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = width
    text_cols = {j for j, (h, _w) in enumerate(columns, start=1) if h in ID_HEADERS}
    for i, values in enumerate(rows, start=4):
        for j, value in enumerate(values, start=1):
            cell = ws.cell(row=i, column=j, value=safe_text(value))
            cell.border, cell.alignment = _BORDER, _WRAP
            if isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif j in text_cols:
                cell.number_format = "@"
    ws.freeze_panes = "C4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(path)


def export_ledger(session: Session, actor: Actor, *, kind: str, path: str | Path,
                  office_name: str = "", today: date | None = None, **filters: object) -> int:
    """Write one ledger (optionally filtered as in its list) to ``path``; returns the rows."""
    require(actor, "export.personal")
    today = today or clock.today()
    if kind == "problems":
        rows = problem_rows(pr.list_problems(session, today=today, **filters))
        columns = PROBLEM_COLUMNS
    elif kind == "petitions":
        rows = petition_rows(pt.list_petitions(session, today=today, **filters))
        columns = PETITION_COLUMNS
    elif kind == "relatives":
        rows = relative_rows(rl.list_officials(session, **filters))
        columns = RELATIVE_COLUMNS
    else:
        raise ValidationError("台账类型", kind, f"应为以下之一：{'、'.join(KINDS)}")
    subtitle = f"填报单位：{office_name}    截至日期：{today.isoformat()}    共 {len(rows)} 条"
    write_sheet(path, KINDS[kind], columns, rows, subtitle=subtitle)
    audit.record(session, actor, "export", "document", f"ledger:{kind}", None,
                 {"what": KINDS[kind], "rows": len(rows), "file": Path(path).name,
                  "filters": {k: str(v) for k, v in filters.items() if v not in (None, "", False)}})
    return len(rows)
