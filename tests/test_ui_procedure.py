"""The household window's 程序和时限 tab and the approval with missing steps (先行救助)."""
from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from app import clock
from app import households as hs
from app.assessment import approvals
from procedure_support import complete_steps
from test_ui_support import add_household, make_ctx, ui_dialogs  # noqa: F401 - fixture

OUT = Path(__file__).resolve().parent.parent / "screenshots"


def _open(qtbot, env, actor, hid):  # noqa: ANN001, ANN202
    from ui.household_window import HouseholdWindow

    win = HouseholdWindow(make_ctx(env, actor), hid)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.loaded and win.procedure.status is not None, timeout=5000)
    return win


def test_tab_lists_missing_steps_and_the_reviewer_overrides_in_writing(qtbot, env, ui_dialogs):  # noqa: F811
    hid = add_household(env)
    today = clock.today()
    with env.database.session() as s:
        approvals.propose_grant(s, env.clerk, hid, day=today, reason="符合条件")
    win = _open(qtbot, env, env.reviewer, hid)
    win.tabs.setCurrentWidget(win.procedure)
    tab = win.procedure
    assert "还须完成：受理、家庭经济状况核对、入户调查、民主评议、公示" in tab.summary.text()
    assert tab.checks.topLevelItemCount() == 5 and tab.checks.topLevelItem(0).text(1) == "✗"
    win.resize(1100, 760)
    OUT.mkdir(exist_ok=True)
    win.grab().save(str(OUT / "60-程序和时限.png"))
    ui_dialogs.answers["ask_text"] = ""  # no written reason: nothing approved
    win.approve_proposal()
    assert "办理程序未完成" in win.proposal_banner.error.text()
    assert win.info.status == "申请中"
    ui_dialogs.answers["ask_text"] = "突发重病住院，先行救助"
    win.approve_proposal()
    qtbot.waitUntil(lambda: win.info.status == "在保", timeout=5000)
    qtbot.waitUntil(lambda: any(tab.tasks.topLevelItem(i).text(0) == "补办程序"
                                for i in range(tab.tasks.topLevelItemCount())), timeout=5000)


def test_complete_steps_then_refusal_notice_from_the_tab(qtbot, env, ui_dialogs, tmp_path):  # noqa: F811
    hid = add_household(env)
    today = clock.today()
    with env.database.session() as s:
        complete_steps(s, env.clerk, hid, today)
    win = _open(qtbot, env, env.reviewer, hid)
    assert "已全部完成" in win.procedure.summary.text()
    assert not win.procedure.notice_button.isEnabled()
    with env.database.session() as s:
        hs.change_status(s, env.reviewer, hid, status="未通过", reason="家庭人均收入高于标准", day=today)
    win.reload()
    qtbot.waitUntil(lambda: win.procedure.notice_button.isEnabled(), timeout=5000)
    out = tmp_path / "notice.pdf"
    win.procedure.save_notice(str(out))
    qtbot.waitUntil(lambda: out.exists() and "已生成" in win.procedure.summary.text(), timeout=10000)
    assert "家庭人均收入高于标准" in PdfReader(out).pages[0].extract_text().replace("\n", "")
    qtbot.waitUntil(lambda: any(win.procedure.limits.topLevelItem(i).text(4) == "已完成"
                                for i in range(win.procedure.limits.topLevelItemCount())), timeout=5000)


def test_status_proposal_above_the_maximum_asks_for_a_written_reason(qtbot, env, ui_dialogs):  # noqa: F811
    from sqlalchemy import select

    from db.models import AuditEntry

    hid = add_household(env)  # 农村低保, 1 person, 500 元: within 600 + surcharges
    with env.database.session() as s:
        hs.edit_household(s, env.admin, hid, expected_version=None, changes={"monthly_amount": "900"})
    win = _open(qtbot, env, env.clerk, hid)
    ui_dialogs.answers["ask_text"] = "县民政局特批（文号 泾民〔2026〕9号）"
    win.change_status(status="在保", reason="符合条件", day=clock.today(), proposal=True)
    qtbot.waitUntil(lambda: "已提交审核" in win.notice.text(), timeout=5000)
    with env.database.session(write=False) as s:
        [entry] = s.execute(select(AuditEntry).where(AuditEntry.action == "amount.over_maximum")).scalars().all()
        assert "泾民〔2026〕9号" in entry.after and '"stage":"提议"' in entry.after
