"""qingfeng-cli card / package / district as a clerk's script uses them; a refused package exits
20 with the Chinese reason on stderr."""
import json
from datetime import date

from app.idcard import make_valid_id

from tests.test_cli import run


def test_cards_packages_and_refusal_exit_codes(tmp_path):
    town, dist = tmp_path / "town.qfdb", tmp_path / "district.qfdb"
    assert run(town, "init", "--office", "640424100", "--name", "香水镇人民政府", "--level", "township",
               "--admin", "admin", "--village", "香水村").returncode == 0
    assert run(dist, "init", "--office", "640424", "--name", "泾源县民政局", "--level", "district",
               "--admin", "admin").returncode == 0
    assert run(town, "demo", "--households", "5", "--seed", "2").returncode == 0
    r = run(town, "card", "export", "--out", str(tmp_path / "town.json"), "--json")
    assert r.returncode == 0, r.stderr
    fingerprint = json.loads(r.stdout)["fingerprint"]
    r = run(dist, "card", "import", str(tmp_path / "town.json"))
    assert r.returncode == 0 and fingerprint in r.stderr
    assert run(dist, "card", "export", "--out", str(tmp_path / "dist.json")).returncode == 0
    assert run(town, "card", "import", str(tmp_path / "dist.json")).returncode == 0

    r = run(town, "package", "export", "--to", "640424", "--out", str(tmp_path / "out"), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["kind"] == "full" and out["counts"]["household"] == 5
    package = out["paths"][0]
    r = run(dist, "package", "import", package, "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    preview = json.loads(r.stdout)
    assert preview["status"] == "preview" and preview["tables"]["household"]["new"] == 5
    r = run(dist, "package", "import", package)
    assert r.returncode == 0 and "已导入" in r.stderr and "回执" in r.stderr
    r = run(dist, "package", "import", package)
    assert r.returncode == 0 and "已导入：该数据包" not in r.stdout and "以前已经导入过" in r.stderr

    damaged = tmp_path / "damaged.qfp"
    data = bytearray(open(package, "rb").read())
    data[len(data) // 2] ^= 0x10
    damaged.write_bytes(bytes(data))
    r = run(dist, "package", "import", str(damaged))
    assert r.returncode == 20 and "错误：" in r.stderr and "数据包" in r.stderr
    r = run(town, "package", "import", package)  # a package the township itself sent
    assert r.returncode == 20 and "本单位（640424100）自己发出的数据包" in r.stderr

    r = run(dist, "package", "log", "--json")
    kinds = [(e["direction"], e["kind"]) for e in json.loads(r.stdout)]
    assert ("in", "full") in kinds and ("out", "ack") in kinds
    # the exported month is locked: a change dated in it needs a reason and travels as a correction
    r = run(town, "household", "add", "--village", "香水村", "--category", "农村低保", "--head", "张三",
            "--id", make_valid_id("640424", date(1931, 5, 6), 13), "--date", "2026-11-02", "--json")
    assert r.returncode == 0, r.stderr
    number = json.loads(r.stdout)["number"]
    r = run(town, "package", "export", "--to", "640424", "--out", str(tmp_path / "out"), "--period", "2026-11")
    assert r.returncode == 0, r.stderr
    problem = ("ledger", "problem", "add", "--source", "自查", "--category", "错保", "--description",
               "收入核算有误", "--found", "2026-11-20", "--responsible", "马晓梅", "--household", number)
    r = run(town, *problem)
    assert r.returncode == 10 and "已报送并锁定" in r.stderr
    r = run(town, "--correction-reason", "11月自查发现，漏登", *problem)
    assert r.returncode == 0, r.stderr
    r = run(town, "package", "export", "--to", "640424", "--out", str(tmp_path / "out"), "--full", "--json")
    assert json.loads(r.stdout)["counts"]["correction"] == 2  # the problem and its first state change

    r = run(dist, "district", "status", "--json")
    [status] = json.loads(r.stdout)
    assert status["code"] == "640424100" and status["last_seq"] == 1 and status["chain_ok"]


def test_district_imports_the_months_packages_in_one_command(tmp_path):
    dist = tmp_path / "district.qfdb"
    assert run(dist, "init", "--office", "640424", "--name", "泾源县民政局", "--level", "district",
               "--admin", "admin").returncode == 0
    assert run(dist, "card", "export", "--out", str(tmp_path / "dist.json")).returncode == 0
    packages = []
    for code, name, village in (("640424100", "香水镇人民政府", "香水村"), ("640424101", "新民乡人民政府", "新民村")):
        town = tmp_path / f"{code}.qfdb"
        assert run(town, "init", "--office", code, "--name", name, "--level", "township", "--admin", "admin",
                   "--village", village).returncode == 0
        assert run(town, "demo", "--households", "3", "--seed", code[-1]).returncode == 0
        assert run(town, "card", "export", "--out", str(tmp_path / f"{code}.json")).returncode == 0
        assert run(dist, "card", "import", str(tmp_path / f"{code}.json")).returncode == 0
        assert run(town, "card", "import", str(tmp_path / "dist.json")).returncode == 0
        r = run(town, "package", "export", "--to", "640424", "--out", str(tmp_path / "month"), "--json")
        assert r.returncode == 0, r.stderr
        packages.append(json.loads(r.stdout)["paths"][0])
    damaged = tmp_path / "damaged.qfp"
    data = bytearray(open(packages[1], "rb").read())
    data[len(data) // 2] ^= 0x10
    damaged.write_bytes(bytes(data))
    r = run(dist, "package", "import", packages[0], str(damaged), packages[1], "--json")
    assert r.returncode == 20  # one refused: the others imported, each in its own transaction
    items = json.loads(r.stdout)
    assert [i["refused"] is None for i in items] == [True, False, True]
    assert [i["result"]["tables"]["household"]["new"] for i in (items[0], items[2])] == [3, 3]
    acks = sorted(p.name for p in (tmp_path / "month").glob("*回执*"))
    assert [a.split("至")[1] for a in acks] == ["640424100.qfp", "640424101.qfp"]  # one for each, same folder
    r = run(dist, "district", "status", "--json")
    assert [s["last_seq"] for s in json.loads(r.stdout)] == [1, 1]
