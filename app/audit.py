"""The audit trail ("步步有痕迹、环环能倒查"): one append-only, hash-chained table.

Every service writes its entry in the same transaction as the change it records:
``hash = sha256(prev_hash + canonical JSON of the entry)``. :func:`verify` recomputes the chain
and compares each live record with its last audited state, so an edit made behind the app's
back (raw SQL) is named.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.permissions import Actor
from db.models import AUDITED, AuditEntry, AuditHead, utcnow

GENESIS = "0" * 64
ENTITY_LABELS = {"office": "单位", "village": "村（居）", "household": "家庭", "member": "成员",
                 "step": "办理环节", "user": "用户", "setting": "规则设置", "document": "文书"}


def plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def canonical(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


# Columns added by a later migration, with the value old rows get: a record last audited
# before the column existed lacks it and is still the same record.
ADDED_COLUMNS = {"must_change_password": False}


def _same_but_newer_columns(live: dict, audited: str) -> bool:
    old = json.loads(audited)
    return canonical({k: v for k, v in live.items()
                      if k in old or k not in ADDED_COLUMNS or ADDED_COLUMNS[k] != v}) == audited


def state(obj: object) -> dict:
    """The audited state of an ORM record: every column, as plain JSON values."""
    mapper = sa_inspect(obj).mapper
    return {col.key: plain(getattr(obj, col.key)) for col in mapper.column_attrs}


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session: Session, transaction) -> None:  # noqa: ANN001
    """Cached chain head and settings are valid for one transaction only."""
    if transaction.parent is None:
        session.info.pop("audit_head", None)
        session.info.pop("rulesettings", None)


def entry_hash(prev_hash: str, entry: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(entry)).encode("utf-8")).hexdigest()


def entry_dict(e: AuditEntry) -> dict:
    return {"seq": e.seq, "ts": plain(e.ts), "user": e.username, "office": e.office,
            "action": e.action, "entity": e.entity, "entity_id": e.entity_id,
            "before": e.before, "after": e.after}


def locked_head(session: Session) -> AuditHead:
    """The chain's head row for this transaction: locked at the first entry (PostgreSQL; SQLite
    is already locked by BEGIN IMMEDIATE) and kept for the rest of the unit of work."""
    head = session.info.get("audit_head")
    if head is None or head not in session:
        head = session.get(AuditHead, 1, with_for_update=True, populate_existing=True)
        if head is None:
            head = AuditHead(id=1, seq=0, hash=GENESIS)
            session.add(head)
        session.info["audit_head"] = head
    return head


def record(session: Session, actor: Actor, action: str, entity: str, entity_id: str,
           before: dict | None, after: dict | None) -> AuditEntry:
    """Append one entry to the chain (flushes pending changes first)."""
    session.flush()
    head = locked_head(session)
    e = AuditEntry(seq=head.seq + 1, ts=utcnow(), username=actor.username,
                   office=actor.office_code, action=action, entity=entity,
                   entity_id=str(entity_id),
                   before=None if before is None else canonical(before),
                   after=None if after is None else canonical(after), prev_hash=head.hash)
    e.hash = entry_hash(head.hash, entry_dict(e))
    head.seq, head.hash = e.seq, e.hash
    session.add(e)
    return e


def record_change(session: Session, actor: Actor, action: str, entity: str, obj: object,
                  before: dict | None) -> dict:
    """Flush ``obj`` and audit its new state against ``before``; returns the new state."""
    session.flush()
    after = state(obj)
    record(session, actor, action, entity, after["id"] if "id" in after else after["key"],
           before, after)
    return after


@dataclass
class Problem:
    seq: int | None
    entity: str
    entity_id: str
    message: str


@dataclass
class VerifyReport:
    entries: int = 0
    records: int = 0
    head_hash: str = GENESIS
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session, *, progress=None) -> VerifyReport:  # noqa: ANN001 - callback
    """Recompute the chain and compare every live record with its last audited state."""
    report = VerifyReport()
    prev = GENESIS
    expected_seq = 1
    last: dict[tuple[str, str], str | None] = {}
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()
    for e in rows:
        if e.seq != expected_seq:
            report.problems.append(Problem(e.seq, e.entity, e.entity_id,
                                           f"审计记录序号不连续：缺少第 {expected_seq} 至 {e.seq - 1} 条"))
        if e.prev_hash != prev:
            report.problems.append(Problem(e.seq, e.entity, e.entity_id,
                                           f"第 {e.seq} 条审计记录的前一哈希与链不符（记录被删改）"))
        if entry_hash(e.prev_hash, entry_dict(e)) != e.hash:
            report.problems.append(Problem(e.seq, e.entity, e.entity_id,
                                           f"第 {e.seq} 条审计记录内容与哈希不符（记录被篡改）"))
        prev, expected_seq = e.hash, e.seq + 1
        last[(e.entity, e.entity_id)] = e.after
        report.entries += 1
        if progress and report.entries % 20000 == 0:
            progress(report.entries)
    head = session.get(AuditHead, 1)
    if head is not None and (head.hash != prev or head.seq != expected_seq - 1):
        report.problems.append(Problem(None, "audit", "head", "审计链末端与记录不符（末尾的审计记录被删除）"))
    report.head_hash = prev
    from db.models import Setting

    models = dict(AUDITED, setting=Setting)
    for entity, model in models.items():
        for obj in session.execute(select(model)).scalars():
            live = state(obj)
            key = str(live.get("id", live.get("key")))
            report.records += 1
            audited = last.pop((entity, key), None)
            label = f"{ENTITY_LABELS.get(entity, entity)} {_describe(live)}"
            if audited is None:
                report.problems.append(Problem(None, entity, key,
                                               f"{label}（{key}）没有审计记录：是绕过本程序写入的"))
            elif canonical(live) != audited and not _same_but_newer_columns(live, audited):
                fields = _diff(json.loads(audited), live)
                report.problems.append(Problem(None, entity, key,
                                               f"{label}（{key}）与最后一次审计的状态不一致，"
                                               f"被绕过本程序修改：{fields}"))
    for (entity, key), after in last.items():
        if after is not None and entity in models:
            report.problems.append(Problem(None, entity, key,
                                           f"{ENTITY_LABELS.get(entity, entity)}（{key}）已被绕过本程序删除"))
    return report


def _describe(live: dict) -> str:
    for k in ("head_name", "name", "username", "kind", "key"):
        if live.get(k):
            return str(live[k])
    return ""


def _diff(before: dict, after: dict) -> str:
    changed = [f"{k}: {before.get(k)!r} → {after.get(k)!r}" for k in sorted(set(before) | set(after))
               if before.get(k) != after.get(k)]
    return "；".join(changed[:6])


def verify_chain(session: Session) -> list[str]:
    """Only the hash chain (fast, for backups before a restore); the problems found."""
    problems: list[str] = []
    prev, expected = GENESIS, 1
    for e in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
        if e.seq != expected or e.prev_hash != prev or entry_hash(e.prev_hash, entry_dict(e)) != e.hash:
            problems.append(f"第 {e.seq} 条审计记录与链不符（记录被删改）")
            if len(problems) >= 5:
                break
        prev, expected = e.hash, e.seq + 1
    head = session.get(AuditHead, 1)
    if not problems and head is not None and (head.hash != prev or head.seq != expected - 1):
        problems.append("审计链末端与记录不符（末尾的审计记录被删除）")
    return problems


from app.sync import lock as _period_lock  # noqa: E402,F401  (period-lock check on every session)
