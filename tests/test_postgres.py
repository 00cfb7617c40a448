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
