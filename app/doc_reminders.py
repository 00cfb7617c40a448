"""首页 reminders of the periodic documents besides the 动态管理月报: the monthly
专项整治工作台账 (due with the 月报), each village's monthly 公示 and the township's quarterly
公示. "Made" means printed or exported this period (the document audit entries)."""
from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import rulesettings
from app.offices import list_villages
from db.models import AuditEntry


@dataclass(frozen=True)
class DocReminder:
    what: str  # 专项整治工作台账 | 村级公示 | 乡镇公示
    text: str
    done: bool
    overdue: bool


def _made(session: Session, what: str, since: date) -> list[dict]:
    """The audit details of ``what`` documents made since ``since``."""
    out = []
    for (after,) in session.execute(select(AuditEntry.after).where(
            AuditEntry.entity == "document", AuditEntry.entity_id == what,
            AuditEntry.ts >= datetime(since.year, since.month, since.day) - timedelta(days=1))):
        try:
            out.append(json.loads(after or "{}"))
        except ValueError:
            continue
    return out


def reminders(session: Session, office_code: str, today: date) -> list[DocReminder]:
    label = f"{today.year}年{today.month}月"
    month_start = today.replace(day=1)
    due = today.replace(day=min(int(rulesettings.get(session, "monthly_report_day")),
                                calendar.monthrange(today.year, today.month)[1]))
    out = []
    ledger_done = any(d.get("period") == label for d in _made(session, "专项整治工作台账", month_start))
    left = (due - today).days
    out.append(DocReminder(
        "专项整治工作台账",
        "本月专项整治工作台账已生成。" if ledger_done else
        (f"本月专项整治工作台账与月报同于 {due.day} 日前报送，还有 {left} 天。" if left > 0 else
         "今天是专项整治工作台账的报送截止日。" if left == 0 else
         f"本月专项整治工作台账已逾期 {-left} 天未生成，请在“报表打印”中生成。"),
        ledger_done, not ledger_done and left < 0))
    villages = list_villages(session, office_code)
    made = {d.get("village") for d in _made(session, "公示", month_start) if d.get("period") == label}
    missing = [v for v in villages if v not in made]
    if villages:
        text = (f"本月村级公示已全部生成（{len(villages)} 个村（居））。" if not missing else
                f"本月村级公示：{len(villages) - len(missing)}/{len(villages)} 个村（居）已生成，"
                f"未生成：{'、'.join(missing[:5])}{'等' if len(missing) > 5 else ''}。")
        out.append(DocReminder("村级公示", text, not missing, False))
    q = (today.month - 1) // 3 + 1
    q_label = f"{today.year}年第{'一二三四'[q - 1]}季度"
    q_start = date(today.year, 3 * q - 2, 1)
    q_done = any(d.get("period") == q_label and not d.get("village") for d in _made(session, "公示", q_start))
    q_end = date(today.year, 3 * q, calendar.monthrange(today.year, 3 * q)[1])
    out.append(DocReminder(
        "乡镇公示", "本季度全乡镇公示已生成。" if q_done else
        f"本季度全乡镇公示尚未生成（季度末 {q_end:%m月%d日}）。", q_done, False))
    return out
