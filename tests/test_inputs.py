"""Input rules in the service (app.inputs): amounts, dates, text lengths, phone numbers —
refused with field, value and rule from the services, so CLI and GUI refuse alike."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app import clock, inputs
from app import households as hs
from app.errors import ValidationError
from app.ledgers import petitions as pt
from app.ledgers import problems as pr
from db.models import Household
from test_ui_support import add_household

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize("value,expected", [("620", Decimal("620.00")), ("620.5", Decimal("620.50")),
                                            (0, Decimal("0.00")), ("-0", Decimal("0.00")),
                                            ("-0.00", Decimal("0.00")), ("1,200.00", Decimal("1200.00"))])
def test_amounts_are_normalised(value, expected):
    got = inputs.amount("月保障金额", value)
    assert got == expected and str(got) == str(expected) and not got.is_signed()


@pytest.mark.parametrize("value,rule", [("NaN", "有限"), ("nan", "有限"), ("Infinity", "有限"), ("-1", "负数"),
                                        ("12.345", "两位小数"), ("abc", "金额数字"), ("", "必须填写"),
                                        ("100000.01", "0 到 100000"), (True, "必须填写")])
def test_bad_amounts_are_refused_with_field_value_and_rule(value, rule):
    with pytest.raises(ValidationError) as err:
        inputs.amount("月保障金额", value)
    assert err.value.field == "月保障金额" and rule in err.value.rule
    assert "月保障金额" in str(err.value)


def test_dates_within_the_plausible_range():
    with clock.frozen(TODAY):
        assert inputs.day("申请日期", "2026-11-20") == TODAY
        assert inputs.day("整改时限", date(2027, 6, 1), future=True) == date(2027, 6, 1)
        for value, kwargs, rule in ((date(1, 1, 1), {}, "1900-01-01"), ("2099-01-01", {}, "不能晚于今天"),
                                    ("2026-11-21", {}, "不能晚于今天"),
                                    (date(2099, 1, 1), {"future": True}, "一年内"), ("2026-13-01", {}, "YYYY-MM-DD")):
            with pytest.raises(ValidationError, match=rule):
                inputs.day("日期", value, **kwargs)


def test_text_lengths_follow_the_model_columns():
    assert inputs.column_length(Household, "address") == 200
    assert inputs.text("地址", "  香水村一组  ", model=Household, column="address") == "香水村一组"
    with pytest.raises(ValidationError, match="不超过 200 个字") as err:
        inputs.text("地址", "村" * 100_000, model=Household, column="address")
    assert "100000 字" in str(err.value.value)


@pytest.mark.parametrize("value", ["13912345678", "0954-1234567", "09541234567", "0954-1234567-801",
                                   "13912345678、0954-1234567", "2345678"])
def test_phone_numbers_by_pattern(value):
    assert inputs.phone("联系电话", value)


@pytest.mark.parametrize("value", ["12ab", "1391234567", "139123456789", "abc", "1-2-3", "13912345678、139、1"])
def test_bad_phone_numbers_are_refused(value):
    with pytest.raises(ValidationError, match="手机号"):
        inputs.phone("联系电话", value)


def test_household_service_refuses_bad_input(env):
    hid = add_household(env)
    with env.database.session(write=False) as s:
        version = s.get(Household, hid).version
    for changes, field in (({"phone": "12ab"}, "联系电话"), ({"address": "村" * 300}, "地址"),
                           ({"note": "x" * 5000}, "备注"), ({"apply_date": date(2099, 1, 1)}, "申请日期"),
                           ({"apply_date": date(1, 1, 1)}, "申请日期")):
        with env.database.session() as s, pytest.raises(ValidationError) as err:
            hs.edit_household(s, env.clerk, hid, expected_version=version, changes=changes)
        assert err.value.field == field
    with env.database.session() as s, pytest.raises(ValidationError, match="有限"):
        hs.create_household(s, env.clerk, village="香水村", category="农村低保", monthly_amount="NaN",
                            members=[hs.MemberInput(name="王五", id_number=None, relation="户主")])
    with env.database.session() as s:
        hs.edit_household(s, env.clerk, hid, expected_version=version,
                          changes={"phone": " 13912345678 ", "address": " 香水村一组 "})
        hh = s.get(Household, hid)
        assert hh.phone == "13912345678" and hh.address == "香水村一组"


def test_ledger_services_refuse_bad_phone_and_dates(env):
    with env.database.session() as s, pytest.raises(ValidationError, match="手机号"):
        pt.create_petition(s, env.clerk, channel="电话", content="反映问题", petitioner="赵",
                           phone="12ab", received_date=clock.today())
    with env.database.session() as s, pytest.raises(ValidationError, match="1900"):
        pt.create_petition(s, env.clerk, channel="电话", content="反映问题", petitioner="赵",
                           received_date=date(1, 1, 1))
    with env.database.session() as s, pytest.raises(ValidationError) as err:
        pr.create_problem(s, env.clerk, source="自查", category="错保", description="x",
                          found_date=clock.today(), responsible="王", deadline=date(2099, 1, 1))
    assert err.value.field == "整改时限"
