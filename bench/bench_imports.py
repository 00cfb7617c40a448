"""Imports and cross-checks benchmark (run by hand; prints figures, asserts nothing).

1. Roster import of ~100,000 members from one .xlsx (household columns repeated on every member
   row): read, validate + preview, insert (one transaction, audited) into an empty encrypted
   database — beside ``pandas.read_excel`` reading the same file alone, in the same run
   (pandas: ``pip install -e .[bench]``). Goal: ours faster than pandas' read alone.
2. Death-list check: 100,000 deaths against the district database (~300,000 members). Goal < 2 s.
3. All checks over the district database (with the death list and a disability list). Goal < 10 s.

    .venv/bin/python bench/bench_imports.py [--members 100000] [--households 100000] [--repeat 3]
        [--workdir /tmp/qf-bench]   # keep the district database there and reuse it
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, insert  # noqa: E402

from bench.district import OFFICE, generate_rows, use_memory_keyring  # noqa: E402
from db.check_models import CheckFinding  # noqa: E402

TODAY = date(2026, 11, 20)
HEADER = ["序号", "所属村(居)", "户主姓名", "户主身份证号", "姓名", "公民身份号码", "与户主关系", "月保障金(元)", "保障类别"]


def write_roster(path: Path, members: int) -> tuple[int, list[str]]:
    """A roster xlsx with about ``members`` member rows; returns (rows, village names)."""
    from openpyxl import Workbook

    rows = generate_rows(max(1, members // 2), seed=7)
    by_hh: dict[str, list[dict]] = {}
    for m in rows["members"]:
        by_hh.setdefault(m["household_id"], []).append(m)
    villages = {v["id"]: v["name"] for v in rows["villages"]}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["某镇低保对象花名册（基准测试数据）"])
    ws.append(HEADER)
    n = 0
    used: set[str] = set()
    for hh in rows["households"]:
        ms = by_hh[hh["id"]]
        if any(m["id_number"] in used for m in ms):
            continue  # the synthetic numbers repeat now and then: keep each person once
        used.update(m["id_number"] for m in ms)
        head = ms[0]
        for m in ms:
            n += 1
            ws.append([n, villages[hh["village_id"]], head["name"], head["id_number"], m["name"], m["id_number"],
                       m["relation"], float(hh["monthly_amount"]), hh["category"]])
            if n >= members:
                break
        if n >= members:
            break
    ws.append(["合计"])
    wb.save(path)
    return n, sorted(set(villages.values()))


def bench_roster(tmp: Path, members: int) -> None:
    from app import clock, offices, users
    from app.imports import apply as ap
    from app.imports import readers
    from app.imports import roster as ro
    from db.engine import create_sqlcipher

    path = tmp / "roster.xlsx"
    t0 = time.perf_counter()
    n, villages = write_roster(path, members)
    print(f"roster file: {n} member rows, {path.stat().st_size / 1e6:.1f} MB (written in {time.perf_counter() - t0:.1f} s)")

    pd = importlib.import_module("pandas") if importlib.util.find_spec("pandas") else None
    if pd is None:
        print("pandas not installed (pip install -e .[bench]): pandas comparison skipped")
    else:
        t0, c0 = time.perf_counter(), time.process_time()
        frame = pd.read_excel(path, header=1, engine="openpyxl")
        t_pandas, c_pandas = time.perf_counter() - t0, time.process_time() - c0
        print(f"pandas.read_excel (openpyxl engine, read only): {t_pandas:6.2f} s  (CPU {c_pandas:6.2f} s; "
              f"{len(frame)} rows)")
        t0 = time.perf_counter()
        pd.read_excel(path, header=1, engine="calamine")
        print(f"pandas.read_excel (calamine engine, read only): {time.perf_counter() - t0:6.2f} s")

    database, _ = create_sqlcipher(tmp / "roster.qfdb")
    with database.session() as s:
        offices.init_office(s, code=OFFICE, name="香水镇人民政府", level="township", parent=None,
                            admin="admin", admin_password="bench-pass-1", villages=villages)
    with database.session(write=False) as s:
        actor = users.actor_for(s, "admin")
    with clock.frozen(TODAY):
        t0 = time.perf_counter()
        readers.read_book(path)
        t_read = time.perf_counter() - t0
        start, c_start = time.perf_counter(), time.process_time()
        with database.session() as s:
            t0 = time.perf_counter()
            plan = ro.plan_roster(s, path)
            t_plan = time.perf_counter() - t0
            t0 = time.perf_counter()
            result = ap.apply_roster(s, actor, plan)
            t_apply = time.perf_counter() - t0
        t_total, c_total = time.perf_counter() - start, time.process_time() - c_start
    print(f"ours: read alone {t_read:6.2f} s; read+validate+preview {t_plan:6.2f} s; insert+audit {t_apply:6.2f} s; "
          f"total with commit {t_total:6.2f} s (CPU {c_total:6.2f} s)")
    print(f"  added {result.households_added} households, {result.persons_added} members; refused {len(plan.refused)}")
    if pd is not None:
        print(f"  ours (read, validate, preview, insert) vs pandas read alone: {t_total / t_pandas:.2f}× "
              f"(CPU time: {c_total / c_pandas:.2f}×)")
    with clock.frozen(TODAY), database.session(write=False) as s:
        t0 = time.perf_counter()
        again = ro.plan_roster(s, path)
        print(f"second preview of the same file: {time.perf_counter() - t0:6.2f} s, changes: {again.has_changes}")
    database.dispose()


PASSPHRASE = "bench-district-1"


def district(workdir: Path, households: int):  # noqa: ANN201
    """The district database with a death list and a disability list: built once in ``workdir``
    (key under a passphrase, so a later run reopens it), reused when it is already there."""
    from db.engine import create_sqlcipher, open_sqlcipher

    path = workdir / f"district-{households}.qfdb"
    if path.exists():
        database = open_sqlcipher(path, passphrase=PASSPHRASE)
        with database.session() as s:  # a reused database starts without stored findings
            s.execute(delete(CheckFinding))
        print(f"district database: reused {path}")
        return database
    from app import offices
    from bench.district import ADMIN_PASSWORD, generate_rows, load

    t0 = time.perf_counter()
    database, _key = create_sqlcipher(path, passphrase=PASSPHRASE)
    with database.session() as s:
        offices.init_office(s, code=OFFICE, name="香水镇人民政府", level="township", parent=None,
                            admin="admin", admin_password=ADMIN_PASSWORD)
    load(database.engine, generate_rows(households, 1))
    print(f"district database: {households} households built in {time.perf_counter() - t0:.1f} s")
    _add_sources(database)
    return database


def _add_sources(database) -> None:  # noqa: ANN001
    from app.idcard import make_valid_id
    from db.check_models import DataSource, SourceRecord
    from db.models import Member
    from sqlalchemy import select

    rng = random.Random(3)
    now = datetime(2026, 11, 1, 9, 0, 0)
    with database.session() as s:
        ids = s.execute(select(Member.id_number)).scalars().all()
        sources_rows, records = [], []
        for kind, count in (("deaths", 100_000), ("disability", 20_000)):
            sid = str(uuid.uuid4())
            sources_rows.append({"id": sid, "owner_office": OFFICE, "version": 1, "created_at": now,
                                 "updated_at": now, "kind": kind, "origin": "基准测试", "list_date": date(2026, 11, 1),
                                 "file_name": f"{kind}.xlsx", "file_hash": sid.replace("-", ""), "rows_total": count,
                                 "rows_accepted": count, "rows_refused": 0})
            picked = rng.sample(ids, min(len(ids), count // 50))  # 2 % are recipients
            others = [make_valid_id("640425", date(1930 + i % 80, 1 + i % 12, 1 + i % 28), i % 999)
                      for i in range(count - len(picked))]
            for i, idn in enumerate(picked + others):
                records.append({"source_id": sid, "row_no": i + 2, "id_number": idn, "name": "某",
                                "event_date": date(2026, 10, 1), "detail": "一级" if kind == "disability" else None})
        s.execute(insert(DataSource), sources_rows)
        for i in range(0, len(records), 20000):
            s.execute(insert(SourceRecord), records[i:i + 20000])


def _timed(fn, repeat: int) -> tuple[float, float, object]:  # noqa: ANN001
    """(best, median) seconds of ``repeat`` runs of ``fn()``, and its last result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times), out


