"""The acknowledgement (回执) package: signed by the receiver, encrypted for the sender, naming
the package it confirms. The sender's next delta starts after what was acknowledged."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app import audit, clock
from app.permissions import Actor
from app.sync import cards, format as fmt, log
from app.sync.format import APP_VERSION
from db.migrate import head_revision


def make_ack(session: Session, actor: Actor, opened) -> tuple[str, bytes]:  # noqa: ANN001
    """The 回执 package (file name, bytes), logged in the session's transaction; the importer
    writes the file once that transaction is committed."""
    m = opened.manifest
    card = cards.peer_card(session, opened.sender)
    keys = cards.own_keys(session)
    plain, index = fmt.encode_sections([])
    cipher, key = fmt.encrypt(fmt.compress(plain, "zlib"), bytes.fromhex(card.box_public))
    manifest = {
        "format": fmt.FORMAT_VERSION, "kind": "ack", "sender": opened.own_code,
        "sender_level": opened.own_level, "recipient": opened.sender, "seq": m["seq"],
        "prev_hash": opened.hash, "period": m["period"], "created": clock.utcnow().isoformat(sep=" "),
        "app_version": APP_VERSION, "schema": head_revision(), "sections": index, "plain_size": len(plain),
        "compression": "zlib", "audit": {"seq": 0, "hash": audit.GENESIS, "since": 0},
        "ack": {"hash": opened.hash, "seq": m["seq"]},
        "payload_sha256": fmt.sha256(cipher), "payload_size": len(cipher), "key": key}
    manifest_bytes = fmt.canonical_bytes(manifest)
    data = fmt.write_zip(manifest_bytes, cipher, fmt.sign(manifest_bytes, keys.sign))
    name = fmt.file_name(opened.own_code, m["period"], m["seq"], "ack", opened.sender)
    log.write(session, actor, direction="out", kind="ack", peer=opened.sender, seq=m["seq"],
              period=m["period"], package_hash=fmt.sha256(manifest_bytes), file_name=name)
    return name, data
