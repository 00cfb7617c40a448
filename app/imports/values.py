"""Cell values as the office's files hold them → the program's values, or a Chinese reason.

Each parser returns the value or raises :class:`CellError` (the reason, without position: the
caller knows sheet, row and column). Identity numbers follow DOMAIN.md §Identity numbers: what
:func:`app.idcard.normalize_id` repairs is repaired and reported as a warning; a number Excel
stored as a number (more than 15 digits: the last ones are lost) is never repaired.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from app import codes
from app.idcard import EXCEL_DIGITS, IdInfo, IdNumberError, validate_id
from app.imports.readers import is_blank


class CellError(ValueError):
    def __init__(self, reason: str, *, damaged: bool = False, birth: date | None = None):
        super().__init__(reason)
        self.reason, self.damaged, self.birth = reason, damaged, birth


DAMAGED = ("该号码被 Excel 当作数字保存过（只保留 15 位有效数字，末尾几位已丢失、无法恢复），"
           "须对照身份证或户口簿原件重新录入（先把该列设为“文本”格式）")

RELATIONS = {"本人": "户主", "户主本人": "户主", "妻": "配偶", "妻子": "配偶", "夫": "配偶", "丈夫": "配偶",
             "儿子": "子", "长子": "子", "次子": "子", "三子": "子", "之子": "子", "女儿": "女",
             "长女": "女", "次女": "女", "三女": "女", "之女": "女", "父": "父亲", "母": "母亲",
             "孙": "孙子", "哥哥": "兄弟", "弟弟": "兄弟", "兄": "兄弟", "弟": "兄弟", "姐姐": "姐妹",
             "妹妹": "姐妹", "姐": "姐妹", "妹": "姐妹", "媳妇": "儿媳", "儿媳妇": "儿媳"}
CATEGORIES = {"城市最低生活保障": "城市低保", "城镇低保": "城市低保", "农村最低生活保障": "农村低保",
              "分散供养特困人员": "特困人员(分散供养)", "特困分散供养": "特困人员(分散供养)",
              "集中供养特困人员": "特困人员(集中供养)", "特困集中供养": "特困人员(集中供养)",
              "低收入": "低保边缘家庭", "低收入家庭": "低保边缘家庭", "低保边缘": "低保边缘家庭",
              "监测对象": "防返贫监测对象"}


def text(value: object, *, max_len: int = 200) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = " ".join(str(value).split())
    if len(s) > max_len:
        raise CellError(f"超过 {max_len} 个字")
    return s


def name(value: object) -> str:
    s = "".join(str(value or "").split()) if not is_blank(value) else ""
    if not s:
        raise CellError("姓名不能为空")
    if isinstance(value, (int, float, bool)) or any(ch.isdigit() for ch in s):
        raise CellError(f"“{s}”不像姓名（含数字）")
    if len(s) > 30:
        raise CellError("姓名超过 30 个字")
    return s


@dataclass
class IdResult:
    info: IdInfo
    fixes: list[str] = field(default_factory=list)


def id_number(value: object, *, today: date) -> IdResult:
    """Validate an ID cell. Numbers of more than 15 digits (Excel number cells) are damaged.
    Text values are cached (a household's head number repeats on every member row)."""
    if isinstance(value, str):
        return _id_text(value, today)
    return _id_number(value, today=today)


@lru_cache(maxsize=65536)
def _id_text(value: str, today: date) -> IdResult:
    return _id_number(value, today=today)


class IdMemo:
    """:func:`id_number` remembered for one import: a household's head number repeats on every
    member row, and is read again as the head's own number."""

    def __init__(self, today: date):
        self.today, self.seen = today, {}

    def __call__(self, value: object) -> IdResult:
        if type(value) is str:
            hit = self.seen.get(value)
            if hit is None:
                hit = self.seen[value] = _id_number(value, today=self.today)
            return hit
        return _id_number(value, today=self.today)


def _id_number(value: object, *, today: date) -> IdResult:
    if is_blank(value):
        raise CellError("身份证号不能为空")
    fixes: list[str] = []
    if isinstance(value, bool):
        raise CellError(f"“{value}”不是身份证号")
    if isinstance(value, float) and not math.isfinite(value):
        raise CellError(f"“{value}”不是身份证号")
    if isinstance(value, (int, float)):
        if abs(value) >= 10 ** EXCEL_DIGITS or (isinstance(value, float) and not value.is_integer()):
            raise CellError(DAMAGED, damaged=True, birth=_birth_from_digits(f"{int(value)}"))
        fixes.append("该号码以数字格式保存（15 位以内，数字完整），已转为文本")
        value = str(int(value))
    try:
        info = validate_id(value, today=today)
    except IdNumberError as exc:
        if exc.kind == "excel_lost":
            digits = re.sub(r"\D", "", str(value).split("E")[0].split("e")[0])
            raise CellError(DAMAGED, damaged=True, birth=_birth_from_digits(digits)) from None
        raise CellError(exc.rule) from None
    return IdResult(info, fixes + list(info.fixes))


def _birth_from_digits(digits: str) -> date | None:
    """The birth date where the surviving leading digits still hold it (digits 7–14)."""
    if len(digits) < 14:
        return None
    try:
        return date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return None


def relation(value: object) -> str:
    s = "".join(str(value or "").split())
    if not s:
        raise CellError("与户主关系不能为空")
    s = RELATIONS.get(s, s)
    if s not in codes.values("relations"):
        raise CellError(f"“{s}”不是可识别的与户主关系（应为：{'、'.join(codes.values('relations'))}）")
    return s


def category(value: object) -> str:
    s = "".join(str(value or "").split()).replace("（", "(").replace("）", ")")
    s = CATEGORIES.get(s, s)
    if s not in codes.values("categories"):
        raise CellError(f"“{s}”不是可识别的保障类别（应为：{'、'.join(codes.values('categories'))}）")
    return s


def choice(value: object, name_: str, what: str) -> str | None:
    if is_blank(value):
        return None
    s = "".join(str(value).split())
    if s not in codes.values(name_):
        raise CellError(f"“{s}”不是可识别的{what}（应为：{'、'.join(codes.values(name_))}）")
    return s


def amount(value: object) -> Decimal | None:
    if is_blank(value):
        return None
    if isinstance(value, (bool, date)):
        raise CellError(f"“{value}”不是金额：应填 0–100000 元的数字（如 620 或 620.50）")
    s = str(value).strip().replace(",", "").replace("，", "").replace("元", "").replace("¥", "").replace("￥", "")
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise CellError(f"“{value}”不是金额数字：应填 0–100000 元的数字（如 620 或 620.50）"
                        f"{_numeral_hint(value)}") from None
    if not d.is_finite():
        raise CellError(f"“{value}”不是金额数字：应填 0–100000 元的数字（如 620 或 620.50）")
    if d < 0 or d > 100000:
        raise CellError(f"金额“{value}”应在 0 到 100000 元之间")
    if d != d.quantize(Decimal("0.01")):
        if isinstance(value, float) and abs(d - d.quantize(Decimal("0.01"))) < Decimal("0.000001"):
            return d.quantize(Decimal("0.01"))
        raise CellError(f"金额“{value}”最多两位小数（分）")
    return d.quantize(Decimal("0.01"))


_DATE_RE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


def day(value: object) -> date | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = str(value).strip()
    m = _DATE_RE.fullmatch(s) or (re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s) if s.isdigit() else None)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    serial = "（是一个数字，可能是未设日期格式的 Excel 日期：请把该列设为日期格式后重新导出）" \
        if isinstance(value, (int, float)) and not isinstance(value, bool) else _numeral_hint(value)
    raise CellError(f"“{value}”不是日期（应为 2026-03-01 这样的日期）{serial}")


