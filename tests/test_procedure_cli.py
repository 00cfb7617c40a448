"""qingfeng-cli procedure … and ledger supervision/board … (the clock frozen on a fixed day)."""
import json
from datetime import date

import pytest

from app import clock
from app import households as hs
from app.assessment import approvals
from app.cli import main
from test_assessment_support import household
from test_ledger_cli import PASSWORD

TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(TODAY):
        yield


@pytest.fixture
def cli(env, monkeypatch, capsys):
    """qingfeng-cli in process on this module's day (test_ledger_cli's fixture runs on its own)."""
    monkeypatch.setenv("QINGFENG_PASSWORD", PASSWORD)

    def run(*args, user="clerk"):
        code = main(["--db", str(env.path), "--user", user, *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_show_override_findings_and_notice(cli, env, tmp_path):
    hid = household(env, [("张三", 11, "户主")], category="临时救助")
    with env.database.session() as s:
        number = s.get(hs.Household, hid).number
        p = approvals.propose_grant(s, env.clerk, hid, day=TODAY, reason="突发火灾")
    code, out, err = cli("procedure", "show", number)
    assert code == 0 and "✗ 受理" in out and "✗ 入户调查" in out and "受理、入户调查" in err
    code, _out, err = cli("approval", "approve", p.id[:8], user="reviewer")
    assert code == 10 and "受理" in err
    code, _out, err = cli("procedure", "override", p.id[:8], "--reason", "火灾后当日先行救助", user="reviewer")
    assert code == 0 and "先行救助" in err
    code, out, _err = cli("procedure", "findings", "--json")
    [row] = json.loads(out)
    assert row["reason"] == "火灾后当日先行救助" and not row["completed"]
    code, out, _err = cli("procedure", "tasks", "--json")
    assert [t["kind"] for t in json.loads(out)] == ["补办程序", "在保核对"]
    code, _out, err = cli("household", "step", number, "--kind", "入户调查", "--date", "2026-11-23",
                          "--signers", "马晓梅")
    assert code == 10 and "至少 2 名工作人员签字" in err

    other = household(env, [("李四", 12, "户主")])
    with env.database.session() as s:
        hs.change_status(s, env.reviewer, other, status="未通过", reason="收入超标", day=TODAY)
        other_number = s.get(hs.Household, other).number
    out_pdf = tmp_path / "告知书.pdf"
    code, _out, err = cli("procedure", "notice", other_number, "--out", str(out_pdf))
    assert code == 0 and out_pdf.stat().st_size > 1000
    code, out, _err = cli("procedure", "show", other_number, "--json")
    [limit] = json.loads(out)["limits"]
    assert limit["rule"] == "不予确认书面告知时限" and limit["state"] == "已完成"
    assert cli("procedure", "recompute")[0] == 0


def test_supervision_and_boards(cli, env):
    hid = household(env, [("张三", 11, "户主")])
    with env.database.session() as s:
        number = s.get(hs.Household, hid).number
    code, out, err = cli("ledger", "supervision", "add", "--date", "2026-11-20", "--inspectors", "王科长、李干事",
                         "--method", "入户抽查", "--method", "查看公示栏", "--household", number,
                         "--finding", f"违规保|张三户有车辆仍享受|王主任|{number}", "--json")
    assert code == 0, err
    visit = json.loads(out)
    assert visit["number"] == "DD2026-0001" and len(visit["problems"]) == 1
    code, out, _err = cli("ledger", "problem", "show", visit["problems"][0], "--json")
    assert json.loads(out)["source"] == "督导检查"
    assert cli("ledger", "board", "set", "--village", "香水村", "--responsible", "马村主任")[0] == 0
    code, _out, err = cli("ledger", "board", "inspect", "--village", "香水村", "--date", "2026-11-20",
                          "--inspector", "王科长", "--incomplete", "--last-update", "2026-11-01",
                          "--visit", "DD2026-0001")
    assert code == 0 and "公示内容不全" in err
    code, out, _err = cli("ledger", "board", "list", "--json")
    rows = {b["village"]: b for b in json.loads(out)}
    assert rows["泾河村"]["faults"] == ["未登记公示栏"] and rows["香水村"]["responsible"] == "马村主任"


def test_petition_subject_and_handler_from_the_cli(cli, env):
    me = "64042419700101031X"
    for channel in ("电话", "来信", "来访"):
        code, out, err = cli("ledger", "petition", "add", "--channel", channel, "--content", "村干部索要好处费",
                             "--received", "2026-11-20", "--petitioner", "赵六", "--id", me,
                             "--subject", "索要好处费", "--handler", "王五", "--json")
        assert code == 0, err
    p = json.loads(out)
    assert p["priority"] and p["repeat_count"] == 3 and p["handler"] == "王五" and p["subject"] == "索要好处费"
    code, out, err = cli("ledger", "petition", "sort", p["number"], "--handler", "李四", "--date", "2026-11-21",
                         "--json")
    assert code == 0, err
