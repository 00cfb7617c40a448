"""Office keys and public office cards.

Each office has a signing key (Ed25519) and an encryption key (X25519), made with
``cryptography`` the first time they are needed and kept in the encrypted database. The public
halves travel once, as an office card (.json), to the counterpart; its fingerprint is read out
by phone to be sure the card is the real one. Replacing a known card (new keys) needs an explicit
confirmation and is audited.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PrivateFormat, PublicFormat, NoEncryption
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import audit, offices
from app.errors import ConflictError, ValidationError
from app.permissions import Actor, require
from db.models import Office
from db.sync_models import OfficeCard, OfficeKey, SyncPeer

CARD_FORMAT = "qingfeng-office-card/1"
MAX_CARD_BYTES = 64 * 1024


def _raw_private(key) -> str:  # noqa: ANN001 - a cryptography private key
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()


def _raw_public(key) -> str:  # noqa: ANN001
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def fingerprint(code: str, sign_public: str, box_public: str) -> str:
    """What is read out by phone: 8 groups of 4 hex digits over the code and both public keys."""
    digest = hashlib.sha256(f"{code}|{sign_public}|{box_public}".encode()).hexdigest()[:32].upper()
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


@dataclass(frozen=True)
class Card:
    code: str
    name: str
    level: str
    parent_code: str | None
    sign_public: str
    box_public: str
    fingerprint: str


@dataclass(frozen=True)
class OwnKeys:
    code: str
    sign: Ed25519PrivateKey
    box: X25519PrivateKey


def _active_key(session: Session, code: str) -> OfficeKey | None:
    return session.execute(select(OfficeKey).where(OfficeKey.office_code == code,
                                                   OfficeKey.active.is_(True))).scalar()


def ensure_keys(session: Session, actor: Actor) -> Card:
    """This office's keys, generated (and audited) on first use; returns its public card."""
    own = offices.own_office(session)
    key = _active_key(session, own.code)
    if key is None:
        sign, box = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
        key = OfficeKey(office_code=own.code, sign_private=_raw_private(sign),
                        sign_public=_raw_public(sign.public_key()), box_private=_raw_private(box),
                        box_public=_raw_public(box.public_key()), active=True)
        session.add(key)
        session.flush()
        audit.record(session, actor, "sync.keys", "office_key", own.code, None,
                     {"sign_public": key.sign_public, "box_public": key.box_public,
                      "fingerprint": fingerprint(own.code, key.sign_public, key.box_public)})
    return Card(own.code, own.name, own.level, own.parent_code, key.sign_public, key.box_public,
                fingerprint(own.code, key.sign_public, key.box_public))


def own_card(session: Session) -> Card | None:
    """This office's public card, or None before its keys exist (read-only)."""
    own = offices.own_office(session)
    key = _active_key(session, own.code)
    if key is None:
        return None
    return Card(own.code, own.name, own.level, own.parent_code, key.sign_public, key.box_public,
                fingerprint(own.code, key.sign_public, key.box_public))


def own_keys(session: Session) -> OwnKeys:
    own = offices.own_office(session)
    key = _active_key(session, own.code)
    if key is None:
        raise ValidationError("本单位密钥", own.code, "尚未生成：请先导出本单位名片（card export）")
    return OwnKeys(own.code, Ed25519PrivateKey.from_private_bytes(bytes.fromhex(key.sign_private)),
                   X25519PrivateKey.from_private_bytes(bytes.fromhex(key.box_private)))


def card_bytes(card: Card) -> bytes:
    data = {"format": CARD_FORMAT, "code": card.code, "name": card.name, "level": card.level,
            "parent_code": card.parent_code, "sign_public": card.sign_public,
            "box_public": card.box_public, "fingerprint": card.fingerprint}
    return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def parse_card(data: bytes) -> Card:
    """Read a card file; every field is checked and the fingerprint recomputed."""
    if len(data) > MAX_CARD_BYTES:
        raise ValidationError("单位名片", f"{len(data)} 字节", "文件过大，不是单位名片")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationError("单位名片", "文件内容", "不是有效的单位名片（JSON）") from None
    if not isinstance(raw, dict) or raw.get("format") != CARD_FORMAT:
        raise ValidationError("单位名片", "格式", f"应为 {CARD_FORMAT}")
    level = raw.get("level")
    code = offices.check_office_code(str(raw.get("code", "")), str(level))
    for field in ("sign_public", "box_public"):
        value = raw.get(field)
        if not isinstance(value, str) or len(value) != 64 or not all(c in "0123456789abcdef" for c in value):
            raise ValidationError("单位名片公钥", field, "应为 64 位十六进制")
    Ed25519PublicKey.from_public_bytes(bytes.fromhex(raw["sign_public"]))
    X25519PublicKey.from_public_bytes(bytes.fromhex(raw["box_public"]))
    fp = fingerprint(code, raw["sign_public"], raw["box_public"])
    if raw.get("fingerprint") != fp:
        raise ValidationError("单位名片指纹", raw.get("fingerprint"), "与公钥不符，名片已被改动")
    name = str(raw.get("name") or "").strip()
    if not name:
        raise ValidationError("单位名称", name, "必须填写")
    return Card(code, name, level, raw.get("parent_code"), raw["sign_public"], raw["box_public"], fp)


