"""Helpers for the sync tests: a township and its district, cards exchanged, packages moved."""
from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, select, text

from app import audit, households as hs, offices, users
from app.idcard import make_valid_id
from app.sync import cards, export, runs, tables
from db.engine import create_sqlcipher, open_sqlcipher, open_url

DISTRICT = "640424"
PG_URL = os.environ.get("QINGFENG_TEST_PG_URL")
PASSWORD = "test-pass-123"


@dataclass
class Office:
    database: object
    actor: object
    code: str
    path: Path | None = None


def build_district_template(path: Path) -> None:
    database, _key = create_sqlcipher(path)
    with database.session() as s:
        offices.init_office(s, code=DISTRICT, name="泾源县民政局", level="district", parent=None,
                            admin="admin", admin_password=PASSWORD, villages=[])
    database.dispose()


def open_copy(template: Path, target: Path) -> object:
    shutil.copyfile(template, target)
    shutil.copyfile(str(template) + ".qfkey", str(target) + ".qfkey")
    return open_sqlcipher(target)


def make_pg_district() -> tuple[object, callable]:
    name = f"qf_sync_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    database = open_url(url, create=True)
    with database.session() as s:
        offices.init_office(s, code=DISTRICT, name="泾源县民政局", level="district", parent=None,
                            admin="admin", admin_password=PASSWORD, villages=[])

    def drop() -> None:
        database.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
    return database, drop


def actor_of(database, username: str = "admin"):  # noqa: ANN001, ANN201
    with database.session(write=False) as s:
        return users.actor_for(s, username)


def exchange_cards(a: Office, b: Office) -> None:
    with a.database.session() as s:
        card_a = cards.export_card(s, a.actor)
    with b.database.session() as s:
        card_b = cards.export_card(s, b.actor)
        cards.import_card(s, b.actor, card_a)
    with a.database.session() as s:
        cards.import_card(s, a.actor, card_b)


def add_households(office: Office, n: int, *, start: int = 0, village: str = "香水村") -> list[str]:
    ids = []
    with office.database.session() as s:
        for i in range(start, start + n):
            saved = hs.create_household(
                s, office.actor, village=village, category="农村低保", monthly_amount="300",
                apply_date=date(2026, 10, 1),
                members=[hs.MemberInput(name=f"张{i}", id_number=make_valid_id(office.code[:6], date(1950, 1, 1) + timedelta(days=i), 11))])
            ids.append(saved.id)
    return ids


def export_to(office: Office, to: str, out: Path, *, full: bool = False, period: str = "2026-11"):  # noqa: ANN201
    with office.database.session() as s:
        return export.export_package(s, office.actor, to, out, full=full, period=period)


def import_into(office: Office, path: Path, **kw):  # noqa: ANN001, ANN201
    return runs.run_import(office.database, office.actor, path, **kw)


def canonical_dump(database, owners: set[str]) -> dict:  # noqa: ANN001
    """Every synced record of the given owners, as audited state, by table and id."""
    out = {}
    with database.session(write=False) as s:
        for entity in dict.fromkeys(tables.TOWNSHIP_TABLES + tables.DISTRICT_TABLES):
            model = tables.model(entity)
            rows = s.execute(select(model).where(model.owner_office.in_(owners))).scalars()
            out[entity] = {r.id: audit.state(r) for r in rows}
    return out


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in (path, Path(str(path) + "-wal")):
        if p.exists():
            h.update(p.read_bytes())
    return h.hexdigest()


KILL_SCRIPT = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from db.engine import Database, sqlcipher_engine
from app import users
from app.sync import runs
db = Database(engine=sqlcipher_engine(Path({db!r}), bytes.fromhex({key!r})))
with db.session(write=False) as s:
    actor = users.actor_for(s, "admin")
print("ready", flush=True)
t = time.perf_counter()
runs.run_import(db, actor, Path({package!r}), ack_dir=Path({acks!r}))
print("done", time.perf_counter() - t, flush=True)
"""


def kill_import_trial(base: Path, key: bytes, package: Path, work: Path, delay: float | None) -> dict:
    """Copy ``base`` (the district before the import), import ``package`` in a subprocess and
    kill it ``delay`` seconds after it is ready (None: let it finish). Returns what is left:
    integrity check, households and exchange-log rows of the import."""
    import subprocess
    import sys
    import time

    from sqlalchemy import text as sql
    from db.engine import Database, sqlcipher_engine, integrity_check

    root = str(Path(__file__).resolve().parent.parent)
    work.mkdir(parents=True, exist_ok=True)
    target = work / "trial.qfdb"
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(base, target)
    script = KILL_SCRIPT.format(root=root, db=str(target), key=key.hex(), package=str(package),
                                acks=str(work / "acks"))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    finished = None
    if delay is None:
        finished = float(proc.stdout.readline().split()[1])
    else:
        time.sleep(delay)
        proc.kill()
    proc.wait()
    proc.stdout.close()
    database = Database(engine=sqlcipher_engine(target, key))
    try:
        check = integrity_check(database)
        with database.engine.connect() as conn:
            households = conn.execute(sql("SELECT count(*) FROM households")).scalar()
            logged = conn.execute(sql("SELECT count(*) FROM exchange_log WHERE direction = 'in'")).scalar()
            audited = conn.execute(sql("SELECT count(*) FROM audit_log WHERE action = 'sync.import'")).scalar()
    finally:
        database.dispose()
    return {"integrity": check, "households": households, "logged": logged, "audited": audited,
            "seconds": finished, "killed": proc.returncode != 0}
