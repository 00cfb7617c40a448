"""Entry point: ``qingfeng [--db PATH] [--demo] [--screenshot DIR]``.

No database at the path → first-run wizard; otherwise open (asking for passphrase or
recovery code when needed) → login → main window.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDialog

from app import firstrun, offices, storage, users
from ui import dialogs, gc_guard, i18n, ops
from ui.context import AppContext
from ui.login import LoginDialog
from ui.login_password import ChangePasswordDialog
from ui.main_window import PAGES, MainWindow
from ui.open_db import open_database

log = logging.getLogger("qingfeng.ui")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="qingfeng", description="清风台账")
    p.add_argument("--db", help="数据库文件（默认：用户数据目录中的 qingfeng.qfdb）")
    p.add_argument("--demo", action="store_true", help="打开（没有时建立）演示数据库")
    p.add_argument("--screenshot", metavar="DIR", help="截取每个页面的图片后退出")
    p.add_argument("--self-check", action="store_true", help="自检（版本、数据库、审计链、字体、备份……）后退出")
    return p.parse_args(argv)


def setup_app(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName("QingfengLedger")
    app.setApplicationDisplayName("清风台账")
    app.setOrganizationName("QingfengLedger")
    if sys.platform == "win32":
        app.setFont(QFont("Microsoft YaHei UI", 9))
    app._gc_guard = gc_guard.install(app)  # collect garbage on the GUI thread only
    i18n.install(app)  # Qt's own buttons, menus and dialogs in Chinese
    return app


class Controller:
    """Start-up flow and the one open database; restore and logout reopen it."""

    def __init__(self, args: argparse.Namespace, app: QApplication):
        self.args, self.app = args, app
        self.demo = bool(args.demo)
        self.path = Path(args.db) if args.db else (firstrun.demo_db_path() if self.demo else storage.default_db_path())
        self.database = None
        self.passphrase: str | None = None
        self.window: MainWindow | None = None
        self.started = time.perf_counter()
        self.last_user = ""
        self.switching = False
        app.setQuitOnLastWindowClosed(False)

    def start(self) -> None:
        if not self.path.exists() and self.demo:
            self.create_demo()
            return
        if not self.path.exists():
            from ui.wizard import SetupWizard  # first run only (it loads reportlab and openpyxl)

            wizard = SetupWizard(self.path)
            wizard.exec()
            if wizard.created is None:
                self.app.quit()
                return
            self.database = wizard.created.database
            self.last_user = wizard.created.admin.username
            self.login()
            return
        opened = open_database(self.path, demo=self.demo)
        if opened is None:
            self.app.quit()
            return
        self.database, self.passphrase = opened
        self.login()

    def create_demo(self) -> None:
        def work(progress, cancelled):  # noqa: ANN001, ANN202
            return firstrun.create_demo_database(self.path, progress=progress, cancelled=cancelled)

        def done(created: firstrun.Created) -> None:
            self.database, self.last_user = created.database, created.admin.username
            if not storage.keyring_available():
                self.passphrase = firstrun.DEMO_PASSPHRASE
            self.login()

        ops.run_op(None, work, label=f"正在建立演示数据库（{firstrun.DEMO_HOUSEHOLDS} 户）……",
                   on_success=done, on_cancelled=self.app.quit,
                   on_failure=lambda exc: (ops.show_error(None, exc), self.app.quit()) and True)

    def _authenticate(self, username: str, password: str):  # noqa: ANN202
        with self.database.session(write=False) as s:
            return users.authenticate(s, username, password)

    def _must_change(self, username: str) -> bool:
        with self.database.session(write=False) as s:
            return users.must_change_password(s, username)

    def _change_password(self, actor, old: str, new: str) -> None:  # noqa: ANN001
        with self.database.session() as s:
            users.change_password(s, actor, old=old, new=new)

    def login(self) -> None:
        with self.database.session(write=False) as s:
            office = offices.own_office(s)
            username = self.last_user or users.first_admin(s)
        note, accounts = None, None
        if self.demo:
            accounts = [(name, role, firstrun.DEMO_PASSWORD) for name, _n, role in firstrun.DEMO_USERS]
            note = (f"演示数据库：经办人 demo_clerk、审核人 demo_reviewer、管理员 {firstrun.DEMO_ADMIN}，"
                    f"密码都是 {firstrun.DEMO_PASSWORD}（点下面的按钮填入）。数据均为虚构。")
            if firstrun.key_storage(self.path) == "passphrase":
                note += "本机没有系统凭据管理器，演示数据库使用固定的演示口令加密（仅供演示，切勿存放真实数据）。"
        dlg = LoginDialog(self._authenticate, office=f"{office.name}（{office.code}）",
                          db_path=str(self.path), note=note, username=username, demo_accounts=accounts)
        if self.args.screenshot:
            self.shot(dlg, "00-登录")
            user, pw = (firstrun.DEMO_ADMIN, firstrun.DEMO_PASSWORD) if self.demo else (
                os.environ.get("QINGFENG_USER", username), os.environ.get("QINGFENG_PASSWORD", ""))
            dlg.username.setText(user)
            dlg.password.setText(pw)
            dlg.try_login()
        if dlg.actor is None and dlg.exec() != QDialog.DialogCode.Accepted:
            self.close_database()
            self.app.quit()
            return
        if self._must_change(dlg.actor.username):
            actor, old = dlg.actor, dlg.password.text()
            change = ChangePasswordDialog(lambda new: self._change_password(actor, old, new),
                                          username=actor.username)
            if change.exec() != QDialog.DialogCode.Accepted:
                self.login()  # not changed: back to the login screen
                return
        self.last_user = dlg.actor.username
        ctx = AppContext(self.database, dlg.actor, office, passphrase=self.passphrase, demo=self.demo)
        self.window = MainWindow(ctx)
        self.window.restoreRequested.connect(self.restore)
        self.window.logoutRequested.connect(self.logout)
        self.window.closed.connect(self._window_closed)
        self.window.show()
        log.info("window usable %.2f s after start", time.perf_counter() - self.started)
        self.daily_backup()
        if self.args.screenshot:
            QTimer.singleShot(200, self.screenshots)

    def daily_backup(self) -> None:
        """The backup of the day of use, in the background; the USB reminder after it."""
        from app import backups

        database, win = self.database, self.window

        def work(_p, _c):  # noqa: ANN001, ANN202
            return backups.daily_backup(database), backups.reminder(database.path)

        def done(result) -> None:  # noqa: ANN001
            entry, note = result
            if entry is not None and self.window is win:
                win.statusBar().showMessage(f"已自动备份并校验：{entry.path.name}", 15000)
            if note and entry is not None and not self.args.screenshot:
                dialogs.info(win, note)

        if database.path is not None:
            ops.run_op(win, work, label="正在自动备份……", on_success=done, cancellable=False,
                       show_progress=False)

    def _window_closed(self) -> None:
        if not self.switching:
            self.app.quit()

    def close_database(self) -> None:
        ops.wait_idle()
        if self.database is not None:
            self.database.dispose()

    def logout(self) -> None:
        self.switching = True
        try:
            if self.window is not None and self.window.close():
                self.window.deleteLater()
                self.window = None
                self.login()
        finally:
            self.switching = False

    def restore(self, source: str) -> None:
        win = self.window
        if win is None or not win.close_household_windows():
            return
        database, actor, path = self.database, win.ctx.actor, self.database.path
        ops.wait_idle()

        def work(progress, _c):  # noqa: ANN001, ANN202
            progress.update(0, 0, "正在校验备份并恢复……")
            return storage.restore(database, actor, source, passphrase=self.passphrase)

        def done(result) -> None:  # noqa: ANN001
            self.database = result.database
            self.switching = True
            win.hide()
            win.deleteLater()
            self.window = None
            self.switching = False
            dialogs.info(None, f"已从备份恢复（校验通过，{result.rows} 行）。\n"
                               f"恢复前的数据库已校验并保存在：\n{result.kept}\n请重新登录。")
            self.login()

        def failed(exc: BaseException) -> bool:
            # the database was not replaced (or was put back): open it again
            self.database = storage.open_database(path, passphrase=self.passphrase)
            win.ctx.database = self.database
            return False

        ops.run_op(win, work, label="正在恢复……", on_success=done, on_failure=failed,
                   cancellable=False)

    # -- screenshots (handy under Xvfb)
    def shot(self, widget, name: str) -> None:  # noqa: ANN001
        out = Path(self.args.screenshot)
        out.mkdir(parents=True, exist_ok=True)
        widget.show()
        for _ in range(5):
            self.app.processEvents()
            time.sleep(0.05)
        widget.grab().save(str(out / f"{name}.png"))

    def screenshots(self) -> None:
        win = self.window
        steps = [(i, name) for i, name in enumerate(PAGES)]

        def next_step() -> None:
            if not steps:
                page = win.households_page
                row = page.model.row_at(0)
                if row is not None:
                    hw = win.open_household(row.id)
                    QTimer.singleShot(1200, lambda: (self.shot(hw, "20-家庭窗口"), win.close(),
                                                     self.app.quit()))
                else:
                    self.app.quit()
                return
            i, name = steps.pop(0)
            win.show_page(name)
            QTimer.singleShot(900, lambda: (self.shot(win, f"{i + 1:02d}-{name}"), next_step()))

        next_step()


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    log.setLevel(logging.INFO)
    from app import logs

    logs.setup("gui")
    args = parse_args(sys.argv[1:] if argv is None else argv)
    app = setup_app(sys.argv[:1])
    if args.self_check:
        from ui import selfcheck

        path = Path(args.db) if args.db else (firstrun.demo_db_path() if args.demo else storage.default_db_path())
        return selfcheck.main(path.resolve(), app)
    controller = Controller(args, app)
    QTimer.singleShot(0, controller.start)
    code = app.exec()
    controller.close_database()
    delete_windows(app)
    return code


def delete_windows(app: QApplication) -> None:
    """Delete what windows are left while Qt is still whole. Left to PySide's clean-up at exit,
    they were deleted in no fixed order with the application, and that crashed at times
    ("shared QObject was deleted directly")."""
    for w in app.topLevelWidgets():
        if shiboken6.isValid(w) and w.parent() is None:
            shiboken6.delete(w)
    app.processEvents()


if __name__ == "__main__":
    sys.exit(main())
