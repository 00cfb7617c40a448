"""A change to a month already reported (its package sent) from the GUI: the page asks for the
correction reason in a dialog and saves it as a correction; cancelled, nothing changes."""
from datetime import date

import pytest
from sqlalchemy import select

from app import clock
from app.ledgers import problems as pr
from app.sync import lock
from db.sync_models import PeriodCorrection
from ui import dialogs, ops

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with clock.frozen(TODAY):
        yield


def test_problem_in_a_locked_month_asks_the_reason_then_saves(qtbot, env, monkeypatch):
    from ui.pages.ledger_problems import ProblemsPage

    with env.database.session() as s:
        problem = pr.create_problem(s, env.clerk, source="自查", category="错保", description="收入核算漏项",
                                    found_date=date(2026, 11, 5), responsible="马晓梅")
        lock.lock_period(s, env.admin, "2026-11", "a" * 64)  # November's package was sent today
    asked, answers, errors = [], [None, "区县复核发现，补录整改"], []
    monkeypatch.setattr(dialogs, "ask_text", lambda _p, title, label, text="": (asked.append((title, label)),
                                                                             answers.pop(0))[1])
    monkeypatch.setattr(dialogs, "error", lambda _p, text, details=None: errors.append(text))
    page = ProblemsPage(env.database, env.clerk)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.pending == 0)
    assert page.select(problem.number)

    page.move_selected(to="整改中")  # cancelled: nothing saved, the refusal shown
    qtbot.waitUntil(lambda: page.pending == 0 and bool(errors))
    assert "2026-11" in asked[0][1] and "更正原因" in asked[0][1]
    assert "已报送并锁定" in errors[0] and page.current().state == "待整改"

    page.move_selected(to="整改中")  # the reason given: saved as a correction
    qtbot.waitUntil(lambda: page.pending == 0 and page.current().state == "整改中")
    assert len(asked) == 2 and len(errors) == 1
    with env.database.session(write=False) as s:
        corrections = {(c.entity, c.period, c.reason) for c in s.execute(select(PeriodCorrection)).scalars()}
    assert ("problem", "2026-11", "区县复核发现，补录整改") in corrections  # and its state change
    ops.wait_idle()


def test_supervision_write_in_a_locked_month_asks_the_reason_then_saves(qtbot, env, monkeypatch):
    """The 监督检查 page (and the household's 办理程序 tab, same helper): a refused write for a
    reported month asks the reason; cancelled, nothing saved; given, saved as a correction."""
    from db.ledger_models import Problem
    from ui.pages.supervision import SupervisionPage

    with env.database.session() as s:
        lock.lock_period(s, env.admin, "2026-11", "b" * 64)
    asked, answers = [], [None, "督导检查补录"]
    monkeypatch.setattr(dialogs, "ask_text", lambda _p, title, label, text="": (asked.append(label),
                                                                             answers.pop(0))[1])
    page = SupervisionPage(env.database, env.clerk)
    qtbot.addWidget(page)

    def add(s, actor):  # noqa: ANN001, ANN202
        return pr.create_problem(s, actor, source="督导检查", category="错保", description="公示栏未更新",
                                 found_date=date(2026, 11, 3), responsible="马晓梅")

    def count() -> int:
        with env.database.session(write=False) as s:
            return len(s.execute(select(Problem)).scalars().all())

    page._write("正在登记……", add, "已登记。")
    qtbot.waitUntil(lambda: len(asked) == 1 and ops.wait_idle())
    assert "2026-11" in asked[0] and count() == 0  # cancelled: nothing saved
    page._write("正在登记……", add, "已登记。")
    # the row is committed on the worker thread before the UI thread shows the notice
    qtbot.waitUntil(lambda: count() == 1 and page.notice.text() == "已登记。")
    assert len(asked) == 2
    with env.database.session(write=False) as s:
        reasons = {c.reason for c in s.execute(select(PeriodCorrection)).scalars()}
    assert reasons == {"督导检查补录"}
    ops.wait_idle()
