"""qingfeng-cli as a script would use it: a real process, no keyring (passphrase mode),
Chinese messages on stderr, --json on stdout, distinct exit codes."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PASS = "cli-pass-123"


def run(db, *args, env=None, user=None):
    e = dict(os.environ, QINGFENG_PASSPHRASE="db-phrase-123", QINGFENG_PASSWORD=PASS,
             PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", PYTHONPATH=str(ROOT))
    e.update(env or {})
    cmd = [sys.executable, "-m", "app.cli", "--db", str(db)]
    if user:
        cmd += ["--user", user]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, env=e, cwd=ROOT,
                          timeout=300)


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("cli") / "township.qfdb"
    r = run(db, "init", "--office", "640424100", "--name", "香水镇人民政府", "--level", "township",
            "--admin", "admin", "--village", "香水村", "--village", "泾河村")
    assert r.returncode == 0, r.stderr
    assert "恢复码" in r.stderr
    code = r.stdout.strip()
    assert len(code.replace("-", "")) == 52
    r = run(db, "demo", "--households", "25", "--seed", "3")
    assert r.returncode == 0, r.stderr
    r = run(db, "household", "add", "--village", "香水村", "--category", "农村低保", "--head", "张三",
            "--id", "640424196001010016", "--member", "李梅,640424196203040029,配偶", "--amount", "620",
            "--json")
    assert r.returncode == 0, r.stderr
    return db, code, json.loads(r.stdout)["number"]


def test_init_refuses_existing_database(cli_db):
    db, _, _ = cli_db
    r = run(db, "init", "--office", "640424100", "--name", "x", "--level", "township", "--admin", "a")
    assert r.returncode != 0 and "已存在" in r.stderr


@pytest.mark.parametrize("query", ["zs", "zhangsan", "张三", "6404241960"])
def test_search_json(cli_db, query):
    db, _, number = cli_db
    r = run(db, "household", "search", query, "--json")
    assert r.returncode == 0, r.stderr
    assert number in [h["number"] for h in json.loads(r.stdout)]


def test_show_and_list(cli_db):
    db, _, number = cli_db
    r = run(db, "household", "show", number, "--json")
    data = json.loads(r.stdout)
    assert data["head_name"] == "张三" and [m["name"] for m in data["members"]] == ["张三", "李梅"]
    r = run(db, "household", "show", number)
    assert "640424********0016" in r.stdout and "640424196001010016" not in r.stdout
    r = run(db, "household", "list", "--json", "--limit", "5")
    listing = json.loads(r.stdout)
    assert listing["total"] == 26 and len(listing["rows"]) == 5


def test_invalid_and_duplicate_ids_refused(cli_db):
    db, _, _ = cli_db
    before = json.loads(run(db, "household", "list", "--json").stdout)["total"]
    r = run(db, "household", "add", "--village", "香水村", "--category", "农村低保", "--head", "王五",
            "--id", "640424196001010017")
    assert r.returncode == 10 and "640424196001010017" in r.stderr and "校验码" in r.stderr
    r = run(db, "household", "add", "--village", "泾河村", "--category", "农村低保", "--head", "王五",
            "--id", "640424197001010010", "--member", "张三,640424196001010016,其他")
    assert r.returncode == 10 and "张三户" in r.stderr
    assert json.loads(run(db, "household", "list", "--json").stdout)["total"] == before


def test_permission_denied_and_wrong_password(cli_db):
    db, _, number = cli_db
    r = run(db, "user", "add", "clerk1", "--name", "马晓梅", "--role", "经办人",
            env={"QINGFENG_NEW_PASSWORD": "clerk-pass-1"})
    assert r.returncode == 0, r.stderr
    r = run(db, "household", "status", number, "--to", "未通过", "--reason", "收入超标", user="clerk1",
            env={"QINGFENG_PASSWORD": "clerk-pass-1"})
    assert r.returncode == 11 and "无权" in r.stderr
    r = run(db, "household", "list", env={"QINGFENG_PASSWORD": "wrong-pass-1"})
    assert r.returncode == 14 and "密码不正确" in r.stderr


def test_database_errors_have_distinct_codes(cli_db, tmp_path):
    db, _, _ = cli_db
    r = run(db, "household", "list", env={"QINGFENG_PASSPHRASE": "not-the-phrase"})
    assert r.returncode == 4 and "口令不正确" in r.stderr
    r = run(tmp_path / "none.qfdb", "household", "list")
    assert r.returncode == 2 and "不存在" in r.stderr and not (tmp_path / "none.qfdb").exists()
    junk = tmp_path / "junk.qfdb"
    junk.write_bytes(b"hello" * 100)
    r = run(junk, "household", "list")
    assert r.returncode == 5 and junk.read_bytes() == b"hello" * 100


def test_backup_restore_and_audit_verify(cli_db, tmp_path):
    db, _, number = cli_db
    out = tmp_path / "backup.qfdb"
    r = run(db, "backup", "--out", str(out))
    assert r.returncode == 0 and "校验通过" in r.stderr
    assert run(db, "audit", "verify").returncode == 0
    r = run(db, "household", "edit", number, "--set", "monthly_amount=888")
    assert r.returncode == 0, r.stderr
    r = run(db, "restore", str(out))
    assert r.returncode == 0, r.stderr
    data = json.loads(run(db, "household", "show", number, "--json").stdout)
    assert data["monthly_amount"] == "620.00"


def test_audit_verify_catches_raw_sql(tmp_path):
    db = tmp_path / "t.qfdb"
    assert run(db, "init", "--office", "640424100", "--name", "香水镇", "--level", "township",
               "--admin", "admin", "--village", "香水村").returncode == 0
    run(db, "household", "add", "--village", "香水村", "--category", "农村低保", "--head", "张三",
        "--id", "640424196001010016", "--amount", "500")
    tamper = f"""
