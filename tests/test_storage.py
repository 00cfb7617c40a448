"""The encrypted store: unreadable without the key, clear errors that touch nothing,
recovery code, passphrase mode, backups, upgrades, and survival of a killed writer."""
import hashlib
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from db import backup, keys, migrate
from db.engine import create_sqlcipher, integrity_check, open_sqlcipher
from db.errors import (BackupError, DatabaseMissing, KeyMissing, NewerDatabase, NotADatabase,
                       WrongKey)

ROOT = Path(__file__).resolve().parent.parent


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_plain_sqlite_cannot_read_the_file(env):
    env.database.dispose()
    conn = sqlite3.connect(env.path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        conn.execute("SELECT * FROM households").fetchall()
    conn.close()
    assert b"640424100" not in env.path.read_bytes()


def test_key_lives_in_keyring_not_on_disk(env, memory_keyring):
    kf = keys.KeyFile.load(keys.keyfile_path(env.path))
    assert kf.storage == "keyring" and kf.wrapped is None
    stored = memory_keyring.store[(keys.KEYRING_SERVICE, kf.db_id)]
    assert stored == env.database.key.hex()
    assert stored not in keys.keyfile_path(env.path).read_text()


def test_missing_key_is_clear_and_touches_nothing(env, memory_keyring, monkeypatch):
    env.database.dispose()
    before = digest(env.path)
    monkeypatch.setattr(memory_keyring, "store", {})
    with pytest.raises(KeyMissing, match="恢复码") as err:
        open_sqlcipher(env.path)
    assert err.value.exit_code == 3
    assert digest(env.path) == before


def test_wrong_recovery_code_is_refused_untouched(env, tmp_path):
    env.database.dispose()
    before = digest(env.path)
    other = keys.recovery_code(os.urandom(32))
    with pytest.raises(WrongKey) as err:
        open_sqlcipher(env.path, recovery=other)
    assert err.value.exit_code == 4 and "不匹配" in str(err.value)
    assert digest(env.path) == before


def test_recovery_code_opens_on_another_pc(env, memory_keyring, monkeypatch):
    code = keys.recovery_code(env.database.key)
    env.database.dispose()
    monkeypatch.setattr(memory_keyring, "store", {})  # the other PC knows nothing
    database = open_sqlcipher(env.path, recovery=code.lower().replace("-", " "))
    with database.session(write=False) as s:
        assert s.execute(text("SELECT count(*) FROM users")).scalar() == 3
    database.dispose()


@pytest.mark.parametrize("damage,exc,needle", [
    ("truncate", NotADatabase, "截断"),
    ("garbage", NotADatabase, "不是"),
    ("plain", NotADatabase, "未加密"),
])
def test_damaged_or_foreign_files_are_refused_untouched(env, damage, exc, needle):
    env.database.dispose()
    if damage == "truncate":
        data = env.path.read_bytes()
        env.path.write_bytes(data[: len(data) // 2 + 100])
    elif damage == "garbage":
        env.path.write_bytes(os.urandom(8192))
    else:
        env.path.unlink()
        sqlite3.connect(env.path).execute("CREATE TABLE t(a)").connection.commit()
    before = digest(env.path)
    with pytest.raises(exc) as err:
        open_sqlcipher(env.path)
    assert needle in str(err.value) and err.value.exit_code == 5
    assert digest(env.path) == before


def test_truncated_on_page_boundary_fails_integrity(env):
    env.database.dispose()
    data = env.path.read_bytes()
    env.path.write_bytes(data[: (len(data) // 2) // 4096 * 4096])
    Path(str(env.path) + "-wal").unlink(missing_ok=True)
    with pytest.raises(NotADatabase):
        open_sqlcipher(env.path)


def test_missing_file_is_not_created(tmp_path):
    path = tmp_path / "nothing.qfdb"
    with pytest.raises(DatabaseMissing) as err:
        open_sqlcipher(path)
    assert err.value.exit_code == 2 and not path.exists()


def test_newer_database_is_refused_untouched(env):
    with env.database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f999_future'"))
    env.database.dispose()
    before = digest(env.path)
    with pytest.raises(NewerDatabase, match="更新版本") as err:
        open_sqlcipher(env.path)
    assert err.value.exit_code == 6 and digest(env.path) == before


def test_passphrase_mode_without_keyring(tmp_path, monkeypatch):
    monkeypatch.setattr(keys, "keyring_available", lambda: False)
    path = tmp_path / "p.qfdb"
    database, key = create_sqlcipher(path, passphrase="correct horse 1")
    database.dispose()
    kf = keys.KeyFile.load(keys.keyfile_path(path))
    assert kf.storage == "passphrase" and key.hex() not in keys.keyfile_path(path).read_text()
    with pytest.raises(KeyMissing, match="QINGFENG_PASSPHRASE"):
        open_sqlcipher(path)
    with pytest.raises(WrongKey, match="口令不正确"):
        open_sqlcipher(path, passphrase="wrong horse 2")
    monkeypatch.setenv("QINGFENG_PASSPHRASE", "correct horse 1")
    open_sqlcipher(path).dispose()
    assert {k: kf.wrapped[k] for k in ("kdf", "n", "r", "p")} == {"kdf": "scrypt", "n": 2**17, "r": 8, "p": 1}


def test_a_key_file_opens_with_its_own_scrypt_parameters_within_bounds():
    """A key file written with the earlier N=2^15 (or without the parameters at all) still
    opens; parameters out of bounds (a damaged or hostile file asking for gigabytes) or a
    damaged wrapping are refused with a message that names the key file, not a crash."""
    import json

    key = keys.new_key()
    old = keys.wrap_key(key, "old horse 3")
    salt = bytes.fromhex(old["salt"])
    kek = keys._kek("old horse 3", salt, n=2**15, r=8, p=1)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    old.update(n=2**15, ct=AESGCM(kek).encrypt(bytes.fromhex(old["nonce"]), key, b"qingfeng-key").hex())
    assert keys.unwrap_key(old, "old horse 3") == key
    assert keys.unwrap_key({k: v for k, v in old.items() if k not in ("n", "r", "p")}, "old horse 3") == key
    with pytest.raises(WrongKey):
        keys.unwrap_key(old, "wrong horse 4")
    for damage in ({"n": 2**24}, {"n": 3 * 2**14}, {"n": "32768"}, {"r": 64}, {"p": 0}, {"salt": "zz"},
                   {"kdf": "md5"}, {"ct": None}):
        with pytest.raises(KeyMissing, match="口令加密数据已损坏"):
            keys.unwrap_key(json.loads(json.dumps(dict(old, **damage))), "old horse 3")
    with pytest.raises(KeyMissing, match="口令加密数据已损坏"):
        keys.unwrap_key({}, "old horse 3")


def test_backup_of_damaged_file_is_refused(env, tmp_path):
    bad = tmp_path / "bad.qfdb"
    bad.write_bytes(b"x" * 4096)
    with pytest.raises(BackupError, match="无法用本数据库的密钥打开"):
        backup.verify_file(bad, env.database.key)


def test_older_database_is_backed_up_then_upgraded(env):
    """Simulate an older install by stamping an earlier revision that this build knows."""
    with env.database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'base_test'"))
    env.database.dispose()
    real_script = migrate.script

    class Rev:
        def __init__(self, r):
            self.revision = r

    class FakeScript:
        def walk_revisions(self):
            return [Rev("base_test"), *real_script().walk_revisions()]

        def get_current_head(self):
            return real_script().get_current_head()

    calls = []
    orig_upgrade = migrate.upgrade_to_head

    def fake_upgrade(database):
        calls.append(database.path)
        with database.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :h"),
                         {"h": real_script().get_current_head()})

    migrate.script, migrate.upgrade_to_head = FakeScript, fake_upgrade
    try:
        database = open_sqlcipher(env.path)
    finally:
        migrate.script, migrate.upgrade_to_head = real_script, orig_upgrade
    assert calls and database.upgraded_from == "base_test"
    assert database.backup_before_upgrade.exists()
    backup.verify_file(database.backup_before_upgrade, database.key)
    database.dispose()


def test_killed_process_during_bulk_write_leaves_consistent_database(env):
    key_hex = env.database.key.hex()
    env.database.dispose()
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from db.engine import sqlcipher_engine
        from pathlib import Path
        eng = sqlcipher_engine(Path({str(env.path)!r}), bytes.fromhex({key_hex!r}))
        with eng.execution_options(qf_immediate=True).begin() as conn:
            for i in range(10**7):
                conn.exec_driver_sql(
                    "INSERT INTO villages (id, owner_office, version, created_at, updated_at, name, "
                    "sort_order) VALUES (?, 'crash', 1, '2026-01-01', '2026-01-01', ?, 0)",
                    (f"crash-{{i}}", f"v{{i}}"))
                if i == 20000:
                    print("writing", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    proc.kill()
    proc.wait()
    database = open_sqlcipher(env.path)
    assert integrity_check(database) == "ok"
    with database.session(write=False) as s:
        assert s.execute(text("SELECT count(*) FROM villages WHERE owner_office='crash'")).scalar() == 0
    database.dispose()


def test_migrations_linear_and_schema_matches_models(env):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from db.models import Base

    heads = migrate.script().get_heads()
    assert len(heads) == 1
    with env.database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_key_storage_of_a_damaged_key_file_is_unknown(tmp_path):
    from app import firstrun

    db = tmp_path / "x.qfdb"
    kf = tmp_path / "x.qfdb.qfkey"
    assert firstrun.key_storage(db) is None  # no key file
    for damaged in (b"\xff\xfe not json", b"[1, 2]", b'{"format": 1}'):
        kf.write_bytes(damaged)
        assert firstrun.key_storage(db) is None
    kf.write_text('{"db_id": "a", "check": "b", "storage": "passphrase"}', encoding="utf-8")
    assert firstrun.key_storage(db) == "passphrase"


def test_a_durable_session_syncs_its_commit_and_the_next_one_does_not_wait(env):
    """SQLite in WAL mode with synchronous=NORMAL syncs a commit only at a checkpoint; an import
    or an export (Database.session(durable=True)) commits with FULL, a clerk's edit afterwards
    with NORMAL again on the same connection."""
    def level(**kw) -> int:  # noqa: ANN003
        with env.database.session(**kw) as s:
            return s.execute(text("PRAGMA synchronous")).scalar()

    assert level() == 1
    assert level(durable=True) == 2
    assert level() == 1 and level(write=False) == 1
    assert level(durable=True) == 2 and level(durable=True) == 2



@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"db_id": "x"}', '"text"'])
def test_a_damaged_key_file_is_named_and_the_database_untouched(env, content):
    """A key file that is not ours (not JSON, not an object, fields missing) is refused with its
    name and the way out (the recovery code); the database file is not changed."""
    env.database.dispose()
    before = hashlib.sha256(env.path.read_bytes()).hexdigest()
    keys.keyfile_path(env.path).write_text(content, encoding="utf-8")
    keys.forget_prefetched()
    with pytest.raises(KeyMissing, match="已损坏，请用恢复码"):
        open_sqlcipher(env.path)
    assert hashlib.sha256(env.path.read_bytes()).hexdigest() == before
