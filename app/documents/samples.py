"""Synthetic data for tests, benchmarks and previews of the documents.

Generated names include rare characters (䶮 堃 喆 𠇔 㛃 玥); ID numbers are
made up with a valid check digit.  Never real people.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from app.documents.model import (
    ChangeRow, HouseholdRow, OfficeInfo, ProblemRow, SelfCheckFigures,
)

RARE = "䶮堃喆𠇔㛃玥"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅金凤海波春燕" + RARE
CATEGORIES = ["农村低保", "农村低保", "农村低保", "城市低保", "特困人员(分散供养)",
              "特困人员(集中供养)"]
CAUSES = ["因病", "因残", "缺劳力", "因学", "因灾", "缺技术", "自身发展动力不足"]
VILLAGES = ["东山村", "西河村", "南岗村", "北塬村", "上庄村", "下寨村", "新民社区", "红星村",
            "和平村", "团结村", "光明社区", "前进村"]
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(region: str, born: date, seq: int) -> str:
    """A made-up 18-digit 公民身份号码 with a correct check digit."""
    body = f"{region}{born:%Y%m%d}{seq % 1000:03d}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS))
    return body + "10X98765432"[total % 11]


def sample_office() -> OfficeInfo:
    return OfficeInfo(code="640424100", name="香山镇人民政府", district_name="某某县民政局",
                      phone="0954-1234567", district_phone="0954-7654321",
                      address="香山镇便民服务中心民政窗口", doc_prefix="香民发")


def sample_name(r: random.Random) -> str:
    return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2))))


def sample_households(n: int, *, seed: int = 1, villages: int = 8,
                      status: str = "在保") -> list[HouseholdRow]:
    r = random.Random(seed)
    vs = VILLAGES[:villages]
    out = []
    for i in range(n):
        born = date(1940, 1, 1) + timedelta(days=r.randint(0, 60 * 365))
        cat = r.choice(CATEGORIES)
        size = 1 if cat.startswith("特困") else r.randint(1, 6)
        approve = date(2020, 1, 1) + timedelta(days=r.randint(0, 2000))
        h = HouseholdRow(
            uuid=f"00000000-0000-4000-8000-{i:012d}", village=r.choice(vs),
            head_name=sample_name(r), head_id_number=id_number("640424", born, i),
            head_birth_date=born, household_size=size, category=cat,
            poverty_cause=r.choice(CAUSES),
            monthly_amount=Decimal(r.randint(150, 1500)) + Decimal(r.choice(("0", "0.5"))),
            status=status, apply_date=approve - timedelta(days=30), approve_date=approve,
            phone=f"139{r.randint(0, 99999999):08d}",
            bank_account=f"62284800{r.randint(0, 10**11 - 1):011d}",
            illness=r.choice(["尿毒症", "肺癌", "糖尿病并发症", None]),
            disability=r.choice(["肢体二级", "视力一级", None]),
            screening_conclusion="符合条件", handling_opinion="继续保障")
        if status == "退出":
            h.exit_date = approve + timedelta(days=400)
            h.exit_reason = r.choice(["收入超标", "死亡", "迁出", "自愿退出"])
            h.screening_conclusion, h.handling_opinion = "退出程序规范", "无"
        elif status == "未通过":
            h.refuse_reason = r.choice(["家庭收入超过低保标准", "拥有机动车辆", "拥有商业用房"])
            h.screening_conclusion, h.handling_opinion = "告知及时", "无"
        out.append(h)
    return out


def sample_changes(year: int, month: int, *, seed: int = 2, added: int = 12, exited: int = 5,
                   adjusted: int = 4, deaths: int = 0) -> list[ChangeRow]:
    hh = sample_households(added + exited + adjusted + deaths, seed=seed)
    d = date(year, month, 10)
    out = []
    for h in hh[:added]:
        out.append(ChangeRow("新增", h.head_name, h.village, h.household_size, None,
                             h.monthly_amount, h.poverty_cause, d, h.category))
    for h in hh[added:added + exited]:
        out.append(ChangeRow("退出", h.head_name, h.village, h.household_size, h.monthly_amount,
                             None, "收入超标", d, h.category))
    for h in hh[added + exited:added + exited + adjusted]:
        out.append(ChangeRow("调整", h.head_name, h.village, h.household_size, h.monthly_amount,
                             h.monthly_amount + 60, "家庭收入减少", d, h.category))
    for h in hh[added + exited + adjusted:]:
        out.append(ChangeRow("死亡", h.head_name, h.village, 1, h.monthly_amount, None,
                             "已停保", d, h.category))
    return out


def sample_figures() -> SelfCheckFigures:
    return SelfCheckFigures(
        households_reviewed=1234, persons_reviewed=3210, newly_included_households=56,
        newly_included_persons=150, exited_households=40, exited_persons=98,
        adjusted_households=33, problems_by_category={"错保": 3, "漏保": 2, "死亡未及时停保": 1},
        rectified=4, overdue=1, transferred=1, petitions_received=12, petitions_concluded=10)


def sample_problems(n: int, *, seed: int = 3) -> list[ProblemRow]:
    r = random.Random(seed)
    cats = ["错保", "漏保", "公示不规范", "死亡未及时停保", "近亲属未备案"]
    out = []
    for i in range(n):
        out.append(ProblemRow(
            category=r.choice(cats), source=r.choice(["自查自纠", "信访举报", "大数据比对"]),
            description=f"{r.choice(VILLAGES)}{sample_name(r)}户家庭收入超标仍享受低保，经核查属实，"
                        f"已责令村委会限期整改（第{i + 1}项）。",
            status=r.choice(["整改中", "已整改", "已销号"]),
            deadline=date(2026, 12, 31), responsible=sample_name(r)))
    return out


SELFCHECK_PARAGRAPHS = [
    "根据县民政局《关于开展农村低保专项治理自查自纠工作的通知》要求，我镇成立了以镇长为组长的"
    "工作领导小组，对全镇最低生活保障、特困人员供养等救助对象开展了全面自查自纠。现将有关情况报告如下：",
    "一、基本情况",
    "{figures}",
    "二、存在的主要问题",
    "（一）动态管理不够及时。个别村对家庭收入变化的低保户未能及时调整保障金额，存在“应退未退”现象。",
    "（二）公示不够规范。部分村公示栏内容不全，未公布监督举报电话。",
    "三、整改措施",
    "（一）立行立改。对发现的问题逐一建立台账，明确责任人和整改时限，做到即知即改、对账销号。",
    "（二）建立长效机制。严格执行“逢进必核”“在保必核”，每季度开展一次排查。",
    "四、下一步工作打算",
    "我镇将持续巩固专项治理成果，进一步规范低保审核确认程序，确保不漏一户、不落一人。",
]
