"""Ledger tables: the working-day calendar, 问题台账, 信访举报台账 and 近亲属备案.

Imported at the end of :mod:`db.models` so that the tables are part of ``Base.metadata`` and
the entities join ``AUDITED`` (``app.audit.verify`` then covers them). Portable types only.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models import AUDITED, Base, Synced, utcnow


class CalendarYear(Base):
    """A year whose statutory holidays and 调休 days are in the calendar ("covered")."""

    __tablename__ = "calendar_years"
    id: Mapped[str] = mapped_column(String(4), primary_key=True)  # "2026"
    year: Mapped[int] = mapped_column(Integer, unique=True)
    source: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    __mapper_args__ = {"version_id_col": version}


class CalendarDay(Base):
    """One exception to the Monday–Friday week: a holiday, or a 调休 working day."""

    __tablename__ = "calendar_days"
    id: Mapped[str] = mapped_column(String(10), primary_key=True)  # ISO date, "2025-10-01"
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # holiday | workday
    name: Mapped[str | None] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    __mapper_args__ = {"version_id_col": version}


class Problem(Synced, Base):
    """问题清单 / 整改台账: one problem found, its rectification and closing (销号)."""

    __tablename__ = "problems"
    number: Mapped[str] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(30), index=True)
    village_id: Mapped[str | None] = mapped_column(ForeignKey("villages.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    found_date: Mapped[date] = mapped_column(Date)
    responsible: Mapped[str] = mapped_column(String(60))
    measures: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(12), index=True)
    is_clue: Mapped[bool] = mapped_column(Boolean, default=False)
    petition_id: Mapped[str | None] = mapped_column(String(36))
    rectified_date: Mapped[date | None] = mapped_column(Date)
    closed_date: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    verification_note: Mapped[str | None] = mapped_column(Text)
    auto_key: Mapped[str | None] = mapped_column(String(120), index=True)  # automatic checks
    note: Mapped[str | None] = mapped_column(Text)


class ProblemLink(Synced, Base):
    """A household (and optionally one member) a problem concerns."""

    __tablename__ = "problem_links"
    problem_id: Mapped[str] = mapped_column(ForeignKey("problems.id"), index=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    member_id: Mapped[str | None] = mapped_column(ForeignKey("members.id"))


class ProblemTransition(Synced, Base):
    """One dated, signed change of a problem's state."""

    __tablename__ = "problem_transitions"
    problem_id: Mapped[str] = mapped_column(ForeignKey("problems.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    day: Mapped[date] = mapped_column(Date)
    username: Mapped[str] = mapped_column(String(40))
    signer: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)


class ProblemTransfer(Synced, Base):
    """移交纪检监察机关: a clue of a violation, due within N working days of discovery."""

    __tablename__ = "problem_transfers"
    problem_id: Mapped[str] = mapped_column(ForeignKey("problems.id"), index=True)
    found_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    due_covered: Mapped[bool] = mapped_column(Boolean, default=True)
    transferred_date: Mapped[date | None] = mapped_column(Date)
    organ: Mapped[str | None] = mapped_column(String(100))
    doc_number: Mapped[str | None] = mapped_column(String(60))
    handler: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)


class Petition(Synced, Base):
    """信访举报台账: one petition or complaint, its handling and reply."""

    __tablename__ = "petitions"
    number: Mapped[str] = mapped_column(String(32), index=True)
    channel: Mapped[str] = mapped_column(String(12))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    petitioner: Mapped[str | None] = mapped_column(String(60))
    id_number: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(40))
    content: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(100))  # 反映事项 (same matter: same petitioner + subject)
    received_date: Mapped[date] = mapped_column(Date, index=True)
    village_id: Mapped[str | None] = mapped_column(ForeignKey("villages.id"), index=True)
    state: Mapped[str] = mapped_column(String(8), index=True)  # 办理中 | 已办结
    sorted_date: Mapped[date | None] = mapped_column(Date)
    extension_days: Mapped[int] = mapped_column(Integer, default=0)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    handler: Mapped[str | None] = mapped_column(String(60))
    reply: Mapped[str | None] = mapped_column(Text)
    reply_date: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(20))
    satisfaction: Mapped[str | None] = mapped_column(String(10))
    review_requested: Mapped[date | None] = mapped_column(Date)
    review_replied: Mapped[date | None] = mapped_column(Date)
    rereview_requested: Mapped[date | None] = mapped_column(Date)
    rereview_replied: Mapped[date | None] = mapped_column(Date)
    matter_id: Mapped[str] = mapped_column(String(36), index=True)  # first petition of the matter
    priority: Mapped[bool] = mapped_column(Boolean, default=False)  # 重点标注
    problem_id: Mapped[str | None] = mapped_column(String(36))
    note: Mapped[str | None] = mapped_column(Text)


class PetitionLink(Synced, Base):
    """A household a petition concerns (also how repeated petitions find each other)."""

    __tablename__ = "petition_links"
    petition_id: Mapped[str] = mapped_column(ForeignKey("petitions.id"), index=True)
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)


class Official(Synced, Base):
    """Someone whose near relatives must be filed (近亲属备案)."""

    __tablename__ = "relative_officials"
    name: Mapped[str] = mapped_column(String(60))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    post_type: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str | None] = mapped_column(String(100))
    village_id: Mapped[str | None] = mapped_column(ForeignKey("villages.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)


class NearRelative(Synced, Base):
    """A filed near relative of an official."""

    __tablename__ = "near_relatives"
    official_id: Mapped[str] = mapped_column(ForeignKey("relative_officials.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    relation: Mapped[str] = mapped_column(String(20))
    filed_date: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


LEDGER_AUDITED = {"calendar_year": CalendarYear, "calendar_day": CalendarDay, "problem": Problem,
                  "problem_link": ProblemLink, "problem_transition": ProblemTransition,
                  "problem_transfer": ProblemTransfer, "petition": Petition,
                  "petition_link": PetitionLink, "official": Official, "near_relative": NearRelative}
LEDGER_LABELS = {"calendar_year": "工作日历年度", "calendar_day": "工作日历", "problem": "问题",
                 "problem_link": "问题关联对象", "problem_transition": "问题状态变更",
                 "problem_transfer": "问题线索移交", "petition": "信访举报",
                 "petition_link": "信访关联对象", "official": "备案人员", "near_relative": "近亲属"}
AUDITED.update(LEDGER_AUDITED)
