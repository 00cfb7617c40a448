"""New household (Ctrl+N): the application is registered with its members (状态 申请中)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app import households as hs
from app.errors import QingfengError, ValidationError
from ui import ops
from ui.context import AppContext
from ui.household_form import HouseholdForm
from ui.household_window import MEMBER_KEYS, MEMBER_WORDS
from ui.members_editor import MembersEditor
from ui.widgets import FieldError, install_enter_moves


class NewHouseholdDialog(QDialog):
    created = Signal(str)

    def __init__(self, ctx: AppContext, villages: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("新增家庭（登记申请）")
        self.resize(1000, 620)
        self.form = HouseholdForm(villages)
        self.members = MembersEditor()
        self.members.add_row()
        self.banner = FieldError()
        self.busy = False
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("登记")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.form)
        lay.addWidget(QLabel("家庭成员（第一行为户主；身份证号录入后立即校验）"))
        lay.addWidget(self.members, 1)
        lay.addWidget(self.banner)
        lay.addWidget(self.buttons)
        install_enter_moves(self.form)

    def submit(self) -> None:
        if self.busy:
            return
        self.banner.show_message(None)
        if not (self.form.check() & self.members.check_all()):
            self.banner.show_message("有标红的项目需要改正，尚未登记。")
            return
        values = self.form.values()
        members = [hs.MemberInput(**{k: r[k] for k in MEMBER_KEYS}) for r in self.members.rows()]
        ctx = self.ctx

        def work(_p, _c) -> hs.Saved:  # noqa: ANN001
            with ctx.database.session() as s:
                return hs.create_household(s, ctx.actor, members=members, **values)

        def failed(exc: BaseException) -> bool:
            self.busy = False
            if isinstance(exc, ValidationError):
                if not self.form.show_service_error(exc.field, exc.rule):
                    if any(w in exc.field for w in MEMBER_WORDS):
                        self.members.show_errors(str(exc))
                    else:
                        self.banner.show_message(str(exc))
                return True
            if isinstance(exc, QingfengError):
                self.banner.show_message(str(exc))
                return True
            return False

        def done(saved: hs.Saved) -> None:
            self.busy = False
            ctx.changed.emit("households")
            self.created.emit(saved.id)
            self.accept()

        self.busy = True
        ops.run_op(self, work, label="正在登记……", on_success=done, on_failure=failed,
                   cancellable=False)
