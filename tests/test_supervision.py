"""督导检查 and 公示栏 records (app.supervision)."""
from datetime import date

import pytest

from app import audit, rulesettings, supervision as sv
from app.errors import ValidationError
from app.ledgers import problems as pr
from test_ledger_support import TODAY, household, ident


def test_visit_records_households_and_findings_as_problems(env):
    number = household(env, "张三", ident(11))
    with env.database.session() as s:
        v = sv.record_visit(s, env.clerk, day=date(2026, 11, 10), inspectors="县民政局 王科长、李干事",
                            methods="入户抽查、查阅档案", unit="泾源县民政局", households=[number],
                            summary="抽查 1 户", today=TODAY,
                            findings=[sv.Finding("民主评议无乡镇人员参加", "张三户民主评议记录无乡镇人员签名",
                                                 "王主任", households=(number,))])
        assert v.number == "DD2026-0001" and v.households[0].endswith(f"（{number}）")
        [p] = [pr.get_problem(s, n, today=TODAY) for n in v.problems]
        assert (p.source, p.category, p.found_date) == ("督导检查", "民主评议无乡镇人员参加", date(2026, 11, 10))
        assert [h.number for h in p.households] == [number]
        assert audit.verify(s).ok
    for kw, message in ((dict(methods="喝茶"), "检查方式"), (dict(inspectors=" "), "检查人员"),
                        (dict(day=date(2026, 11, 24)), "不能晚于今天")):
        args = dict(day=date(2026, 11, 10), inspectors="王", methods="随机暗访", today=TODAY)
        args.update(kw)
        with env.database.session() as s, pytest.raises(ValidationError, match=message):
            sv.record_visit(s, env.clerk, **args)


def test_board_inspection_opens_one_problem_when_faulty_or_stale(env):
    with env.database.session() as s:
        with pytest.raises(ValidationError, match="尚未登记公示栏"):
            sv.inspect_board(s, env.clerk, village="香水村", day=date(2026, 11, 20), inspector="马晓梅",
                             today=TODAY)
        sv.set_board(s, env.clerk, village="香水村", responsible="马村主任", location="村委会门口")
        limit = rulesettings.get(s, "board_update_days")  # 31
        ok = sv.inspect_board(s, env.clerk, village="香水村", day=date(2026, 11, 20), inspector="马晓梅",
                              last_update=date(2026, 10, 20), today=TODAY)  # 31 days: on time
        assert ok.faults == [] and limit == 31
        stale = sv.inspect_board(s, env.clerk, village="香水村", day=date(2026, 11, 21), inspector="马晓梅",
                                 last_update=date(2026, 10, 20), today=TODAY)  # 32 days
        assert any("未按时更新" in f for f in stale.faults)
        again = sv.inspect_board(s, env.clerk, village="香水村", day=date(2026, 11, 22), inspector="马晓梅",
                                 damaged=True, last_update=date(2026, 11, 1), today=TODAY)
        assert again.faults == ["公示栏破损"]
        problems = pr.list_problems(s, category="公示不规范", today=TODAY)
        assert len(problems) == 1 and "香水村公示栏" in problems[0].description  # not a second while open
        assert problems[0].responsible == "马村主任"


def test_villages_without_a_board_get_a_problem_once(env):
    with env.database.session() as s:
        sv.set_board(s, env.clerk, village="香水村", responsible="马村主任")
        opened = sv.check_boards(s, env.clerk, today=TODAY)
        assert len(opened) == 2  # 泾河村 and 东峡村 have no board; 香水村 is not yet inspected
        assert sv.check_boards(s, env.clerk, today=TODAY) == opened
        rows = {b.village: b.faults for b in sv.board_status(s, today=TODAY)}
        assert rows["泾河村"] == ["未登记公示栏"] and rows["香水村"] == ["尚未检查"]
