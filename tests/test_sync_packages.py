"""Sync packages between a township and its district (DESIGN.md §4): cards, export, the import
checks in order, dry run, ownership and conflicts, acknowledgements, the audit chain's outside
anchor, and the period lock."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app import audit, households as hs
from app.errors import ConflictError, ValidationError
from app.sync import cards, lock
from app.sync.checks import ChainBroken
from app.sync.format import PackageRefused
from db.models import Household, Step
from db.sync_models import PeriodCorrection
from tests.sync_support import (DISTRICT, Office, actor_of, add_households, build_district_template,
                                canonical_dump, exchange_cards, export_to, file_digest, import_into,
                                open_copy)

TOWN = "640424100"


@pytest.fixture(scope="session")
def district_template(tmp_path_factory):  # noqa: ANN001, ANN201
    path = tmp_path_factory.mktemp("district") / "district.qfdb"
    build_district_template(path)
    return path


@pytest.fixture
def pair(env, district_template, tmp_path):  # noqa: ANN001, ANN201
    d_path = tmp_path / "district.qfdb"
    d_db = open_copy(district_template, d_path)
    town = Office(env.database, env.admin, TOWN, env.path)
    dist = Office(d_db, actor_of(d_db), DISTRICT, d_path)
    exchange_cards(town, dist)
    yield town, dist
    d_db.dispose()


def test_card_fingerprint_tamper_and_replace_needs_confirmation(pair, template_db, tmp_path):
    town, dist = pair
    with town.database.session() as s:
        data = cards.export_card(s, town.actor)
    card = cards.parse_card(data)
    assert len(card.fingerprint.split()) == 8
    with pytest.raises(ValidationError, match="指纹"):
        cards.parse_card(data.replace(card.box_public.encode(), card.box_public[::-1].encode()))
    # a new install of the township (new keys): the district must confirm the replacement
    other = Office(open_copy(template_db, tmp_path / "other.qfdb"), None, TOWN)
    other.actor = actor_of(other.database)
    with other.database.session() as s:
        new_card = cards.export_card(s, other.actor)
    with dist.database.session() as s, pytest.raises(ConflictError, match="--replace --yes"):
        cards.import_card(s, dist.actor, new_card)
    with dist.database.session() as s:
        cards.import_card(s, dist.actor, new_card, replace=True)
    with dist.database.session(write=False) as s:
        assert cards.peer_card(s, TOWN).fingerprint == cards.parse_card(new_card).fingerprint
        entries = s.execute(text("SELECT action FROM audit_log WHERE entity = 'office_card'")).scalars().all()
        assert entries == ["sync.card.import", "sync.card.replace"]
        assert audit.verify(s).ok
    other.database.dispose()


def test_full_then_delta_with_ack_and_dry_run(pair, tmp_path):
    town, dist = pair
    hh = add_households(town, 3)
    first = export_to(town, DISTRICT, tmp_path / "out")
    assert first.kind == "full" and first.note and first.paths[0].name == f"{TOWN}-2026-11-1.qfp"
    assert first.counts["household"] == 3 and first.counts["member"] == 3
    preview = import_into(dist, first.paths[0], dry_run=True)
    assert preview.status == "preview" and preview.tables["household"].new == 3
    with dist.database.session(write=False) as s:
        assert s.execute(select(Household)).first() is None  # the dry run wrote nothing
    done = import_into(dist, first.paths[0], ack_dir=tmp_path / "acks")
    assert done.status == "imported" and done.tables["member"].new == 3
    assert import_into(dist, first.paths[0]).status == "duplicate"
    # a change at the township travels as a delta after the acknowledgement
    with town.database.session() as s:
        hs.edit_household(s, town.actor, hh[0], expected_version=None, changes={"note": "已复核 \"重点\" \\ 户"})
    ack = [p for p in (tmp_path / "acks").iterdir()][0]
    assert "回执" in ack.name
    assert import_into(town, ack).status == "ack"
    second = export_to(town, DISTRICT, tmp_path / "out")
    assert second.kind == "delta" and second.counts["household"] == 1 and second.counts["member"] == 0
    assert second.counts["audit_log"] > 0
    r = import_into(dist, second.paths[0])
    assert r.tables["household"].updated == 1 and r.tables["household"].new == 0
    with dist.database.session(write=False) as s:
        assert s.get(Household, hh[0]).note == "已复核 \"重点\" \\ 户"
        assert audit.verify(s).ok
    assert canonical_dump(town.database, {TOWN}) == canonical_dump(dist.database, {TOWN})


def test_an_import_commits_durably_before_its_ack_is_written(pair, tmp_path, monkeypatch):
    """The 回执 tells the sender its package is here (it then leaves those changes out): the import
    runs in a session whose commit is synced to the disk (SQLite: synchronous FULL, not the
    everyday NORMAL), alone and in a batch; a clerk's edit afterwards is NORMAL again."""
    from app.sync import runs

    town, dist = pair
    add_households(town, 2)
    first = export_to(town, DISTRICT, tmp_path / "out")
    levels = []
    real = runs.import_package

    def spy(s, *a, **kw):  # noqa: ANN001, ANN002, ANN003, ANN202
        levels.append(s.execute(text("PRAGMA synchronous")).scalar())
        return real(s, *a, **kw)

    monkeypatch.setattr(runs, "import_package", spy)
    assert import_into(dist, first.paths[0], ack_dir=tmp_path / "acks").status == "imported"
    add_households(town, 1, start=5)
    second = export_to(town, DISTRICT, tmp_path / "out")
    items = runs.run_imports(dist.database, dist.actor, [second.paths[0]], ack_dir=tmp_path / "acks")
    assert items[0].result.status == "imported" and len(list((tmp_path / "acks").iterdir())) == 2
    assert levels == [2, 2]
    with dist.database.session() as s:
        assert s.execute(text("PRAGMA synchronous")).scalar() == 1


