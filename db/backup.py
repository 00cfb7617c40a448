"""Verified backups and restores of the encrypted database.

A backup is a copy encrypted with the same key (``sqlcipher_export``), written to a temporary
name, checked (integrity_check and equal row counts in every table) and only then renamed into
place. A restore checks the backup the same way, keeps the current file aside, and replaces the
database atomically.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import inspect, text

from db import keys
from db.errors import BackupError, NotADatabase, WrongKey


def _counts(conn, schema: str = "main") -> dict[str, int]:  # noqa: ANN001 - DBAPI connection
    names = [r[0] for r in conn.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    return {n: conn.execute(f'SELECT count(*) FROM {schema}."{n}"').fetchone()[0] for n in names}


def _open_raw(path: Path, key: bytes):  # noqa: ANN202
    from sqlcipher3 import dbapi2

    conn = dbapi2.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return conn


def verify_file(path: Path, key: bytes) -> dict[str, int]:
    """Open ``path`` with ``key``, run integrity_check; return row counts per table."""
    from sqlcipher3 import dbapi2

    if not path.exists():
        raise BackupError(f"备份文件不存在：{path}")
    conn = _open_raw(path, key)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchall()
        if [r[0] for r in result] != ["ok"]:
            raise BackupError(f"备份文件 {path} 完整性检查未通过：{result[0][0]}")
        return _counts(conn)
    except dbapi2.DatabaseError as exc:
        raise BackupError(f"备份文件 {path} 无法用本数据库的密钥打开（{exc}）：文件已损坏，"
                          "或来自另一个数据库。") from None
    finally:
        conn.close()


def backup_to(database, target: Path | str) -> dict[str, int]:  # noqa: ANN001 - Database
    """Write a verified encrypted copy of ``database`` to ``target``; return its row counts."""
    target = Path(target).resolve()
    if not database.is_sqlite or database.key is None:
        raise BackupError("只有本机加密数据库可以用此命令备份；PostgreSQL 请用 pg_dump。")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    if tmp.exists():
        tmp.unlink()
    raw = database.engine.raw_connection()
    try:
        conn = raw.driver_connection
        source_counts = _counts(conn)
        conn.execute("ATTACH DATABASE ? AS bak KEY \"x'" + database.key.hex() + "'\"", (str(tmp),))
        try:
            conn.execute("SELECT sqlcipher_export('bak')")
            version = conn.execute("PRAGMA main.user_version").fetchone()[0]
            conn.execute(f"PRAGMA bak.user_version = {int(version)}")
        finally:
            conn.execute("DETACH DATABASE bak")
    finally:
        raw.close()
    counts = verify_file(tmp, database.key)
    if counts != source_counts:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"备份校验失败：行数不一致（{source_counts} ≠ {counts}），备份未保存。")
    os.replace(tmp, target)
    kf = keys.keyfile_path(database.path)
    if kf.exists():
        shutil.copyfile(kf, keys.keyfile_path(target))
    return counts


def restore_from(db_path: Path | str, source: Path | str, *, key: bytes) -> Path:
    """Replace the database at ``db_path`` with the verified backup ``source``.

    The caller must have closed every connection to ``db_path``. Returns where the previous
    file was kept.
    """
    db_path, source = Path(db_path).resolve(), Path(source).resolve()
    if not source.exists():
        raise BackupError(f"备份文件不存在：{source}")
    with open(source, "rb") as fh:
        if fh.read(16) == b"SQLite format 3\x00":
            raise NotADatabase(f"{source} 是未加密的 SQLite 文件，不是清风台账备份。")
    try:
        verify_file(source, key)
    except BackupError as exc:
        raise WrongKey(f"无法恢复：{exc}") from None
    tmp = db_path.with_name(db_path.name + ".restoring")
    shutil.copyfile(source, tmp)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    kept = db_path.with_name(db_path.name + ".before-restore.bak")
    if db_path.exists():
        os.replace(db_path, kept)
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    os.replace(tmp, db_path)
    return kept


def table_names(database) -> list[str]:  # noqa: ANN001
    return inspect(database.engine).get_table_names()


def row_count(database, table: str) -> int:  # noqa: ANN001
    with database.engine.connect() as conn:
        return conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
