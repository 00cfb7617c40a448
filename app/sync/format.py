"""The package file (DESIGN.md §4): a ZIP of ``manifest.json``, ``payload.bin`` and ``signature``.

* manifest: canonical JSON (format, kind, sender, recipient, seq, prev_hash, period, created, app
  and schema versions, per-section sha256 and row counts, audit chain head, payload hash, the
  wrapped content key);
* payload: JSON Lines per table, compressed (zlib or lzma), then encrypted with AES-256-GCM in
  chunks (nonce = chunk number, the last chunk flagged in the associated data) under a fresh key
  wrapped for the recipient with X25519 + HKDF-SHA256;
* signature: Ed25519 by the sender over the manifest bytes (which carry the payload's hash).

The ZIP is written deterministically (fixed member order and time stamps, stored, no extras)
and read strictly: exactly these three members in this order, size limits checked before
anything is decompressed. A package's hash is the sha256 of its manifest bytes.
"""
from __future__ import annotations

import hashlib
import io
import json
import json.scanner
import lzma
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from db.errors import QingfengError

FORMAT_VERSION = 1
APP_VERSION = "0.1.0"  # pyproject.toml
MEMBERS = ("manifest.json", "payload.bin", "signature")
MAX_FILE = 512 * 1024 * 1024
MAX_MANIFEST = 1024 * 1024
MAX_PLAIN = 2 * 1024 * 1024 * 1024
CHUNK = 1024 * 1024
VOLUME_SIZE = 5 * 1000 * 1000  # split into numbered volumes above this (e-mail attachment)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
HKDF_INFO = b"qingfeng-qfp-1 key wrap"


class PackageRefused(QingfengError):
    """A package that is not imported; the message says why. Nothing was changed."""

    exit_code = 20