def bench_checks(workdir: Path, households: int, repeat: int) -> None:
    from app import checks, clock, findings, users
    from db.models import Member
    from sqlalchemy import func, select

    database = district(workdir, households)
    with database.session(write=False) as s:
        members = s.execute(select(func.count()).select_from(Member)).scalar_one()
        print(f"members: {members}")
        best, med, found = _timed(lambda: checks.check_deaths(s, TODAY), repeat)
        print(f"death-list check: 100,000 deaths vs {members} members: best {best:6.2f} s, median {med:6.2f} s "
              f"({len(found)} findings; goal < 2 s)")
        total_best = total_med = 0.0
        for name, (label, fn) in checks.RULES.items():
            best, med, out = _timed(lambda fn=fn: fn(s, TODAY), repeat)
            total_best += best
            total_med += med
            print(f"  {name:<11} best {best:6.2f} s, median {med:6.2f} s  {len(out):>7} findings  {label}")
        print(f"all rules (read only): best {total_best:6.2f} s, median {total_med:6.2f} s (goal < 10 s)")
    with database.session(write=False) as s:
        actor = users.actor_for(s, "admin")
    with clock.frozen(TODAY):
        with database.session() as s:
            t0, c0 = time.perf_counter(), time.process_time()
            findings.run_checks(s, actor)
            print(f"run_checks (all rules, findings stored): {time.perf_counter() - t0:6.2f} s "
                  f"(CPU {time.process_time() - c0:6.2f} s)")
        for _ in range(repeat):
            with database.session() as s:
                t0, c0 = time.perf_counter(), time.process_time()
                reports = findings.run_checks(s, actor)
                print(f"run_checks again (no duplicates, {sum(r.new for r in reports)} new): "
                      f"{time.perf_counter() - t0:6.2f} s (CPU {time.process_time() - c0:6.2f} s)")
    database.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--members", type=int, default=100_000)
    ap.add_argument("--households", type=int, default=100_000)
    ap.add_argument("--skip-roster", action="store_true")
    ap.add_argument("--skip-checks", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each check (best and median shown)")
    ap.add_argument("--workdir", type=Path, help="keep the district database here and reuse it (not in the repo)")
    args = ap.parse_args()
    use_memory_keyring()
    with tempfile.TemporaryDirectory(prefix="qf-bench-imports-") as d:
        if not args.skip_roster:
            bench_roster(Path(d), args.members)
        if not args.skip_checks:
            if args.workdir:
                args.workdir.mkdir(parents=True, exist_ok=True)
            bench_checks(args.workdir or Path(d), args.households, args.repeat)


if __name__ == "__main__":
    main()
