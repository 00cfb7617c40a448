"""公民身份号码 (resident identity number) — the one home of its rules.

Everything the program knows about identity numbers lives here: cleaning what clerks paste or
import from Excel, converting old 15-digit numbers, checking, reading the birth date and gender,
masking for screens and printouts, and making valid numbers for demo data and tests.

The rules come from GB 11643-1999《公民身份号码》:

* §4 结构: 18 characters = 6-digit 地址码 (region code, GB/T 2260) + 8-digit 出生日期码
  (YYYYMMDD, GB/T 7408) + 3-digit 顺序码 (sequence code; odd for men, even for women) +
  1 校验码 (check digit).
* §7 校验码: ISO 7064 MOD 11-2. Weights Wi = 2^(i-1) mod 11 for the 17 digits from the right,
  i.e. 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 from the left; the weighted sum mod 11 indexes
  "10X98765432". Because 11 is prime and no weight is 0, every single wrong digit and every swap
  of two adjacent different digits changes the check digit.
* The 15-digit numbers issued before the standard (GB 11643-1989) have a 2-digit year and no
  check digit; they are upgraded by inserting "19" before the year and appending the check digit.

Region codes of abolished divisions stay valid inside old numbers (a person keeps the number of
the place where it was issued), so only the first two digits are checked, for plausibility
(province-level codes lie between 11 and 82). The region table of python-stdnum is used only to
show an informational ``region_name``, never to refuse a number.

Every refusal is an :class:`IdNumberError` (a ``ValueError``) that names the field, the value as
the clerk typed it and the rule it breaks, in Chinese; ``kind`` says which rule, for programs.
This module is plain Python (no Qt, no database).
"""
from __future__ import annotations

import operator
import re
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Union
from app import clock

__all__ = [
    "FIELD",
    "IdNumberError",
    "NormalizedId",
    "IdInfo",
    "normalize_id",
    "check_digit",
    "convert_15_to_18",
    "validate_id",
    "is_valid_id",
    "age_on",
    "mask_id",
    "make_valid_id",
    "WEIGHTS",
    "CHECK_CHARS",
    "MIN_BIRTH_YEAR",
]

FIELD = "身份证号"

#: GB 11643-1999 §7.2: weights of the 17 body digits, left to right (2^(18-i) mod 11).
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: GB 11643-1999 §7.2: check character for each value of (weighted sum mod 11).
CHECK_CHARS = "10X98765432"
_ORD_OFFSET = 48 * sum(WEIGHTS)
#: Birth years before this are taken as typing errors (nobody that old is alive to apply).
MIN_BIRTH_YEAR = 1880
#: GB/T 2260 province-level codes lie in this range (11 北京 … 82 澳门).
PROVINCE_MIN, PROVINCE_MAX = 11, 82
#: Excel (and any IEEE double) keeps at most 15 significant decimal digits exactly.
EXCEL_DIGITS = 15

# Fix messages reported to the clerk (stable texts; the import preview lists them).
FIX_FULLWIDTH_DIGITS = "已将全角数字转换为半角"
FIX_FULLWIDTH_OTHER = "已将全角符号转换为半角"
FIX_SPACES = "已去除空格"
FIX_NBSP = "已去除不间断空格"
FIX_TABS = "已去除制表符"
FIX_NEWLINES = "已去除换行符"
FIX_INVISIBLE = "已去除不可见字符"
FIX_APOSTROPHE = "已去除开头的单引号"
FIX_SCIENTIFIC = "已将科学计数法还原为完整数字"
FIX_TRAILING_ZERO = "已去除末尾的 .0"
FIX_LOWER_X = "已将小写 x 改为大写 X"
FIX_15_TO_18 = "已将15位号码升级为18位"

EXCEL_LOST = (
    "该号码被 Excel 当作数字保存过，只保留了前 15 位有效数字，末尾几位已经丢失、无法恢复；"
    "请对照身份证或户口簿原件重新录入（在 Excel 中先把该列设为“文本”格式）"
)

EXCEL_SUSPECT = (
    "校验码不符且末尾为“000”：多半是 Excel 把号码当作数字保存过，只保留了前 15 位有效数字，"
    "末尾几位已经丢失、无法恢复；请对照身份证或户口簿原件重新录入"
)

