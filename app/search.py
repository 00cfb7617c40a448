"""Search over households: names, pinyin initials, full pinyin, ID number prefix, village.

The index is an ordinary table of terms (portable to PostgreSQL) searched by prefix range on a
(rank, term) B-tree index, so "zs", "zhangsan", "张三" and "6404" all find 张三. Surnames with
two readings (单 曾 解 仇 区 查 …) are indexed under every reading. Active households come first.
"""
from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from db.models import Household, Member, SearchTerm, Village

TOP = "\U0010ffff"
_ID_QUERY = re.compile(r"^[0-9]{1,17}[0-9X]?$")


@lru_cache(maxsize=1)
def _char_readings() -> dict[int, str] | None:
    """pypinyin's table of every character's readings (code point → "zhāng,cháng"), read from
    its JSON file without importing pypinyin: the package also loads a phrase dictionary we
    never use (≈1.3 s and ≈50 MB). None when the file is not where the package is."""
    spec = importlib.util.find_spec("pypinyin")
    locations = spec.submodule_search_locations if spec is not None else None
    path = Path(locations[0]) / "pinyin_dict.json" if locations else None
    if path is None or not path.is_file():
        return None
    return {int(k): v for k, v in json.loads(path.read_text(encoding="utf-8")).items()}


def _toneless(reading: str) -> str:
    """pypinyin's Style.NORMAL: tone marks dropped, ü written v, ê kept."""
    r = unicodedata.normalize("NFD", reading).replace("u\u0308", "v").replace("e\u0302", "\x00")
    return "".join(c for c in r if not unicodedata.combining(c)).replace("\x00", "ê")


@lru_cache(maxsize=20000)
def readings(ch: str) -> tuple[str, ...]:
    """Every toneless pinyin reading of one character (a surname may have several), exactly
    as ``pypinyin.pinyin(ch, style=Style.NORMAL, heteronym=True)`` gives them."""
    if ch.isascii():
        return (ch.lower(),)
    table = _char_readings()
    if table is None:  # pypinyin without its JSON file (an unusual build): ask pypinyin
        from pypinyin import Style, pinyin

        found = pinyin(ch, style=Style.NORMAL, heteronym=True, errors=lambda c: [c])[0]
    else:
        entry = table.get(ord(ch))
        found = [_toneless(r) for r in entry.split(",")] if entry else [ch]
    return tuple(dict.fromkeys(r.lower() for r in found if r)) or (ch,)



def warm_up() -> None:
    """Load the readings table now (≈30 ms), e.g. in a worker after the first list is shown."""
    readings("张")


def name_terms(name: str) -> set[str]:
    """Terms for one name: itself, pinyin initials and full pinyin (every surname reading)."""
    return set(name_term_set(name))


@lru_cache(maxsize=50000)
def name_term_set(name: str) -> frozenset[str]:
    """``name_terms`` remembered (names repeat: the list's member hints ask for the same ones
    at every keystroke)."""
    name = "".join(name.split())
    if not name:
        return frozenset()
    first = readings(name[0])[:3]
    rest = [readings(ch)[0] for ch in name[1:]]
    terms = {name}
    for reading in first:
        full = [reading, *rest]
        terms.add("".join(full))
        terms.add("".join(p[0] for p in full))
    return frozenset(terms)


def normalize_query(query: str) -> str:
    q = unicodedata.normalize("NFKC", query).strip().replace(" ", "").replace("\u00a0", "")
    return q.upper() if _ID_QUERY.match(q.upper()) else q.lower()


def rank_of(status: str) -> int:
    return {"在保": 0, "申请中": 1, "暂停": 1}.get(status, 2)


def household_terms(hh: Household, members: list[Member], village_name: str) -> set[str]:
    return terms_of(hh.head_name, hh.number, village_name,
                    [(m.name, m.id_number) for m in members if m.deleted_at is None])


def terms_of(head_name: str, number: str, village_name: str,
             people: list[tuple[str, str | None]]) -> set[str]:
    """:func:`household_terms` from the values themselves: the head's name, the household
    number, the village and (name, ID number) of each member not deleted."""
    terms = set(name_term_set(head_name))
    terms.add(village_name)
    terms.add(number.lower())
    for name, id_number in people:
        terms |= name_term_set(name)
        if id_number:
            terms.add(id_number.upper())
    return {t[:80] for t in terms if t}


def reindex_household(session: Session, hh: Household) -> None:
    session.flush()
    members = session.execute(select(Member).where(Member.household_id == hh.id)).scalars().all()
    village = session.get(Village, hh.village_id)
    session.execute(delete(SearchTerm).where(SearchTerm.household_id == hh.id))
    if hh.deleted_at is not None:
        return
    rank = rank_of(hh.status)
    rows = [{"household_id": hh.id, "term": t, "rank": rank}
            for t in household_terms(hh, members, village.name if village else "")]
    if rows:
        session.execute(insert(SearchTerm), rows)


@dataclass(frozen=True)
class Hit:
    id: str
    number: str
    head_name: str
    village: str
    category: str
    status: str
    monthly_amount: Decimal
    matched: str


def search(session: Session, query: str, *, limit: int = 50) -> list[Hit]:
    """Households matching ``query`` by prefix; 在保 first, then exact before prefix matches."""
    q = normalize_query(query)
    if not q:
        return []
    found: dict[str, str] = {}
    for rank in (0, 1, 2):
        stmt = (select(SearchTerm.household_id, SearchTerm.term)
                .where(SearchTerm.rank == rank, SearchTerm.term >= q, SearchTerm.term < q + TOP)
                .order_by(SearchTerm.term).limit(limit * 4))
        rows = session.execute(stmt).all()
        exact = [r for r in rows if r.term == q]
        for hid, term in exact + [r for r in rows if r.term != q]:
            found.setdefault(hid, term)
            if len(found) >= limit:
                break
        if len(found) >= limit:
            break
    if not found:
        return []
    stmt = (select(Household.id, Household.number, Household.head_name, Village.name,
                   Household.category, Household.status, Household.monthly_amount)
            .join(Village, Village.id == Household.village_id)
            .where(Household.id.in_(list(found))))
    by_id = {r[0]: r for r in session.execute(stmt)}
    return [Hit(*by_id[h], matched=found[h]) for h in found if h in by_id]
