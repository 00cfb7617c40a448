"""Synthetic district-scale data for benchmarks: households, members and search terms as
plain rows, loaded with SQLAlchemy core inserts in one transaction.

``make_district_db(path, households=100_000)`` builds an encrypted database with an office and an
administrator (password ``bench-pass-1``) that the GUI and search benchmarks can open.
"""
from __future__ import annotations

import random
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from app import search  # noqa: E402
from app.demo import CATEGORIES, CAUSES, GIVEN, RARE, SURNAMES, VILLAGES  # noqa: E402
from app.idcard import make_valid_id  # noqa: E402
from db.models import Household, Member, SearchTerm, Village  # noqa: E402

OFFICE = "640424100"
ADMIN_PASSWORD = "bench-pass-1"


def use_memory_keyring() -> None:
    """Benchmarks keep database keys in memory (never in the machine's real keyring)."""
    import keyring
    from keyring.backend import KeyringBackend

    class Memory(KeyringBackend):
        priority = 10
        store: dict = {}

        def get_password(self, s, u):  # noqa: ANN001, ANN201
            return self.store.get((s, u))

        def set_password(self, s, u, p):  # noqa: ANN001, ANN201
            self.store[(s, u)] = p

        def delete_password(self, s, u):  # noqa: ANN001, ANN201
            self.store.pop((s, u), None)

    keyring.set_keyring(Memory())


def generate_rows(households: int, seed: int = 1) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    now = datetime(2026, 11, 1, 9, 0, 0)
    villages = [{"id": str(uuid.UUID(int=rng.getrandbits(128))), "owner_office": OFFICE,
                 "version": 1, "created_at": now, "updated_at": now, "name": f"{name}{i // 10 or ''}",
                 "sort_order": i} for i, name in enumerate(VILLAGES * 4)]
    cats, weights = zip(*CATEGORIES)
    hh_rows, member_rows, term_rows = [], [], []
    seq = 0
    for n in range(households):
        hid = str(uuid.UUID(int=rng.getrandbits(128)))
        village = rng.choice(villages)
        status = rng.choices(["在保", "已退出", "未通过", "申请中"], [80, 12, 5, 3])[0]
        surname = rng.choice(SURNAMES)
        size = rng.choices([1, 2, 3, 4, 5], [15, 20, 30, 25, 10])[0]
        members = []
        for k in range(size):
            given = (rng.choice(RARE) if rng.random() < 0.02 else "") + "".join(
                rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            name = (surname if k != 1 else rng.choice(SURNAMES)) + given
            birth = date(1940, 1, 1) + timedelta(days=rng.randint(0, 30000))
            seq += 1
            members.append({"id": str(uuid.UUID(int=rng.getrandbits(128))), "owner_office": OFFICE,
                            "version": 1, "created_at": now, "updated_at": now, "household_id": hid,
                            "name": name, "id_number": make_valid_id("640424", birth, seq % 999),
                            "gender": "男" if (seq % 999) % 2 else "女", "birth_date": birth,
                            "relation": "户主" if k == 0 else "其他", "lives_together": True,
                            "covered": True})
        hh = {"id": hid, "owner_office": OFFICE, "version": 1, "created_at": now, "updated_at": now,
              "number": f"{OFFICE}-{n + 1:06d}", "village_id": village["id"],
              "head_name": members[0]["name"], "urban_rural": "农村",
              "category": rng.choices(cats, weights)[0], "status": status,
              "classification": rng.choice("ABC"), "monthly_amount": Decimal(rng.randint(100, 2400)),
              "poverty_cause": rng.choice(CAUSES), "apply_date": date(2024, 1, 1),
              "next_review_date": date(2026, 1, 1) + timedelta(days=rng.randint(0, 700))}
        hh_rows.append(hh)
        member_rows.extend(members)

        class _H:  # the attributes household_terms reads
            head_name, number = hh["head_name"], hh["number"]

        class _M:
            def __init__(self, m):
                self.name, self.id_number, self.deleted_at = m["name"], m["id_number"], None

        rank = search.rank_of(status)
        for term in search.household_terms(_H, [_M(m) for m in members], village["name"]):
            term_rows.append({"household_id": hid, "term": term, "rank": rank})
    return {"villages": villages, "households": hh_rows, "members": member_rows,
            "search_terms": term_rows}


def load(engine, rows: dict[str, list[dict]], chunk: int = 20000) -> float:  # noqa: ANN001
    """Insert all rows in one transaction; returns seconds."""
    start = time.perf_counter()
    with engine.begin() as conn:
        # a bulk import works with a larger page cache (1 GB, both engines alike): encrypted pages
        # are then decrypted and re-encrypted far less often while the indexes grow
        conn.exec_driver_sql("PRAGMA cache_size = -1048576")
        for model, key in ((Village, "villages"), (Household, "households"), (Member, "members"),
                           (SearchTerm, "search_terms")):
            data = rows[key]
            for i in range(0, len(data), chunk):
                conn.execute(insert(model.__table__), data[i:i + chunk])
    return time.perf_counter() - start


def make_district_db(path: Path, households: int = 100_000, seed: int = 1):  # noqa: ANN201
    """An encrypted district-size database with an office and admin; returns the Database."""
    from app import offices
    from db.engine import create_sqlcipher

    database, _key = create_sqlcipher(path)
    with database.session() as s:
        offices.init_office(s, code=OFFICE, name="香水镇人民政府", level="township", parent=None,
                            admin="admin", admin_password=ADMIN_PASSWORD)
    load(database.engine, generate_rows(households, seed))
    return database
