"""Realistic demo data for one township: villages, households, members with valid ID numbers
(some names with rare characters such as 䶮 喆 𠇔), and the history of each case.

Everything goes through the services, so the demo data carries a complete audit trail.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

import secrets

from sqlalchemy import select

from app import amountcheck, clock, codes, households as hs
from app import offices, rulesettings, users
from app.assessment import approvals, income
from app.idcard import make_valid_id
from app.permissions import CLERK, REVIEWER, Actor
from db.models import Household, User

VILLAGES = ["香水村", "泾河村", "东峡村", "西沟村", "大湾村", "杨岭村", "六盘村", "新民社区",
            "红星村", "兴盛村"]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
            "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江"
            "尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤单仇解查")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉梅建国志红文斌海燕"
         "鹏飞丹玲凤琴雪梅春花小龙德福永祥学成家宝子涵梓轩浩然一诺思远欣怡雨萱俊杰")
RARE = "䶮喆𠇔堃㛃玥"
HANDLERS = ["马晓梅", "李建军", "杨文华", "周丽"]
CATEGORIES = [("农村低保", 56), ("城市低保", 10), ("特困人员(分散供养)", 12), ("特困人员(集中供养)", 3),
              ("临时救助", 6), ("低保边缘家庭", 6), ("支出型困难家庭", 3), ("困难残疾人生活补贴", 4)]
CAUSES = ["因病", "因残", "因学", "缺劳力", "缺技术", "年老体弱", "因灾", "自身发展动力不足"]
EXIT_REASONS = ["收入超标", "死亡", "迁出", "核对不通过", "自愿退出"]


class _Names:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def given(self) -> str:
        rng = self.rng
        if rng.random() < 0.04:
            return rng.choice(RARE) + (rng.choice(GIVEN) if rng.random() < 0.5 else "")
        return "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))

    def person(self, surname: str) -> str:
        return surname + self.given()


def _birth(rng: random.Random, today: date, lo: int, hi: int) -> date:
    return today - timedelta(days=rng.randint(lo * 365, hi * 365))


def _members(rng: random.Random, names: _Names, region: str, today: date, used: set[str],
             tekun: bool) -> list[hs.MemberInput]:
    surname = rng.choice(SURNAMES)

    def ident(birth: date, male: bool) -> str:
        while True:
            seq = rng.randrange(1, 999)
            if (seq % 2 == 1) != male:
                seq = seq + 1 if seq < 998 else seq - 1
            number = make_valid_id(region, birth, seq)
            if number not in used:
                used.add(number)
                return number

    head_male = rng.random() < 0.6
    if tekun:
        minor = rng.random() < 0.08
        birth = _birth(rng, today, 8, 16) if minor else _birth(rng, today, 60, 92)
        return [hs.MemberInput(name=names.person(surname), id_number=ident(birth, head_male),
                               relation="户主", work_ability="无劳动能力",
                               health="慢性病" if rng.random() < 0.4 else None)]
    head_birth = _birth(rng, today, 28, 85)
    head = hs.MemberInput(name=names.person(surname), id_number=ident(head_birth, head_male),
                          relation="户主", work_ability=rng.choice(
                              ["有劳动能力", "部分丧失劳动能力", "无劳动能力"]),
                          health="慢性病" if rng.random() < 0.3 else None,
                          disability="肢体残疾三级" if rng.random() < 0.1 else None)
    result = [head]
    size = rng.choices([1, 2, 3, 4, 5], [20, 25, 25, 20, 10])[0]
    if size >= 2:
        spouse_birth = head_birth + timedelta(days=rng.randint(-1500, 1500))
        result.append(hs.MemberInput(name=names.person(rng.choice(SURNAMES)),
                                     id_number=ident(spouse_birth, not head_male), relation="配偶"))
    for _ in range(size - len(result)):
        age_head = (today - head_birth).days // 365
        if age_head > 40:
            child_birth = _birth(rng, today, max(1, age_head - 40), max(2, age_head - 20))
        else:
            child_birth = _birth(rng, today, 1, max(2, age_head - 20))
        male = rng.random() < 0.5
        result.append(hs.MemberInput(name=names.person(surname), id_number=ident(child_birth, male),
                                     relation="子" if male else "女",
                                     lives_together=rng.random() > 0.08))
    return result


DEMO_USERS = {CLERK: ("demo_clerk", "马晓梅"), REVIEWER: ("demo_reviewer", "李建军")}


def demo_actors(session: Session, actor: Actor) -> tuple[Actor, Actor]:
    """A 经办人 and a 审核人 for the two-person approvals: the first active ones, or demo users
    created for the purpose (random passwords: the administrator sets real ones to use them)."""
    found = []
    for role, (username, name) in DEMO_USERS.items():
        existing = session.execute(select(User.username).where(
            User.role == role, User.active.is_(True)).order_by(User.username)).scalars().first()
        if existing is None:
            existing = users.create_user(session, actor, username=username, display_name=name, role=role,
                                         password=secrets.token_urlsafe(12) + "a1").username
        found.append(users.actor_for(session, existing))
    return found[0], found[1]


def _office_details(session: Session, actor: Actor) -> None:
    """Invented contact details where the demo office has none, so that 公示 and 公文 print at once
    (a real office fills them in 系统设置; nothing already set is overwritten)."""
    from app.publicity_service import missing_office_details

    demo = {"--phone": ("phone", "0954-5010000"), "--district-phone": ("district_phone", "0954-5019999"),
            "--doc-prefix": ("doc_prefix", offices.own_office(session).name[:1] + "民发"),
            "--district-name": ("district_name", "演示县民政局")}
    changes = dict(demo[option] for _label, option in missing_office_details(session))
    if changes:
        offices.update_office(session, actor, **changes)


def generate(session: Session, actor: Actor, *, households: int, seed: int = 1,
             today: date | None = None, progress=None, cancelled=None) -> int:  # noqa: ANN001
    """Create ``households`` demo households with their histories; returns how many."""
    rng = random.Random(seed)
    names = _Names(rng)
    today = today or clock.today()
    _office_details(session, actor)
    existing = offices.list_villages(session, actor.office_code)
    for v in VILLAGES[: max(0, 8 - len(existing))]:
        if v not in existing:
            offices.add_village(session, actor, name=v)
    villages = offices.list_villages(session, actor.office_code)
    standards = rulesettings.get(session, "standards")
    clerk, reviewer = demo_actors(session, actor)
    region = actor.office_code[:6]
    used: set[str] = set()
    cats, weights = zip(*CATEGORIES)
    for i in range(households):
        if cancelled and cancelled():
            break
        category = rng.choices(cats, weights)[0]
        members = _members(rng, names, region, today, used, category.startswith("特困"))
        apply_day = today - timedelta(days=rng.randint(40, 1400))
        standard = Decimal(str(standards.get(category, {}).get(str(today.year), 600)))
        covered = sum(1 for m in members if m.lives_together)
        amount = (standard * Decimal(rng.randint(25, 100)) / 100 * covered).quantize(Decimal("1"))
        saved = hs.create_household(
            session, clerk, village=rng.choice(villages), category=category, members=members,
            urban_rural="城市" if category == "城市低保" else "农村",
            poverty_cause=rng.choice(CAUSES), classification=rng.choices("ABC", [50, 35, 15])[0],
            monthly_amount=amount, address=f"{rng.randint(1, 12)}组{rng.randint(1, 80)}号",
            phone=f"139{rng.randint(10000000, 99999999)}",
            bank_account=f"6228{rng.randint(10**14, 10**15 - 1)}", apply_date=apply_day, today=today)
        if category.endswith("低保") and rng.random() < 0.7:
            income.add_income(session, clerk, saved.id, kind=rng.choice(income.INCOME_KINDS[:3]),
                              amount=Decimal(rng.randint(20, 160) * 10), period="monthly")
        _history(session, clerk, reviewer, rng, saved.id, apply_day, today)
        if progress and (i + 1) % 50 == 0:
            progress(i + 1, households)
    return households


def _history(session: Session, clerk: Actor, reviewer: Actor, rng: random.Random, hid: str,
             start: date, today: date) -> None:
    """The case's steps; grants, amount changes and exits proposed by the clerk and approved by
    the reviewer (两人审核), as in the office."""
    day = start
    handler = rng.choice(HANDLERS)
    for kind, outcome, gap in (("受理", "受理", 2), ("家庭经济状况核对", "符合", 5),
                               ("入户调查", "两人入户，已签字", 3), ("民主评议", "同意，乡镇人员参加", 6)):
        day = min(today, day + timedelta(days=rng.randint(1, gap)))
        extra = {"家庭经济状况核对": {"report_number": f"HD{day:%Y%m%d}{rng.randint(1000, 9999)}"},
                 "入户调查": {"signers": [handler, rng.choice([h for h in HANDLERS if h != handler])]},
                 "民主评议": {"attendee": rng.choice(HANDLERS)}}.get(kind, {})
        hs.record_step(session, clerk, hid, kind=kind, day=day, handler=handler, outcome=outcome,
                       today=today, **extra)
    fate = rng.random()
    day = min(today, day + timedelta(days=rng.randint(2, 8)))
    if fate < 0.05:
        return  # still being decided
    if fate < 0.12:
        hs.change_status(session, reviewer, hid, status="未通过", reason="家庭人均收入高于保障标准", day=day)
        told = min(today, day + timedelta(days=rng.randint(0, 2)))  # in writing, within 3 working days
        hs.record_step(session, clerk, hid, kind="告知", day=told, handler=handler,
                       outcome="书面告知不予确认的理由", today=today)
        return
    hs.record_step(session, clerk, hid, kind="公示", day=day, handler=handler, outcome="无异议",
                   note="村务公开栏公示 7 天", today=today)
    day = day + timedelta(days=8)
    if day > today:
        return  # still in its 公示
    hh = session.get(Household, hid)
    _decide(session, reviewer, approvals.propose_grant(
        session, clerk, hid, day=day, reason="经审核符合条件",
        monthly_amount=_within_standard(session, hh, hh.monthly_amount, day)))
    while True:
        day = day + timedelta(days=rng.randint(150, 380))
        if day >= today:
            break
        # a review starts with the family's economic information check (在保必核)
        hs.record_step(session, clerk, hid, kind="家庭经济状况核对", day=day - timedelta(days=3),
                       handler=rng.choice(HANDLERS), outcome="符合", today=today,
                       report_number=f"HD{day:%Y%m%d}{rng.randint(1000, 9999)}")
        hs.record_step(session, clerk, hid, kind="复核", day=day, handler=rng.choice(HANDLERS),
                       outcome="情况无变化" if rng.random() < 0.8 else "收入有变化", today=today)
        if rng.random() < 0.15:
            hh = session.get(Household, hid)
            amount = _within_standard(session, hh, Decimal(rng.randint(150, 1800)), day)
            if amount == hh.monthly_amount:
                amount -= 10
            _decide(session, reviewer, approvals.propose_change(
                session, clerk, hid, day=day, reason="复核发现收入有变化", monthly_amount=amount))
        if rng.random() < 0.1:
            if codes.is_tekun(session.get(Household, hid).category):
                hs.record_step(session, clerk, hid, kind="终止公示", day=day - timedelta(days=8),
                               handler=handler, outcome="无异议", today=today)
            _decide(session, reviewer, approvals.propose_exit(
                session, clerk, hid, day=day, reason=rng.choice(EXIT_REASONS)))
            return


def _within_standard(session: Session, hh: Household, amount: Decimal, day: date) -> Decimal:
    """The demo pays by the standard: never above the maximum (app.amountcheck)."""
    c = amountcheck.ceiling(session, hh, hh.category, day)
    return min(Decimal(amount), c.maximum) if c is not None else Decimal(amount)


def _decide(session: Session, reviewer: Actor, proposal: approvals.ProposalInfo) -> None:
    approvals.approve(session, reviewer, proposal.id, note="同意")
