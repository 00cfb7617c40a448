"""Errors the services raise. Each names the field, the value and the rule it breaks."""
from __future__ import annotations

from db.errors import QingfengError


class ValidationError(QingfengError):
    exit_code = 10

    def __init__(self, field: str, value: object, rule: str):
        shown = "（空）" if value in (None, "") else f"“{value}”"
        super().__init__(f"{field} {shown} 不符合要求：{rule}")
        self.field, self.value, self.rule = field, value, rule


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
