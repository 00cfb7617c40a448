"""The 公示 masking rule and the font/glyph helpers (no files written)."""
from __future__ import annotations

import dataclasses
import shutil
from datetime import date
from decimal import Decimal

import pytest

from app.documents import (
    CaseNotice, PublicRow, get_fonts, missing_glyphs, public_case_rows, public_rows, safe_text,
)
from app.documents.fonts import SHIPPED_FONT, markup
from app.documents.publicity import is_tekun, public_cause
from app.documents.samples import RARE, id_number, sample_households

TODAY = date(2026, 11, 23)


def _one(**kw):
    h = sample_households(1, seed=9)[0]
    return dataclasses.replace(h, **kw)


def test_public_row_has_only_public_fields():
    assert {f.name for f in dataclasses.fields(PublicRow)} == {
        "village", "head_name", "household_size", "category", "poverty_cause",
        "monthly_amount"}
    h = _one(poverty_cause="因病（尿毒症晚期）", monthly_amount=Decimal("650.5"))
    (row,) = public_rows([h], today=TODAY)
    text = repr(row)
    for secret in (h.head_id_number, h.phone, h.bank_account, "尿毒症"):
        assert secret not in text
    assert row.poverty_cause == "因病"
    assert row.monthly_amount == Decimal("650.50")


@pytest.mark.parametrize("category", ["特困人员", "特困人员(分散供养)", "特困人员（集中供养）"])
def test_tekun_minor_is_never_listed(category):
    minor = _one(category=category, head_birth_date=date(2010, 5, 1), head_name="钱小玥")
    turns_18_tomorrow = _one(category=category, head_birth_date=date(2008, 11, 24))
    adult = _one(category=category, head_birth_date=date(2008, 11, 23), head_name="孙大堃")
    rows = public_rows([minor, turns_18_tomorrow, adult], today=TODAY)
    assert [r.head_name for r in rows] == ["孙大堃"]


def test_minor_found_from_id_number_when_birth_date_missing():
    h = _one(category="特困人员", head_birth_date=None,
             head_id_number=id_number("640424", date(2012, 3, 4), 11))
    assert public_rows([h], today=TODAY) == []


def test_minor_in_dibao_is_published():
    h = _one(category="农村低保", head_birth_date=date(2012, 1, 1))
    assert len(public_rows([h], today=TODAY)) == 1
    assert is_tekun("特困人员(分散供养)") and not is_tekun("农村低保")


def test_case_rows_apply_the_same_rule():
    minor = _one(category="特困人员", head_birth_date=date(2015, 1, 1))
    ending = _one(exit_reason="收入超标")
    rows = public_case_rows([CaseNotice("拟新增", minor), CaseNotice("拟终止", ending)],
                            today=TODAY)
    assert [(r.kind, r.reason) for r in rows] == [("拟终止", "收入超标")]


def test_public_cause_keeps_coded_part():
    assert public_cause("因残：肢体二级") == "因残"
    assert public_cause("缺劳力") == "缺劳力"
    assert public_cause(None) == ""


def test_shipped_font_prints_rare_name_characters():
    fs = get_fonts(None)
    assert fs.fallback.path == str(SHIPPED_FONT)
    assert missing_glyphs("王" + RARE) == ""
    assert missing_glyphs("张😀\ue000") == "😀\ue000"
    assert missing_glyphs("张 三\n") == ""


def test_windows_fonts_preferred_with_per_character_fallback(tmp_path):
    # A stand-in "simsun.ttc" (a copy of the shipped font under the Windows name).
    shutil.copy(SHIPPED_FONT, tmp_path / "simsun.ttc")
    fs = get_fonts(tmp_path)
    assert fs.face("song").path == str(tmp_path / "simsun.ttc")
    assert fs.face("fangsong") is fs.fallback  # no simfang.ttf there
    assert get_fonts(tmp_path) is fs  # cached
    # Pretend the office font lacks 䶮: markup switches to the fallback face.
    narrow = dataclasses.replace(fs.face("song"), cmap=frozenset(
        c for c in fs.face("song").cmap if c != ord("䶮")))
    fs2 = dataclasses.replace(fs, roles={**fs.roles, "song": narrow})
    assert f'face="{fs.fallback.name}"' in markup("李䶮", "song", fonts=fs2)
    assert missing_glyphs("李䶮", "song", fonts=fs2) == ""
    assert missing_glyphs("李䶮", "song", fonts=fs2, with_fallback=False) == "䶮"


@pytest.mark.parametrize("text,expected", [
    ("=1+1", "'=1+1"), ("+86 139", "'+86 139"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("张三", "张三"), (5, 5), (None, None),
])
def test_safe_text(text, expected):
    assert safe_text(text) == expected
