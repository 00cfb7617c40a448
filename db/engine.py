"""Opening, creating and upgrading the database; one session per unit of work.

Every connection is set up in one place (:func:`_on_connect`): the raw key first, then
foreign keys, WAL, busy timeout and a larger page cache. A write unit of work starts with
``BEGIN IMMEDIATE`` so that two writers never both read the audit chain head.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from db import keys
from db.errors import (RESTORE_HINT, DatabaseDamaged, DatabaseMissing, DiskFull, NotADatabase,
                       QingfengError, ReadOnlyLocation, WalDamaged, translate)

SQLITE_HEADER = b"SQLite format 3\x00"
PAGE_SIZE = 4096


@dataclass
class Database:
    """An open database: the engine, its sessions and, for SQLCipher, where it lives."""

    engine: Engine
    path: Path | None = None
    key: bytes | None = field(default=None, repr=False)
    upgraded_from: str | None = None
    backup_before_upgrade: Path | None = None

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            bind=self.engine.execution_options(qf_immediate=True), expire_on_commit=False)
        self._durable_sessions = sessionmaker(
            bind=self.engine.execution_options(qf_immediate=True, qf_durable=True), expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self, *, write: bool = True, durable: bool = False) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error, always close.

        ``durable``: the commit is on the disk when it returns, also on SQLite (whose log is
        otherwise synced only at the next checkpoint, so a power cut can lose the last commits:
        harmless for a clerk's edit, not for an import whose 回执 then tells the sender the package
        is here, nor for an export whose file leaves on a USB stick)."""
        factory = (self._durable_sessions if durable else self._write_sessions) if write else self._sessions
        s = factory()
        try:
            yield s
            if write:
                s.commit()
            else:
                s.rollback()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    def read(self) -> "contextmanager[Session]":
        return self.session(write=False)

    def dispose(self) -> None:
        self.engine.dispose()


def sqlcipher_engine(path: Path, key: bytes) -> Engine:
    from sqlcipher3 import dbapi2

    engine = create_engine(f"sqlite:///{path}", module=dbapi2)
    key_pragma = f"PRAGMA key = \"x'{key.hex()}'\""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001 - DBAPI objects
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA cipher_log_level = NONE")
        cur.execute(key_pragma)
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA busy_timeout = 10000")
        cur.execute("PRAGMA cache_size = -65536")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        options = conn.get_execution_options()
        # WAL with synchronous=NORMAL: a commit is synced at the next checkpoint; FULL syncs the
        # log at the commit (Database.session(durable=True)). Set before BEGIN (SQLite refuses
        # inside a transaction) and only when it changes on this connection.
        durable, info = bool(options.get("qf_durable")), conn.connection.info
        if info.get("qf_durable", False) != durable:
            conn.exec_driver_sql(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
            info["qf_durable"] = durable
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("qf_immediate") else "BEGIN")

    return engine


def _check_file(path: Path) -> None:
    if not path.exists():
        raise DatabaseMissing(f"数据库文件不存在：{path}。请先运行 qingfeng-cli --db {path} init 建立数据库。")
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head == SQLITE_HEADER:
        raise NotADatabase(f"{path} 是未加密的 SQLite 文件，不是清风台账数据库，未作任何改动。")
    if size == 0 or size % 1024 != 0:
        raise NotADatabase(f"{path} 不是完整的清风台账数据库（文件长度 {size} 字节，可能已被截断或损坏），"
                           "未作任何改动。" + RESTORE_HINT)
    from db import wal

    frame = wal.damaged_frames(path)
    if frame is not None:
        raise WalDamaged(f"数据库的预写日志 {path.name}-wal 已损坏（第 {frame} 帧校验失败，其后还有已保存的修改），"
                         "为免丢失数据没有打开，文件未作任何改动。" + RESTORE_HINT)


