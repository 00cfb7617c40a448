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


class DatabaseDamaged(NotADatabase):
    """A page fails its HMAC (a flipped bit, a bad sector) or the file is malformed."""

    exit_code = 9


class WalDamaged(NotADatabase):
    """The write-ahead log beside the database holds committed changes that fail their checksum."""

    exit_code = 16


class DiskFull(QingfengError):
    exit_code = 17


class ReadOnlyLocation(QingfengError):
    exit_code = 18


class DatabaseBusy(QingfengError):
    """Another operation or another PC kept the database locked past the busy timeout."""

    exit_code = 22


class DatabaseInUse(BackupError):
    """A restore was asked for while another program still has the database open."""


RESTORE_HINT = ("请从最近的备份恢复：qingfeng-cli restore --latest，"
                "或在 系统设置 → 数据安全 中点“从备份恢复”。")


def translate(exc: BaseException, where: object = None) -> QingfengError | None:
    """The Chinese error for a driver or file-system error we know, or None.

    SQLite reports a page that fails its HMAC as "file is not a database" and a malformed
    b-tree as "database disk image is malformed"; a full disk and a read-only folder have
    their own messages (and errno values for our own file copies)."""
    import errno

    if isinstance(exc, QingfengError):
        return exc
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).lower()
    place = f"（{where}）" if where else ""
    if isinstance(orig, OSError) and not type(orig).__module__.startswith("sqlcipher3"):
        if orig.errno == errno.ENOSPC:
            return DiskFull(f"磁盘已满，无法写入{place}。数据没有改动。请删除不需要的文件或换一个磁盘后重试。")
        if orig.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return ReadOnlyLocation(f"文件夹是只读的或没有写入权限{place}：{orig.filename or ''}。"
                                    "数据没有改动。请换一个可写的位置，或检查 U 盘是否写保护。")
        return None
    if "disk is full" in text:
        return DiskFull(f"磁盘已满，数据库无法写入{place}。刚才的操作没有保存，已保存的数据不受影响。"
                        "请删除不需要的文件、腾出磁盘空间后重试。")
    if "readonly database" in text or "read-only" in text or "unable to open database file" in text:
        return ReadOnlyLocation(f"数据库所在的文件夹是只读的或没有写入权限{place}。刚才的操作没有保存。"
                                "请检查文件夹权限（或 U 盘写保护），或把数据库放到可写的位置。")
    if "database is locked" in text or "database is busy" in text or "database table is locked" in text:
        return DatabaseBusy(f"数据库正忙{place}：另一项操作或另一台电脑正在写入，这次没有保存。请稍候几秒再试。")
    if "file is not a database" in text or "malformed" in text or "hmac" in text:
        return DatabaseDamaged(f"数据库文件已损坏{place}：某一页数据校验失败（可能是磁盘坏道或文件被改动）。"
                               + RESTORE_HINT)
    return None


class UpgradeFailed(QingfengError):
    """A schema upgrade failed; its transaction was rolled back and the old file is in place."""

    exit_code = 19
