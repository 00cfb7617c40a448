"""Importing a package: checks (``app.sync.checks``) → validate every record → dry-run summary
(new / updated / unchanged / refused with reasons, per table) → apply in one transaction →
acknowledgement (回执) package back to the sender.

Ownership makes merging conflict-free: a record is accepted only from the office that owns it.
A record whose local copy differs at the same or a newer version was changed on two installs of
one office (e.g. a restored backup): it is shown as a conflict and never overwritten.
"""
from __future__ import annotations

import hashlib
import json
import json.encoder
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import String, any_, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from app import audit, clock
from app.permissions import Actor, require
from app.sync import checks, format as fmt, log, searchindex, tables
from app.sync.ack import make_ack
from app.sync.checks import ChainBroken, Opened
from app.sync.format import PackageRefused
from app.sync import incoming
from app.sync.incoming import apply_calendar, plan_calendar
from db.check_models import SourceRecord
from db.models import AuditEntry, AuditHead
from db.sync_models import SyncPeer

IN_CHUNK = 500
PG_CHUNK = 50000


@dataclass
class TableSummary:
    label: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[dict] = field(default_factory=list)  # {"id", "reason"}


@dataclass
class ImportResult:
    status: str  # preview | imported | duplicate | ack
    message: str
    sender: str
    sender_name: str
    kind: str
    seq: int
    period: str
    hash: str
    tables: dict[str, TableSummary] = field(default_factory=dict)
    corrections: list[dict] = field(default_factory=list)
    audit_entries: int = 0
    documents: list[str] = field(default_factory=list)  # report PDFs carried (names; paths once saved)
    ack_paths: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Plan:
    summary: dict[str, TableSummary]
    new: dict[str, list[dict]]
    updated: dict[str, list[tuple[dict, dict]]]  # (before, after)
    superseded: dict[str, list[dict]]  # local rows replaced by the owner's copy (natural key)
    calendar: dict | None = None
    source_records: dict | None = None  # {"rows": rows of new data sources, "counts": …}
    texts: dict[tuple[str, str], str] = field(default_factory=dict)  # (entity, id) -> canonical JSON, if known
    terms: object | None = None  # app.sync.prefetch.Terms: the worker's search terms of the households
    stored: dict[str, list[tuple]] = field(default_factory=dict)  # the worker's SQLite rows of p.new[entity]


def _by_ids(session: Session, table, cols: list, ids: list[str]):  # noqa: ANN001, ANN202
    """The rows of ``table`` with these ids, in as few queries as the database allows: on
    PostgreSQL one ``id = ANY(array)`` per 50,000 (an IN list of 500 parameters, planned on a
    table just filled and not yet analysed, may scan the whole table each time); on SQLite IN
    lists of 500."""
    if session.get_bind().dialect.name == "postgresql":
        for i in range(0, len(ids), PG_CHUNK):
            part = bindparam("ids", ids[i:i + PG_CHUNK], type_=ARRAY(String))
            yield from session.execute(select(*cols).where(table.c.id == any_(part)))
        return
    for i in range(0, len(ids), IN_CHUNK):
        yield from session.execute(select(*cols).where(table.c.id.in_(ids[i:i + IN_CHUNK])))


def _existing(session: Session, entity: str, ids: list[str]) -> dict[str, dict]:
    table = tables.model(entity).__table__
    cols = [c for _k, c in tables.columns(entity)]
    keys = [k for k, _c in tables.columns(entity)]
    return {r.id: {k: audit.plain(v) for k, v in zip(keys, r)} for r in _by_ids(session, table, cols, ids)}


def _present(session: Session, table, ids: set[str]) -> set[str]:  # noqa: ANN001
    return {r.id for r in _by_ids(session, table, [table.c.id], sorted(ids))}


def _refuse(summary: TableSummary, row: dict, reason: str) -> None:
    summary.refused.append({"id": str(row.get("id")) if isinstance(row, dict) else "?", "reason": reason})


