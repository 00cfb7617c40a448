"""Errors the services raise. Each names the field, the value and the rule it breaks."""
from __future__ import annotations

from db.errors import (BackupError, DatabaseMissing, KeyMissing, NewerDatabase, NotADatabase,  # noqa: F401
                       QingfengError, WrongKey, translate)

# ui/ imports every error from here (never from db/): the storage errors above are re-exported.


class ValidationError(QingfengError):
    exit_code = 10

    def __init__(self, field: str, value: object, rule: str):
        shown = "（空）" if value in (None, "") else f"“{value}”"
        super().__init__(f"{field} {shown} 不符合要求：{rule}")
        self.field, self.value, self.rule = field, value, rule


class PeriodLocked(ValidationError):
    """A change to a month already reported (its package sent, app.sync.lock): accepted only as a
    correction with a reason (the GUI asks for it and saves again)."""


class PermissionDenied(QingfengError):
    exit_code = 11


class ConflictError(QingfengError):
    """Someone else saved the same record meanwhile (optimistic locking by ``version``)."""

    exit_code = 12


class NotFound(QingfengError):
    exit_code = 13


class AuthError(QingfengError):
    exit_code = 14


class AuditBroken(QingfengError):
    exit_code = 8


BUSY_MESSAGE = ("数据库正忙：另一项操作或另一台电脑正在写入，这次没有保存。请稍候几秒再试；"
                "刚才填写的内容仍保留在窗口中。")


def is_busy(exc: BaseException) -> bool:
    """True for SQLite's "database is locked" / "database is busy" after the busy timeout."""
    from sqlalchemy.exc import OperationalError

    orig = getattr(exc, "orig", None) or exc
    is_operational = isinstance(exc, OperationalError) or type(orig).__name__ == "OperationalError"
    text = str(orig).lower()
    return is_operational and ("database is locked" in text or "database is busy" in text
                               or "database table is locked" in text)
