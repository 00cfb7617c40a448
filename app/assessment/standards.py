"""保障标准 as data: one row per kind, variant and effective-from date, owned by the district.

Standards change every year and differ by urban/rural and district (DOMAIN.md §Money): they are
never constants in code. The table is seeded from the settings defaults on first use (audited)
and later fed by the district (:func:`import_rows`, for sync packages). The standard in force on
a day is the row with the latest ``effective_from`` not after that day.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterable

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app import audit, inputs, rulesettings
from app.errors import ValidationError
from app.offices import own_office
from app.permissions import Actor, require
from db.assessment_models import Standard
from db.models import utcnow

# kind -> (allowed variants or None for any, allowed units)
KINDS: dict[str, tuple[tuple[str, ...] | None, tuple[str, ...]]] = {
    "低保": (("城市", "农村"), ("元",)),
    "特困基本": (("分散", "集中"), ("元",)),
    "特困护理": (("全自理", "半护理", "全护理"), ("元",)),
    "分类施保": (None, ("元", "%")),
    "低保边缘": (("",), ("倍",)),
}
# settings key of "standards" -> (kind, variant)
SETTING_KEYS = {"城市低保": ("低保", "城市"), "农村低保": ("低保", "农村"),
                "特困人员(分散供养)": ("特困基本", "分散"), "特困人员(集中供养)": ("特困基本", "集中")}


@dataclass(frozen=True)
class StandardInfo:
    kind: str
    variant: str
    value: Decimal
    unit: str
    effective_from: date
    owner_office: str
    source: str | None = None
    id: str | None = None  # None: a settings default not yet written to the table

    @property
    def label(self) -> str:
        return label(self.kind, self.variant)

    def text(self) -> str:
        unit = {"元": "元/人·月", "%": "%（低保标准的百分比）", "倍": "倍"}[self.unit]
        return f"{self.label} {self.value}{unit}（{self.effective_from:%Y-%m-%d} 起执行）"


@dataclass
class ImportReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)


def label(kind: str, variant: str) -> str:
    """The Chinese name of a standard: 农村低保标准, 特困人员基本生活标准（分散供养）…"""
    if kind == "低保":
        return f"{variant}低保标准"
    if kind == "特困基本":
        return f"特困人员基本生活标准（{variant}供养）"
    if kind == "特困护理":
        return f"特困人员照料护理标准（{variant}）"
    if kind == "分类施保":
        return f"分类施保加发标准（{variant}）"
    return "低保边缘家庭认定倍数"


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:  # noqa: ANN001
    if transaction.parent is None:
        session.info.pop("standards", None)


def district_code(session: Session) -> str:
    """The district that owns the standards this office applies."""
    office = own_office(session)
    return office.code if office.level == "district" else (office.parent_code or office.code[:6])


def _parse_surcharge(text: str) -> tuple[Decimal, str]:
    m = re.fullmatch(r"(\d+(?:\.\d{1,2})?)\s*(%|元)", str(text).strip())
    if not m:
        raise ValidationError("分类施保", text, "应写成“20%”或“50元”")
    return Decimal(m[1]), m[2]


def _defaults(session: Session) -> list[StandardInfo]:
    """The seed rows, from the settings: yearly 低保/特困 standards from 1 January of each year;
    care standards, 分类施保 and the 低保边缘 multiple from the first of those years."""
    owner = district_code(session)
    rows: list[StandardInfo] = []
    years: list[int] = []
    for key, by_year in rulesettings.get(session, "standards").items():
        if key not in SETTING_KEYS:
            continue
        kind, variant = SETTING_KEYS[key]
        for year, value in by_year.items():
            years.append(int(year))
            rows.append(StandardInfo(kind, variant, Decimal(str(value)).quantize(Decimal("0.01")),
                                     "元", date(int(year), 1, 1), owner, "规则设置默认值"))
    start = date(min(years) if years else 2026, 1, 1)
    for level, value in rulesettings.get(session, "care_standards").items():
        rows.append(StandardInfo("特困护理", level, Decimal(str(value)).quantize(Decimal("0.01")), "元",
                                 start, owner, "规则设置默认值"))
    for group, text in rulesettings.get(session, "classified_surcharges").items():
        value, unit = _parse_surcharge(text)
        rows.append(StandardInfo("分类施保", group, value.quantize(Decimal("0.01")), unit, start, owner,
                                 "规则设置默认值"))
    multiple = Decimal(str(rulesettings.get(session, "edge_multiple"))).quantize(Decimal("0.01"))
    rows.append(StandardInfo("低保边缘", "", multiple, "倍", start, owner, "规则设置默认值"))
    return rows


def _info(row: Standard) -> StandardInfo:
    return StandardInfo(row.kind, row.variant, Decimal(row.value), row.unit, row.effective_from,
                        row.owner_office, row.source, row.id)


def all_standards(session: Session) -> list[StandardInfo]:
    """Every standard of the district (the settings defaults while the table is still empty)."""
    cache = session.info.get("standards")
    if cache is None:
        owner = district_code(session)
        rows = session.execute(select(Standard).where(
            Standard.owner_office == owner, Standard.deleted_at.is_(None))).scalars().all()
        cache = [_info(r) for r in rows] if rows else _defaults(session)
        cache.sort(key=lambda s: (s.kind, s.variant, s.effective_from))
        session.info["standards"] = cache
    return list(cache)


def ensure_seeded(session: Session, actor: Actor) -> int:
    """Write the settings defaults into the table when the district has no row yet (audited)."""
    owner = district_code(session)
    if session.execute(select(Standard.id).where(Standard.owner_office == owner).limit(1)).first():
        return 0
    rows = _defaults(session)
    for info in rows:
        _write(session, actor, info)
    session.info.pop("standards", None)
    return len(rows)


def _write(session: Session, actor: Actor, info: StandardInfo) -> Standard:
    row = Standard(owner_office=info.owner_office, kind=info.kind, variant=info.variant,
                   value=info.value, unit=info.unit, effective_from=info.effective_from,
                   source=info.source, updated_by=actor.username)
    session.add(row)
    audit.record_change(session, actor, "standard.create", "standard", row, None)
    return row


def in_force(session: Session, kind: str, variant: str, day: date) -> StandardInfo:
    """The standard of ``kind``/``variant`` in force on ``day``; refused, naming the standard and
    the date, when none is (an assessment never guesses a standard)."""
    found = None
    for s in all_standards(session):
        if s.kind == kind and s.variant == variant and s.effective_from <= day:
            found = s  # sorted by effective_from: the last one wins
    if found is None:
        raise ValidationError("保障标准", label(kind, variant),
                              f"{day:%Y年%m月%d日}没有生效的{label(kind, variant)}：请录入自该日或更早起执行的"
                              "标准，或导入区（县）民政局下发的标准后再评估")
    return found


def surcharges_in_force(session: Session, day: date) -> dict[str, StandardInfo]:
    """分类施保 per group in force on ``day``."""
    result: dict[str, StandardInfo] = {}
    for s in all_standards(session):
        if s.kind == "分类施保" and s.effective_from <= day:
            result[s.variant] = s
    return result


def _check(kind: str, variant: str, value: object, unit: str, effective_from: object) -> tuple:
    if kind not in KINDS:
        raise ValidationError("标准类别", kind, f"应为以下之一：{'、'.join(KINDS)}")
    variants, units = KINDS[kind]
    variant = (variant or "").strip()
    if variants is not None and variant not in variants:
        raise ValidationError(f"{kind}标准的细分", variant, f"应为以下之一：{'、'.join(v or '（空）' for v in variants)}")
    if variants is None and not variant:
        raise ValidationError("分类施保对象", variant, "必须填写，如 重度残疾、重病、老年、未成年")
    if unit not in units:
        raise ValidationError(f"{label(kind, variant)}的单位", unit, f"应为：{'、'.join(units)}")
    amount = inputs.amount(label(kind, variant), value, unit="")  # finite, ≥ 0, cents, no -0
    if not isinstance(effective_from, date):
        try:
            effective_from = date.fromisoformat(str(effective_from))
        except ValueError:
            raise ValidationError("起执行日期", effective_from, "应为 YYYY-MM-DD") from None
    return kind, variant, amount.quantize(Decimal("0.01")), unit, effective_from


def add_standard(session: Session, actor: Actor, *, kind: str, variant: str, value: object,
                 unit: str = "元", effective_from: date, source: str | None = None) -> StandardInfo:
    """Enter one standard (administrator), e.g. the new year's 农村低保 standard from 1 July."""
    require(actor, "settings.edit")
    report = import_rows(session, actor, [{"kind": kind, "variant": variant, "value": value,
                                           "unit": unit, "effective_from": effective_from,
                                           "source": source or f"{actor.display_name} 录入"}])
    if report.refused:
        raise ValidationError("保障标准", label(kind, variant), report.refused[0][1])
    return in_force(session, kind, (variant or "").strip(), _check(
        kind, variant, value, unit, effective_from)[4])


