"""Two pairs of eyes (两人审核): a new grant (申请中→在保), a category change, an amount change and
an exit (→已退出) take effect only when a 审核人 approves what a 经办人 (or another 审核人) proposed.

- The proposal keeps the gated fields before and after, side by side, and the derivation of a
  calculated amount; it is audited when proposed and when decided.
- The same user cannot propose and approve; a refusal needs a reason; one open proposal per
  household at a time; a proposal whose "before" no longer matches the household (changed
  meanwhile) cannot be approved.
- Approval applies the change through the registry (``household.status`` / ``household.update``
  audit entries and a dated step: 审核确认, 调整 or 停保/退出), so reports keep reading them.
- A batch (e.g. a recalculation after a standards change) is a set of ordinary proposals with one
  ``batch_id``; a reviewer may refuse single ones and then approve the rest at once.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import amountcheck, audit, clock, inputs, procedure
from app import households as hs
from app.errors import NotFound, ValidationError
from app.permissions import Actor, require
from db.assessment_models import GracePeriod, Proposal
from db.models import Household, Village, utcnow

PENDING, APPROVED, REFUSED, WITHDRAWN = "待审核", "已批准", "已退回", "已撤回"
FIELD_LABELS = {"status": "保障状态", "category": "保障类别", "monthly_amount": "月保障金额",
                "exit_reason": "退出原因"}


@dataclass(frozen=True)
class FieldPair:
    """One gated field, before and after, for the side-by-side view."""

    field: str
    label: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class ProposalInfo:
    id: str
    household_id: str
    household_number: str
    head_name: str
    village: str
    kind: str  # 纳入 | 类别变更 | 金额调整 | 退出
    state: str  # 待审核 | 已批准 | 已退回 | 已撤回
    day: date
    reason: str
    before: dict
    after: dict
    pairs: list[FieldPair]
    derivation: list[str]  # Chinese lines of the calculation, when there is one
    batch_id: str | None
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    version: int


def _snapshot(hh: Household) -> dict:
    return {"status": hh.status, "category": hh.category, "monthly_amount": f"{Decimal(hh.monthly_amount):.2f}"}


def _info(session: Session, p: Proposal) -> ProposalInfo:
    hh = session.get(Household, p.household_id)
    village = session.get(Village, hh.village_id)
    before, after = json.loads(p.before), json.loads(p.after)
    pairs = [FieldPair(k, FIELD_LABELS[k], before.get(k), after.get(k)) for k in FIELD_LABELS
             if k in before or k in after]
    derivation = json.loads(p.derivation) if p.derivation else {}
    return ProposalInfo(p.id, hh.id, hh.number, hh.head_name, village.name, p.kind, p.state, p.day,
                        p.reason, before, after, pairs, list(derivation.get("lines", [])), p.batch_id,
                        p.proposed_by, p.proposed_at, p.decided_by, p.decided_at, p.decision_note,
                        p.version)


def _household(session: Session, household_id: str) -> Household:
    hh = session.get(Household, household_id)
    if hh is None or hh.deleted_at is not None:
        raise NotFound(f"找不到家庭：{household_id}")
    return hh


def open_proposal(session: Session, household_id: str) -> Proposal | None:
    return session.execute(select(Proposal).where(
        Proposal.household_id == household_id, Proposal.state == PENDING,
        Proposal.deleted_at.is_(None))).scalars().first()


def _create(session: Session, actor: Actor, hh: Household, *, kind: str, day: date, reason: str,
            after: dict, derivation: dict | None, assessment_id: str | None,
            batch_id: str | None) -> ProposalInfo:
    require(actor, "household.propose")
    hs.require_own(actor, hh, f"{hh.head_name}户")
    if not (reason or "").strip():
        raise ValidationError("提议理由", reason, "提交审核必须写明理由")
    if not isinstance(day, date):
        raise ValidationError("生效日期", day, "必须填写（YYYY-MM-DD）")
    if hh.apply_date and day < hh.apply_date:
        raise ValidationError("生效日期", day.isoformat(), f"不能早于申请日期 {hh.apply_date}")
    other = open_proposal(session, hh.id)
    if other is not None:
        raise ValidationError("审核提议", f"{hh.head_name}户", f"已有待审核的提议（{other.kind}，"
                              f"{other.proposed_by} 于 {other.proposed_at:%Y-%m-%d %H:%M} 提出）："
                              "请先审核或撤回该提议")
    before = _snapshot(hh)
    full_after = dict(before, **after)
    p = Proposal(owner_office=hh.owner_office, household_id=hh.id, kind=kind, state=PENDING, day=day,
                 reason=reason.strip(), before=audit.canonical(before),
                 after=audit.canonical(full_after),
                 derivation=audit.canonical(derivation) if derivation else None,
                 assessment_id=assessment_id, batch_id=batch_id, proposed_by=actor.username,
                 proposed_at=utcnow(), updated_by=actor.username)
    session.add(p)
    audit.record_change(session, actor, "proposal.create", "proposal", p, None)
    return _info(session, p)


def _over_maximum(session: Session, actor: Actor, hh: Household, *, category: str, amount: str,
                  day: date, derivation: dict | None, reason: str | None, stage: str) -> dict | None:
    """不按标施保 at the source (:mod:`app.amountcheck`): above the maximum needs a written reason;
    the maximum and its derivation join the proposal's derivation lines."""
    record = amountcheck.check(session, actor, hh, category=category, amount=Decimal(amount), day=day,
                               reason=reason, stage=stage)
    if record is None:
        return derivation
    out = dict(derivation or {})
    out["lines"] = list(out.get("lines", [])) + [
        f"{amountcheck.RULE}：最多 {record['maximum']} 元（{'；'.join(record['derivation'])}）",
        f"{stage}书面理由：{record['reason']}"]
    out["over_maximum"] = record
    return out


