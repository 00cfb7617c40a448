"""Family economic assessment tables: income, rigid expenditure, assets, standards (保障标准),
saved assessments, proposals for the two-person approval, and 渐退 grace periods.

Imported at the end of :mod:`db.models` so that the tables are part of ``Base.metadata`` and
the entities join ``AUDITED`` (``app.audit.verify`` then covers them). Portable types only.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.models import AUDITED, Base, Synced


class IncomeItem(Synced, Base):
    """One source of income of the household (or of one member), monthly or yearly."""

    __tablename__ = "income_items"
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    member_id: Mapped[str | None] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(30))
    period: Mapped[str] = mapped_column(String(8))  # monthly | yearly
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    note: Mapped[str | None] = mapped_column(Text)


class Expenditure(Synced, Base):
    """A rigid expenditure (医疗, 教育, 康复, 住房), deducted where local rules allow."""

    __tablename__ = "expenditures"
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    member_id: Mapped[str | None] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[str] = mapped_column(String(10))
    period: Mapped[str] = mapped_column(String(8))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    note: Mapped[str | None] = mapped_column(Text)


class Asset(Synced, Base):
    """Property of the household: housing (units, area), vehicles, financial assets, other."""

    __tablename__ = "assets"
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    area: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    note: Mapped[str | None] = mapped_column(Text)


class Standard(Synced, Base):
    """A standard in force from a date, owned by the district (``owner_office``).

    kind: 低保 (variant 城市/农村), 特困基本 (分散/集中), 特困护理 (全自理/半护理/全护理),
    分类施保 (a group such as 重度残疾, unit 元 or %), 低保边缘 (unit 倍).
    """

    __tablename__ = "standards"
    kind: Mapped[str] = mapped_column(String(12), index=True)
    variant: Mapped[str] = mapped_column(String(12), default="")
    value: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    unit: Mapped[str] = mapped_column(String(4))  # 元 | % | 倍
    effective_from: Mapped[date] = mapped_column(Date, index=True)
    source: Mapped[str | None] = mapped_column(String(100))
    __table_args__ = (UniqueConstraint("owner_office", "kind", "variant", "effective_from",
                                       name="uq_standard_in_force"),)


class Assessment(Synced, Base):
    """A saved assessment: its inputs, result and derivation (JSON), for a date."""

    __tablename__ = "assessments"
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(30))
    method: Mapped[str] = mapped_column(String(10))
    persons_counted: Mapped[int] = mapped_column(Integer)
    persons_covered: Mapped[int] = mapped_column(Integer)
    annual_income: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    suggestion: Mapped[str | None] = mapped_column(String(20))
    inputs: Mapped[str] = mapped_column(Text)  # canonical JSON
    derivation: Mapped[str] = mapped_column(Text)  # canonical JSON: structure and Chinese lines


class Proposal(Synced, Base):
    """A change proposed by a 经办人 that takes effect only when a 审核人 approves it."""

    __tablename__ = "proposals"
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # 纳入 | 类别变更 | 金额调整 | 退出
    state: Mapped[str] = mapped_column(String(6), index=True)  # 待审核 | 已批准 | 已退回 | 已撤回
    day: Mapped[date] = mapped_column(Date)  # effective date
    reason: Mapped[str] = mapped_column(Text)
    before: Mapped[str] = mapped_column(Text)  # canonical JSON of the gated fields
    after: Mapped[str] = mapped_column(Text)
    derivation: Mapped[str | None] = mapped_column(Text)
    assessment_id: Mapped[str | None] = mapped_column(ForeignKey("assessments.id"))
    batch_id: Mapped[str | None] = mapped_column(String(36), index=True)
    proposed_by: Mapped[str] = mapped_column(String(40))
    proposed_at: Mapped[datetime] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)


class GracePeriod(Synced, Base):
    """渐退: the household keeps its amount for some months after its income rose."""

    __tablename__ = "grace_periods"
    household_id: Mapped[str] = mapped_column(ForeignKey("households.id"), index=True)
    reason: Mapped[str] = mapped_column(String(30))
    months: Mapped[int] = mapped_column(Integer)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date, index=True)  # last day of the grace period
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    state: Mapped[str] = mapped_column(String(6), index=True)  # 进行中 | 已提出退出 | 不退出 | 已结束
    proposal_id: Mapped[str | None] = mapped_column(ForeignKey("proposals.id"))
    note: Mapped[str | None] = mapped_column(Text)


ASSESSMENT_AUDITED = {"income": IncomeItem, "expenditure": Expenditure, "asset": Asset,
                      "standard": Standard, "assessment": Assessment, "proposal": Proposal,
                      "grace": GracePeriod}
ASSESSMENT_LABELS = {"income": "收入", "expenditure": "刚性支出", "asset": "财产",
                     "standard": "保障标准", "assessment": "家庭经济状况评估",
                     "proposal": "审核提议", "grace": "渐退期"}
AUDITED.update(ASSESSMENT_AUDITED)
