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
