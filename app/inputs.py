"""Input rules every service applies, so that the CLI and the GUI refuse the same things with the
same message (field, value and rule, :class:`app.errors.ValidationError`):

- amounts: a finite number, not negative, at most two decimals, normalised (no ``-0``);
- dates: within the office's plausible range — not before 1900, and not after today (facts
  that happened) or today + 1 year (plans and deadlines);
- text: trimmed, no longer than its column (``String(n)`` in the model; free text 2000);
- phone numbers: a mobile (1xxxxxxxxxx), a landline (0xxx-xxxxxxx, extension allowed) or a
  short local number, one or two of them.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from app import clock
from app.errors import ValidationError

EARLIEST = date(1900, 1, 1)
FUTURE_DAYS = 366
FREE_TEXT = 2000
MAX_AMOUNT = Decimal("100000")
CENT = Decimal("0.01")
_PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8}|400-?\d{3}-?\d{4}|12345")


def amount(field: str, value: object, *, maximum: Decimal = MAX_AMOUNT, unit: str = "元") -> Decimal:
    """A money amount: finite, ≥ 0, ≤ ``maximum``, at most two decimals; ``-0`` becomes 0."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(field, value, "必须填写金额，如 620 或 620.50")
    try:
        d = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(field, value, "应为金额数字，如 620 或 620.50") from None
    if not d.is_finite():
        raise ValidationError(field, value, "应为有限的金额数字（不能是 NaN 或无穷大）")
    if d < 0:
        raise ValidationError(field, value, "不能为负数")
    if d > maximum:
        raise ValidationError(field, value, f"应在 0 到 {maximum} {unit}之间")
    if d != d.quantize(CENT):
        raise ValidationError(field, value, "最多两位小数（分）")
    return abs(d.quantize(CENT)) + Decimal("0.00")  # -0 → 0.00


def day(field: str, value: object, *, future: bool = False, required: bool = False,
        today: date | None = None, earliest: date = EARLIEST) -> date | None:
    """A date in the plausible range: from ``earliest`` (1900) to today (a fact, the default)
    or to today + 1 year (``future=True``: a plan or a time limit)."""
    if value in (None, ""):
        if required:
            raise ValidationError(field, value, "必须填写")
        return None
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(field, value, "应为日期 YYYY-MM-DD") from None
    today = today or clock.today()
    latest = today + timedelta(days=FUTURE_DAYS) if future else today
    if value < earliest:
        raise ValidationError(field, value.isoformat(), f"不能早于 {earliest.isoformat()}")
    if value > latest:
        rule = f"不能晚于 {latest.isoformat()}（今天起一年内）" if future else f"不能晚于今天（{today.isoformat()}）"
        raise ValidationError(field, value.isoformat(), rule)
    return value


def column_length(model, column: str) -> int:  # noqa: ANN001
    """The declared length of ``model.column`` (String(n)); FREE_TEXT for Text columns."""
    length = getattr(model.__table__.c[column].type, "length", None)
    return int(length) if length else FREE_TEXT


def text(field: str, value: object, *, limit: int | None = None, model=None, column: str | None = None,  # noqa: ANN001
         required: bool = False) -> str | None:
    """Trimmed text within its column's length (``model``/``column``) or ``limit``; None when empty."""
    s = "" if value is None else str(value).strip()
    if not s:
        if required:
            raise ValidationError(field, value, "必须填写")
        return None
    limit = limit or (column_length(model, column) if model is not None and column else FREE_TEXT)
    if len(s) > limit:
        raise ValidationError(field, f"{s[:20]}……（{len(s)} 字）", f"不超过 {limit} 个字")
    return s


def phone(field: str, value: object) -> str | None:
    """One or two phone numbers (separated by 、 , / or a space); None when empty."""
    s = "" if value is None else str(value).strip()
    if not s:
        return None
    parts = [p for p in re.split(r"[、,，/；;\s]+", s) if p]
    if len(parts) > 2 or not all(_PHONE.fullmatch(p.replace("－", "-")) for p in parts):
        raise ValidationError(field, s, "应为手机号（11 位，1 开头）或固定电话（如 0954-1234567），"
                              "最多两个，用“、”分隔")
    return "、".join(p.replace("－", "-") for p in parts)
