"""Log files and the diagnostic bundle.

The program logs to rotating files in the user's log folder (``platformdirs.user_log_dir``,
or ``QINGFENG_LOG_DIR``). The diagnostic bundle sent to support is a zip with the self-check,
versions, row counts and the logs — with every name and ID number of the database, every
18-digit ID, phone number and quoted value replaced, so it holds no personal data.
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import platform
import re
import sys
import zipfile
from pathlib import Path

from app import clock

LOG_NAME = "qingfeng.log"
MAX_BYTES, BACKUPS = 1024 * 1024, 5
_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<!\d)\d{15}(?!\d)")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_QUOTED = re.compile(r"“[^”]{0,80}”")


def log_dir() -> Path:
    env = os.environ.get("QINGFENG_LOG_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_log_dir("QingfengLedger", appauthor=False))


def setup(kind: str) -> Path | None:
    """Add the rotating file handler to the root logger once; returns the log file."""
    root = logging.getLogger()
    where = log_dir()
    for h in [h for h in root.handlers if getattr(h, "qf_file", False)]:
        if Path(h.baseFilename).parent == where.resolve():
            return Path(h.baseFilename)
        root.removeHandler(h)  # the log folder was changed (QINGFENG_LOG_DIR)
        h.close()
    try:
        where.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(where / LOG_NAME, maxBytes=MAX_BYTES,
                                                       backupCount=BACKUPS, encoding="utf-8")
        os.chmod(where / LOG_NAME, 0o600)
    except OSError:
        return None  # a read-only profile must not stop the program; logs go to stderr only
    handler.qf_file = True
    handler.setFormatter(logging.Formatter(f"%(asctime)s {kind} %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        for h in root.handlers:  # the console shows what it showed before: warnings and errors
            if h.level == logging.NOTSET:
                h.setLevel(max(root.level, logging.WARNING))
        root.setLevel(logging.INFO)
    root.addHandler(handler)
    return where / LOG_NAME


def scrub(text: str, names: set[str]) -> str:
    """Replace the names of the database, ID and phone numbers and quoted values."""
    for name in sorted((n for n in names if n and len(n) >= 2), key=len, reverse=True):
        text = text.replace(name, "[姓名]")
    text = _ID.sub("[证件号]", text)
    text = _PHONE.sub("[电话]", text)
    return _QUOTED.sub("“[已隐去]”", text)


def personal_names(database) -> set[str]:  # noqa: ANN001 - db.engine.Database
    from sqlalchemy import select

    from db.models import Household, Member, User

    with database.session(write=False) as s:
        names = set(s.execute(select(Member.name)).scalars())
        names.update(s.execute(select(Household.head_name)).scalars())
        names.update(s.execute(select(User.display_name)).scalars())
    return names


def diagnostic_bundle(target: Path | str, *, database=None, db_path: Path | None = None,  # noqa: ANN001
                      extra: dict[str, str] | None = None) -> Path:
    """Write the zip for support; nothing personal (see module doc)."""
    from app import selfcheck
    from db import backup

    target = Path(target)
    names = personal_names(database) if database is not None else set()
    files: dict[str, str] = {}
    if db_path is not None:
        report = selfcheck.run(db_path, database=database)
        files["自检.txt"] = "\n".join(report.lines()) + "\n"
    info = [f"时间：{clock.now():%Y-%m-%d %H:%M:%S}", f"程序版本：{selfcheck.version()}",
            f"Python：{sys.version.split()[0]}", f"系统：{platform.platform()}"]
    files["系统信息.txt"] = "\n".join(info + [f"{k}：{v}" for k, v in (extra or {}).items()]) + "\n"
    if database is not None:
        from db import migrate

        rows = [f"结构版本：{migrate.current_revision(database)}"]
        rows += [f"{t}：{backup.row_count(database, t)} 行" for t in sorted(backup.table_names(database))]
        files["数据库概况.txt"] = "\n".join(rows) + "\n"
    where = log_dir()
    logs = sorted(where.glob(LOG_NAME + "*")) if where.is_dir() else []
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, scrub(text, names))
        for log in logs:
            z.writestr(f"日志/{log.name}", scrub(log.read_text(encoding="utf-8", errors="replace"), names))
    os.chmod(target, 0o600)
    return target
