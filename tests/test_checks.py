"""Data sources and cross-checks: death list, lists of servants/vehicles, duplicates, amounts,
overdue reviews, 漏保; findings kept by stable key, confirmed into problems or dismissed."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from app import clock, findings, sources
from app.errors import ValidationError
from app.idcard import make_valid_id
from app.imports import apply as ap
from app.imports import roster as ro
from db.check_models import SourceRecord
from db.ledger_models import Problem
from tests.test_imports_roster import C1, H1, H2, S1, TODAY, roster_xlsx, sample_rows

OUTSIDER = make_valid_id("640424", date(1970, 2, 3), 7)


def list_xlsx(path, header, rows, title="县殡葬管理所火化人员名单"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def registered(env, tmp_path):
    path = roster_xlsx(tmp_path / "r.xlsx", sample_rows())
    with env.database.session() as s, clock.frozen(TODAY):
        ap.apply_roster(s, env.reviewer, ro.plan_roster(s, path))
    return env


def import_list(env, path, kind, *, origin="县殡葬管理所", day=date(2026, 11, 1)):
    with env.database.session() as s, clock.frozen(TODAY):
        plan = sources.plan_source(s, path, kind=kind)
        return plan, sources.apply_source(s, env.clerk, plan, origin=origin, list_date=day)


def run(env, rule=None):
    with env.database.session() as s, clock.frozen(TODAY):
        return {r.rule: r for r in findings.run_checks(s, env.clerk, rule=rule)}


def test_death_list_finds_recipient_still_in_force_once(registered, tmp_path):
    env = registered
    path = list_xlsx(tmp_path / "deaths.xlsx", ["序号", "死者姓名", "身份证号码", "火化日期"],
                     [[1, "李梅", S1, date(2026, 9, 30)], [2, "某某", OUTSIDER, date(2026, 10, 2)]])
    plan, info = import_list(env, path, "deaths")
    assert plan.refused == [] and info.rows_accepted == 2
    with env.database.session(write=False) as s:
        listed = sources.list_sources(s)
        assert [(x.kind, x.origin, x.list_date, x.rows_total) for x in listed] == \
            [("deaths", "县殡葬管理所", date(2026, 11, 1), 2)]
    first = run(env, "deaths")["deaths"]
    assert (first.found, first.new) == (1, 1)
    again = run(env, "deaths")["deaths"]
    assert (again.found, again.new) == (1, 0)
    with env.database.session(write=False) as s:
        rows = findings.list_findings(s, rule="deaths")
        assert len(rows) == 1 and "2026-09-30" in rows[0].evidence and "县殡葬管理所" in rows[0].evidence
        assert rows[0].category == "死亡未及时停保"
    # the same file again: recognised, nothing stored twice
    plan2, info2 = import_list(env, path, "deaths")
    assert plan2.duplicate_of and info2 is None
    with env.database.session(write=False) as s:
        assert s.execute(select(func.count()).select_from(SourceRecord)).scalar_one() == 2


def test_confirm_into_problem_and_dismiss_with_reason(registered, tmp_path):
    env = registered
    import_list(env, list_xlsx(tmp_path / "d.xlsx", ["姓名", "身份证号", "死亡日期"], [["李梅", S1, "2026-09-30"]]), "deaths")
    import_list(env, list_xlsx(tmp_path / "v.xlsx", ["姓名", "身份证号", "号牌号码"], [["王五", H2, "宁D12345"]]),
                "vehicles", origin="县公安局交警大队")
    run(env)
    with env.database.session(write=False) as s:
        death = findings.list_findings(s, rule="deaths")[0]
        car = findings.list_findings(s, rule="vehicles")[0]
    assert "宁D12345" in car.evidence
    with env.database.session() as s, clock.frozen(TODAY):
        done = findings.confirm_finding(s, env.clerk, death.id)
        with pytest.raises(ValidationError):
            findings.dismiss_finding(s, env.clerk, car.id, reason="  ")
        gone = findings.dismiss_finding(s, env.clerk, car.id, reason="车辆已于 2025 年过户，有过户证明")
    assert done.state == "已确认" and done.problem_number
    assert gone.state == "已排除" and "过户" in gone.reason
    with env.database.session(write=False) as s:
        p = s.execute(select(Problem).where(Problem.number == done.problem_number)).scalar_one()
        assert (p.source, p.category) == ("大数据比对", "死亡未及时停保")
    run(env)  # re-running keeps decisions and adds nothing
    with env.database.session(write=False) as s:
        states = sorted(f.state for f in findings.list_findings(s))
        assert states == ["已排除", "已确认"]
        assert s.execute(select(func.count()).select_from(Problem)).scalar_one() == 1
        from app import audit
        assert audit.verify(s).ok


def test_missed_candidates_and_duplicates(registered, tmp_path):
    env = registered
    import_list(env, list_xlsx(tmp_path / "dis.xlsx", ["姓名", "身份证号", "残疾等级"],
                               [["某某", OUTSIDER, "肢体一级"], ["李梅", S1, "视力二级"],
                                ["赵六", make_valid_id("640424", date(1980, 1, 1), 9), "肢体四级"]]),
                "disability", origin="县残联")
    r = run(env, "missed")["missed"]
    assert r.found == 1  # in a covered household, or grade four: not a candidate
    with env.database.session(write=False) as s:
        f = findings.list_findings(s, rule="missed")[0]
        assert f.household_id is None and "入户走访" in f.evidence
    with env.database.session() as s, clock.frozen(TODAY):
        info = findings.confirm_finding(s, env.clerk, f.id)
        assert info.problem_number


def test_amount_above_standard_over_register(registered):
    env = registered
    with env.database.session() as s, clock.frozen(TODAY):
        from db.models import Household
        hh = s.execute(select(Household).where(Household.head_name == "王五")).scalar_one()
        hh.monthly_amount = Decimal("5000")  # a one-person 农村低保 household
    r = run(env, "amounts")["amounts"]
    assert r.found == 1
    with env.database.session(write=False) as s:
        ev = findings.list_findings(s, rule="amounts")[0].evidence
    assert "5000.00" in ev and "王五" in ev


def test_bad_source_rows_refused_with_position(env, tmp_path):
    path = list_xlsx(tmp_path / "d.xlsx", ["姓名", "身份证号", "死亡日期"],
                     [["甲", 6.40424196001010e17, "2026-01-01"], ["乙", "6404241960", "2026-01-01"],
                      ["丙", H1, "明天"]])
    with env.database.session(write=False) as s, clock.frozen(TODAY):
        plan = sources.plan_source(s, path, kind="deaths")
    texts = [i.text() for i in plan.refused]
    assert len(texts) == 3 and plan.rows == []
    assert "第 3 行" in texts[0] and "B列" in texts[0] and "Excel" in texts[0] and plan.refused[0].damaged
    assert "第 5 行" in texts[2] and "C列" in texts[2]
    with env.database.session() as s, clock.frozen(TODAY), pytest.raises(ValidationError):
        sources.apply_source(s, env.clerk, plan, origin="公安局", list_date=date(2026, 11, 1))
    with env.database.session(write=False) as s:
        assert sources.list_sources(s) == []


def test_duplicates_reviews_and_unfiled_relatives(registered):
    env = registered
    from app.ledgers import relatives as rl
    from db.models import Household, Member

    with env.database.session() as s, clock.frozen(TODAY):
        zhang = s.execute(select(Household).where(Household.head_name == "张三")).scalar_one()
        wang = s.execute(select(Household).where(Household.head_name == "王五")).scalar_one()
        # the same person in two households (written behind the services' back, as old data is)
        s.add(Member(owner_office=wang.owner_office, household_id=wang.id, name="张小龙", id_number=C1,
                     relation="其他", gender="男", birth_date=date(1990, 5, 6)))
        zhang.address = wang.address = "3组12号"
        wang.village_id = zhang.village_id
        zhang.next_review_date = date(2026, 6, 1)
        rl.add_official(s, env.clerk, name="张三", id_number=H1, post_type="村(居)委会成员", today=TODAY)
    r = run(env)
    assert r["duplicates"].found == 2  # one person in two households, two households at one address
    assert r["reviews"].found >= 1 and r["relatives"].found >= 1
    with env.database.session(write=False) as s:
        dup = [f.evidence for f in findings.list_findings(s, rule="duplicates")]
        assert any("同时是 2 户的成员" in e for e in dup) and any("3组12号" in e for e in dup)
        rev = [f.evidence for f in findings.list_findings(s, rule="reviews")]
        assert any("2026-06-01" in e and "逾期" in e for e in rev)
        rel = findings.list_findings(s, rule="relatives")
        assert any("李梅" in f.evidence for f in rel)
    with env.database.session() as s, clock.frozen(TODAY):
        f = next(x for x in findings.list_findings(s, rule="relatives") if "李梅" in x.evidence)
        info = findings.confirm_finding(s, env.clerk, f.id)
        # the near-relative key is the one app.ledgers.relatives uses: no second problem later
        rl.check_all(s, actor=env.clerk, today=TODAY)
        assert s.execute(select(func.count()).select_from(Problem).where(
            Problem.category == "近亲属未备案", Problem.description.contains("李梅"))).scalar_one() == 1
        assert info.problem_number


def test_monthly_reminder_until_checks_ran_this_month(registered):
    env = registered
    with env.database.session(write=False) as s:
        assert "本月尚未运行数据比对" in findings.monthly_reminder(s, TODAY)
    run(env, "amounts")
    with env.database.session(write=False) as s:
        assert findings.monthly_reminder(s, TODAY) is None
        later = date(2027, 1, 5)
        assert "本月尚未运行" in findings.monthly_reminder(s, later)


def test_stored_findings_vanish_come_back_and_follow_their_evidence(registered, tmp_path):
    """Re-running on later days: a finding no longer produced becomes 已消失, comes back as
    待处理 when produced again; changed evidence is refreshed; last_seen follows the runs."""
    from db.check_models import CheckFinding
    from db.models import Household

    env = registered
    path = list_xlsx(tmp_path / "deaths.xlsx", ["序号", "死者姓名", "身份证号码", "火化日期"],
                     [[1, "李梅", S1, date(2026, 9, 30)]])
    import_list(env, path, "deaths")

    def state():
        with env.database.session(write=False) as s:
            f = s.execute(select(CheckFinding).where(CheckFinding.rule == "deaths")).scalar_one()
            return f.state, f.last_seen, f.version, f.evidence

    def run_on(day):
        with env.database.session() as s, clock.frozen(day):
            return findings.run_checks(s, env.clerk, rule="deaths")[0]

    assert run_on(TODAY).new == 1
    st, seen, version, evidence = state()
    assert (st, seen, version) == ("待处理", TODAY, 1) and "620" in evidence
    assert run_on(date(2026, 11, 21)).new == 0
    assert state()[:3] == ("待处理", date(2026, 11, 21), 1)
    with env.database.session() as s:  # the household is paid another amount: the evidence follows
        s.execute(Household.__table__.update().where(Household.head_name == "张三").values(monthly_amount=700))
    run_on(date(2026, 11, 22))
    st, seen, version, evidence = state()
    assert (st, seen, version) == ("待处理", date(2026, 11, 22), 2) and "700" in evidence
    with env.database.session() as s:  # stopped: the finding is gone
        s.execute(Household.__table__.update().where(Household.head_name == "张三").values(status="已退出"))
    assert run_on(date(2026, 11, 23)).gone == 1
    assert state()[:3] == ("已消失", date(2026, 11, 22), 3)
    with env.database.session() as s:
        s.execute(Household.__table__.update().where(Household.head_name == "张三").values(status="在保"))
    assert run_on(date(2026, 11, 24)).new == 0
    assert state()[:3] == ("待处理", date(2026, 11, 24), 4)
