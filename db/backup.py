"""Verified backups and the file-level steps of a restore that cannot lose data.

A backup is a page-by-page copy encrypted with the same key (SQLite's online backup), written
to a temporary name (created 0600), checked (every page read back: quick_check, and equal row
counts in every table) and only then renamed into place. The restore steps here (file checks, the exclusive lock that refuses
while another program has the database open, the checkpoint, the atomic swap) are assembled
with the audit-chain check and the audit record by :mod:`app.backups`.
"""
from __future__ import annotations

import os
import shutil
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import inspect, text

from db import keys
from db.errors import BackupError, DatabaseInUse, translate

SQLITE_HEADER = b"SQLite format 3\x00"
PRIVATE = stat.S_IRUSR | stat.S_IWUSR  # 0600: the database, its key file, WAL/SHM, backups
VERIFY_CACHE_KB = 256 * 1024  # integrity_check of a district database is 2-3x faster with it


def private_file(path: Path) -> None:
    """Create ``path`` empty and readable by the user only (SQLite gives -wal/-shm the same mode)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    os.close(fd)
    os.chmod(path, PRIVATE)


def restrict(path: Path) -> None:
    if path.exists():
        os.chmod(path, PRIVATE)


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


def check_format(path: Path) -> None:
    """Refuse, before anything is opened, what cannot be a backup of ours."""
    if not path.exists() or not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    size = path.stat().st_size
    if size == 0:
        raise BackupError(f"{path} 是空文件（0 字节），不是清风台账备份。")
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head == SQLITE_HEADER:
        raise BackupError(f"{path} 是未加密的 SQLite 文件，不是清风台账备份。")
    if size < 4096 or size % 1024 != 0:
        raise BackupError(f"{path} 不是完整的清风台账备份（长度 {size} 字节，可能在复制时被截断）。")


def check_keyfile(path: Path, key: bytes) -> None:
    """A backup's own key file (copied beside it) tells "another database" from "damaged"."""
    kf = keys.keyfile_path(path)
    if not kf.exists():
        return
    try:
        check = keys.KeyFile.load(kf).check
    except (ValueError, KeyError, OSError):
        return
    if check != keys.key_check(key):
        raise BackupError(f"{path} 是另一个数据库（另一个单位或另一次初始化）的备份，"
                          "不能恢复到本数据库。")


def verify_file(path: Path, key: bytes, *, quick: bool = False) -> dict[str, int]:
    """Check ``path``'s format, open it with ``key``, run integrity_check; return row counts.

    ``quick`` (a copy just written page by page) runs quick_check: every page is read, so
    every page's HMAC and the b-tree structure are checked, but not index against table."""
    from sqlcipher3 import dbapi2

    path = Path(path)
    check_format(path)
    check_keyfile(path, key)
    conn = _open_raw(path, key)
    try:
        conn.execute(f"PRAGMA cache_size = {-VERIFY_CACHE_KB}")
        result = conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()
        if [r[0] for r in result] != ["ok"]:
            raise BackupError(f"备份文件 {path} 完整性检查未通过：{result[0][0]}")
        return _counts(conn)
    except dbapi2.DatabaseError as exc:
        raise BackupError(f"备份文件 {path} 无法用本数据库的密钥打开（{exc}）：文件已损坏，"
                          "或来自另一个数据库。") from None
    finally:
        conn.close()


def file_revision(path: Path, key: bytes) -> str | None:
    """The schema revision (alembic) of an encrypted file; None when it has none."""
    conn = _open_raw(path, key)
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name='alembic_version'").fetchone():
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    finally:
        conn.close()


def _export(conn, key: bytes, tmp: Path) -> None:  # noqa: ANN001 - DBAPI connection
    """Page-by-page copy (SQLite's online backup in one step: one consistent snapshot),
    encrypted with the same key; the copy is a single file (rollback journal, not WAL)."""
    private_file(tmp)
    dst = _open_raw(tmp, key)
    try:
        conn.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        dst.close()


def _finish(tmp: Path, target: Path, key: bytes, source_counts: dict[str, int],
            keyfile: Path | None) -> dict[str, int]:
    counts = verify_file(tmp, key, quick=True)
    if counts != source_counts:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"备份校验失败：行数不一致（{source_counts} ≠ {counts}），备份未保存。")
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    if keyfile is not None and keyfile.exists():
        shutil.copyfile(keyfile, keys.keyfile_path(target))
        restrict(keys.keyfile_path(target))
    return counts


