"""No database work on the UI thread: every page flow opens its sessions in a worker (ui.ops).
The session factory is patched to record any session opened on the GUI thread."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from app import clock, demo
from db.engine import Database
from test_ui_support import make_ctx, ui_dialogs  # noqa: F401 - fixture


@pytest.fixture
def gui_sessions(monkeypatch):  # noqa: ANN001, ANN201
    """Where a session was opened on the GUI thread (a list of stack summaries)."""
    import traceback

    class Opened(list):
        armed = False

    opened = Opened()
    real = Database.session

    def session(self, *, write=True):  # noqa: ANN001, ANN202
        if opened.armed and threading.current_thread() is threading.main_thread():
            opened.append("".join(traceback.format_stack(limit=7)[:-1]))
        return real(self, write=write)

    monkeypatch.setattr(Database, "session", session)
    return opened


def test_page_flows_open_no_session_on_the_gui_thread(qtbot, env, ui_dialogs, gui_sessions, tmp_path):  # noqa: F811
    from ui.main_window import PAGES, MainWindow
    from ui.pages import ledger_common as lc

    with env.database.session() as s:
        demo.generate(s, env.admin, households=30, seed=3)
    ctx = make_ctx(env, env.admin)  # the login step reads the office before the window exists
    gui_sessions.armed = True
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    for name in PAGES:
        page = win.show_page(name)
        qtbot.wait(150)
    home = win.pages["首页"]
    qtbot.waitUntil(lambda: home.data is not None, timeout=10000)

    problems = win.show_page("问题台账")
    qtbot.waitUntil(lambda: problems.pending == 0, timeout=10000)
    form = problems.add_dialog()
    qtbot.addWidget(form)
    form.set_values({"description": "公示栏缺页", "responsible": "李干事", "found_date": clock.today(),
                     "deadline": clock.today() + timedelta(days=7)})
    home.data = None
    form.submit()
    qtbot.waitUntil(lambda: problems.pending == 0 and not form.isVisible(), timeout=10000)
    qtbot.waitUntil(lambda: home.data is not None, timeout=10000)  # 首页 reloaded after the write
    problems.export(str(tmp_path / "p.xlsx"))
    qtbot.waitUntil(lambda: problems.pending == 0, timeout=10000)

    relatives = win.show_page("近亲属备案")
    qtbot.waitUntil(lambda: relatives.pending == 0, timeout=10000)
    relatives.check()
    qtbot.waitUntil(lambda: relatives.pending == 0, timeout=10000)
    petitions = win.show_page("信访举报")
    petitions.search.setText("低保")
    qtbot.waitUntil(lambda: petitions.pending == 0, timeout=10000)

    households = win.show_page("救助对象")
    qtbot.waitUntil(lambda: households.model.rowCount() > 0, timeout=10000)
    hw = win.open_household(households.model.row_at(0).id)
    qtbot.waitUntil(lambda: hw.loaded, timeout=10000)
    hw.close()
    win.new_household()
    qtbot.waitUntil(lambda: getattr(win, "_new_dialog", None) is not None, timeout=10000)
    win._new_dialog.reject()
    assert isinstance(form, lc.FormDialog)
    assert gui_sessions == [], "database session opened on the GUI thread:\n" + "\n---\n".join(gui_sessions[:5])