def propose_grant(session: Session, actor: Actor, household_id: str, *, day: date, reason: str,
                  category: str | None = None, monthly_amount: object = None,
                  derivation: dict | None = None, assessment_id: str | None = None,
                  over_reason: str | None = None) -> ProposalInfo:
    """Propose a new grant (申请中→在保) with its category and monthly amount (above the
    maximum for the category and family size only with ``over_reason``)."""
    hh = _household(session, household_id)
    if hh.status != "申请中":
        raise ValidationError("保障状态", hh.status, "只有“申请中”的家庭可以提议纳入保障")
    after = {"status": "在保", "category": hs.choice("保障类别", category or hh.category, "categories"),
             "monthly_amount": f"{inputs.amount('月保障金额', hh.monthly_amount if monthly_amount is None else monthly_amount):.2f}"}
    if isinstance(day, date):
        derivation = _over_maximum(session, actor, hh, category=after["category"], amount=after["monthly_amount"],
                                   day=day, derivation=derivation, reason=over_reason, stage="提议")
    return _create(session, actor, hh, kind="纳入", day=day, reason=reason, after=after,
                   derivation=derivation, assessment_id=assessment_id, batch_id=None)


def propose_change(session: Session, actor: Actor, household_id: str, *, day: date, reason: str,
                   category: str | None = None, monthly_amount: object = None,
                   derivation: dict | None = None, assessment_id: str | None = None,
                   batch_id: str | None = None, over_reason: str | None = None) -> ProposalInfo:
    """Propose a category change and/or an amount change (调整) of a household in force (above
    the maximum for the category and family size only with ``over_reason``)."""
    hh = _household(session, household_id)
    if hh.status not in hs.IN_FORCE:
        raise ValidationError("保障状态", hh.status, f"只有“{'、'.join(hs.IN_FORCE)}”的家庭可以提议变更类别或金额"
                              "（申请中的家庭直接修改申请内容）")
    after = {}
    if category is not None and category != hh.category:
        after["category"] = hs.choice("保障类别", category, "categories")
    if monthly_amount is not None and inputs.amount('月保障金额', monthly_amount) != Decimal(hh.monthly_amount):
        after["monthly_amount"] = f"{inputs.amount('月保障金额', monthly_amount):.2f}"
    if not after:
        raise ValidationError("审核提议", f"{hh.head_name}户", "提议的类别和金额与现在相同，没有需要审核的变更")
    kind = "类别变更" if "category" in after else "金额调整"
    if isinstance(day, date):
        derivation = _over_maximum(
            session, actor, hh, category=after.get("category", hh.category),
            amount=after.get("monthly_amount", f"{Decimal(hh.monthly_amount):.2f}"), day=day,
            derivation=derivation, reason=over_reason, stage="提议")
    return _create(session, actor, hh, kind=kind, day=day, reason=reason, after=after,
                   derivation=derivation, assessment_id=assessment_id, batch_id=batch_id)


def propose_exit(session: Session, actor: Actor, household_id: str, *, day: date, reason: str) -> ProposalInfo:
    """Propose an exit (停保/退出) with its reason (收入超标, 死亡, 迁出 …)."""
    hh = _household(session, household_id)
    if hh.status not in hs.IN_FORCE:
        raise ValidationError("保障状态", hh.status, f"只有“{'、'.join(hs.IN_FORCE)}”的家庭可以提议退出")
    after = {"status": "已退出", "exit_reason": (reason or "").strip()}
    return _create(session, actor, hh, kind="退出", day=day, reason=reason, after=after,
                   derivation=None, assessment_id=None, batch_id=None)


