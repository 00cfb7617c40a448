"""The audit chain: written with every change, verified, and raw-SQL tampering named."""
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from app import audit
from app import households as hs
from app.idcard import make_valid_id


def _add(env, name="张三", n=11):
    with env.database.session() as s:
        return hs.create_household(s, env.clerk, village="香水村", category="农村低保",
                                   members=[hs.MemberInput(name=name, id_number=make_valid_id(
                                       "640424", date(1970, 1, 1), n))], monthly_amount="500")


def _verify(env):
    with env.database.session(write=False) as s:
        return audit.verify(s)


def test_untouched_database_verifies(env):
    _add(env)
    report = _verify(env)
    assert report.ok, report.problems
    assert report.entries > 10 and report.records > 5


def test_entry_records_who_what_before_after(env):
    saved = _add(env)
    with env.database.session() as s:  # an application: its amount is edited directly
        hs.edit_household(s, env.reviewer, saved.id, expected_version=None,
                          changes={"monthly_amount": "650"})
    with env.database.session(write=False) as s:
        row = s.execute(text("SELECT username, action, before, after FROM audit_log "
                             "WHERE entity='household' ORDER BY seq DESC LIMIT 1")).one()
    assert row.username == "reviewer" and row.action == "household.update"
    assert '"monthly_amount":"500.00"' in row.before and '"monthly_amount":"650.00"' in row.after


def test_raw_sql_edit_is_named(env):
    saved = _add(env)
    with env.database.engine.begin() as conn:
        conn.execute(text("UPDATE households SET monthly_amount = 9999 WHERE id = :i"), {"i": saved.id})
    report = _verify(env)
    assert not report.ok
    [problem] = report.problems
    assert problem.entity_id == saved.id
    assert "张三" in problem.message and "monthly_amount" in problem.message and "9999" in problem.message


def test_raw_sql_insert_and_delete_are_named(env):
    saved = _add(env)
    with env.database.engine.begin() as conn:
        conn.execute(text("PRAGMA foreign_keys = OFF"))
        conn.execute(text("DELETE FROM steps WHERE household_id = :i"), {"i": saved.id})
        conn.execute(text(
            "INSERT INTO villages (id, owner_office, version, created_at, updated_at, name, sort_order)"
            " VALUES ('v-raw', '640424100', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00', '幽灵村', 9)"))
    messages = " | ".join(p.message for p in _verify(env).problems)
    assert "幽灵村" in messages and "没有审计记录" in messages
    assert "已被绕过本程序删除" in messages


def test_audit_log_is_append_only(env):
    _add(env)
    with pytest.raises(DatabaseError, match="append-only"):
        with env.database.engine.begin() as conn:
            conn.execute(text("UPDATE audit_log SET username = 'x' WHERE seq = 3"))
    with pytest.raises(DatabaseError, match="append-only"):
        with env.database.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log WHERE seq = 3"))


def test_tampered_audit_entry_breaks_chain(env):
    _add(env)
    with env.database.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("UPDATE audit_log SET username = 'ghost' WHERE seq = 5"))
    report = _verify(env)
    assert any(p.seq == 5 and "篡改" in p.message for p in report.problems)


def test_export_is_audited(env):
    with env.database.session() as s:
        audit.record(s, env.clerk, "export", "document", "screening", None,
                     {"what": "排查统计表", "rows": 12})
    with env.database.session(write=False) as s:
        row = s.execute(text("SELECT username, after FROM audit_log ORDER BY seq DESC LIMIT 1")).one()
    assert row.username == "clerk" and "排查统计表" in row.after
    assert _verify(env).ok
