"""What the district sends down besides standards, calendar and 交办 (DESIGN.md §4, issue 11):
its district-wide data sources (a death list kept at the district reaches every township and
its checks) and its 督导检查 findings (to the township they concern only, read-only there).
On SQLite and on PostgreSQL (the district's database)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app import audit, clock, demo, findings, sources, supervision
from app.errors import PermissionDenied
from app.ledgers import problems as pr
from db.models import Household, Member
from tests.sync_support import DISTRICT, Office, actor_of, exchange_cards, export_to, import_into
from tests.test_checks import list_xlsx
from tests.test_sync_district import (TOWN, TOWN_B, _second_township, district_db,  # noqa: F401
                                      district_template_module)

DAY = date(2026, 11, 20)


def test_death_list_and_supervision_findings_go_down(env, district_db, template_db, tmp_path):  # noqa: F811
    town = Office(env.database, env.admin, TOWN, env.path)
    dist = Office(district_db, actor_of(district_db), DISTRICT)
    other = _second_township(template_db, tmp_path)
    exchange_cards(town, dist)
    exchange_cards(other, dist)
    with town.database.session() as s:
        demo.generate(s, town.actor, households=6, seed=3)
    with clock.frozen(DAY):
        import_into(dist, export_to(town, DISTRICT, tmp_path / "up").paths[0])
        import_into(dist, export_to(other, DISTRICT, tmp_path / "up_b").paths[0])
    with dist.database.session(write=False) as s:  # an in-force member of the township, as the district sees it
        number, id_number, name = s.execute(
            select(Household.number, Member.id_number, Member.name).join(Member, Member.household_id == Household.id)
            .where(Household.owner_office == TOWN, Household.status == "在保", Member.deleted_at.is_(None))
            .order_by(Household.number, Member.id)).first()
    deaths = list_xlsx(tmp_path / "deaths.xlsx", ["序号", "死者姓名", "身份证号码", "火化日期"],
                       [[1, name, id_number, date(2026, 10, 30)]])
    with dist.database.session() as s, clock.frozen(DAY):
        plan = sources.plan_source(s, deaths, kind="deaths")
        src = sources.apply_source(s, dist.actor, plan, origin="县殡葬管理所", list_date=date(2026, 11, 1))
        visit = supervision.record_visit(
            s, dist.actor, day=date(2026, 11, 18), inspectors="马明、李华", methods="入户抽查、查阅档案",
            unit="县民政局", households=[number],
            findings=[supervision.Finding("错保", "家庭收入核算漏计务工收入", "乡镇低保专干",
                                          households=(number,), deadline=date(2026, 12, 31))])
    assert visit.problems and visit.households
    with clock.frozen(DAY):
        down = export_to(dist, TOWN, tmp_path / "down")
        down_b = export_to(dist, TOWN_B, tmp_path / "down_b")
    assert down.paths[0].name != down_b.paths[0].name  # both in one folder would not overwrite
    assert down.counts["data_source"] == 1 and down.counts["source_record"] == 1
    assert down.counts["supervision_visit"] == 1 and down.counts["problem"] == 1
    # the other township gets the district-wide list but not a finding about someone else's household
    assert down_b.counts["data_source"] == 1 and down_b.counts["supervision_visit"] == 0
    assert down_b.counts["problem"] == down_b.counts["problem_link"] == 0
    with clock.frozen(DAY):
        r = import_into(town, down.paths[0], ack_dir=tmp_path / "acks")
        rb = import_into(other, down_b.paths[0], ack_dir=tmp_path / "acks_b")
    assert sum(len(t.refused) for t in r.tables.values()) == 0, r.tables
    assert sum(len(t.refused) for t in rb.tables.values()) == 0, rb.tables
    assert r.tables["source_record"].new == 1 and r.tables["supervision_household"].new == 1
    assert r.tables["problem_link"].new == 1 and r.tables["problem_transition"].new >= 1

    with town.database.session(write=False) as s:
        listed = sources.list_sources(s)
        assert [(x.id, x.origin, x.rows_accepted) for x in listed] == [(src.id, "县殡葬管理所", 1)]
        visits = supervision.list_visits(s)
        assert [(v.number, v.problems) for v in visits] == [(visit.number, visit.problems)]
        [problem] = [p for p in pr.list_problems(s) if p.number == visit.problems[0]]
        assert problem.source == "督导检查" and "务工收入" in problem.description
        assert audit.verify(s).ok
    with town.database.session() as s, clock.frozen(DAY):  # the township's checks read the district's list
        report = {x.rule: x for x in findings.run_checks(s, town.actor, rule="deaths")}
        assert report["deaths"].found == 1
        with pytest.raises(PermissionDenied):
            pr.move_problem(s, town.actor, visit.problems[0], to="整改中", day=DAY)
        with pytest.raises(PermissionDenied):
            sources.remove_source(s, town.actor, src.id, reason="不需要")
    with other.database.session(write=False) as s:
        assert len(sources.list_sources(s)) == 1 and supervision.list_visits(s) == []
    other.database.dispose()