def test_a_batch_imports_each_senders_packages_in_sequence_whatever_the_order_picked(pair, tmp_path):
    """A clerk picks a month's files in any order: the 3rd before the 2nd still imports both (the
    2nd first), a damaged file is tried after them and refused with its reason, a package already
    imported is skipped, not counted as imported; the items come back in the order picked."""
    from app.sync import runs

    town, dist = pair
    add_households(town, 1)
    first = export_to(town, DISTRICT, tmp_path / "out")
    import_into(dist, first.paths[0], ack_dir=tmp_path / "acks")
    import_into(town, next((tmp_path / "acks").iterdir()))
    add_households(town, 1, start=3)
    second = export_to(town, DISTRICT, tmp_path / "out")
    add_households(town, 1, start=6)
    third = export_to(town, DISTRICT, tmp_path / "out")
    assert (second.seq, third.seq, second.kind, third.kind) == (2, 3, "delta", "delta")
    damaged = tmp_path / "damaged.qfp"
    damaged.write_bytes(b"PK\x03\x04 not a package")
    picked = [damaged, third.paths[0], first.paths[0], second.paths[0]]
    assert runs.in_sequence(picked) == [first.paths[0], second.paths[0], third.paths[0], damaged]
    items = runs.run_imports(dist.database, dist.actor, picked, ack_dir=tmp_path / "acks")
    assert [i.path for i in items] == [str(p) for p in picked]
    assert [(i.result.status if i.result else "refused") for i in items] == \
        ["refused", "imported", "duplicate", "imported"]
    assert items[2].result.message.startswith("跳过") and "数据包" in items[0].refused
    assert canonical_dump(town.database, {TOWN}) == canonical_dump(dist.database, {TOWN})


