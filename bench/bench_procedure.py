"""Procedure and time limits at scale (run by hand, prints figures; never a test).

    .venv/bin/python bench/bench_procedure.py --households 100000

Builds a district database in a temporary folder (bench/district.py: households with members,
3 % 申请中, no steps), gives every 申请中 household a 受理 step, then times what the 首页 and the
maintenance command read or write: ``dashboard.case_limit_rows`` (case limits near or late),
``dashboard.home_data`` (the whole 首页) and ``deadlines.recompute_all`` (opens the yearly 在保必核
task of every household in force: the first run after an upgrade writes one task and one audit
entry per household; later runs only recompute)."""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from district import OFFICE, make_district_db, use_memory_keyring  # noqa: E402

TODAY = date(2026, 11, 23)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--households", type=int, default=100_000)
    args = p.parse_args()
    use_memory_keyring()
    from sqlalchemy import select

    from app import dashboard, deadlines, users
    from app import households as hs
    from db.models import Household

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        db = make_district_db(Path(tmp) / "bench.qfdb", households=args.households)
        print(f"built {args.households} households in {time.perf_counter() - t:.1f} s")
        with db.session() as s:
            admin = users.actor_for(s, "admin")
            ids = s.execute(select(Household.id, Household.apply_date).where(
                Household.status == "申请中")).all()
            t = time.perf_counter()
            for i, (hid, applied) in enumerate(ids):
                day = max(applied or TODAY - timedelta(days=40), TODAY - timedelta(days=40 + i % 20))
                hs.record_step(s, admin, hid, kind="受理", day=min(day, TODAY), handler="马晓梅", today=TODAY)
            print(f"recorded 受理 for {len(ids)} 申请中 households in {time.perf_counter() - t:.1f} s")
        with db.session(write=False) as s:
            t = time.perf_counter()
            rows = dashboard.case_limit_rows(s, TODAY)
            print(f"case_limit_rows: {len(rows)} rows in {time.perf_counter() - t:.2f} s")
            t = time.perf_counter()
            dashboard.home_data(s, OFFICE, today=TODAY)
            print(f"home_data: {time.perf_counter() - t:.2f} s")
        with db.session() as s:
            admin = users.actor_for(s, "admin")
            t = time.perf_counter()
            r = deadlines.recompute_all(s, admin, today=TODAY)
            print(f"recompute_all (first run): opened {r.opened} yearly checks in {time.perf_counter() - t:.1f} s")
        with db.session() as s:
            t = time.perf_counter()
            r = deadlines.recompute_all(s, admin, today=TODAY)
            print(f"recompute_all (again): {r.total} changes in {time.perf_counter() - t:.1f} s")
        db.dispose()


if __name__ == "__main__":
    main()
