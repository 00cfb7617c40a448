"""不按标施保 at the source: an amount above the maximum for the category and family size.

The maximum comes from the standards in force on the day (:func:`app.assessment.assess.assess`):
低保 — the full standard for each person covered plus their 分类施保; 特困 — basic living plus
the highest care standard for each person covered. A proposal or an approval above it shows the
maximum and its derivation and needs a written reason; both are audited.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from app import audit, codes
from app.errors import ValidationError
from app.permissions import Actor
from db.models import Household

RULE = "不按标施保：金额高于该户按标准最多可得的金额"
audit.ENTITY_LABELS.setdefault("amount_check", "不按标施保（书面理由）")


@dataclass(frozen=True)
class Ceiling:
    maximum: Decimal
    lines: tuple[str, ...]


def ceiling(session: Session, hh: Household, category: str, day: date) -> Ceiling | None:
    """The most ``hh`` may receive in ``category`` on ``day``, with its derivation; None where the
    category has no standard-based amount or no standard is in force (nothing to compare)."""
    from app.assessment import assess as assessment

    if not (category.endswith("低保") or codes.is_tekun(category)):
        return None
    try:
        result = assessment.assess(session, hh.id, day=day,
                                   inputs=assessment.Inputs(category=category))
    except ValidationError:
        return None
    d = result.derivation
    n = d.persons_covered
    if codes.is_tekun(category):
        care = result.maximum / n - d.standard if n else Decimal(0)
        lines = (f"{d.standard_label} {d.standard:.2f} 元 + 最高照料护理标准 {care:.2f} 元",
                 f"× 保障人数 {n} = 最多 {result.maximum:.2f} 元/月")
    else:
        base = d.standard * n
        extra = result.maximum - base
        lines = (f"{d.standard_label} {d.standard:.2f} 元/人·月 × 保障人数 {n} = {base:.2f} 元",
                 f"+ 分类施保加发 {extra:.2f} 元 = 最多 {result.maximum:.2f} 元/月")
    return Ceiling(result.maximum, lines)


def check(session: Session, actor: Actor, hh: Household, *, category: str, amount: Decimal,
          day: date, reason: str | None, stage: str) -> dict | None:
    """Refuse an amount above the ceiling without a written reason; with one, audit it (entry
    ``amount.over_maximum``) and return what the proposal keeps (maximum, derivation, reason)."""
    c = ceiling(session, hh, category, day)
    if c is None or amount <= c.maximum:
        return None
    derivation = "；".join(c.lines)
    text = (reason or "").strip()
    if not text:
        raise ValidationError("月保障金额", f"{amount:.2f}", f"{RULE}（{c.maximum:.2f} 元：{derivation}），"
                              f"{stage}须写明书面理由")
    record = {"amount": f"{amount:.2f}", "maximum": f"{c.maximum:.2f}", "derivation": list(c.lines),
              "reason": text, "stage": stage, "category": category}
    audit.record(session, actor, "amount.over_maximum", "amount_check", hh.id, None, record)
    return record
