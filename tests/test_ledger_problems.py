"""问题台账: state machine, refusals, 销号 rights, 移交 deadlines, overdue flags, audit."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app import audit, rulesettings
from app.errors import PermissionDenied, ValidationError
from app.ledgers import problems as pr
from db.ledger_models import ProblemTransition
from test_ledger_support import TODAY, household, ident

D = date


def new(env, actor=None, **kw):
    args = dict(source="督导检查", category="人情保", description="村干部亲属违规纳入低保",
                found_date=D(2026, 11, 2), responsible="王主任", deadline=D(2026, 11, 20),
                today=TODAY)
    args.update(kw)
    with env.database.session() as s:
        return pr.create_problem(s, actor or env.clerk, **args)


def test_create_links_households_and_logs_the_first_transition(env):
    number = household(env, "张三", ident(11))
    p = new(env, households=[number], measures="停发并追回")
    assert p.number == "WT2026-0001" and p.state == "待整改" and p.village == "香水村"
    assert [h.number for h in p.households] == [number] and "张三" in p.households_text
    assert [(t.from_state, t.to_state, t.signer) for t in p.transitions] == [(None, "待整改", "马晓梅")]
    assert new(env).number == "WT2026-0002"


@pytest.mark.parametrize("kw,message", [
    (dict(deadline=D(2026, 11, 1)), "整改时限.*不能早于发现日期"),
    (dict(households=["640424100-999999"]), "关联家庭.*找不到本单位的这户家庭"),
    (dict(source="路边听说"), "问题来源.*应为以下之一"),
    (dict(category="不知道"), "问题类别"),
    (dict(description="  "), "问题描述.*必须填写"),
    (dict(responsible=""), "责任人.*必须填写"),
    (dict(found_date=D(2026, 12, 1)), "发现日期.*不能晚于今天"),
])
def test_bad_input_is_refused_with_a_clear_message(env, kw, message):
    with pytest.raises(ValidationError, match=message):
        new(env, **kw)


def test_state_machine_in_order_signed_and_dated(env):
    p = new(env)
    with env.database.session() as s:
        with pytest.raises(ValidationError, match="当前为“待整改”，只能转为：整改中"):
            pr.move_problem(s, env.clerk, p.number, to="已整改(待核验)", day=D(2026, 11, 3), today=TODAY)
        with pytest.raises(ValidationError, match="销号须由审核人核验"):
            pr.move_problem(s, env.clerk, p.number, to="已销号", today=TODAY)
        with pytest.raises(ValidationError, match="不能早于上一环节日期"):
            pr.move_problem(s, env.clerk, p.number, to="整改中", day=D(2026, 11, 1), today=TODAY)
        pr.move_problem(s, env.clerk, p.number, to="整改中", day=D(2026, 11, 3), today=TODAY)
        with pytest.raises(ValidationError, match="整改措施"):
            pr.move_problem(s, env.clerk, p.number, to="已整改(待核验)", day=D(2026, 11, 5), today=TODAY)
        done = pr.move_problem(s, env.clerk, p.number, to="已整改(待核验)", day=D(2026, 11, 5),
                               measures="取消该户低保，追回资金 3720 元", today=TODAY)
    assert done.state == "已整改(待核验)" and done.rectified_date == D(2026, 11, 5)
    with env.database.session() as s:
        with pytest.raises(PermissionDenied, match="审核人、管理员"):
            pr.close_problem(s, env.clerk, p.number, verification_note="已核实", today=TODAY)
    with env.database.session() as s:
        with pytest.raises(ValidationError, match="核验意见.*必须填写"):
            pr.close_problem(s, env.reviewer, p.number, verification_note=" ", today=TODAY)
        closed = pr.close_problem(s, env.reviewer, p.number, day=D(2026, 11, 10),
                                  verification_note="入户核实，资金已追回", today=TODAY)
    assert closed.state == "已销号" and closed.closed_by == "李建军"
    assert [t.to_state for t in closed.transitions] == ["待整改", "整改中", "已整改(待核验)", "已销号"]
    assert [t.day for t in closed.transitions] == [D(2026, 11, 2), D(2026, 11, 3), D(2026, 11, 5),
                                                  D(2026, 11, 10)]
    with env.database.session() as s:
        with pytest.raises(ValidationError, match="不能再变更状态"):
            pr.move_problem(s, env.reviewer, p.number, to="整改中", today=TODAY)
        with pytest.raises(ValidationError, match="已销号的问题不能再修改"):
            pr.edit_problem(s, env.clerk, p.number, measures="x", today=TODAY)
        assert audit.verify(s).ok


def test_close_only_after_rectified_and_send_back_needs_reviewer(env):
    p = new(env, measures="整改")
    with env.database.session() as s:
        with pytest.raises(ValidationError, match="只有“已整改\\(待核验\\)”的问题才能核验销号"):
            pr.close_problem(s, env.reviewer, p.number, verification_note="ok", today=TODAY)
        pr.move_problem(s, env.clerk, p.number, to="整改中", today=TODAY)
        pr.move_problem(s, env.clerk, p.number, to="已整改(待核验)", today=TODAY)
    with env.database.session() as s:
        with pytest.raises(PermissionDenied):
            pr.move_problem(s, env.clerk, p.number, to="整改中", note="没改好", today=TODAY)
    with env.database.session() as s:
        back = pr.move_problem(s, env.reviewer, p.number, to="整改中", note="资金未追回", today=TODAY)
        assert back.state == "整改中" and back.rectified_date is None
        n = s.execute(select(func.count()).select_from(ProblemTransition)).scalar_one()
        assert n == 4


def test_overdue_flag_and_query(env):
    late = new(env, deadline=D(2026, 11, 20))
    on_time = new(env, deadline=D(2026, 11, 30))
    done = new(env, deadline=D(2026, 11, 10), measures="已改")
    with env.database.session() as s:
        pr.move_problem(s, env.clerk, done.number, to="整改中", today=TODAY)
        pr.move_problem(s, env.clerk, done.number, to="已整改(待核验)", today=TODAY)
        overdue = pr.overdue_problems(s, today=TODAY)
        assert [p.number for p in overdue] == [late.number]
        assert overdue[0].overdue
        assert not pr.get_problem(s, on_time.number, today=TODAY).overdue
        assert pr.is_overdue("整改中", D(2026, 11, 22), TODAY) and not pr.is_overdue("待整改", TODAY, TODAY)
        assert [p.number for p in pr.list_problems(s, overdue_only=True, today=TODAY)] == [late.number]


def test_clue_transfer_due_in_five_working_days_and_late_flag(env):
    # found Friday 2025-09-26: 09-28 (调休 Sunday), 09-29, 09-30, 10-09, 10-10
    p = new(env, found_date=D(2025, 9, 26), deadline=None, is_clue=True, category="截留私分")
    assert p.transfer.due_date == D(2025, 10, 10) and p.transfer.due_covered
    assert p.transfer.late  # today is long after and nothing was transferred
    q = new(env, found_date=D(2026, 11, 19), deadline=None, category="虚报冒领")
    with env.database.session() as s:
        with pytest.raises(PermissionDenied):
            pr.transfer_problem(s, env.clerk, q.number, day=D(2026, 11, 20), organ="县纪委监委", today=TODAY)
    with env.database.session() as s:
        with pytest.raises(ValidationError, match="移交日期.*不能早于发现日期"):
            pr.transfer_problem(s, env.reviewer, q.number, day=D(2026, 11, 18), organ="县纪委监委",
                                today=TODAY)
        moved = pr.transfer_problem(s, env.reviewer, q.number, day=D(2026, 11, 23), organ="县纪委监委",
                                    doc_number="香民移〔2026〕3号", today=TODAY)
        assert moved.is_clue and moved.transfer.due_date == D(2026, 11, 26) and not moved.transfer.late
        with pytest.raises(ValidationError, match="不能重复移交"):
            pr.transfer_problem(s, env.reviewer, q.number, day=D(2026, 11, 23), organ="县纪委监委",
                                today=TODAY)
        pr.transfer_problem(s, env.reviewer, p.number, day=D(2025, 10, 13), organ="县纪委监委", today=TODAY)
        late = pr.late_transfers(s, today=TODAY)
        assert [r.number for r in late] == [p.number]  # transferred one working day late
        assert audit.verify(s).ok


def test_transfer_deadline_follows_the_setting_and_warns_outside_the_calendar(env):
    with env.database.session() as s:
        rulesettings.set_value(s, env.admin, "transfer_working_days", 3)
    p = new(env, found_date=D(2026, 2, 13), deadline=None, is_clue=True)
    assert p.transfer.due_date == D(2026, 2, 25)  # 02-14 (调休 Saturday), 02-24, 02-25
    with env.database.session(write=False) as s:
        due = pr.transfer_due(s, D(2026, 12, 30))
    assert not due.covered and "2027 年" in due.warning


def test_audit_verify_names_a_ledger_edit_behind_the_apps_back(env):
    p = new(env)
    with env.database.session() as s:
        s.execute(pr.Problem.__table__.update().values(state="已销号"))
    with env.database.session(write=False) as s:
        report = audit.verify(s)
    assert not report.ok
    assert any("问题" in x.message and "state" in x.message for x in report.problems)
    assert p.number
