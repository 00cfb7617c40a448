"""Set-up and safekeeping: init, unlock, demo, backup, restore, audit, settings, users."""
from __future__ import annotations

import json
from pathlib import Path

from app import audit, demo, offices, rulesettings, users
from app.cli.common import Context, add_json, dump_json, info, prompt_secret
from app.errors import AuditBroken, ValidationError
from app.permissions import ROLES, require
from db import keys
from db import engine as db_engine
from db.errors import QingfengError


def register(sub) -> None:  # noqa: ANN001 - argparse subparsers
    p = sub.add_parser("init", help="建立新的加密数据库")
    p.add_argument("--office", required=True, help="单位代码：乡镇 9 位，区县 6 位")
    p.add_argument("--name", required=True, help="单位名称")
    p.add_argument("--level", required=True, choices=["township", "district"])
    p.add_argument("--parent", help="上级区县代码（6 位）")
    p.add_argument("--admin", required=True, help="管理员用户名")
    p.add_argument("--admin-name", help="管理员姓名")
    p.add_argument("--village", action="append", default=[], help="村（居）名称，可重复")
    add_json(p)
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("unlock", help="用恢复码在本机打开数据库（换电脑后使用）")
    p.add_argument("--recovery-code", required=True)
    p.set_defaults(handler=cmd_unlock)

    p = sub.add_parser("demo", help="生成演示数据")
    p.add_argument("--households", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    add_json(p)
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("audit", help="审计日志")
    asub = p.add_subparsers(dest="audit_command", metavar="子命令", required=True)
    v = asub.add_parser("verify", help="校验审计链和每条记录")
    add_json(v)
    v.set_defaults(handler=cmd_audit_verify)

    p = sub.add_parser("settings", help="规则设置")
    ssub = p.add_subparsers(dest="settings_command", metavar="子命令", required=True)
    s = ssub.add_parser("show")
    add_json(s)
    s.set_defaults(handler=cmd_settings_show)
    s = ssub.add_parser("set")
    s.add_argument("key")
    s.add_argument("value", help="JSON 值，如 7 或 '{\"A\": 12}'")
    s.set_defaults(handler=cmd_settings_set)

    p = sub.add_parser("user", help="用户管理")
    usub = p.add_subparsers(dest="user_command", metavar="子命令", required=True)
    u = usub.add_parser("add")
    u.add_argument("username")
    u.add_argument("--name", required=True)
    u.add_argument("--role", required=True, choices=ROLES)
    u.set_defaults(handler=cmd_user_add)
    u = usub.add_parser("list")
    add_json(u)
    u.set_defaults(handler=cmd_user_list)
    u = usub.add_parser("reset-password", help="重置用户密码（管理员；该用户下次登录须修改）")
    u.add_argument("username")
    u.set_defaults(handler=cmd_user_reset_password)


def cmd_init(ctx: Context) -> int:
    a = ctx.args
    passphrase = None
    if not ctx.args.url and not keys.keyring_available():
        passphrase = prompt_secret("数据库口令（本机无系统凭据管理器）", "QINGFENG_PASSPHRASE", confirm=True)
        if len(passphrase) < 8:
            raise ValidationError("数据库口令", "******", "至少 8 位")
    password = prompt_secret(f"管理员 {a.admin} 的密码", "QINGFENG_PASSWORD", confirm=True)
    users.check_new_password(password)
    if a.url:
        database, key = db_engine.open_url(a.url, create=True), None
    else:
        database, key = db_engine.create_sqlcipher(ctx.db_path, passphrase=passphrase)
    ctx._db = database
    try:
        with database.session() as s:
            offices.init_office(s, code=a.office, name=a.name, level=a.level, parent=a.parent,
                                admin=a.admin, admin_password=password, admin_name=a.admin_name,
                                villages=a.village)
    except QingfengError:
        if key is not None:
            database.dispose()
            ctx._db = None
            for suffix in ("", "-wal", "-shm", ".qfkey"):
                Path(str(ctx.db_path) + suffix).unlink(missing_ok=True)
        raise
    code = keys.recovery_code(key) if key else None
    where = str(database.path) if database.path else database.engine.url.render_as_string(hide_password=True)
    if ctx.json:
        dump_json({"db": where, "office": a.office, "recovery_code": code})
    else:
        info(f"已建立数据库：{where}（单位 {a.office} {a.name}，管理员 {a.admin}）")
        if code:
            info("恢复码（只显示这一次，请打印或抄写后存放在单位保险柜；换电脑时用它打开数据库）：")
            print(code)
    return 0


def cmd_unlock(ctx: Context) -> int:
    path = ctx.db_path.resolve()
    db_engine.check_file(path)
    key = keys.key_from_recovery_code(ctx.args.recovery_code)
    kf = keys.keyfile_path(path)
    if kf.exists():
        keys.load_key(path, recovery=ctx.args.recovery_code)  # refuses a code for another database
    db_engine.probe_key(path, key)
    passphrase = None
    if not keys.keyring_available():
        passphrase = prompt_secret("为本机设置数据库口令", "QINGFENG_PASSPHRASE", confirm=True)
    keys.store_key(key, path, passphrase=passphrase)
    info(f"已在本机保存数据库 {path} 的密钥。")
    return 0


def cmd_demo(ctx: Context) -> int:
    database = ctx.database()
    if ctx.args.households < 1 or ctx.args.households > 200000:
        raise ValidationError("--households", ctx.args.households, "应在 1 到 200000 之间")
    with database.session() as s:
        actor = ctx.actor(s)
        require(actor, "household.edit")

        def progress(done: int, total: int) -> None:
            if not ctx.json and done % 500 == 0:
                info(f"  已生成 {done}/{total} 户……")

        n = demo.generate(s, actor, households=ctx.args.households, seed=ctx.args.seed,
                          progress=progress)
    if ctx.json:
        dump_json({"households": n})
    else:
        info(f"已生成 {n} 户演示数据。")
    return 0


def cmd_audit_verify(ctx: Context) -> int:
    database = ctx.database()
    with database.session(write=False) as s:
        ctx.actor(s)
        report = audit.verify(s)
    integrity = db_engine.integrity_check(database)
    if integrity != "ok":
        report.problems.append(audit.Problem(None, "database", "file", f"数据库文件完整性检查未通过：{integrity}"))
    if ctx.json:
        dump_json({"ok": report.ok, "integrity": integrity, "entries": report.entries, "records": report.records,
                   "head": report.head_hash,
                   "problems": [p.__dict__ for p in report.problems]})
    else:
        for p in report.problems:
            info(f"  ✗ {p.message}")
        info(f"审计日志 {report.entries} 条，核对记录 {report.records} 条，链头 {report.head_hash[:16]}…："
             + ("全部一致。" if report.ok else f"发现 {len(report.problems)} 处问题。"))
    if not report.ok:
        return AuditBroken.exit_code
    return 0


def cmd_settings_show(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        ctx.actor(s)
        values = rulesettings.all_settings(s)
    if ctx.json:
        dump_json(values)
    else:
        for key, value in values.items():
            print(f"{rulesettings.RULES[key].label}（{key}）：{json.dumps(value, ensure_ascii=False)}")
    return 0


def cmd_settings_set(ctx: Context) -> int:
    try:
        value = json.loads(ctx.args.value)
    except json.JSONDecodeError:
        raise ValidationError("设置值", ctx.args.value, "应为 JSON，如 7、\"文字\" 或 {\"A\": 12}") from None
    with ctx.database().session() as s:
        rulesettings.set_value(s, ctx.actor(s), ctx.args.key, value)
    info(f"已修改 {rulesettings.RULES[ctx.args.key].label}。")
    return 0


def cmd_user_add(ctx: Context) -> int:
    password = prompt_secret(f"新用户 {ctx.args.username} 的密码", "QINGFENG_NEW_PASSWORD", confirm=True)
    with ctx.database().session() as s:
        u = users.create_user(s, ctx.actor(s), username=ctx.args.username,
                              display_name=ctx.args.name, role=ctx.args.role, password=password)
    info(f"已建立用户 {u.username}（{u.role}）。")
    return 0


def cmd_user_reset_password(ctx: Context) -> int:
    password = prompt_secret(f"用户 {ctx.args.username} 的新初始密码", "QINGFENG_NEW_PASSWORD", confirm=True)
    with ctx.database().session() as s:
        u = users.reset_password(s, ctx.actor(s), username=ctx.args.username, new=password)
    info(f"已重置 {u.username} 的密码（已记入审计日志）；请当面告知本人，下次登录须修改。")
    return 0


def cmd_user_list(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        ctx.actor(s)
        rows = users.list_users(s)
    if ctx.json:
        dump_json(rows)
    else:
        for u in rows:
            print(f"{u.username}\t{u.display_name}\t{u.role}\t{'启用' if u.active else '停用'}")
    return 0
