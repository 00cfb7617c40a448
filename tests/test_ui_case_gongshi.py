"""个案公示 from the household window and from 报表打印: the pending decision, reason masked."""
from __future__ import annotations

import re
from datetime import date

import pytest
from pypdf import PdfReader

from app import clock, offices
from app.assessment import approvals
from procedure_support import complete_steps
from test_ui_support import add_household, make_ctx, ui_dialogs  # noqa: F401 - fixture
from ui import dialogs, ops

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with clock.frozen(TODAY):
        yield


def _text(path) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(str(path)).pages))


@pytest.fixture
def pending_exit(env):
    with clock.frozen(date(2026, 9, 1)):
        hid = add_household(env, name="李大爷")
    with env.database.session() as s:
        offices.update_office(s, env.admin, phone="0954-5011234", district_phone="0954-5012345",
                              doc_prefix="香民发", district_name="泾源县民政局")
        complete_steps(s, env.clerk, hid, date(2026, 10, 1))
        approvals.approve(s, env.reviewer, approvals.propose_grant(
            s, env.clerk, hid, day=date(2026, 10, 1), reason="符合条件").id)
        approvals.propose_exit(s, env.clerk, hid, day=TODAY, reason="死亡（肺癌晚期）")
    return hid


def test_household_window_prints_the_case_gongshi(qtbot, env, ui_dialogs, pending_exit, tmp_path,  # noqa: F811
                                                   monkeypatch):
    from ui.household_window import HouseholdWindow

    opened = []
    monkeypatch.setattr(dialogs, "open_path", opened.append)
    win = HouseholdWindow(make_ctx(env, env.clerk), pending_exit)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.loaded, timeout=5000)
    assert win.case_button.isEnabled()
    ui_dialogs.answers["save_file"] = str(tmp_path / "case")
    op = win.print_case_gongshi()
    qtbot.waitUntil(lambda: op.finished, timeout=20000)
    assert opened == [str(tmp_path / "case.pdf")]
    text = _text(tmp_path / "case.pdf")
    assert "拟终止" in text and "李大爷" in text and "死亡" in text and "肺癌" not in text
    ops.wait_idle()


def test_reports_page_prints_the_case_gongshi(qtbot, env, pending_exit):
    from ui.pages.reports import ReportsPage

    with env.database.session(write=False) as s:
        from db.models import Household
        number = s.get(Household, pending_exit).number
    page = ReportsPage(make_ctx(env, env.clerk))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.office is not None, timeout=10000)
    page.set_document("gongshi_case")
    assert page.case_household.isVisible() and not page.village.isVisible()
    assert page.generate() is None and "请填写要公示的家庭" in page.form_error.text()
    page.case_household.setText(number)
    op = page.generate()
    qtbot.waitUntil(lambda: op.finished, timeout=20000)
    text = _text(page.generated)
    assert "拟终止" in text and "肺癌" not in text
    ops.wait_idle()
