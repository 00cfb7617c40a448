"""信访举报 › 回访与复查复核 (pytest-qt, offscreen): satisfaction and 复查/复核 dates saved through
record_feedback, with the time limits shown; refusals in Chinese."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate

from app import audit, clock
from app.ledgers import petitions as pt
from test_ui_support import ui_dialogs  # noqa: F401 - fixture
from ui.widgets import value as widgets_value

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _frozen_clock():
    """A fixed 'today' for the app and the test alike (never the real date)."""
    with clock.frozen(TODAY):
        yield
OUT = Path(__file__).resolve().parent.parent / "screenshots"


def _concluded(env, *, replied_days_ago: int = 5):  # noqa: ANN001, ANN202
    with env.database.session() as s:
        p = pt.create_petition(s, env.clerk, channel="来访", content="反映低保评议不公开", petitioner="赵某",
                               received_date=TODAY - timedelta(days=40))
        p = pt.reply_petition(s, env.clerk, p.id, reply="已核实并公开评议结果", outcome="部分属实",
                              day=TODAY - timedelta(days=replied_days_ago))
        open_one = pt.create_petition(s, env.clerk, channel="电话", content="咨询政策", petitioner="钱某",
                                      received_date=TODAY - timedelta(days=2))
    return p, open_one


def _page(qtbot, env, actor):  # noqa: ANN001, ANN202
    from ui.pages.ledger_petitions import PetitionsPage

    page = PetitionsPage(env.database, actor)
    qtbot.addWidget(page)
    page.resize(1280, 700)
    page.show()
    settle(qtbot, page)
    return page


def settle(qtbot, page):  # noqa: ANN001, ANN202
    qtbot.waitUntil(lambda: page.pending == 0, timeout=10000)


def test_feedback_form_saves_satisfaction_and_review_request(qtbot, env, ui_dialogs, monkeypatch):  # noqa: F811
    from ui.pages.ledger_petitions import FeedbackDialog

    p, _open = _concluded(env)
    page = _page(qtbot, env, env.clerk)
    assert page.buttons["feedback"].isEnabled()
    assert page.select(p.number)
    assert "复查：未申请；申请期限" in page.detail.toPlainText()

    dlg = FeedbackDialog(page.current(), page)
    qtbot.addWidget(dlg)
    text = dlg.findChildren(type(page.count))[0].text()
    assert str(p.deadlines.review_request_due) in text  # the time limit is shown
    dlg.satisfaction.setCurrentIndex(dlg.satisfaction.findData("基本满意"))
    assert dlg.values() == dict(satisfaction="基本满意", stage=None, requested=None, replied=None)
    dlg.stage.setCurrentIndex(dlg.stage.findData("复查"))
    assert "复查申请期限" in dlg.stage_limit.text() and dlg.has_requested.isChecked()
    dlg.requested.setDate(QDate(TODAY - timedelta(days=1)))
    dlg.show()
    OUT.mkdir(exist_ok=True)
    dlg.grab().save(str(OUT / "33-信访-回访与复查复核.png"))
    values = dlg.values()
    assert values == dict(satisfaction="基本满意", stage="复查", requested=TODAY - timedelta(days=1), replied=None)

    # through the button: the form opened by the page, filled and saved
    form = page.feedback_dialog()
    qtbot.addWidget(form)
    form.satisfaction.setCurrentIndex(form.satisfaction.findData("基本满意"))
    form.stage.setCurrentIndex(form.stage.findData("复查"))
    form.requested.setDate(QDate(TODAY - timedelta(days=1)))
    assert form.values() == values
    form.submit()
    settle(qtbot, page)
    assert ui_dialogs.errors == [] and not form.isVisible()
    with env.database.session(write=False) as s:
        saved = pt.get_petition(s, p.number)
        assert saved.satisfaction == "基本满意" and saved.review_requested == TODAY - timedelta(days=1)
        # 30 days from the request end on Saturday 2026-12-19: 民法典 第二百零三条 moves the last
        # day of a calendar-day limit off a rest day to the next working day
        assert saved.deadlines.review_answer_due == date(2026, 12, 21)
        assert audit.verify(s).ok
    assert "已登记" in page.message.text()
    detail = page.detail.toPlainText()
    assert "满意度：基本满意" in detail and "答复期限 2026-12-21" in detail


def test_feedback_refusals(qtbot, env, ui_dialogs):  # noqa: F811
    p, open_one = _concluded(env, replied_days_ago=35)
    page = _page(qtbot, env, env.clerk)
    # not concluded yet: the dialog is not even opened
    assert page.select(open_one.number)
    page.feedback_dialog()
    assert "尚未答复办结" in page.message.text()
    # a review asked after the 30 days: refused by the service, shown in the form, which stays
    assert page.select(p.number)
    form = page.feedback_dialog()
    qtbot.addWidget(form)
    form.stage.setCurrentIndex(form.stage.findData("复查"))
    form.submit()
    settle(qtbot, page)
    assert form.isVisible() and "超过申请期限" in form.message.text()
    assert widgets_value(form.stage) == "复查"  # what was chosen is kept
    form.reject()
    # nothing to record
    assert page.feedback_selected() is None and "没有要登记的内容" in page.message.text()
    # satisfaction alone is fine
    page.feedback_selected(satisfaction="满意")
    settle(qtbot, page)
    assert page.current().satisfaction == "满意"
