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
from db.sync_models import ExchangeLog, OfficeCard, SyncPeer

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
    peer_name: str | None = None  # from the peer's office card
    acked: bool | None = None  # a data package sent: has the recipient's 回执 come back (None: not one)

    @property
    def state(self) -> str:
        """状态 for the clerk: an outgoing data package 已回执 / 待回执, else the log's status."""
        if self.acked is not None and self.status == "ok":
            return "已回执" if self.acked else "待回执"
        return STATUSES.get(self.status, self.status)


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
    names = dict(session.execute(select(OfficeCard.code, OfficeCard.name)).all())
    acked = dict(session.execute(select(SyncPeer.code, SyncPeer.acked_seq)).all())
    out = []
    for e in session.execute(q).scalars():
        sent = e.direction == "out" and e.kind in ("full", "delta")
        # the recipient imports in sequence: its 回执 of a package acknowledges the ones before
        out.append(LogEntry(e.ts, e.direction, e.kind, e.peer, e.seq, e.period, e.hash, e.status,
                            e.username, e.file_name, e.summary, names.get(e.peer),
                            (acked.get(e.peer) or 0) >= e.seq if sent else None))
    return out


def take_import_lock(session: Session) -> None:
    """Serialise imports (SQLite: the write session's BEGIN IMMEDIATE already holds the lock)."""
    if session.get_bind().dialect.name != "sqlite":
        session.get(AuditHead, 1, with_for_update=True, populate_existing=True)
