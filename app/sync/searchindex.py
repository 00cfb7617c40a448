"""Keep the search index current for households that arrived in a package (bulk: the same
terms as ``app.search.reindex_household``, without loading ORM objects one by one)."""
from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app import search
from app.sync import tables
from db.models import Household, Member, SearchTerm, Village

CHUNK = 500


COLUMNS = ["rank", "term", "household_id"]  # the table's key, in its order


def _terms(households, members: dict[str, list], villages: dict[str, str]) -> list[tuple]:  # noqa: ANN001
    """(rank, term, household_id) rows, sorted: the WITHOUT ROWID table keyed so is then filled
    in key order (each page of its tree visited once per batch, not once per term)."""
    rows = []
    for h in households:
        if h.deleted_at is not None:
            continue
        rank, hid = search.rank_of(h.status), h.id
        rows += [(rank, t, hid) for t in search.household_terms(
            SimpleNamespace(head_name=h.head_name, number=h.number), members.get(h.id, []),
            villages.get(h.village_id, ""))]
    rows.sort()
    return rows


def _village_names(session: Session, ids: set[str], known: dict[str, str]) -> dict[str, str]:
    names = {i: known[i] for i in ids if i in known}
    wanted = sorted(ids - set(names))
    for i in range(0, len(wanted), CHUNK):
        names.update(session.execute(select(Village.id, Village.name).where(
            Village.id.in_(wanted[i:i + CHUNK]))).all())
    return names


def village_names(session: Session, households: list[dict], villages: dict[str, str]) -> dict[str, str]:
    """The names of the households' villages: those given, the others read."""
    return _village_names(session, {h["village_id"] for h in households}, villages)


def new_terms(households: list[dict], members: list[dict], names: dict[str, str]) -> list[tuple]:
    """The search-term rows of new households (pure computation: on PostgreSQL a worker thread
    computes them while the server stores the records)."""
    hh = [SimpleNamespace(**h) for h in households]
    by_household: dict[str, list] = {}
    for m in members:
        by_household.setdefault(m["household_id"], []).append(SimpleNamespace(
            name=m["name"], id_number=m["id_number"], deleted_at=m["deleted_at"]))
    return _terms(hh, by_household, names)


def write_terms(session: Session, rows: list[tuple]) -> int:
    tables.insert_tuples(session.connection(), SearchTerm.__table__, COLUMNS, rows)
    return len(rows)


def reindex(session: Session, household_ids: set[str]) -> int:
    """Rewrite the search terms of the given households; returns how many terms were written."""
    ids = sorted(household_ids)
    written = 0
    for i in range(0, len(ids), CHUNK):
        part = ids[i:i + CHUNK]
        households = session.execute(select(Household.id, Household.head_name, Household.number,
                                            Household.status, Household.village_id, Household.deleted_at)
                                     .where(Household.id.in_(part))).all()
        members: dict[str, list] = {}
        for m in session.execute(select(Member.household_id, Member.name, Member.id_number, Member.deleted_at)
                                 .where(Member.household_id.in_(part))):
            members.setdefault(m.household_id, []).append(SimpleNamespace(
                name=m.name, id_number=m.id_number, deleted_at=m.deleted_at))
        villages = _village_names(session, {h.village_id for h in households}, {})
        session.execute(delete(SearchTerm).where(SearchTerm.household_id.in_(part)))
        rows = _terms(households, members, villages)
        tables.insert_tuples(session.connection(), SearchTerm.__table__, COLUMNS, rows)
        written += len(rows)
    return written
