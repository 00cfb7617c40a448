"""系统设置, administrator tabs: users and roles, office and villages (rule settings: settings_rules)."""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QListWidget, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from app import offices, users
from app.errors import ValidationError
from app.permissions import ROLES
from ui import dialogs, ops
from ui.context import AppContext
from ui.widgets import FieldError, with_error


def _ro_table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().hide()
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    t.setAlternatingRowColors(True)
    return t


class UsersTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.table = _ro_table(["用户名", "姓名", "角色", "状态"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.username, self.display_name = QLineEdit(), QLineEdit()
        self.role = QComboBox()
        self.role.addItems(ROLES)
        self.password, self.again = QLineEdit(), QLineEdit()
        for w in (self.password, self.again):
            w.setEchoMode(QLineEdit.EchoMode.Password)
        self.errors: dict[str, FieldError] = {}
        box = QGroupBox("新建用户")
        form = QFormLayout(box)
        for key, label in (("username", "用户名"), ("display_name", "姓名"), ("role", "角色"),
                           ("password", "初始密码"), ("again", "再次输入")):
            w, self.errors[key] = with_error(getattr(self, key))
            form.addRow(label, w)
        create = QPushButton("建立用户")
        create.clicked.connect(self.create)
        form.addRow("", create)
        self.new_role = QComboBox()
        self.new_role.addItems(ROLES)
        set_role = QPushButton("改为此角色")
        toggle = QPushButton("停用 / 启用")
        set_role.clicked.connect(lambda: self.update_user(role=self.new_role.currentText()))
        toggle.clicked.connect(lambda: self.update_user(toggle=True))
        actions = QHBoxLayout()
        actions.addWidget(QLabel("所选用户："))
        actions.addWidget(self.new_role)
        actions.addWidget(set_role)
        actions.addWidget(toggle)
        reset = QPushButton("重置密码……")
        reset.clicked.connect(lambda: self.reset_password())
        actions.addWidget(reset)
        actions.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.table)
        left.addLayout(actions)
        lay = QHBoxLayout(self)
        lay.addLayout(left, 3)
        lay.addWidget(box, 2)
        self.users: list[users.UserInfo] = []

    def refresh(self) -> None:
        database = self.ctx.database

        def query() -> list[users.UserInfo]:
            with database.session(write=False) as s:
                return users.list_users(s)

        ops.run_query(self, query, on_success=self._show)

    def _show(self, rows: list[users.UserInfo]) -> None:
        self.users = rows
        self.table.setRowCount(len(rows))
        for r, u in enumerate(rows):
            for c, text in enumerate((u.username, u.display_name, u.role, "启用" if u.active else "停用")):
                self.table.setItem(r, c, QTableWidgetItem(text))

    def create(self) -> None:
        for e in self.errors.values():
            e.show_message(None)
        if self.password.text() != self.again.text():
            self.errors["again"].show_message("两次输入的密码不一致")
            return
        ctx = self.ctx
        values = dict(username=self.username.text().strip(), display_name=self.display_name.text().strip(),
                      role=self.role.currentText(), password=self.password.text())

        def work(_p, _c) -> users.UserInfo:  # noqa: ANN001
            with ctx.database.session() as s:
                return users.create_user(s, ctx.actor, **values)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ValidationError):
                key = {"用户名": "username", "角色": "role", "密码": "password"}.get(exc.field, "username")
                self.errors[key].show_message(exc.rule)
                return True
            return False

        def done(u: users.UserInfo) -> None:
            for w in (self.username, self.display_name, self.password, self.again):
                w.clear()
            dialogs.info(self, f"已建立用户 {u.username}（{u.role}）。请把初始密码当面告诉本人，登录后自行修改。")
            self.refresh()

        ops.run_op(self, work, label="正在建立用户……", on_success=done, on_failure=failed,
                   cancellable=False)

    def update_user(self, *, role: str | None = None, toggle: bool = False) -> None:
        row = self.table.currentRow()
        if row < 0 or row >= len(self.users):
            dialogs.info(self, "请先在左边的列表中选中一个用户。")
            return
        u, ctx = self.users[row], self.ctx

        def work(_p, _c) -> users.UserInfo:  # noqa: ANN001
            with ctx.database.session() as s:
                return users.set_role(s, ctx.actor, username=u.username, role=role,
                                      active=(not u.active) if toggle else None)

        ops.run_op(self, work, label="正在修改用户……", on_success=lambda _u: self.refresh(),
                   cancellable=False)


    def reset_password(self, new: str | None = None) -> None:
        """Give the selected user a new initial password (forgotten); audited by the service,
        and the user must change it at the next login."""
        row = self.table.currentRow()
        if row < 0 or row >= len(self.users):
            dialogs.info(self, "请先在左边的列表中选中一个用户。")
            return
        u, ctx = self.users[row], self.ctx
        if new is None:
            new = dialogs.ask_password(self, "重置密码", f"为 {u.display_name}（{u.username}）设置新的初始密码"
                                       "（至少 8 位，含字母和数字；本人下次登录时须修改）：")
            if not new:
                return

        def work(_p, _c) -> users.UserInfo:  # noqa: ANN001
            with ctx.database.session() as s:
                return users.reset_password(s, ctx.actor, username=u.username, new=new)

        ops.run_op(self, work, label="正在重置密码……", cancellable=False,
                   on_success=lambda r: dialogs.info(
                       self, f"已重置 {r.username} 的密码（已记入审计日志）。请当面告知本人，下次登录时须修改。"))


