"""The three ledger pages (pytest-qt, offscreen): open with data, filter, refusals in Chinese."""
from datetime import date, timedelta

import pytest

from app.ledgers import petitions as pt
from app.ledgers import problems as pr
from app.ledgers import relatives as rl
from test_ledger_support import household, ident
from ui import dialogs
from ui.pages import ledger_common as lc

TODAY = date.today()


@pytest.fixture
def shown(monkeypatch):
    """Messages the pages would show in dialogs, and the answers of their forms."""
    box = {"errors": [], "answers": []}
    monkeypatch.setattr(dialogs, "error", lambda _p, text, details=None: box["errors"].append(text))
    monkeypatch.setattr(lc, "ask", lambda *_a, **_k: box["answers"].pop(0) if box["answers"] else None)
    return box


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


def test_problems_page_filters_and_refuses_close_by_clerk(qtbot, env, shown, tmp_path):
    from ui.pages.ledger_problems import ProblemsPage

    a, b = problems(env)
    page = ProblemsPage(env.database, env.clerk)
    qtbot.addWidget(page)
    page.show()
    assert page.model.rowCount() == 2 and "逾期 1 个" in page.count.text()
    page.overdue.setChecked(True)
    assert [r.number for r in page.model.rows] == [a.number]
    page.overdue.setChecked(False)
    page.village.setCurrentIndex(page.village.findData("泾河村"))
    assert [r.number for r in page.model.rows] == [b.number]
    page.village.setCurrentIndex(0)
    page.responsible.setText("王")
    assert [r.number for r in page.model.rows] == [a.number]
    page.responsible.setText("")
    page.category.setCurrentIndex(page.category.findData("公示不规范"))
    assert [r.number for r in page.model.rows] == [b.number]
    page.category.setCurrentIndex(0)

    assert not page.buttons["close"].isEnabled()  # a clerk may not close
    assert page.select(a.number)
    assert a.number in page.detail.toPlainText()
    shown["answers"].append({"to": "已整改(待核验)", "day": TODAY, "measures": "", "note": ""})
    page.move_dialog()
    assert "只能转为：整改中" in page.message.text() and shown["errors"]
    page.move_selected(to="整改中")
    page.move_selected(to="已整改(待核验)")
    assert page.current().state == "已整改(待核验)"
    assert page.close_selected(verification_note="已核实") is None
    assert "无权核验销号问题" in page.message.text() and "审核人" in shown["errors"][-1]

    reviewer = ProblemsPage(env.database, env.reviewer)
    qtbot.addWidget(reviewer)
    reviewer.select(a.number)
    assert reviewer.close_selected(verification_note="") is None
    assert "核验意见" in reviewer.message.text()
    shown["answers"].append({"verification_note": "入户核实，已停保", "day": TODAY})
    reviewer.close_dialog()
    assert reviewer.current().state == "已销号" and "已核验销号" in reviewer.message.text()

    assert page.export(str(tmp_path / "problems")) == 2
    assert (tmp_path / "problems.xlsx").exists()


def test_problems_page_adds_through_the_form_and_refuses_bad_deadline(qtbot, env, shown):
    from ui.pages.ledger_problems import ProblemsPage

    page = ProblemsPage(env.database, env.clerk)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 0
    form = {"source": "自查", "category": "漏保", "description": "应保未保", "found_date": TODAY,
            "responsible": "王主任", "measures": "", "deadline": TODAY - timedelta(days=1),
            "households": "", "is_clue": True}
    shown["answers"].append(dict(form))
    page.add_dialog()
    assert "整改时限" in page.message.text() and "不能早于发现日期" in page.message.text()
    shown["answers"].append(dict(form, deadline=None, households="640424100-404404"))
    page.add_dialog()
    assert "找不到本单位的这户家庭" in page.message.text()
    shown["answers"].append(dict(form, deadline=TODAY + timedelta(days=7)))
    page.add_dialog()
    assert page.model.rowCount() == 1 and page.current().is_clue
    assert page.current().transfer.due_date > TODAY
    assert page.transfer_selected(organ="县纪委监委", day=TODAY) is None
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
    page = PetitionsPage(env.database, env.reviewer)  # an extension needs a 审核人
    qtbot.addWidget(page)
    assert page.model.rowCount() == 4 and "重点 3 件" in page.count.text()
    page.priority.setChecked(True)
    assert page.model.rowCount() == 3
    page.priority.setChecked(False)
    page.channel.setCurrentIndex(page.channel.findData("来访"))
    assert [r.number for r in page.model.rows] == [other.number]
    assert page.select(other.number)
    assert page.extend_selected(days=40, reason="需核查") is None
    assert "延期天数" in page.message.text() and "1 到 30 日" in shown["errors"][-1]
    page.extend_selected(days=30, reason="需入户核查")
    assert page.current().extension_days == 30
    assert page.extend_selected(days=5, reason="再延") is None
    assert "只能延长一次" in page.message.text()
    shown["answers"].append({"reply": "经核实不属实", "outcome": "不属实", "day": TODAY, "satisfaction": "满意"})
    page.reply_dialog()
    assert page.current().state == "已办结"
    shown["answers"].append({"channel": "网上", "received_date": TODAY, "anonymous": False, "petitioner": "",
                             "phone": "", "content": "x", "households": "", "related_to": ""})
    page.add_dialog()
    assert "信访人" in page.message.text() and "必须填写" in page.message.text()


def test_relatives_page_check_opens_problem_once(qtbot, env, shown):
    from ui.pages.ledger_relatives import RelativesPage

    official = ident(101, date(1975, 3, 3))
    household(env, "王村长", official, others=[("李氏", ident(102, date(1976, 4, 4)), "配偶")])
    with env.database.session() as s:
        rl.add_official(s, env.clerk, name="王村长", id_number=official, post_type="村(居)委会成员",
                        village="香水村")
        rl.add_official(s, env.clerk, name="钱所长", id_number=ident(121, date(1970, 1, 1)),
                        post_type="民政经办人员")
    page = RelativesPage(env.database, env.clerk)
    qtbot.addWidget(page)
    assert page.officials.rowCount() == 2
    page.post_type.setCurrentIndex(page.post_type.findData("民政经办人员"))
    assert [o.name for o in page.officials.rows] == ["钱所长"]
    page.post_type.setCurrentIndex(0)
    page.village.setCurrentIndex(page.village.findData("香水村"))
    assert [o.name for o in page.officials.rows] == ["王村长"]
    page.table.selectRow(0)
    assert page.add_relative(name="表哥", id_number=ident(131), relation="表兄弟") is None
    assert "与备案人员关系" in page.message.text()
    findings = page.check()
    assert sorted(f.kind for f in findings) == sorted([rl.SELF, rl.UNFILED])
    assert "新登记“近亲属未备案”问题 1 个" in page.message.text()
    assert page.findings.rowCount() == 2
    again = page.check()
    assert sum(f.new_problem for f in again) == 0 and "问题 0 个" in page.message.text()
    shown["answers"].append({"name": "李氏", "id_number": ident(102, date(1976, 4, 4)), "relation": "配偶",
                             "filed_date": TODAY})
    page.relative_dialog()
    assert page.relatives.rowCount() == 1
    assert sorted(f.kind for f in page.check()) == sorted([rl.FILED, rl.SELF])
