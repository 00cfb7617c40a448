"""近亲属: a closed 近亲属未备案 problem reopens while still unfiled; the county visit is a task."""
from datetime import date

from sqlalchemy import select

from app import casetasks, clock, queries
from app import households as hs
from app.ledgers import problems as pr
from app.ledgers import relatives as rl
from db.ledger_models import Problem
from test_ledger_relatives import BROTHER, OFFICIAL, SPOUSE, setup_registry
from test_ledger_support import TODAY, household


def test_closed_unfiled_problem_reopens_while_the_relative_is_still_unfiled(env):
    setup_registry(env)
    with clock.frozen(TODAY):  # saving the household runs the check "today"
        household(env, "王村长", OFFICIAL, others=[("李氏", SPOUSE, "配偶")])
    with env.database.session() as s:
        [first] = s.execute(select(Problem).where(Problem.category == "近亲属未备案")).scalars().all()
        pr.move_problem(s, env.clerk, first.number, to="整改中", day=TODAY, today=TODAY)
        pr.move_problem(s, env.clerk, first.number, to="已整改(待核验)", day=TODAY, measures="已告知",
                        today=TODAY)
        pr.close_problem(s, env.reviewer, first.number, verification_note="已核", day=TODAY, today=TODAY)
        findings = rl.check_all(s, actor=env.clerk, today=TODAY)
        [unfiled] = [f for f in findings if f.kind == rl.UNFILED]
        assert unfiled.new_problem and unfiled.problem_number != first.number
        again = s.get(Problem, unfiled.problem_id)
        assert again.state == "待整改" and f"{first.number} 已销号但仍未备案" in again.description
        rl.check_all(s, actor=env.clerk, today=TODAY)  # not a third
        assert len(s.execute(select(Problem).where(Problem.category == "近亲属未备案")).all()) == 2


def test_filed_case_gets_a_county_home_visit_task_done_by_its_step(env):
    setup_registry(env)
    with clock.frozen(date(2026, 11, 2)):  # saving the household runs the check "today"
        number = household(env, "王大哥", BROTHER)
    with env.database.session() as s:
        rl.check_all(s, actor=env.clerk, today=date(2026, 11, 2))
        hid = queries.find_household_id(s, number)
        [task] = casetasks.list_tasks(s, household_id=hid)
        assert task.kind == "县级入户核查" and task.due == date(2026, 11, 30)  # 20 working days
        rl.check_all(s, actor=env.clerk, today=date(2026, 11, 3))
        assert len(casetasks.list_tasks(s, household_id=hid, state=None)) == 1
        hs.record_step(s, env.clerk, hid, kind="县级入户核查", day=TODAY, handler="县民政局",
                       signers="县民政局 张科长、李干事", today=TODAY)
        assert casetasks.list_tasks(s, household_id=hid) == []
        rl.check_all(s, actor=env.clerk, today=TODAY)
        assert casetasks.list_tasks(s, household_id=hid) == []  # not reopened
