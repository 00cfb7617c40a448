"""qingfeng-cli doctor / qingfeng --self-check: each line ok, warn or fail with what to do."""
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

from app import backups, clock, selfcheck
from app import households as hs
from app.idcard import make_valid_id

ROOT = Path(__file__).resolve().parent.parent


def by_name(report: selfcheck.Report) -> dict[str, selfcheck.Check]:
    return {c.name: c for c in report.checks}


def test_healthy_database_passes(env):
    with clock.frozen(datetime(2026, 11, 20, 9)):
        backups.daily_backup(env.database)
        env.database.dispose()
        report = selfcheck.run(env.path)
    checks = by_name(report)
    assert report.ok, report.lines()
    for name in ("程序版本", "密钥", "数据库完整性", "审计链", "字体", "备份", "磁盘空间", "节假日日历"):
        assert name in checks, name
    assert checks["审计链"].status == "ok" and checks["备份"].status == "ok"
    assert "重新校验通过" in checks["备份"].message


def test_problems_are_lines_with_advice(env):
    with env.database.session() as s:
        hs.create_household(s, env.clerk, village="香水村", category="农村低保",
                            members=[hs.MemberInput(name="王\ue000", id_number=make_valid_id(
                                "640424", date(1980, 1, 1), 5))])
    env.database.dispose()
    with clock.frozen(datetime(2031, 3, 1, 9)):  # no calendar for 2031, no backups
        report = selfcheck.run(env.path)
    checks = by_name(report)
    assert checks["节假日日历"].status == "fail" and "导入" in checks["节假日日历"].advice
    assert checks["备份"].status == "warn"
    assert checks["字体"].status == "warn" and "\ue000" in checks["字体"].message
    assert not report.ok
    assert any(line.startswith("[✗ 失败] 节假日日历") for line in report.lines())


def test_damaged_database_fails_with_restore_advice(env):
    env.database.dispose()
    data = bytearray(env.path.read_bytes())
    data[50] ^= 0xFF
    env.path.write_bytes(bytes(data))
    Path(str(env.path) + "-wal").unlink(missing_ok=True)
    report = selfcheck.run(env.path)
    db = by_name(report)["数据库"]
    assert db.status == "fail" and "restore --latest" in db.advice


def test_gui_self_check_prints_offscreen(env):
    env.database.dispose()
    e = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    e.pop("QINGFENG_PASSPHRASE", None)
    r = subprocess.run([sys.executable, "-m", "ui.main", "--db", str(tmp := env.path.parent / "none.qfdb"),
                        "--self-check"], capture_output=True, text=True, env=e, timeout=120, cwd=ROOT)
    assert r.returncode == selfcheck.EXIT_CODE, r.stderr
    assert f"{tmp} 不存在" in r.stdout and "[✓ 正常] 界面：Qt 平台插件 offscreen" in r.stdout


def test_missing_key_points_to_the_recovery_code(env, memory_keyring, monkeypatch):
    env.database.dispose()
    monkeypatch.setattr(memory_keyring, "store", {})  # as on another PC (the shared store is kept)
    checks = by_name(selfcheck.run(env.path))
    assert checks["密钥"].status == "fail" and "unlock --recovery-code" in checks["密钥"].advice
