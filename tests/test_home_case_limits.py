"""首页 shows case time limits and case tasks that are near or late."""
from __future__ import annotations

from datetime import date

from app import dashboard
from app import households as hs
from test_assessment_support import household
from test_ui_support import make_ctx, ui_dialogs  # noqa: F401 - fixture

TODAY = date(2026, 11, 23)


def test_case_limits_near_or_late_on_the_home_page(qtbot, env, ui_dialogs):  # noqa: F811
    from ui.pages.home import HomePage

    late = household(env, [("张三", 11, "户主")])
    near = household(env, [("李四", 12, "户主")])
    far = household(env, [("王五", 13, "户主")])
    with env.database.session() as s:
        hs.record_step(s, env.clerk, late, kind="受理", day=date(2026, 10, 9), handler="马晓梅", today=TODAY)
        hs.record_step(s, env.clerk, near, kind="受理", day=date(2026, 10, 16), handler="马晓梅", today=TODAY)
        hs.record_step(s, env.clerk, far, kind="受理", day=date(2026, 11, 20), handler="马晓梅", today=TODAY)
        rows = dashboard.case_limit_rows(s, TODAY)
        data = dashboard.home_data(s, env.admin.office_code, today=TODAY)
    by_name = {r.household.split("户")[0]: r for r in rows}
    assert set(by_name) == {"张三", "李四"}
    assert by_name["张三"].due == date(2026, 11, 19) and by_name["张三"].days_left == -4  # 30 working days (10-10 调休)
    assert by_name["李四"].due == date(2026, 11, 27) and by_name["李四"].days_left == 4
    page = HomePage(make_ctx(env, env.admin))
    qtbot.addWidget(page)
    page.show_data(data)
    table = page.lists["case"].table
    assert table.rowCount() == 2 and table.item(0, 2).text() == "低保审核确认时限"