def export_card(session: Session, actor: Actor) -> bytes:
    require(actor, "office.edit")
    return card_bytes(ensure_keys(session, actor))


def peer_card(session: Session, code: str) -> OfficeCard | None:
    return session.get(OfficeCard, code)


def list_cards(session: Session) -> list[Card]:
    rows = session.execute(select(OfficeCard).order_by(OfficeCard.code)).scalars()
    return [Card(c.code, c.name, c.level, c.parent_code, c.sign_public, c.box_public, c.fingerprint)
            for c in rows]


def check_counterpart(own: offices.OfficeInfo, card: Card) -> None:
    """A township exchanges with its district; a district with its townships."""
    if card.code == own.code:
        raise ValidationError("单位名片", card.code, "这是本单位自己的名片")
    if own.level == "township" and not (card.level == "district" and own.code.startswith(card.code)):
        raise ValidationError("单位名片", f"{card.name}（{card.code}）", "乡镇只能与所属区县交换数据")
    if own.level == "district" and not (card.level == "township" and card.code.startswith(own.code)):
        raise ValidationError("单位名片", f"{card.name}（{card.code}）", "区县只能与所辖乡镇交换数据")


def import_card(session: Session, actor: Actor, data: bytes, *, replace: bool = False) -> Card:
    """Enrol a counterpart's card. A different card for a known office needs ``replace``."""
    require(actor, "office.edit")
    card = parse_card(data)
    check_counterpart(offices.own_office(session), card)
    existing = session.get(OfficeCard, card.code)
    if existing is not None and (existing.sign_public, existing.box_public) == (card.sign_public, card.box_public):
        return card
    before = None
    if existing is not None:
        if not replace:
            raise ConflictError(f"已有 {existing.name}（{card.code}）的名片，指纹 {existing.fingerprint}；"
                                f"新名片指纹 {card.fingerprint}。更换名片须电话核对新指纹后明确确认（--replace --yes）。")
        before = {"sign_public": existing.sign_public, "box_public": existing.box_public,
                  "fingerprint": existing.fingerprint}
        session.delete(existing)
        # a new install of the counterpart: the exchange starts afresh (a full package each way,
        # and its audit chain is anchored again at the head its first package carries)
        peer = session.get(SyncPeer, card.code)
        if peer is not None:
            before["sync_state"] = {"out_seq": peer.out_seq, "acked_seq": peer.acked_seq,
                                    "in_seq": peer.in_seq, "audit_seq": peer.audit_seq}
            peer.acked_seq = peer.acked_audit_seq = peer.in_seq = peer.in_hash = None
            peer.in_created = peer.audit_seq = peer.audit_hash = peer.chain_alarm = None
        session.flush()
    session.add(OfficeCard(code=card.code, name=card.name, level=card.level,
                           parent_code=card.parent_code, sign_public=card.sign_public,
                           box_public=card.box_public, fingerprint=card.fingerprint,
                           imported_by=actor.username))
    _ensure_office(session, actor, card)
    session.flush()
    audit.record(session, actor, "sync.card.replace" if before else "sync.card.import", "office_card",
                 card.code, before, {"name": card.name, "level": card.level,
                                     "sign_public": card.sign_public, "box_public": card.box_public,
                                     "fingerprint": card.fingerprint})
    return card


def _ensure_office(session: Session, actor: Actor, card: Card) -> None:
    """The counterpart as an office record (owned by itself), so its records can refer to it."""
    o = session.execute(select(Office).where(Office.code == card.code)).scalar()
    if o is not None:
        return
    o = Office(owner_office=card.code, code=card.code, name=card.name, level=card.level,
               parent_code=card.parent_code, region_code=card.code[:6], is_self=False,
               updated_by=actor.username)
    session.add(o)
    audit.record_change(session, actor, "office.create", "office", o, None)