# Whitespace and invisible characters that creep in from Excel, Word and web pages.
_SPACES = {" ", "\u3000"}  # ordinary and full-width (ideographic) space
_NBSP = {"\u00a0", "\u2007", "\u202f"}
_TABS = {"\t", "\v"}
_NEWLINES = {"\r", "\n", "\u2028", "\u2029", "\x85"}
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
_APOSTROPHES = "'‘’`"

_DIGITS_RE = re.compile(r"[0-9]+")
_CLEAN18_RE = re.compile(r"[0-9]{17}[0-9X]")  # nothing for normalize_id to fix
_SCIENTIFIC_RE = re.compile(r"[+]?([0-9]+)(?:\.([0-9]*))?[eE]([+]?[0-9]+)")
_TRAILING_ZERO_RE = re.compile(r"([0-9]+[0-9Xx]?)\.0+")


class IdNumberError(ValueError):
    """An identity number that breaks a rule of GB 11643-1999 (or was damaged beyond repair).

    Attributes: ``field`` (always "身份证号"), ``value`` (the raw value as given), ``rule``
    (the Chinese rule text) and ``kind`` (a short English tag for programs: ``empty``,
    ``chars``, ``length``, ``province``, ``birth_date``, ``future``, ``too_old``,
    ``check_digit``, ``excel_lost``). ``str(err)`` is the Chinese message naming value and rule,
    in the same form as the services' ``ValidationError``.
    """

    field = FIELD

    def __init__(self, value: object, rule: str, kind: str = "invalid"):
        shown = "（空）" if value is None or value == "" else f"“{value}”"
        self.message = f"{FIELD} {shown} 不符合要求：{rule}"
        super().__init__(self.message)
        self.value, self.rule, self.kind = value, rule, kind

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class NormalizedId:
    """Result of :func:`normalize_id`: the cleaned text and the fixes made (Chinese, in order)."""

    value: str
    fixes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class IdInfo:
    """A valid 18-digit identity number and what GB 11643-1999 §4 lets us read from it."""

    number: str
    birth_date: date
    gender: str  # "男" (odd sequence code) or "女" (even)
    region_code: str  # 6-digit 地址码 (GB/T 2260), possibly of an abolished division
    province_code: str  # first 2 digits
    fixes: list[str] = field(default_factory=list)
    converted_from_15: bool = False
    region_name: str | None = None  # informational only, from python-stdnum's table


# --------------------------------------------------------------------------- normalization


def _fullwidth_to_halfwidth(ch: str) -> str:
    # NFKC of the full-width forms U+FF01..U+FF5E is exactly the ASCII character 0xFEE0 below.
    # Only this block is folded: other compatibility characters (①, ², Arabic-Indic digits)
    # are not digits of an identity number and are refused as such.
    return chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch


