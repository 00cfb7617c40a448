"""GB/T 9704-2012 measured on the PDF (pdftotext -bbox for the glyph boxes, pypdf for the rules):
A4; margins 37 mm (top) / 28 mm (left); type area 156 × 225 mm; 22 lines of 28 characters;
the red rule 4 mm under the 发文字号; nothing outside the type area but the page numbers;
the title broken at word boundaries; no heading as the last line of a page; page numbers
“— n —” right on odd and left on even pages; 签发人; the 版记 between rules on the last page."""
import re
import shutil
import subprocess
from datetime import date
from html import unescape

import pytest
from pypdf import PdfReader

from app.documents import build_selfcheck_pdf
from app.documents.gbt9704 import title_lines
from app.documents.samples import SELFCHECK_PARAGRAPHS, sample_figures, sample_office, sample_problems

MM = 72 / 25.4
A4 = (595.2756, 841.8898)
LEFT, TOP, WIDTH, HEIGHT = 28 * MM, 37 * MM, 156 * MM, 225 * MM
TOL = 0.6  # points
PAGE_NO = re.compile(r"^(—|\d+)$")
HEADING = re.compile(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils 未安装")


def _words(path):
    """Per page: [(xMin, yMin, xMax, yMax, text)] with y measured from the top."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        pages.append([(float(a), float(b), float(c), float(d), unescape(t)) for a, b, c, d, t in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)])
    return pages


def _lines(path, page_index):
    """Stroked lines on a page: (stroke colour, x0, y_from_top, x1, line width)."""
    page = PdfReader(str(path)).pages[page_index]
    st = {"rg": (0.0, 0.0, 0.0), "w": 1.0, "cur": None}
    found = []

    def visit(op, args, cm, tm):  # noqa: ANN001
        if op == b"RG":
            st["rg"] = tuple(round(float(a), 3) for a in args)
        elif op == b"w":
            st["w"] = float(args[0])
        elif op == b"m":
            st["cur"] = (float(args[0]), float(args[1]), cm)
        elif op == b"l" and st["cur"]:
            x0, y0, m = st["cur"]
            a, b, c, d, e, f = m
            found.append((st["rg"], a * x0 + c * y0 + e, A4[1] - (b * x0 + d * y0 + f),
                          a * float(args[0]) + c * float(args[1]) + e, st["w"]))

    page.extract_text(visitor_operand_before=visit)
    return found


BODY = [
    "根据县民政局关于开展民政领域专项整治的工作部署，我镇对最低生活保障和特困人员救助供养工作开展了全面自查自纠，"
    "现将有关情况报告如下。",
    "{figures}",
]
for n, head in enumerate("一二三四五六七八", 1):
    BODY.append(f"{head}、第{head}部分的标题")
    for k in range(1 + n % 3):
        BODY.append(f"（{'一二三'[k]}）分项标题。" + "全镇各村对照问题清单逐户核查家庭收入财产状况和共同生活人员，"
                    * (1 + (n + k) % 4) + "做到应保尽保、应退尽退。")


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    out = tmp_path_factory.mktemp("gb") / "sc.pdf"
    res = build_selfcheck_pdf(
        out, office=sample_office(), doc_number=12, year=2026, addressee="某某县民政局",
        title="关于2026年11月民政领域专项整治自查自纠情况和下一步工作打算的报告", figures=sample_figures(),
        paragraphs=BODY, problems=sample_problems(25), signature="香山镇人民政府", date=date(2026, 11, 23),
        signer="张三", copy_to="县纪委监委，县民政局", fonts_dir=None)
    return out, res


def test_a4_and_nothing_outside_the_type_area_but_page_numbers(pdf):
    out, res = pdf
    reader = PdfReader(str(out))
    assert all((round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1)) == (595.3, 841.9)
               for p in reader.pages)
    pages = _words(out)
    assert len(pages) == res.pages >= 4
    body_pages = [[w for w in page if w[1] < TOP + HEIGHT] for page in pages]
    for i, words in enumerate(body_pages[:-2]):  # body pages (the attachment is a table)
        for x0, y0, x1, y1, text in words:
            assert LEFT - TOL <= x0 and x1 <= LEFT + WIDTH + TOL, (i + 1, text, x0, x1)
            assert TOP - TOL <= y0 and y1 <= TOP + HEIGHT + TOL, (i + 1, text, y0, y1)
    xs = [w[0] for page in body_pages[:-2] for w in page]
    assert abs(min(xs) - LEFT) < TOL  # left margin 28 mm
    right = [w[2] for page in body_pages[:-2] for w in page]
    assert abs(max(right) - (LEFT + WIDTH)) < TOL  # lines fill the 156 mm


def test_22_lines_of_28_characters(pdf):
    out, _res = pdf
    page = [w for w in _words(out)[2] if w[1] < TOP + HEIGHT]  # a full body page
    tops = sorted({round(w[1], 2) for w in page})
    assert len(tops) == 22
    assert all(abs((b - a) - HEIGHT / 22) < 0.05 for a, b in zip(tops, tops[1:]))
    assert abs(tops[0] - TOP) < HEIGHT / 22  # the first line sits at the top margin (37 mm)
    full = [w for w in page if abs(w[0] - LEFT) < TOL and abs(w[2] - LEFT - WIDTH) < TOL
            and re.fullmatch(r"[\u4e00-\u9fff，。、；：“”（）]+", w[4])]
    assert full and all(len(w[4]) == 28 for w in full)


def test_red_rule_4mm_under_the_document_number_and_signer(pdf):
    out, _res = pdf
    words = _words(out)[0]
    number = next(w for w in words if "〔2026〕12号" in w[4])
    signer = next(w for w in words if w[4] == "签发人：张三")
    assert abs(number[0] - (LEFT + 15.75)) < 1 and abs(signer[2] - (LEFT + WIDTH - 15.75)) < 1
    red = [ln for ln in _lines(out, 0) if ln[0] != (0.0, 0.0, 0.0)]
    assert len(red) == 1
    _c, x0, y, x1, w = red[0]
    assert abs(x0 - LEFT) < TOL and abs(x1 - LEFT - WIDTH) < TOL
    assert abs((y - w / 2) - number[3] - 4 * MM) < 0.5 * MM


def test_title_broken_at_word_boundaries():
    lines = title_lines("关于2026年11月民政领域专项整治自查自纠情况和下一步工作打算的报告", 20)
    assert "".join(lines) == "关于2026年11月民政领域专项整治自查自纠情况和下一步工作打算的报告"
    assert all(len(x) <= 20 and x[-1] not in "的和与" for x in lines)
    assert not any(x.endswith("自查") or x.endswith("专项") or x[-1].isdigit() for x in lines)
    assert title_lines("关于2026年11月民政领域专项整治自查自纠情况的报告", 20) == [
        "关于2026年11月民政领域", "专项整治自查自纠情况的报告"]


def test_title_on_the_page_and_no_heading_at_a_page_foot(pdf):
    out, _res = pdf
    pages = _words(out)
    title = [w for w in pages[0] if round(w[3] - w[1]) == 22]
    assert len(title) >= 2 and all(w[4][-1] not in "的和与" for w in title[:-1])
    for i, page in enumerate(pages[:-2]):
        body = [w for w in page if w[1] < TOP + HEIGHT and round(w[3] - w[1]) < 20]
        last = max(body, key=lambda w: w[1])
        assert not (HEADING.match(last[4]) and last[2] < LEFT + WIDTH - TOL), (i + 1, last[4])


def test_a_heading_before_the_last_paragraph_goes_with_it(tmp_path):
    out = tmp_path / "s.pdf"
    res = build_selfcheck_pdf(out, office=sample_office(), doc_number=1, year=2026, addressee="某某县民政局",
                              title="关于2026年11月民政领域专项整治自查自纠情况的报告", figures=sample_figures(),
                              paragraphs=SELFCHECK_PARAGRAPHS, problems=[], signature="香山镇人民政府",
                              date=date(2026, 11, 23), signer="张三", fonts_dir=None)
    for i, page in enumerate(_words(out)[:res.pages]):
        body = [w for w in page if w[1] < TOP + HEIGHT and round(w[3] - w[1]) < 20]
        last = max(body, key=lambda w: w[1])
        assert not HEADING.match(last[4]), (i + 1, last[4])


def test_page_numbers_odd_right_even_left(pdf):
    out, res = pdf
    for i, page in enumerate(_words(out), 1):
        marks = sorted((w for w in page if PAGE_NO.match(w[4]) and w[1] > TOP + HEIGHT), key=lambda w: w[0])
        assert [w[4] for w in marks] == ["—", str(i), "—"]
        assert not [w for w in page if w[3] > TOP + HEIGHT + TOL and w not in marks]  # only they are below
        if i % 2:
            assert abs(marks[-1][2] - (LEFT + WIDTH - 14)) < 1  # 右空一字
        else:
            assert abs(marks[0][0] - (LEFT + 14)) < 1  # 左空一字


def test_colophon_between_rules_on_the_last_page(pdf):
    out, res = pdf
    last = _words(out)[-1]
    copy = next(w for w in last if w[4].startswith("抄送："))
    issued = next(w for w in last if w[4].endswith("印发"))
    assert copy[4] == "抄送：县纪委监委，县民政局。" and "2026年11月23日印发" in issued[4]
    rules = sorted(ln[2] for ln in _lines(out, res.pages - 1) if ln[0] == (0.0, 0.0, 0.0)
                   and abs(ln[1] - LEFT) < TOL and abs(ln[3] - LEFT - WIDTH) < TOL
                   and min(abs(ln[4] - 0.35 * MM), abs(ln[4] - 0.25 * MM)) < 0.01)
    assert len(rules) == 3
    assert rules[0] < copy[1] < copy[3] < rules[1] < issued[1] < issued[3] < rules[2]
    assert abs(rules[2] - (TOP + HEIGHT)) < 1  # at the foot of the type area
