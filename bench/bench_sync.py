"""Sync benchmark (run by hand; prints figures, asserts nothing).

1. A 5,000-household township (synthetic rows, ~15,000 members): full package export and import
   at the district, package size.                         Goals: < 3 s each, package < 5 MB.
2. District import of N township packages (default 30 × 5,000 households = 150,000) on SQLite,
   and on PostgreSQL when QINGFENG_TEST_PG_URL is set.      Goal: < 60 s.
3. Kill test: an import subprocess killed at random moments (default 50 times); each time the
   database passes integrity_check and holds all of the package or none of it.

    .venv/bin/python bench/bench_sync.py [--households 5000] [--townships 30] [--kills 50]
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.district import generate_rows, load, use_memory_keyring  # noqa: E402

DISTRICT = "640424"
PASSWORD = "bench-pass-1"


def recode(rows: dict, code: str) -> dict:
    """generate_rows writes one township's code; give the rows another township's."""
    for key in ("villages", "households", "members"):
        for r in rows[key]:
            r["owner_office"] = code
    for h in rows["households"]:
        h["number"] = code + h["number"][9:]
    return rows


def make_township(path: Path, code: str, households: int, seed: int):  # noqa: ANN201
    from app import offices
    from db.engine import create_sqlcipher

    database, _ = create_sqlcipher(path)
    with database.session() as s:
        offices.init_office(s, code=code, name=f"第{code[-3:]}乡镇", level="township", parent=None,
                            admin="admin", admin_password=PASSWORD)
    load(database.engine, recode(generate_rows(households, seed), code))
    return database


def make_district(path: Path | None, url: str | None):  # noqa: ANN201
    from app import offices
    from db.engine import create_sqlcipher, open_url

    if url:
        database = open_url(url, create=True)
    else:
        database, _ = create_sqlcipher(path)
    with database.session() as s:
        offices.init_office(s, code=DISTRICT, name="泾源县民政局", level="district", parent=None,
                            admin="admin", admin_password=PASSWORD)
    return database


def offices_pair(town_db, dist_db):  # noqa: ANN001, ANN201
    from tests.sync_support import Office, actor_of, exchange_cards

    town = Office(town_db, actor_of(town_db), "")
    dist = Office(dist_db, actor_of(dist_db), DISTRICT)
    exchange_cards(town, dist)
    return town, dist


def clone_keys(src, dst) -> None:  # noqa: ANN001
    """The PostgreSQL district is a second install of the same office: same keys, so one
    package (encrypted for the district) serves both runs."""
    from sqlalchemy import insert, select

    from app.sync import cards
    from db.sync_models import OfficeKey
    from tests.sync_support import actor_of

    with src.session() as s:
        cards.ensure_keys(s, actor_of(src))
        row = s.execute(select(OfficeKey)).scalar_one()
        values = {c.key: getattr(row, c.key) for c in OfficeKey.__table__.columns if c.key != "id"}
    with dst.session() as s:
        s.execute(insert(OfficeKey), [values])


def pg_database(base_url: str):  # noqa: ANN201
    import uuid

    from sqlalchemy import create_engine, text

    name = f"qf_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        from sqlalchemy.exc import ProgrammingError

        for attempt in range(10):  # an autovacuum worker on the fresh database cannot be ended by us: wait
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                return
            except ProgrammingError:
                if attempt == 9:
                    raise
                time.sleep(3)
    return url, drop


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=5000)
    ap.add_argument("--townships", type=int, default=30)
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--kill-households", type=int, default=1000)
    ap.add_argument("--only-kills", action="store_true", help="run only the kill test")
    args = ap.parse_args()
    use_memory_keyring()
    from app.sync import runs
    from tests.sync_support import export_to, kill_import_trial

    tmp = Path(tempfile.mkdtemp(prefix="qf-bench-sync-"))
    print(f"work directory: {tmp}")

    if args.only_kills:
        return kill_test(args, tmp)
    # 1. one township, full package
    town_db = make_township(tmp / "town.qfdb", "640424100", args.households, 1)
    dist_db = make_district(tmp / "district.qfdb", None)
    town, dist = offices_pair(town_db, dist_db)
    t = time.perf_counter()
    result = export_to(town, DISTRICT, tmp / "out", full=True)
    export_s = time.perf_counter() - t
    t, cpu = time.perf_counter(), time.process_time()
    r = runs.run_import(dist_db, dist.actor, result.paths[0], ack_dir=tmp / "acks")
    import_s, import_cpu = time.perf_counter() - t, time.process_time() - cpu
    print(f"[1] {args.households} households, {result.counts['member']} members: export {export_s:.2f} s, "
          f"import {import_s:.2f} s (CPU {import_cpu:.2f} s), package {result.size / 1e6:.2f} MB in {len(result.paths)} file(s) "
          f"(goals: < 3 s each, < 5 MB); imported {r.tables['household'].new} households")
    town_db.dispose()
    dist_db.dispose()

    # 2. a district imports N township packages
    packages = []
    t = time.perf_counter()
    dist_sqlite = make_district(tmp / "district30.qfdb", None)
    pg_url, pg_drop = (pg_database(os.environ["QINGFENG_TEST_PG_URL"])
                       if os.environ.get("QINGFENG_TEST_PG_URL") else (None, None))
    dist_pg = make_district(None, pg_url) if pg_url else None
    if dist_pg is not None:
        clone_keys(dist_sqlite, dist_pg)
    for n in range(args.townships):
        code = f"640424{100 + n:03d}"
        path = tmp / f"t{n}.qfdb"
        tdb = make_township(path, code, args.households, 100 + n)
        town, _ = offices_pair(tdb, dist_sqlite)
        if dist_pg is not None:
            from app.sync import cards
            from tests.sync_support import actor_of

            with tdb.session(write=False) as s:
                card = cards.card_bytes(cards.ensure_keys(s, town.actor))
            with dist_pg.session() as s:
                cards.import_card(s, actor_of(dist_pg), card)
        packages.append(export_to(town, DISTRICT, tmp / "p30").paths[0])
        tdb.dispose()
        for suffix in ("", "-wal", "-shm", ".qfkey"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    print(f"    built {args.townships} township packages in {time.perf_counter() - t:.0f} s")
    for label, database in (("SQLite", dist_sqlite), ("PostgreSQL", dist_pg)):
        if database is None:
            print(f"[2] {label}: skipped (QINGFENG_TEST_PG_URL not set)")
            continue
        from tests.sync_support import actor_of

        actor = actor_of(database)
        cpu = time.process_time()
        marks = [time.perf_counter()]

        def tick(i: int, n: int, text: str) -> None:
            if 0 < i < n or text == "导入完成":  # the last package's interval includes the commit
                marks.append(time.perf_counter())
        # the district's month: all packages in one batch (one safety backup; on SQLite one
        # transaction for the batch, on PostgreSQL one per package)
        items = runs.run_imports(database, actor, packages, ack_dir=tmp / "acks30", progress=tick)
        total = sum(i.result.tables["household"].new for i in items if i.result)
        each = sorted(b - a for a, b in zip(marks, marks[1:]))
        refused = [i.refused for i in items if i.refused]
        print(f"[2] {label}: {args.townships} packages, {total} households imported in "
              f"{marks[-1] - marks[0]:.1f} s (goal < 60 s); per package median {each[len(each) // 2]:.2f} s, "
              f"fastest {each[0]:.2f} s, slowest {each[-1]:.2f} s (backup before the first included); "
              f"CPU time of this process {time.process_time() - cpu:.1f} s (the wall time on a loaded "
              f"machine is longer; PostgreSQL's own work is in its server processes)"
              + (f"; REFUSED: {refused}" if refused else ""))
        database.dispose()
    if pg_drop:
        pg_drop()

    kill_test(args, tmp)


def kill_test(args, tmp: Path) -> None:  # noqa: ANN001
    from tests.sync_support import export_to, kill_import_trial

    town_db = make_township(tmp / "ktown.qfdb", "640424100", args.kill_households, 7)
    kdist = make_district(tmp / "kdist.qfdb", None)
    town, _ = offices_pair(town_db, kdist)
    package = export_to(town, DISTRICT, tmp / "kout", full=True).paths[0]
    key = kdist.key
    kdist.dispose()
    town_db.dispose()
    full = kill_import_trial(tmp / "kdist.qfdb", key, package, tmp / "kw", None)
    everything = (full["households"], full["logged"], full["audited"])
    rng = random.Random(5)
    outcomes = {"none": 0, "all": 0, "bad": 0}
    for _ in range(args.kills):
        r = kill_import_trial(tmp / "kdist.qfdb", key, package, tmp / "kw", rng.uniform(0, full["seconds"] * 1.3))
        state = (r["households"], r["logged"], r["audited"])
        if r["integrity"] != "ok" or state not in ((0, 0, 0), everything):
            outcomes["bad"] += 1
            print("    inconsistent:", r)
        else:
            outcomes["all" if r["households"] else "none"] += 1
    print(f"[3] kill test: {args.kills} kills of a {args.kill_households}-household import "
          f"(import alone {full['seconds']:.2f} s): {outcomes['none']} left nothing, "
          f"{outcomes['all']} had finished, {outcomes['bad']} inconsistent; integrity_check ok in all "
          f"{args.kills - outcomes['bad']} others")


if __name__ == "__main__":
    main()
