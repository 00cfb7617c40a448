"""Tests of app.idcard — 公民身份号码 rules (GB 11643-1999)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from app import clock, idcard
from app.idcard import (
    IdInfo,
    IdNumberError,
    NormalizedId,
    age_on,
    check_digit,
    convert_15_to_18,
    is_valid_id,
    make_valid_id,
    mask_id,
    normalize_id,
    validate_id,
)

TODAY = date(2026, 3, 1)
VALID = "11010519491231002X"


def refused(raw, kind, today=TODAY) -> IdNumberError:
    with pytest.raises(IdNumberError) as caught:
        validate_id(raw, today=today)
    err = caught.value
    assert err.kind == kind, str(err)
    assert err.field == "身份证号"
    assert err.value == raw
    assert isinstance(err, ValueError)
    assert str(err).startswith("身份证号 ")
    if raw not in (None, ""):
        assert f"“{raw}”" in str(err)  # the message names the value as given
    assert err.rule in str(err)
    return err


# ------------------------------------------------------------------ valid numbers


def test_known_valid_number():
    info = validate_id(VALID, today=TODAY)
    assert isinstance(info, IdInfo)
    assert info.number == VALID
    assert info.birth_date == date(1949, 12, 31)
    assert info.gender == "女"
    assert info.region_code == "110105"
    assert info.province_code == "11"
    assert info.fixes == []
    assert info.converted_from_15 is False
    assert info.region_name == "北京市朝阳区"
    assert is_valid_id(VALID, today=TODAY)


def test_male_from_odd_sequence():
    number = make_valid_id("640424", date(1990, 10, 11), 123)
    info = validate_id(number, today=TODAY)
    assert info.gender == "男"
    assert info.region_name == "宁夏回族自治区泾源县"


def test_check_digit():
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44190019890101221") == "9"
    assert idcard.WEIGHTS == (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    for bad in ("1101051949123100", "1101051949123100X", "１１０１０５１９４９１２３１００２"):
        with pytest.raises(IdNumberError):
            check_digit(bad)


def test_convert_15_to_18():
    assert convert_15_to_18("441900890101221") == "441900198901012219"
    with pytest.raises(IdNumberError):
        convert_15_to_18("44190089010122")


def test_15_digit_number_upgraded():
    info = validate_id("441900890101221", today=TODAY)
    assert info.number == "441900198901012219"
    assert info.converted_from_15 is True
    assert info.fixes == ["已将15位号码升级为18位"]
    assert info.birth_date == date(1989, 1, 1)
    assert info.gender == "男"


def test_abolished_region_code_accepted():
    # 510222 巴县 (Sichuan, abolished 1994; the area now belongs to Chongqing, code 50).
    number = make_valid_id("510222", date(1965, 1, 1), 1)
    info = validate_id(number, today=TODAY)
    assert info.region_code == "510222"
    assert info.region_name == "四川省巴县"
    # A code in no table at all is still accepted: only the province range is checked.
    unknown = make_valid_id("209999", date(1965, 1, 1), 1)
    assert validate_id(unknown, today=TODAY).region_name is None
    # An unknown county in a known province is named by its province only.
    county_unknown = make_valid_id("119999", date(1965, 1, 1), 1)
    assert validate_id(county_unknown, today=TODAY).region_name == "北京市"


# ------------------------------------------------------------------ fixes


@pytest.mark.parametrize(
    ("raw", "fix"),
    [
        ("110105 19491231 002X", "已去除空格"),
        ("11010519491231002X\u3000", "已去除空格"),
        ("\u00a011010519491231002X\u00a0", "已去除不间断空格"),
        ("\t11010519491231002X", "已去除制表符"),
        ("11010519491231002X\r\n", "已去除换行符"),
        ("\ufeff11010519491231002X", "已去除不可见字符"),
        ("'11010519491231002X", "已去除开头的单引号"),
        ("11010519491231002x", "已将小写 x 改为大写 X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "已将全角数字转换为半角"),
        ("11010519491231002X.0", "已去除末尾的 .0"),
        ("441900890101221.0", "已去除末尾的 .0"),
        ("4.41900890101221E+14", "已将科学计数法还原为完整数字"),
    ],
)
def test_each_fix_reported(raw, fix):
    normalized = normalize_id(raw)
    assert isinstance(normalized, NormalizedId)
    assert fix in normalized.fixes
    info = validate_id(raw, today=TODAY)
    assert fix in info.fixes
    assert info.number in (VALID, "441900198901012219")


def test_fullwidth_lowercase_x_reports_both():
    info = validate_id("１１０１０５１９４９１２３１００２ｘ", today=TODAY)
    assert info.number == VALID
    assert info.fixes == ["已将全角数字转换为半角", "已将小写 x 改为大写 X"]


def test_clean_value_has_no_fixes():
    assert normalize_id(VALID) == NormalizedId(VALID, [])


def test_several_fixes_in_one_value():
    normalized = normalize_id(" '１１０１０５１９４９１２３１００２x\u00a0")
    assert normalized.value == VALID
    assert normalized.fixes == [
        "已去除空格",
        "已去除不间断空格",
        "已将全角数字转换为半角",
        "已去除开头的单引号",
        "已将小写 x 改为大写 X",
    ]


def test_python_numbers():
    assert normalize_id(441900890101221).value == "441900890101221"
    assert normalize_id(441900890101221.0).value == "441900890101221"
    assert normalize_id(None).value == ""


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    "raw",
    ["1.10105194912310E+17", "6.40424199001011E+17", "6.40424E+17", "110105194912310023.0"],
)
def test_excel_damaged_numbers_unrecoverable(raw):
    with pytest.raises(IdNumberError) as caught:
        normalize_id(raw)
    assert caught.value.kind == "excel_lost"
    err = refused(raw, "excel_lost")
    assert "Excel" in str(err) and "重新录入" in str(err) and "丢失" in str(err)


def test_excel_float_refused():
    with pytest.raises(IdNumberError) as caught:
        normalize_id(1.1010519491231002e17)
    assert caught.value.kind == "excel_lost"


def test_excel_truncated_integer_refused_as_excel_damage():
    # openpyxl returns the 15-significant-digit number as an int: the last three digits are 000.
    err = refused("110105194912310000", "excel_lost")
    assert "Excel" in str(err)


def test_empty():
    refused("", "empty")
    refused("   ", "empty")
    refused(None, "empty")


@pytest.mark.parametrize("raw", ["11010519491231002", "1101051949123100201", "12345"])
def test_wrong_length(raw):
    err = refused(raw, "length")
    assert f"长度为 {len(raw)} 位" in str(err)


@pytest.mark.parametrize(
    ("raw", "char"),
    [
        ("1101051949123100YX", "Y"),
        ("11010519491231002Z", "Z"),
        ("44190089010122X", "X"),  # 15-digit numbers have no check digit
        ("110105-19491231-002X", "-"),
        ("11010519491231002٣", "٣"),  # Arabic-Indic digit: isdigit() but not 0-9
        ("1101051949123100²X", "²"),
    ],
)
def test_non_digit_characters(raw, char):
    err = refused(raw, "chars")
    assert f"“{char}”" in err.rule


def test_impossible_birth_date():
    err = refused("11010519490231002X", "birth_date")
    assert "19490231" in str(err)
    refused("441900890231221", "birth_date")  # 15-digit: 1989-02-31


def test_birth_date_in_future():
    future = make_valid_id("110105", TODAY + timedelta(days=1), 2)
    err = refused(future, "future")
    assert "2026-03-02" in str(err)
    assert validate_id(make_valid_id("110105", TODAY, 2), today=TODAY).birth_date == TODAY


def test_birth_date_before_1880():
    err = refused(make_valid_id("110105", date(1879, 12, 31), 2), "too_old")
    assert "1880" in str(err)
    validate_id(make_valid_id("110105", date(1880, 1, 1), 2), today=TODAY)


def test_default_today_is_the_clock():
    with clock.frozen(date(2026, 11, 20)), pytest.raises(IdNumberError) as caught:
        validate_id(make_valid_id("110105", date(2026, 11, 21), 2))
    assert caught.value.kind == "future"


@pytest.mark.parametrize("region", ["100105", "990105", "000000", "830000"])
def test_implausible_province(region):
    err = refused(make_valid_id(region, date(1980, 1, 1), 1), "province")
    assert f"“{region[:2]}”" in str(err)


def test_wrong_check_digit_names_expected():
    err = refused("110105194912310021", "check_digit")
    assert "应为“X”" in str(err)
    assert "实为“1”" in str(err)


# ------------------------------------------------------------------ age, mask, make


def test_age_on():
    info = validate_id(VALID, today=TODAY)
    assert age_on(info, date(2009, 12, 30)) == 59
    assert age_on(info, date(2009, 12, 31)) == 60
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 1), date(1999, 12, 31))


def test_mask_id():
    assert mask_id(VALID) == "110105********002X"
    assert mask_id("441900890101221") == "441900*****1221"
    assert mask_id("1234") == "****"
    assert mask_id("") == ""
    assert "19491231" not in mask_id(VALID)


def test_make_valid_id():
    assert make_valid_id("110105", date(1949, 12, 31), 2) == VALID
    with pytest.raises(ValueError):
        make_valid_id("11010", date(1949, 12, 31), 2)
    with pytest.raises(ValueError):
        make_valid_id("110105", date(1949, 12, 31), 1000)


# ------------------------------------------------------------------ properties

regions = st.builds(
    lambda province, rest: f"{province:02d}{rest:04d}",
    st.integers(idcard.PROVINCE_MIN, idcard.PROVINCE_MAX),
    st.integers(0, 9999),
)
births = st.dates(min_value=date(idcard.MIN_BIRTH_YEAR, 1, 1), max_value=TODAY)
sequences = st.integers(0, 999)


@given(regions, births, sequences)
def test_make_then_validate_round_trips(region, birth, sequence):
    number = make_valid_id(region, birth, sequence)
    assert ric.calc_check_digit(number) == number[-1]  # agrees with python-stdnum
    info = validate_id(number, today=TODAY)
    assert info.number == number
    assert info.birth_date == birth
    assert info.gender == ("男" if sequence % 2 else "女")
    assert info.region_code == region
    assert info.fixes == []


@given(regions, births, sequences, st.integers(0, 17), st.sampled_from("0123456789X"))
@settings(max_examples=300)
def test_any_single_changed_character_is_refused(region, birth, sequence, position, new):
    number = make_valid_id(region, birth, sequence)
    if new == number[position]:
        new = "0" if number[position] != "0" else "1"
    changed = number[:position] + new + number[position + 1 :]
    # The check digit alone catches it (GB 11643-1999 §7: MOD 11-2 detects single errors) ...
    body = changed[:17]
    if body.isdigit() and body.isascii():
        assert check_digit(body) != changed[17]
    # ... and validate_id refuses it, whichever rule it trips first.
    with pytest.raises(IdNumberError):
        validate_id(changed, today=TODAY)


@given(regions, births, sequences, st.integers(0, 15))
def test_adjacent_swap_changes_check_digit(region, birth, sequence, position):
    number = make_valid_id(region, birth, sequence)
    a, b = number[position], number[position + 1]
    if a == b:
        return
    swapped = number[:position] + b + a + number[position + 2 : 17]
    assert check_digit(swapped) != number[17]


@given(st.text(max_size=25))
def test_validate_never_crashes_otherwise(raw):
    try:
        validate_id(raw, today=TODAY)
    except IdNumberError:
        pass


@given(regions, births, sequences, st.integers(0, 17), st.sampled_from("0123456789X"))
@settings(max_examples=300)
def test_clean_numbers_take_the_same_path_as_cleaned_ones(region, birth, sequence, position, new):
    """An 18-character value with nothing to clean is checked without cleaning: the result or
    the refusal is the same as for the same number with a space that cleaning removes."""
    number = make_valid_id(region, birth, sequence)
    changed = number[:position] + new + number[position + 1:]

    def outcome(raw):
        try:
            info = validate_id(raw, today=TODAY)
        except IdNumberError as exc:
            return exc.kind, exc.rule
        return info.number, info.birth_date, info.gender, info.region_code, info.region_name

    assert outcome(changed) == outcome(" " + changed)
