"""The PyInstaller bundle starts and passes its self-check offscreen (built by
installer/build-linux.sh into a cache folder, rebuilt only when the sources changed)."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import selfcheck

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(importlib.util.find_spec("PyInstaller") is None,
                                reason="pyinstaller 未安装（pip install -e '.[test]'）")


@pytest.fixture(scope="module")
def bundle() -> Path:
    r = subprocess.run(["bash", str(ROOT / "installer" / "build-linux.sh")], capture_output=True,
                       text=True, cwd=ROOT, timeout=1800,
                       env=dict(os.environ, PYTHON=sys.executable))
    assert r.returncode == 0, r.stderr[-3000:]
    program = Path(r.stdout.strip().splitlines()[-1])
    assert program.is_file()
    return program.parent


def test_bundle_self_check_passes_offscreen(bundle, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QINGFENG_PASSPHRASE="db-phrase-123",
               QINGFENG_PASSWORD="bundle-pass-123", QINGFENG_LOG_DIR=str(tmp_path / "logs"),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    env.pop("PYTHONPATH", None)
    db = tmp_path / "t.qfdb"
    r = subprocess.run([str(bundle / "qingfeng-cli"), "--db", str(db), "init", "--office", "640424100",
                        "--name", "香水镇人民政府", "--level", "township", "--admin", "admin",
                        "--village", "香水村"], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(bundle / "qingfeng-cli"), "--db", str(db), "backup"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0 and "校验通过" in r.stderr, r.stderr
    r = subprocess.run([str(bundle / "qingfeng"), "--db", str(db), "--self-check"],
                       capture_output=True, text=True, env=env, timeout=300)
    lines = r.stdout.splitlines()
    for name in ("程序版本", "数据库完整性", "审计链", "字体", "备份", "界面翻译", "界面字体"):
        assert any(line.startswith("[✓ 正常] " + name) for line in lines), (name, r.stdout, r.stderr)
    failed = [line for line in lines if line.startswith("[✗")]
    # the only line allowed to fail is the calendar once the real year outruns chinesecalendar
    assert all("节假日日历" in line for line in failed), r.stdout
    assert r.returncode == (0 if not failed else selfcheck.EXIT_CODE)
    assert "Traceback" not in r.stderr
