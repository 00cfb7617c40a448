"""The upgrade path: a database made by the first released schema (revision 0001) is backed up
(verified) and migrated to head on first start; a failed upgrade leaves the old file in place."""
import os
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from app import audit, offices, users
from db import backup, keys, migrate
from db.backup import private_file
from db.engine import open_sqlcipher
from db.errors import UpgradeFailed

# Made by the first released version (commit fba6610, schema 0004) with
#   qingfeng-cli init --office 640424100 --name 香水镇人民政府 --level township --admin admin
#                --village 香水村 --village 泾河村 && qingfeng-cli demo --households 3 --seed 3
# in passphrase mode (generated demo data only).
FIXTURE = Path(__file__).parent / "data" / "first-release.qfdb"
PASSPHRASE = "first-release-pass"
FIRST_RELEASE = "0004"


def build_first_release(path: Path) -> bytes:
    """A copy of the database as the first released version made it; returns its key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", ".qfkey"):
        target = Path(str(path) + suffix)
        private_file(target)
        target.write_bytes(Path(str(FIXTURE) + suffix).read_bytes())
    return keys.load_key(path, passphrase=PASSPHRASE)


def _users_and_villages(path: Path) -> tuple[int, int]:
    database = open_sqlcipher(path, passphrase=PASSPHRASE, upgrade=False)
    try:
        assert migrate.current_revision(database) == FIRST_RELEASE
        with database.engine.connect() as conn:
            return (conn.execute(text("SELECT count(*) FROM users")).scalar(),
                    conn.execute(text("SELECT count(*) FROM villages")).scalar())
    finally:
        database.dispose()


def test_first_release_database_migrates_to_head(tmp_path):
    path = tmp_path / "old.qfdb"
    key = build_first_release(path)
    before = _users_and_villages(path)
    database = open_sqlcipher(path, passphrase=PASSPHRASE)
    try:
        assert database.upgraded_from == FIRST_RELEASE
        assert migrate.current_revision(database) == migrate.head_revision()
        kept = database.backup_before_upgrade
        backup.verify_file(kept, key)
        assert backup.file_revision(kept, key) == FIRST_RELEASE
        assert kept.parent.name.endswith("-备份") and "升级前" in kept.name
        with database.session(write=False) as s:
            assert len(users.list_users(s)) == before[0] and "admin" in {u.username for u in users.list_users(s)}
            assert offices.list_villages(s, "640424100")[:2] == ["香水村", "泾河村"]
            assert len(offices.list_villages(s, "640424100")) == before[1]
            assert audit.verify(s).ok
        from alembic.autogenerate import compare_metadata
        from alembic.runtime.migration import MigrationContext

        from db.models import Base

        with database.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        database.dispose()


def test_failed_upgrade_leaves_the_old_database(tmp_path, monkeypatch):
    path = tmp_path / "old.qfdb"
    build_first_release(path)
    before = _users_and_villages(path)

    def upgrade_then_fail(database):  # noqa: ANN001
        cfg = migrate._config()
        with database.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            raise RuntimeError("disk went away")

    monkeypatch.setattr(migrate, "upgrade_to_head", upgrade_then_fail)
    with pytest.raises(UpgradeFailed) as err:
        open_sqlcipher(path, passphrase=PASSPHRASE)
    assert err.value.exit_code == 19
    assert "原数据库保持不变" in str(err.value) and "升级前的备份" in str(err.value)
    monkeypatch.undo()
    database = open_sqlcipher(path, passphrase=PASSPHRASE, upgrade=False)
    try:
        assert migrate.current_revision(database) == FIRST_RELEASE
        assert "report_runs" not in inspect(database.engine).get_table_names()
        with database.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM users")).scalar() == before[0]
    finally:
        database.dispose()


def test_restoring_an_older_backup_upgrades_it(tmp_path):
    from app import backups

    path = tmp_path / "old.qfdb"
    key = build_first_release(path)
    old = open_sqlcipher(path, passphrase=PASSPHRASE, upgrade=False)
    out = tmp_path / "backup-0001.qfdb"
    backup.backup_to(old, out)
    old.dispose()
    current = open_sqlcipher(path, passphrase=PASSPHRASE)  # first start of the new version
    with current.session(write=False) as s:
        admin = users.actor_for(s, "admin")
    current.dispose()
    result = backups.restore(path, out, key=key, actor=admin, office_code="640424100",
                             passphrase=PASSPHRASE)
    try:
        assert result.revision == FIRST_RELEASE and result.upgraded_from == FIRST_RELEASE
        assert migrate.current_revision(result.database) == migrate.head_revision()
        with result.database.session(write=False) as s:
            assert audit.verify(s).ok
            assert s.execute(text("SELECT action FROM audit_log ORDER BY seq DESC")).scalar() == "backup.restore"
    finally:
        result.database.dispose()


def _migrate(database, target: str, *, down: bool = False) -> None:  # noqa: ANN001
    cfg = migrate._config()
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, target)


def _terms(database) -> list[tuple]:  # noqa: ANN001
    with database.engine.connect() as conn:
        return sorted(map(tuple, conn.execute(text(
            "SELECT rank, term, household_id FROM search_terms")).all()))


def _search_terms_through_0011(database) -> None:  # noqa: ANN001
    """Real households and their search terms survive 0012 and 0011 down and up again; the terms
    become the table's key (on SQLite a WITHOUT ROWID table), lose the foreign key to households
    (0012), and search still finds every head."""
    from app import demo, search

    with database.session() as s:
        offices.init_office(s, code="640424100", name="香水镇人民政府", level="township", parent=None,
                            admin="admin", admin_password="upgrade-pass-1", villages=["香水村", "泾河村"])
    with database.session() as s:
        demo.generate(s, users.actor_for(s, "admin"), households=4, seed=5)
    before = _terms(database)
    assert len(before) > 20
    assert inspect(database.engine).get_foreign_keys("search_terms") == []
    _migrate(database, "0011", down=True)
    keys = inspect(database.engine).get_foreign_keys("search_terms")
    assert [(k["constrained_columns"], k["referred_table"]) for k in keys] == [(["household_id"], "households")]
    assert _terms(database) == before
    _migrate(database, "0010", down=True)
    columns = {c["name"] for c in inspect(database.engine).get_columns("search_terms")}
    assert "id" in columns and _terms(database) == before
    _migrate(database, "head")
    assert _terms(database) == before
    assert inspect(database.engine).get_foreign_keys("search_terms") == []
    key = inspect(database.engine).get_pk_constraint("search_terms")["constrained_columns"]
    assert key == ["rank", "term", "household_id"]
    assert "id" not in {c["name"] for c in inspect(database.engine).get_columns("search_terms")}
    if database.engine.dialect.name == "sqlite":
        with database.engine.connect() as conn:
            ddl = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'search_terms'")).scalar()
        assert "WITHOUT ROWID" in ddl.upper()
    with database.session(write=False) as s:
        from db.models import Household
        from sqlalchemy import select

        heads = s.execute(select(Household.id, Household.head_name)).all()
        assert heads and all(h.id in {hit.id for hit in search.search(s, h.head_name)} for h in heads)
        assert audit.verify(s).ok
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from db.models import Base

    with database.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_search_terms_through_0011_on_sqlite(tmp_path):
    from db.engine import create_sqlcipher

    database, _ = create_sqlcipher(tmp_path / "terms.qfdb", passphrase=PASSPHRASE)
    try:
        _search_terms_through_0011(database)
    finally:
        database.dispose()


@pytest.mark.skipif(not os.environ.get("QINGFENG_TEST_PG_URL"), reason="QINGFENG_TEST_PG_URL 未设置")
def test_search_terms_through_0011_on_postgres():
    import uuid

    from sqlalchemy import create_engine

    from db.engine import open_url

    admin = create_engine(os.environ["QINGFENG_TEST_PG_URL"], isolation_level="AUTOCOMMIT")
    name = f"qf_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database = open_url(admin.url.set(database=name).render_as_string(hide_password=False), create=True)
    try:
        _search_terms_through_0011(database)
    finally:
        database.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