def propose_status(session: Session, actor: Actor, household_id: str, *, status: str, reason: str,
                   day: date | None = None, over_reason: str | None = None) -> ProposalInfo:
    """The gated status targets as proposals: 在保 (from 申请中) → grant, 已退出 → exit."""
    hh = _household(session, household_id)
    day = day or clock.today()
    if status == "已退出":
        return propose_exit(session, actor, household_id, day=day, reason=reason)
    if status == "在保" and hh.status == "申请中":
        return propose_grant(session, actor, household_id, day=day, reason=reason, over_reason=over_reason)
    raise ValidationError("保障状态", status, "只有纳入保障（申请中→在保）和退出（→已退出）需要提交审核")


def _pending(session: Session, proposal_id: str) -> Proposal:
    p = session.get(Proposal, proposal_id)
    if p is None or p.deleted_at is not None:
        raise NotFound(f"找不到审核提议：{proposal_id}")
    if p.state != PENDING:
        raise ValidationError("审核提议", p.kind, f"该提议已{p.state.removeprefix('已')}（{p.decided_by}），不能再处理")
    return p


def _decide(session: Session, actor: Actor, p: Proposal, state: str, note: str | None) -> dict:
    before = audit.state(p)
    p.state, p.decided_by, p.decided_at, p.decision_note = state, actor.username, utcnow(), note
    p.updated_at, p.updated_by = utcnow(), actor.username
    return before


def approve(session: Session, actor: Actor, proposal_id: str, *, note: str | None = None,
            expected_version: int | None = None, override_reason: str | None = None,
            over_reason: str | None = None) -> ProposalInfo:
    """Approve (审核人 only, never the proposer) and apply the change, all audited.

    A grant or exit whose procedure steps are incomplete is refused naming the missing step
    (:mod:`app.procedure`); ``override_reason`` (先行救助) lets it through as a finding."""
    require(actor, "household.approve")
    p = _pending(session, proposal_id)
    hs.check_version(p, expected_version, f"{p.kind}提议")
    if p.proposed_by == actor.username:
        raise ValidationError("审核人", actor.username, "提出人不能审核批准自己提出的变更（两人审核），"
                              "请由另一名审核人审核")
    hh = _household(session, p.household_id)
    hs.require_own(actor, hh, f"{hh.head_name}户")
    before, after, now = json.loads(p.before), json.loads(p.after), _snapshot(hh)
    stale = [f"{FIELD_LABELS[k]}：{before[k]} → {now[k]}" for k in before if before[k] != now[k]]
    if stale:
        raise ValidationError("审核提议", f"{hh.head_name}户", f"提出后该户已有变化（{'；'.join(stale)}），"
                              "请退回后由经办人重新提出")
    procedure.gate(session, actor, hh, kind=p.kind, category=after.get("category", hh.category),
                   day=p.day, proposal_id=p.id, override_reason=override_reason)
    if p.kind != "退出":
        # above the maximum: the proposer's written reason, which the reviewer reads, or the reviewer's own
        proposed = (json.loads(p.derivation) if p.derivation else {}).get("over_maximum", {}).get("reason")
        _over_maximum(session, actor, hh, category=after["category"], amount=after["monthly_amount"],
                      day=p.day, derivation=None, stage="批准",
                      reason=over_reason or note or (f"同意提议理由：{proposed}" if proposed else None))
    who = f"（{p.proposed_by} 提出，{actor.username} 批准）"
    if p.kind == "纳入":
        hs.apply_status(session, actor, hh, status="在保", reason=p.reason, day=p.day,
                        outcome=f"同意{who}"[:60],
                        fields={"category": after["category"],
                                "monthly_amount": Decimal(after["monthly_amount"])})
    elif p.kind == "退出":
        hs.apply_status(session, actor, hh, status="已退出", reason=after["exit_reason"], day=p.day,
                        outcome=f"终止{who}"[:60])
    else:
        changes = {k: after[k] for k in ("category", "monthly_amount") if after[k] != before[k]}
        hs.apply_changes(session, actor, hh, changes)
        outcome = "；".join(("调整为 " + v + " 元") if k == "monthly_amount" else f"类别改为{v}"
                           for k, v in changes.items())
        hs.add_step(session, actor, hh, kind="调整", day=p.day, handler=actor.display_name,
                     outcome=(outcome + who)[:60], note=p.reason)
    state_before = _decide(session, actor, p, APPROVED, (note or "").strip() or None)
    audit.record_change(session, actor, "proposal.approve", "proposal", p, state_before)
    _close_grace(session, actor, p, "已结束")
    return _info(session, p)