def _copy(conn, key: bytes, target: Path, keyfile: Path | None) -> dict[str, int]:  # noqa: ANN001
    target = Path(target).resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        tmp.unlink(missing_ok=True)
        conn.execute("BEGIN")  # the counts and the copy see one snapshot
        try:
            source_counts = _counts(conn)
            _export(conn, key, tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        finally:
            conn.execute("COMMIT")
        return _finish(tmp, target, key, source_counts, keyfile)
    except Exception as exc:
        known = translate(exc, target.parent)
        if known is None or known is exc:
            raise
        raise known from None


def backup_to(database, target: Path | str) -> dict[str, int]:  # noqa: ANN001 - Database
    """Write a verified encrypted copy of ``database`` to ``target``; return its row counts."""
    if not database.is_sqlite or database.key is None:
        raise BackupError("只有本机加密数据库可以用此命令备份；PostgreSQL 请用 pg_dump。")
    raw = database.engine.raw_connection()
    try:
        return _copy(raw.driver_connection, database.key, Path(target),
                     keys.keyfile_path(database.path) if database.path else None)
    finally:
        raw.close()


@contextmanager
def exclusive(db_path: Path, key: bytes) -> Iterator[object]:
    """Hold the database alone: refused while another program (or window) has it open.

    In WAL mode every open connection keeps a shared lock on the file, so an exclusive lock
    is only granted when nobody else has it open. The committed changes still in the WAL,
    also those of a program that ended without closing, are checkpointed into the file."""
    from sqlcipher3 import dbapi2

    conn = _open_raw(db_path, key)
    try:
        conn.execute("PRAGMA busy_timeout = 1500")
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        try:
            conn.execute("BEGIN EXCLUSIVE")
            conn.execute("COMMIT")
        except dbapi2.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise DatabaseInUse("数据库正被另一个程序（另一个清风台账窗口或命令行）打开，"
                                    "为防止丢失其未保存的修改，没有恢复。请先关闭其他窗口后再恢复。") from None
            raise (translate(exc, db_path) or exc) from None
        except dbapi2.DatabaseError as exc:
            raise (translate(exc, db_path) or exc) from None
        busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if busy:
            raise DatabaseInUse("数据库的预写日志无法合并（另一个程序正在使用），没有恢复。请关闭其他窗口后重试。")
        yield conn
    finally:
        conn.close()


def copy_locked(conn, key: bytes, db_path: Path, target: Path) -> dict[str, int]:  # noqa: ANN001
    """A verified backup of the database held by :func:`exclusive` (the copy kept aside)."""
    return _copy(conn, key, target, keys.keyfile_path(db_path))


def stage_copy(source: Path, stage: Path) -> None:
    """Copy ``source`` to ``stage`` (0600, synced): the file a restore verifies and puts in place."""
    try:
        private_file(stage)
        with open(source, "rb") as src, open(stage, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
            dst.flush()
            os.fsync(dst.fileno())
    except OSError as exc:
        stage.unlink(missing_ok=True)
        raise (translate(exc, stage.parent) or exc) from None


def put_in_place(db_path: Path, stage: Path) -> None:
    """Replace ``db_path`` by the verified ``stage`` beside it in one atomic rename.

    A crash or a full disk leaves either the old file or the new one, never a half-written
    database. The old -wal/-shm are empty (checkpointed under :func:`exclusive`)."""
    try:
        for suffix in ("-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        os.replace(stage, db_path)
    except OSError as exc:
        raise (translate(exc, db_path.parent) or exc) from None


def raw_copy(db_path: Path, target: Path) -> None:
    """Byte copies of a database that cannot be read any more (and of its -wal), kept aside."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):
        src = Path(str(db_path) + suffix)
        if src.exists():
            dst = Path(str(target) + suffix)
            private_file(dst)
            shutil.copyfile(src, dst)
    kf = keys.keyfile_path(db_path)
    if kf.exists():
        shutil.copyfile(kf, keys.keyfile_path(target))
        restrict(keys.keyfile_path(target))


def table_names(database) -> list[str]:  # noqa: ANN001
    return inspect(database.engine).get_table_names()


def row_count(database, table: str) -> int:  # noqa: ANN001
    with database.engine.connect() as conn:
        return conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
