"""qingfeng-cli import / source / check / finding / push as a script uses them."""
from __future__ import annotations

import json

import openpyxl
import pytest

from tests.test_checks import list_xlsx
from tests.test_cli import run
from tests.test_imports_roster import H2, S1, roster_xlsx, sample_rows


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    db = tmp_path_factory.mktemp("imp") / "township.qfdb"
    r = run(db, "init", "--office", "640424100", "--name", "香水镇人民政府", "--level", "township",
            "--admin", "admin", "--village", "香水村", "--village", "泾河村")
    assert r.returncode == 0, r.stderr
    return db


def test_roster_dry_run_apply_and_again(db, tmp_path):
    path = roster_xlsx(tmp_path / "花名册.xlsx", sample_rows())
    r = run(db, "import", "roster", str(path), "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["summary"]["households_add"] == 2 and data["summary"]["persons_add"] == 4
    r = run(db, "import", "roster", str(path))
    assert r.returncode == 0, r.stderr
    assert "新增 2 户 4 人" in r.stderr
    r = run(db, "import", "roster", str(path))
    assert r.returncode == 0 and "无变化" in r.stderr


def test_refused_input_exits_10_naming_sheet_row_column(db, tmp_path):
    rows = sample_rows()
    rows[3][5] = 6.40424195507080e17  # stored by Excel as a number: digits lost
    rows[3][3] = 6.40424195507080e17
    path = roster_xlsx(tmp_path / "bad.xlsx", rows)
    r = run(db, "import", "roster", str(path))
    assert r.returncode == 10
    assert "工作表“花名册”第 7 行" in r.stderr and "列" in r.stderr and "Excel" in r.stderr
    r = run(db, "import", "roster", str(tmp_path / "missing.xlsx"))
    assert r.returncode == 10 and "不存在" in r.stderr


def test_source_check_finding_push(db, tmp_path):
    roster = roster_xlsx(tmp_path / "花名册.xlsx", sample_rows())
    assert run(db, "import", "roster", str(roster)).returncode == 0
    deaths = list_xlsx(tmp_path / "死亡.xlsx", ["姓名", "身份证号", "死亡日期"], [["李梅", S1, "2026-09-30"]])
    r = run(db, "import", "source", str(deaths), "--kind", "deaths", "--origin", "县殡葬管理所", "--date", "2026-11-01")
    assert r.returncode == 0, r.stderr
    r = run(db, "source", "list", "--json")
    assert [(x["kind"], x["rows_accepted"]) for x in json.loads(r.stdout)] == [("deaths", 1)]
    r = run(db, "check", "deaths", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)[0]["found"] == 1
    r = run(db, "finding", "list", "--json")
    found = json.loads(r.stdout)
    assert len(found) == 1 and found[0]["state"] == "待处理"
    r = run(db, "finding", "confirm", found[0]["id"][:8])
    assert r.returncode == 0 and "问题" in r.stderr, r.stderr
    r = run(db, "check", "deaths", "--json")
    assert json.loads(r.stdout)[0]["new"] == 0
    out = tmp_path / "push.xlsx"
    r = run(db, "push", "--out", str(out))
    assert r.returncode == 0, r.stderr
    ws = openpyxl.load_workbook(out).active
    ids = [ws.cell(row=i, column=3).value for i in range(2, ws.max_row + 1)]
    assert S1 in ids and H2 in ids and all(isinstance(x, str) for x in ids)
