"""On a district's database, which township a record comes from: reports made there (动态管理月报,
排查统计表, 专项整治工作台账) cover every township, and each row names its township before the
village or number (two townships may both have a 新民村 or a problem WT2026-0001)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.offices import own_office
from db.sync_models import OfficeCard


def short_name(name: str) -> str:
    """"香水镇人民政府" → "香水镇" (what a district calls its township in a table)."""
    for suffix in ("人民政府", "政府"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[:-len(suffix)]
    return name


def prefixes(session: Session) -> dict[str, str]:
    """Office code → the township's short name, on a district's database; {} on a township's."""
    if own_office(session).level != "district":
        return {}
    return {code: short_name(name) for code, name in session.execute(
        select(OfficeCard.code, OfficeCard.name).where(OfficeCard.level == "township"))}
