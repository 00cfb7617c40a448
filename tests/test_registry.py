"""Registry services: validation, duplicates, permissions, version conflicts, lifecycle."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app import households as hs
from app import queries, rulesettings
from app.assessment import approvals
from app.errors import ConflictError, PermissionDenied, ValidationError
from app.idcard import make_valid_id
from db.models import AuditEntry, Household, Member
from procedure_support import complete_steps

TODAY = date(2026, 11, 23)


def ident(n: int, birth=date(1960, 5, 1)) -> str:
    return make_valid_id("640424", birth, n)


def grant(env, hid, *, reason, day):
    """申请中 → 在保 the only way there is: the clerk proposes, the reviewer approves."""
    with env.database.session() as s:
        complete_steps(s, env.clerk, hid, day)
        p = approvals.propose_grant(s, env.clerk, hid, reason=reason, day=day)
        approvals.approve(s, env.reviewer, p.id)


def add(env, name="张三", id_number=None, village="香水村", actor=None, members=()):
    with env.database.session() as s:
        return hs.create_household(
            s, actor or env.clerk, village=village, category="农村低保",
            members=[hs.MemberInput(name=name, id_number=id_number or ident(11)), *members],
            poverty_cause="因病", classification="B", monthly_amount="620", today=TODAY)


def counts(env):
    with env.database.session(write=False) as s:
        return tuple(s.execute(select(func.count()).select_from(m)).scalar_one()
                     for m in (Household, Member, AuditEntry))


def test_create_household_writes_members_step_and_audit(env):
    before = counts(env)
    saved = add(env, members=[hs.MemberInput(name="李四", id_number=ident(22), relation="配偶")])
    with env.database.session(write=False) as s:
        d = queries.household_detail(s, saved.id)
    assert d.status == "申请中" and d.number == "640424100-000001"
    assert [m.name for m in d.members] == ["张三", "李四"]
    assert d.members[0].gender == "男" and d.members[0].birth_date == date(1960, 5, 1)
    assert [st.kind for st in d.steps] == ["申请"]
    after = counts(env)
    assert after[0] - before[0] == 1 and after[1] - before[1] == 2
    assert after[2] - before[2] == 4  # household, 2 members, step


def test_normalised_id_is_reported(env):
    raw = " " + ident(11).replace("1", "１", 1) + " "
    saved = add(env, id_number=raw)
    assert any("全角" in n for n in saved.notices)
    assert any("空格" in n for n in saved.notices)


def test_invalid_id_is_refused_and_nothing_written(env):
    before = counts(env)
    bad = ident(11)[:-1] + ("0" if ident(11)[-1] != "0" else "1")
    with pytest.raises(ValidationError) as err:
        add(env, id_number=bad)
    assert "张三的身份证号" in str(err.value) and bad in str(err.value) and "校验码" in str(err.value)
    assert counts(env) == before


def test_one_person_in_two_active_households_is_refused(env):
    add(env, name="张三", id_number=ident(11))
    before = counts(env)
    with pytest.raises(ValidationError) as err:
        add(env, name="王五", id_number=ident(33), village="泾河村",
            members=[hs.MemberInput(name="张三", id_number=ident(11), relation="子")])
    msg = str(err.value)
    assert "香水村" in msg and "张三户" in msg and "640424100-000001" in msg
    assert counts(env) == before


def test_person_may_join_again_after_household_exited(env):
    first = add(env, name="张三", id_number=ident(11))
    with env.database.session() as s:
        hs.change_status(s, env.reviewer, first.id, status="未通过", reason="收入超标", day=TODAY)
    second = add(env, name="张三", id_number=ident(11), village="泾河村")
    with env.database.session(write=False) as s:
        d = queries.household_detail(s, second.id)
    assert second.id != first.id and d.village == "泾河村" and d.status == "申请中"


def test_unknown_village_and_category_name_the_value(env):
    with pytest.raises(ValidationError, match="火星村"):
        add(env, village="火星村")
    with env.database.session() as s, pytest.raises(ValidationError, match="保障类别 “低保户”"):
        hs.create_household(s, env.clerk, village="香水村", category="低保户",
                            members=[hs.MemberInput(name="赵六", id_number=ident(44))])


def test_permission_denied_in_service(env):
    saved = add(env)
    with env.database.session() as s, pytest.raises(PermissionDenied, match="经办人"):
        hs.change_status(s, env.clerk, saved.id, status="在保", reason="符合条件")
    with env.database.session() as s, pytest.raises(PermissionDenied, match="管理员"):
        rulesettings.set_value(s, env.clerk, "gongshi_days", 10)
    with env.database.session(write=False) as s:
        assert rulesettings.get(s, "gongshi_days") == 7


def test_version_conflict_names_who_changed_it(env):
    saved = add(env)
    with env.database.session(write=False) as s:
        opened = queries.household_detail(s, saved.id).version
    with env.database.session() as s:
        hs.edit_household(s, env.reviewer, saved.id, expected_version=opened,
                          changes={"monthly_amount": "700"})
    with env.database.session() as s, pytest.raises(ConflictError) as err:
        hs.edit_household(s, env.clerk, saved.id, expected_version=opened,
                          changes={"monthly_amount": "650"})
    assert "reviewer" in str(err.value)
    with env.database.session(write=False) as s:
        assert str(queries.household_detail(s, saved.id).monthly_amount) == "700.00"


def test_concurrent_edits_from_two_threads_one_wins(env):
    """Two clerks save the same household at once from the version they opened: one wins,
    the other is told, and nothing is overwritten silently."""
    import threading

    saved = add(env)
    results = {}
    barrier = threading.Barrier(2)

    def edit(who, actor, amount):
        barrier.wait()
        try:
            with env.database.session() as s:
                hs.edit_household(s, actor, saved.id, expected_version=saved.version,
                                  changes={"monthly_amount": amount})
            results[who] = "saved"
        except ConflictError as exc:
            results[who] = str(exc)

    threads = [threading.Thread(target=edit, args=("a", env.clerk, "650")),
               threading.Thread(target=edit, args=("b", env.reviewer, "700"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(v == "saved" for v in results.values()) == [False, True]
    winner = "a" if results["a"] == "saved" else "b"
    loser_msg = results["b" if winner == "a" else "a"]
    assert ("clerk" if winner == "a" else "reviewer") in loser_msg
    with env.database.session(write=False) as s:
        amount = str(queries.household_detail(s, saved.id).monthly_amount)
    assert amount == ("650.00" if winner == "a" else "700.00")


def test_status_lifecycle_and_reason_required(env):
    saved = add(env)
    with env.database.session() as s:
        with pytest.raises(ValidationError, match="原因"):
            hs.change_status(s, env.reviewer, saved.id, status="在保", reason=" ")
    with env.database.session() as s:
        with pytest.raises(ValidationError, match="只能变更为：在保、未通过"):
            hs.change_status(s, env.reviewer, saved.id, status="已退出", reason="收入超标")
    with env.database.session() as s, pytest.raises(ValidationError, match="提交审核"):
        hs.change_status(s, env.reviewer, saved.id, status="在保", reason="符合条件", day=TODAY)
    grant(env, saved.id, reason="符合条件", day=TODAY)
    with env.database.session(write=False) as s:
        d = queries.household_detail(s, saved.id)
    assert d.status == "在保" and d.approve_date == TODAY
    assert d.next_review_date == date(2027, 5, 23)  # class B: every 6 months by default
    assert d.steps[-1].kind == "审核确认" and d.steps[-1].note == "符合条件"


def test_review_frequency_comes_from_settings(env):
    with env.database.session() as s:
        rulesettings.set_value(s, env.admin, "review_frequency_months", {"A": 12, "B": 3, "C": 1})
    saved = add(env)
    grant(env, saved.id, reason="符合条件", day=TODAY)
    with env.database.session() as s:
        hs.record_step(s, env.clerk, saved.id, kind="复核", day=TODAY, handler="马晓梅", today=TODAY)
    with env.database.session(write=False) as s:
        assert queries.household_detail(s, saved.id).next_review_date == date(2027, 2, 23)


def test_add_move_remove_member(env):
    a = add(env, name="张三", id_number=ident(11))
    b = add(env, name="王五", id_number=ident(33), village="泾河村")
    with env.database.session() as s:
        m = hs.add_member(s, env.clerk, a.id, hs.MemberInput(name="张小三", id_number=ident(55, date(2010, 1, 1)), relation="子"), today=TODAY)
    with env.database.session() as s:
        hs.move_member(s, env.clerk, m.id, to_household_id=b.id, relation="其他")
    with env.database.session(write=False) as s:
        assert [x.name for x in queries.household_detail(s, b.id).members] == ["王五", "张小三"]
        assert [x.name for x in queries.household_detail(s, a.id).members] == ["张三"]
    with env.database.session() as s:
        hs.remove_member(s, env.clerk, m.id, reason="迁出本乡")
    with env.database.session(write=False) as s:
        assert [x.name for x in queries.household_detail(s, b.id).members] == ["王五"]


def test_step_date_rules(env):
    saved = add(env)
    with env.database.session() as s, pytest.raises(ValidationError, match="不能晚于今天"):
        hs.record_step(s, env.clerk, saved.id, kind="入户调查", day=date(2030, 1, 1), handler="马晓梅",
                       today=TODAY)
    with env.database.session() as s, pytest.raises(ValidationError, match="环节"):
        hs.record_step(s, env.clerk, saved.id, kind="喝茶", day=TODAY, handler="马晓梅", today=TODAY)


def test_amount_validation_names_the_rule(env):
    with pytest.raises(ValidationError, match="两位小数"):
        with env.database.session() as s:
            hs.create_household(s, env.clerk, village="香水村", category="农村低保",
                                members=[hs.MemberInput(name="赵六", id_number=ident(44))],
                                monthly_amount="12.345")
    with pytest.raises(ValidationError, match="金额数字"):
        with env.database.session() as s:
            hs.create_household(s, env.clerk, village="香水村", category="农村低保",
                                members=[hs.MemberInput(name="赵六", id_number=ident(44))],
                                monthly_amount="六百")


def test_list_and_filters(env):
    add(env, name="张三", id_number=ident(11))
    add(env, name="王五", id_number=ident(33), village="泾河村")
    with env.database.session(write=False) as s:
        assert queries.count_households(s) == 2
        rows = queries.list_households(s, queries.Filters(village="泾河村"))
        assert [r.head_name for r in rows] == ["王五"] and rows[0].size == 1
        assert [r.head_name for r in queries.list_households(s, queries.Filters(text="zs"))] == ["张三"]