CHINESE_NUMERALS = set("〇零一二三四五六七八九十两百千万壹贰叁肆伍陆柒捌玖拾佰仟")


def _numeral_hint(value: object) -> str:
    return "（是汉字数字，请改写为阿拉伯数字）" if isinstance(value, str) and CHINESE_NUMERALS & set(value) else ""


def integer(value: object) -> int | None:
    """A count of persons (家庭人口, 保障人口): a whole number 0–100, digits, "人" allowed."""
    if is_blank(value):
        return None
    if isinstance(value, (bool, date)):
        raise CellError(f"“{value}”不是人数：应填 0–100 的整数（阿拉伯数字，如 3）")
    try:
        n = Decimal(str(value).strip().replace("人", ""))
    except InvalidOperation:
        raise CellError(f"“{value}”不是人数：应填 0–100 的整数（阿拉伯数字，如 3）{_numeral_hint(value)}") from None
    if not n.is_finite() or n != n.to_integral_value() or n < 0 or n > 100:
        raise CellError(f"“{value}”不是合理的人数：应填 0–100 的整数")
    return int(n)


def village_key(text_: str) -> str:
    """A village's name without 村/社区 and committee suffixes: 香水村委会, 香水村 and 香水 match."""
    s = "".join(str(text_).split())
    for suffix in ("村民委员会", "居民委员会", "委员会", "居委会", "村委会", "村委", "居委"):
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
            break
    for suffix in ("社区", "村"):
        if s.endswith(suffix) and len(s) > len(suffix):
            return s[: -len(suffix)]
    return s