def normalize_id(raw: object) -> NormalizedId:
    """Clean an identity number as typed, pasted or imported from Excel; report every fix.

    Fixes (each reported once, as a Chinese message, in this order):

    * spaces (also the full-width space), non-breaking spaces, tabs, line breaks and zero-width
      characters anywhere in the value are removed;
    * full-width digits and letters (NFKC of U+FF01–U+FF5E, e.g. "１１０…００２Ｘ") become ASCII;
    * a leading apostrophe (Excel's "store as text" mark, also ‘ ’ `) is removed;
    * scientific notation that still holds every digit (e.g. "4.41900890101221E+14") is
      written out in full;
    * a trailing ".0" (a number exported by Excel or pandas) is removed when the number has at
      most 15 digits, which survive a round trip through a double exactly;
    * a lowercase "x" becomes "X" (GB 11643-1999 §7.2 uses the capital letter).

    Numbers that went through a floating-point number and lost digits cannot be repaired: Excel
    keeps 15 significant digits, so an 18-digit number stored as a number loses its last three
    digits for good (they cannot be recomputed — the check digit only detects the loss). Such a
    value — scientific notation with fewer stated digits than the number has (e.g.
    "6.40424199001011E+17"), or a number of more than 15 digits ending in ".0" — raises
    :class:`IdNumberError` (``kind="excel_lost"``) telling the clerk to re-enter it.

    Python ``int`` values are taken as their digits; a ``float`` is accepted only when it is a
    whole number of at most 15 digits. This function does not check the number itself: see
    :func:`validate_id`.
    """
    fixes: list[str] = []

    def fix(message: str) -> None:
        if message not in fixes:
            fixes.append(message)

    if raw is None:
        return NormalizedId("", fixes)
    if isinstance(raw, bool):
        raise IdNumberError(raw, "不是身份证号码", "chars")
    if isinstance(raw, int):
        return NormalizedId(str(raw), fixes)
    if isinstance(raw, float):
        if raw.is_integer() and 0 <= raw < 10**EXCEL_DIGITS:
            fix(FIX_TRAILING_ZERO)
            return NormalizedId(str(int(raw)), fixes)
        raise IdNumberError(raw, EXCEL_LOST, "excel_lost")
    if not isinstance(raw, str):
        raise IdNumberError(raw, "不是身份证号码", "chars")

    kept = []
    for ch in raw:
        if ch in _SPACES:
            fix(FIX_SPACES)
        elif ch in _NBSP:
            fix(FIX_NBSP)
        elif ch in _TABS:
            fix(FIX_TABS)
        elif ch in _NEWLINES:
            fix(FIX_NEWLINES)
        elif ch in _INVISIBLE:
            fix(FIX_INVISIBLE)
        else:
            kept.append(ch)

    text = ""
    for ch in kept:
        half = _fullwidth_to_halfwidth(ch)
        if half != ch:
            fix(FIX_FULLWIDTH_DIGITS if half.isalnum() else FIX_FULLWIDTH_OTHER)
        text += half

    if text and text[0] in _APOSTROPHES:
        text = text.lstrip(_APOSTROPHES)
        fix(FIX_APOSTROPHE)

    sci = _SCIENTIFIC_RE.fullmatch(text)
    if sci:
        text = _expand_scientific(raw, text, sci)
        fix(FIX_SCIENTIFIC)

    trailing = _TRAILING_ZERO_RE.fullmatch(text)
    if trailing:
        body = trailing.group(1)
        if body.isdigit() and len(body) > EXCEL_DIGITS:
            raise IdNumberError(raw, EXCEL_LOST, "excel_lost")
        text = body
        fix(FIX_TRAILING_ZERO)

    if "x" in text:
        text = text.replace("x", "X")
        fix(FIX_LOWER_X)

    return NormalizedId(text, fixes)


def _expand_scientific(raw: object, text: str, match: re.Match[str]) -> str:
    """Write out "d.dddE+nn" in full if every digit of the number is stated, else refuse."""
    whole, frac, exponent = match.groups()
    if int(exponent) > 30:  # far longer than any identity number
        raise IdNumberError(raw, "不是身份证号码", "chars")
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex only lets numbers through
        raise IdNumberError(raw, EXCEL_LOST, "excel_lost") from None
    if value != value.to_integral_value():
        raise IdNumberError(raw, "不是整数，不是身份证号码", "chars")
    digits = str(int(value))
    stated = (whole + (frac or "")).lstrip("0")
    if len(stated) < len(digits):  # digits beyond those written out are unknown (were lost)
        raise IdNumberError(raw, EXCEL_LOST, "excel_lost")
    return digits


# --------------------------------------------------------------------------- check digit


def check_digit(first17: str) -> str:
    """Return the check character for the first 17 digits (GB 11643-1999 §7.2, ISO 7064 MOD 11-2).

    The digits are weighted 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; the sum mod 11 indexes
    "10X98765432". ``check_digit("11010519491231002") == "X"``.
    """
    if len(first17) != 17 or not _is_ascii_digits(first17):
        raise IdNumberError(first17, "计算校验码需要恰好 17 位数字", "length")
    return _check_char(first17)


def _check_char(first17: str) -> str:
    # each byte is 48 + the digit: the sum of byte * weight exceeds the weighted sum by 48 * sum(WEIGHTS)
    return CHECK_CHARS[(sum(map(operator.mul, first17.encode("ascii"), WEIGHTS)) - _ORD_OFFSET) % 11]


def convert_15_to_18(id15: str) -> str:
    """Upgrade an old 15-digit number to 18 digits (GB 11643-1999, conversion of 1989 numbers).

    "19" is inserted before the 2-digit birth year and the check digit is appended:
    ``convert_15_to_18("441900890101221") == "441900198901012219"``. The input must be exactly
    15 ASCII digits (normalize first); the birth date is not checked here (see
    :func:`validate_id`).
    """
    if len(id15) != 15 or not _is_ascii_digits(id15):
        raise IdNumberError(id15, "旧式身份证号码应为 15 位数字", "length")
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + check_digit(first17)


# --------------------------------------------------------------------------- validation


