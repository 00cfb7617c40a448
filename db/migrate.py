"""Schema migrations, run from code: is the database at head? back it up, upgrade, check.

A database whose revision this program does not know was written by a newer version: it is
refused untouched. An older one is backed up (and the backup verified) before upgrading.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from db.errors import BackupError, NewerDatabase, NotADatabase, UpgradeFailed

MIGRATIONS = Path(__file__).with_name("migrations")


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    return script().get_current_head()


def current_revision(database) -> str | None:  # noqa: ANN001 - db.engine.Database
    with database.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(database) -> None:  # noqa: ANN001
    cfg = _config()
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def check_and_upgrade(database, *, upgrade: bool = True) -> None:  # noqa: ANN001
    current = current_revision(database)
    head = head_revision()
    if current == head:
        return
    if current is None:
        database.dispose()
        raise NotADatabase("该数据库中没有清风台账的数据结构版本信息，不是清风台账数据库，未作任何改动。")
    known = {rev.revision for rev in script().walk_revisions()}
    if current not in known:
        database.dispose()
        raise NewerDatabase(f"该数据库由更新版本的清风台账建立（结构版本 {current}），"
                            "本程序无法打开，请升级程序。数据库未作任何改动。")
    if not upgrade:
        return
    if database.path is not None:
        from db import backup_store

        try:
            entry = backup_store.write_verified(database, backup_store.folder(database.path), "migration")
        except BackupError:
            database.dispose()
            raise
        database.backup_before_upgrade = entry.path
    try:
        upgrade_to_head(database)
    except Exception as exc:
        # the upgrade runs in one transaction: SQLite rolls the DDL back with the rest
        database.dispose()
        where = f"升级前的备份在 {database.backup_before_upgrade}。" if database.backup_before_upgrade else ""
        raise UpgradeFailed(f"数据库结构从版本 {current} 升级失败（{type(exc).__name__}: {exc}）。"
                            f"原数据库保持不变，仍可用旧版本程序打开；{where}"
                            "请把此信息发给技术支持。") from exc
    database.upgraded_from = current
    from db.engine import integrity_check

    result = integrity_check(database)
    if result != "ok":  # pragma: no cover - defensive
        raise BackupError(f"升级后完整性检查未通过：{result}。升级前的备份在 {database.backup_before_upgrade}。")
