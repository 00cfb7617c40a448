"""Which tables travel, in which order, who may send them, and how a row becomes plain JSON and back.

A row travels as its audited state (``app.audit.state``: every column, dates as ISO text,
amounts with two decimals), so the receiver can store exactly what was sent and audit it.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from decimal import Decimal, InvalidOperation

from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, String, Text
from sqlalchemy import inspect as sa_inspect

from app.audit import plain
from db.models import AUDITED

# Parents before children (foreign keys). Township tables travel up, district tables down.
TOWNSHIP_TABLES = ["village", "household", "member", "step", "income", "expenditure", "asset",
                   "assessment", "proposal", "grace", "problem", "problem_link",
                   "problem_transition", "problem_transfer", "petition", "petition_link",
                   "official", "near_relative", "assignment_answer", "correction"]
DISTRICT_TABLES = ["standard", "assignment", "correction"]
LABELS = {"village": "村（居）", "household": "家庭", "member": "成员", "step": "办理环节",
          "income": "收入", "expenditure": "刚性支出", "asset": "财产", "assessment": "经济状况评估",
          "proposal": "审核提议", "grace": "渐退期", "problem": "问题台账", "problem_link": "问题关联对象",
          "problem_transition": "问题状态变更", "problem_transfer": "线索移交", "petition": "信访举报",
          "petition_link": "信访关联对象", "official": "备案人员", "near_relative": "近亲属备案",
          "assignment_answer": "整改反馈", "correction": "锁定月份更正", "standard": "保障标准",
          "assignment": "交办问题", "calendar": "工作日历", "audit_log": "审计记录", "documents": "报表文件"}


def describe_counts(counts: dict[str, int]) -> str:
    """What a package holds, for the clerk: "家庭 50，成员 130 …" (or 无变更)."""
    return "，".join(f"{LABELS.get(k, k)} {v}" for k, v in counts.items() if v) or "无变更"


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


def from_plain(entity: str, data: dict) -> dict:
    """Check one incoming row and convert it to column values; raises ValueError with a reason."""
    keys, checks = _checks(entity)
    if data.keys() != keys:
        extra, missing = sorted(set(data) - keys), sorted(keys - set(data))
        raise ValueError(f"字段不符（多出 {extra}，缺少 {missing}）")
    out = {}
    for key, nullable, typ in checks:
        value = data[key]
        if value is None:
            if not nullable:
                raise ValueError(f"{key} 不能为空")
            out[key] = None
        elif typ is None:
            if not isinstance(value, str):
                raise ValueError(f"{key} 应为文字")
            out[key] = value
        else:
            out[key] = _convert(key, typ, value)
    if not isinstance(out.get("id"), str) or len(out["id"]) != 36:
        raise ValueError("id 应为 UUID")
    if not isinstance(out.get("version"), int) or out["version"] < 1:
        raise ValueError("version 应为正整数")
    return out


@lru_cache(maxsize=None)
def _checks(entity: str) -> tuple[set, list[tuple[str, bool, object]]]:
    """Per column: key, nullable, and its type (None for unlimited text: no conversion)."""
    checks = []
    for key, col in columns(entity):
        plain_text = isinstance(col.type, Text) or (isinstance(col.type, String) and not col.type.length)
        checks.append((key, col.nullable, None if plain_text else col.type))
    return {k for k, _n, _t in checks}, checks


def _convert(key: str, typ: object, value: object) -> object:
    if isinstance(typ, DateTime):
        if not isinstance(value, str):
            raise ValueError(f"{key} 应为日期时间")
        try:
            result = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{key} 应为日期时间") from None
        if plain(result) != value:
            raise ValueError(f"{key} 的写法不规范")
        return result
    if isinstance(typ, Date):
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError(f"{key} 应为日期")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{key} 应为日期") from None
    if isinstance(typ, Numeric):
        try:
            result = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(f"{key} 应为金额") from None
        if not isinstance(value, str) or f"{result:.2f}" != value:
            raise ValueError(f"{key} 的写法不规范")
        return result
    if isinstance(typ, Boolean):
        if not isinstance(value, bool):
            raise ValueError(f"{key} 应为是/否")
        return value
    if isinstance(typ, Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{key} 应为整数")
        return value
    if isinstance(typ, (String, Text)):
        if not isinstance(value, str):
            raise ValueError(f"{key} 应为文字")
        if getattr(typ, "length", None) and len(value) > typ.length:
            raise ValueError(f"{key} 超过 {typ.length} 个字")
        return value
    raise ValueError(f"{key} 的类型不受支持")  # pragma: no cover - every model type is above


def insert_many(conn, table, rows: list[dict]) -> None:  # noqa: ANN001
    """Insert rows in bulk: executemany on SQLite; on PostgreSQL ``COPY … FROM STDIN`` in the
    same transaction (executemany there sends one statement per row)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        cols = list(rows[0])
        names = ", ".join(f'"{c}"' for c in cols)
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for r in rows:
                    copy.write_row([r[c] for c in cols])
        finally:
            cursor.close()
    else:
        for i in range(0, len(rows), 5000):
            conn.execute(table.insert(), rows[i:i + 5000])
