"""Search: name, pinyin initials, full pinyin, ID prefix, village; active households first."""
from datetime import date

import pytest

from app import households as hs
from app import clock, search
from app.assessment import approvals
from app.idcard import make_valid_id
from procedure_support import complete_steps

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _frozen_clock():
    """A fixed 'today' for the app and the test alike (never the real date)."""
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def people(env):
    made = {}
    with env.database.session() as s:
        for i, (name, village) in enumerate([("张三", "香水村"), ("张珊珊", "泾河村"), ("单田芳", "东峡村"),
                                             ("李䶮", "香水村"), ("王𠇔", "泾河村")]):
            made[name] = hs.create_household(
                s, env.clerk, village=village, category="农村低保",
                members=[hs.MemberInput(name=name, id_number=make_valid_id(
                    "640424" if i == 0 else "110105", date(1970, 1, 1 + i), 11))]).id
    return made


def _names(env, q):
    with env.database.session(write=False) as s:
        return [h.head_name for h in search.search(s, q)]


@pytest.mark.parametrize("query", ["zs", "zhangsan", "张三", "6404", "ZHANG san", "ｚｓ"])
def test_every_spelling_finds_zhang_san(env, people, query):
    assert "张三" in _names(env, query)


def test_both_readings_of_a_surname(env, people):
    assert "单田芳" in _names(env, "shantianfang")
    assert "单田芳" in _names(env, "dtf")


def test_readings_are_pypinyins_for_every_character():
    """The readings table read without importing pypinyin gives exactly what pypinyin gives
    (so households indexed before and after search the same), for every character it knows."""
    from pypinyin import Style, pinyin

    table = search._char_readings()  # noqa: SLF001 - the module's own table, checked whole
    assert table is not None and len(table) > 40000
    chars = [chr(k) for k in table] + ["𠇔", "·", "Ａ", "〇"]
    differ = []
    for ch in chars:
        theirs = pinyin(ch, style=Style.NORMAL, heteronym=True, errors=lambda c: [c])[0]
        expected = tuple(dict.fromkeys(r.lower() for r in theirs if r)) or (ch,)
        if search.readings(ch) != expected:
            differ.append((ch, search.readings(ch), expected))
    assert differ == []
    assert "shan" in search.readings("单") and "lv" in search.readings("绿")


def test_rare_characters_and_village(env, people):
    assert _names(env, "李䶮") == ["李䶮"]
    assert _names(env, "liyan") == ["李䶮"]
    assert "王𠇔" in _names(env, "王")
    assert set(_names(env, "泾河村")) == {"张珊珊", "王𠇔"}


def _grant(s, env, hid):
    """申请中 → 在保: proposed by the clerk, approved by the reviewer."""
    complete_steps(s, env.clerk, hid, TODAY)
    approvals.approve(s, env.reviewer, approvals.propose_grant(
        s, env.clerk, hid, reason="符合条件", day=TODAY).id)


def test_active_households_first_and_exact_before_prefix(env, people):
    with env.database.session() as s:
        hs.change_status(s, env.reviewer, people["张三"], status="未通过", reason="收入超标")
        _grant(s, env, people["张珊珊"])
    assert _names(env, "zs") == ["张珊珊", "张三"]
    with env.database.session() as s:
        hs.change_status(s, env.reviewer, people["张三"], status="申请中", reason="重新申请")
        _grant(s, env, people["张三"])
    assert _names(env, "zs") == ["张三", "张珊珊"]  # exact initials "zs" before "zss"


def test_no_match_and_blank(env, people):
    assert _names(env, "qqq") == []
    assert _names(env, "   ") == []
