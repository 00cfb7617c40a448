"""A restore that cannot lose data: the backup is verified before anything is touched, the
current database is kept aside as a verified backup of its own, the swap is atomic and the
restore is recorded in the restored database's audit chain."""
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from app import audit, backups
from app import households as hs
from app.idcard import make_valid_id
from db import backup, backup_store
from db.engine import create_sqlcipher, open_sqlcipher
from db.errors import BackupError, DatabaseInUse

ROOT = Path(__file__).resolve().parent.parent


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_household(database, actor, name="赵六", serial=5) -> None:
    with database.session() as s:
        hs.create_household(s, actor, village="香水村", category="农村低保",
                            members=[hs.MemberInput(name=name, id_number=make_valid_id(
                                "640424", date(1980, 1, 1), serial))])


def households(path: Path) -> int:
    database = open_sqlcipher(path)
    try:
        with database.session(write=False) as s:
            return s.execute(text("SELECT count(*) FROM households")).scalar()
    finally:
        database.dispose()


def test_restore_verifies_keeps_current_and_audits(env, tmp_path):
    out = tmp_path / "b" / "backup.qfdb"
    backup.backup_to(env.database, out)
    add_household(env.database, env.clerk)
    key = env.database.key
    env.database.dispose()
    result = backups.restore(env.path, out, key=key, actor=env.admin, office_code="640424100")
    try:
        with result.database.session(write=False) as s:
            assert s.execute(text("SELECT count(*) FROM households")).scalar() == 0
            last = s.execute(text("SELECT action, username, after FROM audit_log ORDER BY seq DESC")).first()
            assert last[0] == "backup.restore" and last[1] == "admin" and "backup.qfdb" in last[2]
            assert audit.verify(s).ok
    finally:
        result.database.dispose()
    # the database as it was (with the household) is kept aside, verified, never overwritten
    assert result.kept.parent == backup_store.pre_restore_folder(env.path)
    backup.verify_file(result.kept, key)
    assert households(result.kept) == 1
    assert oct(result.kept.stat().st_mode & 0o777) == "0o600"


def refusal(env, tmp_path, source: Path) -> BackupError:
    key = env.database.key
    env.database.dispose()
    before = digest(env.path)
    with pytest.raises(BackupError) as err:
        backups.restore(env.path, source, key=key, actor=env.admin, office_code="640424100")
    assert err.value.exit_code == 7
    assert digest(env.path) == before
    assert not backup_store.pre_restore_folder(env.path).exists()
    assert not Path(str(env.path) + ".restoring").exists()
    return err.value


def test_zero_byte_backup_is_refused(env, tmp_path):
    empty = tmp_path / "empty.qfdb"
    empty.write_bytes(b"")
    assert "空文件" in str(refusal(env, tmp_path, empty))


