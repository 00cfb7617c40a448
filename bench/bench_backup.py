"""Backup and restore at district scale, and the bundle's start-to-self-check time.

    .venv/bin/python bench/bench_backup.py [--households 100000] [--bundle]

Builds a district database in /tmp (not timed), then times: a verified automatic backup
(sqlcipher_export + integrity_check + row counts), the checks a restore runs before touching
anything (integrity, schema, office, audit chain), a whole restore (with the verified copy of
the current database kept aside), and with ``--bundle`` the built bundle from start to its
``--self-check`` result (installer/build-linux.sh must have run). Targets: backup and verify
< 30 s; bundle start to self-check < 5 s.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.district import OFFICE, make_district_db, use_memory_keyring  # noqa: E402


def timed(label: str, fn):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    result = fn()
    print(f"{label}: {time.perf_counter() - start:.2f} s", flush=True)
    return result


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--households", type=int, default=100_000)
    p.add_argument("--bundle", action="store_true")
    args = p.parse_args()
    use_memory_keyring()
    from app import backups, users
    from db import backup

    work = Path(tempfile.mkdtemp(prefix="qf-bench-backup-"))
    path = work / "district.qfdb"
    database = timed(f"build {args.households} households (not a target)",
                     lambda: make_district_db(path, households=args.households))
    size = path.stat().st_size
    print(f"database: {size / 1024 ** 2:.0f} MB", flush=True)
    entry = timed("backup + verify (target < 30 s)", lambda: backups.safety_backup(database, "daily"))
    key = database.key
    with database.session(write=False) as s:
        admin = users.actor_for(s, "admin")
    database.dispose()

    def prechecks():  # noqa: ANN202
        stage = work / "stage.qfdb"
        backup.stage_copy(entry.path, stage)
        backup.verify_file(stage, key)
        backups._check_staged(stage, key, office_code=OFFICE, credentials=None)
        stage.unlink()

    timed("restore checks before anything is touched (copy, integrity, schema, office, audit chain)", prechecks)
    result = timed("whole restore (checks + verified copy of the current database + swap + audit)",
                   lambda: backups.restore(path, entry.path, key=key, actor=admin, office_code=OFFICE))
    result.database.dispose()
    if args.bundle:
        program = Path(os.environ.get("QINGFENG_BUNDLE_CACHE", Path.home() / ".cache/qingfeng-bundle")) \
            / "dist/qingfeng/qingfeng"
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QINGFENG_PASSPHRASE="bench-phrase-1",
                   QINGFENG_PASSWORD="bench-pass-1", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                   QINGFENG_LOG_DIR=str(work / "logs"))
        small = work / "small.qfdb"
        subprocess.run([str(program.with_name("qingfeng-cli")), "--db", str(small), "init", "--office", OFFICE,
                        "--name", "香水镇", "--level", "township", "--admin", "admin"],
                       env=env, check=True, capture_output=True)
        for _ in range(2):  # the second run has a warm file cache, as on a PC in use
            start = time.perf_counter()
            r = subprocess.run([str(program), "--db", str(small), "--self-check"], env=env,
                               capture_output=True, text=True)
            print(f"bundle start to --self-check result, new township database (target < 5 s): "
                  f"{time.perf_counter() - start:.2f} s (exit {r.returncode})", flush=True)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
