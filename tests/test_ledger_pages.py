"""The three ledger pages (pytest-qt, offscreen): open with data, filter, refusals in Chinese."""
from datetime import date, timedelta

import pytest

from app import clock
from app.ledgers import petitions as pt
from app.ledgers import problems as pr
from app.ledgers import relatives as rl
from test_ledger_support import household, ident
from ui import dialogs, ops
from ui.pages import ledger_common as lc

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _frozen_clock():
    """A fixed 'today' for the app and the test alike (never the real date)."""
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def shown(monkeypatch, qtbot):
    """Messages the pages would show in dialogs; forms are opened for real, filled with the
    next answer and submitted (``box["forms"]`` keeps them to look at what stayed open)."""
    box = {"errors": [], "answers": [], "forms": []}
    real_ask = lc.ask
    monkeypatch.setattr(dialogs, "error", lambda _p, text, details=None: box["errors"].append(text))

    def ask(parent, title, fields, submit):  # noqa: ANN001, ANN202
        form = real_ask(parent, title, fields, submit)
        qtbot.addWidget(form)
        box["forms"].append(form)
        if box["answers"]:
            form.set_values(box["answers"].pop(0))
            form.submit()
        return form

    monkeypatch.setattr(lc, "ask", ask)
    yield box
    ops.wait_idle()


def settle(qtbot, *pages):  # noqa: ANN001, ANN202
    """Wait until every op the pages started has reported (writes, then the reloads)."""
    qtbot.waitUntil(lambda: all(p.pending == 0 for p in pages), timeout=10000)


def problems(env):
    number = household(env, "张三", ident(11))
    with env.database.session() as s:
        a = pr.create_problem(s, env.clerk, source="自查", category="错保", description="不符合条件",
                              found_date=TODAY - timedelta(days=20), responsible="王主任",
                              deadline=TODAY - timedelta(days=1), households=[number], measures="停保")
        b = pr.create_problem(s, env.clerk, source="督导检查", category="公示不规范", description="公示栏缺页",
                              found_date=TODAY - timedelta(days=2), responsible="李干事",
                              deadline=TODAY + timedelta(days=10), village="泾河村")
    return a, b


def _page(qtbot, cls, env, actor):  # noqa: ANN001, ANN202
    page = cls(env.database, actor)
    qtbot.addWidget(page)
    page.show()
    settle(qtbot, page)
    return page


def _set(qtbot, page, action):  # noqa: ANN001, ANN202
    action()
    settle(qtbot, page)


def test_problems_page_filters_and_refuses_close_by_clerk(qtbot, env, shown, tmp_path):
    from ui.pages.ledger_problems import ProblemsPage

    a, b = problems(env)
    page = _page(qtbot, ProblemsPage, env, env.clerk)
    assert page.model.rowCount() == 2 and "逾期 1 个" in page.count.text()
    _set(qtbot, page, lambda: page.overdue.setChecked(True))
    assert [r.number for r in page.model.rows] == [a.number]
    _set(qtbot, page, lambda: page.overdue.setChecked(False))
    _set(qtbot, page, lambda: page.village.setCurrentIndex(page.village.findData("泾河村")))
    assert [r.number for r in page.model.rows] == [b.number]
    _set(qtbot, page, lambda: page.village.setCurrentIndex(0))
    _set(qtbot, page, lambda: page.responsible.setText("王"))
    assert [r.number for r in page.model.rows] == [a.number]
    _set(qtbot, page, lambda: page.responsible.setText(""))
    _set(qtbot, page, lambda: page.category.setCurrentIndex(page.category.findData("公示不规范")))
    assert [r.number for r in page.model.rows] == [b.number]
    _set(qtbot, page, lambda: page.category.setCurrentIndex(0))

    assert not page.buttons["close"].isEnabled()  # a clerk may not close
    assert page.select(a.number)
    assert a.number in page.detail.toPlainText()
    # a refused move: the form stays open with what was typed, the field marked
    shown["answers"].append({"to": "已整改(待核验)", "day": TODAY, "measures": "停保并追回", "note": ""})
    form = page.move_dialog()
    settle(qtbot, page)
    assert form.isVisible() and form.values()["measures"] == "停保并追回"
    assert "只能转为：整改中" in form.errors["to"].text() and form.errors["to"].isVisible()
    assert not shown["errors"]  # shown beside the field, not in a message box
    form.set_values({"to": "整改中"})
    form.submit()
    settle(qtbot, page)
    assert not form.isVisible() and page.current().state == "整改中"
    _set(qtbot, page, lambda: page.move_selected(to="已整改(待核验)"))
    assert page.current().state == "已整改(待核验)"
    _set(qtbot, page, lambda: page.close_selected(verification_note="已核实"))
    assert "无权核验销号问题" in page.message.text() and "审核人" in shown["errors"][-1]

    reviewer = _page(qtbot, ProblemsPage, env, env.reviewer)
    reviewer.select(a.number)
    _set(qtbot, reviewer, lambda: reviewer.close_selected(verification_note=""))
    assert "核验意见" in reviewer.message.text()
    shown["answers"].append({"verification_note": "入户核实，已停保", "day": TODAY})
    reviewer.close_dialog()
    settle(qtbot, reviewer)
    assert reviewer.current().state == "已销号" and "已核验销号" in reviewer.message.text()

    _set(qtbot, page, lambda: page.export(str(tmp_path / "problems")))
    assert (tmp_path / "problems.xlsx").exists() and "已导出" in page.message.text()