def plan(session: Session, opened: Opened) -> _Plan:
    """Validate every record and sort it into new / updated / unchanged / refused."""
    p = _Plan({}, {}, {}, {})
    accepted: dict[str, set[str]] = {}
    for entity in tables.tables_for(opened.sender_level):
        rows = opened.sections.get(entity)
        if rows is None:
            continue
        summary = p.summary[entity] = TableSummary(tables.LABELS[entity])
        existing = _existing(session, entity, [r["id"] for r in rows if isinstance(r.get("id"), str)])
        table = tables.model(entity).__table__
        fks = [(col.name, next(iter(col.foreign_keys)).column.table) for col in table.columns
               if col.foreign_keys]
        fks = [(col, target, _entity_by_table().get(target.name)) for col, target in fks]  # looked up once
        seen, candidates = set(), []
        # the worker's reading (app.sync.prefetch): each row's check_plain reason and canonical JSON
        reasons = texts = None
        if opened.prepared is not None and entity in opened.prepared.refusals:
            reasons, texts = opened.prepared.refusals[entity], opened.prepared.texts[entity]
        for i, row in enumerate(rows):
            if reasons is None:
                try:
                    tables.check_plain(entity, row)
                except ValueError as exc:
                    _refuse(summary, row, f"格式不对：{exc}")
                    continue
            elif reasons[i] is not None:
                _refuse(summary, row, f"格式不对：{reasons[i]}")
                continue
            rid = row["id"]
            if rid in seen:
                _refuse(summary, row, "同一记录在数据包中出现了两次")
                continue
            seen.add(rid)
            if row["owner_office"] != opened.sender:
                _refuse(summary, row, f"记录属于 {row['owner_office']}，不是发送单位的，不能由其发送")
                continue
            if entity == "assignment" and row["target_office"] != opened.own_code:
                _refuse(summary, row, f"交办对象是 {row['target_office']}，不是本单位")
                continue
            local = existing.get(rid)
            if local is not None and local["owner_office"] != opened.sender:
                _refuse(summary, row, f"本地同一记录属于 {local['owner_office']}，发送单位无权修改")
                continue
            if local == row:
                summary.unchanged += 1
                accepted.setdefault(entity, set()).add(rid)
                continue
            if local is not None and row["version"] <= local["version"]:
                _refuse(summary, row, f"冲突：本地版本 {local['version']} 与数据包中的版本 {row['version']} "
                                      "内容不同（同一单位的数据在两处被修改，可能恢复过备份），未覆盖")
                continue
            candidates.append((row, local))
            if texts is not None:
                p.texts[entity, rid] = texts[i]
        missing_fk: dict[str, set[str]] = {}
        for row, _local in candidates:
            for col, target, target_entity in fks:
                value = row.get(col)
                if value is not None and value not in accepted.get(target_entity, set()):
                    missing_fk.setdefault(target.name, set()).add(value)
        present = {name: _present(session, tables.model(_entity_of_name(name)).__table__, ids)
                   for name, ids in missing_fk.items()}
        for row, local in candidates:
            bad = [col for col, target, target_entity in fks if row.get(col) is not None
                   and row[col] not in accepted.get(target_entity, set())
                   and row[col] not in present.get(target.name, set())]
            if bad:
                _refuse(summary, row, f"引用的记录不存在（{'、'.join(bad)}）")
                continue
            accepted.setdefault(entity, set()).add(row["id"])
            if local is None:
                summary.new += 1
                p.new.setdefault(entity, []).append(row)
            else:
                summary.updated += 1
                p.updated.setdefault(entity, []).append((local, row))
        if opened.prepared is not None and entity in opened.prepared.stored \
                and opened.prepared.dialect == session.get_bind().dialect.name \
                and len(p.new.get(entity, [])) == len(rows):  # all new: the rows the worker stored
            p.stored[entity] = opened.prepared.stored[entity]
        if entity == "standard":
            p.superseded["standard"] = _superseded_standards(session, p.new.get("standard", []))
    if opened.prepared is not None:
        p.terms = opened.prepared.terms
    if "calendar" in opened.sections:
        p.calendar = plan_calendar(session, opened.sections["calendar"])
        p.summary["calendar"] = TableSummary(tables.LABELS["calendar"], **p.calendar["counts"])
    if tables.SOURCE_RECORDS in opened.sections:
        p.source_records = incoming.plan_source_records(
            opened.sections[tables.SOURCE_RECORDS], {r["id"] for r in p.new.get("data_source", [])},
            {r.get("id") for r in opened.sections.get("data_source", [])})
        p.summary[tables.SOURCE_RECORDS] = TableSummary(tables.LABELS[tables.SOURCE_RECORDS],
                                                        **p.source_records["counts"])
    return p


_ENTITY_BY_TABLE: dict[str, str] = {}


def _entity_by_table() -> dict[str, str]:
    if not _ENTITY_BY_TABLE:
        from db.models import AUDITED
        _ENTITY_BY_TABLE.update({m.__tablename__: e for e, m in AUDITED.items()})
    return _ENTITY_BY_TABLE


