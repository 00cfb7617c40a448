"""A batch import reads the next package in a worker process (app.sync.prefetch): the database
ends up exactly as without the worker, a refused package is refused with the same reason, and
the worker's reading is used only for the bytes it was made of."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from app import audit, clock
from app.sync import cards, checks, format as fmt, prefetch, runs
from db.models import AuditEntry, SearchTerm
from tests.sync_support import (DISTRICT, Office, actor_of, add_households, build_district_template,
                                canonical_dump, exchange_cards, export_to, open_copy)

TOWN = "640424100"
TAKE = prefetch.Prefetcher.take
MATCHES = prefetch.Terms.matches


@pytest.fixture
def month(env, tmp_path):  # noqa: ANN001, ANN201
    """A district template with the township's card, and the township's packages: a damaged
    copy of the full one, the full one, a damaged copy of the next delta, the delta, the full
    one again (already imported), a file that is not there. The damaged copies are well-formed
    ZIPs with one bit of the payload flipped: their manifests read, so the batch takes them in
    their sequence's turn (before the good one, given first), and the payload's hash refuses them."""
    template = tmp_path / "district-template.qfdb"
    build_district_template(template)
    dist = open_copy(template, tmp_path / "d0.qfdb")
    town = Office(env.database, env.admin, TOWN, env.path)
    exchange_cards(town, Office(dist, actor_of(dist), DISTRICT))
    dist.dispose()
    add_households(town, 5)
    with clock.frozen(date(2026, 11, 20)):
        full = export_to(town, DISTRICT, tmp_path / "p1", full=True).paths[0]
        add_households(town, 3, start=5)
        delta = export_to(town, DISTRICT, tmp_path / "p2").paths[0]
    damaged = []
    for n, good in enumerate((full, delta)):
        raw = fmt.read_zip(good.read_bytes())
        payload = bytearray(raw.payload)
        payload[len(payload) // 2] ^= 0x04
        damaged.append(tmp_path / f"damaged{n}.qfp")
        damaged[-1].write_bytes(fmt.write_zip(raw.manifest_bytes, bytes(payload), raw.signature))
    return tmp_path / "d0.qfdb", [damaged[0], full, damaged[1], delta, full, tmp_path / "missing.qfp"]


def _run(template, target, paths, monkeypatch, enabled: bool):  # noqa: ANN001, ANN202
    database = open_copy(template, target)
    taken = []

    def take(self, index):  # noqa: ANN001, ANN202
        prepared = TAKE(self, index)
        taken.append(prepared is not None)
        return prepared
    matched = []

    def matches(self, *args):  # noqa: ANN001, ANN202
        matched.append(MATCHES(self, *args))
        return matched[-1]
    monkeypatch.setattr(prefetch, "ENABLED", enabled)
    monkeypatch.setattr(prefetch.Prefetcher, "take", take)
    monkeypatch.setattr(prefetch.Terms, "matches", matches)
    with clock.frozen(date(2026, 11, 21)):
        items = runs.run_imports(database, actor_of(database), paths, ack_dir=target.parent / f"acks-{enabled}")
    with database.session(write=False) as s:
        assert audit.verify(s).ok
        entries = [(e.seq, e.action, e.entity, e.entity_id, e.before, e.after, e.hash)
                   for e in s.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars()]
        terms = sorted(s.execute(select(SearchTerm.rank, SearchTerm.term, SearchTerm.household_id)).all())
    dump = canonical_dump(database, {TOWN})
    database.dispose()
    return [(i.result.status if i.result else None, i.refused) for i in items], entries, dump, taken, terms, matched


def test_batch_with_the_worker_writes_what_it_writes_without(month, tmp_path, monkeypatch):
    template, paths = month
    with_worker = _run(template, tmp_path / "w.qfdb", paths, monkeypatch, True)
    without = _run(template, tmp_path / "n.qfdb", paths, monkeypatch, False)
    assert with_worker[0] == without[0]
    statuses = [s for s, _r in with_worker[0]]
    assert statuses == [None, "imported", None, "imported", "duplicate", None]
    assert "数据包" in with_worker[0][0][1] and "数据包" in with_worker[0][2][1]
    assert "找不到数据包文件" in with_worker[0][5][1]
    assert with_worker[1] == without[1] and len(with_worker[1]) > 16
    assert with_worker[2] == without[2] and len(with_worker[2]["household"]) == 8
    assert not any(without[3])
    # the search terms: the worker's for the full package (all its households new), not for the
    # delta (5 of its 8 households unchanged: computed here), the same as without the worker
    assert with_worker[4] == without[4] and len(with_worker[4]) >= 8 * 4
    assert with_worker[5] == [True, False] and without[5] == []
    # taken in sequence: damaged full, full, full again, damaged delta, delta. The worker read
    # all but the first, which the main process reads (the damaged delta it found refused: the
    # main process finds why itself); the missing file is not there to take
    assert with_worker[3] == [False, True, True, False, True]


def test_worker_reading_is_the_main_processes_and_refusals_give_none(month, tmp_path):
    template, paths = month
    database = open_copy(template, tmp_path / "k.qfdb")
    with database.session(write=False) as s:
        box = cards.own_keys(s).box
        key = box.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        data = paths[1].read_bytes()
        prepared = prefetch.prepare(data, key)
        opened = checks.open_package(s, data)
        assert prepared.sections == opened.sections and prepared.hash == opened.hash
        assert set(prepared.refusals["household"]) == {None}
        assert prepared.texts["household"] == [audit.canonical(r) for r in opened.sections["household"]]
        # a reading of other bytes is not taken
        other = prefetch.prepare(paths[3].read_bytes(), key)
        assert checks.open_package(s, data, other).sections == opened.sections
    database.dispose()
    assert prefetch.prepare(paths[0].read_bytes(), key) is None  # damaged
    assert prefetch.prepare(paths[2].read_bytes(), key) is None
    assert prefetch.prepare(b"PK\x03\x04 not a package", key) is None
    assert prefetch.prepare(data, bytes(32)) is None  # not our key: cannot decrypt
    assert fmt.read_zip(data).hash == prepared.hash


def test_a_batch_cache_has_room_for_what_its_packages_add(env):
    """In one transaction the file does not grow until the commit: the cache counts the packages."""
    alone = runs.bulk_cache_kib(env.database)
    assert alone == runs.BULK_CACHE_KIB
    month = runs.bulk_cache_kib(env.database, 30 * 1_400_000)  # 30 townships' packages
    assert runs.BULK_CACHE_KIB < month < runs.MAX_CACHE_KIB
    assert month >= 30 * 1_400_000 * runs.GROWTH_PER_PACKAGE_BYTE // 1024
    assert runs.bulk_cache_kib(env.database, 10**10) == runs.MAX_CACHE_KIB