import sys; sys.path.insert(0, {str(ROOT)!r})
from db.engine import open_sqlcipher
d = open_sqlcipher({str(db)!r}, passphrase="db-phrase-123")
with d.engine.begin() as c:
    c.exec_driver_sql("UPDATE households SET monthly_amount = 5000")
"""
    subprocess.run([sys.executable, "-c", tamper], check=True,
                   env=dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring"))
    r = run(db, "audit", "verify", "--json")
    assert r.returncode == 8
    report = json.loads(r.stdout)
    assert not report["ok"] and "张三" in report["problems"][0]["message"]
    assert "5000" in report["problems"][0]["message"]


def test_grant_is_proposed_then_approved_by_another_user(cli_db):
    db, _, _ = cli_db
    clerk = {"QINGFENG_PASSWORD": "clerk-pass-2"}
    reviewer = {"QINGFENG_PASSWORD": "review-pass-2"}
    for user, role, env in (("clerk2", "经办人", clerk), ("reviewer2", "审核人", reviewer)):
        r = run(db, "user", "add", user, "--name", user, "--role", role,
                env={"QINGFENG_NEW_PASSWORD": env["QINGFENG_PASSWORD"]})
        assert r.returncode == 0, r.stderr
    r = run(db, "household", "add", "--village", "泾河村", "--category", "农村低保", "--head", "孙七",
            "--id", "640424195501010018", "--amount", "600", "--json")
    number = json.loads(r.stdout)["number"]
    r = run(db, "household", "status", number, "--to", "在保", "--reason", "符合条件", "--json",
            user="clerk2", env=clerk)
    assert r.returncode == 0, r.stderr
    proposal = json.loads(r.stdout)["proposal"]
    pending = json.loads(run(db, "approval", "list", "--json").stdout)
    assert [p["id"] for p in pending if p["household_number"] == number] == [proposal]
    r = run(db, "approval", "approve", proposal[:8], user="clerk2", env=clerk)
    assert r.returncode == 11 and "无权" in r.stderr
    r = run(db, "approval", "refuse", proposal[:8], "--reason", " ", user="reviewer2", env=reviewer)
    assert r.returncode == 10 and "退回理由" in r.stderr
    r = run(db, "approval", "approve", proposal[:8], user="reviewer2", env=reviewer)
    assert r.returncode == 10 and "家庭经济状况核对" in r.stderr and "入户调查" in r.stderr
    r = run(db, "approval", "approve", proposal[:8], "--override-reason", "先行救助：突发重病，先批准后补办",
            user="reviewer2", env=reviewer)
    assert r.returncode == 0 and "申请中  →  在保" in r.stdout, r.stderr
    assert json.loads(run(db, "household", "show", number, "--json").stdout)["status"] == "在保"
    r = run(db, "review", "due", "--within", "400", "--json")
    assert r.returncode == 0 and number in [x["number"] for x in json.loads(r.stdout)]
    assert run(db, "audit", "verify").returncode == 0


def test_admin_resets_a_password(cli_db):
    db, _, _ = cli_db
    r = run(db, "user", "add", "clerk9", "--name", "周丽", "--role", "经办人",
            env={"QINGFENG_NEW_PASSWORD": "clerk-pass-9"})
    assert r.returncode == 0, r.stderr
    r = run(db, "user", "reset-password", "clerk9", user="clerk9", env={"QINGFENG_PASSWORD": "clerk-pass-9",
                                                                        "QINGFENG_NEW_PASSWORD": "new-pass-99"})
    assert r.returncode == 11 and "无权" in r.stderr  # only an administrator
    r = run(db, "user", "reset-password", "clerk9", env={"QINGFENG_NEW_PASSWORD": "new-pass-99"})
    assert r.returncode == 0 and "已重置" in r.stderr, r.stderr
    r = run(db, "household", "list", user="clerk9", env={"QINGFENG_PASSWORD": "new-pass-99"})
    assert r.returncode == 0, r.stderr
    r = run(db, "audit", "verify", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["ok"], r.stdout


def test_input_rules_from_the_command_line(cli_db):
    db, _, number = cli_db
    r = run(db, "household", "add", "--village", "香水村", "--category", "农村低保", "--head", "赵六",
            "--amount", "NaN")
    assert r.returncode == 10 and "月保障金额" in r.stderr and "有限" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    r = run(db, "household", "edit", number, "--set", "phone=12ab")
    assert r.returncode == 10 and "联系电话" in r.stderr and "“12ab”" in r.stderr, r.stderr
    r = run(db, "household", "edit", number, "--set", "apply_date=2099-01-01")
    assert r.returncode == 10 and "申请日期" in r.stderr, r.stderr


def test_a_wrong_command_line_is_told_in_chinese(tmp_path):
    """argparse's own usage and errors are in Chinese and exit 10 (input), not 2 (no database)."""
    r = run(tmp_path / "none.qfdb", "report", "gongshi", "--village", "香水村")
    assert r.returncode == 10 and "错误：缺少必需的参数：--out" in r.stderr and "用法：" in r.stderr
    r = run(tmp_path / "none.qfdb", "report", "gongshi", "--out", "x.pdf", "--paper", "B5")
    assert r.returncode == 10 and "参数 --paper 的值 'B5' 无效，可选：" in r.stderr
    assert "usage:" not in r.stderr and "error:" not in r.stderr
    assert not (tmp_path / "none.qfdb").exists()
