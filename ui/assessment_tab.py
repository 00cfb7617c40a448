"""The household window's 测算 tab (家庭经济状况评估): income items, rigid expenditures and
assets (add / remove with a reason), and the assessment for a chosen date — every line of the
derivation (standard, income per person, persons counted, each surcharge, rounding) and the
eligibility suggestion with its reasons; 保存测算 keeps it, 按测算结果提议 submits the computed
amount for review (两人审核). All database work runs through :mod:`ui.ops`."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QPushButton, QSpinBox, QSplitter, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from app import households as hs
from app.assessment import approvals, income
from app.assessment.assess import AssessmentResult, Inputs, assess, latest_inputs, save_assessment
from app.assessment.propose import propose_assessed
from app.rulesettings import EXPENDITURE_KINDS
from app.errors import QingfengError
from ui import dialogs, ops
from ui.context import AppContext
from ui.proposal_dialog import ProposeDialog
from ui.widgets import FieldError, combo, date_edit, set_combo, value

WHOLE = "（全户）"
DEFAULT_METHOD = "（按规则设置）"


def _money(text: str) -> str | None:
    """None when ``text`` is an amount the service will take, else the message."""
    text = (text or "").strip().replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return "应为金额数字，如 1200 或 1200.50"
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        return "应为不小于 0 的金额，最多两位小数（分）"
    return None


def _periods() -> QComboBox:
    c = QComboBox()
    for key, label in income.PERIODS.items():
        c.addItem(label, key)
    return c


def _tree(headers: list[str], widths: tuple[int, ...]) -> QTreeWidget:
    t = QTreeWidget()
    t.setHeaderLabels(headers)
    t.setRootIsDecorated(False)
    t.setAlternatingRowColors(True)
    for col, width in enumerate(widths):
        t.setColumnWidth(col, width)
    return t


class AssessmentTab(QWidget):
    proposed = Signal()  # a proposal was submitted: the window shows its banner

    def __init__(self, ctx: AppContext, household_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.household_id = ctx, household_id
        self.info: hs.HouseholdInfo | None = None
        self.means = None
        self.result: AssessmentResult | None = None
        self.loaded = self.busy = False
        can_edit = ctx.can("household.edit")

        # income
        self.income_tree = _tree(["收入类型", "成员", "周期", "金额（元）", "折合年收入", "是否计入"],
                                 (150, 70, 50, 90, 90))
        self.income_kind = combo(list(income.INCOME_KINDS))
        self.income_member = combo([], WHOLE)
        self.income_period = _periods()
        self.income_amount = QLineEdit()
        self.income_amount.setPlaceholderText("金额")
        self.income_add = QPushButton("添加收入")
        self.income_remove = QPushButton("删除所选……")
        self.income_error = FieldError()
        # expenditure
        self.spend_tree = _tree(["支出类型", "成员", "周期", "金额（元）", "折合年支出", "是否扣减"],
                                (100, 70, 50, 90, 90))
        self.spend_kind = combo(list(EXPENDITURE_KINDS))
        self.spend_member = combo([], WHOLE)
        self.spend_period = _periods()
        self.spend_period.setCurrentIndex(self.spend_period.findData("yearly"))
        self.spend_amount = QLineEdit()
        self.spend_amount.setPlaceholderText("金额")
        self.spend_add = QPushButton("添加支出")
        self.spend_remove = QPushButton("删除所选……")
        self.spend_error = FieldError()
        # assets
        self.asset_tree = _tree(["财产类型", "数量", "面积（㎡）", "价值（元）", "备注"], (90, 50, 80, 90))
        self.asset_kind = combo(list(income.ASSET_KINDS))
        self.asset_quantity = QSpinBox()
        self.asset_quantity.setRange(0, 1000)
        self.asset_quantity.setValue(1)
        self.asset_area = QLineEdit()
        self.asset_area.setPlaceholderText("面积（住房）")
        self.asset_value = QLineEdit()
        self.asset_value.setPlaceholderText("价值")
        self.asset_note = QLineEdit()
        self.asset_note.setPlaceholderText("备注")
        self.asset_add = QPushButton("添加财产")
        self.asset_remove = QPushButton("删除所选……")
        self.asset_error = FieldError()

        # assessment
        self.day = date_edit()
        self.category = combo([])
        self.method = combo(["差额", "分档"], DEFAULT_METHOD)
        self.tier = QSpinBox()
        self.tier.setRange(0, 20)
        self.tier.setSpecialValueText("—")
        self.tier.setToolTip("分档发放时由经办人按入户调查选定档次（—：不选）")
        self.assess_button = QPushButton("测算")
        self.assess_button.setStyleSheet("font-weight: bold;")
        self.save_button = QPushButton("保存测算")
        self.propose_button = QPushButton("按测算结果提议……")
        self.amount_label = QLabel("—")
        self.amount_label.setStyleSheet("font-size: 14pt; font-weight: bold; color: #1f3b63;")
        self.suggestion_label = QLabel()
        self.suggestion_label.setWordWrap(True)
        self.suggestion_label.setStyleSheet("color: #1b5e20;")
        self.derivation = QPlainTextEdit()
        self.derivation.setReadOnly(True)
        self.derivation.setPlaceholderText("选择测算日期，点“测算”：这里列出计算的每一步。")
        self.error = FieldError()
        self.notice = QLabel()
        self.notice.setStyleSheet("color: #1b5e20;")
        self.notice.setWordWrap(True)

        for w in (self.income_add, self.income_remove, self.spend_add, self.spend_remove,
                  self.asset_add, self.asset_remove, self.save_button):
            w.setEnabled(can_edit)
        self.save_button.setEnabled(False)
        self.propose_button.setEnabled(False)
        self.income_add.clicked.connect(self.add_income)
        self.spend_add.clicked.connect(self.add_expenditure)
        self.asset_add.clicked.connect(self.add_asset)
        self.income_remove.clicked.connect(lambda: self.remove("income", self.income_tree))
        self.spend_remove.clicked.connect(lambda: self.remove("expenditure", self.spend_tree))
        self.asset_remove.clicked.connect(lambda: self.remove("asset", self.asset_tree))
        self.assess_button.clicked.connect(self.run_assess)
        self.save_button.clicked.connect(self.save)
        self.propose_button.clicked.connect(self.propose)
        self.day.dateChanged.connect(lambda _d: self._stale())
        for c in (self.category, self.method):
            c.currentIndexChanged.connect(lambda _i: self._stale())
        self.tier.valueChanged.connect(lambda _v: self._stale())

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self._group("收入（每月或每年；不共同生活成员只计其支付的赡养/抚养/扶养费）",
                                 self.income_tree,
                                 [self.income_kind, self.income_member, self.income_period,
                                  self.income_amount, self.income_add, self.income_remove],
                                 self.income_error), 3)
        ll.addWidget(self._group("刚性支出（医疗、教育、康复、住房；按规则设置扣减）", self.spend_tree,
                                 [self.spend_kind, self.spend_member, self.spend_period,
                                  self.spend_amount, self.spend_add, self.spend_remove],
                                 self.spend_error), 2)
        ll.addWidget(self._group("财产", self.asset_tree,
                                 [self.asset_kind, self.asset_quantity, self.asset_area,
                                  self.asset_value, self.asset_note, self.asset_add,
                                  self.asset_remove], self.asset_error), 2)
        right = QGroupBox("测算")
        grid = QGridLayout(right)
        grid.addWidget(QLabel("测算日期"), 0, 0)
        grid.addWidget(self.day, 0, 1)
        grid.addWidget(QLabel("保障类别"), 0, 2)
        grid.addWidget(self.category, 0, 3)
        grid.addWidget(QLabel("计算方法"), 1, 0)
        grid.addWidget(self.method, 1, 1)
        grid.addWidget(QLabel("档次"), 1, 2)
        grid.addWidget(self.tier, 1, 3)
        buttons = QHBoxLayout()
        for b in (self.assess_button, self.save_button, self.propose_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        grid.addLayout(buttons, 2, 0, 1, 4)
        grid.addWidget(self.amount_label, 3, 0, 1, 4)
        grid.addWidget(self.suggestion_label, 4, 0, 1, 4)
        grid.addWidget(self.derivation, 5, 0, 1, 4)
        grid.addWidget(self.error, 6, 0, 1, 4)
        grid.addWidget(self.notice, 7, 0, 1, 4)
        grid.setRowStretch(5, 1)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.addWidget(split)

    @staticmethod
    def _group(title: str, tree: QTreeWidget, row: list[QWidget], error: FieldError) -> QGroupBox:
        box = QGroupBox(title)
        lay = QVBoxLayout(box)
        lay.addWidget(tree, 1)
        line = QHBoxLayout()
        for w in row:
            line.addWidget(w)
        lay.addLayout(line)
        lay.addWidget(error)
        return box

    # -- loading
    def set_household(self, info: hs.HouseholdInfo) -> None:
        """Called by the window whenever the household is (re)loaded."""
        first = self.info is None
        self.info = info
        for c in (self.income_member, self.spend_member):
            current = value(c)
            c.blockSignals(True)
            c.clear()
            c.addItem(WHOLE, "")
            for m in info.members:
                c.addItem(m.name, m.id)
            set_combo(c, current)
            c.blockSignals(False)
        if first:
            from app import codes

            self.category.blockSignals(True)
            for v in codes.values("categories"):
                self.category.addItem(v, v)
            self.category.blockSignals(False)
        set_combo(self.category, info.category)
        self.reload()

    def reload(self) -> None:
        database, hid = self.ctx.database, self.household_id

        def query():  # noqa: ANN202
            with database.session(write=False) as s:
                return income.household_means(s, hid), latest_inputs(s, hid)

        ops.run_query(self, query, on_success=self._populate)

    def _populate(self, result) -> None:  # noqa: ANN001
        means, inputs = result
        self.means = means
        self.income_tree.clear()
        for i in means.income:
            item = QTreeWidgetItem(self.income_tree, [
                i.kind, i.member or WHOLE, income.PERIODS[i.period], f"{i.amount:.2f}",
                f"{i.annual:.2f}", "计入" if i.counted else f"不计入：{i.why}"])
            item.setData(0, 256, i.id)
        self.spend_tree.clear()
        for e in means.expenditure:
            item = QTreeWidgetItem(self.spend_tree, [
                e.kind, e.member or WHOLE, income.PERIODS[e.period], f"{e.amount:.2f}",
                f"{e.annual:.2f}", "扣减" if e.counted else (e.why or "不扣减")])
            item.setData(0, 256, e.id)
        self.asset_tree.clear()
        for a in means.assets:
            item = QTreeWidgetItem(self.asset_tree, [
                a.kind, str(a.quantity), "" if a.area is None else f"{a.area}",
                "" if a.value is None else f"{a.value:.2f}", a.note or ""])
            item.setData(0, 256, a.id)
        if inputs is not None and not self.loaded:
            set_combo(self.method, inputs.method)
            self.tier.setValue(inputs.tier or 0)
        self.loaded = True

    # -- items
    def _run_write(self, fn, label: str, done_text: str, error: FieldError) -> None:  # noqa: ANN001
        if self.busy:
            return
        ctx, hid = self.ctx, self.household_id

        def work(_p, _c):  # noqa: ANN001, ANN202
            with ctx.database.session() as s:
                return fn(s, ctx.actor, hid)

        def done(_r) -> None:  # noqa: ANN001
            self.busy = False
            self.notice.setText(done_text)
            self._stale()
            self.reload()

        def failed(exc: BaseException) -> bool:
            self.busy = False
            if isinstance(exc, QingfengError):
                error.show_message(f"未保存：{exc}")
                return True
            return False

        error.show_message(None)
        self.busy = True
        ops.run_op(self, work, label=label, on_success=done, on_failure=failed, cancellable=False)

    def add_income(self) -> None:
        message = _money(self.income_amount.text())
        if message:
            self.income_error.show_message(f"金额{message}")
            return
        kind, amount = value(self.income_kind), self.income_amount.text().strip().replace(",", "")
        period, member = self.income_period.currentData(), value(self.income_member)
        self._run_write(lambda s, a, h: income.add_income(s, a, h, kind=kind, amount=amount,
                                                          period=period, member_id=member),
                        "正在登记收入……", f"已登记收入：{kind} {amount} 元。", self.income_error)
        self.income_amount.clear()

    def add_expenditure(self) -> None:
        message = _money(self.spend_amount.text())
        if message:
            self.spend_error.show_message(f"金额{message}")
            return
        kind, amount = value(self.spend_kind), self.spend_amount.text().strip().replace(",", "")
        period, member = self.spend_period.currentData(), value(self.spend_member)
        self._run_write(lambda s, a, h: income.add_expenditure(s, a, h, kind=kind, amount=amount,
                                                               period=period, member_id=member),
                        "正在登记支出……", f"已登记刚性支出：{kind} {amount} 元。", self.spend_error)
        self.spend_amount.clear()

    def add_asset(self) -> None:
        for w, what in ((self.asset_area, "面积"), (self.asset_value, "价值")):
            if w.text().strip() and _money(w.text()):
                self.asset_error.show_message(f"{what}{_money(w.text())}")
                return
        kind, quantity = value(self.asset_kind), self.asset_quantity.value()
        area = self.asset_area.text().strip() or None
        worth = self.asset_value.text().strip().replace(",", "") or None
        note = self.asset_note.text().strip() or None
        self._run_write(lambda s, a, h: income.add_asset(s, a, h, kind=kind, quantity=quantity,
                                                         area=area, value=worth, note=note),
                        "正在登记财产……", f"已登记财产：{kind}。", self.asset_error)
        for w in (self.asset_area, self.asset_value, self.asset_note):
            w.clear()

    def remove(self, entity: str, tree: QTreeWidget) -> None:
        error = {"income": self.income_error, "expenditure": self.spend_error,
                 "asset": self.asset_error}[entity]
        item = tree.currentItem()
        if item is None:
            error.show_message("请先在列表中选中要删除的一项")
            return
        reason = dialogs.ask_text(self, "删除", f"删除“{item.text(0)}”的原因（必填，如：录入错误、已不再领取）：")
        if reason is None:
            return
        if not reason.strip():
            error.show_message("删除必须填写原因")
            return
        item_id = item.data(0, 256)
        self._run_write(lambda s, a, _h: income.remove_item(s, a, entity, item_id, reason=reason),
                        "正在删除……", f"已删除：{item.text(0)}（原因：{reason.strip()}）。", error)

    # -- assessment
    def inputs(self) -> Inputs:
        return Inputs(category=value(self.category) or (self.info.category if self.info else ""),
                      method=value(self.method), tier=self.tier.value() or None)

    def _stale(self) -> None:
        """Inputs changed: the shown result no longer matches them."""
        if self.result is not None:
            self.result = None
            self.save_button.setEnabled(False)
            self.propose_button.setEnabled(False)
            self.amount_label.setText("（条件已改变，请重新测算）")

    def run_assess(self) -> None:
        database, hid, day, inputs = self.ctx.database, self.household_id, self.day.date().toPython(), self.inputs()
        self.error.show_message(None)
        self.notice.clear()

        def query():  # noqa: ANN202
            with database.session(write=False) as s:
                return assess(s, hid, day=day, inputs=inputs)

        def failed(exc: BaseException) -> bool:
            if isinstance(exc, QingfengError):
                self.error.show_message(f"无法测算：{exc}")
                return True
            return False

        ops.run_query(self, query, on_success=self.show_result, on_failure=failed)

    def show_result(self, result: AssessmentResult) -> None:
        self.result = result
        d = result.derivation
        self.amount_label.setText(f"测算月保障金额：{result.amount:.2f} 元（现发放 {result.current_amount:.2f} 元，"
                                  f"{d.method}）")
        s = result.suggestion
        self.suggestion_label.setText(f"建议：{s.primary}" + (f"（可选：{'、'.join(s.options)}）"
                                                            if len(s.options) > 1 else "")
                                      + "\n" + "\n".join(f"· {r}" for r in s.reasons))
        self.derivation.setPlainText("\n".join(result.lines()))
        can_edit, can_propose = self.ctx.can("household.edit"), self.ctx.can("household.propose")
        self.save_button.setEnabled(can_edit)
        status = self.info.status if self.info else ""
        self.propose_button.setEnabled(can_propose and (status in hs.IN_FORCE or status == "申请中"))
        if not can_propose:
            self.propose_button.setToolTip("提交审核需要经办人或审核人角色")
        elif status not in hs.IN_FORCE and status != "申请中":
            self.propose_button.setToolTip(f"“{status}”的家庭不能按测算结果提议")

    def save(self) -> None:
        if self.result is None or self.busy:
            return
        ctx, hid, day, inputs = self.ctx, self.household_id, self.result.day, self.result.inputs

        def work(_p, _c):  # noqa: ANN001, ANN202
            with ctx.database.session() as s:
                return save_assessment(s, ctx.actor, hid, day=day, inputs=inputs)

        def done(result: AssessmentResult) -> None:
            self.busy = False
            self.notice.setText(f"已保存测算（{day}，{result.amount:.2f} 元）：标准调整时将按同样的条件重算。")
            ctx.changed.emit("households")

        def failed(exc: BaseException) -> bool:
            self.busy = False
            if isinstance(exc, QingfengError):
                self.error.show_message(f"未保存：{exc}")
                return True
            return False

        self.busy = True
        ops.run_op(self, work, label="正在保存测算……", on_success=done, on_failure=failed,
                   cancellable=False)

    def propose_dialog(self) -> ProposeDialog | None:
        """The dialog that submits the computed amount (and category) for review."""
        r, info = self.result, self.info
        if r is None or info is None:
            return None
        category = r.inputs.category
        grant = info.status == "申请中"
        pairs = [("保障状态", info.status, "在保" if grant else info.status),
                 ("保障类别", info.category, category),
                 ("月保障金额", f"{info.monthly_amount:.2f}", f"{r.amount:.2f}")]
        title = "按测算结果提议纳入保障" if grant else "按测算结果提议调整"
        dlg = ProposeDialog(title, pairs, self, day=r.day,
                            reason=f"经家庭经济状况评估（{r.day}），{r.suggestion.primary}，"
                                   f"测算月保障金额 {r.amount:.2f} 元")
        dlg.accepted.connect(lambda: self.propose_now(**dlg.values()))
        dlg.open()
        return dlg

    def propose(self) -> None:
        if self.result is None or self.busy or not self.ctx.can("household.propose"):
            return
        self.propose_dialog()

    def propose_now(self, *, day: date, reason: str) -> None:
        """Save the assessment and propose its amount, in one transaction."""
        if self.result is None or self.info is None:
            return
        ctx, hid, inputs, when = self.ctx, self.household_id, self.result.inputs, self.result.day

        def work(_p, _c):  # noqa: ANN001, ANN202
            with ctx.database.session() as s:  # one transaction (app.assessment.propose)
                return propose_assessed(s, ctx.actor, hid, assessed_on=when, inputs=inputs,
                                        day=day, reason=reason)[1]

        def done(p: approvals.ProposalInfo) -> None:
            self.busy = False
            self.notice.setText(f"已提交审核：{p.kind}，月保障金额 {p.after.get('monthly_amount')} 元；"
                                "须经审核人批准后生效。")
            ctx.changed.emit("households")
            self.proposed.emit()

        def failed(exc: BaseException) -> bool:
            self.busy = False
            if isinstance(exc, QingfengError):
                self.error.show_message(f"未提交：{exc}")
                return True
            return False

        self.busy = True
        ops.run_op(self, work, label="正在提交审核……", on_success=done, on_failure=failed,
                   cancellable=False)
