"""Rule settings: every time limit, frequency and list DOMAIN.md calls a setting.

They live in the ``settings`` table with the documented defaults below, are changed only by an
administrator (audited), and code reads them only through this module, never as literals.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app import audit
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
    "petition_sort_days": Rule("信访登记转送时限（日）", 15, "《信访工作条例》（2022）"),
    "petition_conclude_days": Rule("信访办结时限（日）", 60, "《信访工作条例》（2022）"),
    "petition_extension_max_days": Rule("信访延期上限（日）", 30, "《信访工作条例》（2022）"),
    "petition_review_request_days": Rule("复查复核申请期限（日）", 30, "《信访工作条例》（2022）"),
    "petition_review_answer_days": Rule("复查复核答复时限（日）", 30, "《信访工作条例》（2022）"),
    "petition_repeat_priority": Rule("重复反映标注重点（次）", 3, "市级漏保专项方案"),
    "monthly_report_day": Rule("动态管理月报上报日（每月）", 25, "县级专项整治方案"),
    "amount_floor_percent": Rule("低保金保底比例（%，0 为不设）", 0, "地方政策"),
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
    if isinstance(default, bool) or not isinstance(value, type(default)):
        raise ValidationError(label, value, f"应为{type(default).__name__}类型，与默认值 {default!r} 相同")
    if isinstance(default, int) and not (0 <= value <= 3650):
        raise ValidationError(label, value, "应在 0 到 3650 之间")
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


def seed_defaults(session: Session, actor: Actor) -> None:
    """Write every default into the database (at init), audited."""
    for key, rule in RULES.items():
        if session.get(Setting, key) is None:
            row = Setting(key=key, value=json.dumps(rule.default, ensure_ascii=False, sort_keys=True),
                          updated_at=utcnow(), updated_by=actor.username)
            session.add(row)
            audit.record_change(session, actor, "setting.create", "setting", row, None)
