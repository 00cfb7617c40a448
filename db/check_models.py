"""Tables of imports and cross-checks: saved column layouts, external lists (data sources) with
their rows, and the findings of the cross-check rules.

Imported at the end of :mod:`db.models` (like the ledger tables). UUID keys and the ``Synced``
columns so that they can travel in sync packages later. Source rows and findings are not in
``AUDITED`` one by one (a death list has 100,000 rows): the import of a source, and the
confirmation or dismissal of a finding, are audited as events (``app.audit.record``).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models import AUDITED, Base, Synced


class ImportLayout(Synced, Base):
    """The clerk's column mapping for files whose header has this signature."""

    __tablename__ = "import_layouts"
    signature: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    labels: Mapped[str] = mapped_column(Text)  # JSON list of header labels
    mapping: Mapped[str] = mapped_column(Text)  # JSON {column index: field}


class DataSource(Synced, Base):
    """An external list imported as a dated data source (殡葬死亡名单, 财政供养人员 …)."""

    __tablename__ = "data_sources"
    kind: Mapped[str] = mapped_column(String(20), index=True)
    origin: Mapped[str] = mapped_column(String(100))  # who sent it (县殡葬管理所, 公安局 …)
    list_date: Mapped[date] = mapped_column(Date)  # the date the list is as of
    file_name: Mapped[str] = mapped_column(String(200))
    file_hash: Mapped[str] = mapped_column(String(64), index=True)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_accepted: Mapped[int] = mapped_column(Integer, default=0)
    rows_refused: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)


class SourceRecord(Base):
    """One row of a data source (not synced on its own: it travels with its source)."""

    __tablename__ = "source_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("data_sources.id"), index=True)
    row_no: Mapped[int] = mapped_column(Integer)
    name: Mapped[str | None] = mapped_column(String(60))
    id_number: Mapped[str] = mapped_column(String(18))
    event_date: Mapped[date | None] = mapped_column(Date)
    detail: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(200))
    __table_args__ = (Index("ix_source_records_id_number", "id_number", "source_id"),)


class CheckFinding(Synced, Base):
    """One red flag of a cross-check rule, with its evidence; confirmed into a problem or
    dismissed with a reason. ``key`` is stable: re-running a check never duplicates."""

    __tablename__ = "check_findings"
    key: Mapped[str] = mapped_column(String(160), index=True)
    rule: Mapped[str] = mapped_column(String(20), index=True)
    category: Mapped[str] = mapped_column(String(30))  # problem category if confirmed
    household_id: Mapped[str | None] = mapped_column(ForeignKey("households.id"), index=True)
    member_id: Mapped[str | None] = mapped_column(String(36))
    person_name: Mapped[str | None] = mapped_column(String(60))
    id_number: Mapped[str | None] = mapped_column(String(18))
    source_id: Mapped[str | None] = mapped_column(String(36))
    evidence: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(8), index=True)  # 待处理 | 已确认 | 已排除 | 已消失
    found_date: Mapped[date] = mapped_column(Date)
    last_seen: Mapped[date] = mapped_column(Date)
    decided_date: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    problem_id: Mapped[str | None] = mapped_column(String(36))


CHECK_AUDITED = {"import_layout": ImportLayout, "data_source": DataSource}
CHECK_LABELS = {"import_layout": "导入列对照", "data_source": "比对数据源", "check_finding": "比对疑点"}
AUDITED.update(CHECK_AUDITED)
