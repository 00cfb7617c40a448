"""系统设置 → 办理程序和时限: the gates and limits as a form, saved by an administrator."""
from __future__ import annotations

from pathlib import Path

from app import procedure, rulesettings
from test_ui_support import make_ctx, ui_dialogs  # noqa: F401 - fixture

OUT = Path(__file__).resolve().parent.parent / "screenshots"


def _tab(qtbot, env, actor):  # noqa: ANN001, ANN202
    from ui.pages.settings_procedure import ProcedureSettingsTab

    tab = ProcedureSettingsTab(make_ctx(env, actor))
    qtbot.addWidget(tab)
    tab.refresh()
    qtbot.waitUntil(lambda: bool(tab.values), timeout=5000)
    return tab


def test_form_shows_the_defaults_and_saves_only_what_changed(qtbot, env, ui_dialogs):  # noqa: F811
    tab = _tab(qtbot, env, env.admin)
    assert tab.grant[("农村低保", "公示")].isChecked() and not tab.grant[("临时救助", "公示")].isChecked()
    assert tab.grant[("孤儿", "入户调查")].isChecked()  # from the “其他类别” row
    assert tab.exit[("特困人员(分散供养)", "终止公示")].isChecked() and tab.democratic.isChecked()
    assert tab.changes() == {}
    tab.grant[("临时救助", "家庭经济状况核对")].setChecked(True)
    tab.democratic.setChecked(False)
    tab.numbers["refusal_notice_working_days"].setValue(5)
    assert set(tab.changes()) == {"procedure_steps", "democratic_review_held", "refusal_notice_working_days"}
    tab.resize(1000, 900)
    OUT.mkdir(exist_ok=True)
    tab.grab().save(str(OUT / "62-办理程序和时限设置.png"))
    tab.save()
    qtbot.waitUntil(lambda: "已保存" in tab.notice.text(), timeout=5000)
    with env.database.session(write=False) as s:
        assert procedure.required_steps(s, "临时救助") == ["受理", "家庭经济状况核对", "入户调查"]
        assert procedure.required_steps(s, "农村低保") == ["受理", "家庭经济状况核对", "入户调查", "公示"]
        assert rulesettings.get(s, "refusal_notice_working_days") == 5


def test_clerk_sees_but_cannot_change(qtbot, env, ui_dialogs):  # noqa: F811
    tab = _tab(qtbot, env, env.clerk)
    assert not tab.save_button.isEnabled() and not tab.grant[("农村低保", "公示")].isEnabled()
