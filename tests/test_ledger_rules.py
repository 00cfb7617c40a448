"""Ledger rules completed per DOMAIN.md: every campaign category is accepted."""
from datetime import date

import pytest

from app.errors import ValidationError
from app.ledgers import problems as pr
from test_ledger_support import TODAY

REQUIRED = ("违规保", "索贿受贿", "民主评议无乡镇人员参加", "未及时告知", "专项资金未专款专用",
            "照料护理资金未配套", "死亡对象上报不及时", "人情保", "关系保", "错保", "漏保", "拆户保",
            "不按标施保", "虚报冒领", "截留私分", "挤占挪用", "吃拿卡要", "优亲厚友", "作风问题",
            "公示不规范", "近亲属未备案")


@pytest.mark.parametrize("category", REQUIRED)
def test_every_campaign_category_is_a_problem_category(env, category):
    with env.database.session() as s:
        p = pr.create_problem(s, env.clerk, source="督导检查", category=category, description="督导发现",
                              found_date=date(2026, 11, 20), responsible="王主任", today=TODAY)
    assert p.category == category


def test_unknown_category_still_refused(env):
    with env.database.session() as s, pytest.raises(ValidationError, match="问题类别"):
        pr.create_problem(s, env.clerk, source="自查", category="随便", description="x",
                          found_date=date(2026, 11, 20), responsible="王", today=TODAY)