def refuse(session: Session, actor: Actor, proposal_id: str, *, reason: str) -> ProposalInfo:
    """Refuse (退回) a proposal: 审核人 only, never the proposer, and the reason is required."""
    require(actor, "household.approve")
    p = _pending(session, proposal_id)
    if p.proposed_by == actor.username:
        raise ValidationError("审核人", actor.username, "提出人不能审核自己提出的变更；如需取消请“撤回”")
    if not (reason or "").strip():
        raise ValidationError("退回理由", reason, "退回提议必须写明理由")
    before = _decide(session, actor, p, REFUSED, reason.strip())
    audit.record_change(session, actor, "proposal.refuse", "proposal", p, before)
    _close_grace(session, actor, p, "不退出")
    return _info(session, p)


def withdraw(session: Session, actor: Actor, proposal_id: str, *, reason: str) -> ProposalInfo:
    """The proposer withdraws (撤回) an open proposal, with a reason."""
    require(actor, "household.propose")
    p = _pending(session, proposal_id)
    if p.proposed_by != actor.username:
        raise ValidationError("撤回人", actor.username, f"只有提出人 {p.proposed_by} 可以撤回；审核人请用“退回”")
    if not (reason or "").strip():
        raise ValidationError("撤回理由", reason, "必须填写")
    before = _decide(session, actor, p, WITHDRAWN, reason.strip())
    audit.record_change(session, actor, "proposal.withdraw", "proposal", p, before)
    _close_grace(session, actor, p, "不退出")
    return _info(session, p)


def _close_grace(session: Session, actor: Actor, p: Proposal, state: str) -> None:
    """A 渐退 exit proposal decided: the grace period ends, or stays with the clerk's decision."""
    for g in session.execute(select(GracePeriod).where(GracePeriod.proposal_id == p.id,
                                                       GracePeriod.state == "已提出退出")).scalars():
        before = audit.state(g)
        g.state = state
        if state != "已结束":
            g.note = ((g.note + "；") if g.note else "") + f"退出提议{p.state}：{p.decision_note or ''}"
        g.updated_at, g.updated_by = utcnow(), actor.username
        audit.record_change(session, actor, "grace.update", "grace", g, before)


def approve_batch(session: Session, actor: Actor, batch_id: str, *, note: str | None = None) -> list[ProposalInfo]:
    """Approve every open proposal of a batch (e.g. a recalculation), each applied and audited."""
    require(actor, "household.approve")
    ids = session.execute(select(Proposal.id).where(Proposal.batch_id == batch_id,
                                                    Proposal.state == PENDING)).scalars().all()
    if not ids:
        raise ValidationError("批次", batch_id, "没有待审核的提议")
    return [approve(session, actor, pid, note=note) for pid in ids]


def get(session: Session, proposal_id: str) -> ProposalInfo:
    p = session.get(Proposal, proposal_id)
    if p is None or p.deleted_at is not None:
        raise NotFound(f"找不到审核提议：{proposal_id}")
    return _info(session, p)


def list_proposals(session: Session, *, state: str | None = PENDING, household_id: str | None = None,
                   batch_id: str | None = None, limit: int = 500) -> list[ProposalInfo]:
    """Proposals, oldest first (state None: all states)."""
    stmt = select(Proposal).where(Proposal.deleted_at.is_(None))
    if state:
        stmt = stmt.where(Proposal.state == state)
    if household_id:
        stmt = stmt.where(Proposal.household_id == household_id)
    if batch_id:
        stmt = stmt.where(Proposal.batch_id == batch_id)
    rows = session.execute(stmt.order_by(Proposal.proposed_at, Proposal.created_at).limit(limit)).scalars()
    return [_info(session, p) for p in rows]


def find(session: Session, ref: str) -> str:
    """A proposal by its id or an unambiguous prefix of it (as shown by the CLI)."""
    ref = (ref or "").strip().lower()
    ids = session.execute(select(Proposal.id).where(Proposal.id.like(f"{ref}%"))).scalars().all() if ref else []
    if len(ids) != 1:
        raise NotFound(f"找不到审核提议“{ref}”" if not ids else f"“{ref}”对应多个提议，请写得更长一些")
    return ids[0]

