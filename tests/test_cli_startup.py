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


def test_report_gongshi_imports_no_alembic_openpyxl_platypus_or_demo(tmp_path):
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
            " or m.startswith('reportlab.platypus')"
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


def test_prefetched_key_is_derived_once(tmp_path, monkeypatch):
    from db import keys

    path = tmp_path / "k.qfdb"
    database, key = create_sqlcipher(path, passphrase=PHRASE)
    database.dispose()
    calls = []
    real = keys._kek
    monkeypatch.setattr(keys, "_kek", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    keys.prefetch(path, passphrase=PHRASE)
    assert keys.load_key(path, passphrase=PHRASE) == key
    assert calls == [1]
    assert keys.load_key(path, passphrase=PHRASE) == key  # nothing prefetched: derived again
    assert calls == [1, 1]


def test_prefetch_with_a_wrong_passphrase_raises_where_the_key_is_needed(tmp_path):
    from db import keys
    from db.errors import WrongKey

    path = tmp_path / "w.qfdb"
    database, _ = create_sqlcipher(path, passphrase=PHRASE)
    database.dispose()
    keys.prefetch(path, passphrase="wrong-phrase-1")
    with pytest.raises(WrongKey, match="口令不正确"):
        keys.load_key(path, passphrase="wrong-phrase-1")
    keys.prefetch(path, passphrase=PHRASE)
    keys.forget_prefetched()
    assert not keys._pending


def test_font_metrics_cache(tmp_path, monkeypatch):
    from reportlab.pdfbase.ttfonts import TTFont

    from app.documents import fontcache
    from app.documents.fonts import shipped_font_path

    monkeypatch.setenv("QINGFENG_CACHE", str(tmp_path))
    path = shipped_font_path()
    parsed = TTFont("QF-test-parsed", str(path))
    first = fontcache.load_font("QF-test-first", path, 0)  # parses and writes the cache
    files = list((tmp_path / "fonts").glob("*.marshal"))
    assert len(files) == 1
    cached = fontcache.load_font("QF-test-cached", path, 0)
    for font in (first, cached):
        assert font.face.charWidths == parsed.face.charWidths
        assert font.face.charToGlyph == parsed.face.charToGlyph
        assert str(font.face.name) == str(parsed.face.name)
        assert font.stringWidth("香水镇 2026", 12) == parsed.stringWidth("香水镇 2026", 12)
    assert cached.face is not first.face and cached.face._ttf_data == parsed.face._ttf_data
    files[0].write_bytes(b"damaged")
    again = fontcache.load_font("QF-test-again", path, 0)  # parsed again, cache rewritten
    assert again.face.charWidths == parsed.face.charWidths
    assert files[0].read_bytes() != b"damaged"
    from pypdf import PdfReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen.canvas import Canvas

    pdfmetrics.registerFont(cached)
    c = Canvas(str(tmp_path / "f.pdf"))
    c.setFont("QF-test-cached", 12)
    c.drawString(72, 720, "香水镇 2026 公示")
    c.save()
    assert "香水镇 2026 公示" in PdfReader(str(tmp_path / "f.pdf")).pages[0].extract_text()


@pytest.mark.parametrize("password, ok", [(PASS, True), ("wrong-pass-9", False)])
def test_password_checked_ahead_once_and_still_refused_when_wrong(tmp_path, monkeypatch, password, ok):
    from app import passwords
    from app.errors import AuthError
    from db import keys
    from db.engine import open_sqlcipher

    path = tmp_path / "p.qfdb"
    database, _ = create_sqlcipher(path, passphrase=PHRASE)
    with database.session() as s:
        offices.init_office(s, code="640424100", name="香水镇人民政府", level="township", parent="640424",
                            admin="admin", admin_password=PASS, villages=["香水村"])
    database.dispose()
    calls = []
    real = passwords._check
    monkeypatch.setattr(passwords, "_check", lambda *a: calls.append(1) or real(*a))
    keys.prefetch(path, passphrase=PHRASE, then=cli._password_ahead("admin", password))
    database = open_sqlcipher(path, passphrase=PHRASE)
    try:
        assert calls == [1]  # checked in the key's thread, which open_sqlcipher waited for
        with database.session(write=False) as s:
            if ok:
                assert users.authenticate(s, "admin", password).username == "admin"
            else:
                with pytest.raises(AuthError, match="用户名或密码不正确"):
                    users.authenticate(s, "admin", password)
        assert calls == [1] and not passwords._ahead
    finally:
        database.dispose()


def test_font_cache_keeps_one_file_per_font(tmp_path, monkeypatch):
    import shutil

    from app.documents import fontcache
    from app.documents.fonts import shipped_font_path

    monkeypatch.setenv("QINGFENG_CACHE", str(tmp_path / "cache"))
    for folder in ("a", "b"):  # the same font file name in two folders (a test's fake Windows fonts)
        copy = tmp_path / folder / "uming.ttc"
        copy.parent.mkdir()
        shutil.copyfile(shipped_font_path(), copy)
        fontcache.load_font(f"QF-test-{folder}", copy, 0)
    assert len(list((tmp_path / "cache" / "fonts").glob("uming-0-*.marshal"))) == 1


def test_raw_read_of_the_password_hash_leaves_a_write_ahead_log_alone(tmp_path):
    from db import keys, rawread

    path = tmp_path / "r.qfdb"
    database, key = create_sqlcipher(path, passphrase=PHRASE)
    with database.session() as s:
        offices.init_office(s, code="640424100", name="香水镇人民政府", level="township", parent="640424",
                            admin="admin", admin_password=PASS, villages=["香水村"])
    database.dispose()
    assert rawread.password_hash(path, key, "admin").startswith("scrypt$")
    assert rawread.password_hash(path, key, "nobody") is None
    assert rawread.password_hash(path, keys.new_key(), "admin") is None  # a wrong key reads nothing
    wal = Path(str(path) + "-wal")
    wal.write_bytes(b"\0" * 64)
    try:
        assert rawread.password_hash(path, key, "admin") is None and wal.read_bytes() == b"\0" * 64
    finally:
        wal.unlink()