def _entity_of_name(name: str) -> str:
    return _entity_by_table()[name]


def _superseded_standards(session: Session, rows: list[dict]) -> list[dict]:
    """Local seed rows with the same owner and natural key as an incoming standard."""
    from db.assessment_models import Standard

    out = []
    for r in rows:
        local = session.execute(select(Standard).where(
            Standard.owner_office == r["owner_office"], Standard.kind == r["kind"],
            Standard.variant == r["variant"], Standard.effective_from == r["effective_from"],
            Standard.id != r["id"])).scalar()
        if local is not None:
            out.append(audit.state(local))
    return out


def _audit_head(session: Session) -> AuditHead:
    """The chain's head row, locked for this transaction (as ``app.audit.record`` takes it)."""
    session.flush()
    return audit.locked_head(session)


AUDIT_COLUMNS = ["seq", "ts", "username", "office", "action", "entity", "entity_id", "before", "after",
                 "prev_hash", "hash"]


def _audit_rows(actor: Actor, now, seq: int, prev: str,  # noqa: ANN001
                items: list[tuple[str, str, str, dict | None, dict | str | None]],
                ts_value: object = None) -> tuple[list[tuple], int, str]:
    """The entries continuing the chain at (seq, prev), the same hashing as ``app.audit.record``
    (an ``after`` given as text is its canonical JSON already); returns them (tuples of
    AUDIT_COLUMNS, ``ts`` as ``ts_value`` if given: its stored form) and the new head. Pure
    computation (no database): on PostgreSQL it runs in a worker thread while the server
    stores the records."""
    quote, canonical = _json_string, tables.canonical_encoder()
    # the canonical JSON of an entry (sorted keys, no spaces) assembled field by field: the same
    # text as app.audit.canonical, without sorting and encoding a dict per entry
    fixed = f'"office":{quote(actor.office_code)}'
    ts, user = quote(audit.plain(now)), quote(actor.username)
    stamp, username, office = now if ts_value is None else ts_value, actor.username, actor.office_code
    rows = []
    for action, entity, entity_id, before, after in items:
        seq += 1
        before_text = None if before is None else canonical(before)
        after_text = None if after is None else after if type(after) is str else canonical(after)
        text = (f'{{"action":{quote(action)},"after":{quote(after_text)},"before":{quote(before_text)},'
                f'"entity":{quote(entity)},"entity_id":{quote(entity_id)},{fixed},"seq":{seq},'
                f'"ts":{ts},"user":{user}}}')
        h = hashlib.sha256((prev + text).encode("utf-8")).hexdigest()
        rows.append((seq, stamp, username, office, action, entity, entity_id, before_text, after_text, prev, h))
        prev = h
    return rows, seq, prev


def _json_string(value: object) -> str:
    """``json.dumps(value, ensure_ascii=False)``: for a str the C function json.dumps calls."""
    if type(value) is str:
        return json.encoder.encode_basestring(value)
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def _write_audit(session: Session, head: AuditHead, computed: tuple[list[tuple], int, str]) -> None:
    rows, seq, prev = computed
    tables.insert_tuples(session.connection(), AuditEntry.__table__, AUDIT_COLUMNS, rows)
    head.seq, head.hash = seq, prev
    session.flush()


def _audit_bulk(session: Session, actor: Actor, items: list[tuple[str, str, str, dict | None, dict | None]]) -> None:
    """Append many entries to the chain at once (same hashing as ``app.audit.record``)."""
    if not items:
        return
    head = _audit_head(session)
    now, conn = clock.utcnow(), session.connection()
    stamp = tables.sqlite_value(AuditEntry.__table__.c.ts, now) if conn.dialect.name == "sqlite" else now
    _write_audit(session, head, _audit_rows(actor, now, head.seq, head.hash, items, stamp))


def _items(p: _Plan) -> list[tuple]:
    """The audit entries of the plan, in the order :func:`_apply` writes the records."""
    items: list[tuple] = []
    for entity, old_rows in p.superseded.items():
        items += [("sync.supersede", entity, old["id"], old, None) for old in old_rows]
    for entity in dict.fromkeys(tables.TOWNSHIP_TABLES + tables.DISTRICT_TABLES):
        text = p.texts.get  # the canonical JSON the worker wrote, where there is one (the same text)
        items += [("sync.import", entity, r["id"], None, text((entity, r["id"]), r)) for r in p.new.get(entity, [])]
        items += [("sync.import", entity, after["id"], before, text((entity, after["id"]), after))
                  for before, after in p.updated.get(entity, [])]
    return items


