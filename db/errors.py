"""Errors raised below the services, each with a Chinese message and a distinct exit code.

The CLI turns any :class:`QingfengError` into its message on stderr and its exit code; the GUI
shows the message. Exit codes are part of the command-line contract (scripts rely on them).
"""
from __future__ import annotations


class QingfengError(Exception):
    """Base of every error the user should see. ``str(err)`` is the Chinese message."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class DatabaseMissing(QingfengError):
    exit_code = 2


class KeyMissing(QingfengError):
    exit_code = 3


class WrongKey(QingfengError):
    exit_code = 4


class NotADatabase(QingfengError):
    exit_code = 5


class NewerDatabase(QingfengError):
    exit_code = 6


class BackupError(QingfengError):
    exit_code = 7