def validate_id(raw: object, *, today: date | None = None) -> IdInfo:
    """Check an identity number and read it (GB 11643-1999 §4, §7); raise :class:`IdNumberError`.

    The value is first cleaned by :func:`normalize_id` (its fixes are carried into
    ``IdInfo.fixes``); a 15-digit number is upgraded with :func:`convert_15_to_18` (fix
    "已将15位号码升级为18位"). Then, in this order, it is refused when:

    * it is empty, or has characters other than digits (only the last of 18 may be "X");
    * it is not 18 (or old 15) characters long;
    * its first two digits are not a plausible province code (11–82). Only plausibility: the
      region codes of abolished divisions stay valid inside old numbers;
    * the birth date does not exist (e.g. 19490231), is after ``today`` (default: the computer's
      date) or before 1880;
    * the check digit is wrong (the message gives the expected one). When a number ending in
      "000" fails the check, it is most likely an Excel-damaged number and the message says so.

    Returns an :class:`IdInfo` with the 18-digit number, birth date, gender ("男" for an odd
    sequence code, "女" for even), region and province codes, fixes and an informational
    ``region_name`` (``None`` when the code is not in python-stdnum's table).
    """
    today = today or clock.today()
    if type(raw) is str and len(raw) == 18 and _CLEAN18_RE.fullmatch(raw):
        return _validate_clean18(raw, today)  # a clean number (most of an import): no fixes
    normalized = normalize_id(raw)
    text, fixes = normalized.value, list(normalized.fixes)

    if not text:
        raise IdNumberError(raw, "不能为空", "empty")

    body, last = text[:-1], text[-1]
    bad = [ch for ch in body if not _is_ascii_digits(ch)]
    if not (_is_ascii_digits(last) or (last == "X" and len(text) == 18)):
        bad.append(last)
    if bad:
        shown = "、".join(f"“{ch}”" for ch in dict.fromkeys(bad))
        rule = f"含有非数字字符 {shown}（只能是数字，18 位号码的最后一位可以是 X）"
        raise IdNumberError(raw, rule, "chars")

    if len(text) not in (15, 18):
        raise IdNumberError(raw, f"长度为 {len(text)} 位，应为 18 位（或旧式 15 位）", "length")

    province = int(text[:2])
    if not PROVINCE_MIN <= province <= PROVINCE_MAX:
        rule = f"前两位“{text[:2]}”不是有效的省级行政区划代码（应在 {PROVINCE_MIN}–{PROVINCE_MAX} 之间）"
        raise IdNumberError(raw, rule, "province")

    date_code = ("19" + text[6:12]) if len(text) == 15 else text[6:14]
    birth = _birth_date(raw, date_code, today)

    converted = len(text) == 15
    if converted:
        text = convert_15_to_18(text)
        fixes.append(FIX_15_TO_18)
    else:
        _verify_check_char(raw, text)
    return _info(text, birth, fixes, converted)


def _verify_check_char(raw: str, text: str) -> None:
    """The last character of an 18-digit ``text`` against the first 17 (``raw`` as typed, for
    the message); trailing zeros are Excel's lost digits rather than a typing error."""
    expected = _check_char(text[:17])
    if text[17] != expected:
        if text.endswith("000"):
            raise IdNumberError(raw, EXCEL_SUSPECT, "excel_lost")
        rule = f"校验码（最后一位）应为“{expected}”，实为“{text[17]}”，号码中有数字录错"
        raise IdNumberError(raw, rule, "check_digit")


def _info(text: str, birth: date, fixes: list[str], converted: bool) -> IdInfo:
    return IdInfo(number=text, birth_date=birth, gender="男" if int(text[16]) % 2 == 1 else "女",
                  region_code=text[:6], province_code=text[:2], fixes=fixes,
                  converted_from_15=converted, region_name=_region_name(text[:6], birth.year))


def _validate_clean18(text: str, today: date) -> IdInfo:
    """:func:`validate_id` for 18 ASCII digits (the last may be X): the same checks, in the
    same order, with the same messages, without the cleaning that has nothing to do."""
    province = int(text[:2])
    if not PROVINCE_MIN <= province <= PROVINCE_MAX:
        rule = f"前两位“{text[:2]}”不是有效的省级行政区划代码（应在 {PROVINCE_MIN}–{PROVINCE_MAX} 之间）"
        raise IdNumberError(text, rule, "province")
    birth = _birth_date(text, text[6:14], today)
    _verify_check_char(text, text)
    return _info(text, birth, [], False)


