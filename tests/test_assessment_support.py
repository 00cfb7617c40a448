"""Helpers shared by the assessment tests (no tests here)."""
from datetime import date

from app import households as hs
from app.assessment import approvals
from app.idcard import make_valid_id
from procedure_support import complete_steps

TODAY = date(2026, 11, 23)
APPLIED = date(2026, 1, 2)


def ident(n: int, birth: date = date(1960, 5, 1)) -> str:
    return make_valid_id("640424", birth, n)


def household(env, members, *, category="农村低保", amount="0", village="香水村",
              urban_rural="农村", classification="B") -> str:
    """Create an application; ``members`` are MemberInput or (name, seq, relation, kwargs) tuples."""
    rows = []
    for m in members:
        if isinstance(m, hs.MemberInput):
            rows.append(m)
        else:
            name, seq, relation, *rest = m
            extra = rest[0] if rest else {}
            birth = extra.pop("birth", date(1980, 5, 1))  # 46: no 老年/未成年 surcharge
            rows.append(hs.MemberInput(name=name, id_number=ident(seq, birth), relation=relation, **extra))
    with env.database.session() as s:
        return hs.create_household(s, env.clerk, village=village, category=category, members=rows,
                                   monthly_amount=amount, urban_rural=urban_rural,
                                   classification=classification, apply_date=APPLIED, today=TODAY).id


def granted(env, hid, *, day=date(2026, 1, 10), amount=None) -> str:
    with env.database.session() as s:
        complete_steps(s, env.clerk, hid, day)
        p = approvals.propose_grant(s, env.clerk, hid, day=day, reason="经审核符合条件",
                                    monthly_amount=amount, over_reason="测试数据：金额高于标准（不按标施保）")
        approvals.approve(s, env.reviewer, p.id)
    return hid


def member_ids(env, hid) -> dict:
    from app import queries

    with env.database.session(write=False) as s:
        return {m.name: m.id for m in queries.household_detail(s, hid).members}
