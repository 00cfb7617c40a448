"""督导检查 page: visits, 公示栏 and 先行救助 findings, through the services."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from app import clock, supervision
from test_ui_support import add_household, ui_dialogs  # noqa: F401 - fixture

OUT = Path(__file__).resolve().parent.parent / "screenshots"


def test_supervision_page_records_a_visit_and_boards(qtbot, env, ui_dialogs):  # noqa: F811
    from ui.pages.supervision import SupervisionPage, VisitDialog

    add_household(env)
    page = SupervisionPage(env.database, env.clerk)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.loaded, timeout=5000)
    assert page.boards.topLevelItemCount() == 3 and page.boards.topLevelItem(0).text(5) == "未登记公示栏"
    dlg = VisitDialog(page)
    dlg.inspectors.setText("王科长、李干事")
    dlg.methods["查看公示栏"].setChecked(True)
    dlg.category.setCurrentIndex(dlg.category.findData("公示不规范"))
    dlg.description.setText("东峡村公示栏无人维护")
    dlg.responsible.setText("王主任")
    page.add_visit(dlg.values())
    qtbot.waitUntil(lambda: page.visits.topLevelItemCount() == 1, timeout=5000)
    assert page.visits.topLevelItem(0).text(5).startswith("WT")
    page.add_visit(dict(dlg.values(), methods=["喝茶"]))
    qtbot.waitUntil(lambda: "检查方式" in page.message.text(), timeout=5000)
    page.set_board("香水村", "马村主任", "村委会门口")
    qtbot.waitUntil(lambda: page.boards.topLevelItem(0).text(1) == "马村主任", timeout=5000)
    today = clock.today()
    page.inspect({"village": "香水村", "day": today, "inspector": "王科长", "present": True,
                  "damaged": True, "items_complete": True, "last_update": today, "visit": None})
    qtbot.waitUntil(lambda: page.boards.topLevelItem(0).text(5) == "公示栏破损", timeout=5000)
    page.resize(1100, 600)
    OUT.mkdir(exist_ok=True)
    page.grab().save(str(OUT / "61-督导检查.png"))
    with env.database.session(write=False) as s:
        assert len(supervision.list_visits(s, since=date(2000, 1, 1))) == 1
