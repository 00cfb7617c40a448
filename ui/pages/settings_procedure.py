"""系统设置 → 办理程序和时限: which steps a decision needs per 保障类别 (a grid of check boxes),
the steps an exit needs, whether the office holds 民主评议, and every time limit of a case, as a
form. Saving changes only what changed, each setting audited (administrator only); the due dates
that depend on a changed setting are recomputed by the service (app.deadlines)."""
from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
                               QPushButton, QScrollArea, QSpinBox, QVBoxLayout, QWidget)

from app import codes, rulesettings
from app.errors import QingfengError
from ui import ops
from ui.context import AppContext
from ui.widgets import FieldError

NUMBERS = ("gongshi_days", "home_visit_min_signers", "dibao_decision_working_days",
           "dibao_decision_extension_working_days", "tekun_investigation_working_days",
           "tekun_objection_working_days", "tekun_decision_working_days", "refusal_notice_working_days",
           "first_aid_completion_working_days", "annual_check_months", "county_visit_working_days",
           "petition_accept_notice_working_days", "board_update_days")
OTHERS = "*"
# the settings edited on this tab (the 规则设置 tab shows the others)
KEYS = frozenset(NUMBERS) | {"procedure_steps", "exit_steps", "democratic_review_held"}


class ProcedureSettingsTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.values: dict = {}
        editable = ctx.can("settings.edit")
        self.categories = codes.values("categories") + [OTHERS]
        self.grant: dict[tuple[str, str], QCheckBox] = {}
        self.exit: dict[tuple[str, str], QCheckBox] = {}
        grid_box = QGroupBox("审核确认前须完成的环节（按保障类别；“其他类别”适用于未单列的类别）")
        grid = QGridLayout(grid_box)
        steps, exits = rulesettings.PROCEDURE_STEPS, rulesettings.EXIT_STEPS
        for c, step in enumerate(steps + tuple(f"退出：{e}" for e in exits), start=1):
            grid.addWidget(QLabel(step), 0, c)
        for r, category in enumerate(self.categories, start=1):
            grid.addWidget(QLabel("其他类别" if category == OTHERS else category), r, 0)
            for c, step in enumerate(steps, start=1):
                self.grant[(category, step)] = cb = QCheckBox()
                grid.addWidget(cb, r, c)
            for c, step in enumerate(exits, start=len(steps) + 1):
                self.exit[(category, step)] = cb = QCheckBox()
                grid.addWidget(cb, r, c)
        self.democratic = QCheckBox("本单位开展民主评议（不开展时，审核确认不要求民主评议环节）")
        self.numbers: dict[str, QSpinBox] = {}
        limits = QGroupBox("时限和人数")
        form = QFormLayout(limits)
        for key in NUMBERS:
            spin = QSpinBox()
            spin.setRange(1, 3650)
            spin.setToolTip(rulesettings.RULES[key].source)
            self.numbers[key] = spin
            form.addRow(rulesettings.RULES[key].label, spin)
        self.error = FieldError()
        self.notice = QLabel()
        self.notice.setStyleSheet("color: #1b5e20;")
        self.save_button = QPushButton("保存修改")
        self.save_button.clicked.connect(self.save)
        self.reset_button = QPushButton("放弃修改")
        self.reset_button.clicked.connect(lambda: self._show(self.values))
        for w in [*self.grant.values(), *self.exit.values(), self.democratic, *self.numbers.values(),
                  self.save_button, self.reset_button]:
            w.setEnabled(editable)
        body = QWidget()
        lay = QVBoxLayout(body)
        note = QLabel("依据《最低生活保障审核确认办法》《特困人员认定办法》《临时救助办法》的默认值；地方规定不同的"
                      "在此修改。修改记入审计日志，依赖该设置的待办时限随即重新计算。"
                      + ("" if editable else "（只有管理员可以修改）"))
        note.setWordWrap(True)
        note.setStyleSheet("color: #5f6b7a;")
        lay.addWidget(note)
        lay.addWidget(grid_box)
        lay.addWidget(self.democratic)
        lay.addWidget(limits)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        lay.addWidget(self.error)
        lay.addWidget(self.notice)
        lay.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    def refresh(self) -> None:
        database = self.ctx.database

        def query() -> dict:
            with database.session(write=False) as s:
                return rulesettings.all_settings(s)

        ops.run_query(self, query, on_success=self._show)

    def _show(self, values: dict) -> None:
        self.values = values
        table, exits = values["procedure_steps"], values["exit_steps"]
        for (category, step), cb in self.grant.items():
            cb.setChecked(step in table.get(category, table.get(OTHERS, []) if category != OTHERS else []))
        for (category, step), cb in self.exit.items():
            cb.setChecked(step in exits.get(category, []))
        self.democratic.setChecked(values["democratic_review_held"] == "是")
        for key, spin in self.numbers.items():
            spin.setValue(int(values[key]))

    def form_values(self) -> dict:
        """The settings as the form shows them (only the categories the form lists)."""
        steps, exits = rulesettings.PROCEDURE_STEPS, rulesettings.EXIT_STEPS
        table = {c: [s for s in steps if self.grant[(c, s)].isChecked()] for c in self.categories}
        exit_table = {c: [s for s in exits if self.exit[(c, s)].isChecked()] for c in self.categories}
        out = {"procedure_steps": table, "exit_steps": {c: v for c, v in exit_table.items() if v},
               "democratic_review_held": "是" if self.democratic.isChecked() else "否"}
        out.update({key: spin.value() for key, spin in self.numbers.items()})
        return out

    def _expand(self, key: str, table: dict) -> dict:
        """Per category (the "*" row for those not listed), to compare what the rules mean."""
        other = table.get(OTHERS, []) if key == "procedure_steps" else []
        return {c: list(table.get(c, other)) for c in self.categories}

    def changes(self) -> dict:
        out = {}
        for k, v in self.form_values().items():
            old = self.values.get(k)
            same = (self._expand(k, old) == self._expand(k, v)) if k in ("procedure_steps", "exit_steps") \
                else old == v
            if not same:
                out[k] = v
        return out

    def save(self) -> None:
        changes = self.changes()
        if not changes:
            self.notice.setText("没有修改。")
            return
        ctx = self.ctx

        def work(_p, _c) -> None:  # noqa: ANN001
            with ctx.database.session() as s:  # one transaction: all or nothing
                for key, value in changes.items():
                    rulesettings.set_value(s, ctx.actor, key, value)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, QingfengError):
                self.error.show_message(str(exc))
                return True
            return False

        def done(_r: object) -> None:
            self.error.show_message(None)
            self.notice.setText("已保存：" + "、".join(rulesettings.RULES[k].label for k in changes))
            self.refresh()

        ops.run_op(self, work, label="正在保存设置……", on_success=done, on_failure=failed, cancellable=False)