def import_rows(session: Session, actor: Actor, rows: Iterable[dict], *,
                source: str | None = None) -> ImportReport:
    """Import standards (from a district package or a file): new, updated, unchanged, refused.

    A row whose office is not our district is refused: the district alone sets standards.
    """
    require(actor, "settings.edit")
    ensure_seeded(session, actor)
    owner = district_code(session)
    report = ImportReport()
    for number, raw in enumerate(rows, start=1):
        try:
            kind, variant, value, unit, start = _check(
                raw.get("kind"), raw.get("variant", ""), raw.get("value"), raw.get("unit", "元"),
                raw.get("effective_from"))
            office = raw.get("owner_office") or owner
            if office != owner:
                raise ValidationError("发布单位", office, f"本单位执行 {owner} 的标准")
        except ValidationError as exc:
            report.refused.append((number, str(exc)))
            continue
        row = session.execute(select(Standard).where(
            Standard.owner_office == owner, Standard.kind == kind, Standard.variant == variant,
            Standard.effective_from == start)).scalar_one_or_none()
        if row is None:
            _write(session, actor, StandardInfo(kind, variant, value, unit, start, owner,
                                                raw.get("source") or source))
            report.new += 1
        elif row.deleted_at is None and Decimal(row.value) == value and row.unit == unit:
            report.unchanged += 1
        else:
            before = audit.state(row)
            row.value, row.unit, row.deleted_at = value, unit, None
            row.source = raw.get("source") or source or row.source
            row.updated_at, row.updated_by = utcnow(), actor.username
            audit.record_change(session, actor, "standard.update", "standard", row, before)
            report.updated += 1
    session.info.pop("standards", None)
    return report


def changed_on(session: Session, day: date) -> list[tuple[StandardInfo | None, StandardInfo]]:
    """Standards that take effect on ``day``: (the one in force the day before, the new one)."""
    pairs = []
    for s in all_standards(session):
        if s.effective_from == day:
            previous = None
            for p in all_standards(session):
                if p.kind == s.kind and p.variant == s.variant and p.effective_from < day:
                    previous = p
            pairs.append((previous, s))
    return pairs
