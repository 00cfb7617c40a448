"""Recalculation when standards change (each year, by urban/rural and district).

Preview: every household in force whose category uses a standard that takes effect on the day,
with the amount now paid, the amount under the new standard, and 增发 / 减发 / 不变 — or why it
is not recalculated (no saved assessment yet, in a 渐退 grace period, an open proposal).

Apply (design): the clerk confirms the preview; each changed household gets a saved assessment
dated the effective day and an ordinary amount proposal (金额调整) carrying the derivation, all
under one ``batch_id``. A 审核人 reviews the batch side by side, may refuse single ones, and
approves the rest at once (:func:`app.assessment.approvals.approve_batch`). Each approval is one
audited ``household.update`` plus a dated 调整 step, so the monthly report lists it like any
other adjustment. The two-person rule thus holds for batch changes too, with no second path.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessment import approvals, standards
from app.assessment.assess import DIBAO, TEKUN, assess, latest_inputs, save_assessment
from app.assessment.approvals import ProposalInfo
from app.errors import ValidationError
from app.households import IN_FORCE
from app.permissions import Actor, require
from db.assessment_models import GracePeriod
from db.models import Household, Village

ACTIVE_GRACE = ("进行中", "已提出退出")


@dataclass(frozen=True)
class RecalcRow:
    household_id: str
    number: str
    head_name: str
    village: str
    category: str
    old: Decimal
    new: Decimal | None
    change: str  # 增发 | 减发 | 不变 | 未评估 | 渐退期内 | 有待审核提议 | 无法计算
    note: str | None = None
    lines: tuple[str, ...] = ()

    @property
    def difference(self) -> Decimal | None:
        return None if self.new is None else self.new - self.old


@dataclass
class RecalcPreview:
    day: date
    changed: list[str]  # the standards taking effect, as text
    rows: list[RecalcRow] = field(default_factory=list)

    def count(self, change: str) -> int:
        return sum(1 for r in self.rows if r.change == change)


@dataclass
class RecalcBatch:
    batch_id: str
    proposals: list[ProposalInfo]
    skipped: list[RecalcRow]


def affected_categories(kind: str, variant: str) -> set[str]:
    """Which 保障类别 use a standard of this kind and variant."""
    if kind == "低保":
        return {c for c, v in DIBAO.items() if v == variant}
    if kind in ("分类施保", "低保边缘"):
        return set(DIBAO)
    if kind == "特困基本":
        return {c for c, v in TEKUN.items() if v == variant}
    return set(TEKUN)


def _active_grace(session: Session) -> set[str]:
    return set(session.execute(select(GracePeriod.household_id).where(
        GracePeriod.state.in_(ACTIVE_GRACE), GracePeriod.deleted_at.is_(None))).scalars())


def preview_recalculation(session: Session, *, day: date) -> RecalcPreview:
    """List every household affected by the standards taking effect on ``day`` (read only)."""
    pairs = standards.changed_on(session, day)
    if not pairs:
        raise ValidationError("生效日期", day.isoformat(), "该日没有新的保障标准开始执行，无需重算")
    categories: set[str] = set()
    changed = []
    for old, new in pairs:
        categories |= affected_categories(new.kind, new.variant)
        changed.append(f"{new.label}：{old.value if old else '（无）'} → {new.value}{new.unit}（{day} 起）")
    preview = RecalcPreview(day, changed)
    in_grace = _active_grace(session)
    stmt = (select(Household, Village.name).join(Village, Village.id == Household.village_id)
            .where(Household.deleted_at.is_(None), Household.status.in_(IN_FORCE),
                   Household.category.in_(sorted(categories)))
            .order_by(Village.sort_order, Village.name, Household.number))
    for hh, village in session.execute(stmt):
        old = Decimal(hh.monthly_amount)

        def row(change: str, new: Decimal | None = None, note: str | None = None,
                lines: tuple[str, ...] = ()) -> RecalcRow:
            return RecalcRow(hh.id, hh.number, hh.head_name, village, hh.category, old, new,
                             change, note, lines)

        if hh.id in in_grace:
            preview.rows.append(row("渐退期内", note="渐退期内保持原金额，不自动重算"))
            continue
        if approvals.open_proposal(session, hh.id) is not None:
            preview.rows.append(row("有待审核提议", note="请先审核或撤回该户的待审核提议"))
            continue
        inputs = latest_inputs(session, hh.id)
        if inputs is None:
            preview.rows.append(row("未评估", note="没有保存的家庭经济状况评估，请先评估"))
            continue
        try:
            result = assess(session, hh.id, day=day, inputs=inputs)
        except ValidationError as exc:
            preview.rows.append(row("无法计算", note=str(exc)))
            continue
        new = result.amount
        change = "增发" if new > old else "减发" if new < old else "不变"
        preview.rows.append(row(change, new, lines=tuple(result.derivation.lines)))
    return preview


def apply_recalculation(session: Session, actor: Actor, *, day: date,
                        reason: str | None = None) -> RecalcBatch:
    """Turn the confirmed preview into one batch of amount proposals (see module docstring)."""
    require(actor, "household.propose")
    standards.ensure_seeded(session, actor)
    preview = preview_recalculation(session, day=day)
    batch_id = str(uuid.uuid4())
    why = reason or f"保障标准调整，自 {day:%Y年%m月%d日} 起按新标准重算"
    proposals, skipped = [], []
    for r in preview.rows:
        if r.change not in ("增发", "减发"):
            skipped.append(r)
            continue
        result = save_assessment(session, actor, r.household_id, day=day,
                                 inputs=latest_inputs(session, r.household_id))
        proposals.append(approvals.propose_change(
            session, actor, r.household_id, day=day, reason=f"{why}（{r.change}）",
            monthly_amount=result.amount, derivation=result.as_dict(),
            assessment_id=result.assessment_id, batch_id=batch_id))
    return RecalcBatch(batch_id, proposals, skipped)
