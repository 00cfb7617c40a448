"""Read-only history of one household from the audit trail: who changed what, and when.

Reads ``audit_log`` entries for the household, its members (also those removed) and its steps,
and turns each into field-level changes (before → after) with Chinese field labels.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

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
}
ACTION_LABELS = {
    "household.create": "登记家庭", "household.update": "修改家庭信息",
    "household.status": "变更保障状态", "household.review": "复核", "household.delete": "删除家庭",
    "member.create": "添加成员", "member.update": "修改成员", "member.remove": "移出成员",
    "member.move": "迁移成员", "step.create": "登记办理环节",
}


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
    return str(value)


def household_history(session: Session, household_id: str, *, limit: int = 2000) -> list[HistoryEntry]:
    """Entries for the household, its members and steps, newest first."""
    member_ids = list(session.execute(select(Member.id).where(
        Member.household_id == household_id)).scalars())
    step_ids = list(session.execute(select(Step.id).where(
        Step.household_id == household_id)).scalars())
    wanted = [("household", [household_id]), ("member", member_ids), ("step", step_ids)]
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
