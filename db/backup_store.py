"""Where the automatic backups live, how they are named, listed and rotated.

Beside the database ``qingfeng.qfdb`` is the folder ``qingfeng-备份``: one encrypted,
verified copy per file, named ``20261120-083015-每日.qfdb`` (local time, then the reason),
each with a small sidecar ``.json`` saying what was verified (row counts, schema revision).
The copies kept aside by a restore live in the sub-folder ``恢复前``; they are never
overwritten and only the oldest beyond :data:`KEEP_PRE_RESTORE` are removed.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from db import backup, clock, keys

REASONS = {"daily": "每日", "migration": "升级前", "import": "导入前", "exchange": "交换前",
           "manual": "手动", "pre-restore": "恢复前"}
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12
KEEP_EVENTS = 10  # the latest backups made before a migration, an import or an exchange
KEEP_PRE_RESTORE = 10
PRE_RESTORE_DIR = "恢复前"
_NAME = re.compile(r"^(\d{8})-(\d{6})(?:-(\d+))?-(.+)\.qfdb$")


@dataclass(frozen=True)
class Entry:
    path: Path
    moment: datetime
    reason: str  # key of REASONS
    rows: int | None
    revision: str | None
    verified: bool

    @property
    def label(self) -> str:
        return REASONS.get(self.reason, self.reason)


def folder(db_path: Path) -> Path:
    return Path(db_path).resolve().parent / f"{Path(db_path).stem}-备份"


def pre_restore_folder(db_path: Path) -> Path:
    return folder(db_path) / PRE_RESTORE_DIR


def new_path(directory: Path, reason: str, moment: datetime | None = None) -> Path:
    """A fresh name in ``directory``, claimed atomically (an empty 0600 file created with
    O_EXCL): never one that exists, even when two programs back up in the same second."""
    moment = moment or clock.now_aware()
    stamp = moment.strftime("%Y%m%d-%H%M%S")
    label = REASONS.get(reason, reason)
    path, n = directory / f"{stamp}-{label}.qfdb", 1
    while True:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            return path
        except FileExistsError:
            n += 1
            path = directory / f"{stamp}-{n}-{label}.qfdb"


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def write_verified(database, directory: Path, reason: str) -> Entry:  # noqa: ANN001 - Database
    """Back ``database`` up into ``directory`` under a fresh name; the copy is verified."""
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    target = new_path(directory, reason)
    try:
        counts = backup.backup_to(database, target)
    except BaseException:
        target.unlink(missing_ok=True)  # the claimed name, never a finished backup
        raise
    return record(target, reason, counts, _revision(database))


def record(target: Path, reason: str, counts: dict[str, int], revision: str | None) -> Entry:
    moment = clock.now_aware()
    data = {"reason": reason, "rows": sum(counts.values()), "revision": revision,
            "verified_at": moment.isoformat(timespec="seconds")}
    side = _sidecar(target)
    side.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    backup.restrict(side)
    return _entry(target) or Entry(target, moment.replace(tzinfo=None), reason,
                                   data["rows"], revision, True)


def _revision(database) -> str | None:  # noqa: ANN001
    from db import migrate

    # plain SQL first (no Alembic import on the day's first start); Alembic when unusual
    return migrate.stored_revision(database) or migrate.current_revision(database)


def _entry(path: Path) -> Entry | None:
    m = _NAME.match(path.name)
    if not m:
        return None
    moment = datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S")
    reason = next((k for k, v in REASONS.items() if v == m.group(4)), m.group(4))
    rows = revision = None
    verified = False
    side = _sidecar(path)
    if side.exists():
        try:
            data = json.loads(side.read_text(encoding="utf-8"))
            rows, revision, verified = data.get("rows"), data.get("revision"), True
        except (ValueError, OSError):
            verified = False
    return Entry(path, moment, reason, rows, revision, verified)


def entries(directory: Path) -> list[Entry]:
    """The backups in ``directory``, newest first."""
    if not directory.is_dir():
        return []
    found = [e for p in directory.glob("*.qfdb") if (e := _entry(p)) is not None]
    return sorted(found, key=lambda e: (e.moment, e.path.name), reverse=True)


def _week(d: date) -> tuple[int, int]:
    iso = d.isocalendar()
    return iso[0], iso[1]


def to_keep(found: list[Entry]) -> set[Path]:
    """7 daily, 4 weekly, 12 monthly (the newest of each), and the latest event backups."""
    keep: set[Path] = set()
    for width, period in ((KEEP_DAILY, lambda d: d), (KEEP_WEEKLY, _week),
                          (KEEP_MONTHLY, lambda d: (d.year, d.month))):
        seen: list[object] = []
        for e in found:  # newest first: the first of each period is its newest
            p = period(e.moment.date())
            if p in seen:
                continue
            if len(seen) == width:
                break
            seen.append(p)
            keep.add(e.path)
    events = [e for e in found if e.reason in ("migration", "import", "exchange", "manual")]
    keep.update(e.path for e in events[:KEEP_EVENTS])
    return keep


def remove(entry_path: Path) -> None:
    entry_path.unlink(missing_ok=True)
    _sidecar(entry_path).unlink(missing_ok=True)
    keys.keyfile_path(entry_path).unlink(missing_ok=True)


def rotate(directory: Path) -> list[Path]:
    """Remove the backups the rotation no longer keeps; returns what was removed."""
    found = [e for e in entries(directory) if e.verified]
    keep = to_keep(found)
    removed = [e.path for e in found if e.path not in keep]
    for p in removed:
        remove(p)
    return removed


def rotate_pre_restore(directory: Path) -> None:
    for e in entries(directory)[KEEP_PRE_RESTORE:]:
        remove(e.path)
