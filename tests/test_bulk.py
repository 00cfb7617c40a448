"""app.bulk: many rows at once, exactly as the one-by-one path would store and audit them."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app import audit, bulk
from db.models import AuditEntry, Household, Step, Village, new_id


def _village(s):
    return s.execute(select(Village)).scalars().first()


def test_audit_new_continues_the_chain_like_record(env):
    """Entries written in bulk hash exactly as app.audit.record would (quotes, backslashes, line
    breaks and non-ASCII in the state), interleaved with ordinary entries: verify is clean."""
    with env.database.session() as s:
        v = _village(s)
        now = datetime(2026, 11, 20, 9, 30, 15, 123456)
        blank = {c.key: None for c in Household.__table__.columns}
        rows = [{**blank, "id": new_id(), "owner_office": env.reviewer.office_code, "version": 1,
                 "created_at": now, "updated_at": now, "number": f"T-{i}", "village_id": v.id,
                 "head_name": name, "urban_rural": "农村", "category": "农村低保", "status": "在保",
                 "monthly_amount": Decimal("620.5"), "approve_date": date(2026, 1, 2),
                 "note": 'say "hi"\\ \n\t\u3000 ü 𠀀'} for i, name in enumerate(("张三", "王五"))]
        audit.record(s, env.reviewer, "test.before", "test", "x", None, {"a": 1})
        bulk.insert_rows(s, Household.__table__, rows)
        state = bulk.state_json(Household.__table__)
        assert bulk.audit_new(s, env.reviewer, [("household.import", "household", r["id"], state(r))
                                                for r in rows]) == 2
        audit.record(s, env.reviewer, "test.after", "test", "y", None, {"b": 2})
    with env.database.session(write=False) as s:
        entries = s.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(4)).scalars().all()[::-1]
        assert [e.action for e in entries] == ["test.before", "household.import", "household.import", "test.after"]
        for prev, e in zip(entries, entries[1:]):
            assert e.prev_hash == prev.hash and e.seq == prev.seq + 1
            assert audit.entry_hash(e.prev_hash, audit.entry_dict(e)) == e.hash
        stored = s.execute(select(Household).where(Household.number == "T-0")).scalar_one()
        assert stored.monthly_amount == Decimal("620.50") and stored.approve_date == date(2026, 1, 2)
        assert audit.canonical(audit.state(stored)) == entries[1].after
        report = audit.verify(s)
        assert report.ok, report.problems[:3]


def test_update_rows_sets_values_and_expressions(env):
    from sqlalchemy import literal_column

    with env.database.session() as s:
        v = _village(s)
        hid = new_id()
        s.add(Household(id=hid, owner_office="x", number="U-1", village_id=v.id, head_name="甲", category="农村低保",
                        status="在保"))
        s.flush()
        sid = new_id()
        s.add(Step(id=sid, owner_office="x", household_id=hid, kind="其他", day=date(2026, 1, 1), handler="乙",
                   outcome="无"))
        s.flush()
        table = Step.__table__
        bulk.update_rows(s, table, [{"id": sid, "day": date(2026, 2, 3), "note": "改"}],
                         also={"version": table.c.version + literal_column("1")})
        s.expire_all()
        step = s.get(Step, sid)
        assert (step.day, step.note, step.version) == (date(2026, 2, 3), "改", 2)
        s.rollback()


def test_insert_rows_refuses_to_leave_out_a_defaulted_column(env):
    with env.database.session() as s, pytest.raises(ValueError, match="version"):
        bulk.insert_rows(s, Step.__table__, [{"id": new_id(), "household_id": "h", "kind": "其他"}])


def test_fresh_ids_look_like_new_id():
    import uuid

    ids = bulk.fresh_ids(2000)
    assert len(set(ids)) == 2000
    for i in ids:
        u = uuid.UUID(i)
        assert str(u) == i and u.version == 4 and u.variant == uuid.RFC_4122 and len(i) == len(new_id())


@given(st.lists(st.fixed_dictionaries({
    "head_name": st.text(max_size=8), "note": st.one_of(st.none(), st.text(max_size=20)),
    "monthly_amount": st.one_of(st.decimals(min_value=0, max_value=99999, places=2), st.integers(0, 9), st.none()),
    "approve_date": st.one_of(st.none(), st.dates()),
    "version": st.integers(-5, 10**12), "created_at": st.datetimes(),
}), min_size=1, max_size=6))
@settings(max_examples=60)
def test_state_json_is_the_canonical_json_of_the_state(rows):
    """Piece by piece (repeated values reused) it writes exactly what app.audit.canonical writes."""
    state = bulk.state_json(Household.__table__)
    blank = {c.key: None for c in Household.__table__.columns}
    shared = datetime(2026, 11, 20, 8, 0, 0)
    for i, values in enumerate(rows):
        row = {**blank, **values, "id": f"id-{i}", "updated_at": shared, "urban_rural": "农村"}
        expected = {k: audit.plain(v) for k, v in row.items()}
        assert state(row) == audit.canonical(expected)


@given(st.lists(st.fixed_dictionaries({
    "head_name": st.text(max_size=8), "note": st.one_of(st.none(), st.text(max_size=20)),
    "monthly_amount": st.one_of(st.decimals(min_value=0, max_value=99999, places=2), st.integers(0, 9), st.none()),
    "approve_date": st.one_of(st.none(), st.dates()),
    "version": st.one_of(st.just(1), st.integers(-5, 10**12)), "created_at": st.datetimes(),
    "address": st.sampled_from(["%s 100%", "a%%b", None]),
}), min_size=1, max_size=6))
@settings(max_examples=60)
def test_state_jsons_writes_each_rows_state_json(rows):
    """All rows at once (values shared by every row written once): the same text row by row."""
    blank = {c.key: None for c in Household.__table__.columns}
    shared = datetime(2026, 11, 20, 8, 0, 0)
    full = [{**blank, **values, "id": f"id-{i}", "updated_at": shared, "urban_rural": "农村"}
            for i, values in enumerate(rows)]
    assert bulk.state_jsons(Household.__table__, full) == [
        audit.canonical({k: audit.plain(v) for k, v in row.items()}) for row in full]


def test_insert_rows_stores_what_sqlalchemy_stores(env):
    """Columns alike in every row are written into the statement as literals (text with quotes,
    NULL, whole numbers, time stamps, flags), the others bound: each stored value — its text and
    its SQLite type — is what SQLAlchemy's own INSERT stores for the same row."""
    from sqlalchemy import insert, text

    with env.database.session() as s:
        v = _village(s)
        now = datetime(2026, 11, 20, 9, 30, 15, 123456)
        blank = {c.key: None for c in Household.__table__.columns}
        note = "王'五\"的 ''说明'' ? %s %% :x ; DROP TABLE households; --"

        def rows(prefix: str) -> list[dict]:
            return [{**blank, "id": f"{prefix}{i:032d}"[:36], "owner_office": env.reviewer.office_code,
                     "version": 1, "created_at": now, "updated_at": now, "number": f"{prefix}-{i}",
                     "village_id": v.id, "head_name": "张三" if i % 2 else "李四", "urban_rural": "农村",
                     "category": "农村低保", "status": "在保", "monthly_amount": Decimal("620.50"),
                     "approve_date": date(2026, 1, 2), "note": note} for i in range(3)]
        bulk.insert_rows(s, Household.__table__, rows("bulk"))
        s.execute(insert(Household), rows("orm_"))
        cols = [c.name for c in Household.__table__.columns if c.name not in ("id", "number")]
        picked = ", ".join(f"{c}, typeof({c})" for c in cols)
        stored = {prefix: s.execute(text(f"SELECT {picked} FROM households WHERE id LIKE :p ORDER BY id"),
                                    {"p": prefix + "%"}).all() for prefix in ("bulk", "orm_")}
    assert len(stored["bulk"]) == 3 and stored["bulk"] == stored["orm_"]
    assert stored["bulk"][0][cols.index("note") * 2] == note


def test_insert_rows_with_every_column_alike(env):
    """Rows that are all alike still go in one per row."""
    from db.models import SearchTerm

    with env.database.session() as s:
        v = _village(s)
        now = datetime(2026, 11, 20, 9, 0, 0)
        blank = {c.key: None for c in Household.__table__.columns}
        hid = new_id()
        bulk.insert_rows(s, Household.__table__, [{**blank, "id": hid, "owner_office": env.reviewer.office_code,
                                                   "version": 1, "created_at": now, "updated_at": now,
                                                   "number": "X-1", "village_id": v.id, "head_name": "张三",
                                                   "urban_rural": "农村", "category": "农村低保", "status": "在保",
                                                   "monthly_amount": Decimal("1")}])
        bulk.insert_rows(s, SearchTerm.__table__, [(hid, "zs", 0)], columns=("household_id", "term", "rank"))
        bulk.insert_rows(s, SearchTerm.__table__, [(hid, f"t{i}", 0) for i in range(5)],
                         columns=("household_id", "term", "rank"))
        got = s.execute(select(SearchTerm.term).where(SearchTerm.household_id == hid)).scalars().all()
    assert sorted(got) == ["t0", "t1", "t2", "t3", "t4", "zs"]
