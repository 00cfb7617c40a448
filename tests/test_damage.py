"""Damage is a message: a damaged page, a damaged WAL, a full disk and a read-only folder each
give a Chinese message saying what to do and a distinct exit code, never a traceback."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import event

from app.cli import main as cli_main
from db import engine as db_engine
from db.errors import (DatabaseDamaged, DiskFull, ReadOnlyLocation, WalDamaged, translate)

ROOT = Path(__file__).resolve().parent.parent


def run_cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, QINGFENG_PASSWORD="test-pass-123", PYTHONPATH=str(ROOT),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", QINGFENG_PASSPHRASE="db-phrase-123")
    return subprocess.run([sys.executable, "-m", "app.cli", "--db", str(db), *args],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("damage") / "township.qfdb"
    r = run_cli(db, "init", "--office", "640424100", "--name", "香水镇人民政府", "--level", "township",
                "--admin", "admin", "--village", "香水村")
    assert r.returncode == 0, r.stderr
    r = run_cli(db, "demo", "--households", "60", "--seed", "2")
    assert r.returncode == 0, r.stderr
    return db


def copy_db(src: Path, dst: Path) -> Path:
    for suffix in ("", ".qfkey"):
        Path(str(dst) + suffix).write_bytes(Path(str(src) + suffix).read_bytes())
    return dst


def test_damaged_page_is_a_message(cli_db, tmp_path):
    db = copy_db(cli_db, tmp_path / "d.qfdb")
    data = bytearray(db.read_bytes())
    pages = len(data) // 4096
    for page in range(pages // 3, pages):  # one flipped byte in each page of the last two thirds
        data[page * 4096 + 2000] ^= 0x01
    db.write_bytes(bytes(data))
    r = run_cli(db, "audit", "verify")
    assert r.returncode == DatabaseDamaged.exit_code == 9, r.stderr
    assert "已损坏" in r.stderr and "restore --latest" in r.stderr
    assert "Traceback" not in r.stderr


def test_damaged_wal_is_a_message(cli_db, tmp_path):
    db = copy_db(cli_db, tmp_path / "w.qfdb")
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from db.engine import open_sqlcipher
        d = open_sqlcipher({str(db)!r}, passphrase="db-phrase-123")
        with d.engine.connect() as c:
            c.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
            for i in range(3):
                c.exec_driver_sql(f"UPDATE settings SET updated_by = 'w{{i}}'")
                c.commit()
            os._exit(0)
    """)
    assert subprocess.run([sys.executable, "-c", script], timeout=120).returncode == 0
    wal = Path(str(db) + "-wal")
    assert wal.stat().st_size > 32 + 2 * (24 + 4096)
    data = bytearray(wal.read_bytes())
    data[32 + 24 + 100] ^= 0x01  # inside the first frame; committed frames follow
    wal.write_bytes(bytes(data))
    before = db.read_bytes()
    r = run_cli(db, "household", "list")
    assert r.returncode == WalDamaged.exit_code == 16, r.stderr
    assert "预写日志" in r.stderr and "restore --latest" in r.stderr and "Traceback" not in r.stderr
    assert db.read_bytes() == before and wal.read_bytes() == bytes(data)


