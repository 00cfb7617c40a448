"""First run: a new office database (office, villages, first administrator, key), and the demo
database. Nothing is left behind when set-up fails or is cancelled."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app import offices, users
from app.errors import ValidationError
from app.jobs import Progress, raise_if_cancelled
from app.permissions import Actor
from db import keys
from db.engine import Database, create_sqlcipher

DEMO_OFFICE, DEMO_OFFICE_NAME, DEMO_PARENT = "640424100", "香水镇人民政府", "640424"
DEMO_ADMIN, DEMO_PASSWORD = "admin", "demo1234"
# The demo's logins, one per role, all with DEMO_PASSWORD (listed on the login screen, README):
# the two-person workflow (经办人 proposes, 审核人 approves) can be tried at once.
DEMO_USERS = ((DEMO_ADMIN, "演示管理员", "管理员"), ("demo_clerk", "马晓梅（演示经办人）", "经办人"),
              ("demo_reviewer", "李建军（演示审核人）", "审核人"))
DEMO_HOUSEHOLDS = 300
# Used only for the demo database, only on a PC without a secure keyring; said so on screen.
DEMO_PASSPHRASE = "qingfeng-demo-only"
MIN_PASSPHRASE = 8


def demo_db_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("QingfengLedger", appauthor=False)) / "demo.qfdb"


def check_password(password: str, again: str | None = None) -> None:
    """The password rule of :mod:`app.users`, plus the two entries agreeing."""
    if again is not None and password != again:
        raise ValidationError("密码", "******", "两次输入的密码不一致")
    users.check_new_password(password)  # the one home of the password rule


def check_passphrase(passphrase: str, again: str | None = None) -> None:
    if again is not None and passphrase != again:
        raise ValidationError("数据库口令", "******", "两次输入的口令不一致")
    if len(passphrase or "") < MIN_PASSPHRASE:
        raise ValidationError("数据库口令", "******", f"至少 {MIN_PASSPHRASE} 位")


@dataclass
class Created:
    database: Database
    recovery_code: str
    admin: Actor


def _remove_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".qfkey"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def create_office_database(path: Path | str, *, code: str, name: str, level: str,
                           parent: str | None, villages: list[str], admin: str, admin_name: str,
                           admin_password: str, passphrase: str | None = None,
                           demo_households: int = 0, progress: Progress | None = None,
                           cancelled: Callable[[], bool] | None = None,
                           extra_users: tuple[tuple[str, str, str], ...] = ()) -> Created:
    """Create, initialise and optionally fill with demo data; all or nothing."""
    offices.check_office_code(code, level)
    check_password(admin_password)
    path = Path(path).resolve()
    if progress:
        progress.update(0, 0, "正在建立加密数据库……")
    database, key = create_sqlcipher(path, passphrase=passphrase)
    try:
        with database.session() as s:
            actor = offices.init_office(s, code=code, name=name, level=level, parent=parent,
                                        admin=admin, admin_password=admin_password,
                                        admin_name=admin_name, villages=villages)
            for username, display_name, role in extra_users:  # the demo's other logins
                users.create_user(s, actor, username=username, display_name=display_name, role=role,
                                  password=admin_password, must_change=False)
        if demo_households:
            with database.session() as s:
                def step(done: int, total: int) -> None:
                    if progress:
                        progress.update(done, total, f"正在生成演示数据：{done}/{total} 户……")
                if progress:
                    progress.update(0, demo_households, "正在生成演示数据……")
                from app import demo  # only when demo data is asked for

                demo.generate(s, actor, households=demo_households, progress=step,
                              cancelled=cancelled)
                raise_if_cancelled(cancelled)  # inside the unit of work: rolls back
        raise_if_cancelled(cancelled)
    except BaseException:
        database.dispose()
        _remove_files(path)
        raise
    return Created(database=database, recovery_code=keys.recovery_code(key), admin=actor)


def create_demo_database(path: Path | str, *, households: int = DEMO_HOUSEHOLDS,
                         progress: Progress | None = None,
                         cancelled: Callable[[], bool] | None = None) -> Created:
    passphrase = None if keys.keyring_available() else DEMO_PASSPHRASE
    return create_office_database(
        path, code=DEMO_OFFICE, name=DEMO_OFFICE_NAME, level="township", parent=DEMO_PARENT,
        villages=[], admin=DEMO_ADMIN, admin_name="演示管理员", admin_password=DEMO_PASSWORD,
        passphrase=passphrase, demo_households=households, progress=progress, cancelled=cancelled,
        extra_users=tuple(u for u in DEMO_USERS if u[0] != DEMO_ADMIN))


def key_storage(path: Path | str) -> str | None:
    """"keyring", "passphrase" or None (no key file) for the database at ``path``."""
    kf = keys.keyfile_path(Path(path).resolve())
    if not kf.exists():
        return None
    try:
        return keys.KeyFile.load(kf).storage
    except (OSError, ValueError, KeyError, TypeError):  # unreadable or damaged: opening says so
        return None
