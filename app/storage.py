"""The database file as the application sees it: open, key storage, backup and restore.

ui/ talks to this module, never to db/ directly (tests/test_layering.py); the CLI uses the same
use cases (:func:`make_backup`, :func:`restore`), so both audit and verify alike.
"""
from __future__ import annotations

from pathlib import Path

from app import audit, backups
from app.permissions import Actor, require
from db import backup as _backup
from db import keys as _keys
from db.engine import Database, default_db_path, open_sqlcipher

__all__ = ["Database", "default_db_path", "open_database", "keyring_available", "recovery_code",
           "key_from_recovery_code", "store_key", "load_key", "make_backup", "restore"]

open_database = open_sqlcipher


# looked up at call time (tests replace db.keys functions)
def keyring_available() -> bool:
    return _keys.keyring_available()


def recovery_code(key: bytes) -> str:
    return _keys.recovery_code(key)


def key_from_recovery_code(code: str) -> bytes:
    return _keys.key_from_recovery_code(code)


def store_key(key: bytes, db_path: Path, *, passphrase: str | None = None):  # noqa: ANN201
    return _keys.store_key(key, db_path, passphrase=passphrase)


def make_backup(database: Database, actor: Actor, target: Path | str) -> dict[str, int]:
    """Back up the database to ``target`` (encrypted with its key, verified after writing);
    audited as ``backup``. Returns the row counts per table of the verified copy."""
    target = Path(target).resolve()
    with database.session() as s:
        require(actor, "export.personal")
        audit.record(s, actor, "backup", "document", "backup", None, {"file": str(target)})
    return _backup.backup_to(database, target)


def load_key(db_path: Path, *, passphrase: str | None = None) -> bytes:
    return _keys.load_key(db_path, passphrase=passphrase)


def restore(database: Database, actor: Actor, source: Path | str, *,
            passphrase: str | None = None) -> backups.RestoreResult:
    """Replace the database with a verified backup (administrator; app.backups.restore does
    every check before the swap). ``database`` is disposed; the result holds the reopened
    database and the kept copy. When the backup is refused, the original file stays and is
    reopened by the caller."""
    with database.session(write=False):
        require(actor, "backup.restore")
    path, key = database.path, database.key
    database.dispose()
    return backups.restore(path, source, key=key, actor=actor, office_code=actor.office_code,
                           passphrase=passphrase)
