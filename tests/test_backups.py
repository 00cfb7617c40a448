"""Automatic backups: once per day of use and before risky work, verified, rotated
(7 daily, 4 weekly, 12 monthly), copied to a second folder with a weekly reminder; the CLI."""
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from app import backups, clock
from db import backup, backup_store
from db.backup_store import Entry
from db.errors import BackupError

ROOT = Path(__file__).resolve().parent.parent


def test_daily_backup_once_a_day_verified(env):
    with clock.frozen(datetime(2026, 11, 20, 8, 30)):
        first = backups.daily_backup(env.database)
        assert first is not None and first.verified and first.reason == "daily"
        assert backups.daily_backup(env.database) is None  # already one today
    backup.verify_file(first.path, env.database.key)
    assert first.path.stat().st_mode & 0o077 == 0
    assert first.path.parent == backups.folder(env.path)
    assert first.rows and first.revision
    with clock.frozen(datetime(2026, 11, 21, 8, 30)):
        second = backups.daily_backup(env.database)
    assert second is not None and second.path != first.path
    assert [e.path for e in backups.list_backups(env.path)] == [second.path, first.path]
    assert backups.latest(env.path).path == second.path


def test_safety_backup_before_an_import_is_kept(env):
    with clock.frozen(datetime(2026, 11, 20, 10, 0)):
        entry = backups.safety_backup(env.database, "import")
    assert entry.label == "导入前" and "导入前" in entry.path.name
    backup.verify_file(entry.path, env.database.key)


def test_latest_without_backups_is_a_message(env):
    with pytest.raises(BackupError, match="没有校验过的备份"):
        backups.latest(env.path)


def entry(day: date, reason: str = "daily", hour: int = 8) -> Entry:
    moment = datetime(day.year, day.month, day.day, hour)
    return Entry(Path(f"/b/{moment:%Y%m%d-%H%M%S}-{reason}.qfdb"), moment, reason, 1, "0004", True)


def test_rotation_keeps_7_daily_4_weekly_12_monthly():
    start = date(2025, 1, 1)
    found = sorted((entry(start + timedelta(days=i)) for i in range(700)),
                   key=lambda e: e.moment, reverse=True)
    keep = backup_store.to_keep(found)
    kept = sorted(e.moment.date() for e in found if e.path in keep)
    newest = found[0].moment.date()
    assert [newest - timedelta(days=i) for i in range(7)] == sorted(kept)[-7:][::-1]
    weeks = {d.isocalendar()[:2] for d in kept}
    months = {(d.year, d.month) for d in kept}
    assert len(months) == 12 and len(weeks) >= 4
    assert len(kept) <= 7 + 4 + 12
    assert min(kept) >= date(newest.year - 1, newest.month, 1)


def test_rotation_removes_files_and_keeps_event_backups(env):
    where = backups.folder(env.path)
    for i in range(12):
        with clock.frozen(datetime(2026, 10, 1, 9) + timedelta(days=i)):
            backups.safety_backup(env.database, "daily")
    with clock.frozen(datetime(2026, 9, 1, 9)):
        event = backups.safety_backup(env.database, "exchange")
    with clock.frozen(datetime(2026, 10, 13, 9)):
        backups.safety_backup(env.database, "daily")
    names = [e.path for e in backup_store.entries(where)]
    assert event.path in names
    dailies = [e for e in backup_store.entries(where) if e.reason == "daily"]
    assert len(dailies) <= 7 + 2  # 7 days, the newest of older weeks/months
    for e in backup_store.entries(where):
        assert Path(str(e.path) + ".qfkey").exists() and e.path.with_suffix(".json").exists()


def test_second_folder_copy_and_weekly_reminder(env, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    backups.set_second_folder(env.database, env.admin, usb)
    assert backups.reminder(env.path) is not None  # chosen, never written
    with clock.frozen(datetime(2026, 11, 20, 9)):
        e = backups.safety_backup(env.database, "daily")
        assert backups.reminder(env.path) is None
    copy = usb / e.path.name
    backup.verify_file(copy, env.database.key)
    with clock.frozen(datetime(2026, 11, 26, 9)):
        assert backups.reminder(env.path) is None
    with clock.frozen(datetime(2026, 11, 28, 9)):
        note = backups.reminder(env.path)
    assert note and "7 天" in note and "U 盘" in note
    # the drive is unplugged: the backup is still written, the copy skipped
    usb.rename(tmp_path / "unplugged")
    with clock.frozen(datetime(2026, 11, 29, 9)):
        assert backups.safety_backup(env.database, "daily") is not None
    with env.database.session(write=False) as s:
        from sqlalchemy import text

        assert s.execute(text("SELECT count(*) FROM audit_log WHERE action='backup.second-folder'")).scalar() == 1


def run(db, *args):
    e = dict(os.environ, QINGFENG_PASSPHRASE="db-phrase-123", QINGFENG_PASSWORD="cli-pass-123",
             PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "app.cli", "--db", str(db), *args],
                          capture_output=True, text=True, env=e, cwd=ROOT, timeout=300)


def test_cli_daily_backup_list_and_restore_latest(tmp_path):
    db = tmp_path / "t.qfdb"
    assert run(db, "init", "--office", "640424100", "--name", "香水镇", "--level", "township",
               "--admin", "admin", "--village", "香水村").returncode == 0
    r = run(db, "household", "add", "--village", "香水村", "--category", "农村低保", "--head", "张三",
            "--id", "640424196001010016", "--amount", "500", "--json")
    assert r.returncode == 0 and "已自动备份" in r.stderr  # first use of the day
    r = run(db, "household", "list")
    assert "已自动备份" not in r.stderr
    r = run(db, "backups", "list", "--json")
    listed = json.loads(r.stdout)
    assert len(listed) == 1 and listed[0]["verified"] and listed[0]["reason"] == "每日"
    # the daily backup was taken before the household was added
    r = run(db, "restore", "--latest")
    assert r.returncode == 0, r.stderr
    assert "恢复前的数据库已校验并保存在" in r.stderr
    r = run(db, "household", "list", "--json")
    assert json.loads(r.stdout)["total"] == 0
    r = run(db, "backups", "list")
    assert "恢复前" in r.stdout
    r = run(db, "restore", str(tmp_path / "nothing.qfdb"))
    assert r.returncode == 7 and "不存在" in r.stderr


def test_second_folder_failure_does_not_lose_the_backup(env, tmp_path, monkeypatch):
    from db.errors import DiskFull

    usb = tmp_path / "usb"
    usb.mkdir()
    backups.set_second_folder(env.database, env.admin, usb)

    def full(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise DiskFull("磁盘已满")

    monkeypatch.setattr(backups, "copy_to_second", full)
    entry = backups.safety_backup(env.database, "daily")
    assert entry.path.exists() and backups.reminder(env.path) is not None
