"""Open each delivered page with demo data and save PNGs under screenshots/ (not committed),
so that a person can look at them: clipped text, boxes instead of Chinese, cramped layouts."""
from __future__ import annotations

from pathlib import Path

from app import demo
from test_ui_support import make_ctx, ui_dialogs  # noqa: F401 - fixture

OUT = Path(__file__).resolve().parent.parent / "screenshots"


def test_screenshots_of_each_page(qtbot, env, ui_dialogs):  # noqa: F811
    from ui.main_window import PAGES, MainWindow

    with env.database.session() as s:
        demo.generate(s, env.admin, households=120, seed=3)
    OUT.mkdir(exist_ok=True)
    win = MainWindow(make_ctx(env, env.admin))
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    for i, name in enumerate(PAGES):
        page = win.show_page(name)
        if name == "首页":
            qtbot.waitUntil(lambda: page.data is not None, timeout=10000)
        if name == "救助对象":
            qtbot.waitUntil(lambda: page.count_label.text() == "共 120 户", timeout=10000)
        if name == "系统设置":
            qtbot.waitUntil(lambda: page.rules_tab.table.rowCount() > 0, timeout=10000)
        qtbot.wait(100)
        assert not win.grab().isNull()
        win.grab().save(str(OUT / f"{i + 1:02d}-{name}.png"))
    settings = win.pages["系统设置"]
    for tab in range(settings.tabs.count()):
        settings.tabs.setCurrentIndex(tab)
        qtbot.wait(80)
        win.grab().save(str(OUT / f"09-系统设置-{tab + 1}-{settings.tabs.tabText(tab)}.png"))
    page = win.show_page("救助对象")
    qtbot.keyClicks(page.search, "wang")
    qtbot.waitUntil(lambda: page.model.rowCount() < 120, timeout=5000)
    win.grab().save(str(OUT / "02-救助对象-搜索.png"))
    hw = win.open_household(page.model.row_at(0).id)
    qtbot.waitUntil(lambda: hw.loaded, timeout=5000)
    for tab in range(hw.tabs.count()):
        hw.tabs.setCurrentIndex(tab)
        qtbot.wait(80)
        hw.grab().save(str(OUT / f"20-家庭窗口-{tab + 1}.png"))
    dlg = win.new_household()
    qtbot.wait(100)
    dlg.grab().save(str(OUT / "21-新增家庭.png"))
    dlg.reject()
    hw.close()
    assert len(list(OUT.glob("*.png"))) >= 15
