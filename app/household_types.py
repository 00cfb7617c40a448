"""The plain values the registry services take and return (no database objects)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass
class MemberInput:
    name: str
    id_number: str | None = None
    relation: str = "户主"
    lives_together: bool = True
    covered: bool = True
    work_ability: str | None = None
    health: str | None = None
    disability: str | None = None
    phone: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class MemberInfo:
    id: str
    name: str
    id_number: str | None
    gender: str | None
    birth_date: date | None
    relation: str
    lives_together: bool
    covered: bool
    work_ability: str | None
    health: str | None
    disability: str | None
    phone: str | None
    version: int


@dataclass(frozen=True)
class StepInfo:
    id: str
    kind: str
    day: date
    handler: str
    outcome: str | None
    note: str | None


@dataclass(frozen=True)
class HouseholdInfo:
    id: str
    number: str
    owner_office: str
    village: str
    head_name: str
    address: str | None
    phone: str | None
    bank_account: str | None
    urban_rural: str
    category: str
    status: str
    classification: str | None
    monthly_amount: Decimal
    poverty_cause: str | None
    apply_date: date | None
    approve_date: date | None
    exit_date: date | None
    exit_reason: str | None
    last_review_date: date | None
    next_review_date: date | None
    note: str | None
    version: int
    updated_at: object
    updated_by: str | None
    members: list[MemberInfo] = field(default_factory=list)
    steps: list[StepInfo] = field(default_factory=list)


@dataclass
class Saved:
    """What a write changed: ids and messages (e.g. ID numbers normalised) for the clerk."""

    id: str
    version: int
    notices: list[str] = field(default_factory=list)