def test_truncated_backup_is_refused(env, tmp_path):
    out = tmp_path / "full.qfdb"
    backup.backup_to(env.database, out)
    cut = tmp_path / "cut.qfdb"
    data = out.read_bytes()
    cut.write_bytes(data[: len(data) // 2 + 100])
    assert "截断" in str(refusal(env, tmp_path, cut))
    cut.write_bytes(data[: (len(data) // 2) // 4096 * 4096])  # cut on a page boundary
    assert "完整性" in str(refusal(env, tmp_path, cut)) or "无法" in str(refusal(env, tmp_path, cut))


def test_plain_sqlite_and_random_files_are_refused(env, tmp_path):
    plain = tmp_path / "plain.qfdb"
    sqlite3.connect(plain).execute("CREATE TABLE t(a)").connection.commit()
    assert "未加密" in str(refusal(env, tmp_path, plain))
    junk = tmp_path / "junk.qfdb"
    junk.write_bytes(os.urandom(16384))
    assert "无法用本数据库的密钥打开" in str(refusal(env, tmp_path, junk))


def test_other_office_backup_is_refused(env, tmp_path):
    from app import offices

    other, _key = create_sqlcipher(tmp_path / "other" / "other.qfdb")
    with other.session() as s:
        offices.init_office(s, code="640424101", name="泾河镇人民政府", level="township", parent=None,
                            admin="admin", admin_password="test-pass-123", admin_name="管理员",
                            villages=["泾河村"])
    out = tmp_path / "other-backup.qfdb"
    backup.backup_to(other, out)
    other.dispose()
    assert "另一个数据库" in str(refusal(env, tmp_path, out))
    # without its key file beside it, the key itself does not open it
    Path(str(out) + ".qfkey").unlink()
    assert "无法用本数据库的密钥打开" in str(refusal(env, tmp_path, out))


def test_same_key_other_office_is_refused(env, tmp_path):
    out = tmp_path / "b.qfdb"
    backup.backup_to(env.database, out)
    key = env.database.key
    env.database.dispose()
    with pytest.raises(BackupError, match="另一个单位"):
        backups.restore(env.path, out, key=key, actor=env.admin, office_code="640424999")


def test_backup_with_broken_audit_chain_is_refused(env, tmp_path):
    out = tmp_path / "b.qfdb"
    backup.backup_to(env.database, out)
    conn = backup._open_raw(out, env.database.key)
    conn.execute("DROP TRIGGER audit_log_no_update")  # as someone bypassing the program would
    conn.execute("UPDATE audit_log SET username = 'mallory' WHERE seq = 2")
    conn.close()
    assert "审计链" in str(refusal(env, tmp_path, out))


def test_restore_refused_while_another_process_holds_the_database(env, tmp_path):
    out = tmp_path / "b.qfdb"
    backup.backup_to(env.database, out)
    key = env.database.key
    env.database.dispose()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from db.engine import sqlcipher_engine
        eng = sqlcipher_engine(Path({str(env.path)!r}), bytes.fromhex({key.hex()!r}))
        conn = eng.connect()
        conn.exec_driver_sql("INSERT INTO settings (key, value, version, updated_at) "
                             "VALUES ('unsaved.test', '1', 1, '2026-01-01')")
        conn.commit()
        print("holding", flush=True)
        sys.stdin.readline()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        wal = Path(str(env.path) + "-wal")
        assert wal.exists() and wal.stat().st_size > 0  # its change lives in the WAL only
        with pytest.raises(DatabaseInUse, match="另一个程序") as err:
            backups.restore(env.path, out, key=key, actor=env.admin, office_code="640424100")
        assert err.value.exit_code == 7
        assert wal.exists() and wal.stat().st_size > 0
    finally:
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=30)
    # the other program's change survived, and after it closed the restore goes through,
    # keeping that change in the copy set aside
    result = backups.restore(env.path, out, key=key, actor=env.admin, office_code="640424100")
    result.database.dispose()
    conn = backup._open_raw(result.kept, key)
    assert conn.execute("SELECT value FROM settings WHERE key='unsaved.test'").fetchone() == ("1",)
    conn.close()


def test_restore_keeps_changes_left_in_the_wal_by_a_crashed_program(env, tmp_path):
    out = tmp_path / "b.qfdb"
    backup.backup_to(env.database, out)
    key = env.database.key
    env.database.dispose()
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from db.engine import sqlcipher_engine
        eng = sqlcipher_engine(Path({str(env.path)!r}), bytes.fromhex({key.hex()!r}))
        conn = eng.connect()
        conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
        conn.exec_driver_sql("INSERT INTO settings (key, value, version, updated_at) "
                             "VALUES ('crashed.test', '1', 1, '2026-01-01')")
        conn.commit()
        os._exit(0)  # no close, no checkpoint
    """)], timeout=60)
    assert proc.returncode == 0
    assert Path(str(env.path) + "-wal").stat().st_size > 0
    result = backups.restore(env.path, out, key=key, actor=env.admin, office_code="640424100")
    result.database.dispose()
    conn = backup._open_raw(result.kept, key)
    assert conn.execute("SELECT value FROM settings WHERE key='crashed.test'").fetchone() == ("1",)
    conn.close()


def test_pre_restore_copies_are_never_overwritten(env, tmp_path):
    out = tmp_path / "b.qfdb"
    backup.backup_to(env.database, out)
    key = env.database.key
    env.database.dispose()
    kept = []
    for _ in range(3):
        result = backups.restore(env.path, out, key=key, actor=env.admin, office_code="640424100")
        result.database.dispose()
        kept.append(result.kept)
    assert len(set(kept)) == 3 and all(p.exists() for p in kept)


def test_restore_of_damaged_database_keeps_its_bytes(env, tmp_path):
    out = tmp_path / "b.qfdb"
    backup.backup_to(env.database, out)
    key = env.database.key
    env.database.dispose()
    data = bytearray(env.path.read_bytes())
    data[100] ^= 0xFF  # page 1 fails its HMAC
    env.path.write_bytes(bytes(data))
    result = backups.restore(env.path, out, key=key, credentials=("admin", "test-pass-123"))
    result.database.dispose()
    assert result.kept.read_bytes() == bytes(data)
    assert households(env.path) == 0


def test_files_are_private(tmp_path):
    path = tmp_path / "new" / "new.qfdb"
    database, _key = create_sqlcipher(path)
    try:
        out = tmp_path / "b.qfdb"
        backup.backup_to(database, out)
        files = [path, Path(str(path) + ".qfkey"), Path(str(path) + "-wal"), Path(str(path) + "-shm"),
                 out, Path(str(out) + ".qfkey")]
        for p in files:
            assert p.exists() and p.stat().st_mode & 0o777 == 0o600, (p, oct(p.stat().st_mode))
    finally:
        database.dispose()


def test_world_readable_files_of_older_versions_become_private(env):
    env.database.dispose()
    for p in (env.path, Path(str(env.path) + ".qfkey")):
        os.chmod(p, 0o644)
    open_sqlcipher(env.path).dispose()
    for p in (env.path, Path(str(env.path) + ".qfkey")):
        assert p.stat().st_mode & 0o777 == 0o600
