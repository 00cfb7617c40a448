"""Automatic verified backups, the second folder (a USB drive) and the restore that cannot lose data.

Other services call :func:`safety_backup` before anything that rewrites much at once (an
import, a package exchange); the database's schema upgrade makes its own (``db.migrate``).
A restore (:func:`restore`) verifies the backup completely before anything is touched, keeps
the current database aside as a verified backup of its own, swaps atomically and records
itself in the restored database's audit chain.
"""
from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from app import audit, clock, users
from app.permissions import Actor, require
from db import backup, backup_store, migrate
from db.backup_store import Entry
from db.engine import Database, sqlcipher_engine, open_sqlcipher
from db.errors import (BackupError, DatabaseInUse, DiskFull, NotADatabase, QingfengError,
                       ReadOnlyLocation)

SECOND_REMINDER_DAYS = 7
log = logging.getLogger("qingfeng.backups")
_SETTINGS = "设置.json"


# -- automatic backups -------------------------------------------------------------------------

def folder(db_path: Path) -> Path:
    return backup_store.folder(db_path)


def safety_backup(database: Database, reason: str) -> Entry | None:
    """A verified encrypted backup now (``reason``: "import", "exchange", "daily", "manual", …).

    Written into the backup folder beside the database, then rotated (7 daily, 4 weekly,
    12 monthly and the latest 10 made before imports and exchanges) and copied to the second
    folder when one is set and plugged in. Raises :class:`BackupError` (nothing is changed)
    when it cannot be written; a PostgreSQL database returns None (backed up with pg_dump)."""
    if not database.is_sqlite or database.path is None or database.key is None:
        return None
    where = folder(database.path)
    entry = backup_store.write_verified(database, where, reason)
    backup_store.rotate(where)
    try:
        copy_to_second(database.path, entry)
    except (BackupError, DiskFull, ReadOnlyLocation) as exc:  # the drive was pulled, is full …
        log.warning("copy to the second backup folder failed: %s", exc)  # the reminder tells
    return entry


def daily_backup(database: Database) -> Entry | None:
    """The backup of the day of use: written once a day (GUI start, any CLI command)."""
    if database.path is None or not database.is_sqlite:
        return None
    today = clock.today()
    if any(e.moment.date() == today and e.verified for e in list_backups(database.path)):
        return None
    return safety_backup(database, "daily")


def list_backups(db_path: Path) -> list[Entry]:
    """The automatic and manual backups, newest first (the copies kept by a restore apart)."""
    return backup_store.entries(folder(db_path))


def list_pre_restore(db_path: Path) -> list[Entry]:
    return backup_store.entries(backup_store.pre_restore_folder(db_path))


def latest(db_path: Path) -> Entry:
    found = [e for e in list_backups(db_path) if e.verified]
    if not found:
        raise BackupError(f"备份文件夹 {folder(db_path)} 中没有校验过的备份。")
    return found[0]


# -- the second folder (USB drive) -------------------------------------------------------------

def _settings_path(db_path: Path) -> Path:
    return folder(db_path) / _SETTINGS


def _settings(db_path: Path) -> dict:
    p = _settings_path(db_path)
    if not p.exists():
        return {}
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return {}


