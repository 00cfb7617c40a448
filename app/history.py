"""Read-only history of one household from the audit trail: who changed what, and when.

Reads ``audit_log`` entries for the household, its members (also those removed), its steps, its
review proposals (两人审核: proposed, approved, refused, withdrawn), its income, expenditure and
asset entries and saved assessments, and turns each into field-level changes (before → after)
with Chinese field labels.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.assessment_models import Assessment, Asset, Expenditure, IncomeItem, Proposal
from db.models import AuditEntry, Member, Step, User, Village

FIELD_LABELS = {
    "household": {
        "number": "户编号", "village_id": "村（居）", "head_name": "户主姓名", "address": "住址",
        "phone": "联系电话", "bank_account": "银行账号", "urban_rural": "城乡",
        "category": "保障类别", "status": "保障状态", "classification": "分类",
        "monthly_amount": "月保障金额", "poverty_cause": "致贫原因", "apply_date": "申请日期",
        "approve_date": "审核确认日期", "exit_date": "退出日期", "exit_reason": "退出原因",
        "last_review_date": "上次复核日期", "next_review_date": "下次复核日期", "note": "备注",
        "deleted_at": "删除时间"},
    "member": {
        "name": "姓名", "id_number": "身份证号", "gender": "性别", "birth_date": "出生日期",
        "relation": "与户主关系", "lives_together": "共同生活", "covered": "保障对象",
        "work_ability": "劳动能力", "health": "健康状况", "disability": "残疾情况",
        "phone": "联系电话", "note": "备注", "household_id": "所在家庭", "deleted_at": "移出时间"},
    "step": {"kind": "环节", "day": "办理日期", "handler": "经办人", "outcome": "结果", "note": "说明"},
    "proposal": {"kind": "提议类型", "state": "审核状态", "day": "生效日期", "reason": "提议理由",
                 "before": "审核前", "after": "审核后", "proposed_by": "提出人",
                 "decided_by": "审核人", "decision_note": "审核意见"},
    "income": {"kind": "收入类型", "period": "周期", "amount": "金额", "note": "备注",
               "deleted_at": "删除时间"},
    "expenditure": {"kind": "支出类型", "period": "周期", "amount": "金额", "note": "备注",
                    "deleted_at": "删除时间"},
    "asset": {"kind": "财产类型", "quantity": "数量", "area": "面积（平方米）", "value": "价值",
              "note": "备注", "deleted_at": "删除时间"},
    "assessment": {"day": "评估日期", "category": "保障类别", "method": "计算方法",
                   "persons_counted": "计入人口", "annual_income": "家庭年收入", "amount": "测算金额",
                   "suggestion": "建议"},
}
PROPOSAL_FIELDS = {"status": "保障状态", "category": "保障类别", "monthly_amount": "月保障金额",
                   "exit_reason": "退出原因"}
PERIOD_WORDS = {"monthly": "每月", "yearly": "每年"}
ACTION_LABELS = {
    "household.create": "登记家庭", "household.update": "修改家庭信息",
    "household.status": "变更保障状态", "household.review": "复核", "household.delete": "删除家庭",
    "member.create": "添加成员", "member.update": "修改成员", "member.remove": "移出成员",
    "member.move": "迁移成员", "step.create": "登记办理环节",
    "proposal.create": "提交审核", "proposal.approve": "审核批准", "proposal.refuse": "审核退回",
    "proposal.withdraw": "撤回提议", "income.create": "登记收入", "income.remove": "删除收入",
    "expenditure.create": "登记刚性支出", "expenditure.remove": "删除刚性支出",
    "asset.create": "登记财产", "asset.remove": "删除财产", "assessment.create": "保存测算",
}
# entity -> model with a household_id column whose audit entries belong to the household
HOUSEHOLD_PARTS = (("member", Member), ("step", Step), ("proposal", Proposal),
                   ("income", IncomeItem), ("expenditure", Expenditure), ("asset", Asset),
                   ("assessment", Assessment))


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    seq: int
    ts: datetime
    username: str
    user_name: str  # display name, or the username when unknown
    action: str  # Chinese
    subject: str  # e.g. "家庭", "成员 张三", "办理环节 入户调查"
    changes: list[FieldChange] = field(default_factory=list)


def _show(key: str, value: object, villages: dict[str, str]) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "village_id":
        return villages.get(str(value), str(value))
    if key in ("before", "after") and isinstance(value, str) and value.startswith("{"):
        try:
            data = json.loads(value)
        except ValueError:
            return value
        return "；".join(f"{label} {data[k]}" for k, label in PROPOSAL_FIELDS.items()
                        if data.get(k) not in (None, ""))
    if key == "period":
        return PERIOD_WORDS.get(str(value), str(value))
    return str(value)


def household_history(session: Session, household_id: str, *, limit: int = 2000) -> list[HistoryEntry]:
    """Entries for the household, its members, steps, proposals, means items and assessments,
    newest first."""
    wanted = [("household", [household_id])]
    for entity, model in HOUSEHOLD_PARTS:
        wanted.append((entity, list(session.execute(select(model.id).where(
            model.household_id == household_id)).scalars())))
    entries: list[AuditEntry] = []
    for entity, ids in wanted:
        for i in range(0, len(ids), 500):
            entries.extend(session.execute(select(AuditEntry).where(
                AuditEntry.entity == entity, AuditEntry.entity_id.in_(ids[i:i + 500]))).scalars())
    entries.sort(key=lambda e: e.seq, reverse=True)
    entries = entries[:limit]
    names = dict(session.execute(select(User.username, User.display_name)).all())
    villages = {v_id: name for v_id, name in session.execute(select(Village.id, Village.name))}
    return [_entry(e, names, villages) for e in entries]


def _entry(e: AuditEntry, names: dict[str, str], villages: dict[str, str]) -> HistoryEntry:
    before = json.loads(e.before) if e.before else {}
    after = json.loads(e.after) if e.after else {}
    labels = FIELD_LABELS.get(e.entity, {})
    current = after or before
    if e.entity == "member":
        subject = f"成员 {current.get('name', '')}"
    elif e.entity == "step":
        subject = f"办理环节 {current.get('kind', '')}"
    elif e.entity == "proposal":
        subject = f"审核提议 {current.get('kind', '')}"
    elif e.entity in ("income", "expenditure", "asset"):
        word = {"income": "收入", "expenditure": "刚性支出", "asset": "财产"}[e.entity]
        subject = f"{word} {current.get('kind', '')}"
    elif e.entity == "assessment":
        subject = f"测算 {current.get('day', '')}"
    else:
        subject = "家庭"
    changes = []
    for key, label in labels.items():
        old, new = before.get(key), after.get(key)
        if old == new or (not before and new in (None, "")):
            continue
        if key == "household_id" and not before:
            continue
        changes.append(FieldChange(label, _show(key, old, villages) if before else "",
                                   _show(key, new, villages)))
    return HistoryEntry(seq=e.seq, ts=e.ts, username=e.username,
                        user_name=names.get(e.username, e.username),
                        action=ACTION_LABELS.get(e.action, e.action), subject=subject,
                        changes=changes)
