"""The import's storage fast paths (app.sync.tables.check_plain / insert_plain, the audit text,
the line decoding) give exactly what the general code gives: the same refusals with the same
reasons, the same stored text, the same chain hashes."""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime

import pytest
from sqlalchemy import (Boolean, Column, Date, DateTime, Integer, MetaData, Numeric, String, Table, create_engine,
                        insert, text)

import db.assessment_models  # noqa: F401 - registers the audited tables
import db.check_models  # noqa: F401
import db.ledger_models  # noqa: F401
import db.procedure_models  # noqa: F401
import db.sync_models  # noqa: F401
from app import audit
from app.permissions import Actor
from app.sync import format as fmt, importer, tables
from app.sync.format import PackageRefused
from db.models import Base
from sync_support import PG_URL, make_pg_district

ENTITIES = list(dict.fromkeys(tables.TOWNSHIP_TABLES + tables.DISTRICT_TABLES))


def _plain_row(entity: str, variant: int = 0) -> dict:
    """A row of every column's type, as a package carries it (variant 1: other values and the
    accepted but unusual writings — an ISO week date; a time with a zone is refused)."""
    row = {}
    for key, col in tables.columns(entity):
        typ = col.type
        if isinstance(typ, DateTime):
            row[key] = "2026-11-20 09:30:05" if variant == 0 else "2026-02-28 23:59:59"
        elif isinstance(typ, Date):
            row[key] = "2026-02-28" if variant == 0 else "2026-W47-5"
        elif isinstance(typ, Numeric):
            row[key] = "1234.56" if variant == 0 else "-0.10"
        elif isinstance(typ, Boolean):
            row[key] = variant == 0
        elif isinstance(typ, Integer):
            row[key] = 3
        elif isinstance(typ, String) and typ.length:
            row[key] = "张三 \"x\""[:typ.length]
        else:
            row[key] = "备注：\\ \"引号\"\n第二行"
    row["id"] = str(uuid.uuid4())
    return row


@pytest.mark.parametrize("variant", [0, 1])
@pytest.mark.parametrize("entity", ENTITIES)
def test_stored_text_is_what_sqlalchemy_stores(entity, variant):
    """Each column's stored value (type and text, SQLite's quote()) of a row inserted from its
    plain values equals that of the same row inserted by SQLAlchemy from the converted values."""
    table = tables.model(entity).__table__
    plain = _plain_row(entity, variant)
    tables.check_plain(entity, plain)
    cols = ", ".join(f'quote("{c.name}")' for c in table.columns)
    stored = []
    for by_sqlalchemy in (True, False):  # a database each (the tables' unique keys)
        engine = create_engine("sqlite://")
        Base.metadata.create_all(engine, tables=[table])
        with engine.begin() as conn:
            if by_sqlalchemy:
                conn.execute(insert(table), [tables.to_values(entity, plain)])
            else:
                tables.insert_plain(conn, entity, [plain])
            stored.append(conn.execute(text(f'SELECT {cols} FROM "{table.name}"')).all())
    assert len(stored[0]) == 1 and stored[0] == stored[1]


MOMENTS = ["2026-11-20 09:30:05", "2026-11-20T09:30:05", "2026-11-20 09:30:05.000001", "2026-11-20 09:30",
           "2026-02-30 00:00:00", "2026-11-20 24:00:00", "2026-11-20 23:59:60", "2026-11-20 09:30:05+08:00",
           "0000-01-01 00:00:00", "2026-11-20 ０9:30:05", "2026-11-20 09:30:05 ", "", "x", 20261120, None]
DAYS = ["2026-11-20", "2026-02-29", "2028-02-29", "2026-W47-5", "20261120", "2026-11-2", "2026-11-20 ",
        "２026-11-20", "2026-13-01", 5, True]
AMOUNTS = ["0.00", "-0.00", "12.50", "012.50", "1e3", "NaN", "12.5", 12.5, "-7.05", "١٢.٥٠"]


def _general(entity: str, key: str, value: object) -> str | None:
    """What the general conversion says of one value: None (accepted) or the reason."""
    for k, nullable, convert in tables._converters(entity)[1]:
        if k == key:
            if value is None:
                return None if nullable else f"{key} 不能为空"
            if convert is None:  # unlimited text
                return None if isinstance(value, str) else f"{key} 应为文字"
            try:
                convert(value)
            except ValueError as exc:
                return str(exc)
            return None
    raise AssertionError(key)


@pytest.mark.parametrize("value", MOMENTS + DAYS + AMOUNTS + ["x" * 40, "", 7, False])
def test_check_plain_refuses_as_the_general_conversion(value):
    """Every typed column of a household and a member: the fast check accepts exactly what the
    general conversion accepts, and refuses with its reason."""
    for entity in ("household", "member", "step"):
        base = _plain_row(entity)
        for key, col in tables.columns(entity):
            if key in ("id", "version"):
                continue
            expected = _general(entity, key, value)
            try:
                tables.check_plain(entity, dict(base, **{key: value}))
                got = None
            except ValueError as exc:
                got = str(exc)
            assert got == expected, (entity, key, value)


