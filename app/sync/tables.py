"""Which tables travel, in which order, who may send them, and how a row becomes plain JSON and back.

A row travels as its audited state (``app.audit.state``: every column, dates as ISO text,
amounts with two decimals), so the receiver can store exactly what was sent and audit it.
"""
from __future__ import annotations

import json
import json.encoder
import re
from datetime import date, datetime
from functools import lru_cache
from decimal import Decimal, InvalidOperation

from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, String, Text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

from app import bulk
from app.audit import canonical, plain
from db.models import AUDITED

# Parents before children (foreign keys). Township tables travel up, district tables down.
TOWNSHIP_TABLES = ["village", "household", "member", "member_exit", "step", "income", "expenditure", "asset",
                   "assessment", "proposal", "grace", "problem", "typical_problem", "problem_link",
                   "problem_transition", "problem_transfer", "petition", "petition_link",
                   "official", "near_relative", "assignment_answer", "correction"]
DISTRICT_TABLES = ["standard", "data_source", "supervision_visit", "supervision_household", "problem",
                   "problem_link", "problem_transition", "assignment", "correction"]
# the rows of a data source (not records of their own) travel with it, after the district tables
SOURCE_RECORDS = "source_record"
SOURCE_RECORD_FIELDS = ("source_id", "row_no", "name", "id_number", "event_date", "detail", "address")
LABELS = {"village": "村（居）", "household": "家庭", "member": "成员", "step": "办理环节",
          "income": "收入", "expenditure": "刚性支出", "asset": "财产", "assessment": "经济状况评估",
          "proposal": "审核提议", "grace": "渐退期", "problem": "问题台账", "problem_link": "问题关联对象",
          "problem_transition": "问题状态变更", "problem_transfer": "线索移交", "petition": "信访举报",
          "petition_link": "信访关联对象", "official": "备案人员", "near_relative": "近亲属备案",
          "assignment_answer": "整改反馈", "member_exit": "成员移出", "typical_problem": "典型问题标注", "correction": "锁定月份更正", "standard": "保障标准",
          "assignment": "交办问题", "data_source": "比对数据源", "source_record": "比对数据源名单",
          "supervision_visit": "督导检查", "supervision_household": "督导检查对象", "calendar": "工作日历", "audit_log": "审计记录", "documents": "报表文件"}


# an amount as app.audit.plain writes it (f"{value:.2f}"): no leading zeros, two decimals
_AMOUNT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]{2}")


def canonical_encoder():  # noqa: ANN201 - a function of a dict
    """``app.audit.canonical`` of a row (sorted keys, no spaces, ensure_ascii=False), with the
    C encoder built once instead of once per call (json.dumps builds it every time)."""
    make = json.encoder.c_make_encoder
    if make is None:  # pragma: no cover - CPython always has the accelerator
        return canonical
    encode = make(None, _no_default, json.encoder.encode_basestring, None, ":", ",", True, False, True)
    return lambda data: "".join(encode(data, 0))


def _no_default(value: object) -> object:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def describe_counts(counts: dict[str, int], kind: str = "delta") -> str:
    """What a package holds, for the clerk: "家庭 50，成员 130 …" (or 无变更; a full package
    with nothing in it: 无记录)."""
    return "，".join(f"{LABELS.get(k, k)} {v}" for k, v in counts.items() if v) or \
        ("无记录" if kind == "full" else "无变更")


def tables_for(level: str) -> list[str]:
    return TOWNSHIP_TABLES if level == "township" else DISTRICT_TABLES


def model(entity: str):  # noqa: ANN201 - a mapped class
    return AUDITED[entity]


@lru_cache(maxsize=None)
def columns(entity: str) -> list[tuple[str, object]]:
    """(attribute key, Column) of every mapped column, in mapper order."""
    mapper = sa_inspect(AUDITED[entity])
    return [(attr.key, attr.columns[0]) for attr in mapper.column_attrs]


def plain_row(entity: str, row) -> dict:  # noqa: ANN001 - a Row with the columns' keys
    return {key: plain(getattr(row, key)) for key, _col in columns(entity)}


