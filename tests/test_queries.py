"""Paged household lists: text filter capping and per-page sizes."""
from datetime import date

from app import households as hs
from app import queries
from app.idcard import make_valid_id


def test_broad_text_filter_is_capped(env, monkeypatch):
    with env.database.session() as s:
        for i, name in enumerate(["张一", "张二", "张三"]):
            hs.create_household(s, env.clerk, village="香水村", category="农村低保", members=[
                hs.MemberInput(name=name, id_number=make_valid_id("640424", date(1960, 1, 1), 11 + 2 * i)),
                hs.MemberInput(name=f"{name}妻", id_number=make_valid_id("640424", date(1961, 1, 1), 12 + 2 * i),
                               relation="配偶")])
    monkeypatch.setattr(queries, "TEXT_MATCH_CAP", 2)
    with env.database.session(write=False) as s:
        assert queries.text_match_capped(s, queries.Filters(text="zh"))
        assert not queries.text_match_capped(s, queries.Filters(text="zhangsan"))
        assert queries.count_households(s, queries.Filters(text="zhangsan")) == 1
        rows = queries.list_households(s, queries.Filters(), order="head_name", offset=1, limit=2)
    assert [r.head_name for r in rows] == ["张三", "张二"] and [r.size for r in rows] == [2, 2]


def test_first_page_counts_what_the_list_counts(env):
    """first_page's total equals count_households (counted or, for a short page, its length),
    with any filter, and its rows are list_households' first page."""
    with env.database.session() as s:
        for i, (name, village) in enumerate([("张一", "香水村"), ("张二", "泾河村"), ("王三", "香水村")]):
            hs.create_household(s, env.clerk, village=village, category="农村低保", members=[
                hs.MemberInput(name=name, id_number=make_valid_id("640424", date(1960, 1, 1), 21 + i))])
    with env.database.session(write=False) as s:
        for f in (queries.Filters(), queries.Filters(text="zh"), queries.Filters(text="张", village="香水村"),
                  queries.Filters(text="6404"), queries.Filters(text="nobody"), queries.Filters(village="泾河村")):
            for limit in (1, 2, 5):
                total, rows = queries.first_page(s, f, order="head_name", limit=limit)
                assert total == queries.count_households(s, f), (f, limit)
                assert rows == queries.list_households(s, f, order="head_name", limit=limit), f
            total, rows = queries.first_page(s, f, order="head_name", limit=2)
            assert total == queries.count_households(s, f), f
            assert rows == queries.list_households(s, f, order="head_name", limit=2), f
        assert queries.first_page(s, queries.Filters(text="zh"))[0] == 2