def _save_settings(db_path: Path, data: dict) -> None:
    p = _settings_path(db_path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    backup.restrict(p)


def second_folder(db_path: Path) -> Path | None:
    value = _settings(db_path).get("second_folder")
    return Path(value) if value else None


def set_second_folder(database: Database, actor: Actor, path: Path | str | None) -> None:
    """Choose (or with None stop using) a second backup folder, e.g. on a USB drive."""
    require(actor, "backup.restore")
    data = _settings(database.path)
    before = {"second_folder": data.get("second_folder")}
    data["second_folder"] = str(Path(path).resolve()) if path else None
    data.pop("second_written", None)
    with database.session() as s:
        audit.record(s, actor, "backup.second-folder", "document", "backup-settings", before,
                     {"second_folder": data["second_folder"]})
    _save_settings(database.path, data)


def copy_to_second(db_path: Path, entry: Entry) -> bool:
    """Copy a verified backup to the second folder and verify the copy; False when not reachable."""
    target_dir = second_folder(db_path)
    if target_dir is None or not target_dir.is_dir():
        return False
    from db import keys

    target = target_dir / entry.path.name
    tmp = target.with_name(target.name + ".part")
    backup.stage_copy(entry.path, tmp)
    key_src = keys.keyfile_path(entry.path)
    try:
        backup.check_format(tmp)
        if tmp.stat().st_size != entry.path.stat().st_size:
            raise BackupError(f"复制到第二备份位置 {target_dir} 的文件不完整。")
        tmp.replace(target)
        if key_src.exists():
            shutil.copyfile(key_src, keys.keyfile_path(target))
        side = entry.path.with_suffix(".json")
        if side.exists():
            shutil.copyfile(side, target.with_suffix(".json"))
    finally:
        tmp.unlink(missing_ok=True)
    backup_store.rotate(target_dir)
    data = _settings(db_path)
    data["second_written"] = clock.now().isoformat(timespec="seconds")
    _save_settings(db_path, data)
    return True


def second_written(db_path: Path) -> datetime | None:
    value = _settings(db_path).get("second_written")
    return datetime.fromisoformat(value) if value else None


def reminder(db_path: Path) -> str | None:
    """The reminder shown at start when the second folder has not been written for a week."""
    target = second_folder(db_path)
    if target is None:
        return None
    written = second_written(db_path)
    if written is None or clock.now() - written > timedelta(days=SECOND_REMINDER_DAYS):
        when = f"上次写入是 {written:%Y-%m-%d}" if written else "还没有写入过"
        return (f"第二备份位置 {target} 已超过 {SECOND_REMINDER_DAYS} 天没有写入（{when}）。"
                "请插上备份用的 U 盘或移动硬盘，然后在 系统设置 → 数据安全 中点“立即备份”。")
    return None


# -- restore -----------------------------------------------------------------------------------

@dataclass
class RestoreResult:
    database: Database
    source: Path
    kept: Path | None
    rows: int
    revision: str | None
    upgraded_from: str | None


def _check_staged(stage: Path, key: bytes, *, office_code: str | None,
                  credentials: tuple[str, str] | None) -> tuple[str | None, Actor | None]:
    """Schema revision, office and audit chain of the staged copy; who restores (if asked)."""
    engine = sqlcipher_engine(stage, key)
    probe = Database(engine=engine, path=stage, key=key)
    try:
        revision = migrate.current_revision(probe)
        known = {rev.revision for rev in migrate.script().walk_revisions()}
        if revision is None:
            raise BackupError("该备份中没有清风台账的数据结构版本信息，不是清风台账备份。")
        if revision not in known:
            raise BackupError(f"该备份由更新版本的清风台账建立（结构版本 {revision}），请先升级程序再恢复。")
        with probe.session(write=False) as s:
            # plain SQL: an older backup has the columns of its own schema revision
            own = s.execute(text("SELECT code, name FROM offices WHERE is_self = 1")).first()
            if own is None:
                raise BackupError("该备份中没有单位信息，不是完整的清风台账备份。")
            if office_code is not None and own.code != office_code:
                raise BackupError(f"该备份属于另一个单位（{own.name}，{own.code}），不能恢复到本单位的数据库。")
            problems = audit.verify_chain(s)
            if problems:
                raise BackupError("该备份的审计链校验未通过（" + "；".join(problems[:3]) + "），可能被改动过，没有恢复。")
            actor = None
            if credentials is not None:
                actor = users.authenticate(s, *credentials)
                require(actor, "backup.restore")
        return revision, actor
    finally:
        engine.dispose()


def restore(db_path: Path | str, source: Path | str, *, key: bytes, actor: Actor | None = None,
            office_code: str | None = None, credentials: tuple[str, str] | None = None,
            passphrase: str | None = None) -> RestoreResult:
    """Replace the database at ``db_path`` with the backup ``source`` without losing anything.

    Every connection of this program to ``db_path`` must be closed; another program holding
    it open makes the restore refuse. ``actor`` is who restores (checked against the current
    database); when the current database cannot be read, ``credentials`` are checked against
    the backup instead. Nothing is touched until the backup has passed every check."""
    db_path, source = Path(db_path).resolve(), Path(source).resolve()
    backup.check_format(source)
    backup.check_keyfile(source, key)
    stage = db_path.with_name(db_path.name + ".restoring")
    try:
        backup.stage_copy(source, stage)
        counts = backup.verify_file(stage, key)
        revision, backup_actor = _check_staged(stage, key, office_code=office_code,
                                               credentials=None if actor else credentials)
        actor = actor or backup_actor
        if actor is None:
            raise BackupError("没有指明由谁恢复，没有恢复。")
        for suffix in ("-wal", "-shm"):
            Path(str(stage) + suffix).unlink(missing_ok=True)
        kept = _keep_current(db_path, key)
        backup.put_in_place(db_path, stage)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(stage) + suffix).unlink(missing_ok=True)
    restored = open_sqlcipher(db_path, passphrase=passphrase)
    with restored.session() as s:
        audit.record(s, actor, "backup.restore", "document", "restore", None,
                     {"file": str(source), "kept": str(kept) if kept else None,
                      "rows": sum(counts.values()), "revision": revision})
    return RestoreResult(restored, source, kept, sum(counts.values()), revision, restored.upgraded_from)


def _keep_current(db_path: Path, key: bytes) -> Path | None:
    """Checkpoint the current database alone and keep a verified copy aside (never overwritten)."""
    if not db_path.exists():
        return None
    where = backup_store.pre_restore_folder(db_path)
    where.mkdir(parents=True, exist_ok=True)
    target = backup_store.new_path(where, "pre-restore")
    try:
        with backup.exclusive(db_path, key) as conn:
            counts = backup.copy_locked(conn, key, db_path, target)
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except (BackupError, NotADatabase) as exc:
        if not _unreadable(exc):
            target.unlink(missing_ok=True)  # the claimed name: nothing was kept
            raise
        backup.raw_copy(db_path, target)  # a damaged database is kept byte for byte
        return target
    backup_store.record(target, "pre-restore", counts, revision)
    backup_store.rotate_pre_restore(where)
    return target


def _unreadable(exc: QingfengError) -> bool:
    """The current database cannot be copied because it is damaged (not: because it is in use)."""
    if isinstance(exc, NotADatabase):
        return True
    return not isinstance(exc, DatabaseInUse) and ("无法用本数据库的密钥打开" in str(exc)
                                                   or "完整性检查" in str(exc))
