"""A package import killed at random moments leaves the database intact with all of the package
or none of it (the 50-kill run is bench/bench_sync.py; this is the small version)."""
from __future__ import annotations

import random

from tests.sync_support import (DISTRICT, Office, actor_of, add_households, build_district_template,
                                exchange_cards, export_to, kill_import_trial, open_copy)

TOWN = "640424100"


def test_killed_import_is_all_or_nothing(env, tmp_path):
    build_district_template(tmp_path / "dt.qfdb")
    dist_db = open_copy(tmp_path / "dt.qfdb", tmp_path / "district.qfdb")
    town = Office(env.database, env.admin, TOWN, env.path)
    dist = Office(dist_db, actor_of(dist_db), DISTRICT, tmp_path / "district.qfdb")
    exchange_cards(town, dist)
    add_households(town, 60)
    package = export_to(town, DISTRICT, tmp_path / "out").paths[0]
    key = dist_db.key
    dist_db.dispose()  # checkpoint: the copied file is the whole database
    full = kill_import_trial(tmp_path / "district.qfdb", key, package, tmp_path / "w", None)
    assert full["integrity"] == "ok" and full["households"] == 60 and full["logged"] == 1
    assert full["audited"] > 60  # every record imported is audited (and so is the package)
    everything = (60, 1, full["audited"])
    rng = random.Random(11)
    outcomes = set()
    for delay in [0.0, full["seconds"] * 0.5] + [rng.uniform(0, full["seconds"] * 1.2) for _ in range(2)]:
        r = kill_import_trial(tmp_path / "district.qfdb", key, package, tmp_path / "w", delay)
        assert r["integrity"] == "ok"
        assert (r["households"], r["logged"], r["audited"]) in ((0, 0, 0), everything), r
        outcomes.add(r["households"])
    assert 0 in outcomes
