"""Report snapshots and member exits (the date of death): what the 动态管理月报 selects by.

``report_runs``: every generated report is recorded with the moment it was made and a hash of
its content; the first run of a month is that month's cut-off, and a change entered after it
goes into the next report as 补报. ``member_exits``: a member leaving a household that stays
(moved away, died), with the day it took effect (for a death: the date of death).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models import AUDITED, Base, Synced, new_id, utcnow


class ReportRun(Base):
    """One generated report (not synced: each office keeps its own record)."""

    __tablename__ = "report_runs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    office: Mapped[str] = mapped_column(String(12), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # monthly | ledger | ...
    period: Mapped[str] = mapped_column(String(10), index=True)  # 2026-11
    made_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # naive UTC
    made_by: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))


class MemberExit(Synced, Base):
    """A member removed from a household, with the day it took effect and whether they died."""

    __tablename__ = "member_exits"
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    died: Mapped[bool] = mapped_column(Boolean, default=False)
    day: Mapped[date] = mapped_column(Date, index=True)  # effective day; the date of death if died


REPORT_AUDITED = {"member_exit": MemberExit}
REPORT_LABELS = {"member_exit": "成员移出（死亡日期）"}
AUDITED.update(REPORT_AUDITED)
