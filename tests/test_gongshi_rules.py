"""公示 rules: only covered persons are published (a 特困 household whose covered persons are
all minors is withheld); case 公示 of a pending decision with its reason masked; no 公示 or
公文 while the office details it prints are unset; the 合计 and the signature never alone."""
import re
from datetime import date

import pytest
from pypdf import PdfReader

from app import households as hs
from app import offices, publicity_service, reports
from app.assessment import approvals
from app.cli import main
from app.errors import ValidationError
from app.idcard import make_valid_id
from procedure_support import complete_steps
from db.models import Household

TODAY = date(2026, 11, 23)
PASSWORD = "test-pass-123"


def _pages(path):
    return [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(str(path)).pages]


def _office(env):
    with env.database.session() as s:
        offices.update_office(s, env.admin, phone="0954-5011234", district_phone="0954-5012345",
                              doc_prefix="香民发", district_name="泾源县民政局")


def _household(s, env, members, category="农村低保", amount="500", granted=True, cause="因病"):
    saved = hs.create_household(
        s, env.clerk, village="香水村", category=category, monthly_amount=amount, poverty_cause=cause,
        apply_date=date(2026, 9, 1), today=TODAY, members=[
            hs.MemberInput(name=n, id_number=make_valid_id("640424", born, seq), relation=rel, covered=cov)
            for n, born, seq, rel, cov in members])
    if granted:
        complete_steps(s, env.clerk, saved.id, date(2026, 10, 10))
        approvals.approve(s, env.reviewer, approvals.propose_grant(
            s, env.clerk, saved.id, reason="符合条件", day=date(2026, 10, 10)).id)
    return saved.id


@pytest.fixture
def village(env):
    with env.database.session() as s:
        ids = {
            "grandchild": _household(s, env, [("王奶奶", date(1950, 1, 1), 11, "户主", False),
                                              ("王小孙", date(2015, 6, 1), 12, "孙子", True)],
                                     category="特困人员(分散供养)", amount="780"),
            "adult": _household(s, env, [("李大爷", date(1948, 2, 2), 13, "户主", True)],
                                category="特困人员(分散供养)", amount="800"),
            "mixed": _household(s, env, [("赵父", date(1970, 3, 3), 14, "户主", False),
                                         ("赵女", date(1999, 4, 4), 15, "女", True)]),
        }
        for i in range(30):
            _household(s, env, [(f"张{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{'一二三'[i // 10]}",
                                 date(1960, 1, 1), 100 + i, "户主", True)])
    return ids


def test_no_gongshi_or_document_while_office_details_are_unset(env, village, tmp_path):
    period = reports.parse_period("2026-11", today=TODAY)
    with env.database.session() as s:
        with pytest.raises(ValidationError) as caught:
            reports.make_gongshi(s, env.clerk, tmp_path / "g.pdf", period=period, village="香水村",
                                 start=TODAY, today=TODAY)
        message = str(caught.value)
        assert "本单位监督电话" in message and "系统设置 › 单位和村（居）" in message and "office set --phone" in message
        with pytest.raises(ValidationError, match="公文须印有此项"):
            reports.make_selfcheck(s, env.reviewer, tmp_path / "sc.pdf", period=period, number=1,
                                   addressee="", today=TODAY)
        offices.update_office(s, env.admin, phone="0954-5011234", district_phone="0954-5012345",
                              district_name="泾源县民政局")
        with pytest.raises(ValidationError, match="机关代字"):
            reports.make_selfcheck(s, env.reviewer, tmp_path / "sc.pdf", period=period, number=1,
                                   addressee="", today=TODAY)
        assert publicity_service.missing_office_details(s) == [("机关代字（发文字号前缀）", "--doc-prefix")]
    assert not (tmp_path / "g.pdf").exists() and not (tmp_path / "sc.pdf").exists()


def test_only_covered_persons_and_the_total_stays_with_the_table(env, village, tmp_path):
    _office(env)
    out = tmp_path / "g.pdf"
    with env.database.session() as s:
        result = reports.make_gongshi(s, env.clerk, out, period=reports.parse_period("2026-11", today=TODAY),
                                      village="香水村", start=TODAY, today=TODAY)
    pages = _pages(out)
    text = "".join(pages)
    assert result.withheld == 1 and result.rows == 32
    assert "王小孙" not in text and "王奶奶" not in text  # covered person a minor: withheld
    assert "李大爷" in text and "赵女" in text and "赵父" not in text  # only covered persons
    assert "保障人数" in text and "共32户32人" in text
    assert "监督举报电话：香水镇人民政府0954-5011234；泾源县民政局0954-5012345" in text
    last = pages[-1]
    assert "合计" in last and "公示期内" in last
    # at least one household row precedes the 合计 on its page
    assert re.search(r"\d+张[甲乙丙丁戊己庚辛壬癸][一二三]\d", last.split("合计")[0])


def test_case_gongshi_of_a_pending_exit_masks_the_reason(env, village, tmp_path, monkeypatch, capsys):
    _office(env)
    with env.database.session() as s:
        approvals.propose_exit(s, env.clerk, village["adult"], day=TODAY, reason="死亡（肺癌晚期）")
        number = s.get(Household, village["adult"]).number
    monkeypatch.setenv("QINGFENG_PASSWORD", PASSWORD)
    out = tmp_path / "case.pdf"
    code = main(["--db", str(env.path), "--user", "clerk", "report", "gongshi", "--case", number,
                 "--out", str(out), "--start", TODAY.isoformat()])
    assert code == 0, capsys.readouterr().err
    text = "".join(_pages(out))
    assert "拟终止" in text and "李大爷" in text and "死亡" in text
    assert "肺癌" not in text and "终止公示" in text
    code = main(["--db", str(env.path), "--user", "clerk", "report", "gongshi", "--case", "no-such",
                 "--out", str(out)])
    assert code != 0 and "找不到家庭" in capsys.readouterr().err


def test_case_gongshi_needs_a_pending_decision(env, village, tmp_path):
    _office(env)
    with env.database.session() as s, pytest.raises(ValidationError, match="没有待审核"):
        publicity_service.make_case_gongshi(s, env.clerk, tmp_path / "c.pdf", household=village["mixed"],
                                            start=TODAY, today=TODAY)
