"""Sync tables: office keys and cards, per-counterpart sync state, the exchange log, period
locks and corrections, and the district's assigned problems (交办) with their answers (整改反馈).

Imported at the end of :mod:`db.models`. The synced entities (assignments, answers, corrections)
join ``AUDITED``; the bookkeeping tables (keys, cards, peers, log, locks) are not records of the
office's work and are audited by the services as events instead.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models import AUDITED, Base, Synced, utcnow


class OfficeKey(Base):
    """This office's own key pairs (raw 32-byte keys, hex). Kept inside the encrypted database."""

    __tablename__ = "office_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    office_code: Mapped[str] = mapped_column(String(12), index=True)
    sign_private: Mapped[str] = mapped_column(String(64))
    sign_public: Mapped[str] = mapped_column(String(64))
    box_private: Mapped[str] = mapped_column(String(64))
    box_public: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class OfficeCard(Base):
    """A counterpart's public office card: who it is and its public keys."""

    __tablename__ = "office_cards"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(String(12))
    sign_public: Mapped[str] = mapped_column(String(64))
    box_public: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    imported_by: Mapped[str | None] = mapped_column(String(64))


class SyncPeer(Base):
    """Where the exchange with one counterpart stands, in both directions."""

    __tablename__ = "sync_peers"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    out_seq: Mapped[int] = mapped_column(Integer, default=0)  # last sequence number sent
    out_hash: Mapped[str | None] = mapped_column(String(64))
    acked_seq: Mapped[int | None] = mapped_column(Integer)
    acked_audit_seq: Mapped[int | None] = mapped_column(Integer)
    in_seq: Mapped[int | None] = mapped_column(Integer)  # last sequence number imported
    in_hash: Mapped[str | None] = mapped_column(String(64))
    in_created: Mapped[str | None] = mapped_column(String(20))
    in_period: Mapped[str | None] = mapped_column(String(7))
    in_at: Mapped[datetime | None] = mapped_column(DateTime)
    audit_seq: Mapped[int | None] = mapped_column(Integer)  # the counterpart's chain head seen
    audit_hash: Mapped[str | None] = mapped_column(String(64))
    chain_alarm: Mapped[str | None] = mapped_column(Text)


class ExchangeLog(Base):
    """Every package written or read: direction, type, sequence, hash, user, time."""

    __tablename__ = "exchange_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    direction: Mapped[str] = mapped_column(String(4))  # out | in
    kind: Mapped[str] = mapped_column(String(8))  # full | delta | ack
    peer: Mapped[str] = mapped_column(String(12), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(7))
    hash: Mapped[str] = mapped_column(String(64), index=True)
    audit_seq: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8))  # ok | alarm
    file_name: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    username: Mapped[str] = mapped_column(String(40))
    ts: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PeriodLock(Base):
    """A month whose package has been sent: its records change only as corrections."""

    __tablename__ = "period_locks"
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    locked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    package_hash: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(40))


class PeriodCorrection(Synced, Base):
    """A change to a record of a locked month, with its reason; travels as a correction."""

    __tablename__ = "period_corrections"
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    reason: Mapped[str] = mapped_column(Text)


class Assignment(Synced, Base):
    """A problem the district assigns to a township (交办), with a deadline."""

    __tablename__ = "assignments"
    target_office: Mapped[str] = mapped_column(String(12), index=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    assigned_date: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    household_id: Mapped[str | None] = mapped_column(String(36))


class AssignmentAnswer(Synced, Base):
    """The township's rectification feedback (整改反馈) on an assigned problem."""

    __tablename__ = "assignment_answers"
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False)


SYNC_AUDITED = {"correction": PeriodCorrection, "assignment": Assignment,
                "assignment_answer": AssignmentAnswer}
SYNC_LABELS = {"correction": "锁定月份更正", "assignment": "交办问题", "assignment_answer": "整改反馈"}
AUDITED.update(SYNC_AUDITED)