def is_valid_id(raw: object, *, today: date | None = None) -> bool:
    """True when :func:`validate_id` accepts the value (fixes allowed)."""
    try:
        validate_id(raw, today=today)
    except IdNumberError:
        return False
    return True


def _birth_date(raw: object, code: str, today: date) -> date:
    """Read the 8-digit 出生日期码 (GB 11643-1999 §4.2, GB/T 7408 YYYYMMDD) and check it."""
    try:
        born = date(int(code[:4]), int(code[4:6]), int(code[6:8]))
    except ValueError:
        raise IdNumberError(raw, f"出生日期“{code}”不存在", "birth_date") from None
    if born > today:
        rule = f"出生日期 {born.isoformat()} 晚于今天（{today.isoformat()}）"
        raise IdNumberError(raw, rule, "future")
    if born.year < MIN_BIRTH_YEAR:
        rule = f"出生日期 {born.isoformat()} 早于 {MIN_BIRTH_YEAR} 年，不可能"
        raise IdNumberError(raw, rule, "too_old")
    return born


@lru_cache(maxsize=4096)
def _region_name(code: str, year: int) -> str | None:
    """Informational name of a region code from python-stdnum's GB/T 2260 table, or None.

    Historical codes are named as they were in the birth year when the table says so. Never
    used to refuse a number.
    """
    from stdnum import numdb  # a pinned dependency: its absence is an error, not "unknown"

    parts = numdb.get("cn/loc").info(code)
    info: dict[str, str] = {}
    for _part, props in parts:
        info.update(props)
    province = info.get("province")
    if not province:
        return None
    county = None
    names = [n for n in info.get("county", "").split(",") if n]
    for name in names:
        m = re.fullmatch(r"\[(\d*)-(\d*)\](.*)", name)
        if not m:
            county = name
            break
        start, end, plain = m.groups()
        if (not start or year >= int(start)) and (not end or year <= int(end)):
            county = plain
            break
    if county is None and names:
        county = re.sub(r"^\[[^\]]*\]", "", names[-1])
    if not county or county == province:
        return province
    return province + county


# --------------------------------------------------------------------------- use


def age_on(info_or_birth: Union[IdInfo, date], day: date) -> int:
    """Age in full years (周岁) on ``day``, from an :class:`IdInfo` or a birth date.

    The age rises on the birthday itself; someone born on 29 February turns a year older on
    1 March in common years. Raises ``ValueError`` when ``day`` is before the birth.
    """
    born = info_or_birth.birth_date if isinstance(info_or_birth, IdInfo) else info_or_birth
    if day < born:
        raise ValueError(f"日期 {day.isoformat()} 早于出生日期 {born.isoformat()}")
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def mask_id(number: str) -> str:
    """Mask an identity number for screens, 公示 and printouts: keep the first 6 and last 4.

    The region code (first 6) and the last 4 (sequence code and check digit) stay; the birth
    date between them is starred: "11010519491231002X" → "110105********002X"; a 15-digit number
    → "441900*****1221". Values shorter than 11 characters are starred entirely so that nothing
    is revealed by accident. Spaces around the value are ignored; never raises.
    """
    text = "".join((number or "").split())
    if len(text) <= 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def make_valid_id(region_code: str, birth_date: date, sequence: int) -> str:
    """Build a valid 18-digit number (for demo data and tests): region + YYYYMMDD + seq + check.

    ``sequence`` is the 3-digit 顺序码 0–999 (odd = 男, even = 女);
    ``make_valid_id("110105", date(1949, 12, 31), 2) == "11010519491231002X"``.
    """
    region = str(region_code)
    if len(region) != 6 or not _is_ascii_digits(region):
        raise ValueError(f"地区码“{region_code}”应为 6 位数字")
    if not 0 <= sequence <= 999:
        raise ValueError(f"顺序码 {sequence} 应在 0–999 之间")
    if not 1 <= birth_date.year <= 9999:  # pragma: no cover - date guarantees it
        raise ValueError("出生年份应为 4 位")
    born = birth_date
    first17 = f"{region}{born.year:04d}{born.month:02d}{born.day:02d}{sequence:03d}"
    return first17 + check_digit(first17)


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() also accepts "²", "٣", "１" …; an identity number has only 0-9.
    return bool(text) and _DIGITS_RE.fullmatch(text) is not None
