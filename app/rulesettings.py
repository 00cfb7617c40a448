"""Rule settings: every time limit, frequency and list DOMAIN.md calls a setting.

They live in the ``settings`` table with the documented defaults below, are changed only by an
administrator (audited), and code reads them only through this module, never as literals.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app import audit, codes
from app.errors import ValidationError
from app.permissions import Actor, require
from db.models import Setting, utcnow


@dataclass(frozen=True)
class Rule:
    label: str
    default: Any
    source: str


RULES: dict[str, Rule] = {
    "gongshi_days": Rule("公示期（日历日）", 7, "《最低生活保障审核确认办法》第二十一条"),
    "refusal_notice_working_days": Rule("不予确认书面告知时限（工作日）", 3, "《最低生活保障审核确认办法》"),
    "dibao_decision_working_days": Rule("低保审核确认时限（工作日）", 30, "《最低生活保障审核确认办法》"),
    "dibao_decision_extension_working_days": Rule("情况复杂时可延长（工作日）", 15, "《最低生活保障审核确认办法》"),
    "tekun_investigation_working_days": Rule("特困调查及初审时限（工作日）", 15, "《特困人员认定办法》"),
    "tekun_objection_working_days": Rule("特困异议复查时限（工作日）", 15, "《特困人员认定办法》"),
    "tekun_decision_working_days": Rule("特困审核确认时限（工作日）", 10, "《特困人员认定办法》"),
    "review_frequency_months": Rule("复核频次（月）按分类", {"A": 12, "B": 6, "C": 3},
                                    "民政部 分类管理：基本稳定年度核查，收入不稳定半年核查；地方 A/B/C 细化"),
    "near_relative_relations": Rule("近亲属范围", ["配偶", "父母", "子女", "兄弟姐妹", "祖父母",
                                                 "外祖父母", "孙子女", "外孙子女"],
                                    "《民法典》第一千零四十五条；地方可扩大"),
    "gradual_exit_months": Rule("渐退期（月）按原因", {"领取养老金": 6, "就业": 6, "残疾人就业": 12},
                                "地方渐退政策"),
    "standards": Rule("保障标准（元/人·月）按类别和年度",
                      {"城市低保": {"2026": 800}, "农村低保": {"2026": 600},
                       "特困人员(分散供养)": {"2026": 780}, "特困人员(集中供养)": {"2026": 780}},
                      "区（县）民政局公布的年度标准（示例值，请按本地标准修改）"),
    "transfer_working_days": Rule("问题线索移交纪检监察时限（工作日）", 5, "区级专项整治方案"),
    "information_check_months": Rule("在保家庭经济状况核对间隔（月）", 12, "“在保必核”：每年至少核对一次（区县方案）"),
    "petition_sort_days": Rule("信访登记转送时限（日）", 15, "《信访工作条例》（2022）"),
    "petition_conclude_days": Rule("信访办结时限（日）", 60, "《信访工作条例》（2022）"),
    "petition_extension_max_days": Rule("信访延期上限（日）", 30, "《信访工作条例》（2022）"),
    "petition_review_request_days": Rule("复查复核申请期限（日）", 30, "《信访工作条例》（2022）"),
    "petition_review_answer_days": Rule("复查复核答复时限（日）", 30, "《信访工作条例》（2022）"),
    "petition_repeat_priority": Rule("重复反映标注重点（次）", 3, "市级漏保专项方案"),
    "monthly_report_day": Rule("动态管理月报上报日（每月）", 25, "县级专项整治方案"),
    "amount_floor_percent": Rule("低保金保底比例（%，0 为不设）", 0, "地方政策"),
    # family economic assessment (app.assessment)
    "amount_method": Rule("低保金计算方法（差额 或 分档）", "差额",
                          "《最低生活保障审核确认办法》：按差额发放；部分地方按困难程度分档发放"),
    "amount_tiers": Rule("分档发放：[人均收入不高于标准的%, 按标准的%发放]，由困难到宽裕",
                         [[25, 100], [50, 75], [75, 50], [100, 25]],
                         "地方分档施保办法（至少 4 档，最高档为全额标准）"),
    "deductible_expenditures": Rule("可从收入中扣减的刚性支出", [],
                                    "地方支出型困难家庭认定办法（医疗、教育、康复、住房）"),
    "classified_surcharges": Rule("分类施保（按人加发：“20%”为低保标准的百分比，“50元”为金额）",
                                  {"重度残疾": "20%", "重病": "15%", "老年": "50元", "未成年": "50元"},
                                  "民政部 分类施保；地方标准（示例值）"),
    "surcharge_stacking": Rule("一人符合多项分类施保时（最高一项 或 累加）", "最高一项", "地方分类施保办法"),
    "elderly_age": Rule("分类施保“老年”起始年龄（周岁）", 60, "地方分类施保办法"),
    "care_standards": Rule("特困人员照料护理标准（元/人·月）按自理能力",
                           {"全自理": 100, "半护理": 300, "全护理": 600},
                           "《特困人员认定办法》；区（县）公布的标准（示例值）"),
    "edge_multiple": Rule("低保边缘家庭：人均收入低于低保标准的倍数", 1.5,
                          "《最低生活保障边缘家庭认定办法》（一般不超过 1.5 倍）"),
    # case procedure (app.procedure, app.timelimits)
    "procedure_steps": Rule("审核确认前须完成的环节（按保障类别）", {
        "城市低保": ["受理", "家庭经济状况核对", "入户调查", "民主评议", "公示"],
        "农村低保": ["受理", "家庭经济状况核对", "入户调查", "民主评议", "公示"],
        "特困人员(分散供养)": ["受理", "家庭经济状况核对", "入户调查", "民主评议", "公示"],
        "特困人员(集中供养)": ["受理", "家庭经济状况核对", "入户调查", "民主评议", "公示"],
        "临时救助": ["受理", "入户调查"], "*": ["受理", "入户调查"]},
        "《最低生活保障审核确认办法》《特困人员认定办法》《临时救助办法》；“*”为其他类别"),
    "exit_steps": Rule("停保/退出前须完成的环节（按保障类别）",
                       {"特困人员(分散供养)": ["终止公示"], "特困人员(集中供养)": ["终止公示"]},
                       "《特困人员认定办法》第二十条：终止供养须公示 7 天"),
    "democratic_review_held": Rule("本单位开展民主评议（是 或 否）", "是", "《最低生活保障审核确认办法》：可组织民主评议"),
    "home_visit_min_signers": Rule("入户调查最少签字人数", 2, "《最低生活保障审核确认办法》第十五条：调查人员不少于 2 人"),
    "first_aid_completion_working_days": Rule("先行救助后补办程序时限（工作日）", 5, "《临时救助办法》：先行救助后补齐审核审批手续"),
    "petition_accept_notice_working_days": Rule("实名举报受理情况告知时限（工作日）", 15,
                                                "《纪检监察机关处理检举控告工作规则》第二十条"),
    "annual_check_months": Rule("在保家庭经济状况核对间隔（月）", 12, "民政部：在保对象每年至少核对一次（在保必核）"),
    "county_visit_working_days": Rule("近亲属备案对象县级入户核查时限（工作日，示例值）", 20,
                                      "县级专项整治方案：近亲属享受救助的逐户复核、县级入户"),
    "board_update_days": Rule("村公示栏更新间隔（日）", 31, "村级每月更新、乡镇每季度更新"),
}


def _check_tiers(label: str, value: list) -> None:
    """分档: at least 4 tiers, income thresholds rising, the first (hardest) one the full standard."""
    ok = len(value) >= 4 and all(isinstance(t, list) and len(t) == 2 and all(
        isinstance(x, (int, float)) and not isinstance(x, bool) and 0 <= x <= 100 for x in t)
        for t in value)
    if not ok:
        raise ValidationError(label, value, "至少 4 档，每档为 [人均收入不高于标准的%, 按标准的%发放]，数值 0–100")
    limits = [t[0] for t in value]
    if limits != sorted(set(limits)) or value[0][1] != 100 or limits[-1] != 100:
        raise ValidationError(label, value, "收入上限须逐档递增、最后一档为 100；第一档（最困难）须为全额标准 100%")


def _check_choice(choices: tuple[str, ...]):  # noqa: ANN202
    def check(label: str, value: str) -> None:
        if value not in choices:
            raise ValidationError(label, value, f"应为以下之一：{'、'.join(choices)}")
    return check


def _check_expenditures(label: str, value: list) -> None:
    bad = [v for v in value if v not in EXPENDITURE_KINDS]
    if bad:
        raise ValidationError(label, "、".join(map(str, bad)), f"应为以下之一：{'、'.join(EXPENDITURE_KINDS)}")


def _check_surcharges(label: str, value: dict) -> None:
    for group, text in value.items():
        if not isinstance(text, str) or not re.fullmatch(r"\d+(\.\d{1,2})?(%|元)", text.strip()):
            raise ValidationError(label, f"{group}={text}", "应写成“20%”（低保标准的百分比）或“50元”")


def _check_amount_map(label: str, value: dict) -> None:
    for name, amount in value.items():
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0:
            raise ValidationError(label, f"{name}={amount}", "应为不小于 0 的金额（元/人·月）")


EXPENDITURE_KINDS = ("医疗", "教育", "康复", "住房")
PROCEDURE_STEPS = ("受理", "家庭经济状况核对", "入户调查", "民主评议", "公示")
EXIT_STEPS = ("终止公示", "入户调查", "家庭经济状况核对")


def _check_step_map(label: str, value: dict, allowed: tuple[str, ...]) -> None:
    """Per 保障类别 (or “*” for the others) a list of steps from ``allowed``, none twice."""
    for category, steps in value.items():
        if category != "*" and category not in codes.values("categories"):
            raise ValidationError(label, category, "不是保障类别（其他类别用“*”）")
        if not isinstance(steps, list) or any(s not in allowed for s in steps) or len(set(steps)) != len(steps):
            raise ValidationError(label, f"{category}={steps}", f"应为不重复的环节列表，环节取自：{'、'.join(allowed)}")
ASSESSMENT_CHECKS = {
    "amount_tiers": _check_tiers,
    "amount_method": _check_choice(("差额", "分档")),
    "surcharge_stacking": _check_choice(("最高一项", "累加")),
    "deductible_expenditures": _check_expenditures,
    "classified_surcharges": _check_surcharges,
    "care_standards": _check_amount_map,
    "democratic_review_held": _check_choice(("是", "否")),
    "procedure_steps": lambda label, value: _check_step_map(label, value, PROCEDURE_STEPS),
    "exit_steps": lambda label, value: _check_step_map(label, value, EXIT_STEPS),
}


def _row(session: Session, key: str) -> Setting | None:
    if key not in RULES:
        raise ValidationError("设置项", key, "没有这个规则设置")
    return session.get(Setting, key)


def get(session: Session, key: str) -> Any:
    """The value in force (cached for the unit of work; a change clears the cache)."""
    cache = session.info.setdefault("rulesettings", {})
    if key not in cache:
        row = _row(session, key)
        cache[key] = RULES[key].default if row is None else json.loads(row.value)
    return cache[key]


def all_settings(session: Session) -> dict[str, Any]:
    return {key: get(session, key) for key in RULES}


def _check_type(key: str, value: Any) -> None:
    default = RULES[key].default
    label = RULES[key].label
    expected = (int, float) if isinstance(default, float) else type(default)
    if isinstance(default, bool) or isinstance(value, bool) or not isinstance(value, expected):
        raise ValidationError(label, value, f"应为{type(default).__name__}类型，与默认值 {default!r} 相同")
    if isinstance(default, (int, float)) and not (0 <= value <= 3650):
        raise ValidationError(label, value, "应在 0 到 3650 之间")
    if key in ASSESSMENT_CHECKS:
        ASSESSMENT_CHECKS[key](label, value)
    if isinstance(default, dict) and key == "review_frequency_months":
        for cls, months in value.items():
            if not isinstance(months, int) or not 1 <= months <= 24:
                raise ValidationError(label, f"{cls}={months}", "复核间隔应为 1 到 24 个月的整数")


def set_value(session: Session, actor: Actor, key: str, value: Any) -> None:
    """Change one rule setting (administrator only), audited with before and after."""
    require(actor, "settings.edit")
    _check_type(key, value)
    row = _row(session, key)
    before = None if row is None else audit.state(row)
    if row is None:
        row = Setting(key=key, value="null")
        session.add(row)
    row.value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    row.updated_at, row.updated_by = utcnow(), actor.username
    session.info.pop("rulesettings", None)
    audit.record_change(session, actor, "setting.update", "setting", row, before)
    from app import deadlines  # here: deadlines reads the settings (recompute what depends on it)

    deadlines.after_setting(session, actor, key)


def seed_defaults(session: Session, actor: Actor) -> None:
    """Write every default into the database (at init), audited."""
    for key, rule in RULES.items():
        if session.get(Setting, key) is None:
            row = Setting(key=key, value=json.dumps(rule.default, ensure_ascii=False, sort_keys=True),
                          updated_at=utcnow(), updated_by=actor.username)
            session.add(row)
            audit.record_change(session, actor, "setting.create", "setting", row, None)
