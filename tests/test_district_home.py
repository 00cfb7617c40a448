"""The 首页 on a district's database lists the district's own work (its 督导检查 findings, its
petitions …), not the townships' read-only copies, which their own clerks see on their 首页
(app.own_work). A township's 首页 is unchanged."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app import clock, dashboard, demo, supervision
from app.ledgers import overview, problems as pr
from db.models import Household
from tests.sync_support import DISTRICT, Office, actor_of, exchange_cards, export_to, import_into
from tests.test_sync_district import district_db, district_template_module  # noqa: F401

DAY = date(2026, 11, 20)
TOWN = "640424100"


def test_district_home_shows_its_own_work(env, district_db, tmp_path):  # noqa: F811
    town = Office(env.database, env.admin, TOWN, env.path)
    dist = Office(district_db, actor_of(district_db), DISTRICT)
    exchange_cards(town, dist)
    with town.database.session() as s, clock.frozen(DAY):
        demo.generate(s, town.actor, households=12, seed=7)
        mine = pr.create_problem(s, town.actor, source="自查", category="错保", description="收入核算漏项",
                                 found_date=DAY - timedelta(days=3), responsible="马晓梅",
                                 deadline=DAY + timedelta(days=2))
    with clock.frozen(DAY):
        import_into(dist, export_to(town, DISTRICT, tmp_path / "up").paths[0])
    with dist.database.session() as s, clock.frozen(DAY):
        number = s.execute(select(Household.number).where(Household.status == "在保")
                           .order_by(Household.number)).scalars().first()
        visit = supervision.record_visit(
            s, dist.actor, day=DAY - timedelta(days=1), inspectors="马明", methods="入户抽查", households=[number],
            findings=[supervision.Finding("错保", "务工收入漏计", "乡镇低保专干", households=(number,),
                                          deadline=DAY + timedelta(days=5))])
    with dist.database.session(write=False) as s, clock.frozen(DAY):
        everything = {r.number for r in overview.rectifications_by_deadline(s, today=DAY, within_days=7)}
        home = dashboard.home_data(s, DISTRICT, today=DAY, approvals_visible=True)
    assert {mine.number, *visit.problems} <= everything  # the township's copy is in the district's database
    assert [r.number for r in home.rectifications] == visit.problems
    assert home.reviews == [] and home.case_limits == [] and home.grace_ending == []
    assert home.proposals_pending == 0 and home.proposals == [] and home.counts.households == 0
    with town.database.session(write=False) as s, clock.frozen(DAY):
        own_home = dashboard.home_data(s, TOWN, today=DAY, approvals_visible=True)
    assert mine.number in [r.number for r in own_home.rectifications]
    assert own_home.case_limits and own_home.reviews and own_home.counts.households
