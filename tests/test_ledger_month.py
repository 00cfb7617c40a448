"""专项整治工作台账 (monthly): problems opened, rectified, 销号 and overdue in the month,
transfers, petitions and the 典型问题 the clerk marks — PDF and Excel, read back."""
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app import audit, clock, ledger_report, reports
from app.cli import main
from app.errors import ValidationError
from app.ledgers import petitions as pt
from app.ledgers import problems as pr
from app.ledgers import reporting
from test_ledger_support import household, ident

TODAY = date(2026, 11, 23)
PASSWORD = "test-pass-123"


def _text(path):
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(str(path)).pages))


@pytest.fixture
def ledgers(env):
    number = household(env, "张三", ident(11))
    with env.database.session() as s:
        kw = dict(today=TODAY, responsible="王主任")
        old = pr.create_problem(s, env.clerk, source="自查", category="错保", description="十月发现十一月整改",
                                found_date=date(2026, 10, 20), deadline=date(2026, 11, 30), **kw)
        pr.move_problem(s, env.clerk, old.number, to="整改中", day=date(2026, 10, 21), today=TODAY)
        pr.move_problem(s, env.clerk, old.number, to="已整改(待核验)", day=date(2026, 11, 3), measures="停保",
                        today=TODAY)
        pr.close_problem(s, env.reviewer, old.number, verification_note="入户核实", day=date(2026, 11, 5),
                         today=TODAY)
        late = pr.create_problem(s, env.clerk, source="督导检查", category="人情保", description="村干部亲属违规享受",
                                 found_date=date(2026, 11, 2), deadline=date(2026, 11, 10), is_clue=True,
                                 households=[number], **kw)
        pr.transfer_problem(s, env.reviewer, late.number, day=date(2026, 11, 6), organ="县纪委监委", today=TODAY)
        pr.create_problem(s, env.clerk, source="自查", category="漏保", description="九月已销号的不列",
                          found_date=date(2026, 9, 1), **kw)
        pt.create_petition(s, env.clerk, channel="电话", content="反映违规享受低保",
                           received_date=date(2026, 11, 4), anonymous=True, today=TODAY)
        reporting.set_typical(s, env.clerk, late.number, summary="优亲厚友", today=TODAY)
    return {"old": old.number, "late": late.number}


def test_month_figures_by_the_day_things_happened(env, ledgers):
    with clock.frozen(TODAY), env.database.session(write=False) as s:
        m = reporting.ledger_month(s, date(2026, 11, 1), date(2026, 11, 30), today=TODAY)
    assert (m.opened, m.rectified, m.closed, m.overdue) == (1, 1, 1, 1)
    assert (m.figures.transferred, m.figures.petitions_received) == (1, 1)
    assert [x.number for x in m.lines] == [ledgers["old"], ledgers["late"]]
    assert [x.events for x in m.lines] == ["整改完成、销号", "新发现、移交纪检监察、逾期"]
    assert [x.number for x in m.typical] == [ledgers["late"]]


def test_pdf_and_excel_show_the_month(env, ledgers, tmp_path):
    period = reports.parse_period("2026-11", today=TODAY)
    with clock.frozen(TODAY), env.database.session() as s:
        ledger_report.make_ledger(s, env.clerk, tmp_path / "t.pdf", period=period, today=TODAY)
        ledger_report.make_ledger(s, env.clerk, tmp_path / "t.xlsx", period=period, today=TODAY)
        assert audit.verify(s).ok
    text = _text(tmp_path / "t.pdf")
    assert "民政领域专项整治工作台账（2026年11月）" in text
    assert "新发现问题（个）1" in text and "核验销号（个）1" in text and "逾期未整改（个）1" in text
    assert "移交纪检监察机关问题线索（件）1" in text and "受理信访举报（件）1" in text
    assert "三、典型问题" in text and "村干部亲属违规享受" in text and "九月已销号的不列" not in text
    cells = [str(c) for row in load_workbook(tmp_path / "t.xlsx").active.iter_rows(values_only=True)
             for c in row if c is not None]
    assert "新发现问题（个）" in cells and ledgers["late"] in cells and "新发现、移交纪检监察、逾期" in cells


def test_empty_month_says_so_and_future_is_refused(env, tmp_path):
    with clock.frozen(TODAY), env.database.session() as s:
        ledger_report.make_ledger(s, env.clerk, tmp_path / "e.pdf",
                                  period=reports.parse_period("2026-10", today=TODAY), today=TODAY)
        with pytest.raises(ValidationError, match="还没有开始"):
            ledger_report.make_ledger(s, env.clerk, tmp_path / "f.pdf",
                                      period=reports.parse_period("2026-12", today=TODAY), today=TODAY)
    text = _text(tmp_path / "e.pdf")
    assert "本月无新发现、整改、销号或逾期的问题" in text and "本月无标注的典型问题" in text


def test_cli_marks_typical_and_prints_the_ledger(env, ledgers, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QINGFENG_PASSWORD", PASSWORD)
    base = ["--db", str(env.path), "--user", "clerk"]
    with clock.frozen(TODAY):
        assert main([*base, "ledger", "problem", "typical", ledgers["late"], "--off"]) == 0
        assert main([*base, "ledger", "problem", "typical", ledgers["old"]]) == 0
        assert main([*base, "report", "ledger", "--period", "2026-11", "--out", str(tmp_path / "l.pdf")]) == 0
        assert main([*base, "report", "ledger", "--period", "2026-11", "--out", str(tmp_path / "l.txt")]) == 10
    capsys.readouterr()
    text = _text(tmp_path / "l.pdf")
    typical = text.split("三、典型问题")[1]
    assert "十月发现十一月整改" in typical and "村干部亲属违规享受" not in typical
