"""Password hashes (scrypt, N=2^14, r=8, p=1: the parameters every stored hash names) and their
check. No database here: the command line can check a password ahead, in the background thread
that unwraps the database key (app.cli), while the program is still importing; the login's
own check then takes that result for the very same stored hash and password instead of
deriving again (:func:`check_ahead`). The check itself never changes."""
from __future__ import annotations

import hashlib
import hmac
import os
import threading

_N, _R, _P = 2**14, 8, 1

_ahead: dict[tuple[str, str], bool] = {}  # (stored hash, password) -> checked result, taken once
_ahead_lock = threading.Lock()


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def _check(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def check_password(password: str, stored: str) -> bool:
    with _ahead_lock:
        ahead = _ahead.pop((stored, password), None)
    return _check(password, stored) if ahead is None else ahead


def check_ahead(password: str, stored: str) -> None:
    """Check now (scrypt releases the GIL: call from a background thread) and keep the result
    for the next :func:`check_password` of the same stored hash and password."""
    result = _check(password, stored)
    with _ahead_lock:
        _ahead[(stored, password)] = result


def forget_ahead() -> None:
    with _ahead_lock:
        _ahead.clear()
