"""The checks a package passes before any record is looked at (DESIGN.md §4, in this order):
size and form → sender known and signature valid → recipient is us → sequence is the next one
→ decrypt. And the audit chain's continuity: the township's chain must continue the head the
district last saw.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app import audit, offices
from app.sync import cards, format as fmt, log, tables
from app.sync.format import PackageRefused
from db.sync_models import SyncPeer

HEX64 = re.compile(r"[0-9a-f]{64}")
PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class ChainBroken(PackageRefused):
    """The sender's audit chain does not continue the head last seen: history was rewritten."""

    def __init__(self, message: str, sender: str, package_hash: str):
        super().__init__(message)
        self.sender, self.package_hash = sender, package_hash


@dataclass
class Opened:
    raw: fmt.RawPackage
    manifest: dict
    sender: str
    sender_name: str
    sender_level: str
    own_code: str
    own_level: str
    duplicate: bool = False
    sections: dict | None = None
    prepared: object | None = None  # app.sync.prefetch.Prepared: the worker's reading of the sections

    @property
    def hash(self) -> str:
        return self.raw.hash


def _need(m: dict, key: str, typ: type | tuple) -> object:
    value = m.get(key)
    if not isinstance(value, typ) or (isinstance(value, bool) and typ is not bool):
        raise PackageRefused(f"数据包清单缺少或写错了“{key}”。")
    return value


def check_manifest(m: dict) -> None:
    kind = _need(m, "kind", str)
    if kind not in ("full", "delta", "ack"):
        raise PackageRefused(f"数据包类型“{kind}”无法识别。")
    for key in ("sender", "recipient", "prev_hash", "period", "created", "compression",
                "payload_sha256", "sender_level"):
        _need(m, key, str)
    for key in ("seq", "payload_size", "plain_size"):
        if _need(m, key, int) < 0:
            raise PackageRefused(f"数据包清单中的“{key}”不能为负数。")
    if m["seq"] < 1:
        raise PackageRefused("数据包序号应从 1 开始。")
    if not PERIOD.fullmatch(m["period"]) or not HEX64.fullmatch(m["prev_hash"]):
        raise PackageRefused("数据包清单中的月份或前一数据包哈希写法不对。")
    _need(m, "key", dict)
    head = _need(m, "audit", dict)
    if not isinstance(head.get("seq"), int) or not isinstance(head.get("hash"), str):
        raise PackageRefused("数据包清单中的审计链头写法不对。")
    sections = _need(m, "sections", list)
    allowed = set(tables.tables_for(m["sender_level"])) | {"calendar", "audit_log", "documents"}
    if m["sender_level"] == "district":
        allowed.add(tables.SOURCE_RECORDS)
    names = []
    for s in sections:
        if not isinstance(s, dict) or not isinstance(s.get("name"), str) or \
                not all(isinstance(s.get(k), int) and not isinstance(s.get(k), bool) and s[k] >= 0
                        for k in ("rows", "bytes")) or not isinstance(s.get("sha256"), str):
            raise PackageRefused("数据包清单中的分表信息写法不对。")
        names.append(s["name"])
    if len(set(names)) != len(names) or not set(names) <= allowed:
        raise PackageRefused(f"数据包含有不应由该单位发送的数据表：{'、'.join(sorted(set(names) - allowed)) or '重复的表'}。")
    if sum(s["bytes"] for s in sections) != m["plain_size"] or m["plain_size"] > fmt.MAX_PLAIN:
        raise PackageRefused("数据包清单中的内容大小不符。")
    if kind == "ack":
        ack = _need(m, "ack", dict)
        if not isinstance(ack.get("hash"), str) or not isinstance(ack.get("seq"), int):
            raise PackageRefused("回执清单写法不对。")


def open_package(session: Session, data: bytes, prepared: object | None = None) -> Opened:
    """Everything up to and including decryption; no record is looked at yet. ``prepared``
    (``app.sync.prefetch.Prepared``): the sections a worker process decrypted and decoded from
    these same bytes, taken instead of doing it again once every check before has passed."""
    raw = fmt.read_zip(data)
    m = raw.manifest
    check_manifest(m)
    own = offices.own_office(session)
    if m["sender"] == own.code:
        raise PackageRefused(f"这是本单位（{own.code}）自己发出的数据包，应送到接收单位（{m['recipient']}）导入。")
    card = cards.peer_card(session, m["sender"])
    if card is None:
        raise PackageRefused(f"发送单位 {m['sender']} 未登记：尚未导入该单位的名片。")
    fmt.verify_signature(raw, card.sign_public)
    if m["sender_level"] != card.level:
        raise PackageRefused("数据包中发送单位的级别与其名片不符。")
    if m["recipient"] != own.code:
        raise PackageRefused(f"该数据包是发给 {m['recipient']} 的，不是发给本单位（{own.code}）的。")
    opened = Opened(raw, m, card.code, card.name, card.level, own.code, own.level)
    if log.find(session, direction="in", package_hash=raw.hash) is not None:
        opened.duplicate = True
        return opened
    if m["kind"] == "ack":
        check_ack(session, m)
    else:
        check_sequence(session.get(SyncPeer, card.code), m)
    keys = cards.own_keys(session)
    if prepared is not None and prepared.hash == raw.hash:
        opened.sections, opened.prepared = prepared.sections, prepared
        return opened
    plain = fmt.decompress(fmt.decrypt(raw.payload, m["key"], keys.box), m["compression"], m["plain_size"])
    opened.sections = fmt.decode_sections(plain, m["sections"])
    return opened


