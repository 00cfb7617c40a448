"""Every glyph: names drawn from CJK Extensions A–G and the GB 18030 core print with the first
font that has the character (role font, shipped UMing, HanaMinA/B, BabelStone Han); a character
in no font prints as a full-width empty box and the warning names the person; no PDF refers to
an unembedded font."""
import random
import re
import shutil
import subprocess
from datetime import date

from pypdf import PdfReader

from app.documents import build_gongshi_pdf, missing_glyphs
from app.documents.fonts import BOX, extra_faces, get_fonts, markup
from app.documents.samples import sample_households, sample_office

RANGES = {"A": (0x3400, 0x4DBF), "B": (0x20000, 0x2A6DF), "C": (0x2A700, 0x2B73F),
          "D": (0x2B740, 0x2B81F), "E": (0x2B820, 0x2CEAF), "F": (0x2CEB0, 0x2EBEF),
          "G": (0x30000, 0x3134F), "GB18030": (0x4E00, 0x9FFF)}
TODAY = date(2026, 11, 23)


def test_the_fallback_fonts_are_installed():
    assert [f.path.rsplit("/", 1)[-1] for f in extra_faces()] == [
        "HanaMinA.ttf", "HanaMinB.ttf", "BabelStoneHan.ttf"], "请运行 installer/dev-setup.sh 安装字体"


def _names(n: int = 5000, seed: int = 7) -> list[str]:
    r = random.Random(seed)
    blocks = list(RANGES.values())
    names = []
    for i in range(n):
        a, b = blocks[i % len(blocks)]
        names.append("王" + "".join(chr(r.randint(a, b)) for _ in range(2)))
    return names


def _covered(cp: int, fonts) -> bool:
    return any(cp in f.cmap for f in [fonts.face("song"), fonts.fallback, *extra_faces()])


def test_5000_names_from_extensions_a_to_g_miss_no_glyph_any_font_has():
    fonts = get_fonts(None)
    names = _names()
    missing = {ch for name in names for ch in missing_glyphs(name, "song", fonts=fonts)}
    assert all(not _covered(ord(ch), fonts) for ch in missing)  # 0 missing where a font has it
    covered = {ch for name in names for ch in name if _covered(ord(ch), fonts)}
    by_block = {k: sum(a <= ord(ch) <= b for ch in covered) for k, (a, b) in RANGES.items()}
    assert all(by_block[k] > 500 for k in "ABCEF") and by_block["D"] > 100, by_block  # fallbacks used
    assert by_block["G"] > 0


def test_markup_switches_font_per_character_and_boxes_the_unprintable():
    fonts = get_fonts(None)
    ext_b = next(chr(c) for c in range(0x20000, 0x2A6DF) if c not in fonts.fallback.cmap
                 and _covered(c, fonts))
    nowhere = next(chr(c) for c in range(0x30000, 0x3134F) if not _covered(c, fonts))
    text = markup(f"李{ext_b}{nowhere}", "song", fonts=fonts)
    assert text.startswith("李") and "HanaMin" in text and ext_b in text
    assert nowhere not in text and BOX in text


def test_pdf_prints_rare_names_names_the_unprintable_and_embeds_every_font(tmp_path):
    fonts = get_fonts(None)
    nowhere = next(chr(c) for c in range(0x30000, 0x3134F) if not _covered(c, fonts))
    rows = sample_households(60, seed=3)
    names = [n for n in _names(200, seed=11) if all(_covered(ord(ch), fonts) for ch in n)][:58]
    for row, name in zip(rows, names):
        row.head_name, row.category = name, "农村低保"
    rows[-1].head_name, rows[-1].category = f"张{nowhere}", "农村低保"
    out = tmp_path / "g.pdf"
    res = build_gongshi_pdf(out, office=sample_office(), households=rows, period_label="2026年11月",
                            scope="township", start=TODAY, days=7, today=TODAY, fonts_dir=None)
    assert [w.person for w in res.glyph_warnings] == [f"张{nowhere}"]
    assert f"张{nowhere}" in res.warnings[0] and f"U+{ord(nowhere):04X}" in res.warnings[0]
    text = "".join(p.extract_text() for p in PdfReader(str(out)).pages)
    assert "张" + BOX in text
    if shutil.which("pdffonts"):
        listing = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
        rows_ = listing.splitlines()[2:]
        assert rows_ and not any("Helvetica" in r for r in rows_)
        assert all(re.split(r"\s+", r.strip())[-5] == "yes" for r in rows_)  # emb column
        assert any("HanaMin" in r for r in rows_)
