"""Keyboard and search: Enter opens the selected or only result, Down enters the list, Esc
clears, Ctrl+F anywhere; a row found through a member says which member."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from app import queries
from app import households as hs
from app.idcard import make_valid_id
from test_ui_support import add_household, make_ctx, ui_dialogs  # noqa: F401 - fixture


def _three(env):  # noqa: ANN001, ANN202
    spouse = hs.MemberInput(name="李梅", id_number=make_valid_id("640424", date(1962, 3, 4), 22), relation="配偶")
    add_household(env, name="张三", seq=11, extra=[spouse])
    add_household(env, name="李四", seq=13, village="泾河村")
    add_household(env, name="王五", seq=15)


def test_a_row_found_through_a_member_names_the_member(env):
    _three(env)
    with env.database.session(write=False) as s:
        for text in ("lm", "李梅", "limei"):
            rows = queries.list_households(s, queries.Filters(text=text))
            assert {r.head_name: r.matched_member for r in rows} == {"张三": "李梅"}, text
        rows = queries.list_households(s, queries.Filters(text="l"))
        hints = {r.head_name: r.matched_member for r in rows}
        assert hints == {"张三": "李梅", "李四": None}  # 李四 is found as the head
        assert all(r.matched_member is None for r in queries.list_households(s, queries.Filters(text="zs")))
        # an ID number: the spouse's full number and a prefix only she has; the head's own number
        spouse_id = make_valid_id("640424", date(1962, 3, 4), 22)
        for text in (spouse_id, spouse_id[:10], spouse_id.lower()):
            rows = queries.list_households(s, queries.Filters(text=text))
            assert {r.head_name: r.matched_member for r in rows} == {"张三": "李梅"}, text
        head_id = make_valid_id("640424", date(1960, 1, 2), 11)
        rows = queries.list_households(s, queries.Filters(text=head_id))
        assert [(r.head_name, r.matched_member) for r in rows] == [("张三", None)]


def test_enter_down_escape_and_ctrl_f(qtbot, env, ui_dialogs):  # noqa: F811
    from ui.main_window import MainWindow

    _three(env)
    win = MainWindow(make_ctx(env, env.clerk))
    qtbot.addWidget(win)
    win.show()
    page = win.show_page("救助对象")
    qtbot.waitUntil(lambda: page.count_label.text() == "共 3 户", timeout=5000)
    opened = []
    page.openRequested.disconnect()
    page.openRequested.connect(opened.append)

    # the member hint is shown in the list
    page.search.setText("lm")
    qtbot.waitUntil(lambda: page.count_label.text() == "共 1 户", timeout=5000)
    head = [k for k, _ in __import__("ui.household_model", fromlist=["COLUMNS"]).COLUMNS].index("head_name")
    assert page.model.data(page.model.index(0, head)) == "张三（经成员 李梅）"

    # Esc clears; Enter right after typing opens the only result once it has been searched
    page.search.setFocus()
    qtbot.keyClick(page.search, Qt.Key.Key_Escape)
    assert page.search.text() == ""
    qtbot.waitUntil(lambda: page.count_label.text() == "共 3 户", timeout=5000)
    qtbot.keyClicks(page.search, "ww")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=5000)
    assert page.model.row_at(0).head_name == "王五" and opened == [page.model.row_at(0).id]

    # several results: Down enters the list on the first row, Enter opens the selected one
    page.search.clear()
    qtbot.waitUntil(lambda: page.count_label.text() == "共 3 户", timeout=5000)
    page.search.setFocus()
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    assert page.table.hasFocus() and page.table.currentIndex().row() == 0
    qtbot.keyClick(page.table, Qt.Key.Key_Down)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened[-1] == page.model.row_at(1).id
    qtbot.keyClick(page.table, Qt.Key.Key_Escape)  # back to the search box
    assert page.search.hasFocus()

    # Ctrl+F anywhere: the ledger page's own search box, else the households search
    ledger = win.show_page("信访举报")
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert ledger.search.hasFocus()
    win.show_page("首页")
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert win.stack.currentWidget() is page and page.search.hasFocus()
