"""Dashboard queries and the Excel export of the ledgers."""
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.errors import ValidationError
from app.ledgers import export as ex
from app.ledgers import overview
from app.ledgers import petitions as pt
from app.ledgers import problems as pr
from app.ledgers import relatives as rl
from db.models import AuditEntry
from test_ledger_support import TODAY, household, ident

D = date


def fill(env):
    number = household(env, "张三", ident(11))
    with env.database.session() as s:
        a = pr.create_problem(s, env.clerk, source="自查", category="错保", description="=1+1 公示不全",
                              found_date=D(2026, 11, 2), responsible="王主任", deadline=D(2026, 11, 20),
                              households=[number], today=TODAY)
        b = pr.create_problem(s, env.clerk, source="督导检查", category="公示不规范", description="公示栏缺页",
                              found_date=D(2026, 11, 16), responsible="李", deadline=D(2026, 11, 27),
                              is_clue=True, today=TODAY)
        pr.create_problem(s, env.clerk, source="自查", category="其他", description="远期",
                          found_date=D(2026, 11, 16), responsible="李", deadline=D(2027, 3, 1), today=TODAY)
        p = pt.create_petition(s, env.clerk, channel="来信", content="+反映", received_date=D(2026, 11, 10),
                               petitioner="@赵", today=TODAY)
        q = pt.create_petition(s, env.clerk, channel="网上", content="老问题", received_date=D(2026, 7, 1),
                               petitioner="钱", today=TODAY)
        pt.sort_petition(s, env.clerk, q.number, day=D(2026, 7, 2), handler="王五", today=TODAY)
        rl.add_official(s, env.clerk, name="王村长", id_number=ident(101, D(1975, 3, 3)),
                        post_type="村(居)委会成员", today=TODAY)
    return a, b, p, q


def test_dashboard_queries(env):
    a, b, p, q = fill(env)
    with env.database.session(write=False) as s:
        due = overview.rectifications_by_deadline(s, today=TODAY, within_days=7)
        assert [(r.number, r.overdue, r.days_left) for r in due] == [(a.number, True, -3), (b.number, False, 4)]
        assert len(overview.rectifications_by_deadline(s, today=TODAY)) == 3
        late = overview.late_transfers(s, today=TODAY)
        assert late == []  # due 2026-11-23 (5 working days from Monday 11-16): not late today
        assert overview.late_transfers(s, today=D(2026, 11, 24))[0].days_late == 1
        near = overview.petitions_near_limits(s, today=TODAY, within_days=7)
        assert [(r.number, r.limit) for r in near] == [(q.number, "办结"), (p.number, "登记转送")]
        assert near[0].days_left < 0 and near[1].due == D(2026, 11, 25)
        counts = overview.counts_by_state(s, today=TODAY)
    assert counts.problems == {"待整改": 3, "整改中": 0, "已整改(待核验)": 0, "已销号": 0}
    assert counts.problems_overdue == 1 and counts.transfers_pending == 1
    assert counts.petitions == {"办理中": 2, "已办结": 0} and counts.petitions_overdue == 1
    assert counts.officials == 1 and counts.relatives == 0


@pytest.mark.parametrize("kind,title,first_header", [("problems", "问题清单及整改台账", "问题编号"),
                                                     ("petitions", "信访举报台账", "编号"),
                                                     ("relatives", "近亲属备案台账", "备案人员")])
def test_export_each_ledger_neutralises_formulas_and_is_audited(env, tmp_path, kind, title, first_header):
    fill(env)
    path = tmp_path / f"{kind}.xlsx"
    with env.database.session() as s:
        n = ex.export_ledger(s, env.clerk, kind=kind, path=path, office_name="香水镇人民政府", today=TODAY)
    ws = load_workbook(path).active
    assert ws.cell(1, 1).value == title and ws.cell(3, 2).value == first_header
    values = [c.value for row in ws.iter_rows(min_row=4) for c in row if isinstance(c.value, str)]
    assert n == ws.max_row - 3
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
    if kind == "problems":
        assert "'=1+1 公示不全" in values
    if kind == "petitions":
        assert "'+反映" in values and "'@赵" in values
    if kind == "relatives":
        id_cell = ws.cell(4, 3)
        assert id_cell.value == ident(101, D(1975, 3, 3)) and id_cell.number_format == "@"
    with env.database.session(write=False) as s:
        entry = s.execute(select(AuditEntry.action, AuditEntry.entity, AuditEntry.entity_id)
                          .order_by(AuditEntry.seq.desc())).first()
    assert tuple(entry) == ("export", "document", f"ledger:{kind}")


def test_export_unknown_kind_refused(env, tmp_path):
    with env.database.session() as s:
        with pytest.raises(ValidationError, match="台账类型"):
            ex.export_ledger(s, env.clerk, kind="x", path=tmp_path / "x.xlsx")