def check_sequence(peer: SyncPeer | None, m: dict) -> None:
    seq, kind = m["seq"], m["kind"]
    last = None if peer is None else peer.in_seq
    if last is None:
        if kind != "full":
            raise PackageRefused(f"与该单位交换的第一个数据包必须是完整数据包；收到的是第 {seq} 号增量数据包。")
        return
    expected = last + 1
    if kind == "full":
        if seq >= expected:
            return
        if peer.in_created and m["created"] > peer.in_created:
            return  # a newer full package restarts the sequence
        raise PackageRefused(f"第 {seq} 号数据包早于已导入的第 {last} 号，是重放的旧数据包，未导入。")
    if seq < expected:
        raise PackageRefused(f"第 {seq} 号数据包已经过时（已导入到第 {last} 号），是重放的旧数据包，未导入。")
    if seq > expected:
        missing = f"第 {expected} 号" if seq == expected + 1 else f"第 {expected}–{seq - 1} 号"
        raise PackageRefused(f"序号不连续：缺少{missing}数据包，请先导入缺少的数据包。")
    if m["prev_hash"] != peer.in_hash:
        raise PackageRefused(f"第 {seq} 号数据包与已导入的第 {last} 号数据包不衔接（前一数据包哈希不符）。")


def check_ack(session: Session, m: dict) -> None:
    sent = log.find(session, direction="out", package_hash=m["ack"]["hash"])
    if sent is None or sent.peer != m["sender"] or sent.seq != m["ack"]["seq"]:
        raise PackageRefused("回执对应的数据包不是本单位发给该单位的。")
    peer = session.get(SyncPeer, m["sender"])
    if peer is not None and peer.acked_seq is not None and m["ack"]["seq"] < peer.acked_seq \
            and sent.kind != "full":
        raise PackageRefused(f"这是第 {m['ack']['seq']} 号数据包的旧回执（已确认到第 {peer.acked_seq} 号）。")


def _entry_dict(e: dict) -> dict:
    return {"seq": e["seq"], "ts": e["ts"], "user": e["user"], "office": e["office"],
            "action": e["action"], "entity": e["entity"], "entity_id": e["entity_id"],
            "before": e["before"], "after": e["after"]}


def check_chain(opened: Opened, peer: SyncPeer | None) -> None:
    """The sender's chain is intact and continues the head last seen (raises ChainBroken)."""
    head = opened.manifest["audit"]
    entries = opened.sections.get("audit_log", [])

    def broken(msg: str) -> ChainBroken:
        return ChainBroken(f"审计链告警：{opened.sender_name}（{opened.sender}）{msg}。数据包未导入，"
                           "请核查该单位的数据是否被改写。", opened.sender, opened.hash)

    prev = None
    for e in entries:
        try:
            ok = audit.entry_hash(e["prev_hash"], _entry_dict(e)) == e["hash"] and isinstance(e["seq"], int)
        except (KeyError, TypeError):
            raise PackageRefused("数据包中的审计记录格式不对。") from None
        if not ok:
            raise broken(f"第 {e['seq']} 条审计记录与其哈希不符")
        if prev is not None and (e["seq"] != prev["seq"] + 1 or e["prev_hash"] != prev["hash"]):
            raise broken(f"第 {e['seq']} 条审计记录与前一条不衔接")
        prev = e
    if prev is not None and (prev["seq"], prev["hash"]) != (head["seq"], head["hash"]):
        raise broken("的审计记录与数据包所写的链头不符")
    if peer is None or peer.audit_seq is None:
        return  # the first package anchors the chain
    known, known_hash = peer.audit_seq, peer.audit_hash
    if head["seq"] < known:
        raise broken(f"的审计链倒退：上次已核对到第 {known} 条，本包链头只到第 {head['seq']} 条（历史被改写或恢复了旧备份）")
    if head["seq"] == known:
        if head["hash"] != known_hash:
            raise broken(f"第 {known} 条审计记录与上次核对的不同（历史被改写）")
        return
    if not entries or entries[0]["seq"] > known + 1:
        raise broken(f"的数据包缺少第 {known + 1} 条起的审计记录，无法核对衔接")
    for e in entries:
        if (e["seq"] == known and e["hash"] != known_hash) or \
                (e["seq"] == known + 1 and e["prev_hash"] != known_hash):
            raise broken(f"第 {known} 条之后的审计记录不能衔接上次核对的链头（历史被改写）")