def test_refusals_name_the_reason_and_change_nothing(pair, tmp_path):
    town, dist = pair
    add_households(town, 2)
    with pytest.raises(ValidationError, match="名片"):
        export_to(town, "640425", tmp_path)
    p1 = export_to(town, DISTRICT, tmp_path / "a").paths[0]
    digest = file_digest(dist.path)
    with pytest.raises(PackageRefused, match="自己发出的数据包"):  # sent back to the sender itself
        import_into(town, p1)
    bad = tmp_path / "bad.qfp"
    bad.write_bytes(p1.read_bytes()[:-40])
    with pytest.raises(PackageRefused):
        import_into(dist, bad)
    assert file_digest(dist.path) == digest
    import_into(dist, p1, ack_dir=tmp_path / "acks")
    for ack in sorted((tmp_path / "acks").iterdir()):
        import_into(town, ack)
    add_households(town, 1, start=30)
    d2 = export_to(town, DISTRICT, tmp_path / "b").paths[0]
    add_households(town, 1, start=40)
    d3 = export_to(town, DISTRICT, tmp_path / "b").paths[0]
    assert d2.name.endswith("-2.qfp") and d3.name.endswith("-3.qfp")
    digest = file_digest(dist.path)
    with pytest.raises(PackageRefused, match="缺少第 2 号"):
        import_into(dist, d3)
    assert file_digest(dist.path) == digest
    import_into(dist, d2)
    import_into(dist, d3)
    assert import_into(dist, d2).status == "duplicate"
    # a replayed sequence number with other content (the township's state rewound) is refused
    with town.database.session() as s:
        s.execute(text("UPDATE sync_peers SET out_seq = 1"))
    d2b = export_to(town, DISTRICT, tmp_path / "c").paths[0]
    digest = file_digest(dist.path)
    with pytest.raises(PackageRefused, match="重放"):
        import_into(dist, d2b)
    assert file_digest(dist.path) == digest


def test_conflict_is_shown_not_overwritten(pair, tmp_path, template_db):
    town, dist = pair
    hh = add_households(town, 1)
    p = export_to(town, DISTRICT, tmp_path).paths[0]
    import_into(dist, p)
    # a restored backup of the township: another install edits the same record
    with dist.database.session() as s:
        s.execute(text("UPDATE sync_peers SET in_seq = NULL, in_hash = NULL"))
    with town.database.session() as s:
        hs.edit_household(s, town.actor, hh[0], expected_version=None, changes={"note": "甲"})
    p2 = export_to(town, DISTRICT, tmp_path, full=True).paths[0]
    with dist.database.session() as s:  # the district's copy changed "elsewhere" at that version
        s.execute(text("UPDATE households SET note = '乙', version = version + 1"))
    r = import_into(dist, p2)
    reasons = [x["reason"] for x in r.tables["household"].refused]
    assert len(reasons) == 1 and reasons[0].startswith("冲突")
    with dist.database.session(write=False) as s:
        assert s.get(Household, hh[0]).note == "乙"


@pytest.mark.parametrize("batch", [False, True], ids=["one", "batch"])
def test_rewritten_township_history_raises_an_alarm(pair, tmp_path, batch):
    town, dist = pair
    add_households(town, 1)
    import_into(dist, export_to(town, DISTRICT, tmp_path / "1").paths[0], ack_dir=tmp_path / "ack")
    for ack in (tmp_path / "ack").iterdir():
        import_into(town, ack)
    add_households(town, 1, start=5)
    import_into(dist, export_to(town, DISTRICT, tmp_path / "2").paths[0])
    # someone with the key rewrites an old entry and recomputes the whole chain
    with town.database.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
        rows = conn.execute(text("SELECT seq, ts, username, office, action, entity, entity_id, before, after "
                                 "FROM audit_log ORDER BY seq")).all()
        prev = audit.GENESIS
        for r in rows:
            entry = {"seq": r.seq, "ts": str(r.ts)[:19], "user": "intruder" if r.seq == 3 else r.username,
                     "office": r.office, "action": r.action, "entity": r.entity, "entity_id": r.entity_id,
                     "before": r.before, "after": r.after}
            h = audit.entry_hash(prev, entry)
            conn.execute(text("UPDATE audit_log SET username = :u, prev_hash = :p, hash = :h WHERE seq = :s"),
                         {"u": entry["user"], "p": prev, "h": h, "s": r.seq})
            prev = h
        conn.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
    add_households(town, 1, start=9)
    p3 = export_to(town, DISTRICT, tmp_path / "3").paths[0]
    if batch:  # in a batch (one transaction on SQLite) the alarm is kept, the package not imported
        from app.sync import runs

        [item] = runs.run_imports(dist.database, dist.actor, [p3])
        assert item.result is None and "审计链告警" in item.refused
    else:
        with pytest.raises(ChainBroken, match="审计链告警"):
            import_into(dist, p3)
    from app.sync import district

    with dist.database.session(write=False) as s:
        status = district.township_status(s)[0]
        assert not status.chain_ok and "改写" in status.chain_alarm


