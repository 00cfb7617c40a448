"""近亲属备案: registry, refusals, and the check (filed, official, unfiled → one problem)."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app import audit, rulesettings
from app.errors import NotFound, PermissionDenied, ValidationError
from app.ledgers import relatives as rl
from db.ledger_models import Problem
from test_ledger_support import TODAY, household, ident

OFFICIAL = ident(101, date(1975, 3, 3))
SPOUSE = ident(102, date(1976, 4, 4))
SON = ident(103, date(2000, 1, 1))
BROTHER = ident(105, date(1972, 2, 2))


def setup_registry(env):
    with env.database.session() as s:
        rl.add_official(s, env.clerk, name="王村长", id_number=OFFICIAL, post_type="村(居)委会成员",
                        unit="香水村委会主任", village="香水村", today=TODAY)
        rl.add_relative(s, env.clerk, official=OFFICIAL, name="王大哥", id_number=BROTHER,
                        relation="兄弟姐妹", today=TODAY)


def problems(env):
    with env.database.session(write=False) as s:
        return s.execute(select(func.count()).select_from(Problem)).scalar_one()


def test_registry_refusals(env):
    setup_registry(env)
    with env.database.session() as s:
        with pytest.raises(ValidationError, match="已在备案人员名单中"):
            rl.add_official(s, env.clerk, name="王村长", id_number=OFFICIAL, post_type="村(居)委会成员")
        with pytest.raises(ValidationError, match="人员类别"):
            rl.add_official(s, env.clerk, name="某人", id_number=ident(150), post_type="保安")
        with pytest.raises(ValidationError, match="与备案人员关系.*应为以下之一"):
            rl.add_relative(s, env.clerk, official=OFFICIAL, name="表哥", id_number=ident(151),
                            relation="表兄弟")
        with pytest.raises(ValidationError, match="已在 王村长 的近亲属中备案"):
            rl.add_relative(s, env.clerk, official=OFFICIAL, name="王大哥", id_number=BROTHER,
                            relation="兄弟姐妹")
        with pytest.raises(ValidationError, match="近亲属身份证号"):
            rl.add_relative(s, env.clerk, official=OFFICIAL, name="错号", id_number="123",
                            relation="子女")
        with pytest.raises(NotFound, match="找不到备案人员"):
            rl.add_relative(s, env.clerk, official=ident(199), name="x", id_number=ident(152),
                            relation="子女")
        [o] = rl.list_officials(s)
        assert o.village == "香水村" and [r.name for r in o.relatives] == ["王大哥"]


def test_relation_list_is_the_setting(env):
    setup_registry(env)
    with env.database.session() as s:
        rulesettings.set_value(s, env.admin, "near_relative_relations",
                               rl.near_relative_relations(s) + ["配偶的兄弟姐妹"])
    with env.database.session() as s:
        rl.add_relative(s, env.clerk, official=OFFICIAL, name="小舅子", id_number=ident(153),
                        relation="配偶的兄弟姐妹", today=TODAY)
        assert rl.is_near_relative(s, "配偶的兄弟姐妹") and not rl.is_near_relative(s, "表兄弟")


def test_filed_relative_receiving_assistance_is_reported_without_a_problem(env):
    setup_registry(env)
    number = household(env, "王大哥", BROTHER)
    with env.database.session() as s:
        findings = rl.check_all(s, actor=env.clerk, today=TODAY)
    assert [(f.kind, f.member_name, f.relation, f.household_number) for f in findings] == \
        [(rl.FILED, "王大哥", "兄弟姐妹", number)]
    assert "已备案的近亲属" in findings[0].message and findings[0].problem_id is None
    assert problems(env) == 0


def test_exited_households_are_not_checked(env):
    setup_registry(env)
    household(env, "王大哥", BROTHER, status="已退出")
    with env.database.session(write=False) as s:
        assert rl.check_all(s, today=TODAY) == []


def test_official_in_a_recipient_household_and_unfiled_relatives_open_one_problem(env):
    setup_registry(env)
    number = household(env, "王村长", OFFICIAL, status="申请中",
                       others=[("李氏", SPOUSE, "配偶"), ("王小", SON, "子"),
                               ("赵儿媳", ident(107, date(2001, 5, 5)), "儿媳")])
    # saving the household already ran the check and opened one problem per unfiled relative
    assert problems(env) == 2
    with env.database.session() as s:
        from app import queries
        household_id = queries.find_household_id(s, number)
        findings = rl.check_household(s, household_id, actor=env.clerk, today=TODAY)
    kinds = sorted((f.kind, f.member_name, f.relation) for f in findings)
    # 儿媳 is 子女的配偶: not a near relative under the default (Civil Code) list
    assert kinds == [(rl.SELF, "王村长", None), (rl.UNFILED, "李氏", "配偶"), (rl.UNFILED, "王小", "子女")]
    opened = [f for f in findings if f.kind == rl.UNFILED]
    assert all(f.problem_number and not f.new_problem for f in opened)
    assert problems(env) == 2
    with env.database.session() as s:
        again = rl.check_all(s, actor=env.clerk, today=TODAY)
        p = s.execute(select(Problem).where(Problem.id == opened[0].problem_id)).scalar_one()
        assert p.category == "近亲属未备案" and p.source == "自查" and p.state == "待整改"
        assert "王村长" in p.description and OFFICIAL not in p.description
        assert audit.verify(s).ok
    assert problems(env) == 2  # not duplicated on re-check
    assert {f.problem_id for f in again if f.kind == rl.UNFILED} == {f.problem_id for f in opened}
    assert not any(f.new_problem for f in again)


def test_filing_the_relative_ends_the_unfiled_finding(env):
    setup_registry(env)
    household(env, "王村长", OFFICIAL, others=[("李氏", SPOUSE, "配偶")])
    with env.database.session() as s:
        rl.add_relative(s, env.clerk, official=OFFICIAL, name="李氏", id_number=SPOUSE, relation="配偶")
        findings = rl.check_all(s, today=TODAY)
    assert sorted(f.kind for f in findings) == sorted([rl.SELF, rl.FILED])
    assert problems(env) == 1  # opened when the household was saved unfiled; none added since


def test_check_without_actor_only_reports_and_check_all_needs_the_right(env):
    setup_registry(env)
    household(env, "王村长", OFFICIAL, others=[("李氏", SPOUSE, "配偶")])
    before = problems(env)  # the save itself (with its actor) opened the problem
    with env.database.session() as s:
        findings = rl.check_all(s, today=TODAY)
    assert any(f.kind == rl.UNFILED and f.problem_id is None for f in findings)
    assert problems(env) == before == 1
    assert rl.relation_in_household("子", "户主") == "父母"
    assert rl.relation_in_household("其他", "户主") is None
    with pytest.raises(PermissionDenied):
        from app.permissions import Actor
        with env.database.session() as s:
            rl.check_all(s, actor=Actor("guest", "访客", "访客", "640424100"), today=TODAY)


def test_saving_a_household_reports_a_filed_relative_to_the_clerk(env):
    """The registry services run the near-relative check on every save and tell the clerk."""
    from app import households as hs

    setup_registry(env)
    with env.database.session() as s:
        saved = hs.create_household(s, env.clerk, village="香水村", category="农村低保",
                                    members=[hs.MemberInput(name="王大哥", id_number=BROTHER)], today=TODAY)
    assert any("王大哥" in n and "已备案" in n for n in saved.notices), saved.notices
