"""公示 and 公文 from the database beyond the standing list: the office details they must carry
(refused while unset) and the case-by-case 公示 of one household's pending decision.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import documents, rulesettings
from app.errors import ValidationError
from app.offices import own_office
from app.permissions import Actor, require
from db.assessment_models import Proposal
from db.models import Household, Office

WHERE_TO_FILL = "请在“系统设置 › 单位和村（居）”中填写，或运行 qingfeng-cli office set {option} …"
# (label, CLI option) of what every 公示 and 公文 prints
REQUIRED = (("本单位监督电话", "--phone"), ("上级民政部门名称", "--district-name"),
            ("上级民政部门监督电话", "--district-phone"), ("机关代字（发文字号前缀）", "--doc-prefix"))


def missing_office_details(session: Session) -> list[tuple[str, str]]:
    """The details still unset, as (label, CLI option)."""
    o = own_office(session)
    parent = session.execute(select(Office.name).where(Office.code == o.parent_code)).scalar() \
        if o.parent_code else None
    values = (o.phone, parent, o.district_phone, o.doc_prefix)
    return [req for req, v in zip(REQUIRED, values) if not (v or "").strip()]


def require_office_details(session: Session, document: str) -> None:
    """Refuse a 公示 or 公文 while a detail it prints is unset; the message names the first
    missing field and where to fill it (and lists the others)."""
    missing = missing_office_details(session)
    if missing:
        label, option = missing[0]
        others = "、".join(m[0] for m in missing[1:])
        raise ValidationError(label, None, f"{document}须印有此项，尚未填写。"
                              + WHERE_TO_FILL.format(option=option)
                              + (f"（另缺：{others}）" if others else ""))


CASE_KINDS = {"纳入": "拟新增", "退出": "拟终止", "金额调整": "拟调整", "类别变更": "拟调整"}


def pending_case(session: Session, household_id: str) -> Proposal:
    """The household's proposal awaiting decision (the subject of a case 公示)."""
    p = session.execute(select(Proposal).where(
        Proposal.household_id == household_id, Proposal.state == "待审核", Proposal.deleted_at.is_(None))
        .order_by(Proposal.proposed_at.desc())).scalars().first()
    if p is None:
        raise ValidationError("家庭", household_id, "没有待审核的纳入、调整或退出事项，无需个案公示")
    return p


def make_case_gongshi(session: Session, actor: Actor, out: Path, *, household: str, start: date,
                      today: date, paper: str = "A4") -> documents.DocumentResult:
    """Case 公示 (拟新增 / 拟调整 / 拟终止) of one household's pending proposal; the reason goes
    through the same masking as the 致贫原因 (``publicity.public_cause``)."""
    from app import queries
    from app.reports import record_document, household_rows, office_info

    require(actor, "export.personal")
    require_office_details(session, "公示")
    hid = queries.find_household_id(session, household)
    p = pending_case(session, hid)
    row = next(household_rows(session, Household.id == hid))
    kind = CASE_KINDS.get(p.kind, "拟调整")
    reason = p.reason if kind == "拟终止" else None
    result = documents.build_case_gongshi_pdf(
        out, office=office_info(session), cases=[documents.CaseNotice(kind, row, reason)],
        start=start, days=rulesettings.get(session, "gongshi_days"), today=today,
        village=row.village, paper=paper)
    record_document(session, actor, "print", "个案公示", out, result, household=row.uuid, kind=kind)
    return result
