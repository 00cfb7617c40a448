"""首页 reminders: the monthly 专项整治工作台账 with the 月报, each village's monthly 公示 and
the township's quarterly 公示 — due, overdue, and done once printed."""
from datetime import date

from app import clock, doc_reminders, ledger_report, offices, reports
from test_ui_support import add_household

TODAY = date(2026, 11, 20)


def _texts(env, today):
    with env.database.session(write=False) as s:
        return {r.what: r for r in doc_reminders.reminders(s, "640424100", today)}


def test_reminders_until_the_documents_are_made(env, tmp_path):
    add_household(env)
    with env.database.session() as s:
        offices.update_office(s, env.admin, phone="0954-5011234", district_phone="0954-5012345",
                              doc_prefix="香民发", district_name="泾源县民政局")
        villages = offices.list_villages(s, "640424100")
    r = _texts(env, TODAY)
    assert r["专项整治工作台账"].text == "本月专项整治工作台账与月报同于 25 日前报送，还有 5 天。"
    assert r["村级公示"].text.startswith(f"本月村级公示：0/{len(villages)} 个村（居）已生成")
    assert not r["乡镇公示"].done
    late = _texts(env, date(2026, 11, 27))["专项整治工作台账"]
    assert late.overdue and "已逾期 2 天" in late.text
    with clock.frozen(TODAY), env.database.session() as s:
        ledger_report.make_ledger(s, env.clerk, tmp_path / "l.pdf",
                                  period=reports.parse_period("2026-11", today=TODAY), today=TODAY)
        for v in villages:
            reports.make_gongshi(s, env.clerk, tmp_path / f"{v}.pdf", village=v, start=TODAY, today=TODAY,
                                 period=reports.parse_period("2026-11", today=TODAY))
        reports.make_gongshi(s, env.clerk, tmp_path / "q.pdf", start=TODAY, today=TODAY,
                             period=reports.parse_period("2026Q4", today=TODAY))
    r = _texts(env, TODAY)
    assert r["专项整治工作台账"].done and r["村级公示"].done and r["乡镇公示"].done
    assert "已全部生成" in r["村级公示"].text