def check_plain(entity: str, data: dict) -> None:
    """Check one incoming row as :func:`from_plain` does (the same reasons, column by column in
    the same order) without converting it: the canonical writings are recognised by their form
    (a text that has the exact canonical form and parses is canonical), the others go through
    the general conversion, which raises the reason."""
    keys, checks = _checks(entity)
    if data.keys() != keys:
        extra, missing = sorted(set(data) - keys), sorted(keys - set(data))
        raise ValueError(f"字段不符（多出 {extra}，缺少 {missing}）")
    for key, nullable, kind, arg, convert in checks:
        value = data[key]
        if value is None:
            if not nullable:
                raise ValueError(f"{key} 不能为空")
        elif kind is _TEXT:  # unlimited text, the commonest case
            if not isinstance(value, str):
                raise ValueError(f"{key} 应为文字")
        elif kind is _LIMITED:
            if not isinstance(value, str) or len(value) > arg:
                convert(value)  # raises the reason
        elif kind is _CANONICAL:  # a date, time or amount in its canonical writing, else the general check
            form, parse = arg
            if not isinstance(value, str) or not form.fullmatch(value):
                convert(value)
            elif parse is not None:  # of the form, and a real day or moment?
                try:
                    parse(value)
                except ValueError:
                    convert(value)
        else:
            convert(value)
    rid, version = data.get("id"), data.get("version")
    if not isinstance(rid, str) or len(rid) != 36:
        raise ValueError("id 应为 UUID")
    if not isinstance(version, int) or version < 1:
        raise ValueError("version 应为正整数")


def from_plain(entity: str, data: dict) -> dict:
    """Check one incoming row and convert it to column values; raises ValueError with a reason."""
    check_plain(entity, data)
    return to_values(entity, data)


def to_values(entity: str, data: dict) -> dict:
    """The column values (Python objects) of a row :func:`check_plain` accepted."""
    _keys, converters = _converters(entity)
    return {key: data[key] if data[key] is None or convert is None else convert(data[key])
            for key, _nullable, convert in converters}


_TEXT, _LIMITED, _CANONICAL, _OTHER = "text", "limited", "canonical", "other"
# the canonical writings (app.audit.plain): a moment in whole seconds with a space, a day, an amount
_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@lru_cache(maxsize=None)
def _checks(entity: str) -> tuple[set, list[tuple]]:
    """Per column: key, nullable, kind, (canonical form, parser) or length limit, the general
    converter (which raises the reason)."""
    out = []
    keys, converters = _converters(entity)
    for (key, col), (_k, nullable, convert) in zip(columns(entity), converters):
        typ = col.type
        if convert is None:
            out.append((key, nullable, _TEXT, None, None))
        elif isinstance(typ, DateTime):
            out.append((key, nullable, _CANONICAL, (_MOMENT, datetime.fromisoformat), convert))
        elif isinstance(typ, Date):
            out.append((key, nullable, _CANONICAL, (_DAY, date.fromisoformat), convert))
        elif isinstance(typ, Numeric):  # an amount of the canonical form is one (Decimal reads it)
            out.append((key, nullable, _CANONICAL, (_AMOUNT, None), convert))
        elif isinstance(typ, String):
            out.append((key, nullable, _LIMITED, typ.length, convert))
        else:
            out.append((key, nullable, _OTHER, None, convert))
    return keys, out


@lru_cache(maxsize=None)
def _converters(entity: str) -> tuple[set, list[tuple[str, bool, object]]]:
    """Per column: key, nullable, and the function that checks and converts a non-null value
    (built once per table: an import converts hundreds of thousands of values)."""
    out = []
    for key, col in columns(entity):
        out.append((key, col.nullable, _converter(key, col.type)))
    return {k for k, _n, _c in out}, out


