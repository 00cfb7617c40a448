"""Foundation benchmark (run by hand; prints figures, asserts nothing).

Builds a district-scale database (default 100,000 households, ~300,000 members) twice from the
same rows — SQLCipher-encrypted and plain sqlite3 with the same PRAGMAs — and prints the bulk
load ratio, search p50/p95 over a mix of queries, and the database size.
Goals (issue 2): load ratio ≤ 1.3, search p95 < 30 ms.

    .venv/bin/python bench/bench_registry.py [--households 100000]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, event  # noqa: E402

from bench.district import generate_rows, load, use_memory_keyring  # noqa: E402


def plain_engine(path: Path):  # noqa: ANN201
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(conn, _rec):  # noqa: ANN001
        for p in ("foreign_keys = ON", "busy_timeout = 10000", "cache_size = -65536",
                  "journal_mode = WAL", "synchronous = NORMAL"):
            conn.execute(f"PRAGMA {p}")

    return engine


def queries_mix(rows: dict, n: int, rng: random.Random) -> list[str]:
    from app.search import name_terms

    members = rows["members"]
    out = []
    for _ in range(n):
        m = rng.choice(members)
        ascii_terms = sorted((t for t in name_terms(m["name"]) if t.isascii()), key=len)
        kind = rng.random()
        if kind < 0.3 and ascii_terms:
            out.append(ascii_terms[0])  # initials
        elif kind < 0.5 and ascii_terms:
            out.append(ascii_terms[-1][:6])  # pinyin prefix
        elif kind < 0.7:
            out.append(m["name"][: rng.choice((1, 2, len(m["name"])))])
        elif kind < 0.9:
            out.append(m["id_number"][: rng.choice((4, 6, 10, 14, 18))])
        else:
            out.append(rng.choice(rows["villages"])["name"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=400)
    args = ap.parse_args()
    use_memory_keyring()
    from app import offices
    from app.search import search
    from db import migrate
    from db.engine import Database, create_sqlcipher

    tmp = Path(tempfile.mkdtemp(prefix="qf-bench-"))
    t0 = time.perf_counter()
    rows = generate_rows(args.households)
    print(f"generated {len(rows['households']):,} households, {len(rows['members']):,} members, "
          f"{len(rows['search_terms']):,} search terms in {time.perf_counter() - t0:.1f} s")

    enc_db, _ = create_sqlcipher(tmp / "enc.qfdb")
    with enc_db.session() as s:
        offices.init_office(s, code="640424100", name="香水镇人民政府", level="township", parent=None,
                            admin="admin", admin_password="bench-pass-1")
    plain = Database(engine=plain_engine(tmp / "plain.db"))
    migrate.upgrade_to_head(plain)

    warm = Database(engine=plain_engine(tmp / "warm.db"))  # compile caches, page allocator
    migrate.upgrade_to_head(warm)
    load(warm.engine, generate_rows(max(200, args.households // 50), seed=99))
    warm.dispose()
    t_plain = load(plain.engine, rows)
    t_enc = load(enc_db.engine, rows)
    print(f"bulk load: plain sqlite3 {t_plain:.2f} s, SQLCipher {t_enc:.2f} s, "
          f"ratio {t_enc / t_plain:.2f} (goal ≤ 1.3)")

    rng = random.Random(7)
    qs = queries_mix(rows, args.queries, rng)
    timings = []
    with enc_db.session(write=False) as s:
        for q in qs[:20]:
            search(s, q)  # warm the page cache
        for q in qs:
            start = time.perf_counter()
            search(s, q)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"search over {len(qs)} queries (initials, pinyin, names, ID prefixes, villages): "
          f"p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms "
          f"(goal p95 < 30 ms)")
    enc_db.dispose()
    plain.dispose()
    size = sum(os.path.getsize(p) for p in tmp.glob("enc.qfdb*"))
    psize = sum(os.path.getsize(p) for p in tmp.glob("plain.db*"))
    print(f"database size: encrypted {size / 1e6:.1f} MB, plain {psize / 1e6:.1f} MB  ({tmp})")


if __name__ == "__main__":
    main()
