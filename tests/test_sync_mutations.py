"""Mutation test: from valid packages, well over 1,000 damaged or forged ones — bit flips in every
part, truncation at every section, ZIP members dropped / duplicated / reordered, replayed or
skipped sequence numbers, swapped sender or recipient, manifests whose hashes do not match (also
re-signed with the real key) — all refused with a reason, the district's database file
byte-identical afterwards."""
from __future__ import annotations

import io
import itertools
import json
import zipfile

import pytest

from app.sync import cards, format as fmt, importer, log
from app.sync.format import PackageRefused
from tests.sync_support import (DISTRICT, Office, actor_of, add_households, build_district_template,
                                exchange_cards, export_to, file_digest, import_into, open_copy)

TOWN = "640424100"


@pytest.fixture(scope="module")
def setup(template_db, tmp_path_factory):  # noqa: ANN001, ANN201
    tmp = tmp_path_factory.mktemp("mut")
    build_district_template(tmp / "dt.qfdb")
    town_db = open_copy(template_db, tmp / "town.qfdb")
    dist_db = open_copy(tmp / "dt.qfdb", tmp / "district.qfdb")
    town = Office(town_db, actor_of(town_db), TOWN, tmp / "town.qfdb")
    dist = Office(dist_db, actor_of(dist_db), DISTRICT, tmp / "district.qfdb")
    exchange_cards(town, dist)
    add_households(town, 3)
    p1 = export_to(town, DISTRICT, tmp / "p").paths[0]
    import_into(dist, p1, ack_dir=tmp / "ack")
    for ack in (tmp / "ack").iterdir():
        import_into(town, ack)
    add_households(town, 1, start=10)
    p2 = export_to(town, DISTRICT, tmp / "p").paths[0]  # the next valid package (delta 2)
    add_households(town, 1, start=20)
    p3 = export_to(town, DISTRICT, tmp / "p").paths[0]  # delta 3: a skip when sent before 2
    with town.database.session(write=False) as s:
        sign_key = cards.own_keys(s).sign
    yield town, dist, p2.read_bytes(), p3.read_bytes(), sign_key, tmp
    town_db.dispose()
    dist_db.dispose()


def _members(data: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [z.read(n) for n in fmt.MEMBERS]


def _zip(entries: list[tuple[str, bytes]], compression: int = zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, date_time=fmt.ZIP_TIME), data)
    return out.getvalue()


def _resigned(manifest: dict, payload: bytes, key) -> bytes:  # noqa: ANN001
    mb = fmt.canonical_bytes(manifest)
    return fmt.write_zip(mb, payload, fmt.sign(mb, key))


