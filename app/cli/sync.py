"""card export|import, package export|import|log, district status|assign|answer|assignments|duplicates.

A refused package exits 20 with the Chinese reason (``app.sync.format.PackageRefused``).
"""
from __future__ import annotations

import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path

from app.cli.common import Context, add_json, dump_json, error, info
from app.errors import ValidationError
from app.sync import cards, district, export, importer, log, runs, tables
from app.sync.format import PackageRefused
from app.sync.lock import allow_corrections  # noqa: F401  (used by app.cli.main)


def register(sub) -> None:  # noqa: ANN001
    p = sub.add_parser("card", help="单位名片：导出本单位名片，导入对方名片（核对指纹）")
    csub = p.add_subparsers(dest="card_command", metavar="子命令", required=True)
    c = csub.add_parser("export", help="导出本单位名片（.json）")
    c.add_argument("--out", required=True)
    add_json(c)
    c.set_defaults(handler=cmd_card_export)
    c = csub.add_parser("import", help="导入对方单位的名片")
    c.add_argument("file")
    c.add_argument("--replace", action="store_true", help="更换已有单位的名片（新密钥）")
    c.add_argument("--yes", action="store_true", help="确认已电话核对新名片的指纹")
    add_json(c)
    c.set_defaults(handler=cmd_card_import)
    c = csub.add_parser("list", help="已登记的单位名片")
    add_json(c)
    c.set_defaults(handler=cmd_card_list)

    p = sub.add_parser("package", help="数据交换包：导出、导入、交换记录")
    psub = p.add_subparsers(dest="package_command", metavar="子命令", required=True)
    c = psub.add_parser("export", help="为接收单位生成数据包")
    c.add_argument("--to", required=True, help="接收单位代码")
    c.add_argument("--out", required=True, help="保存到的文件夹")
    c.add_argument("--full", action="store_true", help="完整数据包（而不是上次确认以来的变更）")
    c.add_argument("--period", help="报送月份 YYYY-MM（默认本月）")
    c.add_argument("--reports", action="store_true", help="附上该月的动态管理月报 PDF")
    add_json(c)
    c.set_defaults(handler=cmd_package_export)
    c = psub.add_parser("import", help="导入数据包（先检查，再在一个事务中导入，并生成回执）")
    c.add_argument("file", nargs="+", help="数据包文件；可一次给出多个（导入前只做一次安全备份；拒收的列出原因，其余的导入）")
    c.add_argument("--dry-run", action="store_true", help="只预览，不导入")
    c.add_argument("--ack-dir", help="回执保存到的文件夹（默认与数据包同一文件夹）")
    add_json(c)
    c.set_defaults(handler=cmd_package_import)
    c = psub.add_parser("log", help="交换记录")
    add_json(c)
    c.set_defaults(handler=cmd_package_log)

    p = sub.add_parser("district", help="区县模式：乡镇报送情况、交办问题、跨乡镇比对")
    dsub = p.add_subparsers(dest="district_command", metavar="子命令", required=True)
    c = dsub.add_parser("status", help="各乡镇报送情况")
    add_json(c)
    c.set_defaults(handler=cmd_district_status)
    c = dsub.add_parser("assign", help="向乡镇交办问题（随下一个数据包下发）")
    c.add_argument("--to", required=True)
    c.add_argument("--title", required=True)
    c.add_argument("--text", required=True)
    c.add_argument("--deadline", required=True, help="整改期限 YYYY-MM-DD")
    add_json(c)
    c.set_defaults(handler=cmd_district_assign)
    c = dsub.add_parser("answer", help="乡镇对交办问题的整改反馈")
    c.add_argument("assignment")
    c.add_argument("--text", required=True)
    c.add_argument("--done", action="store_true", help="已整改完成")
    add_json(c)
    c.set_defaults(handler=cmd_district_answer)
    c = dsub.add_parser("assignments", help="交办问题及整改反馈")
    add_json(c)
    c.set_defaults(handler=cmd_district_assignments)
    c = dsub.add_parser("duplicates", help="跨乡镇比对：同一身份证号在两个乡镇")
    add_json(c)
    c.set_defaults(handler=cmd_district_duplicates)


