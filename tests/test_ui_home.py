"""首页 dashboard (pytest-qt, offscreen): due and overdue items, the monthly-report reminder,
charts, and rows that open the page that handles them."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtWidgets import QScrollArea

from app import clock, dashboard, demo
from app.ledgers import petitions as pt
from app.ledgers import problems as pr
from test_ui_support import make_ctx, ui_dialogs  # noqa: F401 - fixture

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _frozen_clock():
    """A fixed 'today' for the app and the test alike (never the real date)."""
    with clock.frozen(TODAY):
        yield
OUT = Path(__file__).resolve().parent.parent / "screenshots"


def _ledger_items(env):  # noqa: ANN001, ANN202
    with env.database.session() as s:
        late = pr.create_problem(s, env.clerk, source="自查", category="错保", description="不符合条件仍在保",
                                 found_date=TODAY - timedelta(days=20), responsible="王主任",
                                 deadline=TODAY - timedelta(days=3), village="香水村")
        soon = pr.create_problem(s, env.clerk, source="督导检查", category="公示不规范",
                                 description="公示栏缺页", found_date=TODAY - timedelta(days=2),
                                 responsible="李干事", deadline=TODAY + timedelta(days=4), village="泾河村")
        later = pr.create_problem(s, env.clerk, source="督导检查", category="公示不规范",
                                  description="公示栏破损", found_date=TODAY - timedelta(days=2),
                                  responsible="李干事", deadline=TODAY + timedelta(days=40))
        petition = pt.create_petition(s, env.clerk, channel="来信", content="反映低保评议不公开",
                                      petitioner="赵某", received_date=TODAY - timedelta(days=12))
    return late, soon, later, petition


def _load(qtbot, page):  # noqa: ANN001, ANN202
    page.data = None
    page.refresh()
    qtbot.waitUntil(lambda: page.data is not None, timeout=15000)
    return page.data


def test_dashboard_shows_overdue_problem_petition_and_monthly_report(qtbot, env, ui_dialogs):  # noqa: F811
    from ui.pages.home import HomePage

    with env.database.session() as s:
        demo.generate(s, env.admin, households=40, seed=5)
    late, soon, later, petition = _ledger_items(env)
    page = HomePage(make_ctx(env, env.reviewer))
    qtbot.addWidget(page)
    page.resize(1366, 900)
    page.show()
    qtbot.waitUntil(lambda: page.data is not None, timeout=15000)
    d = page.data

    # rectifications: overdue in red, due within 7 days in amber, later ones not listed
    rect = page.lists["rectify"].table
    numbers = [rect.item(r, 0).text() for r in range(rect.rowCount())]
    assert numbers == [late.number, soon.number]
    assert rect.item(0, 6).text() == "逾期 3 天"
    assert rect.item(0, 0).foreground().color().name() == "#c62828"
    assert rect.item(1, 0).foreground().color().name() == "#b26a00"
    assert page.values["rectify"].text() == "1" and "#c62828" in page.values["rectify"].styleSheet()

    # the petition's 15-day sort limit is 3 days away
    pet = page.lists["petition"].table
    assert pet.rowCount() >= 1 and pet.item(0, 0).text() == petition.number
    assert pet.item(0, 1).text() == "登记转送" and pet.item(0, 3).text() == "还有 3 天"

    # the monthly report reminder
    m = d.monthly_report
    assert m is not None and m.made_on is None
    assert m.due == TODAY.replace(day=25)
    text = page.report_banner.text()
    if m.days_left > 0:
        assert f"本月 {m.due.day} 日前报送动态管理月报，还有 {m.days_left} 天" in text
    elif m.days_left < 0:
        assert "已逾期" in text and "#c62828" in page.report_banner.styleSheet()
    assert "专项整治工作台账：本月专项整治工作台账与月报同于 25 日前报送" in text
    assert "村级公示：" in text and "乡镇公示：本季度全乡镇公示尚未生成" in text

    # approvals are shown to a reviewer; charts got their series
    assert d.proposals_pending is not None and "approval" in page.lists
    assert sum(page.village_chart.values) == sum(d.counts.by_category.values())
    # the 在册 card counts what the charts count (申请中/在保/暂停), the villages are named
    assert page.values["households"].text().replace(",", "") == str(int(sum(page.village_chart.values)))
    assert d.counts.households == sum(d.counts.by_category.values()) < sum(d.counts.by_status.values())
    axis = next(a for a in page.village_chart.chart().axes() if hasattr(a, "categories"))
    assert sorted(axis.categories()) == sorted(d.counts.by_village) and "…" not in "".join(axis.categories())
    assert len(page.money_chart.values) == 12 and page.money_chart.values[-1] > 0
    assert page.category_chart.chart().series()

    OUT.mkdir(exist_ok=True)
    page.grab().save(str(OUT / "30-首页-提醒.png"))
    page.findChild(QScrollArea).verticalScrollBar().setValue(10000)
    qtbot.wait(50)
    page.grab().save(str(OUT / "31-首页-图表.png"))

    # a row opens its page
    opened = []
    page.openRequested.connect(lambda target, ref: opened.append((target, ref)))
    page.open_row("rectify", 0)
    page.open_row("petition", 0)
    assert opened == [("问题台账", late.number), ("信访举报", petition.number)]


def test_monthly_report_overdue_in_red_and_done_after_printing(qtbot, env, ui_dialogs):  # noqa: F811
    from ui.pages.home import HomePage

    with env.database.session(write=False) as s:
        m = dashboard._monthly_report(s, date(2026, 5, 27))
        assert m.overdue and "已逾期 2 天" in m.text()
        m = dashboard._monthly_report(s, date(2026, 5, 20))
        assert m.text() == "本月 25 日前报送动态管理月报，还有 5 天。"
        m = dashboard._monthly_report(s, date(2026, 2, 25))
        assert m.days_left == 0 and "今天" in m.text()
    page = HomePage(make_ctx(env, env.clerk))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.data is not None, timeout=15000)
    assert "approval" not in page.lists and page.data.proposals_pending is None  # a clerk
    assert page.values["approval"].text() == "—"


def test_money_by_month_counts_households_in_force(env):  # noqa: ANN001
    from test_ui_support import add_household

    hid = add_household(env)
    with env.database.session() as s:
        from db.models import Household

        hh = s.get(Household, hid)
        hh.approve_date, hh.exit_date, hh.monthly_amount = date(2026, 1, 15), date(2026, 3, 2), Decimal("500")
    with env.database.session(write=False) as s:
        series = dict(dashboard.money_by_month(s, "640424100", today=date(2026, 5, 10), months=6))
    assert series == {"2025-12": 0, "2026-01": 500, "2026-02": 500, "2026-03": 500, "2026-04": 0, "2026-05": 0}


def test_main_window_opens_the_problem_from_the_dashboard(qtbot, env, ui_dialogs):  # noqa: F811
    from ui.main_window import MainWindow

    late, _soon, _later, petition = _ledger_items(env)
    win = MainWindow(make_ctx(env, env.admin))
    qtbot.addWidget(win)
    win.show()
    home = win.pages["首页"]
    qtbot.waitUntil(lambda: home.data is not None, timeout=15000)
    home.open_row("rectify", 0)
    assert win.stack.currentWidget() is win.pages["问题台账"]
    qtbot.waitUntil(lambda: win.pages["问题台账"].pending == 0, timeout=10000)
    assert win.pages["问题台账"].current().number == late.number
    home.open_row("petition", 0)
    qtbot.waitUntil(lambda: win.pages["信访举报"].pending == 0, timeout=10000)
    assert win.pages["信访举报"].current().number == petition.number