def _ready_terms(p: _Plan, households: list[dict], members: list[dict], names: dict[str, str]) -> list | None:
    """The worker's search terms (app.sync.prefetch), when they are these households'."""
    ready = p.terms
    return ready.rows if ready is not None and ready.matches(households, members, names) else None


def _apply(session: Session, actor: Actor, p: _Plan) -> int:
    items = _items(p)
    # households new here have no search terms yet: indexed from the rows of the package (the
    # text columns the terms are made of are as stored); the others (changed, or a member
    # changed) are re-read and rewritten
    new_households = {r["id"]: r for r in p.new.get("household", [])}
    households = [new_households[h] for h in sorted(new_households)]
    members = [r for r in p.new.get("member", []) if r["household_id"] in new_households]
    villages = {v["id"]: v["name"] for v in p.new.get("village", [])} \
        | {a["id"]: a["name"] for _b, a in p.updated.get("village", [])}
    for entity, old_rows in p.superseded.items():
        model = tables.model(entity)
        for old in old_rows:
            session.execute(delete(model.__table__).where(model.__table__.c.id == old["id"]))
    names = searchindex.village_names(session, households, villages)
    terms = _ready_terms(p, households, members, names)  # the worker's, when they are these households'
    audit_rows = computing = None
    if session.get_bind().dialect.name == "postgresql":
        # the chain's entries (hashing, JSON) and the search terms are computed while the server
        # stores the records: the client would otherwise wait idle for each COPY to finish (the
        # thread touches no database; it reads only the plan, which nothing changes meanwhile).
        # The head is locked after the deletions, as app.audit.record would (rows, then head)
        head = _audit_head(session)
        pool = ThreadPoolExecutor(max_workers=1)
        audit_rows = pool.submit(_audit_rows, actor, clock.utcnow(), head.seq, head.hash, items)
        if terms is None:
            computing = pool.submit(searchindex.new_terms, households, members, names)
        pool.shutdown(wait=False)
    for entity in dict.fromkeys(tables.TOWNSHIP_TABLES + tables.DISTRICT_TABLES):
        table = tables.model(entity).__table__
        tables.insert_plain(session.connection(), entity, p.new.get(entity, []), p.stored.get(entity))
        changed = p.updated.get(entity, [])
        if changed:
            values = [dict(tables.to_values(entity, after), _id=after["id"]) for _b, after in changed]
            cols = {k: bindparam(k) for k, _c in tables.columns(entity) if k != "id"}
            stmt = update(table).where(table.c.id == bindparam("_id")).values(**cols)
            session.connection().execute(stmt, values)
    if p.source_records and p.source_records["rows"]:
        tables.insert_many(session.connection(), SourceRecord.__table__, p.source_records["rows"])
    if audit_rows is not None:
        if items:
            _write_audit(session, head, audit_rows.result())
    else:
        _audit_bulk(session, actor, items)
    if terms is None:
        terms = computing.result() if computing is not None else searchindex.new_terms(households, members, names)
    searchindex.write_terms(session, terms)
    touched = {a["id"] for _b, a in p.updated.get("household", [])}
    touched |= {r["household_id"] for r in p.new.get("member", [])}
    touched |= {x["household_id"] for pair in p.updated.get("member", []) for x in pair}
    searchindex.reindex(session, touched - set(new_households))
    return len(items)


