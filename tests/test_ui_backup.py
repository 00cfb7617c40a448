"""系统设置 → 备份和自检: back up now, restore the latest (through the controller's signal),
the second folder, the self-check, the log folder and a diagnostic bundle without personal data."""
from __future__ import annotations

import logging
import zipfile
from datetime import date

from app import backups, logs
from app import households as hs
from app.idcard import make_valid_id
from test_ui_support import make_ctx, ui_dialogs  # noqa: F401 - fixture

PEOPLE = [("欧阳娜娜", 31), ("司马懿", 32), ("诸葛明", 33)]


def _tab(qtbot, env, actor):  # noqa: ANN001, ANN202
    from ui.pages.settings_backup import BackupTab

    tab = BackupTab(make_ctx(env, actor))
    qtbot.addWidget(tab)
    tab.show()
    return tab


def test_backup_now_list_and_restore_latest(qtbot, env, ui_dialogs):  # noqa: F811
    tab = _tab(qtbot, env, env.admin)
    assert tab.list.item(0).text() == "还没有备份。"
    tab.backup_now()
    qtbot.waitUntil(lambda: bool(ui_dialogs.infos), timeout=10000)
    assert "校验通过" in ui_dialogs.infos[-1]
    assert "手动" in tab.list.item(0).text() and "已校验" in tab.list.item(0).text()
    with qtbot.waitSignal(tab.restoreRequested, timeout=2000) as sig:
        tab.restore_newest()
    assert sig.args == [str(backups.latest(env.path).path)]


def test_clerk_cannot_restore_or_choose_folder(qtbot, env, ui_dialogs):  # noqa: F811
    tab = _tab(qtbot, env, env.clerk)
    assert not tab.restore_latest.isVisibleTo(tab) and not tab.choose_button.isVisibleTo(tab)


def test_second_folder_from_settings(qtbot, env, ui_dialogs, tmp_path):  # noqa: F811
    usb = tmp_path / "usb"
    usb.mkdir()
    backups.safety_backup(env.database, "daily")
    tab = _tab(qtbot, env, env.admin)
    tab.choose_second(path=str(usb))
    qtbot.waitUntil(lambda: "上次写入" in tab.second_label.text(), timeout=10000)
    assert list(usb.glob("*.qfdb")) and not tab.reminder_label.isVisibleTo(tab)


def test_self_check_and_diagnostic_bundle_without_personal_data(qtbot, env, ui_dialogs, tmp_path,
                                                                 monkeypatch):  # noqa: F811
    monkeypatch.setenv("QINGFENG_LOG_DIR", str(tmp_path / "logs"))
    ids = []
    with env.database.session() as s:
        for name, seq in PEOPLE:
            ids.append(make_valid_id("640424", date(1975, 5, 6), seq))
            hs.create_household(s, env.clerk, village="香水村", category="农村低保",
                                members=[hs.MemberInput(name=name, id_number=ids[-1])])
    handler_file = logs.setup("test")
    try:
        # what a log may end up holding: a name, an ID number, a quoted value, a phone
        logging.getLogger("qingfeng.test").warning(
            "保存 %s（%s）失败：姓名 “%s” 不符合；电话 13912345678", PEOPLE[0][0], ids[0], PEOPLE[1][0])
        assert PEOPLE[0][0] in handler_file.read_text(encoding="utf-8")
        tab = _tab(qtbot, env, env.admin)
        tab.run_check()
        qtbot.waitUntil(lambda: tab.check_results.count() > 5, timeout=20000)
        lines = [tab.check_results.item(i).text() for i in range(tab.check_results.count())]
        assert any("审计链" in line for line in lines)
        tab.open_logs()
        target = tmp_path / "诊断.zip"
        tab.export_bundle(path=str(target))
        qtbot.waitUntil(lambda: target.exists() and bool(ui_dialogs.infos), timeout=20000)
    finally:
        root = logging.getLogger()
        for h in [h for h in root.handlers if getattr(h, "qf_file", False)]:
            root.removeHandler(h)
            h.close()
    with zipfile.ZipFile(target) as z:
        names = z.namelist()
        text = "\n".join(z.read(n).decode("utf-8") for n in names)
    assert "自检.txt" in names and any(n.startswith("日志/") for n in names)
    assert "[姓名]" in text and "[证件号]" in text and "households" in text
    for name, _seq in PEOPLE:
        assert name not in text
    for number in ids:
        assert number not in text and number[:14] not in text
    for user in ("马晓梅", "李建军", "13912345678"):
        assert user not in text
    assert target.stat().st_mode & 0o077 == 0


def test_damaged_database_at_start_offers_the_latest_backup(qtbot, env, ui_dialogs):  # noqa: F811
    from conftest import PASSWORD
    from ui.open_db import open_database

    backups.safety_backup(env.database, "daily")
    env.database.dispose()
    data = bytearray(env.path.read_bytes())
    data[100] ^= 0xFF
    env.path.write_bytes(bytes(data))
    ui_dialogs.answers.update(ask_text="admin", ask_password=PASSWORD)
    opened = open_database(env.path)
    assert opened is not None, ui_dialogs.errors
    database, _passphrase = opened
    database.dispose()
    assert "已从" in ui_dialogs.infos[-1] and "恢复前" in ui_dialogs.infos[-1]
    kept = backups.list_pre_restore(env.path)[0].path
    assert kept.read_bytes() == bytes(data)