def test_period_lock_needs_a_reason_and_travels_as_correction(pair, tmp_path):
    town, dist = pair
    hh = add_households(town, 1)
    with town.database.session() as s:
        hs.record_step(s, town.actor, hh[0], kind="入户调查", day=date(2026, 11, 3), handler="马晓梅",
                       signers=["马晓梅", "李建军"])
    import_into(dist, export_to(town, DISTRICT, tmp_path, period="2026-11").paths[0])
    with town.database.session() as s:
        step = s.execute(select(Step).where(Step.day == date(2026, 11, 3))).scalar()
        step.note = "补记"
        with pytest.raises(ValidationError, match="已报送并锁定"):
            s.flush()
        s.rollback()
    with town.database.session() as s:
        step = s.execute(select(Step).where(Step.day == date(2026, 11, 3))).scalar()
        before = audit.state(step)
        with lock.correction(s, town.actor, "入户调查日期登记有误"):
            step.note = "补记"
            audit.record_change(s, town.actor, "step.update", "step", step, before)
    with town.database.session(write=False) as s:
        assert s.execute(select(PeriodCorrection.reason)).scalar() == "入户调查日期登记有误"
        assert audit.verify(s).ok
    p2 = export_to(town, DISTRICT, tmp_path / "2", full=True, period="2026-12").paths[0]
    r = import_into(dist, p2)
    assert [c["reason"] for c in r.corrections] == ["入户调查日期登记有误"]
    assert r.tables["step"].updated == 1


def test_demo_township_travels_whole(pair, tmp_path):
    """Households with income, assessments, proposals and ledgers: nothing refused, all equal."""
    from app import demo

    town, dist = pair
    with town.database.session() as s:
        demo.generate(s, town.actor, households=15, seed=4)
    r = import_into(dist, export_to(town, DISTRICT, tmp_path).paths[0])
    assert sum(len(t.refused) for t in r.tables.values()) == 0
    assert r.tables["proposal"].new > 0 and r.tables["income"].new > 0
    assert canonical_dump(town.database, {TOWN}) == canonical_dump(dist.database, {TOWN})
    with dist.database.session(write=False) as s:
        assert audit.verify(s).ok


def test_the_months_report_pdf_travels_with_the_package(pair, tmp_path, monkeypatch):
    from pypdf import PdfReader

    from sqlalchemy import func

    from app.sync import incoming
    from db.sync_models import ExchangeLog

    town, dist = pair
    add_households(town, 2)
    with town.database.session() as s:
        from app.sync import export as sync_export

        r = sync_export.export_package(s, town.actor, DISTRICT, tmp_path / "out", period="2026-11",
                                       reports=True)
    assert r.counts["documents"] == 1
    preview = import_into(dist, r.paths[0], dry_run=True)
    assert preview.documents == ["动态管理月报-2026-11.pdf"]
    committed, real = [], incoming.save_documents

    def save(*a):  # noqa: ANN002, ANN202 - the PDFs are written once the import is committed
        with dist.database.session(write=False) as s:
            committed.append(s.scalar(select(func.count()).select_from(ExchangeLog).where(
                ExchangeLog.direction == "in")))
        return real(*a)
    monkeypatch.setattr(incoming, "save_documents", save)
    done = import_into(dist, r.paths[0], ack_dir=tmp_path / "acks")
    assert committed == [1]
    [saved] = done.documents  # beside the district's database, not on the stick the package came on
    assert Path(saved).parent == dist.path.parent / "收到的报表" and not (tmp_path / "acks" / "收到的报表").exists()
    assert saved.endswith(f"{TOWN}-2026-11-动态管理月报-2026-11.pdf")
    text = "".join(p.extract_text() for p in PdfReader(saved).pages)
    assert "动态管理" in text and "香水镇" in text


