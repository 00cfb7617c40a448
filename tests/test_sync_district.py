"""District mode on SQLite and on PostgreSQL: the round trip township → district → township →
district (assigned problem and its answer), standards and next year's calendar sent down,
per-township status, and one person in two townships."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app import audit, clock, workdays
from app.assessment import standards
from app.sync import district
from db.assessment_models import Standard
from tests.sync_support import (DISTRICT, PG_URL, Office, actor_of, add_households,
                                build_district_template, canonical_dump, exchange_cards, export_to,
                                import_into, make_pg_district, open_copy)

TOWN = "640424100"
TOWN_B = "640424101"


@pytest.fixture(scope="module")
def district_template_module(tmp_path_factory):  # noqa: ANN001, ANN201
    path = tmp_path_factory.mktemp("district") / "district.qfdb"
    build_district_template(path)
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not PG_URL, reason="QINGFENG_TEST_PG_URL 未设置：没有 PostgreSQL 测试服务器"))])
def district_db(request, district_template_module, tmp_path):  # noqa: ANN001, ANN201
    if request.param == "sqlite":
        database = open_copy(district_template_module, tmp_path / "district.qfdb")
        yield database
        database.dispose()
    else:
        database, drop = make_pg_district()
        yield database
        drop()


def _second_township(template_db, tmp_path):  # noqa: ANN001, ANN202
    """Another township of the district: the test template re-coded (a fresh office)."""
    from app import offices
    from db.engine import create_sqlcipher

    database, _ = create_sqlcipher(tmp_path / "b.qfdb")
    with database.session() as s:
        offices.init_office(s, code=TOWN_B, name="新民乡人民政府", level="township", parent=None,
                            admin="admin", admin_password="test-pass-123", villages=["新民村"])
    return Office(database, actor_of(database), TOWN_B)


def test_round_trip_assignment_and_answer(env, district_db, tmp_path):
    town = Office(env.database, env.admin, TOWN, env.path)
    dist = Office(district_db, actor_of(district_db), DISTRICT)
    exchange_cards(town, dist)
    with dist.database.session() as s:
        standards.ensure_seeded(s, dist.actor)
        workdays.import_calendar_rows(s, dist.actor, [("2027-01-01", "holiday", "元旦"),
                                                      ("2027-02-06", "workday", "春节调休")],
                                      source="国务院办公厅通知", years=[2027])
    with town.database.session() as s:
        standards.ensure_seeded(s, town.actor)  # the township's own seed rows, owned by the district
    hh = add_households(town, 4)
    with clock.frozen(date(2026, 11, 20)):
        up1 = export_to(town, DISTRICT, tmp_path / "up")
        r = import_into(dist, up1.paths[0], ack_dir=tmp_path / "to_town")
        assert r.tables["household"].new == 4
        with dist.database.session() as s:
            aid = district.assign(s, dist.actor, to_office=TOWN, title="核查低保金额",
                                  description=f"请核查家庭 {hh[0]} 的保障金额", deadline=date(2026, 12, 15))
        down = export_to(dist, TOWN, tmp_path / "down")
        assert down.counts["assignment"] == 1 and down.counts["standard"] > 0 and down.counts["calendar"] == 3
        for ack in (tmp_path / "to_town").iterdir():
            assert import_into(town, ack).status == "ack"
        r = import_into(town, down.paths[0], ack_dir=tmp_path / "to_district")
        assert r.tables["assignment"].new == 1
        with town.database.session() as s:
            district.answer(s, town.actor, aid, content="已核查并调整，附入户调查记录", done=True)
        up2 = export_to(town, DISTRICT, tmp_path / "up")
        assert up2.kind == "delta" and up2.counts["assignment_answer"] == 1
        r = import_into(dist, up2.paths[0])
        assert r.tables["assignment_answer"].new == 1
    with dist.database.session(write=False) as s:
        [info] = district.assignments(s)
        assert info.answers[0][1] == "已核查并调整，附入户调查记录" and not info.overdue
        assert audit.verify(s).ok
        assert district.township_status(s)[0].chain_ok
    with town.database.session(write=False) as s:
        assert 2027 in workdays.covered_years(s)
        assert workdays.is_working_day(s, date(2027, 2, 6))
        # the district's standards replaced the township's own seed copies
        assert {x.id for x in s.execute(select(Standard)).scalars()} == \
            set(canonical_dump(dist.database, {DISTRICT})["standard"])
        assert audit.verify(s).ok
    assert canonical_dump(town.database, {TOWN, DISTRICT}) == canonical_dump(dist.database, {TOWN, DISTRICT})


def test_status_and_person_in_two_townships(env, district_db, template_db, tmp_path):
    town = Office(env.database, env.admin, TOWN, env.path)
    dist = Office(district_db, actor_of(district_db), DISTRICT)
    other = _second_township(template_db, tmp_path)
    exchange_cards(town, dist)
    exchange_cards(other, dist)
    add_households(town, 2)
    add_households(other, 1, village="新民村")  # the same generated ID number as the first in town
    with clock.frozen(date(2026, 10, 10)):
        import_into(dist, export_to(town, DISTRICT, tmp_path / "a", period="2026-10").paths[0])
    with clock.frozen(date(2026, 12, 28)):
        import_into(dist, export_to(other, DISTRICT, tmp_path / "b", period="2026-12").paths[0])
        with dist.database.session(write=False) as s:
            status = {x.code: x for x in district.township_status(s)}
            dupes = district.cross_township_duplicates(s)
    assert status[TOWN].last_period == "2026-10" and status[TOWN].missing_months == ["2026-11"]
    assert not status[TOWN].monthly_on_time and status[TOWN].monthly == "逾期未报"  # nothing by the 25th
    assert status[TOWN].missing_text == "2026-11"
    assert status[TOWN_B].missing_months == [] and not status[TOWN_B].monthly_on_time  # arrived late
    assert status[TOWN_B].monthly == "逾期报送" and status[TOWN_B].missing_text == "无"
    assert len(dupes) == 1 and sorted(dupes[0].offices) == [TOWN, TOWN_B]
    with clock.frozen(date(2027, 1, 10)), dist.database.session(write=False) as s:
        status = {x.code: x for x in district.township_status(s)}
    assert status[TOWN_B].monthly == "未到期（01月25日前报送）" and status[TOWN_B].monthly_on_time
    from app import offices
    from db.engine import create_sqlcipher

    third, _ = create_sqlcipher(tmp_path / "c.qfdb")  # enrolled (its card), no package yet
    with third.session() as s:
        offices.init_office(s, code="640424102", name="泾河乡人民政府", level="township", parent=None,
                            admin="admin", admin_password="test-pass-123", villages=["泾河村"])
    exchange_cards(Office(third, actor_of(third), "640424102"), dist)
    for day, monthly in ((date(2027, 1, 10), "未到期（01月25日前报送）"), (date(2027, 1, 26), "逾期未报")):
        with clock.frozen(day), dist.database.session(write=False) as s:
            never = {x.code: x for x in district.township_status(s)}["640424102"]
        assert never.missing_text == "从未报送" and never.monthly == monthly
    third.dispose()
    other.database.dispose()


def test_imported_households_are_found_by_search_at_the_district(env, district_db, tmp_path):
    from app import search

    town = Office(env.database, env.admin, TOWN, env.path)
    dist = Office(district_db, actor_of(district_db), DISTRICT)
    exchange_cards(town, dist)
    add_households(town, 2)
    import_into(dist, export_to(town, DISTRICT, tmp_path).paths[0])
    with dist.database.session(write=False) as s:
        assert [h.head_name for h in search.search(s, "z1")] == ["张1"]
        assert [h.head_name for h in search.search(s, "张0")] == ["张0"]


def test_the_months_packages_import_in_one_batch_with_one_backup(env, district_db, template_db, tmp_path):
    from app import backups
    from app.sync import runs

    town = Office(env.database, env.admin, TOWN, env.path)
    dist = Office(district_db, actor_of(district_db), DISTRICT)
    other = _second_township(template_db, tmp_path)
    exchange_cards(town, dist)
    exchange_cards(other, dist)
    add_households(town, 3)
    add_households(other, 2, village="新民村")
    a = export_to(town, DISTRICT, tmp_path / "a").paths[0]
    b = export_to(other, DISTRICT, tmp_path / "b").paths[0]
    damaged = tmp_path / "damaged.qfp"
    data = bytearray(b.read_bytes())
    data[len(data) // 2] ^= 0x10
    damaged.write_bytes(bytes(data))
    before = len(backups.list_backups(district_db.path)) if district_db.is_sqlite else 0
    steps = []
    items = runs.run_imports(dist.database, dist.actor, [a, damaged, b], ack_dir=tmp_path / "acks",
                                 progress=lambda i, n, text: steps.append((i, n)))
    assert [i.result.status if i.result else "refused" for i in items] == ["imported", "refused", "imported"]
    assert "数据包" in items[1].refused
    assert items[0].result.tables["household"].new == 3 and items[2].result.tables["household"].new == 2
    assert steps[0] == (0, 3) and steps[-1] == (3, 3)
    assert len(list((tmp_path / "acks").glob("*.qfp"))) == 2
    if district_db.is_sqlite:  # one verified safety backup for the whole batch
        assert len(backups.list_backups(district_db.path)) == before + 1
    with dist.database.session(write=False) as s:
        assert {x.code: x.last_seq for x in district.township_status(s)} == {TOWN: 1, TOWN_B: 1}
        assert audit.verify(s).ok
    other.database.dispose()
