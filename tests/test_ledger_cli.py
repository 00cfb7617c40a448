"""qingfeng-cli ledger …: in process, against the test database (Chinese messages, --json, exit codes)."""
import json
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from app import audit, clock
from app.cli import main
from test_ledger_support import household, ident

PASSWORD = "test-pass-123"
TODAY = date(2026, 11, 20)


@pytest.fixture
def cli(env, monkeypatch, capsys):
    monkeypatch.setenv("QINGFENG_PASSWORD", PASSWORD)

    def run(*args, user="clerk"):
        with clock.frozen(TODAY):
            code = main(["--db", str(env.path), "--user", user, *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_problem_commands(cli, env):
    number = household(env, "张三", ident(11))
    found = (TODAY - timedelta(days=3)).isoformat()
    code, out, err = cli("ledger", "problem", "add", "--source", "自查", "--category", "错保",
                         "--description", "=HYPERLINK(\"x\")不符合条件", "--found", found,
                         "--responsible", "王主任", "--household", number, "--json")
    assert code == 0, err
    p = json.loads(out)
    assert p["state"] == "待整改" and p["households"][0]["number"] == number
    code, _out, err = cli("ledger", "problem", "move", p["number"], "--to", "已整改(待核验)")
    assert code == 10 and "只能转为：整改中" in err
    assert cli("ledger", "problem", "move", p["number"], "--to", "整改中", "--measures", "停保")[0] == 0
    assert cli("ledger", "problem", "move", p["number"], "--to", "已整改(待核验)")[0] == 0
    code, _out, err = cli("ledger", "problem", "close", p["number"], "--note", "已核实")
    assert code == 11 and "无权核验销号问题" in err
    code, _out, err = cli("ledger", "problem", "close", p["number"], "--note", "已核实", user="reviewer")
    assert code == 0 and "已核验销号" in err
    code, out, _err = cli("ledger", "problem", "list", "--state", "已销号", "--json")
    assert [r["number"] for r in json.loads(out)] == [p["number"]]
    code, _out, err = cli("ledger", "problem", "add", "--source", "自查", "--category", "错保",
                          "--description", "x", "--found", found, "--responsible", "王",
                          "--deadline", "2000-01-01")
    assert code == 10 and "不能早于发现日期" in err


def test_petition_relative_calendar_export(cli, env, tmp_path):
    number = household(env, "王大哥", ident(105, date(1972, 2, 2)))
    day = (TODAY - timedelta(days=1)).isoformat()
    for channel in ("电话", "来信", "12345热线"):
        code, out, err = cli("ledger", "petition", "add", "--channel", channel, "--content", "反映违规享受低保",
                             "--received", day, "--anonymous", "--household", number, "--json")
        assert code == 0, err
    assert json.loads(out)["priority"] and json.loads(out)["repeat_count"] == 3
    code, _out, err = cli("ledger", "petition", "extend", json.loads(out)["number"], "--days", "45",
                          "--reason", "需核查", user="reviewer")
    assert code == 10 and "1 到 30 日" in err
    assert cli("ledger", "relative", "add-official", "--name", "王村长", "--id", ident(101, date(1975, 3, 3)),
               "--type", "村(居)委会成员")[0] == 0
    assert cli("ledger", "relative", "add-relative", "--official", ident(101, date(1975, 3, 3)),
               "--name", "王大哥", "--id", ident(105, date(1972, 2, 2)), "--relation", "兄弟姐妹")[0] == 0
    code, out, err = cli("ledger", "relative", "check", "--json")
    assert code == 0 and json.loads(out)[0]["kind"] == "已备案近亲属享受救助"
    code, out, err = cli("ledger", "calendar", "deadline", "2026-12-30", "5")
    assert code == 0 and out.strip() == "2027-01-06" and "警告" in err and "2027 年" in err
    code, _out, err = cli("ledger", "calendar", "set", "2026-11-02", "--kind", "holiday")
    assert code == 11
    out_file = tmp_path / "petitions.xlsx"
    code, _out, err = cli("ledger", "export", "--kind", "petitions", "--out", str(out_file))
    assert code == 0 and "3 条" in err
    ws = load_workbook(out_file).active
    assert ws.cell(1, 1).value == "信访举报台账" and ws.cell(3, 2).value == "编号"
    assert [ws.cell(r, 20).value for r in (4, 5, 6)] == ["重点"] * 3
    code, out, _err = cli("ledger", "overview", "--json")
    assert code == 0 and json.loads(out)["counts"]["petitions_priority"] == 3
    with env.database.session(write=False) as s:
        assert audit.verify(s).ok
