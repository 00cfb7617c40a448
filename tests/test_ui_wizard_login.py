"""First-run wizard end to end, and the login dialog's lock after three wrong passwords."""
from __future__ import annotations

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QWizard

from app import users
from app.login import LoginGuard
from db import keys
from db.engine import open_sqlcipher
from test_ui_support import ui_dialogs  # noqa: F401 - fixture
from conftest import PASSWORD

ADMIN_PW = "admin-pass-9"


@pytest.mark.parametrize("secure_keyring", [True, False])
def test_wizard_creates_database_admin_can_log_in(qtbot, tmp_path, monkeypatch, ui_dialogs,  # noqa: F811
                                                  secure_keyring):
    from ui.wizard import SetupWizard

    if not secure_keyring:
        monkeypatch.setattr(keys, "keyring_available", lambda: False)
    path = tmp_path / "office.qfdb"
    wiz = SetupWizard(path)
    wiz.open_printed = False
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.office.code.setText("64042410")  # 8 digits: refused inline
    wiz.office.name.setText("香水镇人民政府")
    wiz.next()
    assert wiz.currentPage() is wiz.office and "9 位" in wiz.office.errors["code"].text()
    wiz.office.code.setText("640424100")
    wiz.next()
    assert wiz.currentPage() is wiz.villages
    for v in ("香水村", "泾河村"):
        wiz.villages.add(v)
    wiz.next()
    wiz.admin.display_name.setText("马主任")
    wiz.admin.password.setText(ADMIN_PW)
    wiz.admin.again.setText("different-1")
    wiz.next()
    assert wiz.currentPage() is wiz.admin and "不一致" in wiz.admin.errors["again"].text()
    wiz.admin.again.setText(ADMIN_PW)
    wiz.next()
    if not secure_keyring:
        assert wiz.currentPage() is wiz.passphrase
        wiz.passphrase.passphrase.setText("office-phrase-1")
        wiz.passphrase.again.setText("office-phrase-1")
        wiz.next()
    else:
        assert wiz.passphrase is None
    assert wiz.currentPage() is wiz.create_page
    wiz.next()  # 建立数据库: runs in the worker, the page waits
    assert wiz.currentPage() is wiz.recovery, wiz.create_page.error.text()
    code = wiz.created.recovery_code
    assert len(code.split("-")) == 13 and code.split("-")[0] in wiz.recovery.code.text()
    pdf = wiz.recovery.print_sheet(path=str(tmp_path / "恢复码.pdf"))
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert code.split("-")[1] in text and "恢复码" in text
    finish = wiz.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()
    wiz.recovery.done.setChecked(True)
    assert finish.isEnabled()
    finish.click()
    wiz.created.database.dispose()

    phrase = None if secure_keyring else "office-phrase-1"
    assert (keys.KeyFile.load(keys.keyfile_path(path.resolve())).storage
            == ("keyring" if secure_keyring else "passphrase"))
    db = open_sqlcipher(path, passphrase=phrase)
    with db.session(write=False) as s:
        actor = users.authenticate(s, "admin", ADMIN_PW)
        assert actor.role == "管理员" and actor.display_name == "马主任"
    db.dispose()
    db = open_sqlcipher(path, recovery=code)  # the code shown opens it too
    db.dispose()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_login_guard_locks_after_three_failures():
    clock = FakeClock()
    g = LoginGuard(clock=clock)
    g.failed()
    g.failed()
    assert not g.locked and "2 次" in g.message()
    g.failed()
    assert g.locked and "60 秒" in g.message()
    clock.now += 59
    assert g.locked
    clock.now += 1.5
    assert not g.locked and g.failures == 0


def test_login_dialog_locks_for_a_minute(qtbot, env, ui_dialogs):  # noqa: F811
    from ui.login import LoginDialog

    def auth(username, password):  # noqa: ANN001, ANN202
        with env.database.session(write=False) as s:
            return users.authenticate(s, username, password)

    clock = FakeClock()
    dlg = LoginDialog(auth, office="香水镇人民政府", db_path=str(env.path), username="clerk",
                      guard=LoginGuard(clock=clock))
    qtbot.addWidget(dlg)
    dlg.show()
    for _ in range(3):
        dlg.password.setText("wrong-pass-1")
        dlg.try_login()
        qtbot.waitUntil(lambda: not dlg.checking, timeout=5000)
    assert not dlg.ok.isEnabled() and not dlg.password.isEnabled()
    assert "锁定" in dlg.error.text()
    dlg.password.setText(PASSWORD)
    dlg.try_login()  # refused while locked, even with the right password
    assert dlg.actor is None
    clock.now += 61
    dlg.update_lock()
    assert dlg.ok.isEnabled()
    dlg.password.setText(PASSWORD)
    dlg.try_login()
    qtbot.waitUntil(lambda: dlg.actor is not None, timeout=5000)
    assert dlg.actor.username == "clerk" and dlg.result() == 1


def test_password_check_runs_off_the_ui_thread_and_the_dialog_stays_responsive(qtbot, env, ui_dialogs):  # noqa: F811
    import threading

    from ui.login import LoginDialog

    release, threads = threading.Event(), []

    def auth(username, password):  # noqa: ANN001, ANN202 - a slow check, held until released
        threads.append(threading.current_thread())
        assert release.wait(10)
        with env.database.session(write=False) as s:
            return users.authenticate(s, username, password)

    dlg = LoginDialog(auth, office="香水镇人民政府", db_path=str(env.path), username="clerk")
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.password.setText("wrong-pass-1")
    dlg.try_login()
    qtbot.waitUntil(lambda: bool(threads), timeout=5000)
    assert threads[0] is not threading.main_thread()
    # while the check runs the dialog keeps painting and handling events, shows it is busy,
    # and a second Enter does not start another check
    assert dlg.checking and dlg.busy.isVisible() and dlg.busy_label.isVisible()
    assert not dlg.ok.isEnabled() and not dlg.password.isEnabled()
    dlg.try_login()
    ticks = []
    from PySide6.QtCore import QTimer

    QTimer.singleShot(10, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: bool(ticks), timeout=2000)
    assert len(threads) == 1 and dlg.actor is None
    release.set()
    qtbot.waitUntil(lambda: not dlg.checking, timeout=5000)
    # the wrong-password message is the one it always was
    assert dlg.error.text() == dlg.guard.message() and "用户名或密码不正确" in dlg.error.text()
    assert dlg.password.isEnabled() and not dlg.busy.isVisible() and dlg.actor is None
    dlg.password.setText(PASSWORD)
    dlg.try_login()
    qtbot.waitUntil(lambda: dlg.actor is not None, timeout=5000)
    assert dlg.actor.username == "clerk" and dlg.result() == 1 and not ui_dialogs.errors
