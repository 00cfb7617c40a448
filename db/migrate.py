"""Schema migrations, run from code: is the database at head? back it up, upgrade, check.

A database whose revision this program does not know was written by a newer version: it is
refused untouched. An older one is backed up (and the backup verified) before upgrading.

Opening a database that is already at head (nearly every start) never imports Alembic (≈0.2 s):
the stored revision is read with one SELECT and compared with the head read from the
migration files' ``revision``/``down_revision`` lines (:func:`quick_head`).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import OperationalError, ProgrammingError

from db.errors import BackupError, NewerDatabase, NotADatabase, UpgradeFailed

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(?:['\"]([^'\"]+)['\"]|None)\s*$",
                            re.MULTILINE)


@lru_cache(maxsize=1)
def quick_head() -> str | None:
    """The head revision read from the migration files without Alembic; None when the files do
    not give exactly one revision each and exactly one head (then Alembic decides)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((m[1], m[2]) for m in _REVISION_LINE.finditer(path.read_text(encoding="utf-8")))
        if not found.get("revision") or "down_revision" not in found:
            return None
        revisions.add(found["revision"])
        if found["down_revision"]:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def stored_revision(database) -> str | None:  # noqa: ANN001 - db.engine.Database
    """The revision in ``alembic_version`` by plain SQL; None when absent or not exactly one."""
    try:
        with database.engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except (OperationalError, ProgrammingError):  # no such table: Alembic tells what it is
        return None
    return rows[0] if len(rows) == 1 else None


def _config() -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def script() -> "ScriptDirectory":
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    return quick_head() or script().get_current_head()


def current_revision(database) -> str | None:  # noqa: ANN001 - db.engine.Database
    from alembic.runtime.migration import MigrationContext

    with database.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(database) -> None:  # noqa: ANN001
    from alembic import command

    cfg = _config()
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def check_and_upgrade(database, *, upgrade: bool = True) -> None:  # noqa: ANN001
    head = quick_head()
    if head is not None and stored_revision(database) == head:
        return  # at head: no Alembic at all
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
