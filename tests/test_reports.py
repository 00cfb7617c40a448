"""Reports from the database: the right households, masking, totals, 零报告, audit entries."""
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import text

from app import households as hs
from app import offices, reports
from app.assessment import approvals
from app.errors import PermissionDenied, ValidationError
from app.idcard import make_valid_id
from procedure_support import complete_steps

TODAY = date(2026, 11, 23)


def _approved(s, env, proposal):
    """Grants, exits and amount changes take effect when the reviewer approves the clerk's proposal."""
    approvals.approve(s, env.reviewer, proposal.id)


@pytest.fixture
def data(env):
    ids = {}
    with env.database.session() as s:
        offices.update_office(s, env.admin, phone="0954-5011234", district_phone="0954-5012345",
                              doc_prefix="香民发", district_name="泾源县民政局")
        for i, (name, village, cat, amount, birth) in enumerate([
                ("张三", "香水村", "农村低保", "620", date(1960, 1, 1)),
                ("李䶮", "香水村", "农村低保", "480.50", date(1970, 1, 1)),
                ("王小", "香水村", "特困人员(分散供养)", "780", date(2015, 6, 1)),  # minor 特困
                ("赵六", "泾河村", "城市低保", "900", date(1955, 3, 3))]):
            saved = hs.create_household(
                s, env.clerk, village=village, category=cat, monthly_amount=amount,
                poverty_cause="因病", apply_date=date(2026, 9, 1), today=TODAY,
                members=[hs.MemberInput(name=name, id_number=make_valid_id("640424", birth, 11 + i),
                                        health="尿毒症透析")])
            complete_steps(s, env.clerk, saved.id, date(2026, 10, 10))
            _approved(s, env, approvals.propose_grant(s, env.clerk, saved.id, reason="符合条件",
                                                      over_reason="测试数据：金额高于标准",
                                                      day=date(2026, 10, 10)))
            hs.edit_household(s, env.admin, saved.id, expected_version=None,
                              changes={"phone": "13912345678", "bank_account": "6228480012345678"})
            ids[name] = saved.id
    return ids


def _text(path):
    return "\n".join(p.extract_text() for p in PdfReader(str(path)).pages)


def _last_audit(env):
    with env.database.session(write=False) as s:
        return s.execute(text("SELECT username, action, entity, after FROM audit_log "
                              "ORDER BY seq DESC LIMIT 1")).one()


def test_gongshi_for_a_village_masks_and_totals(env, data, tmp_path):
    out = tmp_path / "gs.pdf"
    period = reports.parse_period("2026-11", today=TODAY)
    with env.database.session() as s:
        result = reports.make_gongshi(s, env.clerk, out, period=period, village="香水村",
                                      start=TODAY, today=TODAY)
    body = _text(out)
    assert "张三" in body and "赵六" not in body and "王小" not in body  # other village; 特困 minor
    assert result.withheld == 1
    for secret in ("640424", "13912345678", "6228480012345678", "尿毒症"):
        assert secret not in body
    assert "1100.50" in body.replace(",", "")  # 620 + 480.50
    assert "0954-5011234" in body and "2026年11月29日" in body  # 7 days from the 23rd
    row = _last_audit(env)
    assert row.username == "clerk" and row.action == "print" and "公示" in row.after


def test_monthly_report_lists_new_households_and_zero_report(env, data, tmp_path):
    out = tmp_path / "m.pdf"
    with env.database.session() as s:
        reports.make_monthly(s, env.clerk, out, period=reports.parse_period("2026-10", today=TODAY),
                             today=TODAY)
    body = _text(out)
    assert "张三" in body and "赵六" in body
    assert "零报告" in body  # no deaths in October
    with env.database.session() as s:
        _approved(s, env, approvals.propose_exit(s, env.clerk, data["赵六"], reason="死亡",
                                                 day=date(2026, 11, 5)))
        _approved(s, env, approvals.propose_change(s, env.clerk, data["张三"], reason="收入减少",
                                                   day=date(2026, 11, 1), monthly_amount="700",
                                                   over_reason="测试数据：金额高于标准"))
        changes, stock = reports.monthly_changes(s, reports.parse_period("2026-11", today=TODAY))
    kinds = {(c.kind, c.name) for c in changes}
    assert ("死亡", "赵六") in kinds and ("调整", "张三") in kinds
    adj = next(c for c in changes if c.kind == "调整")
    assert (adj.amount_before, adj.amount_after) == (Decimal("620.00"), Decimal("700.00"))
    assert stock.households == 3


def test_screening_workbook_has_three_sheets_with_text_ids(env, data, tmp_path):
    out = tmp_path / "s.xlsx"
    with env.database.session() as s:
        _approved(s, env, approvals.propose_exit(s, env.clerk, data["赵六"], reason="收入超标",
                                                 day=date(2026, 11, 5)))
        reports.make_screening(s, env.clerk, out, period=reports.parse_period("2026", today=TODAY))
    wb = load_workbook(out)
    assert wb.sheetnames[:3] == ["在保", "退出", "申请未通过"]
    values = [c for row in wb["在保"].iter_rows(values_only=True) for c in row]
    assert make_valid_id("640424", date(1960, 1, 1), 11) in values
    assert any(v == "赵六" for row in wb["退出"].iter_rows(values_only=True) for v in row)
    assert _last_audit(env).action == "export"


def test_selfcheck_report_has_number_and_figures(env, data, tmp_path):
    out = tmp_path / "sc.pdf"
    with env.database.session() as s:
        reports.make_selfcheck(s, env.reviewer, out, period=reports.parse_period("2026", today=TODAY),
                               number=12, addressee="泾源县民政局", today=TODAY)
    body = _text(out)
    assert "香民发〔2026〕12号" in body and "泾源县民政局" in body
    assert "新纳入4户" in body.replace("\n", "")


def test_bad_period_and_permission(env, data, tmp_path):
    with pytest.raises(ValidationError, match="2026-13"):
        reports.parse_period("2026-13", today=TODAY)
    from app.permissions import Actor

    nobody = Actor("x", "x", "访客", "640424100")
    with env.database.session() as s, pytest.raises(PermissionDenied):
        reports.make_screening(s, nobody, tmp_path / "x.xlsx", period=reports.parse_period("2026", today=TODAY))
    assert not (tmp_path / "x.xlsx").exists()
