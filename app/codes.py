"""Code lists (保障类别, 致贫原因 …) shipped in ``resources/codes/codes.json``."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


@lru_cache(maxsize=None)
def _codes() -> dict[str, list[str]]:
    return json.loads((RESOURCES / "codes" / "codes.json").read_text(encoding="utf-8"))


def values(name: str) -> list[str]:
    return list(_codes()[name])


def is_tekun(category: str) -> bool:
    return category.startswith("特困")


ACTIVE_STATUSES = ("申请中", "在保", "暂停")
