"""What every subcommand shares: the open database, the acting user, output helpers."""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from app import users
from app.errors import AuthError
from app.permissions import Actor
from db import engine as db_engine


def error(message: str) -> None:
    print(f"错误：{message}", file=sys.stderr)


def info(message: str) -> None:
    print(message, file=sys.stderr)


def _default(value: object) -> object:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if is_dataclass(value):
        return asdict(value)
    raise TypeError(type(value))


def dump_json(data: object) -> None:
    if is_dataclass(data):
        data = asdict(data)
    elif isinstance(data, list):
        data = [asdict(d) if is_dataclass(d) else d for d in data]
    print(json.dumps(data, ensure_ascii=False, indent=1, default=_default))


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="以 JSON 输出")


def prompt_secret(label: str, env: str, *, confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise AuthError(f"需要{label}：请设置环境变量 {env}，或在终端中运行以便输入。")
    value = getpass.getpass(f"{label}：")
    if confirm and getpass.getpass(f"再次输入{label}：") != value:
        raise AuthError(f"两次输入的{label}不一致。")
    return value


class Context:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self._db = None

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    @property
    def db_path(self) -> Path:
        return Path(self.args.db) if self.args.db else db_engine.default_db_path()

    def database(self, *, daily: bool = True):  # noqa: ANN201 - db.engine.Database
        if self._db is None:
            if self.args.url:
                self._db = db_engine.open_url(self.args.url)
            else:
                self._db = db_engine.open_sqlcipher(self.db_path,
                                                    passphrase=os.environ.get("QINGFENG_PASSPHRASE"))
                if self._db.upgraded_from:
                    info(f"数据库已从结构版本 {self._db.upgraded_from} 升级；升级前的备份：{self._db.backup_before_upgrade}")
                if daily:
                    self._daily_backup()
        return self._db

    def _daily_backup(self) -> None:
        """The backup of the day of use; a failure is told, never stops the command."""
        from app import backups
        from db.errors import BackupError, DiskFull, ReadOnlyLocation

        try:
            entry = backups.daily_backup(self._db)
        except (BackupError, DiskFull, ReadOnlyLocation) as exc:
            info(f"提醒：今天的自动备份没有写成：{exc}")
            return
        if entry is not None:
            info(f"已自动备份（今天第一次使用）：{entry.path}")
        note = backups.reminder(self._db.path)
        if note and entry is not None:
            info(f"提醒：{note}")

    def actor(self, session) -> Actor:  # noqa: ANN001
        username = self.args.user or users.first_admin(session)
        password = prompt_secret(f"用户 {username} 的密码", "QINGFENG_PASSWORD")
        return users.authenticate(session, username, password)

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None