class OfficeTab(QWidget):
    FIELDS = (("name", "单位名称"), ("phone", "联系电话"), ("district_phone", "区县民政局电话"),
              ("address", "地址"), ("doc_prefix", "发文机关代字"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        admin = ctx.can("office.edit")
        box = QGroupBox("单位信息")
        form = QFormLayout(box)
        form.addRow("单位代码", QLabel(f"{ctx.office.code}（{offices.LEVELS.get(ctx.office.level, '')}，"
                                      f"上级 {ctx.office.parent_code or '—'}）"))
        self.edits: dict[str, QLineEdit] = {}
        for key, label in self.FIELDS:
            self.edits[key] = QLineEdit(getattr(ctx.office, key) or "")
            self.edits[key].setReadOnly(not admin)
            form.addRow(label, self.edits[key])
        self.office_error = FieldError()
        form.addRow("", self.office_error)
        save = QPushButton("保存单位信息")
        save.setEnabled(admin)
        save.clicked.connect(self.save_office)
        form.addRow("", save)
        vbox = QGroupBox("村（居）")
        vl = QVBoxLayout(vbox)
        self.villages = QListWidget()
        self.new_village = QLineEdit()
        self.new_village.setPlaceholderText("新村（居）名称")
        add = QPushButton("添加")
        add.clicked.connect(self.add_village)
        self.new_village.returnPressed.connect(self.add_village)
        self.village_error = FieldError()
        row = QHBoxLayout()
        row.addWidget(self.new_village)
        row.addWidget(add)
        vl.addWidget(self.villages)
        vl.addLayout(row)
        vl.addWidget(self.village_error)
        for w in (self.new_village, add):
            w.setEnabled(admin)
        lay = QHBoxLayout(self)
        lay.addWidget(box, 3)
        lay.addWidget(vbox, 2)

    def refresh(self) -> None:
        database, code = self.ctx.database, self.ctx.office.code

        def query() -> list[str]:
            with database.session(write=False) as s:
                return offices.list_villages(s, code)

        ops.run_query(self, query, on_success=self._show_villages)

    def _show_villages(self, names: list[str]) -> None:
        self.villages.clear()
        self.villages.addItems(names)

    def save_office(self) -> None:
        ctx = self.ctx
        changes = {k: e.text() for k, e in self.edits.items()}

        def work(_p, _c) -> offices.OfficeInfo:  # noqa: ANN001
            with ctx.database.session() as s:
                return offices.update_office(s, ctx.actor, **changes)

        def done(info: offices.OfficeInfo) -> None:
            ctx.office = info
            self.office_error.show_message(None)
            ctx.changed.emit("office")
            dialogs.info(self, "单位信息已保存。")

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ValidationError):
                self.office_error.show_message(str(exc))
                return True
            return False

        ops.run_op(self, work, label="正在保存……", on_success=done, on_failure=failed,
                   cancellable=False)

    def add_village(self) -> None:
        ctx, name = self.ctx, self.new_village.text().strip()

        def work(_p, _c) -> str:  # noqa: ANN001
            with ctx.database.session() as s:
                return offices.add_village(s, ctx.actor, name=name)

        def done(_id: str) -> None:
            self.new_village.clear()
            self.village_error.show_message(None)
            ctx.changed.emit("office")
            self.refresh()

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, ValidationError):
                self.village_error.show_message(exc.rule)
                return True
            return False

        ops.run_op(self, work, label="正在添加……", on_success=done, on_failure=failed,
                   cancellable=False)