def cmd_card_export(ctx: Context) -> int:
    with ctx.database().session() as s:
        data = cards.export_card(s, ctx.actor(s))
        card = cards.parse_card(data)
    Path(ctx.args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(ctx.args.out).write_bytes(data)
    if ctx.json:
        dump_json(asdict(card))
    else:
        info(f"已导出 {card.name}（{card.code}）的单位名片：{ctx.args.out}\n指纹：{card.fingerprint}"
             "\n请通过电话向对方单位读出此指纹核对。")
    return 0


def cmd_card_import(ctx: Context) -> int:
    a = ctx.args
    if a.replace and not a.yes:
        raise ValidationError("--replace", "未确认", "更换名片须在电话核对新指纹后加 --yes 确认")
    try:
        data = Path(a.file).read_bytes()
    except OSError as exc:
        raise ValidationError("名片文件", a.file, f"无法读取（{exc.strerror}）") from None
    with ctx.database().session() as s:
        card = cards.import_card(s, ctx.actor(s), data, replace=a.replace and a.yes)
    if ctx.json:
        dump_json(asdict(card))
    else:
        info(f"已登记 {card.name}（{card.code}）的单位名片。\n指纹：{card.fingerprint}\n请与对方电话核对指纹。")
    return 0


def cmd_card_list(ctx: Context) -> int:
    with ctx.database().read() as s:
        rows = cards.list_cards(s)
    if ctx.json:
        dump_json([asdict(c) for c in rows])
    else:
        for c in rows:
            print(f"{c.code}\t{c.name}\t{c.level}\t{c.fingerprint}")
    return 0


def cmd_package_export(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session(durable=True) as s:  # on the disk before the file leaves
        r = export.export_package(s, ctx.actor(s), a.to, Path(a.out), full=a.full, period=a.period,
                                   reports=a.reports)
    if ctx.json:
        dump_json({"paths": [str(p) for p in r.paths], "size": r.size, "kind": r.kind, "seq": r.seq,
                   "period": r.period, "recipient": r.recipient, "counts": r.counts, "hash": r.hash,
                   "note": r.note})
    else:
        if r.note:
            info(r.note)
        kind = "完整" if r.kind == "full" else "增量"
        info(f"已生成第 {r.seq} 号{kind}数据包（{r.period}，{r.size / 1024:.0f} KB）：" +
             "、".join(str(p) for p in r.paths) + f"\n内容：{tables.describe_counts(r.counts, r.kind)}")
    return 0


def cmd_package_import(ctx: Context) -> int:
    a = ctx.args
    database = ctx.database()
    with database.read() as s:
        actor = ctx.actor(s)
    if len(a.file) == 1:
        result = runs.run_import(database, actor, Path(a.file[0]), dry_run=a.dry_run, ack_dir=a.ack_dir)
        if ctx.json:
            dump_json(result.as_dict())
            return 0
        _print_import(result)
        return 0
    items = runs.run_imports(database, actor, [Path(f) for f in a.file], dry_run=a.dry_run,
                                 ack_dir=a.ack_dir)
    refused = [i for i in items if i.refused]
    if ctx.json:
        dump_json([{"file": i.path, "refused": i.refused, "result": i.result and i.result.as_dict()}
                   for i in items])
    else:
        for i in items:
            info(f"—— {i.path}")
            if i.refused:
                error(f"未导入：{i.refused}")
            else:
                _print_import(i.result)
        info(f"共 {len(items)} 个数据包：导入或预览 {len(items) - len(refused)} 个，拒收 {len(refused)} 个。")
    return PackageRefused.exit_code if refused else 0


def _print_import(result: importer.ImportResult) -> None:
    info(result.message)
    for name, t in result.tables.items():
        if t.new or t.updated or t.refused:
            print(f"{t.label}\t新增 {t.new}\t更新 {t.updated}\t未变 {t.unchanged}\t拒收 {len(t.refused)}")
        for r in t.refused[:20]:
            print(f"  拒收 {r['id']}：{r['reason']}")
    for c in result.corrections:
        print(f"更正（{c['period']}）：{c['entity']} {c['entity_id']}：{c['reason']}")
    if result.status == "preview":
        info("以上为预览，未导入。确认后去掉 --dry-run 再运行。")
    for p in result.documents:
        info(f"报表：{p}")
    for p in result.ack_paths:
        info(f"回执：{p}（请送回发送单位导入）")


def cmd_package_log(ctx: Context) -> int:
    with ctx.database().read() as s:
        rows = log.entries(s)
    if ctx.json:
        dump_json([asdict(r) for r in rows])
        return 0
    for r in rows:
        print(f"{r.ts:%Y-%m-%d %H:%M}\t{log.DIRECTIONS.get(r.direction, r.direction)}\t"
              f"{log.KINDS.get(r.kind, r.kind)}\t{r.peer}\t第 {r.seq} 号\t{r.period}\t{r.hash[:12]}\t"
              f"{r.state}\t{r.username}")
    return 0


def cmd_district_status(ctx: Context) -> int:
    with ctx.database().read() as s:
        rows = district.township_status(s)
    if ctx.json:
        dump_json([asdict(r) for r in rows])
        return 0
    for r in rows:
        chain = "审计链正常" if r.chain_ok else f"审计链告警：{r.chain_alarm}"
        print(f"{r.code}\t{r.name}\t最近第 {r.last_seq or '-'} 号（{r.last_period or '未报送'}）\t"
              f"缺报：{r.missing_text}\t{chain}\t月报：{r.monthly}")
    return 0


def cmd_district_assign(ctx: Context) -> int:
    a = ctx.args
    try:
        deadline = date.fromisoformat(a.deadline)
    except ValueError:
        raise ValidationError("--deadline", a.deadline, "应为 YYYY-MM-DD") from None
    with ctx.database().session() as s:
        new_id = district.assign(s, ctx.actor(s), to_office=a.to, title=a.title, description=a.text,
                                 deadline=deadline)
    dump_json({"id": new_id}) if ctx.json else info(f"已交办（{new_id}），将随下一个数据包下发。")
    return 0


def cmd_district_answer(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        new_id = district.answer(s, ctx.actor(s), a.assignment, content=a.text, done=a.done)
    dump_json({"id": new_id}) if ctx.json else info(f"已登记整改反馈（{new_id}），将随下一个数据包报送。")
    return 0


def cmd_district_assignments(ctx: Context) -> int:
    with ctx.database().read() as s:
        rows = district.assignments(s)
    if ctx.json:
        dump_json([asdict(r) for r in rows])
        return 0
    for r in rows:
        print(f"{r.id}\t{r.target_office}\t{r.title}\t期限 {r.deadline}\t{'逾期' if r.overdue else ''}\t"
              f"反馈 {len(r.answers)} 条")
    return 0


def cmd_district_duplicates(ctx: Context) -> int:
    with ctx.database().read() as s:
        rows = district.cross_township_duplicates(s)
    if ctx.json:
        dump_json([asdict(r) for r in rows])
        return 0
    for r in rows:
        print(f"{r.id_number}\t{'、'.join(r.names)}\t{'、'.join(r.offices)}")
    print(f"共 {len(rows)} 人在两个以上乡镇", file=sys.stderr)
    return 0
