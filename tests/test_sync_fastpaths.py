"""The import's fast paths write exactly what the general code would."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import DateTime, Numeric
from sqlalchemy.dialects import sqlite

from app.sync import format as fmt, tables
from app.sync.format import PackageRefused


def test_sqlite_datetime_text_is_sqlalchemys():
    dialect = sqlite.dialect()
    general = DateTime().dialect_impl(dialect).bind_processor(dialect)
    fast = tables._sqlite_processor(DateTime(), dialect)
    for value in (datetime(2026, 11, 20, 9, 30, 5), datetime(999, 1, 2), datetime(2026, 1, 1, 0, 0, 0, 7),
                  datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone(timedelta(hours=8))),
                  datetime(9999, 12, 31, 23, 59, 59, 999999)):
        assert fast(value) == general(value)


@pytest.mark.parametrize("text", ["0.00", "-0.00", "12.50", "-7.05", "012.50", "1e3", "1.5", "1.500",
                                  "+1.00", " 1.00", "1.00\n", "١٢.٥٠", "NaN", "-NaN", "Infinity", "-Infinity", "sNaN", "12.5O"])
def test_amount_fast_path_agrees_with_decimal_formatting(text):
    convert = tables._converter("amount", Numeric(12, 2))
    try:
        canonical = Decimal(text).is_finite() and f"{Decimal(text):.2f}" == text
    except ArithmeticError:
        canonical = False
    if canonical:
        assert str(convert(text)) == text
    else:
        with pytest.raises(ValueError):
            convert(text)


def test_sections_decoded_as_utf8_lines():
    rows = [{"id": "a", "name": "张三"}, {"id": "b", "note": "x\\ny"}]
    plain, index = fmt.encode_sections([("member", rows)])
    assert fmt.decode_sections(plain, index) == {"member": rows}
    bad = "\ufeff".encode() + plain  # a byte-order mark is not JSON Lines as written
    index[0].update(bytes=len(bad), sha256=fmt.sha256(bad))
    with pytest.raises(PackageRefused, match="JSON Lines"):
        fmt.decode_sections(bad, index)