def test_check_plain_field_and_key_reasons():
    row = _plain_row("household")
    with pytest.raises(ValueError, match="字段不符"):
        tables.check_plain("household", dict(row, extra=1))
    with pytest.raises(ValueError, match="id 应为 UUID"):
        tables.check_plain("household", dict(row, id="short"))
    with pytest.raises(ValueError, match="version"):
        tables.check_plain("household", dict(row, version=0))
    with pytest.raises(ValueError, match="updated_at 的写法不规范"):  # stored without a zone: none is taken
        tables.check_plain("household", dict(row, updated_at="2026-11-20 09:30:05+08:00"))


def test_audit_rows_hash_as_app_audit_records():
    actor = Actor(username="管理员\"a\"", display_name="管理员", role="admin", office_code="330110001")
    before = {"id": "a", "note": "旧 \\ \"值\"\n", "n": 1, "x": None, "ok": True}
    after = dict(before, note="新值 \u2028 \t", n=2)
    now = datetime(2026, 11, 20, 9, 30, 5)
    items = [("sync.import", "household", "a", None, after), ("sync.import", "household", "a", before, after),
             ("sync.supersede", "standard", "b", before, None)]
    rows, seq, prev = importer._audit_rows(actor, now, 7, "0" * 64, items)
    rows = [dict(zip(importer.AUDIT_COLUMNS, r)) for r in rows]
    assert seq == 10 and prev == rows[-1]["hash"] and {r["ts"] for r in rows} == {now}
    chain = "0" * 64
    for row, (action, entity, eid, b, a) in zip(rows, items):
        entry = {"seq": row["seq"], "ts": audit.plain(now), "user": actor.username, "office": actor.office_code,
                 "action": action, "entity": entity, "entity_id": eid,
                 "before": None if b is None else audit.canonical(b), "after": None if a is None else audit.canonical(a)}
        assert row["before"] == entry["before"] and row["after"] == entry["after"]
        assert row["hash"] == hashlib.sha256((chain + audit.canonical(entry)).encode()).hexdigest()
        assert row["hash"] == audit.entry_hash(chain, entry)
        chain = row["hash"]


def _section(lines: list[bytes]) -> tuple[bytes, list[dict]]:
    body = b"".join(line + b"\n" for line in lines)
    return body, [{"name": "member", "rows": len(lines), "bytes": len(body), "sha256": fmt.sha256(body)}]


def test_lines_read_as_json_loads_reads_them():
    body, index = _section([b'{"id":"a"}', b' {"id":"b"} ', b'{"id":"c","n":[1,{"x":"\\u4e00"}]}'])
    assert fmt.decode_sections(body, index)["member"] == [{"id": "a"}, {"id": "b"}, {"id": "c", "n": [1, {"x": "一"}]}]


@pytest.mark.parametrize("lines", [
    [b'{"id":"a"} x'],
    [b'{"id":"a"}{"id":"b"}'],
    [b'{"a":"x', b'y"}', b'{},{}'],  # one value across two lines, two on one: not JSON Lines
    [b'{"a":[{}', b'{}]}', b'{},{}'],
    [b'{"id":"a"', b'}'],
    [b''],
    [b'{"id":NaN'],
])
def test_a_malformed_line_is_refused_with_the_sections_name(lines):
    body, index = _section(lines)
    with pytest.raises(PackageRefused, match="“member”部分不是有效的 JSON Lines"):
        fmt.decode_sections(body, index)


def test_a_line_that_is_not_an_object_is_refused():
    body, index = _section([b'{"id":"a"}', b'[1]'])
    with pytest.raises(PackageRefused, match="“member”部分的记录格式不对"):
        fmt.decode_sections(body, index)


@pytest.mark.skipif(not PG_URL, reason="QINGFENG_TEST_PG_URL 未设置：没有 PostgreSQL 测试服务器")
def test_copy_rows_store_what_sqlalchemy_stores_on_postgres():
    """On PostgreSQL the rows COPY sends (tables.pg_rows: a canonical day, moment or amount as
    its text) store, column by column, what SQLAlchemy stores from the converted values — for
    every table, in the canonical and in the unusual accepted writings."""
    database, drop = make_pg_district()
    copy = MetaData(schema="plain_copy")  # the tables' columns and keys, without foreign keys
    for entity in ENTITIES:
        t = tables.model(entity).__table__
        Table(t.name, copy, *[Column(c.name, c.type, primary_key=c.primary_key, autoincrement=False)
                              for c in t.columns])
    try:
        with database.engine.connect() as conn, conn.begin():
            conn.execute(text("CREATE SCHEMA plain_copy"))
            copy.create_all(conn)
            conn.execute(text("SET LOCAL search_path TO plain_copy"))
            for entity, variant in [(e, v) for e in ENTITIES for v in (0, 1)]:
                table = tables.model(entity).__table__
                plain = _plain_row(entity, variant)
                tables.check_plain(entity, plain)
                cols = ", ".join(f'"{c.name}"::text' for c in table.columns)
                stored = []
                for by_sqlalchemy in (True, False):
                    if by_sqlalchemy:
                        conn.execute(insert(table), [tables.to_values(entity, plain)])
                    else:
                        tables.insert_plain(conn, entity, [plain])
                    stored.append(conn.execute(text(f'SELECT {cols} FROM "{table.name}"')).all())
                    conn.execute(text(f'DELETE FROM "{table.name}"'))
                assert len(stored[0]) == 1 and stored[0] == stored[1], (entity, variant)
            conn.rollback()
    finally:
        drop()
