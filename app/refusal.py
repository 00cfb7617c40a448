"""不予确认告知书 of a refused application: built, audited, and recorded as the 告知 step that
completes the written-notice task (3 working days, app.timelimits.refusal_notice_limit)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from app import audit, clock, reports
from app import households as hs
from app.documents.model import DocumentResult
from app.documents.refusal import build_refusal_notice_pdf
from app.errors import NotFound, ValidationError
from app.permissions import Actor, require
from db.models import Household


def make_refusal_notice(session: Session, actor: Actor, household_id: str, out: Path, *,
                        today: date | None = None, record_step: bool = True) -> DocumentResult:
    """Write the notice of the household's refusal (状态 未通过: the decision day and reason are
    its 审核确认 step's), audited; ``record_step`` records the 告知 step dated ``today``."""
    require(actor, "export.personal")
    today = today or clock.today()
    hh = session.get(Household, household_id)
    if hh is None or hh.deleted_at is not None:
        raise NotFound(f"找不到家庭：{household_id}")
    if hh.status != "未通过" or hh.exit_date is None:
        raise ValidationError("保障状态", hh.status, "只有“未通过”（不予确认）的申请才出具不予确认告知书")
    result = build_refusal_notice_pdf(
        out, office=reports.office_info(session), applicant=hh.head_name, household_number=hh.number,
        category=hh.category, apply_date=hh.apply_date, decision_date=hh.exit_date,
        reason=hh.exit_reason or "", today=today)
    audit.record(session, actor, "export", "document", "不予确认告知书",
                 None, {"what": "不予确认告知书", "household": hh.number, "file": str(Path(out).resolve()),
                        "pages": result.pages})
    if record_step:
        hs.record_step(session, actor, hh.id, kind="告知", day=today, handler=actor.display_name,
                       outcome="出具不予确认告知书", note=hh.exit_reason, today=today)
    return result
