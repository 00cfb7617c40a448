"""系统设置 › 节假日日历 (pytest-qt, offscreen): covered years, a year's days, an administrator's
audited change, removal, refusals, and a clerk who only reads."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from sqlalchemy import select

from app import audit, clock, workdays
from db.models import AuditEntry
from test_ui_support import make_ctx, ui_dialogs  # noqa: F401 - fixture

OUT = Path(__file__).resolve().parent.parent / "screenshots"


def _tab(qtbot, env, actor, year: int):  # noqa: ANN001, ANN202
    from ui.pages.settings import SettingsPage

    page = SettingsPage(make_ctx(env, actor))
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    assert "节假日日历" in page.tab_titles()
    page.tabs.setCurrentWidget(page.calendar_tab)
    tab = page.calendar_tab
    qtbot.waitUntil(lambda: tab.view is not None, timeout=10000)
    _choose(qtbot, tab, year)
    return page, tab


def _choose(qtbot, tab, year: int) -> None:  # noqa: ANN001
    i = tab.year.findData(str(year))
    assert i >= 0, f"{year} not offered"
    tab.view = None
    if tab.year.currentIndex() == i:
        tab.refresh()
    else:
        tab.year.setCurrentIndex(i)
    qtbot.waitUntil(lambda: tab.view is not None and tab.view.year == year, timeout=10000)


def _rows(tab) -> list[tuple[str, ...]]:  # noqa: ANN001
    t = tab.table
    return [tuple(t.item(r, c).text() for c in range(t.columnCount())) for r in range(t.rowCount())]


def test_lists_spring_festival_2026_and_admin_edit_is_saved_and_audited(qtbot, env, ui_dialogs):  # noqa: F811
    page, tab = _tab(qtbot, env, env.admin, 2026)
    rows = _rows(tab)
    spring = [r for r in rows if r[3] == "春节"]
    assert ("2026-02-16", "星期一", "放假", "春节") == spring[1][:4]
    assert [r[0] for r in spring if r[2] == "放假"] == ["2026-02-16", "2026-02-17", "2026-02-18",
                                                      "2026-02-19", "2026-02-20", "2026-02-23"]
    assert [r[0] for r in spring if r[2] == "调休上班"] == ["2026-02-14", "2026-02-28"]
    assert "2004–2026 年" in tab.covered.text() and not tab.warning.isVisible()
    OUT.mkdir(exist_ok=True)
    page.grab().save(str(OUT / "32-系统设置-节假日日历.png"))

    # the administrator adds a local holiday (a Monday), then changes its name
    assert tab.save.isEnabled()
    tab.day.setDate(QDate(2026, 3, 2))
    tab.kind.setCurrentIndex(tab.kind.findData("holiday"))
    tab.name.setText("地方假日")
    tab.view = None
    tab.save_day()
    qtbot.waitUntil(lambda: tab.view is not None and "2026-03-02" in [r[0] for r in _rows(tab)], timeout=10000)
    assert ("2026-03-02", "星期一", "放假", "地方假日", "管理员修改") in _rows(tab)
    assert "已保存" in tab.saved.text()
    with env.database.session(write=False) as s:
        assert not workdays.is_working_day(s, date(2026, 3, 2))
        assert audit.verify(s).ok
        actions = s.execute(select(AuditEntry.action, AuditEntry.username).where(
            AuditEntry.entity == "calendar_day", AuditEntry.entity_id == "2026-03-02")).all()
        assert ("calendar.add", "admin") in actions

    # a Monday cannot be a 调休 working day: refused next to the form, nothing written
    tab.kind.setCurrentIndex(tab.kind.findData("workday"))
    tab.save_day()
    qtbot.waitUntil(lambda: tab.error.isVisibleTo(tab), timeout=10000)
    assert "周六或周日" in tab.error.text()

    # select the row, then remove it
    row = [r[0] for r in _rows(tab)].index("2026-03-02")
    tab.table.selectRow(row)
    assert tab.day.date() == QDate(2026, 3, 2) and tab.name.text() == "地方假日"
    tab.view = None
    tab.remove_day()
    qtbot.waitUntil(lambda: tab.view is not None, timeout=10000)
    assert "2026-03-02" not in [r[0] for r in _rows(tab)]
    with env.database.session(write=False) as s:
        assert workdays.is_working_day(s, date(2026, 3, 2))
        assert audit.verify(s).ok
    assert ui_dialogs.errors == []


def test_uncovered_year_shows_the_warning(qtbot, env, ui_dialogs):  # noqa: F811
    with clock.frozen(date(2039, 6, 1)):  # next year is beyond any published calendar
        _page, tab = _tab(qtbot, env, env.admin, 2040)
        assert tab.warning.isVisible() and "仅按周末计算" in tab.warning.text()
        assert tab.table.rowCount() == 0


def test_clerk_sees_the_calendar_read_only(qtbot, env, ui_dialogs):  # noqa: F811
    _page, tab = _tab(qtbot, env, env.clerk, 2026)
    assert tab.table.rowCount() > 10
    assert not tab.save.isEnabled() and not tab.remove.isEnabled() and not tab.name.isEnabled()
    # and the service refuses anyway
    tab.day.setDate(QDate(2026, 3, 2))
    tab._write("holiday", "地方假日")
    qtbot.waitUntil(lambda: bool(ui_dialogs.errors), timeout=10000)
    assert "无权" in ui_dialogs.errors[0]
    with env.database.session(write=False) as s:
        assert workdays.is_working_day(s, date(2026, 3, 2))
