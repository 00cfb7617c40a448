"""专项整治工作台账 in the UI: the clerk marks a 典型问题 on the problems page, 报表打印 prints
the month's 台账 with it."""
from __future__ import annotations

import re
from datetime import date

import pytest
from pypdf import PdfReader

from app import clock, offices
from app.ledgers import problems as pr
from test_ui_support import make_ctx
from ui import dialogs, ops

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with clock.frozen(TODAY):
        yield


def test_mark_typical_then_print_the_ledger(qtbot, env, monkeypatch):
    from ui.pages.ledger_problems import ProblemsPage
    from ui.pages.reports import ReportsPage

    monkeypatch.setattr(dialogs, "error", lambda *_a, **_k: None)
    with env.database.session() as s:
        offices.update_office(s, env.admin, phone="0954-5011234")
        p = pr.create_problem(s, env.clerk, source="自查", category="人情保", description="村干部亲属违规享受",
                              found_date=date(2026, 11, 2), responsible="王主任", deadline=date(2026, 11, 30))
    problems = ProblemsPage(env.database, env.clerk)
    qtbot.addWidget(problems)
    problems.show()
    qtbot.waitUntil(lambda: problems.pending == 0, timeout=10000)  # rows load off the UI thread
    assert problems.select(p.number)
    assert problems.buttons["typical"].isEnabled()
    assert problems.mark_typical()
    qtbot.waitUntil(lambda: problems.pending == 0, timeout=10000)
    assert "典型问题" in problems.message.text()

    page = ReportsPage(make_ctx(env, env.clerk))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.office is not None, timeout=10000)
    page.set_document("ledger_pdf")
    page.set_period("month", 2026, 11)
    op = page.generate()
    assert op is not None, page.form_error.text()
    qtbot.waitUntil(lambda: op.finished, timeout=20000)
    text = re.sub(r"\s+", "", "".join(x.extract_text() for x in PdfReader(page.generated).pages))
    assert "专项整治工作台账（2026年11月）" in text and "典型问题（个）1" in text
    assert "村干部亲属违规享受" in text.split("三、典型问题")[1]
    ops.wait_idle()
