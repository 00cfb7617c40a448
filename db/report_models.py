"""Report snapshots and member exits (the date of death): what the 动态管理月报 selects by.

``report_runs``: every generated report is recorded with the moment it was made and a hash of
its content; the first run of a month is that month's cut-off, and a change entered after it
goes into the next report as 补报. ``member_exits``: a member leaving a household that stays
(moved away, died), with the day it took effect (for a death: the date of death).
``typical_problems``: the 典型问题 marked for the monthly 专项整治工作台账.
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


class TypicalProblem(Synced, Base):
    """A problem the clerk marks as 典型问题 for the 专项整治工作台账 (unmarked: soft-deleted).

    Its own table rather than a column of ``problems``: existing problems keep the audited
    state they had, so ``audit.verify`` stays clean after the upgrade."""

    __tablename__ = "typical_problems"
    problem_id: Mapped[str] = mapped_column(ForeignKey("problems.id"), index=True)
    marked_date: Mapped[date] = mapped_column(Date)
    summary: Mapped[str | None] = mapped_column(Text)  # why it is typical (optional)


REPORT_AUDITED = {"member_exit": MemberExit, "typical_problem": TypicalProblem}
REPORT_LABELS = {"member_exit": "成员移出（死亡日期）", "typical_problem": "典型问题标注"}
AUDITED.update(REPORT_AUDITED)