def canonical_bytes(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_name(office: str, period: str, seq: int, kind: str, recipient: str | None = None) -> str:
    """``<office>-<period>-<seq>.qfp``; with ``recipient`` (回执, and what a district sends to
    each of its townships) ``…-至<recipient>`` so that the month's files share one folder."""
    suffix = f"{seq}-回执" if kind == "ack" else f"{seq}"
    to = f"-至{recipient}" if recipient else ""
    return f"{office}-{period}-{suffix}{to}.qfp"


# --- payload: sections of JSON Lines ----------------------------------------------------------

def encode_sections(sections: list[tuple[str, list[dict]]]) -> tuple[bytes, list[dict]]:
    """Concatenated JSON Lines and, per section, its name, row count, byte length and hash."""
    out, index = io.BytesIO(), []
    for name, rows in sections:
        body = b"".join(canonical_bytes(r) + b"\n" for r in rows)
        out.write(body)
        index.append({"name": name, "rows": len(rows), "bytes": len(body), "sha256": sha256(body)})
    return out.getvalue(), index


def decode_sections(plain: bytes, index: list[dict]) -> dict[str, list[dict]]:
    pos, result = 0, {}
    decoder = json.JSONDecoder()
    parse, scan = decoder.decode, json.scanner.make_scanner(decoder)
    for entry in index:
        body = plain[pos:pos + entry["bytes"]]
        pos += entry["bytes"]
        if len(body) != entry["bytes"] or sha256(body) != entry["sha256"]:
            raise PackageRefused(f"数据包中“{entry['name']}”部分与清单中的哈希不符（内容被改动）。")
        try:
            # the section decoded once (UTF-8, as written), each line parsed as text: json.loads
            # of bytes guesses the encoding and decodes every line again
            lines = body.decode("utf-8").split("\n")[:-1] if body else []
            if len(lines) != entry["rows"]:
                raise PackageRefused(f"数据包中“{entry['name']}”部分的行数与清单不符。")
            rows = []
            for line in lines:
                # the scanner json.loads runs, called directly; a line it does not read whole
                # (leading or trailing blanks, or not JSON) goes through json.loads itself
                try:
                    row, end = scan(line, 0)
                except StopIteration:
                    end = -1
                rows.append(row if end == len(line) else parse(line))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise PackageRefused(f"数据包中“{entry['name']}”部分不是有效的 JSON Lines。") from None
        if not all(isinstance(r, dict) for r in rows):
            raise PackageRefused(f"数据包中“{entry['name']}”部分的记录格式不对。")
        result[entry["name"]] = rows
    if pos != len(plain):
        raise PackageRefused("数据包的内容长度与清单不符。")
    return result


def compress(plain: bytes, method: str) -> bytes:
    return lzma.compress(plain, preset=1) if method == "lzma" else zlib.compress(plain, 6)


def decompress(data: bytes, method: str, limit: int) -> bytes:
    try:
        if method == "lzma":
            d = lzma.LZMADecompressor()
            out = d.decompress(data, max_length=limit + 1)
            complete = d.eof and not d.unused_data
        elif method == "zlib":
            d = zlib.decompressobj()
            out = d.decompress(data, limit + 1)
            complete = d.eof and not d.unused_data
        else:
            raise PackageRefused(f"不支持的压缩方式“{method}”。")
    except (lzma.LZMAError, zlib.error):
        raise PackageRefused("数据包内容无法解压（已损坏）。") from None
    if len(out) > limit:
        raise PackageRefused("数据包解压后超过清单所写的大小。")
    if not complete or len(out) != limit:
        raise PackageRefused("数据包内容不完整（解压长度与清单不符）。")
    return out


# --- encryption -------------------------------------------------------------------------------

def _kek(shared: bytes, eph_public: bytes, recipient_public: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=eph_public + recipient_public,
                info=HKDF_INFO).derive(shared)


def _aad(i: int, last: bool) -> bytes:
    return b"qfp-chunk|%d|%d" % (i, int(last))


def encrypt(data: bytes, recipient_box_public: bytes) -> tuple[bytes, dict]:
    """Encrypt under a fresh content key; returns ciphertext and the manifest's key section."""
    cek = AESGCM.generate_key(bit_length=256)
    eph = X25519PrivateKey.generate()
    eph_public = eph.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    kek = _kek(eph.exchange(X25519PublicKey.from_public_bytes(recipient_box_public)), eph_public,
               recipient_box_public)
    wrap_nonce = os.urandom(12)
    wrapped = AESGCM(kek).encrypt(wrap_nonce, cek, b"qfp-key")
    aes, out = AESGCM(cek), io.BytesIO()
    count = max(1, -(-len(data) // CHUNK))
    for i in range(count):
        nonce = i.to_bytes(12, "big")  # unique per chunk under a key used for one package only
        out.write(aes.encrypt(nonce, data[i * CHUNK:(i + 1) * CHUNK], _aad(i, i == count - 1)))
    return out.getvalue(), {"ephemeral": eph_public.hex(), "nonce": wrap_nonce.hex(),
                            "wrapped": wrapped.hex(), "chunk": CHUNK, "chunks": count}


def decrypt(cipher: bytes, key: dict, box_private: X25519PrivateKey) -> bytes:
    try:
        eph_public = bytes.fromhex(key["ephemeral"])
        own_public = box_private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        kek = _kek(box_private.exchange(X25519PublicKey.from_public_bytes(eph_public)), eph_public,
                   own_public)
        cek = AESGCM(kek).decrypt(bytes.fromhex(key["nonce"]), bytes.fromhex(key["wrapped"]), b"qfp-key")
        chunk, count = int(key["chunk"]), int(key["chunks"])
        full_chunks = (count - 1) * (CHUNK + 16)
        if chunk != CHUNK or count < 1 or not full_chunks + 16 <= len(cipher) <= full_chunks + CHUNK + 16:
            raise PackageRefused("数据包加密分块与清单不符。")
        aes, out = AESGCM(cek), io.BytesIO()
        for i in range(count):
            part = cipher[i * (CHUNK + 16):(i + 1) * (CHUNK + 16)]
            out.write(aes.decrypt(i.to_bytes(12, "big"), part, _aad(i, i == count - 1)))
        return out.getvalue()
    except (InvalidTag, ValueError, KeyError, TypeError):
        raise PackageRefused("数据包无法解密：不是发给本单位的，或内容已被改动。") from None


# --- the ZIP ----------------------------------------------------------------------------------

def sign(manifest: bytes, key: Ed25519PrivateKey) -> bytes:
    return key.sign(manifest)


def write_zip(manifest: bytes, payload: bytes, signature: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as z:
        for name, data in zip(MEMBERS, (manifest, payload, signature)):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.create_system = 0
            z.writestr(info, data)
    return out.getvalue()


@dataclass
class RawPackage:
    manifest_bytes: bytes
    manifest: dict
    payload: bytes
    signature: bytes

    @property
    def hash(self) -> str:
        return sha256(self.manifest_bytes)


def read_zip(data: bytes) -> RawPackage:
    """Size limits, then the exact members, then the manifest's form (not yet trusted)."""
    if len(data) > MAX_FILE:
        raise PackageRefused(f"数据包过大（{len(data)} 字节，上限 {MAX_FILE} 字节）。")
    if len(data) < 22 or not data.startswith(b"PK\x03\x04"):
        raise PackageRefused("不是清风台账数据包（文件格式不对或已截断）。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            names = tuple(i.filename for i in infos)
            if names != MEMBERS:
                raise PackageRefused(f"数据包的组成不对：应为 {'、'.join(MEMBERS)}，实为 {'、'.join(names) or '空'}。")
            if any(i.compress_type != zipfile.ZIP_STORED for i in infos):
                raise PackageRefused("数据包的组成不对：成员不应再压缩。")
            if infos[0].file_size > MAX_MANIFEST or infos[2].file_size > 1024:
                raise PackageRefused("数据包清单或签名过大。")
            if sum(i.file_size for i in infos) > len(data):
                raise PackageRefused("数据包成员大小与文件长度不符。")
            parts = [z.read(n) for n in MEMBERS]
    except zipfile.BadZipFile:
        raise PackageRefused("数据包已损坏或被截断（不是完整的 ZIP 文件）。") from None
    except (zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise PackageRefused(f"数据包已损坏（{type(exc).__name__}）。") from None
    except zlib.error:
        raise PackageRefused("数据包已损坏。") from None
    if write_zip(*parts) != data:
        raise PackageRefused("数据包的文件结构与标准写法不符（被改动或拼接）。")
    manifest_bytes, payload, signature = parts
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PackageRefused("数据包清单不是有效的 JSON（已损坏）。") from None
    if not isinstance(manifest, dict) or canonical_bytes(manifest) != manifest_bytes:
        raise PackageRefused("数据包清单格式不对（已损坏）。")
    fmt = manifest.get("format")
    if not isinstance(fmt, int) or fmt < 1:
        raise PackageRefused("数据包清单缺少格式版本。")
    if fmt > FORMAT_VERSION:
        raise PackageRefused(f"数据包由更新版本的清风台账生成（格式版本 {fmt}），请升级本程序后再导入。")
    return RawPackage(manifest_bytes, manifest, payload, signature)


def verify_signature(raw: RawPackage, sign_public_hex: str) -> None:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(sign_public_hex)).verify(raw.signature,
                                                                                  raw.manifest_bytes)
    except InvalidSignature:
        raise PackageRefused("数据包签名无效：内容被改动，或不是该单位签发的。") from None
    if sha256(raw.payload) != raw.manifest.get("payload_sha256") or \
            len(raw.payload) != raw.manifest.get("payload_size"):
        raise PackageRefused("数据包内容与清单中的哈希不符（内容被改动或截断）。")


# --- files and volumes ------------------------------------------------------------------------

def write_file(directory: Path, name: str, data: bytes, volume_size: int = VOLUME_SIZE) -> list[Path]:
    """Write the package; above ``volume_size`` as numbered volumes ``NAME.001``, ``.002`` …"""
    directory.mkdir(parents=True, exist_ok=True)
    if len(data) <= volume_size:
        paths = [directory / name]
        chunks = [data]
    else:
        chunks = [data[i:i + volume_size] for i in range(0, len(data), volume_size)]
        paths = [directory / f"{name}.{n:03d}" for n in range(1, len(chunks) + 1)]
    for path, chunk in zip(paths, chunks):
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(chunk)
        os.replace(tmp, path)
    return paths


def peek_manifest(path: Path) -> dict | None:
    """A package file's manifest as written, not checked or trusted (to put a batch in order),
    read without the rest of the file where it can be: a single file's first member; a volume
    set is joined and read. None if it cannot be read (its import then says why)."""
    path = Path(path)
    try:
        if not path.is_file() or (path.suffix[1:].isdigit() and len(path.suffix) == 4):
            return read_zip(read_file(path)).manifest
        with zipfile.ZipFile(path) as z:
            first = z.infolist()[0]
            if first.filename != MEMBERS[0] or first.file_size > MAX_MANIFEST:
                return None
            manifest = json.loads(z.read(first))
    except (PackageRefused, OSError, zipfile.BadZipFile, IndexError, ValueError, EOFError, NotImplementedError):
        return None  # ValueError: not JSON (or not UTF-8); NotImplementedError: an unknown compression
    return manifest if isinstance(manifest, dict) else None


def read_file(path: Path) -> bytes:
    """Read a package, joining numbered volumes (give the ``.001`` file or the base name)."""
    path = Path(path)
    base = None
    if path.suffix[1:].isdigit() and len(path.suffix) == 4:
        base = path.with_suffix("")
    elif not path.exists() and path.with_name(path.name + ".001").exists():
        base = path
    if base is None:
        if not path.exists():
            raise PackageRefused(f"找不到数据包文件：{path}")
        if path.stat().st_size > MAX_FILE:
            raise PackageRefused(f"数据包过大（{path.stat().st_size} 字节）。")
        return path.read_bytes()
    parts, n = [], 1
    while (part := base.with_name(f"{base.name}.{n:03d}")).exists():
        parts.append(part.read_bytes())
        n += 1
    if not parts:
        raise PackageRefused(f"找不到数据包的第 1 卷：{base}.001")
    return b"".join(parts)