def test_problems_page_adds_through_the_form_and_refuses_bad_deadline(qtbot, env, shown):
    from ui.pages.ledger_problems import ProblemsPage

    page = _page(qtbot, ProblemsPage, env, env.clerk)
    changes = []
    page.changed.connect(changes.append)
    assert page.model.rowCount() == 0
    form = {"source": "自查", "category": "漏保", "description": "应保未保", "found_date": TODAY,
            "responsible": "王主任", "measures": "", "deadline": TODAY - timedelta(days=1),
            "households": "", "is_clue": True}
    shown["answers"].append(dict(form))
    dlg = page.add_dialog()
    settle(qtbot, page)
    assert dlg.isVisible() and "不能早于发现日期" in dlg.errors["deadline"].text()
    assert dlg.values()["description"] == "应保未保" and changes == []
    dlg.set_values({"deadline": None, "households": "640424100-404404"})
    dlg.submit()
    settle(qtbot, page)
    assert dlg.isVisible() and "找不到本单位的这户家庭" in dlg.errors["households"].text()
    assert not dlg.errors["deadline"].isVisible()
    dlg.set_values({"deadline": TODAY + timedelta(days=7), "households": ""})
    dlg.submit()
    settle(qtbot, page)
    assert not dlg.isVisible() and changes == ["ledgers"]
    assert page.model.rowCount() == 1 and page.current().is_clue
    assert page.current().transfer.due_date > TODAY
    _set(qtbot, page, lambda: page.transfer_selected(organ="县纪委监委", day=TODAY))
    assert "无权将问题线索移交纪检监察机关" in page.message.text()


def test_petitions_page_priority_filter_and_refused_extension(qtbot, env, shown):
    from ui.pages.ledger_petitions import PetitionsPage

    number = household(env, "张三", ident(11))
    with env.database.session() as s:
        for channel in ("电话", "来信", "码上监督"):
            pt.create_petition(s, env.clerk, channel=channel, content="反映张三家有车", anonymous=True,
                               received_date=TODAY - timedelta(days=3), households=[number])
        other = pt.create_petition(s, env.clerk, channel="来访", content="其他事项", petitioner="赵",
                                   received_date=TODAY - timedelta(days=1))
    page = _page(qtbot, PetitionsPage, env, env.reviewer)  # an extension needs a 审核人
    assert page.model.rowCount() == 4 and "重点 3 件" in page.count.text()
    _set(qtbot, page, lambda: page.priority.setChecked(True))
    assert page.model.rowCount() == 3
    _set(qtbot, page, lambda: page.priority.setChecked(False))
    _set(qtbot, page, lambda: page.channel.setCurrentIndex(page.channel.findData("来访")))
    assert [r.number for r in page.model.rows] == [other.number]
    assert page.select(other.number)
    _set(qtbot, page, lambda: page.extend_selected(days=40, reason="需核查"))
    assert "延期天数" in page.message.text() and "1 到 30 日" in shown["errors"][-1]
    _set(qtbot, page, lambda: page.extend_selected(days=30, reason="需入户核查"))
    assert page.current().extension_days == 30
    _set(qtbot, page, lambda: page.extend_selected(days=5, reason="再延"))
    assert "只能延长一次" in page.message.text()
    shown["answers"].append({"reply": "经核实不属实", "outcome": "不属实", "day": TODAY, "satisfaction": "满意"})
    page.reply_dialog()
    settle(qtbot, page)
    assert page.current().state == "已办结"
    shown["answers"].append({"channel": "网上", "received_date": TODAY, "anonymous": False, "petitioner": "",
                             "phone": "", "content": "x", "households": "", "related_to": ""})
    dlg = page.add_dialog()
    settle(qtbot, page)
    assert dlg.isVisible() and "必须填写" in dlg.errors["petitioner"].text()
    assert dlg.values()["content"] == "x"  # nothing typed is lost


