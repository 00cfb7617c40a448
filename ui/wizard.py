"""First run: office, villages, first administrator, (passphrase), demo data, recovery code."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QPushButton, QVBoxLayout, QWidget, QWizard,
                               QWizardPage)

from app import firstrun, offices, storage
from app.errors import QingfengError, ValidationError
from app.recovery_sheet import write_recovery_sheet
from ui import dialogs, ops
from ui.widgets import FieldError, install_enter_moves, value, with_error


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #5f6b7a;")
    return label


class OfficePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("本单位")
        self.setSubTitle("清风台账将为本单位建立一个加密数据库。")
        self.level = QComboBox()
        for key, label in offices.LEVELS.items():
            self.level.addItem(label, key)
        self.code, self.name, self.parent_code = QLineEdit(), QLineEdit(), QLineEdit()
        self.code.setPlaceholderText("乡镇（街道）9 位统计代码，如 640424100；区县 6 位，如 640424")
        self.name.setPlaceholderText("如：香水镇人民政府")
        self.parent_code.setPlaceholderText("可不填：乡镇默认取代码前 6 位")
        form = QFormLayout(self)
        self.errors = {}
        for key, label in (("level", "单位级别"), ("code", "单位代码*"), ("name", "单位名称*"),
                           ("parent_code", "上级区县代码")):
            w, self.errors[key] = with_error(getattr(self, key))
            form.addRow(label, w)
        install_enter_moves(self)

    def validatePage(self) -> bool:  # noqa: N802
        for e in self.errors.values():
            e.show_message(None)
        level = value(self.level)
        try:
            offices.check_office_code(self.code.text(), level)
        except ValidationError as exc:
            self.errors["code"].show_message(exc.rule)
            return False
        if not self.name.text().strip():
            self.errors["name"].show_message("必须填写单位名称")
            return False
        parent = self.parent_code.text().strip()
        if parent:
            try:
                offices.check_office_code(parent, "district")
            except ValidationError as exc:
                self.errors["parent_code"].show_message(exc.rule)
                return False
            if level == "township" and not self.code.text().strip().startswith(parent):
                self.errors["parent_code"].show_message("乡镇代码应以所属区县代码开头")
                return False
        return True


class EnterAdds(QObject):
    """Enter in the entry field adds its text; the key goes no further (not to 下一步)."""

    def __init__(self, add, parent: QObject) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.add_fn = add

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.add_fn()
            return True
        return False


class VillagesPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("村（居）")
        self.setSubTitle("逐个添加本单位所辖的村（居）委会；以后也可以在“系统设置”中添加。")
        self.list = QListWidget()
        self.entry = QLineEdit()
        self.entry.setPlaceholderText("村（居）名称，回车添加")
        add, remove = QPushButton("添加"), QPushButton("删除所选")
        self.error = FieldError()
        add.clicked.connect(self.add)
        # Enter adds the village and stays on this page (the wizard would otherwise move on)
        self._enter_adds = EnterAdds(self.add, self.entry)
        self.entry.installEventFilter(self._enter_adds)
        remove.clicked.connect(lambda: self.list.takeItem(self.list.currentRow()))
        row = QHBoxLayout()
        row.addWidget(self.entry)
        row.addWidget(add)
        row.addWidget(remove)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.error)
        lay.addWidget(self.list)

    def add(self, name: str | None = None) -> None:
        name = "".join((name if isinstance(name, str) else self.entry.text()).split())
        if not name:
            return
        if name in self.villages() or len(name) > 30:
            self.error.show_message(f"“{name}”已在列表中" if len(name) <= 30 else "名称不超过 30 个字")
            return
        self.error.show_message(None)
        self.list.addItem(name)
        self.entry.clear()

    def villages(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]


class AdminPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("管理员")
        self.setSubTitle("管理员负责用户、设置和密钥。经办人、审核人的账户以后由管理员建立。")
        self.username, self.display_name = QLineEdit("admin"), QLineEdit()
        self.password, self.again = QLineEdit(), QLineEdit()
        for w in (self.password, self.again):
            w.setEchoMode(QLineEdit.EchoMode.Password)
        self.errors = {}
        form = QFormLayout(self)
        for key, label in (("username", "用户名*"), ("display_name", "姓名"),
                           ("password", "密码*（至少 8 位，含字母和数字）"), ("again", "再次输入密码*")):
            w, self.errors[key] = with_error(getattr(self, key))
            form.addRow(label, w)
        install_enter_moves(self)

    def validatePage(self) -> bool:  # noqa: N802
        for e in self.errors.values():
            e.show_message(None)
        name = self.username.text().strip()
        if not name or not name.replace("_", "").replace(".", "").isalnum():
            self.errors["username"].show_message("须为字母、数字、下划线或点")
            return False
        try:
            firstrun.check_password(self.password.text(), self.again.text())
        except ValidationError as exc:
            self.errors["again" if "不一致" in exc.rule else "password"].show_message(exc.rule)
            return False
        return True


class PassphrasePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("数据库口令")
        self.setSubTitle("本机没有可用的系统凭据管理器，数据库密钥将用口令加密保存。每次打开数据库都要输入此口令。")
        self.passphrase, self.again = QLineEdit(), QLineEdit()
        for w in (self.passphrase, self.again):
            w.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = FieldError()
        form = QFormLayout(self)
        form.addRow("数据库口令*", self.passphrase)
        form.addRow("再次输入*", self.again)
        form.addRow("", self.error)

    def validatePage(self) -> bool:  # noqa: N802
        try:
            firstrun.check_passphrase(self.passphrase.text(), self.again.text())
        except ValidationError as exc:
            self.error.show_message(exc.rule)
            return False
        return True


class CreatePage(QWizardPage):
    """Options, then 建立数据库 (a commit page: no way back once created)."""

    def __init__(self, wizard: "SetupWizard") -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("建立数据库")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "建立数据库")
        self.demo = QCheckBox(f"载入演示数据（{firstrun.DEMO_HOUSEHOLDS} 户虚构家庭，仅供熟悉操作，不要用于正式工作）")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.error = FieldError()
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.demo)
        lay.addWidget(_note("点“建立数据库”后将生成 256 位密钥并建立加密数据库，然后显示恢复码。"))
        lay.addWidget(self.error)
        lay.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802
        w = self.wiz
        self.summary.setText(f"单位：{w.office.code.text().strip()} {w.office.name.text().strip()}\n"
                             f"村（居）：{'、'.join(w.villages.villages()) or '（暂无）'}\n"
                             f"管理员：{w.admin.username.text().strip()}\n数据库位置：{w.db_path}")

    def validatePage(self) -> bool:  # noqa: N802
        self.error.show_message(None)
        w = self.wiz
        params = dict(code=w.office.code.text().strip(), name=w.office.name.text().strip(),
                      level=value(w.office.level),
                      parent=w.office.parent_code.text().strip() or None,
                      villages=w.villages.villages(), admin=w.admin.username.text().strip(),
                      admin_name=w.admin.display_name.text().strip() or w.admin.username.text().strip(),
                      admin_password=w.admin.password.text(),
                      passphrase=w.passphrase.passphrase.text() if w.passphrase else None,
                      demo_households=w.demo_households if self.demo.isChecked() else 0)
        loop, outcome = QEventLoop(), {}

        def work(progress, cancelled):  # noqa: ANN001, ANN202
            return firstrun.create_office_database(w.db_path, progress=progress, cancelled=cancelled, **params)

        def done(created: firstrun.Created) -> None:
            outcome["created"] = created
            loop.quit()

        def failed(exc: BaseException) -> bool:
            outcome["error"] = exc
            loop.quit()
            return True

        ops.run_op(self, work, label="正在建立数据库……", on_success=done, on_failure=failed,
                   on_cancelled=loop.quit)
        loop.exec()
        if "created" in outcome:
            w.created = outcome["created"]
            return True
        exc = outcome.get("error")
        self.error.show_message(str(exc) if isinstance(exc, QingfengError) else
                                (ops.error_text(exc)[0] if exc else "已取消，没有建立数据库。"))
        return False


class RecoveryPage(QWizardPage):
    def __init__(self, wizard: "SetupWizard") -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("恢复码")
        self.setSubTitle("恢复码只显示这一次。换电脑或系统凭据丢失时，只有凭它才能打开数据库。")
        self.code = QLabel()
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont("Courier New")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(15)
        font.setBold(True)
        self.code.setFont(font)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setStyleSheet("background: #fffde7; border: 1px solid #f9a825; padding: 12px;")
        self.print_button = QPushButton("打印恢复码（生成 PDF）……")
        self.print_button.clicked.connect(self.print_sheet)
        self.done = QCheckBox("我已打印或抄写恢复码，并将其存放在单位保险柜")
        self.done.toggled.connect(self.completeChanged)
        lay = QVBoxLayout(self)
        lay.addWidget(self.code)
        lay.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(_note("请不要拍照或把恢复码保存在电脑、手机和网盘上。"))
        lay.addWidget(self.done)
        lay.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802
        groups = self.wiz.created.recovery_code.split("-")
        self.code.setText("\n".join("  ".join(groups[i:i + 5]) for i in range(0, len(groups), 5)))

    def print_sheet(self, _checked: bool = False, *, path: str | None = None) -> str | None:
        w = self.wiz
        path = path or dialogs.save_file(self, "保存恢复码", str(Path.home() / "清风台账恢复码.pdf"), "PDF (*.pdf)")
        if not path:
            return None
        try:
            write_recovery_sheet(path, code=w.created.recovery_code, office_code=w.office.code.text().strip(),
                                 office_name=w.office.name.text().strip(), db_path=str(w.db_path))
        except OSError as exc:
            ops.show_error(self, exc)
            return None
        if w.open_printed:
            dialogs.open_path(path)
        return path

    def isComplete(self) -> bool:  # noqa: N802
        return self.done.isChecked()


class SetupWizard(QWizard):
    def __init__(self, db_path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.created: firstrun.Created | None = None
        self.demo_households = firstrun.DEMO_HOUSEHOLDS
        self.open_printed = True
        self.setWindowTitle("清风台账 — 首次使用设置")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setMinimumSize(720, 520)
        for button, text in ((QWizard.WizardButton.NextButton, "下一步 >"),
                             (QWizard.WizardButton.BackButton, "< 上一步"),
                             (QWizard.WizardButton.FinishButton, "完成"),
                             (QWizard.WizardButton.CancelButton, "取消")):
            self.setButtonText(button, text)
        self.office, self.villages, self.admin = OfficePage(), VillagesPage(), AdminPage()
        self.passphrase = None if storage.keyring_available() else PassphrasePage()
        self.create_page, self.recovery = CreatePage(self), RecoveryPage(self)
        for page in (self.office, self.villages, self.admin, self.passphrase, self.create_page,
                     self.recovery):
            if page is not None:
                self.addPage(page)
        pages = [p for p in (self.office, self.villages, self.admin, self.passphrase, self.create_page,
                             self.recovery) if p is not None]
        for n, page in enumerate(pages, 1):  # 第 2 步（共 5 步）：村（居）
            page.setTitle(f"第 {n} 步（共 {len(pages)} 步）：{page.title()}")
