"""SQLAlchemy models. Portable types only (SQLite via SQLCipher, or PostgreSQL).

Every synced record has a UUID key, ``owner_office`` (the office that alone may change it),
``version`` (incremented on every change; a stale write is refused), ``updated_at`` and soft
deletion (``deleted_at``), so that deletions travel in packages.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import (VARCHAR, Boolean, false, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, text,
                        Text, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from db import clock


def new_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """Naive UTC with whole seconds: identical after a round trip through any database."""
    return clock.utcnow()


class Base(DeclarativeBase):
    pass


class Synced:
    """Columns every synced record carries."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    owner_office: Mapped[str] = mapped_column(String(12), index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:  # noqa: N805 - SQLAlchemy directive
        return {"version_id_col": cls.__table__.c.version}


class Office(Synced, Base):
    __tablename__ = "offices"
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))  # township | district
    parent_code: Mapped[str | None] = mapped_column(String(12))
    region_code: Mapped[str] = mapped_column(String(6))
    phone: Mapped[str | None] = mapped_column(String(40))
    district_phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))
    doc_prefix: Mapped[str | None] = mapped_column(String(20))
    is_self: Mapped[bool] = mapped_column(Boolean, default=False)


class Village(Synced, Base):
    __tablename__ = "villages"
    code: Mapped[str | None] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(60))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (UniqueConstraint("owner_office", "name", name="uq_village_name"),)


class Household(Synced, Base):
    __tablename__ = "households"
    number: Mapped[str] = mapped_column(String(32), index=True)  # 户编号
    village_id: Mapped[str] = mapped_column(ForeignKey("villages.id"), index=True)
    head_name: Mapped[str] = mapped_column(String(60))
    address: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    bank_account: Mapped[str | None] = mapped_column(String(40))
    urban_rural: Mapped[str] = mapped_column(String(4), default="农村")
    category: Mapped[str] = mapped_column(String(30), index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)
    classification: Mapped[str | None] = mapped_column(String(2))
    monthly_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    poverty_cause: Mapped[str | None] = mapped_column(String(30))
    apply_date: Mapped[date | None] = mapped_column(Date)
    approve_date: Mapped[date | None] = mapped_column(Date)
    exit_date: Mapped[date | None] = mapped_column(Date)
    exit_reason: Mapped[str | None] = mapped_column(String(200))
    last_review_date: Mapped[date | None] = mapped_column(Date)
    next_review_date: Mapped[date | None] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    # the live register by number: the list's unfiltered count and first page read this small
    # index instead of scanning every (wide) household row
    __table_args__ = (Index("ix_households_live_number", "number",
                            sqlite_where=text("deleted_at IS NULL"),
                            postgresql_where=text("deleted_at IS NULL")),)


class Member(Synced, Base):
    __tablename__ = "members"
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    id_number: Mapped[str | None] = mapped_column(String(18), index=True)
    gender: Mapped[str | None] = mapped_column(String(2))
    birth_date: Mapped[date | None] = mapped_column(Date)
    relation: Mapped[str] = mapped_column(String(20))  # 与户主关系
    lives_together: Mapped[bool] = mapped_column(Boolean, default=True)
    covered: Mapped[bool] = mapped_column(Boolean, default=True)  # 保障对象
    work_ability: Mapped[str | None] = mapped_column(String(20))
    health: Mapped[str | None] = mapped_column(String(100))
    disability: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)


class Step(Synced, Base):
    """One dated step of a case: 受理, 入户调查, 民主评议, 公示, 审核确认, 复核, 调整, 停保/退出 …"""

    __tablename__ = "steps"
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    day: Mapped[date] = mapped_column(Date)
    handler: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)


class User(Synced, Base):
    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(10))  # 经办人 | 审核人 | 管理员
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # an initial or reset password, given by an administrator: changed at the next login
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Setting(Base):
    """A rule setting (time limit, frequency, list). Read only through ``app.rulesettings``."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # canonical JSON
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    __mapper_args__ = {"version_id_col": version}


class AuditEntry(Base):
    """Append-only, hash-chained: hash = sha256(prev_hash + canonical JSON of the entry)."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ts: Mapped[datetime] = mapped_column(DateTime)
    username: Mapped[str] = mapped_column(String(40))
    office: Mapped[str] = mapped_column(String(12))
    action: Mapped[str] = mapped_column(String(30))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[str] = mapped_column(String(60))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)


class AuditHead(Base):
    """One row: the chain head. Updating it serialises writers on every database."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class SearchTerm(Base):
    """Search index: names, pinyin initials, full pinyin, ID numbers, village names.

    The table is its own covering index: its primary key is (rank, term, household_id), and on
    SQLite it is a WITHOUT ROWID table, so a prefix search reads household ids straight from the
    table's B-tree and each term is stored once (a rowid table kept the same three values again
    in an index — a district roster of 100,000 members writes 550,000 terms).

    ``household_id`` has no foreign key: the terms are derived from the household and rewritten
    with it by the code that writes the household (``app.search``, ``app.sync.searchindex``,
    ``app.imports.apply``); a search keeps only the ids it finds among the households. A
    foreign key made the database look up (and, on PostgreSQL, lock) the household again for
    every term: on PostgreSQL that was half the cost of storing the terms of a package."""

    __tablename__ = "search_terms"
    rank: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 0 active, 1/2 otherwise
    # byte-order comparison on every database, so prefix ranges work the same (PostgreSQL's
    # default collation would order by locale); sqlalchemy.VARCHAR is postgresql.VARCHAR, without
    # importing every PostgreSQL driver dialect at start-up
    term: Mapped[str] = mapped_column(String(80).with_variant(
        VARCHAR(80, collation="C"), "postgresql"), primary_key=True)
    household_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
    __table_args__ = {"sqlite_with_rowid": False}


AUDITED = {"office": Office, "village": Village, "household": Household, "member": Member,
           "step": Step, "user": User}
from db import ledger_models  # noqa: E402,F401  (registers the ledger tables)
from db import assessment_models  # noqa: E402,F401  (registers the assessment tables)
from db import check_models  # noqa: E402,F401  (registers the import and cross-check tables)
from db import report_models  # noqa: E402,F401  (registers the report snapshot tables)
from db import procedure_models  # noqa: E402,F401  (registers the procedure and supervision tables)
from db import sync_models  # noqa: E402,F401  (registers the sync tables)
