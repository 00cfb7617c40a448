"""One read without SQLAlchemy: a user's stored password hash, straight through the SQLCipher
driver with the database key. The command line uses it in the background thread that has just
unwrapped the key, to check the password while the program is still importing
(app.passwords.check_ahead); the login itself still reads the user through the ORM."""
from __future__ import annotations

from pathlib import Path


def password_hash(path: Path | str, key: bytes, username: str) -> str | None:
    """The active user's stored hash, or None (no such user, or the file cannot be read: the
    normal open then says what is wrong). Read-only, and only while no write-ahead log is
    beside the file: a log is checked for damage by the normal open before anything reads it
    (db.engine), so then this read is left out."""
    from sqlcipher3 import dbapi2

    wal = Path(str(path) + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return None
    try:
        conn = dbapi2.connect(f"file:{Path(path)}?mode=ro", uri=True)
    except dbapi2.Error:
        return None
    try:
        cur = conn.cursor()
        cur.execute("PRAGMA cipher_log_level = NONE")
        cur.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        cur.execute("PRAGMA busy_timeout = 10000")
        row = cur.execute("SELECT password_hash FROM users WHERE username = ? AND deleted_at IS NULL AND active",
                          (username,)).fetchone()
    except dbapi2.Error:
        return None
    finally:
        conn.close()
    return row[0] if row else None
