"""PDF builders, read back with pypdf."""
from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from app.documents import (
    FIGURES, CaseNotice, build_case_gongshi_pdf, build_gongshi_pdf, build_monthly_pdf,
    build_selfcheck_pdf, figures_text, public_rows,
)
from app.documents.samples import (
    SELFCHECK_PARAGRAPHS, sample_changes, sample_figures, sample_households, sample_office,
    sample_problems,
)

TODAY = date(2026, 11, 23)
OFFICE = sample_office()


def pages_text(path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(str(path)).pages]


def name_pattern(name: str) -> str:
    # reportlab writes a wrong ToUnicode entry for non-BMP characters (𠇔):
    # they print right but extract as nothing or garbage.
    return "".join(re.escape(c) if ord(c) <= 0xFFFF else ".{0,2}" for c in name)


def assert_names_present(text: str, names) -> None:
    missing = [n for n in names if not re.search(name_pattern(n), text)]
    assert not missing, f"names not found: {missing[:10]}"


@pytest.fixture
def township(tmp_path):
    hh = sample_households(300, seed=5)
    hh[0] = dataclasses.replace(hh[0], head_name="王𠇔明")
    hh[1] = dataclasses.replace(hh[1], head_name="李䶮", poverty_cause="因病（尿毒症）")
    hh[2] = dataclasses.replace(hh[2], category="特困人员(分散供养)", head_name="钱小玥",
                                head_birth_date=date(2012, 6, 1))
    path = tmp_path / "gongshi.pdf"
    res = build_gongshi_pdf(path, office=OFFICE, households=hh, period_label="2026年第四季度",
                            scope="township", start=date(2026, 10, 1), days=7, today=TODAY)
    return hh, path, res


def test_gongshi_masks_private_data(township):
    hh, path, res = township
    text = "\n".join(pages_text(path))
    for h in hh:
        assert h.head_id_number not in text
        assert h.head_id_number[:14] not in text  # no partial ID either
        assert h.phone not in text and h.bank_account not in text
    for word in ("尿毒症", "肺癌", "糖尿病", "肢体二级", "视力一级"):
        assert word not in text
    assert not re.search(r"\d{15,}", text)
    assert "钱小玥" not in text
    assert res.withheld >= 1
    assert any("未成年" in w for w in res.warnings)


def test_gongshi_totals_pages_headers_and_names(township):
    hh, path, res = township
    rows = public_rows(hh, today=TODAY)
    pages = pages_text(path)
    text = "\n".join(pages)
    n_p = sum(r.household_size for r in rows)
    amount = sum((r.monthly_amount for r in rows), Decimal(0))
    assert res.rows == len(rows) and res.pages == len(pages) > 1
    assert f"共 {len(rows)} 户 {n_p} 人，月保障金额合计 {amount:.2f} 元" in text.replace("\n", "")
    assert f"{len(rows)} 户" in pages[-1] and f"{amount:.2f}" in pages[-1]
    for i, page in enumerate(pages, 1):
        assert "户主姓名" in page and "月保障金额(元)" in page  # header repeated
        assert f"第 {i} 页 共 {len(pages)} 页" in page
    assert "2026年10月1日至2026年10月7日" in text.replace("\n", "")
    assert OFFICE.phone in text and OFFICE.district_phone in text
    assert_names_present(text, [r.head_name for r in rows])
    assert "李䶮" in text


def test_gongshi_village_a3_and_missing_glyph_warning(tmp_path):
    hh = sample_households(12, seed=6)
    hh[3] = dataclasses.replace(hh[3], head_name="张😀")
    hh[4] = dataclasses.replace(hh[4], head_name="赵\ue000甲")
    res = build_gongshi_pdf(tmp_path / "v.pdf", office=OFFICE, households=hh,
                            period_label="2026年11月", scope="village", village="东山村",
                            start=date(2026, 11, 1), days=7, paper="A3L", today=TODAY)
    last = pages_text(tmp_path / "v.pdf")[-1]
    assert "公示期内" in last and "2026年11月23日" in last  # closing kept with signature
    named = {w.person: w.chars for w in res.glyph_warnings}
    assert named == {"张😀": "😀", "赵\ue000甲": "\ue000"}
    assert any("张😀" in w and "U+1F600" in w for w in res.warnings)
    page = PdfReader(str(tmp_path / "v.pdf")).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    assert "东山村2026年11月最低生活保障等救助对象公示" in pages_text(tmp_path / "v.pdf")[0]
    with pytest.raises(ValueError):
        build_gongshi_pdf(tmp_path / "x.pdf", office=OFFICE, households=hh, period_label="x",
                          scope="village", start=TODAY, days=7, today=TODAY)