def _make_private(path: Path) -> None:
    """Files made by older versions (0644) become the user's only (0600) when opened."""
    for p in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm"), keys.keyfile_path(path)):
        try:
            if p.exists() and p.stat().st_mode & 0o077:
                os.chmod(p, 0o600)
        except OSError:  # a read-only medium: opening read-only still works
            continue


def _probe(engine: Engine, path: Path, quick_check: bool) -> None:
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
            if quick_check:
                result = conn.exec_driver_sql("PRAGMA quick_check(1)").scalar()
                if result != "ok":
                    raise DatabaseDamaged(f"数据库 {path} 已损坏（完整性检查：{result}）。" + RESTORE_HINT)
    except (DatabaseError, OperationalError) as exc:
        engine.dispose()
        known = translate(exc, path)
        if isinstance(known, (DiskFull, ReadOnlyLocation)):
            raise known from None
        raise NotADatabase(f"无法读取数据库 {path}：文件已损坏或不是清风台账数据库（{exc.orig}），"
                           "未作任何改动。") from None


def check_file(path: Path | str) -> None:
    """Refuse (in Chinese) a missing file or one that is not a database."""
    _check_file(Path(path))


def probe_key(path: Path | str, key: bytes) -> None:
    """Refuse (in Chinese) unless ``key`` opens the database file at ``path`` (full check)."""
    path = Path(path)
    _check_file(path)
    engine = sqlcipher_engine(path, key)
    try:
        _probe(engine, path, quick_check=False)
    finally:
        engine.dispose()


def open_sqlcipher(path: Path | str, *, passphrase: str | None = None, recovery: str | None = None,
                   upgrade: bool = True, quick_check: bool = False) -> Database:
    """Open an existing encrypted database; upgrade its schema (after a verified backup).

    A damaged file is refused on the first read (SQLite checks page 1 and the header's page
    count against the file). The full ``quick_check`` reads every page (seconds on a district
    database), so it runs on request: ``audit verify``, backups, restores and upgrades.
    """
    from db import migrate

    path = Path(path).resolve()
    _check_file(path)
    _make_private(path)
    key = keys.load_key(path, passphrase=passphrase, recovery=recovery)
    engine = sqlcipher_engine(path, key)
    _probe(engine, path, quick_check)
    database = Database(engine=engine, path=path, key=key)
    migrate.check_and_upgrade(database, upgrade=upgrade)
    return database


def create_sqlcipher(path: Path | str, *, passphrase: str | None = None) -> tuple[Database, bytes]:
    """Create a new encrypted database at ``path`` with a fresh key; returns it and the key."""
    from db import migrate

    path = Path(path).resolve()
    if path.exists() and path.stat().st_size > 0:
        raise QingfengError(f"{path} 已存在，为防止覆盖数据，不会重新初始化。")
    path.parent.mkdir(parents=True, exist_ok=True)
    from db.backup import private_file

    private_file(path)  # 0600; SQLite gives the -wal and -shm files the same mode
    key = keys.new_key()
    keys.store_key(key, path, passphrase=passphrase)
    engine = sqlcipher_engine(path, key)
    database = Database(engine=engine, path=path, key=key)
    migrate.upgrade_to_head(database)
    return database, key


def open_url(url: str, *, create: bool = False) -> Database:
    """Open a database by SQLAlchemy URL (PostgreSQL for district scale)."""
    from db import migrate

    engine = create_engine(url, pool_pre_ping=True)
    database = Database(engine=engine)
    if create and not inspect(engine).has_table("alembic_version"):
        migrate.upgrade_to_head(database)
    else:
        migrate.check_and_upgrade(database, upgrade=True)
    return database


def integrity_check(database: Database) -> str:
    if not database.is_sqlite:
        return "ok"
    with database.engine.connect() as conn:
        rows = conn.execute(text("PRAGMA integrity_check")).scalars().all()
    return "ok" if rows == ["ok"] else "; ".join(rows[:5])


def default_db_path() -> Path:
    env = os.environ.get("QINGFENG_DB")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("QingfengLedger", appauthor=False)) / "qingfeng.qfdb"