def test_relatives_page_check_opens_problem_once(qtbot, env, shown):
    from ui.pages.ledger_relatives import RelativesPage

    official = ident(101, date(1975, 3, 3))
    household(env, "王村长", official, others=[("李氏", ident(102, date(1976, 4, 4)), "配偶")])
    with env.database.session() as s:
        rl.add_official(s, env.clerk, name="王村长", id_number=official, post_type="村(居)委会成员",
                        village="香水村")
        rl.add_official(s, env.clerk, name="钱所长", id_number=ident(121, date(1970, 1, 1)),
                        post_type="民政经办人员")
    page = _page(qtbot, RelativesPage, env, env.clerk)
    assert page.officials.rowCount() == 2
    _set(qtbot, page, lambda: page.post_type.setCurrentIndex(page.post_type.findData("民政经办人员")))
    assert [o.name for o in page.officials.rows] == ["钱所长"]
    _set(qtbot, page, lambda: page.post_type.setCurrentIndex(0))
    _set(qtbot, page, lambda: page.village.setCurrentIndex(page.village.findData("香水村")))
    assert [o.name for o in page.officials.rows] == ["王村长"]
    page.table.selectRow(0)
    _set(qtbot, page, lambda: page.add_relative(name="表哥", id_number=ident(131), relation="表兄弟"))
    assert "与备案人员关系" in page.message.text()
    _set(qtbot, page, page.check)
    assert sorted(f.kind for f in page.findings.rows) == sorted([rl.SELF, rl.UNFILED])
    assert "新登记“近亲属未备案”问题 1 个" in page.message.text()
    assert page.findings.rowCount() == 2
    _set(qtbot, page, page.check)
    assert sum(f.new_problem for f in page.findings.rows) == 0 and "问题 0 个" in page.message.text()
    shown["answers"].append({"name": "李氏", "id_number": ident(102, date(1976, 4, 4)), "relation": "配偶",
                             "filed_date": TODAY})
    _set(qtbot, page, page.relative_dialog)
    settle(qtbot, page)
    assert page.relatives.rowCount() == 1
    _set(qtbot, page, page.check)
    assert sorted(f.kind for f in page.findings.rows) == sorted([rl.FILED, rl.SELF])


def test_database_locked_is_one_chinese_message_and_the_form_stays(qtbot, env, shown, monkeypatch):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from app.errors import BUSY_MESSAGE
    from ui.pages.ledger_problems import ProblemsPage

    assert ops.error_text(OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))) \
        == (BUSY_MESSAGE, None)
    page = _page(qtbot, ProblemsPage, env, env.clerk)

    def locked(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(pr, "create_problem", locked)
    shown["answers"].append({"description": "公示栏缺页", "responsible": "李干事"})
    dlg = page.add_dialog()
    settle(qtbot, page)
    assert dlg.isVisible() and dlg.message.text() == BUSY_MESSAGE
    assert dlg.values()["description"] == "公示栏缺页" and dlg.buttons.isEnabled()
    assert shown["errors"] == []
