"""The upgrade path: a database made by the first released schema (revision 0001) is backed up
(verified) and migrated to head on first start; a failed upgrade leaves the old file in place."""
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from app import audit, offices, users
from db import backup, keys, migrate
from db.backup import private_file
from db.engine import Database, _sqlcipher_engine, open_sqlcipher
from db.errors import UpgradeFailed

FIRST_RELEASE = "0001"


def build_first_release(path: Path) -> bytes:
    """Create the database as version 0001 made it: migrations up to '0001' only, a little data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    private_file(path)
    key = keys.new_key()
    keys.store_key(key, path)
    database = Database(engine=_sqlcipher_engine(path, key), path=path, key=key)
    cfg = migrate._config()
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, FIRST_RELEASE)
    with database.session() as s:
        admin = offices.init_office(s, code="640424100", name="香水镇人民政府", level="township",
                                    parent=None, admin="admin", admin_password="test-pass-123",
                                    admin_name="管理员", villages=["香水村", "泾河村"])
        users.create_user(s, admin, username="clerk", display_name="马晓梅", role="经办人",
                          password="test-pass-123")
    assert migrate.current_revision(database) == FIRST_RELEASE
    database.dispose()
    return key


def test_first_release_database_migrates_to_head(tmp_path):
    path = tmp_path / "old.qfdb"
    key = build_first_release(path)
    database = open_sqlcipher(path)
    try:
        assert database.upgraded_from == FIRST_RELEASE
        assert migrate.current_revision(database) == migrate.head_revision()
        kept = database.backup_before_upgrade
        backup.verify_file(kept, key)
        assert backup.file_revision(kept, key) == FIRST_RELEASE
        assert kept.parent.name.endswith("-备份") and "升级前" in kept.name
        with database.session(write=False) as s:
            assert {u.username for u in users.list_users(s)} == {"admin", "clerk"}
            assert offices.list_villages(s, "640424100") == ["香水村", "泾河村"]
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

    def upgrade_then_fail(database):  # noqa: ANN001
        cfg = migrate._config()
        with database.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            raise RuntimeError("disk went away")

    monkeypatch.setattr(migrate, "upgrade_to_head", upgrade_then_fail)
    with pytest.raises(UpgradeFailed) as err:
        open_sqlcipher(path)
    assert err.value.exit_code == 19
    assert "原数据库保持不变" in str(err.value) and "升级前的备份" in str(err.value)
    monkeypatch.undo()
    database = open_sqlcipher(path, upgrade=False)
    try:
        assert migrate.current_revision(database) == FIRST_RELEASE
        assert "calendar_days" not in inspect(database.engine).get_table_names()
        with database.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 2
    finally:
        database.dispose()


def test_restoring_an_older_backup_upgrades_it(tmp_path):
    from app import backups

    path = tmp_path / "old.qfdb"
    key = build_first_release(path)
    old = open_sqlcipher(path, upgrade=False)
    out = tmp_path / "backup-0001.qfdb"
    backup.backup_to(old, out)
    old.dispose()
    current = open_sqlcipher(path)  # first start of the new version
    with current.session(write=False) as s:
        admin = users.actor_for(s, "admin")
    current.dispose()
    result = backups.restore(path, out, key=key, actor=admin, office_code="640424100")
    try:
        assert result.revision == FIRST_RELEASE and result.upgraded_from == FIRST_RELEASE
        assert migrate.current_revision(result.database) == migrate.head_revision()
        with result.database.session(write=False) as s:
            assert audit.verify(s).ok
            assert s.execute(text("SELECT action FROM audit_log ORDER BY seq DESC")).scalar() == "backup.restore"
    finally:
        result.database.dispose()
