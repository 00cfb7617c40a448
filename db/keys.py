"""Database keys: creation, the OS keyring, the passphrase fallback and the recovery code.

The database key is 256 random bits, generated once at ``init``. It is kept in the OS keyring
(Windows Credential Manager on the office PCs). Where no secure keyring exists the key is kept
wrapped (scrypt + AES-256-GCM) under a passphrase in the key file beside the database; it is
never written to disk in clear. The recovery code is the key itself in readable groups: printed
once at setup and kept in the office safe, it re-opens the database on another PC.

The key file ``<db>.qfkey`` (JSON, no secret in clear) also holds a key check value so that a
wrong key is told apart from a damaged or foreign file before the database is touched.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from db.errors import KeyMissing, WrongKey

KEYRING_SERVICE = "qingfeng-ledger"
KEYFILE_FORMAT = 1
KEYFILE_DAMAGE = (ValueError, KeyError, TypeError)  # what KeyFile.load raises for a file not ours: not JSON, fields missing
# a new key file's passphrase derivation: OWASP's minimum for scrypt (N=2^17, r=8, p=1: 128 MiB,
# about half a second, once per start and overlapped with it). Each key file keeps its own
# parameters, so files written with the earlier N=2^15 open as before.
_SCRYPT = {"n": 2**17, "r": 8, "p": 1}
_SCRYPT_LIMITS = {"n": (2**14, 2**18), "r": (1, 8), "p": (1, 4)}  # what a key file may ask for


def new_key() -> bytes:
    return os.urandom(32)


def key_check(key: bytes) -> str:
    return hmac.new(key, b"qingfeng key check v1", hashlib.sha256).hexdigest()[:32]


def recovery_code(key: bytes) -> str:
    """The key as 13 groups of 4 base32 characters (no padding), easy to read out and type."""
    text = base64.b32encode(key).decode().rstrip("=")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def key_from_recovery_code(code: str) -> bytes:
    text = "".join(ch for ch in code.upper() if ch.isalnum())
    text = text.replace("0", "O").replace("1", "I").replace("8", "B")
    try:
        key = base64.b32decode(text + "=" * (-len(text) % 8))
    except ValueError:  # binascii.Error: not Base32
        key = b""
    if len(key) != 32:
        raise WrongKey("恢复码格式不正确：应为 13 组、每组 4 个字母或数字（共 52 位），请核对后重新输入。")
    return key


def keyfile_path(db_path: Path) -> Path:
    return Path(str(db_path) + ".qfkey")


@dataclass
class KeyFile:
    db_id: str
    check: str
    storage: str  # "keyring" | "passphrase"
    wrapped: dict | None = None

    @classmethod
    def load(cls, path: Path) -> "KeyFile":
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(db_id=data["db_id"], check=data["check"], storage=data["storage"],
                   wrapped=data.get("wrapped"))

    def save(self, path: Path) -> None:
        data = {"format": KEYFILE_FORMAT, "db_id": self.db_id, "check": self.check,
                "storage": self.storage}
        if self.wrapped:
            data["wrapped"] = self.wrapped
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(data, ensure_ascii=False, indent=1))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)


def _kek(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # OpenSSL needs 128·r·(n + p + 2) bytes; hashlib refuses more than maxmem
    return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32,
                          maxmem=128 * r * (n + p + 2) + (1 << 20))


def _scrypt_params(wrapped: dict) -> dict[str, int]:
    """The derivation's parameters as the key file gives them (a file without them was written
    with N=2^15, r=8, p=1), each a whole number within bounds (a damaged or hostile file must
    not make the program ask for gigabytes)."""
    params = {}
    for name, default in (("n", 2**15), ("r", 8), ("p", 1)):
        value = wrapped.get(name, default)
        low, high = _SCRYPT_LIMITS[name]
        if type(value) is not int or not low <= value <= high or (name == "n" and value & (value - 1)):
            raise ValueError(name)
        params[name] = value
    return params


def wrap_key(key: bytes, passphrase: str) -> dict:
    salt, nonce = os.urandom(16), os.urandom(12)
    ct = AESGCM(_kek(passphrase, salt, **_SCRYPT)).encrypt(nonce, key, b"qingfeng-key")
    return {"kdf": "scrypt", **_SCRYPT, "salt": salt.hex(), "nonce": nonce.hex(), "ct": ct.hex()}


def unwrap_key(wrapped: dict, passphrase: str) -> bytes:
    try:
        params = _scrypt_params(wrapped)
        salt, nonce, ct = (bytes.fromhex(wrapped[k]) for k in ("salt", "nonce", "ct"))
        if wrapped.get("kdf") != "scrypt" or len(nonce) != 12 or not salt:
            raise ValueError("kdf")
    except (KeyError, TypeError, ValueError):
        raise KeyMissing("密钥信息文件中的口令加密数据已损坏，请用恢复码重新打开数据库"
                         "（qingfeng-cli unlock --recovery-code ...），数据库未作任何改动。") from None
    try:
        return AESGCM(_kek(passphrase, salt, **params)).decrypt(nonce, ct, b"qingfeng-key")
    except InvalidTag:
        raise WrongKey("数据库口令不正确，数据库未被打开，文件未作任何改动。") from None


def keyring_available() -> bool:
    import keyring
    from keyring.backends import fail

    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a third-party backend failing to start means "no keyring"
        return False
    name = type(backend).__module__ + "." + type(backend).__name__
    if isinstance(backend, fail.Keyring) or "keyrings.alt" in name or "null" in name.lower():
        return False
    return getattr(backend, "priority", 1) > 0


def store_key(key: bytes, db_path: Path, *, passphrase: str | None = None) -> KeyFile:
    """Keep ``key`` for the database at ``db_path`` and write its key file."""
    kf_path = keyfile_path(db_path)
    db_id = str(uuid.uuid4())
    if kf_path.exists():
        try:
            db_id = KeyFile.load(kf_path).db_id
        except (OSError, *KEYFILE_DAMAGE):
            pass  # a damaged key file is replaced, under a new id
    if passphrase is None and keyring_available():
        import keyring

        keyring.set_password(KEYRING_SERVICE, db_id, key.hex())
        kf = KeyFile(db_id=db_id, check=key_check(key), storage="keyring")
    else:
        if not passphrase:
            raise KeyMissing("本机没有安全的密钥存储（系统凭据管理器），请设置数据库口令"
                             "（或设置环境变量 QINGFENG_PASSPHRASE）。")
        kf = KeyFile(db_id=db_id, check=key_check(key), storage="passphrase",
                     wrapped=wrap_key(key, passphrase))
    kf.save(kf_path)
    return kf


class _Pending:
    """A key being unwrapped in a background thread (see :func:`prefetch`)."""

    def __init__(self, path: Path, phrase: str | None, then: Callable[[Path, bytes], None] | None):
        self.key: bytes | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(path, phrase, then), daemon=True,
                                       name="qingfeng-key-prefetch")

    def _run(self, path: Path, phrase: str | None, then: Callable[[Path, bytes], None] | None) -> None:
        try:
            self.key = _load_key(path, passphrase=phrase, recovery=None)
        except BaseException as exc:  # handed to the caller of load_key, raised there
            self.error = exc
            return
        if then is not None:
            then(path, self.key)

    def result(self) -> bytes:
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.key  # type: ignore[return-value]


_pending: dict[tuple[str, str | None], _Pending] = {}
_pending_lock = threading.Lock()


def _pending_key(db_path: Path | str, passphrase: str | None) -> tuple[str, str | None]:
    return str(Path(db_path).resolve()), passphrase or os.environ.get("QINGFENG_PASSPHRASE")


def prefetch(db_path: Path | str, *, passphrase: str | None = None,
             then: Callable[[Path, bytes], None] | None = None) -> None:
    """Start unwrapping the key of ``db_path`` in a background thread, so that the key
    derivation (scrypt, ~0.1 s; it releases the GIL) overlaps the program's start-up. The next
    :func:`load_key` of the same file and passphrase takes the result (or its error) instead of
    deriving again; the key is derived once per run either way. Nothing happens when the
    database has no key file (a new database, a recovery code). ``then(path, key)`` runs in the
    same thread once the key is there (the command line checks the password ahead with it)."""
    path = Path(db_path).resolve()
    if not keyfile_path(path).is_file():
        return
    key = _pending_key(path, passphrase)
    with _pending_lock:
        if key in _pending:
            return
        pending = _pending[key] = _Pending(path, key[1], then)
    pending.thread.start()


def forget_prefetched() -> None:
    """Drop any prefetched key not taken (end of a command: the next run derives afresh)."""
    with _pending_lock:
        left = list(_pending.values())
        _pending.clear()
    for pending in left:
        pending.thread.join()
        pending.key = None


def load_key(db_path: Path, *, passphrase: str | None = None,
             recovery: str | None = None) -> bytes:
    """Return the key of ``db_path``: from the recovery code, the keyring or the passphrase
    (a :func:`prefetch` of the same file and passphrase is taken, not derived again)."""
    if recovery is None:
        with _pending_lock:
            pending = _pending.pop(_pending_key(db_path, passphrase), None)
        if pending is not None:
            return pending.result()
    return _load_key(db_path, passphrase=passphrase, recovery=recovery)


def _load_key(db_path: Path, *, passphrase: str | None, recovery: str | None) -> bytes:
    kf_path = keyfile_path(db_path)
    kf = None
    if kf_path.exists():
        try:
            kf = KeyFile.load(kf_path)
        except KEYFILE_DAMAGE:
            raise KeyMissing(f"密钥信息文件 {kf_path} 已损坏，请用恢复码重新打开数据库"
                             "（qingfeng-cli unlock --recovery-code ...）。") from None
    if recovery:
        key = key_from_recovery_code(recovery)
    elif kf is None:
        raise KeyMissing(f"找不到数据库的密钥信息文件 {kf_path.name}。如果数据库是从别的电脑拷来的，"
                         "请用恢复码打开（qingfeng-cli unlock --recovery-code ...）。")
    elif kf.storage == "keyring":
        key = _key_from_keyring(kf, passphrase)
    else:
        phrase = passphrase or os.environ.get("QINGFENG_PASSPHRASE")
        if not phrase:
            raise KeyMissing("需要数据库口令：请输入口令，或设置环境变量 QINGFENG_PASSPHRASE。")
        key = unwrap_key(kf.wrapped or {}, phrase)
    if kf is not None and not hmac.compare_digest(key_check(key), kf.check):
        raise WrongKey("密钥与该数据库不匹配（恢复码或口令不正确），数据库未被打开，文件未作任何改动。")
    return key


def _key_from_keyring(kf: KeyFile, passphrase: str | None) -> bytes:
    import keyring
    from keyring.errors import KeyringError

    try:
        value = keyring.get_password(KEYRING_SERVICE, kf.db_id)
    except KeyringError:
        value = None
    if not value:
        raise KeyMissing("本机的系统凭据管理器中没有该数据库的密钥。如果数据库是从别的电脑拷来的，"
                         "请用恢复码打开（qingfeng-cli unlock --recovery-code ...）。")
    return bytes.fromhex(value)