def mutations(good: bytes, skipped: bytes, key) -> list[tuple[str, bytes]]:  # noqa: ANN001
    manifest_b, payload, signature = _members(good)
    m = json.loads(manifest_b)
    out: list[tuple[str, bytes]] = []
    # bit flips: every byte outside the payload (zip headers, manifest, signature, directory),
    # and a stride through the payload
    start = good.index(payload)
    positions = [i for i in range(len(good)) if not start <= i < start + len(payload)]
    positions += list(range(start, start + len(payload), max(1, len(payload) // 300)))
    for n, i in enumerate(positions):
        flipped = bytearray(good)
        flipped[i] ^= 1 << (n % 8)
        out.append((f"bit {i}", bytes(flipped)))
    # truncation at every section boundary and through the file
    cuts = {0, 1, 21, 22, 29, 30}
    for part in (manifest_b, payload, signature):
        at = good.index(part)
        cuts |= {at - 1, at, at + 1, at + len(part) // 2, at + len(part) - 1, at + len(part)}
    cuts |= set(range(0, len(good), max(1, len(good) // 100)))
    out += [(f"cut {c}", good[:c]) for c in sorted(cuts) if 0 <= c < len(good)]
    out.append(("garbage after", good + b"\0" * 10))
    out.append(("garbage before", b"PK\x03\x04" + good))
    # zip members dropped, duplicated, reordered, added, compressed
    parts = list(zip(fmt.MEMBERS, (manifest_b, payload, signature)))
    for drop in range(3):
        out.append((f"drop {drop}", _zip(parts[:drop] + parts[drop + 1:])))
    for dup in range(3):
        out.append((f"dup {dup}", _zip(parts + [parts[dup]])))
    for order in itertools.permutations(range(3)):
        if order != (0, 1, 2):
            out.append((f"order {order}", _zip([parts[i] for i in order])))
    out.append(("extra member", _zip(parts + [("report.pdf", b"%PDF")])))
    out.append(("deflated", _zip(parts, zipfile.ZIP_DEFLATED)))
    out.append(("other signature", fmt.write_zip(manifest_b, payload, bytes(64))))
    # forged manifests signed with a key the district does not know
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    out.append(("stranger's key", _resigned(m, payload, Ed25519PrivateKey.generate())))
    # manifests re-signed with the township's real key: every other check must still hold
    def variant(name: str, **changes) -> None:  # noqa: ANN003
        body = changes.pop("_payload", payload)
        out.append((name, _resigned({**m, **changes}, body, key)))

    variant("replayed seq", seq=1)
    variant("skipped seq", seq=4)
    variant("seq zero", seq=0)
    variant("swapped recipient", recipient=TOWN)
    variant("swapped sender", sender=DISTRICT, sender_level="district")
    variant("sender other township", sender="640424101")
    variant("prev hash wrong", prev_hash="0" * 64)
    variant("payload hash", payload_sha256="0" * 64)
    variant("payload size", payload_size=len(payload) + 1)
    variant("plain size", plain_size=m["plain_size"] + 1)
    variant("newer format", format=fmt.FORMAT_VERSION + 1)
    variant("kind unknown", kind="patch")
    variant("kind ack", kind="ack")
    variant("first must be full", kind="delta", seq=1)
    variant("older full replay", kind="full", seq=1, created="2000-01-01 00:00:00")
    variant("compression", compression="bz2")
    variant("section hash", sections=[{**s, "sha256": "0" * 64} if s["rows"] else s for s in m["sections"]])
    variant("section rows", sections=[{**s, "rows": s["rows"] + 1} for s in m["sections"]])
    variant("section bytes", sections=[{**s, "bytes": s["bytes"] + 1} if i == 0 else s
                                       for i, s in enumerate(m["sections"])])
    variant("foreign table", sections=m["sections"] + [{"name": "users", "rows": 0, "bytes": 0,
                                                         "sha256": fmt.sha256(b"")}])
    variant("wrapped key", key={**m["key"], "wrapped": "00" * 48})
    variant("chunks", key={**m["key"], "chunks": 2})
    variant("audit head", audit={**m["audit"], "hash": "1" * 64})
    variant("period", period="2026-13")
    variant("missing field", seq=None)
    truncated = payload[:-5]
    variant("payload truncated resigned", payload_sha256=fmt.sha256(truncated),
            payload_size=len(truncated), _payload=truncated)
    out.append(("skipped package", skipped))
    return out


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_mutated_packages_are_all_refused_and_change_nothing(setup):
    town, dist, good, skipped, key, tmp = setup
    cases = mutations(good, skipped, key)
    assert len(cases) >= 1000
    before = file_digest(dist.path)
    accepted = []
    for name, data in cases:
        try:
            with dist.database.session() as s:
                log.take_import_lock(s)
                importer.import_package(s, dist.actor, data, ack_dir=tmp / "never")
            accepted.append(name)
        except PackageRefused as exc:
            assert str(exc) and any("\u4e00" <= ch <= "\u9fff" for ch in str(exc)), name
    assert accepted == []
    assert file_digest(dist.path) == before
    assert not (tmp / "never").exists()
    # and the valid package still imports afterwards
    path = tmp / "good.qfp"
    path.write_bytes(good)
    assert import_into(dist, path).status == "imported"
