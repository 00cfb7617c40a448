"""qingfeng-cli: the command line (DESIGN.md §9). Chinese messages on stderr, ``--json`` on
stdout for scripts, exit 0 on success and a distinct non-zero code with a clear message otherwise.

Subcommands live in small modules that each add their parsers (``register``) and handlers.
Only the module(s) of the command being run are imported (``COMMANDS``): start-up stays short
(no openpyxl, alembic or the demo for ``report gongshi``). Help, no command or an unknown word
loads them all, so the usage lists every command.
"""
from __future__ import annotations

import argparse
import gc
import importlib
import logging
import os
import re
import sys
from types import ModuleType

from app import logs
from db.errors import QingfengError, translate

log = logging.getLogger("qingfeng.cli")

# the sub-command modules (under app.cli), in the order of the usage; procedure adds
# sub-commands under ledger: it stays after ledger
MODULE_NAMES = ["admin", "registry", "report", "ledger", "assessment", "procedure", "imports", "safety",
                "sync"]
# top-level command -> the modules that register it (tests/test_cli_startup.py checks this
# against what the modules register)
COMMANDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("init", "unlock", "demo", "audit", "settings", "user"), ("admin",)),
    "household": ("registry",),
    "report": ("report",), "office": ("report",),
    "ledger": ("ledger", "procedure"), "procedure": ("ledger", "procedure"),
    **dict.fromkeys(("approval", "review", "assess", "standard", "recalc", "grace"), ("assessment",)),
    **dict.fromkeys(("import", "source", "finding", "check", "push"), ("imports",)),
    **dict.fromkeys(("backup", "restore", "backups", "doctor"), ("safety",)),
    **dict.fromkeys(("card", "package", "district"), ("sync",)),
}
# global options that take a value (skipped when looking for the command word)
_VALUE_OPTIONS = ("--db", "--url", "--user", "--correction-reason")


def command_word(argv: list[str]) -> str | None:
    """The command named on the command line (the first word after the global options), or
    None for help, no command or anything unexpected (then every module is loaded)."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word in _VALUE_OPTIONS:
            i += 2
            continue
        if word == "--json" or word.startswith(tuple(o + "=" for o in _VALUE_OPTIONS)):
            i += 1
            continue
        return None if word.startswith("-") else word
    return None


def _option(argv: list[str], name: str) -> str | None:
    """The value of a global option before the command word (``--db x`` or ``--db=x``)."""
    for i, word in enumerate(argv):
        if word == name and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith(name + "="):
            return word[len(name) + 1:]
        if word == command_word(argv):
            break
    return None


def prefetch_key(argv: list[str]) -> None:
    """Unwrap the database key in the background while the rest of the program is imported
    (db.keys.prefetch); the command's own open takes it. Only for a database named by --db or
    QINGFENG_DB that the command opens (not init, unlock or help)."""
    if command_word(argv) in (None, "init", "unlock") or _option(argv, "--url"):
        return
    path = _option(argv, "--db") or os.environ.get("QINGFENG_DB")
    if path:
        from db import keys

        keys.prefetch(path, passphrase=os.environ.get("QINGFENG_PASSPHRASE"),
                      then=_password_ahead(_option(argv, "--user"), os.environ.get("QINGFENG_PASSWORD")))


def _password_ahead(username: str | None, password: str | None):  # noqa: ANN202
    """With --user and QINGFENG_PASSWORD given: once the key is there, check the password in
    the same background thread (app.passwords.check_ahead); the login takes the result."""
    if not username or not password:
        return None

    def then(path, key) -> None:  # noqa: ANN001
        from app import passwords
        from db import rawread

        stored = rawread.password_hash(path, key, username.strip())
        if stored:
            passwords.check_ahead(password, stored)

    return then


def modules_for(argv: list[str] | None) -> list[ModuleType]:
    """The sub-command modules the command line needs (all of them when unsure)."""
    names = COMMANDS.get(command_word(list(sys.argv[1:] if argv is None else argv)) or "", MODULE_NAMES)
    return [importlib.import_module(f"app.cli.{n}") for n in MODULE_NAMES if n in names]


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its own words in Chinese: a clerk reads the usage and the errors. A wrong
    command line is input that breaks the rules (exit 10), not a missing database (2)."""

    ERRORS = ((r"the following arguments are required: (.*)", "缺少必需的参数：{0}"),
              (r"unrecognized arguments: (.*)", "无法识别的参数：{0}"),
              (r"argument (\S+): invalid choice: (.*?) \(choose from (.*)\)", "参数 {0} 的值 {1} 无效，可选：{2}"),
              (r"argument (\S+): expected one argument", "参数 {0} 后面需要一个值"),
              (r"argument (\S+): invalid \w+ value: (.*)", "参数 {0} 的值 {1} 格式不对"))
    WORDS = (("usage:", "用法："), ("positional arguments:", "位置参数："), ("options:", "选项："),
             ("show this help message and exit", "显示本帮助并退出"))

    def _chinese(self, text: str) -> str:
        for english, chinese in self.WORDS:
            text = text.replace(english, chinese)
        return text

    def format_usage(self) -> str:
        return self._chinese(super().format_usage())

    def format_help(self) -> str:
        return self._chinese(super().format_help())

    def error(self, message: str):  # noqa: ANN201 - never returns
        for pattern, text in self.ERRORS:
            if m := re.fullmatch(pattern, message):
                message = text.format(*m.groups())
                break
        self.print_usage(sys.stderr)
        self.exit(10, f"错误：{message}\n")


