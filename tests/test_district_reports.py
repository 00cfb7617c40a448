"""Combined reports on a district's database (issue 11): the 动态管理月报, the 排查统计表 and the
专项整治工作台账 made at the district cover every township whose packages it imported, and each
row names its township (two townships both have a WT2026-0001). Figures are read back from the
PDF and the workbooks. On SQLite and on PostgreSQL."""
from __future__ import annotations

import re
from datetime import date

import openpyxl
from pypdf import PdfReader
from sqlalchemy import func, select

from app import clock, demo, reports
from app.ledger_report import make_ledger
from app.ledgers import problems as pr, reporting
from db.models import Household
from tests.sync_support import DISTRICT, Office, actor_of, exchange_cards, export_to, import_into
from tests.test_sync_district import _second_township, district_db, district_template_module  # noqa: F401

DAY = date(2026, 11, 20)


def _township_data(office: Office, households: int, seed: int) -> tuple[int, int, str]:
    """Demo households and one problem found this month; (在保 households, 新增 this month, problem number)."""
    with office.database.session() as s, clock.frozen(DAY):
        demo.generate(s, office.actor, households=households, seed=seed)
        problem = pr.create_problem(s, office.actor, source="自查", category="错保", description="收入核算漏项",
                                    found_date=date(2026, 11, 5), responsible="马晓梅")
        reporting.set_typical(s, office.actor, problem.number)
        in_force = s.execute(select(func.count()).select_from(Household).where(Household.status == "在保")).scalar_one()
        changes, _stock = reports.monthly_changes(s, reports.parse_period("2026-11", today=DAY))
    return in_force, sum(1 for c in changes if c.kind == "新增"), problem.number


def _cells(path) -> dict[str, list[list]]:  # noqa: ANN001
    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_district_reports_cover_every_township(env, district_db, template_db, tmp_path):  # noqa: F811
    town = Office(env.database, env.admin, "640424100", env.path)
    other = _second_township(template_db, tmp_path)
    dist = Office(district_db, actor_of(district_db), DISTRICT)
    exchange_cards(town, dist)
    exchange_cards(other, dist)
    a_in_force, a_new, a_problem = _township_data(town, 10, 5)
    b_in_force, b_new, b_problem = _township_data(other, 6, 9)
    assert a_in_force and b_in_force and a_problem == b_problem  # each township numbers its own
    with clock.frozen(DAY):
        for office, folder in ((town, "a"), (other, "b")):
            r = import_into(dist, export_to(office, DISTRICT, tmp_path / folder).paths[0])
            assert sum(len(t.refused) for t in r.tables.values()) == 0, r.tables
            assert r.tables["typical_problem"].new == 1
    period = reports.parse_period("2026-11", today=DAY)
    with dist.database.session() as s, clock.frozen(DAY):
        reports.make_monthly(s, dist.actor, tmp_path / "monthly.pdf", period=period, today=DAY)
        reports.make_screening(s, dist.actor, tmp_path / "screening.xlsx", period=period)
        make_ledger(s, dist.actor, tmp_path / "ledger.xlsx", period=period, today=DAY)

    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(tmp_path / "monthly.pdf").pages))
    assert re.search(r"截至本月末，在保(\d+)户", text).group(1) == str(a_in_force + b_in_force)
    assert re.search(r"本月新增(\d+)户", text).group(1) == str(a_new + b_new)

    rows = [r for r in _cells(tmp_path / "screening.xlsx")["在保"] if isinstance(r[0], int)]  # numbered rows
    assert len(rows) == a_in_force + b_in_force
    assert sum(r[1].startswith("香水镇") for r in rows) == a_in_force  # 村(居) with its township
    assert sum(r[1].startswith("新民乡") for r in rows) == b_in_force

    ledger = [v for rows in _cells(tmp_path / "ledger.xlsx").values() for row in rows for v in row]
    assert ledger.count(f"香水镇{a_problem}") == 2 and ledger.count(f"新民乡{b_problem}") == 2  # listed, and typical
    other.database.dispose()