def test_large_packages_split_into_numbered_volumes(pair, tmp_path):
    town, dist = pair
    add_households(town, 3)
    with town.database.session() as s:
        from app.sync import export as sync_export

        r = sync_export.export_package(s, town.actor, DISTRICT, tmp_path / "out", period="2026-11",
                                       volume_size=2000)
    assert len(r.paths) > 1 and [p.suffix for p in r.paths][:2] == [".001", ".002"]
    assert all(p.stat().st_size <= 2000 for p in r.paths)
    last = r.paths[-1].read_bytes()
    r.paths[-1].unlink()  # a missing last volume: refused, nothing imported
    with pytest.raises(PackageRefused):
        import_into(dist, r.paths[0].with_name(r.paths[0].name.replace(".001", "")))
    r.paths[-1].write_bytes(last)
    assert import_into(dist, r.paths[0]).tables["household"].new == 3


def test_two_imports_never_run_at_once(pair, tmp_path):
    import threading

    town, dist = pair
    add_households(town, 20)
    path = export_to(town, DISTRICT, tmp_path).paths[0]
    results, errors = [], []

    def run() -> None:
        from db.engine import open_sqlcipher

        database = open_sqlcipher(dist.path)  # a second program on the same database
        try:
            results.append(import_into(Office(database, dist.actor, DISTRICT), path).status)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            database.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sorted(results) == ["duplicate", "imported"]


def test_a_replaced_card_starts_the_exchange_afresh(pair, template_db, tmp_path):
    """A township reinstalled (new keys): after the confirmed replacement its first full package
    imports, its new audit chain is anchored again, and the old keys are no longer accepted."""
    town, dist = pair
    add_households(town, 2)
    old = export_to(town, DISTRICT, tmp_path / "old").paths[0]
    import_into(dist, old)
    add_households(town, 1, start=50)
    late_old = export_to(town, DISTRICT, tmp_path / "old2").paths[0]
    other = Office(open_copy(template_db, tmp_path / "new.qfdb"), None, TOWN)
    other.actor = actor_of(other.database)
    with other.database.session() as s:
        new_card = cards.export_card(s, other.actor)
    with dist.database.session() as s:
        cards.import_card(s, dist.actor, new_card, replace=True)
        dist_card = cards.export_card(s, dist.actor)
    with other.database.session() as s:
        cards.import_card(s, other.actor, dist_card)
    add_households(other, 1, start=70)
    r = import_into(dist, export_to(other, DISTRICT, tmp_path / "new").paths[0])
    assert r.status == "imported" and r.tables["household"].new == 1
    with pytest.raises(PackageRefused, match="签名无效"):
        import_into(dist, late_old)
    other.database.dispose()


def test_a_townships_household_is_read_only_at_the_district(pair, tmp_path):
    """DESIGN §4 ownership: the district's copy of a township household changes only through the
    township's packages; every write service refuses it and nothing is written."""
    from dataclasses import replace

    from app.assessment import approvals
    from app.errors import PermissionDenied

    town, dist = pair
    [hid] = add_households(town, 1)
    import_into(dist, export_to(town, DISTRICT, tmp_path).paths[0])
    before = canonical_dump(dist.database, {town.code, DISTRICT})
    with dist.database.session() as s:
        assert s.get(Household, hid).owner_office == town.code
        for write in (lambda: hs.edit_household(s, dist.actor, hid, expected_version=None,
                                                changes={"address": "改了"}),
                      lambda: hs.record_step(s, dist.actor, hid, kind="其他", day=date(2026, 11, 2),
                                             handler="县局"),
                      lambda: hs.delete_household(s, dist.actor, hid, reason="试试"),
                      lambda: approvals.propose_grant(s, replace(dist.actor, role="经办人"), hid,
                                                      reason="县局代办", day=date(2026, 11, 2))):
            with pytest.raises(PermissionDenied, match="只读副本"):
                write()
    assert canonical_dump(dist.database, {town.code, DISTRICT}) == before