def build_parser(modules: list[ModuleType] | None = None) -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(prog="qingfeng-cli", description="清风台账 命令行工具")
    parser.add_argument("--db", help="数据库文件路径（默认：用户数据目录下的 qingfeng.qfdb，或环境变量 QINGFENG_DB）")
    parser.add_argument("--url", help="SQLAlchemy 数据库地址（区县模式使用 PostgreSQL 时）")
    parser.add_argument("--user", help="操作用户（默认：初始化时建立的管理员）；密码取自 QINGFENG_PASSWORD")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出，供脚本使用")
    parser.add_argument("--correction-reason", help="更正原因：修改已报送（锁定）月份的数据时必填")
    sub = parser.add_subparsers(dest="command", metavar="命令")
    for module in modules_for([]) if modules is None else modules:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    # a run of the program itself (not a caller's main([...])): no cyclic garbage collection
    # while importing (tens of thousands of long-lived objects, ≈0.03 s of collections);
    # afterwards they are frozen out of the collector's way
    own_process = argv is None and gc.isenabled()
    argv = list(sys.argv[1:] if argv is None else argv)
    prefetch_key(argv)
    if own_process:
        gc.disable()
    try:
        return _run(argv, own_process)
    finally:
        if own_process:
            gc.enable()
        from app import passwords
        from db import keys

        keys.forget_prefetched()
        passwords.forget_ahead()


def _run(argv: list[str], own_process: bool) -> int:
    # the heavy imports (SQLAlchemy, the models, the command's module) overlap the key derivation
    from sqlalchemy.exc import DBAPIError

    from app.cli import common
    from app.sync import lock as period_lock  # its session listeners guard locked months in every command

    parser = build_parser(modules_for(argv))
    if own_process:
        gc.freeze()
        gc.enable()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    logs.setup("cli")
    ctx = common.Context(args)
    period_lock.allow_corrections(args.correction_reason)
    try:
        return int(args.handler(ctx) or 0)
    except QingfengError as exc:
        log.warning("%s %s (exit %s): %s", args.command, type(exc).__name__, exc.exit_code, exc)
        common.error(str(exc))
        from app.errors import PeriodLocked
        if isinstance(exc, PeriodLocked):
            common.error("命令行修改已报送月份的数据：加 --correction-reason 更正原因")
        return exc.exit_code
    except BrokenPipeError:
        return 0
    except (OSError, DBAPIError) as exc:  # a damaged page, a full disk, a read-only folder
        known = translate(exc)
        if known is None:
            log.exception("%s failed", args.command)
            raise
        log.warning("%s %s (exit %s): %s", args.command, type(known).__name__, known.exit_code, exc)
        common.error(str(known))
        return known.exit_code
    except KeyboardInterrupt:
        common.error("已取消。")
        return 130
    finally:
        ctx.close()


def entry() -> None:  # console script
    sys.exit(main())
