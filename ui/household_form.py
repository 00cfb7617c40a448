"""The household fields (village, category, amount …) with inline messages; shared by the
new-household dialog and the household window."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QFormLayout, QGridLayout, QLabel, QLineEdit, QWidget

from app import clock, codes
from ui.widgets import NONE, FieldError, combo, date_edit, set_combo, value, with_error

# ValidationError.field -> form key
FIELD_KEYS = {"村（居）": "village", "保障类别": "category", "城乡": "urban_rural", "分类": "classification",
              "致贫原因": "poverty_cause", "月保障金额": "monthly_amount"}


def check_amount(text: str) -> str | None:
    """The amount rule of the service, early: None when fine, else the message."""
    text = (text or "").strip().replace(",", "")
    if not text:
        return "必须填写（没有发放时填 0）"
    try:
        value = Decimal(text)
    except InvalidOperation:
        return "应为金额数字，如 620 或 620.50"
    if value < 0 or value > 100000:
        return "应在 0 到 100000 元之间"
    if value != value.quantize(Decimal("0.01")):
        return "最多两位小数（分）"
    return None


class HouseholdForm(QWidget):
    changed = Signal()

    def __init__(self, villages: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.village = combo(villages)
        self.urban_rural = combo(codes.values("urban_rural"), current="农村")
        self.category = combo(codes.values("categories"), current="农村低保")
        self.classification = combo(codes.values("classifications"), NONE)
        self.poverty_cause = combo(codes.values("poverty_causes"), NONE)
        self.monthly_amount = QLineEdit("0")
        self.monthly_amount.setPlaceholderText("元/月，如 620.50")
        self.address = QLineEdit()
        self.phone = QLineEdit()
        self.bank_account = QLineEdit()
        self.apply_date = date_edit()
        self.note = QLineEdit()
        self.errors: dict[str, FieldError] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(18)
        left, right = QFormLayout(), QFormLayout()
        for form in (left, right):
            form.setHorizontalSpacing(12)
        for form, rows in ((left, [("village", "村（居）*"), ("urban_rural", "城乡*"),
                                   ("category", "保障类别*"), ("classification", "分类（复核频次）"),
                                   ("poverty_cause", "致贫原因"), ("monthly_amount", "月保障金额（元）*")]),
                           (right, [("address", "住址"), ("phone", "联系电话"),
                                    ("bank_account", "银行账号"), ("apply_date", "申请日期"),
                                    ("note", "备注")])):
            for key, label in rows:
                box, err = with_error(getattr(self, key))
                self.errors[key] = err
                form.addRow(QLabel(label), box)
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        self.gate_note = QLabel()
        self.gate_note.setWordWrap(True)
        self.gate_note.setStyleSheet("color: #8d6e00;")
        self.gate_note.hide()
        grid.addWidget(self.gate_note, 1, 0, 1, 2)
        self.monthly_amount.editingFinished.connect(self.check)
        for w in (self.monthly_amount, self.address, self.phone, self.bank_account, self.note):
            w.textEdited.connect(lambda _t: self.changed.emit())
        for c in (self.village, self.urban_rural, self.category, self.classification,
                  self.poverty_cause):
            c.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.apply_date.dateChanged.connect(lambda _d: self.changed.emit())

    def set_gated(self, status: str | None) -> None:
        """A household in force: its category and amount change only through a proposal."""
        if status in ("在保", "暂停"):
            self.gate_note.setText(f"该户当前“{status}”：保障类别和月保障金额的变更须经审核人批准——"
                                   "保存时将作为“提交审核”的提议提出，批准后才生效；其余项目直接保存。")
            self.gate_note.show()
        else:
            self.gate_note.hide()

    def set_villages(self, villages: list[str]) -> None:
        current = value(self.village)
        self.village.blockSignals(True)
        self.village.clear()
        for v in villages:
            self.village.addItem(v, v)
        set_combo(self.village, current)
        self.village.blockSignals(False)

    def set_values(self, values: dict) -> None:
        for w in (self.village, self.urban_rural, self.category, self.classification,
                  self.poverty_cause, self.monthly_amount, self.address, self.phone,
                  self.bank_account, self.apply_date, self.note):
            w.blockSignals(True)
        try:
            set_combo(self.village, values.get("village"))
            set_combo(self.urban_rural, values.get("urban_rural") or "农村")
            set_combo(self.category, values.get("category"))
            set_combo(self.classification, values.get("classification"))
            set_combo(self.poverty_cause, values.get("poverty_cause"))
            self.monthly_amount.setText(values.get("monthly_amount") or "0")
            for key in ("address", "phone", "bank_account", "note"):
                getattr(self, key).setText(values.get(key) or "")
            day = values.get("apply_date")
            self.apply_date.setDate(QDate(day) if day else QDate(clock.today()))
        finally:
            for w in (self.village, self.urban_rural, self.category, self.classification,
                      self.poverty_cause, self.monthly_amount, self.address, self.phone,
                      self.bank_account, self.apply_date, self.note):
                w.blockSignals(False)
        self.clear_errors()

    def values(self) -> dict:
        """Values in the form the services take (amount as text, the service checks it)."""
        amount = self.monthly_amount.text().strip().replace(",", "")
        try:
            amount = f"{Decimal(amount):.2f}" if check_amount(amount) is None else amount
        except InvalidOperation:
            pass
        return {"village": value(self.village), "urban_rural": value(self.urban_rural),
                "category": value(self.category),
                "classification": value(self.classification),
                "poverty_cause": value(self.poverty_cause), "monthly_amount": amount,
                "address": self.address.text().strip() or None,
                "phone": self.phone.text().strip() or None,
                "bank_account": self.bank_account.text().strip() or None,
                "apply_date": self.apply_date.date().toPython(),
                "note": self.note.text().strip() or None}

    def check(self) -> bool:
        """Inline checks before anything is sent; True when the form is fine."""
        ok = True
        message = check_amount(self.monthly_amount.text())
        self.errors["monthly_amount"].show_message(message)
        ok &= message is None
        message = None if value(self.village) else "请选择村（居）；没有村（居）时请先在系统设置中添加"
        self.errors["village"].show_message(message)
        ok &= message is None
        if self.apply_date.date().toPython() > clock.today():
            self.errors["apply_date"].show_message("申请日期不能晚于今天")
            ok = False
        else:
            self.errors["apply_date"].show_message(None)
        return ok

    def show_service_error(self, field: str, message: str) -> bool:
        key = FIELD_KEYS.get(field)
        if key is None:
            return False
        self.errors[key].show_message(message)
        getattr(self, key).setFocus()
        return True

    def clear_errors(self) -> None:
        for err in self.errors.values():
            err.show_message(None)