def _converter(key: str, typ: object):  # noqa: ANN202, C901 - one branch per column type
    if isinstance(typ, Text) or (isinstance(typ, String) and not typ.length):
        return None  # unlimited text: from_plain checks it is text
    if isinstance(typ, DateTime):
        def moment(value: object) -> datetime:
            if not isinstance(value, str):
                raise ValueError(f"{key} 应为日期时间")
            try:
                result = datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{key} 应为日期时间") from None
            # the canonical writing (app.audit.plain): whole seconds, a space before the time, no
            # zone (every moment is stored as UTC without one: PostgreSQL's COPY would drop a
            # zone, its INSERT convert by it; neither is what the writer meant)
            if result.tzinfo is not None or result.microsecond or result.isoformat(sep=" ") != value:
                raise ValueError(f"{key} 的写法不规范")
            return result
        return moment
    if isinstance(typ, Date):
        def day(value: object) -> date:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError(f"{key} 应为日期")
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{key} 应为日期") from None
        return day
    if isinstance(typ, Numeric):
        def amount(value: object) -> Decimal:
            if isinstance(value, str) and _AMOUNT.fullmatch(value):  # the canonical writing
                return Decimal(value)
            try:
                result = Decimal(str(value))
            except InvalidOperation:
                raise ValueError(f"{key} 应为金额") from None
            if not result.is_finite():  # NaN, Infinity: no amount
                raise ValueError(f"{key} 应为金额")
            if not isinstance(value, str) or f"{result:.2f}" != value:
                raise ValueError(f"{key} 的写法不规范")
            return result
        return amount
    if isinstance(typ, Boolean):
        def flag(value: object) -> bool:
            if not isinstance(value, bool):
                raise ValueError(f"{key} 应为是/否")
            return value
        return flag
    if isinstance(typ, Integer):
        def whole(value: object) -> int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{key} 应为整数")
            return value
        return whole
    if isinstance(typ, (String, Text)):
        length = typ.length

        def limited(value: object) -> str:
            if not isinstance(value, str):
                raise ValueError(f"{key} 应为文字")
            if len(value) > length:
                raise ValueError(f"{key} 超过 {length} 个字")
            return value
        return limited
    raise ValueError(f"{key} 的类型不受支持")  # pragma: no cover - every model type is above


def insert_plain(conn, entity: str, rows: list[dict], stored: list[tuple] | None = None) -> None:  # noqa: ANN001
    """Insert rows that :func:`check_plain` accepted, as plain JSON values. On SQLite the stored
    text is built from the canonical writing itself, exactly what SQLAlchemy would store for the
    converted value (a moment ``YYYY-MM-DD HH:MM:SS`` is stored as ``… .000000``, a day as
    written, an amount as the float of its text); no datetime or Decimal is made and formatted
    back. On PostgreSQL the rows go through COPY as :func:`pg_rows`. ``stored``: the rows of
    this database (:func:`sqlite_rows` or :func:`pg_rows`), made beforehand (app.sync.prefetch)."""
    if not rows:
        return
    if stored is None:
        stored = stored_rows(conn.dialect.name, entity, rows)
    insert_tuples(conn, model(entity).__table__, [k for k, _c in columns(entity)], stored)


def stored_rows(dialect: str, entity: str, rows: list[dict]) -> list[tuple]:
    """:func:`sqlite_rows` or :func:`pg_rows`, for a database of this dialect."""
    return (sqlite_rows if dialect == "sqlite" else pg_rows)(entity, rows)


def pg_rows(entity: str, rows: list[dict]) -> list[tuple]:
    """What COPY sends to PostgreSQL for rows :func:`check_plain` accepted, as tuples in the
    order of :func:`columns`. COPY's text form carries every value as text, which the server
    reads as the column's type: a day, a moment or an amount in its canonical writing is sent
    as that text (the server reads the same day, moment or amount as from the converted value),
    any other accepted writing converted as :func:`to_values` does; text, whole numbers and
    flags as they are."""
    return _by_column(rows, _senders(entity))


def _by_column(rows: list[dict], functions: list[tuple[str, object]]) -> list[tuple]:
    """Rows as tuples of (key, function) per column: each non-null value through its column's
    function (None: as it is), column by column (each function looked up once)."""
    values = []
    for key, fn in functions:
        column = [r[key] for r in rows]
        values.append(column if fn is None else [None if v is None else fn(v) for v in column])
    return list(zip(*values))


@lru_cache(maxsize=None)
def _senders(entity: str) -> list[tuple[str, object]]:
    out = []
    for (key, col), (_k, _nullable, convert) in zip(columns(entity), _converters(entity)[1]):
        typ = col.type
        if isinstance(typ, DateTime):
            out.append((key, _canonical_or(_MOMENT, convert)))
        elif isinstance(typ, Date):
            out.append((key, _canonical_or(_DAY, convert)))
        elif isinstance(typ, Numeric):
            out.append((key, _canonical_or(_AMOUNT, convert)))
        else:  # text, whole numbers, flags: an accepted value is the column's value
            out.append((key, None))
    return out


def _canonical_or(form, convert):  # noqa: ANN001, ANN202
    match = form.fullmatch
    return lambda value: value if type(value) is str and match(value) else convert(value)


def sqlite_rows(entity: str, rows: list[dict]) -> list[tuple]:
    """The stored values on SQLite of rows :func:`check_plain` accepted, as tuples in the order
    of :func:`columns`."""
    return _by_column(rows, _storers(entity))


