"""The same models and services on PostgreSQL (district scale).

Runs against a real server: set QINGFENG_TEST_PG_URL to a URL whose user may create databases
(.ci/run starts one on loopback); skipped otherwise.
"""
import os
import uuid
from datetime import date

import pytest
from sqlalchemy import create_engine, text

from app import audit, offices, queries, search, users
from app import households as hs
from app.assessment import approvals
from app.errors import ConflictError, ValidationError
from app.idcard import make_valid_id
from db.engine import open_url
from procedure_support import complete_steps

BASE_URL = os.environ.get("QINGFENG_TEST_PG_URL")
pytestmark = pytest.mark.skipif(not BASE_URL, reason="QINGFENG_TEST_PG_URL 未设置：没有 PostgreSQL 测试服务器")


@pytest.fixture(scope="module")
def pg():
    name = f"qf_{uuid.uuid4().hex[:10]}"
    admin = create_engine(BASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name)
    database = open_url(url.render_as_string(hide_password=False), create=True)
    with database.session() as s:
        offices.init_office(s, code="640424", name="泾源县民政局", level="district", parent=None,
                            admin="admin", admin_password="pg-pass-123", villages=["城关社区", "香水村"])
    with database.session(write=False) as s:
        actor = users.actor_for(s, "admin")
    yield database, actor
    database.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_registry_flow_and_audit_on_postgres(pg):
    database, actor = pg
    with database.session() as s:
        saved = hs.create_household(s, actor, village="香水村", category="农村低保", monthly_amount="620.5",
                                    apply_date=date(2026, 10, 1),
                                    members=[hs.MemberInput(name="张三", id_number=make_valid_id(
                                        "640424", date(1960, 1, 1), 1))])
    with database.session() as s:  # two pairs of eyes: a clerk proposes, a reviewer approves
        clerk, reviewer = (users.actor_for(s, users.create_user(
            s, actor, username=u, display_name=u, role=role, password="pg-pass-123").username)
            for u, role in (("clerk", "经办人"), ("reviewer", "审核人")))
        complete_steps(s, clerk, saved.id, date(2026, 11, 1))
        p = approvals.propose_grant(s, clerk, saved.id, reason="符合条件", day=date(2026, 11, 1))
        approvals.approve(s, reviewer, p.id)
    with database.session(write=False) as s:
        d = queries.household_detail(s, saved.id)
        assert d.status == "在保" and str(d.monthly_amount) == "620.50"
        for q in ("zs", "zhangsan", "张三", "6404"):
            assert [h.head_name for h in search.search(s, q)] == ["张三"]
        assert audit.verify(s).ok
    with database.session() as s, pytest.raises(ConflictError):
        hs.edit_household(s, actor, saved.id, expected_version=1, changes={"note": "x"})
    with database.session() as s, pytest.raises(ValidationError, match="张三户"):
        hs.create_household(s, actor, village="城关社区", category="农村低保",
                            members=[hs.MemberInput(name="张三", id_number=make_valid_id(
                                "640424", date(1960, 1, 1), 1))])
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE households SET monthly_amount = 9999"))
    with database.session(write=False) as s:
        report = audit.verify(s)
    assert [p.entity_id for p in report.problems] == [saved.id]


def test_audit_log_append_only_on_postgres(pg):
    database, _ = pg
    with pytest.raises(Exception, match="append-only"):
        with database.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))


def test_roster_import_and_checks_in_bulk_on_postgres(pg, tmp_path):
    """app.bulk's compiled inserts/updates with psycopg's parameter style: a roster goes in
    audited, a second preview finds nothing to change, findings are stored and refreshed."""
    from app import clock, findings
    from app.imports import apply as ap
    from app.imports import roster as ro
    from tests.test_imports_roster import roster_xlsx

    database, actor = pg
    head, wife, son = (make_valid_id("640424", date(1950 + i, 2, 3), 40 + i) for i in range(3))
    rows = [[1, "香水村", "马六", head, "马六", head, "户主", 620, "农村低保"],
            [None, None, None, None, "李花", wife, "妻", None, None],
            [None, None, None, None, "马小", son, "儿子", None, None]]
    path = roster_xlsx(tmp_path / "r.xlsx", rows)
    with database.session() as s, clock.frozen(date(2026, 11, 20)):
        result = ap.apply_roster(s, actor, ro.plan_roster(s, path))
    assert (result.households_added, result.persons_added) == (1, 3)
    with database.session(write=False) as s, clock.frozen(date(2026, 11, 20)):
        assert not ro.plan_roster(s, path).has_changes
        report = audit.verify(s)  # the chain holds; only the household tampered with above is named
        assert all(p.seq is None and p.entity == "household" and p.entity_id not in result.household_ids
                   for p in report.problems), report.problems[:3]
    for day in (date(2026, 11, 20), date(2026, 11, 21)):
        with database.session() as s, clock.frozen(day):
            reports = findings.run_checks(s, actor)
        with database.session(write=False) as s:
            assert all(f.last_seen == day for f in findings.list_findings(s) if f.state == findings.PENDING)
    assert sum(r.new for r in reports) == 0
    from sqlalchemy import literal_column, select

    from app import bulk
    from db.models import Step

    with database.session() as s:
        step = s.execute(select(Step).where(Step.household_id == result.household_ids[0])).scalar_one()
        assert "花名册导入" in step.outcome and step.version == 1
        table = Step.__table__
        bulk.update_rows(s, table, [{"id": step.id, "note": "改", "day": date(2026, 11, 2)}],
                         also={"version": table.c.version + literal_column("1")})
    with database.session(write=False) as s:
        step = s.get(Step, step.id)
        assert (step.note, step.day, step.version) == ("改", date(2026, 11, 2), 2)
