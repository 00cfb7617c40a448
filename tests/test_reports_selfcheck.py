"""自查自纠报告: the problem and petition figures come from the ledgers and are printed on the
PDF; the 问题清单 is attached. Every figure is read back from the PDF text."""
import re
from datetime import date

import pytest
from pypdf import PdfReader

from app import offices, reports
from app.ledgers import petitions as pt
from app.ledgers import problems as pr
from app.ledgers import reporting
from test_ledger_support import household, ident

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def office(env):
    with env.database.session() as s:
        offices.update_office(s, env.admin, phone="0954-5011234", district_phone="0954-5012345",
                              doc_prefix="香民发", district_name="泾源县民政局")


def _text(path):
    """The text of all pages without the page numbers, lines joined."""
    return re.sub(r"— \d+ —", "", "".join(p.extract_text() for p in PdfReader(str(path)).pages)
                  ).replace("\n", "").replace(" ", "")


def _ledgers(env):
    number = household(env, "张三", ident(11))
    with env.database.session() as s:
        kw = dict(today=TODAY, responsible="王主任")
        pr.create_problem(s, env.clerk, source="自查", category="错保", description="收入超标仍在保",
                          found_date=date(2026, 11, 2), deadline=date(2026, 11, 10), households=[number], **kw)
        fixed = pr.create_problem(s, env.clerk, source="信访举报", category="漏保", description="应保未保",
                                  found_date=date(2026, 11, 3), deadline=date(2026, 11, 30), **kw)
        pr.move_problem(s, env.clerk, fixed.number, to="整改中", day=date(2026, 11, 4), today=TODAY)
        pr.move_problem(s, env.clerk, fixed.number, to="已整改(待核验)", day=date(2026, 11, 6),
                        measures="已纳入", today=TODAY)
        clue = pr.create_problem(s, env.clerk, source="督导检查", category="人情保", description="村干部亲属违规享受",
                                 found_date=date(2026, 11, 5), is_clue=True, **kw)
        pr.transfer_problem(s, env.reviewer, clue.number, day=date(2026, 11, 20), organ="县纪委监委",
                            today=TODAY)
        pr.create_problem(s, env.clerk, source="自查", category="错保", description="九月发现的旧问题",
                          found_date=date(2026, 9, 3), deadline=date(2026, 9, 30), **kw)
        first = pt.create_petition(s, env.clerk, channel="电话", content="反映违规享受低保",
                                   received_date=date(2026, 11, 1), anonymous=True, households=[number],
                                   subject="违规享受低保", today=TODAY)
        second = pt.create_petition(s, env.clerk, channel="来信", content="再次反映", received_date=date(2026, 11, 20),
                                    anonymous=True, households=[number], subject="违规享受低保", today=TODAY)
        pt.create_petition(s, env.clerk, channel="网上", content="第三次反映", received_date=date(2026, 11, 22),
                           anonymous=True, households=[number], subject="违规享受低保", today=TODAY)
        pt.create_petition(s, env.clerk, channel="来访", content="十月的事", received_date=date(2026, 10, 8),
                           petitioner="李四", today=TODAY)
        pt.reply_petition(s, env.clerk, second.number, reply="经核实不属实", outcome="不属实",
                          day=date(2026, 11, 21), today=TODAY)
    return first


def test_ledger_figures_by_the_day_things_happened(env):
    _ledgers(env)
    with env.database.session(write=False) as s:
        f = reporting.ledger_figures(s, date(2026, 11, 1), date(2026, 11, 30), today=TODAY)
        october = reporting.ledger_figures(s, date(2026, 10, 1), date(2026, 10, 31), today=TODAY)
    assert f.problems_by_category == {"错保": 1, "漏保": 1, "人情保": 1}
    assert f.problems_by_source == {"自查": 1, "信访举报": 1, "督导检查": 1}
    assert (f.rectified, f.overdue, f.transferred, f.transfers_late) == (1, 1, 1, 1)
    assert (f.petitions_received, f.petitions_concluded, f.petitions_overdue, f.petitions_priority) == (3, 1, 1, 3)
    assert october.problems_found == 0 and october.petitions_received == 1
    assert october.overdue == 0  # the September problem was found before October


def test_selfcheck_pdf_prints_the_ledger_figures_and_the_problem_list(env, tmp_path):
    _ledgers(env)
    out = tmp_path / "sc.pdf"
    with env.database.session() as s:
        reports.make_selfcheck(s, env.reviewer, out, period=reports.parse_period("2026-11", today=TODAY),
                               number=3, addressee="", today=TODAY)
    body = _text(out)
    assert "排查发现各类问题3个" in body
    assert "自查1个、信访举报1个、督导检查1个" in body
    assert "错保1个、漏保1个、人情保1个" in body
    assert "已整改1个，逾期未整改1个" in body
    assert "移交问题线索1件，其中逾期移交1件" in body
    assert "受理信访举报3件，已办结1件，超期未办结1件，其中重点信访举报3件" in body
    assert "排查未发现问题" not in body
    assert "香民发〔2026〕3号" in body and "泾源县民政局：" in body  # addressee from the office details
    assert "问题清单" in body
    for text in ("收入超标仍在保", "应保未保", "村干部亲属违规享受", "九月发现的旧问题", "逾期未整改", "已移交"):
        assert text in body, text


def test_selfcheck_without_problems_says_so(env, tmp_path):
    out = tmp_path / "sc.pdf"
    with env.database.session() as s:
        reports.make_selfcheck(s, env.reviewer, out, period=reports.parse_period("2026-11", today=TODAY),
                               number=4, addressee="泾源县民政局", today=TODAY)
    body = _text(out)
    assert "排查未发现问题" in body and "受理信访举报0件" in body and "问题清单" not in body


def test_cli_selfcheck_with_signer_and_copy_to(env, tmp_path, monkeypatch, capsys):
    from app import clock
    from app.cli import main

    monkeypatch.setenv("QINGFENG_PASSWORD", "test-pass-123")
    out = tmp_path / "sc.pdf"
    with clock.frozen(TODAY):
        code = main(["--db", str(env.path), "--user", "reviewer", "report", "selfcheck", "--period", "2026-11",
                     "--number", "5", "--signer", "李建军", "--copy-to", "县纪委监委", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    body = _text(out)
    assert "签发人：李建军" in body and "泾源县民政局：" in body and "抄送：县纪委监委。" in body
