"""Removing a member for 死亡 in the household window asks for the date of death and records it."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app import clock
from app import households as hs
from app.idcard import make_valid_id
from db.report_models import MemberExit
from test_ui_support import add_household, make_ctx, ui_dialogs  # noqa: F401 - fixture

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with clock.frozen(TODAY):
        yield


def _open(qtbot, env, hid):  # noqa: ANN001, ANN202
    from ui.household_window import HouseholdWindow

    win = HouseholdWindow(make_ctx(env, env.clerk), hid)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.loaded, timeout=5000)
    return win


def test_death_needs_a_valid_date_and_is_recorded(qtbot, env, ui_dialogs):  # noqa: F811
    mother = hs.MemberInput(name="张母", id_number=make_valid_id("640424", date(1935, 3, 1), 22), relation="母亲")
    hid = add_household(env, extra=[mother])
    win = _open(qtbot, env, hid)
    win.members.table.setCurrentCell(1, 0)
    ui_dialogs.answers["ask_text"] = "死亡"  # the reason; as a date it is refused
    win.members.remove_current()
    assert win.members.table.rowCount() == 2 and not win.members.removed
    assert ui_dialogs.errors and "死亡日期" in ui_dialogs.errors[-1]
    win.members.ask_reason = lambda _name: "死亡"
    ui_dialogs.answers["ask_text"] = "2026-12-01"  # in the future
    win.members.remove_current()
    assert win.members.table.rowCount() == 2 and "不能晚于今天" in ui_dialogs.errors[-1]
    ui_dialogs.answers["ask_text"] = "2026-11-05"
    win.members.remove_current()
    assert win.members.table.rowCount() == 1
    win.save()
    qtbot.waitUntil(lambda: "已保存" in win.notice.text(), timeout=5000)
    with env.database.session(write=False) as s:
        row = s.execute(select(MemberExit.died, MemberExit.day, MemberExit.reason)).one()
    assert tuple(row) == (True, date(2026, 11, 5), "死亡")
