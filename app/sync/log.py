"""The exchange log (every package written or read) and the import lock.

Two imports never run at once: on SQLite a write unit of work starts with ``BEGIN IMMEDIATE``
(one writer at a time); on PostgreSQL the import locks the audit head row (``SELECT … FOR
UPDATE``), which every writer also takes, before it reads any sync state.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.permissions import Actor
from db.models import AuditHead
from db.sync_models import ExchangeLog

DIRECTIONS = {"out": "发出", "in": "收到"}
KINDS = {"full": "完整", "delta": "增量", "ack": "回执"}
STATUSES = {"ok": "正常", "alarm": "审计链告警"}


@dataclass(frozen=True)
class LogEntry:
    ts: datetime
    direction: str
    kind: str
    peer: str
    seq: int
    period: str
    hash: str
    status: str
    username: str
    file_name: str | None
    summary: str | None


def write(session: Session, actor: Actor, *, direction: str, kind: str, peer: str, seq: int,
          period: str, package_hash: str, audit_seq: int | None = None, status: str = "ok",
          file_name: str | None = None, summary: object = None) -> None:
    session.add(ExchangeLog(direction=direction, kind=kind, peer=peer, seq=seq, period=period,
                            hash=package_hash, audit_seq=audit_seq, status=status,
                            file_name=file_name, username=actor.username,
                            summary=None if summary is None else json.dumps(summary, ensure_ascii=False,
                                                                            sort_keys=True)))
    session.flush()


def find(session: Session, *, direction: str, package_hash: str, status: str = "ok") -> ExchangeLog | None:
    return session.execute(select(ExchangeLog).where(
        ExchangeLog.direction == direction, ExchangeLog.hash == package_hash,
        ExchangeLog.status == status).limit(1)).scalar()


def first_audit_seq(session: Session, peer: str) -> int | None:
    """The chain position carried by the first data package sent to ``peer``."""
    return session.execute(select(ExchangeLog.audit_seq).where(
        ExchangeLog.direction == "out", ExchangeLog.peer == peer,
        ExchangeLog.kind.in_(("full", "delta"))).order_by(ExchangeLog.id).limit(1)).scalar()


def entries(session: Session, *, peer: str | None = None, limit: int = 500) -> list[LogEntry]:
    q = select(ExchangeLog).order_by(ExchangeLog.id.desc()).limit(limit)
    if peer:
        q = q.where(ExchangeLog.peer == peer)
    return [LogEntry(e.ts, e.direction, e.kind, e.peer, e.seq, e.period, e.hash, e.status,
                     e.username, e.file_name, e.summary) for e in session.execute(q).scalars()]


def take_import_lock(session: Session) -> None:
    """Serialise imports (SQLite: the write session's BEGIN IMMEDIATE already holds the lock)."""
    if session.get_bind().dialect.name != "sqlite":
        session.get(AuditHead, 1, with_for_update=True, populate_existing=True)
