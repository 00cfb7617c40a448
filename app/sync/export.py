"""Writing a package for a counterpart: everything this office owns that changed since the last
package the counterpart acknowledged (or a full snapshot), signed, encrypted, sequence-numbered
and chained to the previous package.

"Changed since" is read from the audit chain: the records named by audit entries after the chain
position the acknowledged package carried. Deletions are soft (``deleted_at``) and travel as the
row with its tombstone. A township's package also carries its audit entries since then and the
chain head, so that the district can check continuity (DESIGN.md §3).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, clock, offices
from app.errors import ValidationError
from app.permissions import Actor, require
from app.sync import cards, format as fmt, lock, log, scope, tables
from db.check_models import SourceRecord
from db.ledger_models import CalendarDay, CalendarYear
from db.migrate import head_revision
from db.models import AuditEntry, AuditHead
from db.sync_models import SyncPeer

IN_CHUNK = 500


@dataclass
class ExportResult:
    paths: list[Path]
    size: int
    kind: str
    seq: int
    period: str
    recipient: str
    counts: dict[str, int] = field(default_factory=dict)
    hash: str = ""
    note: str | None = None


def current_period() -> str:
    return clock.today().strftime("%Y-%m")


def check_period(period: str) -> str:
    try:
        date.fromisoformat(period + "-01")
    except (TypeError, ValueError):
        raise ValidationError("报送月份", period, "应写成 YYYY-MM") from None
    return period


def peer_state(session: Session, code: str, *, lock_row: bool = False) -> SyncPeer:
    peer = session.get(SyncPeer, code, with_for_update=lock_row)
    if peer is None:
        peer = SyncPeer(code=code, out_seq=0)
        session.add(peer)
        session.flush()
    return peer


def changed_ids(session: Session, since: int) -> dict[str, set[str]]:
    """Entity -> ids named by audit entries after ``since``."""
    out: dict[str, set[str]] = {}
    rows = session.execute(select(AuditEntry.entity, AuditEntry.entity_id).where(AuditEntry.seq > since))
    for entity, entity_id in rows:
        out.setdefault(entity, set()).add(entity_id)
    return out


def collect_rows(session: Session, entity: str, owner: str, ids: set[str] | None,
                 recipient: str | None = None) -> list[dict]:
    """The owner's rows of one table (all, or those with the given ids), as plain dicts by id;
    with ``recipient`` (a district's package) only those that go to that township."""
    model = tables.model(entity)
    table = model.__table__
    cols = [c for _k, c in tables.columns(entity)]
    base = select(*cols).where(table.c.owner_office == owner)
    where = scope.recipient_filter(entity, table, recipient) if recipient else None
    if where is not None:
        base = base.where(where)
    if ids is None:
        rows = session.execute(base.order_by(table.c.id)).all()
    else:
        wanted = sorted(ids)
        rows = []
        for i in range(0, len(wanted), IN_CHUNK):
            rows += session.execute(base.where(table.c.id.in_(wanted[i:i + IN_CHUNK]))).all()
        rows.sort(key=lambda r: r.id)
    keys = [k for k, _c in tables.columns(entity)]
    return [{k: audit.plain(v) for k, v in zip(keys, r)} for r in rows]


def source_records(session: Session, sources: list[dict]) -> list[dict]:
    """The rows of the data sources in the package (not of withdrawn ones: no check reads them)."""
    wanted = sorted(s["id"] for s in sources if s["deleted_at"] is None)
    cols = [getattr(SourceRecord, f) for f in tables.SOURCE_RECORD_FIELDS]
    out = []
    for i in range(0, len(wanted), IN_CHUNK):
        rows = session.execute(select(*cols).where(SourceRecord.source_id.in_(wanted[i:i + IN_CHUNK]))
                               .order_by(SourceRecord.source_id, SourceRecord.row_no, SourceRecord.id))
        out += [dict(zip(tables.SOURCE_RECORD_FIELDS, (audit.plain(v) for v in r))) for r in rows]
    return out


def audit_rows(session: Session, since: int) -> list[dict]:
    rows = session.execute(select(AuditEntry).where(AuditEntry.seq > since).order_by(AuditEntry.seq)).scalars()
    return [{"seq": e.seq, "ts": audit.plain(e.ts), "user": e.username, "office": e.office,
             "action": e.action, "entity": e.entity, "entity_id": e.entity_id, "before": e.before,
             "after": e.after, "prev_hash": e.prev_hash, "hash": e.hash} for e in rows]


def calendar_rows(session: Session) -> list[dict]:
    """The district's holiday calendar from next year on (years it has covered)."""
    first = clock.today().year + 1
    years = session.execute(select(CalendarYear.year).where(CalendarYear.year >= first)
                            .order_by(CalendarYear.year)).scalars().all()
    rows = [{"year": y, "day": None, "kind": None, "name": None} for y in years]
    for d in session.execute(select(CalendarDay).where(CalendarDay.day >= date(first, 1, 1))
                             .order_by(CalendarDay.day)).scalars():
        if d.day.year in years:
            rows.append({"year": d.day.year, "day": d.day.isoformat(), "kind": d.kind, "name": d.name})
    return rows


def report_documents(session: Session, actor: Actor, period: str) -> list[dict]:
    """The period's 动态管理月报 as a PDF, carried in the package (base64 in its JSON line)."""
    import base64
    import tempfile

    from app import reports

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"动态管理月报-{period}.pdf"
        reports.make_monthly(session, actor, out, period=reports.parse_period(period, today=clock.today()),
                             today=clock.today())
        data = out.read_bytes()
    return [{"name": out.name, "sha256": fmt.sha256(data), "size": len(data),
             "data": base64.b64encode(data).decode("ascii")}]


def export_package(session: Session, actor: Actor, to_code: str, out_dir: Path | str, *,
                   full: bool = False, period: str | None = None, reports: bool = False,
                   volume_size: int = fmt.VOLUME_SIZE) -> ExportResult:
    """Write the next package for ``to_code`` into ``out_dir``; log it and lock its month."""
    require(actor, "sync.exchange")
    own = offices.own_office(session)
    card = cards.peer_card(session, to_code)
    if card is None:
        raise ValidationError("接收单位", to_code, "尚未导入该单位的名片，请先导入名片（card import）")
    cards.ensure_keys(session, actor)
    keys = cards.own_keys(session)
    period = check_period(period or current_period())
    peer = peer_state(session, to_code, lock_row=True)
    note = None
    if not full and peer.acked_seq is None:
        full, note = True, "与该单位的第一个数据包必须是完整数据包，已自动生成完整数据包。"
    since = peer.acked_audit_seq or 0
    changed = None if full else changed_ids(session, since)
    sections: list[tuple[str, list[dict]]] = []
    for entity in tables.tables_for(own.level):
        ids = None if changed is None else changed.get(entity, set())
        if ids is not None and not ids:
            sections.append((entity, []))
            continue
        sections.append((entity, collect_rows(session, entity, own.code, ids,
                                              to_code if own.level == "district" else None)))
    if own.level == "district":
        sources = dict(sections)["data_source"]
        sections.append((tables.SOURCE_RECORDS, source_records(session, sources)))
        sections.append(("calendar", calendar_rows(session)))
    if reports:
        sections.append(("documents", report_documents(session, actor, period)))
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, audit.GENESIS)
    # the audit entries since the acknowledged position; before any acknowledgement, since the
    # head the first package carried (the district anchors the chain at the first head it sees)
    entries = []
    if own.level == "township":
        start = since if peer.acked_seq is not None else log.first_audit_seq(session, to_code)
        entries = [] if start is None else audit_rows(session, start)
    sections.append(("audit_log", entries))
    plain, index = fmt.encode_sections(sections)
    method = "zlib"
    cipher, key = fmt.encrypt(fmt.compress(plain, method), bytes.fromhex(card.box_public))
    seq = peer.out_seq + 1
    manifest = {
        "format": fmt.FORMAT_VERSION, "kind": "full" if full else "delta", "sender": own.code,
        "sender_level": own.level, "recipient": to_code, "seq": seq,
        "prev_hash": peer.out_hash or audit.GENESIS, "period": period,
        "created": clock.utcnow().isoformat(sep=" "), "app_version": fmt.APP_VERSION,
        "schema": head_revision(), "sections": index, "plain_size": len(plain),
        "compression": method, "audit": {"seq": head_seq, "hash": head_hash, "since": since},
        "payload_sha256": fmt.sha256(cipher), "payload_size": len(cipher), "key": key}
    manifest_bytes = fmt.canonical_bytes(manifest)
    data = fmt.write_zip(manifest_bytes, cipher, fmt.sign(manifest_bytes, keys.sign))
    package_hash = fmt.sha256(manifest_bytes)
    name = fmt.file_name(own.code, period, seq, manifest["kind"],
                        to_code if own.level == "district" else None)
    counts = {e["name"]: e["rows"] for e in index}
    peer.out_seq, peer.out_hash = seq, package_hash
    log.write(session, actor, direction="out", kind=manifest["kind"], peer=to_code, seq=seq,
              period=period, package_hash=package_hash, audit_seq=head_seq, file_name=name,
              summary=counts)
    lock.lock_period(session, actor, period, package_hash)
    audit.record(session, actor, "sync.export", "package", package_hash[:40],
                 None, {"recipient": to_code, "kind": manifest["kind"], "seq": seq, "period": period,
                        "counts": counts})
    paths = fmt.write_file(Path(out_dir), name, data, volume_size)
    return ExportResult(paths, len(data), manifest["kind"], seq, period, to_code, counts,
                        package_hash, note)
