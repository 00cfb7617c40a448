"""The self-check behind ``qingfeng --self-check`` and ``qingfeng-cli doctor``.

Each line is ok / warn / fail with what to do. Nothing is written to the database (it is
opened without upgrading); a failing line makes the commands exit with :data:`EXIT_CODE`.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from app import audit, backups, clock, workdays
from db import keys, migrate
from db.engine import Database, integrity_check, open_sqlcipher
from db.errors import KeyMissing, NewerDatabase, QingfengError, WrongKey

EXIT_CODE = 21
OK, WARN, FAIL = "ok", "warn", "fail"
MARK = {OK: "✓ 正常", WARN: "! 注意", FAIL: "✗ 失败"}
MIN_FREE = 500 * 1024 * 1024


@dataclass
class Check:
    name: str
    status: str
    message: str
    advice: str = ""


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    exit_code: int = EXIT_CODE

    @property
    def ok(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    def add(self, name: str, status: str, message: str, advice: str = "") -> None:
        self.checks.append(Check(name, status, message, advice))

    def lines(self) -> list[str]:
        out = []
        for c in self.checks:
            line = f"[{MARK[c.status]}] {c.name}：{c.message}"
            if c.advice and c.status != OK:
                line += f" —— {c.advice}"
            out.append(line)
        fails = sum(c.status == FAIL for c in self.checks)
        warns = sum(c.status == WARN for c in self.checks)
        out.append("自检通过。" if not fails and not warns else
                   f"自检完成：{fails} 项失败，{warns} 项需要注意。")
        return out


def version() -> str:
    from importlib import metadata

    try:
        return metadata.version("qingfeng-ledger")
    except metadata.PackageNotFoundError:  # the bundle copies it (installer/qingfeng.spec)
        return "（版本信息缺失）"


def run(db_path: Path, *, passphrase: str | None = None, database: Database | None = None) -> Report:
    """Run every check on the database at ``db_path`` (or the already open ``database``)."""
    report = Report()
    report.add("程序版本", OK, f"清风台账 {version()}，数据结构版本 {migrate.head_revision()}")
    own = database is None
    if database is None:
        database = _open(report, db_path, passphrase)
    try:
        if database is not None:
            if database.path is not None:
                _key(report, database)
            _database_checks(report, database)
        _fonts(report, database)
        _backups(report, db_path, database.key if database is not None else None)
        _disk(report, db_path)
    finally:
        if own and database is not None:
            database.dispose()
    return report


def _open(report: Report, db_path: Path, passphrase: str | None) -> Database | None:
    if not db_path.exists():
        report.add("数据库", FAIL, f"{db_path} 不存在", "首次使用请运行 qingfeng 建立数据库，或用 --db 指定数据库文件")
        return None
    try:
        database = open_sqlcipher(db_path, passphrase=passphrase, upgrade=False)
    except (KeyMissing, WrongKey) as exc:
        report.add("密钥", FAIL, str(exc), "用恢复码打开：qingfeng-cli unlock --recovery-code …")
        return None
    except NewerDatabase as exc:
        report.add("数据库", FAIL, str(exc), "请安装新版本的清风台账")
        return None
    except QingfengError as exc:
        report.add("数据库", FAIL, str(exc), "从最近的备份恢复：qingfeng-cli restore --latest")
        return None
    return database


def _key(report: Report, database: Database) -> None:
    kf = keys.keyfile_path(database.path)
    storage = keys.KeyFile.load(kf).storage if kf.exists() else "?"
    where = {"keyring": "系统凭据管理器", "passphrase": "口令保护的密钥文件"}.get(storage, storage)
    from db.models import AuditEntry

    with database.session(write=False) as s:
        printed = s.execute(select(AuditEntry.ts).where(AuditEntry.entity_id == "recovery-sheet")
                            .order_by(AuditEntry.seq.desc())).scalar()
    code = (f"恢复码已于 {printed:%Y-%m-%d} 打印" if printed else
            "恢复码在初始化时显示，并由管理员确认已打印或抄写")
    report.add("密钥", OK, f"密钥可用（保存在{where}）；{code}")


def _database_checks(report: Report, database: Database) -> None:
    current = migrate.current_revision(database)
    if current != migrate.head_revision():
        report.add("数据结构", WARN, f"数据库结构版本 {current}，本程序为 {migrate.head_revision()}",
                   "正常启动程序即会先备份再升级")
    result = integrity_check(database)
    if result == "ok":
        report.add("数据库完整性", OK, f"{database.path} 通过 integrity_check")
    else:
        report.add("数据库完整性", FAIL, f"完整性检查未通过：{result}", "从最近的备份恢复：qingfeng-cli restore --latest")
        return
    with database.session(write=False) as s:
        problems = audit.verify_chain(s)
        if problems:
            report.add("审计链", FAIL, "；".join(problems[:3]),
                       "运行 qingfeng-cli audit verify 查看详情，并报告上级；必要时从备份恢复")
        else:
            report.add("审计链", OK, "哈希链完整")
        today = clock.today()
        years = set(workdays.covered_years(s))
        if today.year not in years:
            report.add("节假日日历", FAIL, f"没有 {today.year} 年的节假日安排，办理时限无法按工作日计算",
                       "在 系统设置 → 节假日日历 中导入国务院办公厅公布的安排")
        elif today.year + 1 not in years:
            report.add("节假日日历", WARN, f"已有 {today.year} 年，还没有 {today.year + 1} 年的节假日安排",
                       f"国务院办公厅公布 {today.year + 1} 年安排后，在 系统设置 → 节假日日历 中导入")
        else:
            report.add("节假日日历", OK, f"覆盖 {today.year} 年和 {today.year + 1} 年")


def names_in(database: Database) -> str:
    from db.models import Household, Member

    with database.session(write=False) as s:
        names = set(s.execute(select(Member.name)).scalars())
        names.update(s.execute(select(Household.head_name)).scalars())
    return "".join(sorted(names))


def _fonts(report: Report, database: Database | None) -> None:
    from app.documents import fonts

    try:
        fs = fonts.get_fonts()
    except (FileNotFoundError, OSError) as exc:
        report.add("字体", FAIL, f"字体无法加载：{exc}", "请重新安装程序")
        return
    if database is None:
        report.add("字体", OK, f"字体可以加载（宋体：{fs.name('song')}）")
        return
    text = names_in(database)
    missing = fonts.missing_glyphs(text, "song", fonts=fs)
    if missing:
        report.add("字体", WARN, f"数据库中的姓名有 {len(missing)} 个字打印不出：{missing[:20]}",
                   "这些字在打印的文书上会缺失；请安装含这些字的字体（如花园明朝 HanaMin）")
    else:
        report.add("字体", OK, f"字体可以加载，数据库中 {len(set(text))} 个姓名用字都能打印")


def _backups(report: Report, db_path: Path, key: bytes | None) -> None:
    from db import backup

    found = [e for e in backups.list_backups(db_path) if e.verified]
    if not found:
        report.add("备份", WARN, f"{backups.folder(db_path)} 中还没有备份",
                   "每天第一次使用时会自动备份；也可在 系统设置 → 数据安全 中点“立即备份”")
    else:
        newest = found[0]
        age = clock.now() - newest.moment
        verified = ""
        if key is not None:
            try:
                backup.verify_file(newest.path, key, quick=True)
                verified = "，重新校验通过"
            except QingfengError as exc:
                report.add("备份", FAIL, f"最近的备份 {newest.path.name} 校验失败：{exc}",
                           "立即重新备份（系统设置 → 数据安全 → 立即备份）")
                return
        status = OK if age <= timedelta(days=2) else WARN
        report.add("备份", status, f"共 {len(found)} 份，最近一份 {newest.moment:%Y-%m-%d %H:%M}（{newest.label}）{verified}",
                   "已超过两天没有备份：请打开程序或运行 qingfeng-cli backup")
    note = backups.reminder(db_path)
    if note:
        report.add("第二备份位置", WARN, note)


def _disk(report: Report, db_path: Path) -> None:
    where = db_path.parent if db_path.parent.exists() else Path.home()
    free = shutil.disk_usage(where).free
    size = db_path.stat().st_size if db_path.exists() else 0
    need = max(MIN_FREE, 3 * size)
    text = f"{where} 所在磁盘剩余 {free / 1024 ** 3:.1f} GB"
    if free < 2 * size + 50 * 1024 * 1024:
        report.add("磁盘空间", FAIL, text, "空间不足以再做一次备份：请删除不需要的文件")
    elif free < need:
        report.add("磁盘空间", WARN, text, "磁盘空间偏少：请清理磁盘")
    else:
        report.add("磁盘空间", OK, text)
