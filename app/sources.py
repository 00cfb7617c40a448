"""External lists as dated data sources: 殡葬/公安死亡名单, 财政供养人员, 车辆, 不动产, 市场主体,
社会保险, 残疾人证（一、二级）, 重特大疾病, 防返贫监测对象 and others.

A list is read with the same header detection as a roster (:mod:`app.imports.mapping`), each
row checked (an ID number is required; one damaged by Excel is refused, never repaired), and kept
in the database with its date, origin and row counts for the cross-checks (:mod:`app.checks`).
The same file imported twice for the same kind is recognised by its hash and not stored again.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app import audit, clock
from app.errors import NotFound, ValidationError
from app.households import require_own
from app.imports import mapping as mp
from app.imports import values as val
from app.imports.readers import ReadError, is_blank, read_book
from app.imports.roster import Issue
from app.permissions import Actor, require
from db.check_models import DataSource, SourceRecord
from db.models import utcnow

KINDS = {"deaths": "死亡名单（殡葬、公安）", "servants": "财政供养人员", "vehicles": "车辆登记",
         "property": "不动产登记", "business": "市场主体登记", "insurance": "社会保险参保",
         "disability": "残疾人证（一、二级）", "illness": "重特大疾病", "monitoring": "防返贫监测对象",
         "other": "其他"}
MAX_LISTED = 8


@dataclass
class SourcePlan:
    file: str
    kind: str
    file_hash: str
    rows: list[dict] = field(default_factory=list)
    refused: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: list[mp.Table] = field(default_factory=list)
    duplicate_of: str | None = None  # an earlier import of the same file

    def summary(self) -> dict:
        return {"kind": self.kind, "rows": len(self.rows), "refused": len(self.refused),
                "damaged": sum(1 for i in self.refused if i.damaged), "warnings": len(self.warnings),
                "duplicate_of": self.duplicate_of}


@dataclass(frozen=True)
class SourceInfo:
    id: str
    kind: str
    kind_label: str
    origin: str
    list_date: date
    file_name: str
    rows_total: int
    rows_accepted: int
    rows_refused: int
    imported_at: str
    imported_by: str | None
    note: str | None


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationError("数据类别", kind, f"应为：{'、'.join(f'{k}（{v}）' for k, v in KINDS.items())}")
    return kind


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def plan_source(session: Session, path: str | Path, *, kind: str,
                corrections: dict[int, str | None] | None = None, today: date | None = None) -> SourcePlan:
    """Read and check an external list; nothing is written."""
    today = today or clock.today()
    path = Path(path)
    plan = SourcePlan(path.name, _kind(kind), "")
    book = read_book(path)
    plan.file_hash = file_hash(path)
    plan.notes.extend(book.notes)
    earlier = session.execute(select(DataSource).where(
        DataSource.file_hash == plan.file_hash, DataSource.kind == kind,
        DataSource.deleted_at.is_(None))).scalars().first()
    if earlier is not None:
        plan.duplicate_of = earlier.id
        plan.notes.append(f"此文件已于 {earlier.created_at:%Y-%m-%d %H:%M} 作为“{KINDS[kind]}”导入过"
                          f"（{earlier.origin}，{earlier.list_date}），不会重复导入")
    for sheet in book.sheets:
        table = mp.find_table(sheet, mp.SOURCE_FIELDS)
        if table is None:
            if any(not is_blank(v) for r in sheet.rows[:50] for v in r):
                plan.notes.append(f"工作表“{sheet.name}”中找不到可识别的表头，已跳过")
            continue
        mp.apply_saved(session, table, mp.SOURCE_FIELDS)
        if corrections and not plan.tables:
            mp.correct(table, corrections, mp.SOURCE_FIELDS)
        plan.tables.append(table)
        plan.notes.extend(f"工作表“{table.sheet}”第 {r} 行：{why}，已跳过" for r, why in table.skipped)
        if "id_number" not in table.mapping.values():
            plan.refused.append(Issue(table.sheet, table.header_row, "", "缺少必需的列：身份证号"))
            continue
        _rows(table, plan, today)
    if not plan.tables:
        raise ReadError(path, "找不到表头：没有一个工作表含有“姓名”“身份证号”等可识别的列名")
    return plan


def _rows(table: mp.Table, plan: SourcePlan, today: date) -> None:
    cols = {f: c for c, f in table.mapping.items()}

    def cell(row: list, fld: str) -> object:
        c = cols.get(fld)
        return row[c] if c is not None and c < len(row) else None

    for number, row in table.rows:
        where = (table.sheet, number)
        try:
            res = val.id_number(cell(row, "id_number"), today=today)
        except val.CellError as exc:
            plan.refused.append(Issue(*where, table.column_name(cols["id_number"]), exc.reason, damaged=exc.damaged))
            continue
        record = {"row_no": number, "id_number": res.info.number, "name": None, "event_date": None,
                  "detail": None, "address": None}
        for fld, fn in (("name", val.name), ("event_date", val.day), ("detail", val.text), ("address", val.text)):
            if fld in cols and not is_blank(cell(row, fld)):
                try:
                    record[fld] = fn(cell(row, fld))
                except val.CellError as exc:
                    plan.refused.append(Issue(*where, table.column_name(cols[fld]), exc.reason))
                    break
        else:
            if record["event_date"] and record["event_date"] > today:
                plan.refused.append(Issue(*where, table.column_name(cols["event_date"]),
                                          f"日期 {record['event_date']} 晚于今天"))
                continue
            plan.warnings.extend(Issue(*where, table.column_name(cols["id_number"]), f"身份证号：{fix}")
                                 for fix in res.fixes)
            plan.rows.append(record)


def apply_source(session: Session, actor: Actor, plan: SourcePlan, *, origin: str, list_date: date,
                 skip_refused: bool = False, note: str | None = None) -> SourceInfo | None:
    """Keep the list (one transaction, audited as one event). Returns None when the same file was
    already imported (nothing written)."""
    require(actor, "import.source")
    origin = " ".join((origin or "").split())
    if not origin:
        raise ValidationError("数据来源单位", origin, "必须填写（如 县殡葬管理所、县公安局）")
    if list_date is None or list_date > clock.today():
        raise ValidationError("数据日期", list_date, "必须填写，且不能晚于今天")
    if plan.duplicate_of:
        return None
    if plan.refused and not skip_refused:
        shown = "\n".join(i.text() for i in plan.refused[:MAX_LISTED])
        raise ValidationError("导入文件", plan.file, f"有 {len(plan.refused)} 处错误，未写入任何数据：\n{shown}")
    src = DataSource(owner_office=actor.office_code, kind=plan.kind, origin=origin[:100], list_date=list_date,
                     file_name=plan.file[:200], file_hash=plan.file_hash,
                     rows_total=len(plan.rows) + len(plan.refused), rows_accepted=len(plan.rows),
                     rows_refused=len(plan.refused), note=note, updated_by=actor.username)
    session.add(src)
    audit.record_change(session, actor, "source.import", "data_source", src, None)
    for i in range(0, len(plan.rows), 20000):
        session.execute(insert(SourceRecord), [{**r, "source_id": src.id} for r in plan.rows[i:i + 20000]])
    return _info(src)


def _info(s: DataSource) -> SourceInfo:
    return SourceInfo(s.id, s.kind, KINDS.get(s.kind, s.kind), s.origin, s.list_date, s.file_name,
                      s.rows_total, s.rows_accepted, s.rows_refused, f"{s.created_at:%Y-%m-%d %H:%M}",
                      s.updated_by, s.note)


def list_sources(session: Session, *, kind: str | None = None) -> list[SourceInfo]:
    stmt = select(DataSource).where(DataSource.deleted_at.is_(None))
    if kind:
        stmt = stmt.where(DataSource.kind == _kind(kind))
    return [_info(s) for s in session.execute(stmt.order_by(DataSource.list_date.desc(),
                                                             DataSource.created_at.desc())).scalars()]


def _source(session: Session, ref: str) -> DataSource:
    ref = (ref or "").strip().lower()
    rows = session.execute(select(DataSource).where(DataSource.deleted_at.is_(None))).scalars().all()
    hits = [s for s in rows if s.id == ref or (len(ref) >= 6 and s.id.startswith(ref))]
    if len(hits) != 1:
        raise NotFound(f"找不到数据源“{ref}”（请用 source list 中的编号）" if not hits
                       else f"编号“{ref}”对应多个数据源，请写得更长一些")
    return hits[0]


def remove_source(session: Session, actor: Actor, ref: str, *, reason: str) -> SourceInfo:
    """Withdraw a list (e.g. the wrong file): later checks no longer use it. Audited."""
    require(actor, "import.source")
    if not (reason or "").strip():
        raise ValidationError("删除原因", reason, "必须填写")
    s = _source(session, ref)
    require_own(actor, s, "数据源")  # a list the district sent is withdrawn at the district
    before = audit.state(s)
    s.deleted_at, s.updated_at, s.updated_by = utcnow(), utcnow(), actor.username
    s.note = ((s.note + "；") if s.note else "") + f"删除：{reason.strip()}"
    audit.record_change(session, actor, "source.remove", "data_source", s, before)
    return _info(s)


def record_count(session: Session, source_id: str) -> int:
    return session.execute(select(func.count()).select_from(SourceRecord)
                           .where(SourceRecord.source_id == source_id)).scalar_one()
