"""qingfeng-cli start-up: only the command's own module is imported, a database at head is
opened without Alembic, and the command map matches what the modules register."""
import argparse
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli, offices, users
from db import migrate
from db.engine import create_sqlcipher

ROOT = Path(__file__).resolve().parent.parent
PASS = "start-pass-123"
PHRASE = "start-phrase-123"


def test_quick_head_is_alembics_head():
    assert migrate.quick_head() == migrate.script().get_current_head()


def test_command_map_matches_the_modules():
    """Every top-level command a module registers is in COMMANDS with that module, and every
    command in COMMANDS is registered by its modules."""
    registered: dict[str, set[str]] = {}
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    for name in cli.MODULE_NAMES:
        before = set(sub.choices)
        importlib.import_module(f"app.cli.{name}").register(sub)
        for command in set(sub.choices) - before:
            registered.setdefault(command, set()).add(name)
    assert set(registered) == set(cli.COMMANDS)
    for command, names in registered.items():
        assert names <= set(cli.COMMANDS[command]), command


@pytest.mark.parametrize("argv, word", [
    (["--db", "x.qfdb", "--user", "admin", "report", "gongshi"], "report"),
    (["--db=x.qfdb", "--json", "household", "list"], "household"),
    (["--correction-reason", "更正", "ledger", "problem", "list"], "ledger"),
    (["-h"], None), ([], None), (["--db", "x.qfdb"], None)])
def test_command_word(argv, word):
    assert cli.command_word(argv) == word


def test_help_still_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        cli.main(["-h"])
    out = capsys.readouterr().out
    for command in ("init", "household", "report", "ledger", "procedure", "approval", "import",
                    "backup", "package"):
        assert command in out


def test_report_gongshi_imports_no_alembic_openpyxl_or_demo(tmp_path):
    path = tmp_path / "start.qfdb"
    database, _ = create_sqlcipher(path, passphrase=PHRASE)
    with database.session() as s:
        offices.init_office(s, code="640424100", name="香水镇人民政府", level="township", parent="640424",
                            admin="admin", admin_password=PASS, villages=["香水村"])
    with database.session() as s:
        offices.update_office(s, users.actor_for(s, "admin"), phone="0954-5011234",
                              district_phone="0954-5012345", doc_prefix="香民发", district_name="泾源县民政局")
    database.dispose()
    out = tmp_path / "g.pdf"
    code = ("import json, sys\n"
            "from app.cli import main\n"
            f"rc = main(['--db', {str(path)!r}, '--user', 'admin', 'report', 'gongshi', '--period', '2026Q4',"
            f" '--start', '2026-11-23', '--out', {str(out)!r}])\n"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'openpyxl')"
            " or m in ('app.demo', 'app.cli.imports', 'app.cli.admin', 'app.cli.sync'))\n"
            "print(json.dumps({'rc': rc, 'loaded': loaded}))\n")
    env = dict(os.environ, QINGFENG_PASSPHRASE=PHRASE, QINGFENG_PASSWORD=PASS, PYTHONPATH=str(ROOT),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    for _run in range(2):  # the day's first run also makes the daily backup
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                           timeout=300)
        assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout.strip().splitlines()[-1])
    assert result == {"rc": 0, "loaded": []}, r.stderr
    assert out.stat().st_size > 0
