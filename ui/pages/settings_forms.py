"""Typed editors for the rule settings (app.rulesettings): numbers with their units, per-class
tables, lists with add/remove — no JSON box. Each editor reads and writes the plain value the
service stores; the service validates again and a refusal is shown beside the editor."""
from __future__ import annotations

import re
from typing import Any

from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QDoubleSpinBox, QHBoxLayout,
                               QHeaderView, QLineEdit, QListWidget, QPushButton, QSpinBox,
                               QTableWidget, QVBoxLayout, QWidget)

from app import rulesettings
from app.assessment.standards import SETTING_KEYS
from ui import widgets


def unit_of(key: str) -> str:
    """The unit shown after a number setting."""
    if key in UNITS:
        return UNITS[key]
    if "working_days" in key:
        return "个工作日"
    if key.endswith("_days"):
        return "日"
    if key.endswith("_months"):
        return "个月"
    return ""


UNITS = {"gongshi_days": "日（日历日）", "petition_repeat_priority": "次", "monthly_report_day": "日",
         "amount_floor_percent": "%", "elderly_age": "周岁", "edge_multiple": "倍"}
RANGES = {"monthly_report_day": (1, 28), "amount_floor_percent": (0, 100), "elderly_age": (0, 120),
          "petition_repeat_priority": (1, 100), "edge_multiple": (1, 5)}


def spin(kind: str, value: float = 0, *, low: float = 0, high: float = 3650, suffix: str = "",
         decimals: int = 2) -> QAbstractSpinBox:
    s: QAbstractSpinBox = QSpinBox() if kind == "int" else QDoubleSpinBox()
    if kind != "int":
        s.setDecimals(decimals)
    s.setRange(low, high)
    if suffix:
        s.setSuffix(" " + suffix)
    s.setValue(int(value) if kind == "int" else float(value))
    s.setMinimumWidth(120)
    return s


def _number(v: float) -> int | float:
    """2 → 2, 2.5 → 2.5 (the stored JSON keeps whole numbers whole)."""
    v = round(float(v), 2)
    return int(v) if v == int(v) else v


class Editor(QWidget):
    """Base: ``value()`` and ``set_value(v)``; ``describe(v)`` is the value in words."""

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def describe(self, value: Any) -> str:
        return str(value)


class NumberEditor(Editor):
    def __init__(self, key: str, default: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = "float" if isinstance(default, float) else "int"
        low, high = RANGES.get(key, (0, 3650))
        self.unit = unit_of(key)
        self.spin = spin(self.kind, default, low=low, high=high, suffix=self.unit)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.spin)
        lay.addStretch(1)

    def value(self) -> Any:
        return self.spin.value() if self.kind == "int" else _number(self.spin.value())

    def set_value(self, value: Any) -> None:
        self.spin.setValue(value)

    def describe(self, value: Any) -> str:
        return f"{value} {self.unit}".strip()