@lru_cache(maxsize=None)
def _storers(entity: str) -> list[tuple[str, object]]:
    """Per column: key, and the function from an accepted plain value to SQLite's stored value
    (None: stored as it is)."""
    dialect = _SQLITE
    out = []
    for (key, col), (_k, _nullable, convert) in zip(columns(entity), _converters(entity)[1]):
        typ, proc = col.type, _sqlite_processor(col.type, dialect)
        if proc is None:
            out.append((key, None))
        elif isinstance(typ, DateTime):
            out.append((key, _store_moment(proc, convert)))
        elif isinstance(typ, Date):
            out.append((key, _store_day(proc, convert)))
        elif isinstance(typ, Numeric):
            out.append((key, float))  # SQLAlchemy stores float(Decimal(text)): the same double
        elif isinstance(typ, Boolean):
            out.append((key, int))  # an accepted flag is a bool: SQLAlchemy stores int(value)
        else:
            out.append((key, _store_converted(proc, convert)))
    return out


def _store_moment(proc, convert):  # noqa: ANN001, ANN202
    def store(value: str) -> str:
        if len(value) == 19:  # accepted: the canonical writing, whole seconds without a zone
            return value + ".000000"
        return proc(convert(value))
    return store


def _store_day(proc, convert):  # noqa: ANN001, ANN202
    def store(value: str) -> str:
        if _DAY.fullmatch(value):  # accepted and written YYYY-MM-DD: stored as written
            return value
        return proc(convert(value))
    return store


def _store_converted(proc, convert):  # noqa: ANN001, ANN202
    return lambda value: proc(convert(value))


def insert_many(conn, table, rows: list[dict]) -> None:  # noqa: ANN001
    """Insert rows (dicts with the same keys, the columns' names) in bulk, in the connection's
    transaction: on PostgreSQL ``COPY … FROM STDIN`` (executemany there sends one statement per
    row); on SQLite one prepared INSERT through the driver's executemany, the values passed
    through the columns' own bind processors (what SQLAlchemy would do, once per column instead
    of once per statement)."""
    if not rows:
        return
    cols = list(rows[0])
    if conn.dialect.name == "postgresql":
        insert_tuples(conn, table, cols, [[r[c] for c in cols] for r in rows])
        return
    values = []  # column by column: the processor looked up once per column
    for c in cols:
        proc = _sqlite_processor(table.c[c].type, conn.dialect)
        column = [r[c] for r in rows]
        if proc is not None:
            first = column[0]  # one value for all rows (an audit batch's time): converted once
            column = [proc(first)] * len(column) if first is not None and all(v is first for v in column) \
                else [None if v is None else proc(v) for v in column]
        values.append(column)
    insert_tuples(conn, table, cols, list(zip(*values)))


def insert_tuples(conn, table, cols: list[str], rows: list[tuple]) -> None:  # noqa: ANN001
    """Insert rows given as tuples of stored values in the order of ``cols`` (COPY on PostgreSQL,
    one prepared INSERT through the driver's executemany on SQLite)."""
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in cols)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        if conn.dialect.name == "postgresql":
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for r in rows:
                    copy.write_row(r)
            return
        # a column alike in every row (the batch's time and user, the office, empty columns) is
        # written into the statement once instead of bound per row (app.bulk.folded)
        places, bound = bulk.folded(list(map(list, zip(*rows))))
        cursor.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join(places)})', bound)
    finally:
        cursor.close()


_SQLITE = sqlite_dialect()  # the SQLite dialect's bind processors (the same for every SQLite driver)


def sqlite_value(column, value: object) -> object:  # noqa: ANN001
    """What SQLAlchemy stores on SQLite for a value of the column."""
    proc = _sqlite_processor(column.type, _SQLITE)
    return value if proc is None or value is None else proc(value)


def _sqlite_processor(typ, dialect):  # noqa: ANN001, ANN202
    """The column type's bind processor on SQLite; for DATETIME the same text built faster
    (SQLAlchemy's storage format ``YYYY-MM-DD HH:MM:SS.ffffff``, which is what
    ``isoformat(" ", "microseconds")`` writes up to the 26th character — a time zone, which
    SQLAlchemy leaves out, only after it)."""
    proc = typ.dialect_impl(dialect).bind_processor(dialect)
    if proc is None or not isinstance(typ, DateTime):
        return proc

    def moment(value: object) -> object:
        if type(value) is datetime:
            return value.isoformat(" ", "microseconds")[:26]
        return proc(value)
    return moment