def test_case_gongshi(tmp_path):
    hh = sample_households(4, seed=7)
    minor = dataclasses.replace(hh[3], category="特困人员", head_name="孙小喆",
                                head_birth_date=date(2015, 1, 1))
    cases = [CaseNotice("拟新增", hh[0]), CaseNotice("拟终止", hh[1], "收入超标"),
             CaseNotice("拟新增", minor)]
    res = build_case_gongshi_pdf(tmp_path / "c.pdf", office=OFFICE, cases=cases,
                                 start=date(2026, 11, 24), today=TODAY, village="东山村")
    text = "".join(pages_text(tmp_path / "c.pdf")).replace("\n", "")
    assert res.rows == 2 and res.withheld == 1
    assert "2026年11月24日至2026年11月30日" in text and "共 7 天" in text
    assert "拟终止" in text and "收入超标" in text and "孙小喆" not in text
    assert hh[0].head_id_number not in text


def test_monthly_zero_report_and_totals(tmp_path):
    changes = sample_changes(2026, 11, added=30, exited=4, adjusted=3, deaths=0)
    res = build_monthly_pdf(tmp_path / "m.pdf", office=OFFICE, year=2026, month=11,
                            changes=changes, today=TODAY, due_date=date(2026, 11, 25))
    text = "".join(pages_text(tmp_path / "m.pdf")).replace("\n", "")
    assert "本月无死亡人员，特此零报告。" in text
    assert "本月无新增对象" not in text
    added = [c for c in changes if c.kind == "新增"]
    amount = sum((c.amount_after for c in added), Decimal(0))
    persons = sum(c.household_size for c in added)
    assert f"本月新增 {len(added)} 户 {persons} 人，月保障金额增加 {amount:.2f} 元" in text
    assert res.pages >= 2 and not res.warnings
    assert_names_present(text, [c.name for c in changes])


def test_monthly_all_sections_empty_and_late(tmp_path):
    res = build_monthly_pdf(tmp_path / "m0.pdf", office=OFFICE, year=2026, month=10,
                            changes=[], today=TODAY, due_date=date(2026, 10, 25))
    text = "".join(pages_text(tmp_path / "m0.pdf")).replace("\n", "")
    for line in ("本月无新增对象，特此零报告。", "本月无退出对象，特此零报告。",
                 "本月无保障金额调整对象，特此零报告。", "本月无死亡人员，特此零报告。"):
        assert line in text
    assert any("逾期" in w for w in res.warnings)


def test_selfcheck_layout_and_attachment(tmp_path):
    problems = sample_problems(25)
    path = tmp_path / "sc.pdf"
    res = build_selfcheck_pdf(
        path, office=OFFICE, doc_number=12, year=2026, addressee="某某县民政局",
        title="香山镇人民政府关于最低生活保障专项治理自查自纠工作情况的报告",
        figures=sample_figures(), paragraphs=SELFCHECK_PARAGRAPHS, problems=problems,
        signature="香山镇人民政府", date=TODAY)
    pages = pages_text(path)
    text = "".join(pages).replace("\n", "")
    assert res.pages == len(pages) >= 3
    assert "香民发〔2026〕12号" in text and "香山镇人民政府文件" in text
    assert "某某县民政局：" in text and "2026年11月23日" in text
    assert "附件：问题清单" in text
    assert "共排查1234户3210人" in text and "其中错保3个、漏保2个" in text.replace(" ", "")
    for i, page in enumerate(pages, 1):
        assert f"— {i} —" in page
    attachment = [p for p in pages if "问题描述" in p]
    assert len(attachment) >= 2  # header repeated on continued pages
    assert_names_present("".join(attachment), [p.responsible for p in problems])
    # Page geometry: A4, 37 mm top margin for the type area.
    page = PdfReader(str(path)).pages[0]
    assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842


def test_selfcheck_figures_first_without_placeholder_and_signer(tmp_path):
    fig = dataclasses.replace(sample_figures(), problems_by_category={})
    res = build_selfcheck_pdf(
        tmp_path / "s2.pdf", office=OFFICE, doc_number=3, year=2026, addressee="某某县民政局",
        title="关于自查自纠情况的报告", figures=fig, paragraphs=["我镇认真开展了自查。"],
        problems=[], signature="香山镇人民政府", date=TODAY, signer="张堃")
    text = "".join(pages_text(tmp_path / "s2.pdf")).replace("\n", "")
    assert "签发人：张堃" in text and "附件" not in text
    assert text.index("排查未发现问题") < text.index("我镇认真开展了自查")
    assert FIGURES == "{figures}" and "我镇" in figures_text(fig, "香山镇人民政府")
    last = pages_text(tmp_path / "s2.pdf")[-1]
    assert "我镇认真开展了自查" in last and "2026年11月23日" in last
    assert res.pages <= 2