class ChoiceEditor(Editor):
    def __init__(self, choices: tuple[str, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.combo = widgets.combo(list(choices))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.combo)
        lay.addStretch(1)

    def value(self) -> Any:
        return widgets.value(self.combo)

    def set_value(self, value: Any) -> None:
        widgets.set_combo(self.combo, value)


class ChecksEditor(Editor):
    """A list chosen from fixed kinds (可扣减的刚性支出)."""

    def __init__(self, kinds: tuple[str, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.boxes = {k: QCheckBox(k) for k in kinds}
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for b in self.boxes.values():
            lay.addWidget(b)
        lay.addStretch(1)

    def value(self) -> list[str]:
        return [k for k, b in self.boxes.items() if b.isChecked()]

    def set_value(self, value: Any) -> None:
        for k, b in self.boxes.items():
            b.setChecked(k in value)

    def describe(self, value: Any) -> str:
        return "、".join(value) or "（不扣减）"


class TextListEditor(Editor):
    """A list of words with 添加 / 删除 (近亲属范围)."""

    def __init__(self, placeholder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setMaximumHeight(200)
        self.entry = QLineEdit()
        self.entry.setPlaceholderText(placeholder)
        self.entry.returnPressed.connect(self.add)
        add, remove = QPushButton("添加"), QPushButton("删除所选")
        add.clicked.connect(self.add)
        remove.clicked.connect(self.remove)
        row = QHBoxLayout()
        row.addWidget(self.entry, 1)
        row.addWidget(add)
        row.addWidget(remove)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.list)
        lay.addLayout(row)

    def add(self) -> None:
        text = self.entry.text().strip()
        if text and text not in self.value():
            self.list.addItem(text)
        self.entry.clear()

    def remove(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def value(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def set_value(self, value: Any) -> None:
        self.list.clear()
        self.list.addItems(list(value))

    def describe(self, value: Any) -> str:
        return "、".join(value)


class RowsEditor(Editor):
    """A table of rows with 添加一行 / 删除所选行; columns are (header, kind, options) with kind
    text, choice, int, float or rate ("20%" / "50元"). Subclasses turn rows into the value."""

    def __init__(self, columns: list[tuple[str, str, dict]], parent: QWidget | None = None):
        super().__init__(parent)
        self.columns = columns
        self.table = QTableWidget(0, len(columns))
        self.table.setHorizontalHeaderLabels([c[0] for c in columns])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.setMinimumHeight(170)
        add, remove = QPushButton("添加一行"), QPushButton("删除所选行")
        add.clicked.connect(lambda: self.add_row())
        remove.clicked.connect(self.remove_row)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.table)
        lay.addLayout(row)

    def add_row(self, values: list | None = None) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, (_h, kind, opts) in enumerate(self.columns):
            v = values[c] if values else None
            if kind == "text":
                w: QWidget = QLineEdit("" if v is None else str(v))
            elif kind == "choice":
                w = widgets.combo(list(opts["choices"]), current=v)
            elif kind in ("int", "float"):
                w = spin(kind, v or 0, low=opts.get("low", 0), high=opts.get("high", 100000),
                         suffix=opts.get("suffix", ""))
            else:  # rate: a number and its unit
                w = QWidget()
                number, unit = _parse_rate(v or "0%")
                w.number = spin("float", number, high=100000)
                w.unit = widgets.combo(["%", "元"], current=unit)
                box = QHBoxLayout(w)
                box.setContentsMargins(0, 0, 0, 0)
                box.addWidget(w.number, 1)
                box.addWidget(w.unit)
            self.table.setCellWidget(r, c, w)

    def remove_row(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}
                      | ({self.table.currentRow()} if self.table.currentRow() >= 0 else set()),
                      reverse=True)
        for r in rows:
            self.table.removeRow(r)

    def rows(self) -> list[list]:
        out = []
        for r in range(self.table.rowCount()):
            row = []
            for c, (_h, kind, _o) in enumerate(self.columns):
                w = self.table.cellWidget(r, c)
                if kind == "text":
                    row.append(w.text().strip())
                elif kind == "choice":
                    row.append(widgets.value(w))
                elif kind == "int":
                    row.append(w.value())
                elif kind == "float":
                    row.append(_number(w.value()))
                else:
                    row.append(f"{_number(w.number.value())}{widgets.value(w.unit)}")
            out.append(row)
        return out

    def set_rows(self, rows: list[list]) -> None:
        self.table.setRowCount(0)
        for row in rows:
            self.add_row(list(row))


def _parse_rate(text: str) -> tuple[float, str]:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(%|元)\s*", str(text))
    return (float(m.group(1)), m.group(2)) if m else (0.0, "%")


class MapEditor(RowsEditor):
    """{name: value} as a two-column table (复核频次按分类, 渐退期按原因, 护理标准, 分类施保)."""

    def __init__(self, key_header: str, value_column: tuple[str, str, dict], parent: QWidget | None = None):
        super().__init__([(key_header, "text", {}), value_column], parent)
        self.suffix = value_column[2].get("suffix", "")

    def value(self) -> dict:
        return {k: v for k, v in self.rows() if k}

    def set_value(self, value: Any) -> None:
        self.set_rows([[k, v] for k, v in value.items()])

    def describe(self, value: Any) -> str:
        return "；".join(f"{k} {v}{' ' + self.suffix if self.suffix else ''}" for k, v in value.items())


class TiersEditor(RowsEditor):
    def __init__(self, parent: QWidget | None = None):
        super().__init__([("人均收入不高于标准的", "int", {"high": 100, "suffix": "%"}),
                          ("按标准的多少发放", "int", {"high": 100, "suffix": "%"})], parent)

    def value(self) -> list:
        return [list(r) for r in self.rows()]

    def set_value(self, value: Any) -> None:
        self.set_rows(value)

    def describe(self, value: Any) -> str:
        return "；".join(f"≤{a}% 发 {b}%" for a, b in value)


class StandardDefaultsEditor(RowsEditor):
    """The initial standards {类别: {年度: 元}} (the 保障标准 tab keeps the ones in force)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__([("类别", "choice", {"choices": list(SETTING_KEYS)}),
                          ("年度", "int", {"low": 2000, "high": 2100}),
                          ("标准", "float", {"suffix": "元/人·月"})], parent)

    def value(self) -> dict:
        out: dict[str, dict[str, Any]] = {}
        for cat, year, amount in self.rows():
            out.setdefault(cat, {})[str(year)] = amount
        return out

    def set_value(self, value: Any) -> None:
        self.set_rows([[cat, int(year), amount] for cat, years in value.items()
                       for year, amount in years.items()])

    def describe(self, value: Any) -> str:
        return "；".join(f"{cat} {year}年 {amount}元" for cat, years in value.items()
                        for year, amount in years.items())


CHOICES = {"amount_method": ("差额", "分档"), "surcharge_stacking": ("最高一项", "累加")}


def editor_for(key: str) -> Editor:
    """The typed editor of one rule setting."""
    default = rulesettings.RULES[key].default
    if key in CHOICES:
        return ChoiceEditor(CHOICES[key])
    if key == "deductible_expenditures":
        return ChecksEditor(rulesettings.EXPENDITURE_KINDS)
    if key == "near_relative_relations":
        return TextListEditor("输入一种关系，如 儿媳，按回车添加")
    if key == "amount_tiers":
        return TiersEditor()
    if key == "standards":
        return StandardDefaultsEditor()
    if key == "review_frequency_months":
        return MapEditor("分类", ("复核间隔", "int", {"low": 1, "high": 24, "suffix": "个月"}))
    if key == "gradual_exit_months":
        return MapEditor("退出原因", ("渐退期", "int", {"low": 0, "high": 36, "suffix": "个月"}))
    if key == "care_standards":
        return MapEditor("自理能力", ("护理标准", "float", {"suffix": "元/人·月"}))
    if key == "classified_surcharges":
        return MapEditor("对象", ("加发（% 为低保标准的百分比）", "rate", {}))
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        return NumberEditor(key, default)
    raise ValueError(f"no editor for setting {key}")  # a new setting needs its editor here


def default_text(key: str, editor: Editor | None = None) -> str:
    """The regulation's default in words, shown beside the editor."""
    editor = editor or editor_for(key)
    return editor.describe(rulesettings.RULES[key].default)