def import_package(session: Session, actor: Actor, data: bytes, *, dry_run: bool = False,
                   ack_dir: Path | None = None, file_name: str | None = None,
                   files: list[Callable[[], None]] | None = None,
                   prepared: object | None = None, reports_dir: Path | None = None) -> ImportResult:
    """Check, validate and (unless ``dry_run``) apply one package in the session's transaction
    (``prepared``: the worker's reading of these bytes, see ``app.sync.prefetch``). The report
    PDFs it carries are saved in ``reports_dir`` (default: 收到的报表 in ``ack_dir``) and the
    回执 in ``ack_dir``; given ``files``, these writes are appended there instead, for the caller
    to run once the transaction is committed."""
    require(actor, "sync.exchange")
    opened = checks.open_package(session, data, prepared)
    m = opened.manifest
    result = ImportResult("preview", "", opened.sender, opened.sender_name, m["kind"], m["seq"],
                          m["period"], opened.hash)
    if opened.duplicate:
        result.status, result.message = "duplicate", f"跳过：该数据包（第 {m['seq']} 号）以前已经导入过，未作任何改动。"
        return result
    if m["kind"] == "ack":
        result.status = "ack"
        result.message = f"回执：{opened.sender_name}已收到本单位发出的第 {m['ack']['seq']} 号数据包。"
        if not dry_run:
            sent = log.find(session, direction="out", package_hash=m["ack"]["hash"])
            peer = session.get(SyncPeer, opened.sender)
            if peer.acked_seq is None or sent.seq >= peer.acked_seq or sent.kind == "full":
                peer.acked_seq, peer.acked_audit_seq = sent.seq, sent.audit_seq
            log.write(session, actor, direction="in", kind="ack", peer=opened.sender, seq=m["seq"],
                      period=m["period"], package_hash=opened.hash, file_name=file_name)
        return result
    peer = session.get(SyncPeer, opened.sender)
    checks.check_chain(opened, peer)
    p = plan(session, opened)
    result.tables = p.summary
    result.corrections = [{"entity": r["entity"], "entity_id": r["entity_id"], "period": r["period"],
                           "reason": r["reason"]} for r in opened.sections.get("correction", [])]
    result.audit_entries = len(opened.sections.get("audit_log", []))
    docs = incoming.check_documents(opened.sections.get("documents", []))
    result.documents = [name for name, _data in docs]
    refused = sum(len(s.refused) for s in p.summary.values())
    totals = {k: sum(getattr(s, k) for s in p.summary.values()) for k in ("new", "updated", "unchanged")}
    result.message = (f"{opened.sender_name}第 {m['seq']} 号{'完整' if m['kind'] == 'full' else '增量'}数据包"
                      f"（{m['period']}）：新增 {totals['new']}，更新 {totals['updated']}，"
                      f"未变 {totals['unchanged']}，拒收 {refused}")
    if dry_run:
        return result
    written = _apply(session, actor, p)
    if p.calendar is not None:
        apply_calendar(session, actor, p.calendar, opened.sender)
    if peer is None:
        peer = SyncPeer(code=opened.sender, out_seq=0)
        session.add(peer)
    peer.in_seq, peer.in_hash, peer.in_created = m["seq"], opened.hash, m["created"]
    peer.in_period, peer.in_at = m["period"], clock.utcnow()
    if opened.sender_level == "township":
        peer.audit_seq, peer.audit_hash, peer.chain_alarm = m["audit"]["seq"], m["audit"]["hash"], None
    summary = {k: {"new": s.new, "updated": s.updated, "unchanged": s.unchanged, "refused": len(s.refused)}
               for k, s in p.summary.items()}
    log.write(session, actor, direction="in", kind=m["kind"], peer=opened.sender, seq=m["seq"],
              period=m["period"], package_hash=opened.hash, audit_seq=m["audit"]["seq"],
              file_name=file_name, summary=summary)
    audit.record(session, actor, "sync.import", "package", opened.hash[:40], None,
                 {"sender": opened.sender, "kind": m["kind"], "seq": m["seq"], "period": m["period"],
                  "records": written, "refused": refused})
    result.status = "imported"
    result.message = "已导入：" + result.message
    writes: list[Callable[[], None]] = []  # the files: by the caller once the transaction is committed
    if docs and (reports_dir is not None or ack_dir is not None):
        folder = Path(reports_dir) if reports_dir is not None else Path(ack_dir) / "收到的报表"

        def save_reports() -> None:
            result.documents = [str(x) for x in incoming.save_documents(folder, opened.sender, m["period"], docs)]
        writes.append(save_reports)
    if ack_dir is not None:
        name, ack = make_ack(session, actor, opened)

        def write_ack() -> None:
            result.ack_paths = [str(x) for x in fmt.write_file(Path(ack_dir), name, ack)]
        writes.append(write_ack)
    if files is None:
        for write in writes:
            write()
    else:
        files += writes
    return result


def record_alarm(session: Session, actor: Actor, exc: ChainBroken, period: str, seq: int) -> None:
    """Keep a broken chain visible (district status, exchange log) although nothing was imported."""
    peer = session.get(SyncPeer, exc.sender)
    if peer is None:
        peer = SyncPeer(code=exc.sender, out_seq=0)
        session.add(peer)
    peer.chain_alarm = exc.message
    log.write(session, actor, direction="in", kind="alarm", peer=exc.sender, seq=seq, period=period,
              package_hash=exc.package_hash, status="alarm", summary=exc.message)
    audit.record(session, actor, "sync.alarm", "package", exc.package_hash[:40], None,
                 {"sender": exc.sender, "message": exc.message})


__all__ = ["ImportResult", "PackageRefused", "TableSummary", "import_package", "record_alarm"]