def test_unfinished_last_transaction_in_wal_is_not_damage(cli_db, tmp_path):
    from db import wal

    db = copy_db(cli_db, tmp_path / "t.qfdb")
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        from db.engine import open_sqlcipher
        d = open_sqlcipher({str(db)!r}, passphrase="db-phrase-123")
        with d.engine.connect() as c:
            c.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
            c.exec_driver_sql("UPDATE settings SET updated_by = 'x'")
            c.commit()
            os._exit(0)
    """)
    subprocess.run([sys.executable, "-c", script], timeout=120, check=True)
    walfile = Path(str(db) + "-wal")
    size = walfile.stat().st_size
    with open(walfile, "r+b") as fh:  # a torn write of the last frame
        fh.truncate(size - 100)
    assert wal.damaged_frames(db) is None


def limit_pages(monkeypatch, pragma: str) -> None:
    real = db_engine.sqlcipher_engine

    def engine(path, key):  # noqa: ANN001, ANN202
        eng = real(path, key)

        @event.listens_for(eng, "connect")
        def _limit(dbapi_conn, _record):  # noqa: ANN001
            if pragma == "full":
                n = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
                dbapi_conn.execute(f"PRAGMA max_page_count = {n}")
            else:
                dbapi_conn.execute("PRAGMA query_only = ON")
        return eng

    monkeypatch.setattr(db_engine, "sqlcipher_engine", engine)


def test_full_disk_is_a_message(env, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("QINGFENG_LOG_DIR", str(tmp_path / "logs"))
    env.database.dispose()
    limit_pages(monkeypatch, "full")
    monkeypatch.setenv("QINGFENG_PASSWORD", "test-pass-123")
    code = cli_main(["--db", str(env.path), "demo", "--households", "50"])
    err = capsys.readouterr().err
    assert code == DiskFull.exit_code == 17, err
    assert "磁盘已满" in err and "Traceback" not in err


def test_read_only_folder_is_a_message(env, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("QINGFENG_LOG_DIR", str(tmp_path / "logs"))
    env.database.dispose()
    limit_pages(monkeypatch, "readonly")
    monkeypatch.setenv("QINGFENG_PASSWORD", "test-pass-123")
    monkeypatch.setenv("QINGFENG_NEW_PASSWORD", "new-pass-123")
    code = cli_main(["--db", str(env.path), "user", "add", "u2", "--name", "王五", "--role", "经办人"])
    err = capsys.readouterr().err
    assert code == ReadOnlyLocation.exit_code == 18, err
    assert "只读" in err and "Traceback" not in err


@pytest.mark.parametrize("errno_name,cls", [("ENOSPC", DiskFull), ("EACCES", ReadOnlyLocation),
                                            ("EROFS", ReadOnlyLocation)])
def test_file_errors_of_backups_are_messages(env, tmp_path, monkeypatch, errno_name, cls):
    import errno

    from db import backup

    def refuse(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise OSError(getattr(errno, errno_name), os.strerror(getattr(errno, errno_name)), str(tmp_path))

    monkeypatch.setattr(backup, "private_file", refuse)
    with pytest.raises(cls):
        backup.backup_to(env.database, tmp_path / "x" / "b.qfdb")
    assert not (tmp_path / "x" / "b.qfdb").exists()


def test_gui_shows_the_same_messages():
    from sqlalchemy.exc import OperationalError

    from ui.ops import error_text

    exc = OperationalError("SELECT 1", {}, Exception("database or disk is full"))
    text, details = error_text(exc)
    assert "磁盘已满" in text and details is None
    exc = OperationalError("SELECT 1", {}, Exception("file is not a database"))
    assert "restore --latest" in error_text(exc)[0]
    assert isinstance(translate(exc), DatabaseDamaged)


def test_restore_latest_repairs_a_damaged_database(cli_db, tmp_path):
    db = copy_db(cli_db, tmp_path / "r.qfdb")
    r = run_cli(db, "backup")
    assert r.returncode == 0, r.stderr
    data = bytearray(db.read_bytes())
    for page in range(0, len(data) // 4096):  # every page, the first too: nothing can be read
        data[page * 4096 + 1000] ^= 0x01
    db.write_bytes(bytes(data))
    assert run_cli(db, "household", "list").returncode in (5, 15)
    r = run_cli(db, "restore", "--latest")
    assert r.returncode == 0, r.stderr
    assert "当前数据库无法读取" in r.stderr and "Traceback" not in r.stderr
    r = run_cli(db, "audit", "verify")
    assert r.returncode == 0, r.stderr
    kept = sorted((tmp_path / "r-备份" / "恢复前").glob("*.qfdb"))
    assert kept and kept[-1].read_bytes() == bytes(data)  # the damaged file kept byte for byte
