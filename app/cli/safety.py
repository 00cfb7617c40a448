"""Keeping the data safe: backup, restore, the list of backups, the second folder, doctor."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.exc import DatabaseError

from app import audit, backups, offices, storage
from app.cli.common import Context, add_json, dump_json, info, prompt_secret
from app.permissions import require
from db import keys
from db.errors import BackupError, NotADatabase, translate


def register(sub) -> None:  # noqa: ANN001 - argparse subparsers
    p = sub.add_parser("backup", help="备份数据库（加密，校验后保存）")
    p.add_argument("--out", help="备份文件（默认：数据库旁的备份文件夹）")
    add_json(p)
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("restore", help="从备份恢复数据库（先校验备份，当前数据库另存后再替换）")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("file", nargs="?", help="备份文件")
    g.add_argument("--latest", action="store_true", help="恢复备份文件夹中最近一次校验过的备份")
    add_json(p)
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser("backups", help="自动备份：列表、第二备份位置")
    bsub = p.add_subparsers(dest="backups_command", metavar="子命令", required=True)
    b = bsub.add_parser("list", help="列出备份（最新的在前）")
    add_json(b)
    b.set_defaults(handler=cmd_backups_list)
    b = bsub.add_parser("second-folder", help="设置第二备份位置（如 U 盘上的文件夹）；--off 取消")
    b.add_argument("folder", nargs="?")
    b.add_argument("--off", action="store_true")
    b.set_defaults(handler=cmd_second_folder)

    p = sub.add_parser("doctor", help="自检：版本、数据库、审计链、密钥、字体、备份、磁盘、节假日日历")
    add_json(p)
    p.set_defaults(handler=cmd_doctor)


def cmd_backup(ctx: Context) -> int:
    database = ctx.database()
    with database.session(write=False) as s:
        actor = ctx.actor(s)
    if ctx.args.out:  # the one backup use case (also 系统设置 › 立即备份)
        target = Path(ctx.args.out).resolve()
        rows = sum(storage.make_backup(database, actor, target).values())
    else:
        with database.session() as s:
            require(actor, "export.personal")
            audit.record(s, actor, "backup", "document", "backup", None,
                         {"file": str(backups.folder(database.path))})
        entry = backups.safety_backup(database, "manual")
        if entry is None:
            raise BackupError("只有本机加密数据库可以用此命令备份；PostgreSQL 请用 pg_dump。")
        target, rows = entry.path, entry.rows
    if ctx.json:
        dump_json({"file": str(target), "rows": rows})
    else:
        info(f"已备份到 {target}，校验通过（{rows} 行）。")
    return 0


def cmd_restore(ctx: Context) -> int:
    if ctx.args.url:
        raise BackupError("服务器数据库（PostgreSQL）请由管理员用 pg_restore 恢复。")
    path = ctx.db_path.resolve()
    passphrase = os.environ.get("QINGFENG_PASSPHRASE")
    source = backups.latest(path).path if ctx.args.latest else Path(ctx.args.file)
    actor = office_code = credentials = None
    try:
        database = ctx.database(daily=False)
        with database.session(write=False) as s:
            actor = ctx.actor(s)
            require(actor, "backup.restore")
            office_code = offices.own_office(s).code
        key = database.key
    except (NotADatabase, DatabaseError) as exc:
        exc = translate(exc, path)
        if not isinstance(exc, NotADatabase):
            raise exc from None
        # the current database cannot be read: the key still proves who may restore, and the
        # user's password is checked against the backup itself
        info(f"当前数据库无法读取（{exc}）；将核对备份中的用户和密码。")
        key = keys.load_key(path, passphrase=passphrase)
        username = ctx.args.user or "admin"
        credentials = (username, prompt_secret(f"用户 {username} 的密码", "QINGFENG_PASSWORD"))
    ctx.close()
    result = backups.restore(path, source, key=key, actor=actor, office_code=office_code,
                             credentials=credentials, passphrase=passphrase)
    result.database.dispose()
    if ctx.json:
        dump_json({"restored": str(result.source), "kept": str(result.kept) if result.kept else None,
                   "rows": result.rows, "upgraded_from": result.upgraded_from})
    else:
        info(f"已从 {result.source} 恢复数据库（校验通过，{result.rows} 行）。")
        if result.kept:
            info(f"恢复前的数据库已校验并保存在 {result.kept}。")
        if result.upgraded_from:
            info(f"备份的数据结构已从版本 {result.upgraded_from} 升级。")
    return 0


def cmd_backups_list(ctx: Context) -> int:
    path = ctx.db_path.resolve()
    rows = backups.list_backups(path)
    kept = backups.list_pre_restore(path)
    if ctx.json:
        dump_json([{"file": str(e.path), "time": e.moment, "reason": e.label, "rows": e.rows,
                    "verified": e.verified, "pre_restore": e in kept} for e in rows + kept])
        return 0
    if not rows:
        info(f"备份文件夹 {backups.folder(path)} 中还没有备份。")
    for e in rows + kept:
        state = "已校验" if e.verified else "未校验"
        print(f"{e.moment:%Y-%m-%d %H:%M:%S}\t{e.label}\t{e.rows if e.rows is not None else '—'} 行\t{state}\t{e.path}")
    second = backups.second_folder(path)
    if second:
        info(f"第二备份位置：{second}")
    note = backups.reminder(path)
    if note:
        info(note)
    return 0


def cmd_second_folder(ctx: Context) -> int:
    if not ctx.args.off and not ctx.args.folder:
        raise BackupError("请给出第二备份位置的文件夹，或用 --off 取消。")
    database = ctx.database()
    with database.session(write=False) as s:
        actor = ctx.actor(s)
    folder = None if ctx.args.off else Path(ctx.args.folder)
    if folder is not None and not folder.is_dir():
        raise BackupError(f"文件夹 {folder} 不存在（U 盘是否已插上？）。")
    backups.set_second_folder(database, actor, folder)
    info("已取消第二备份位置。" if folder is None else f"第二备份位置：{folder.resolve()}。以后每次自动备份都会复制一份到这里。")
    return 0


def cmd_doctor(ctx: Context) -> int:
    from app import selfcheck

    report = selfcheck.run(ctx.db_path.resolve(), passphrase=os.environ.get("QINGFENG_PASSPHRASE"))
    if ctx.json:
        dump_json([{"name": c.name, "status": c.status, "message": c.message, "advice": c.advice}
                   for c in report.checks])
    else:
        for line in report.lines():
            print(line)
    return 0 if report.ok else report.exit_code
