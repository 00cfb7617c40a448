"""Procedure and supervision tables: the structured fields of a case step, tracked case tasks
with a due date (补办程序, 县级入户核查, 在保必核, 书面告知), approvals that overrode a missing step
(先行救助), 督导检查 visits and the villages' 公示栏 with their inspections.

Imported at the end of :mod:`db.models` so that the tables are part of ``Base.metadata`` and
the entities join ``AUDITED`` (``app.audit.verify`` then covers them). Portable types only.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models import AUDITED, Base, Synced


class StepDetail(Synced, Base):
    """The structured fields of one step: report number, signers, attendee, 公示 period, objection."""

    __tablename__ = "step_details"
    step_id: Mapped[str] = mapped_column(ForeignKey("steps.id"), index=True, unique=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    report_number: Mapped[str | None] = mapped_column(String(60))  # 核对报告编号
    signers: Mapped[str | None] = mapped_column(String(200))  # "、"-joined names (入户调查)
    attendee: Mapped[str | None] = mapped_column(String(60))  # township staff at 民主评议
    period_days: Mapped[int | None] = mapped_column(Integer)  # 公示 / 终止公示 days
    objection: Mapped[str | None] = mapped_column(Text)
    objection_date: Mapped[date | None] = mapped_column(Date)
    objection_resolved: Mapped[date | None] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(Text)


class CaseTask(Synced, Base):
    """A tracked step with a due date (in working or calendar days from ``start``)."""

    __tablename__ = "case_tasks"
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    rule: Mapped[str] = mapped_column(String(60))  # the rulesettings key the due date depends on
    start: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date, index=True)
    due_covered: Mapped[bool] = mapped_column(Boolean, default=True)
    done: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(6), index=True)  # 待办 | 已完成 | 已取消
    source_id: Mapped[str | None] = mapped_column(String(36))  # proposal, step, relative …
    note: Mapped[str | None] = mapped_column(Text)


class ProcedureOverride(Synced, Base):
    """A grant approved by a 审核人 with steps missing (先行救助): a finding for supervision."""

    __tablename__ = "procedure_overrides"
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    proposal_id: Mapped[str] = mapped_column(ForeignKey("proposals.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    missing: Mapped[str] = mapped_column(Text)  # "；"-joined missing steps with their rule
    reason: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(40))


class SupervisionVisit(Synced, Base):
    """督导检查: one supervision visit and what it looked at."""

    __tablename__ = "supervision_visits"
    number: Mapped[str] = mapped_column(String(32), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    inspectors: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(100))
    methods: Mapped[str] = mapped_column(String(100))  # "、"-joined
    summary: Mapped[str | None] = mapped_column(Text)


class SupervisionHousehold(Synced, Base):
    """A household visited or whose file was looked at in a supervision visit."""

    __tablename__ = "supervision_households"
    visit_id: Mapped[str] = mapped_column(ForeignKey("supervision_visits.id"), index=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)


class NoticeBoard(Synced, Base):
    """公示栏 of one village, with its responsible person."""

    __tablename__ = "notice_boards"
    village_id: Mapped[str] = mapped_column(ForeignKey("villages.id"), index=True)
    location: Mapped[str | None] = mapped_column(String(100))
    responsible: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(40))


class BoardInspection(Synced, Base):
    """One inspection of a 公示栏: present, damaged, items complete, date of its last update."""

    __tablename__ = "board_inspections"
    board_id: Mapped[str] = mapped_column(ForeignKey("notice_boards.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    inspector: Mapped[str] = mapped_column(String(60))
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    damaged: Mapped[bool] = mapped_column(Boolean, default=False)
    items_complete: Mapped[bool] = mapped_column(Boolean, default=True)
    last_update: Mapped[date | None] = mapped_column(Date)
    visit_id: Mapped[str | None] = mapped_column(ForeignKey("supervision_visits.id"))
    problem_id: Mapped[str | None] = mapped_column(String(36))
    note: Mapped[str | None] = mapped_column(Text)


PROCEDURE_AUDITED = {"step_detail": StepDetail, "case_task": CaseTask,
                     "procedure_override": ProcedureOverride, "supervision_visit": SupervisionVisit,
                     "supervision_household": SupervisionHousehold, "notice_board": NoticeBoard,
                     "board_inspection": BoardInspection}
PROCEDURE_LABELS = {"step_detail": "办理环节记录", "case_task": "时限任务",
                    "procedure_override": "先行救助（程序未完成批准）",
                    "supervision_visit": "督导检查", "supervision_household": "督导检查对象",
                    "notice_board": "公示栏", "board_inspection": "公示栏检查"}
AUDITED.update(PROCEDURE_AUDITED)
