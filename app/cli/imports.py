"""import roster|source, source list|remove, check, finding list|confirm|dismiss, push."""
from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path

from app import backups, clock, findings, push, sources
from app.cli.common import Context, add_json, dump_json, info
from app.errors import ValidationError
from app.imports import apply as ap
from app.imports import mapping as mp
from app.imports import roster as ro
from app import checks  # noqa: E402


def _cmd(parent, name: str, handler, help_text: str, *args: tuple) -> object:  # noqa: ANN001
    p = parent.add_parser(name, help=help_text)
    for flags, kw in args:
        p.add_argument(*((flags,) if isinstance(flags, str) else flags), **kw)
    add_json(p)
    p.set_defaults(handler=handler)
    return p


COMMON = (("--dry-run", {"action": "store_true", "help": "只预览，不写入"}),
          ("--skip-refused", {"action": "store_true", "help": "跳过有误的行，导入其余的（默认：有误则全部不导入）"}),
          ("--map", {"action": "append", "default": [], "metavar": "列=项目",
                     "help": "更正列对照，如 C=身份证号 或 F=（忽略该列）；可重复"}),
          ("--save-layout", {"action": "store_true", "help": "记住本文件格式的列对照，下次自动使用"}),
          ("--no-check", {"action": "store_true", "help": "导入后不自动运行数据比对"}))


def register(sub) -> None:  # noqa: ANN001
    top = sub.add_parser("import", help="导入花名册或外部比对数据（Excel/CSV）")
    isub = top.add_subparsers(dest="import_command", metavar="类型", required=True)
    _cmd(isub, "roster", cmd_import_roster, "导入救助对象花名册（或省级系统导出的家庭+人员文件）",
         ("file", {"help": "花名册文件，或省级系统的“家庭查询”文件"}),
         ("--persons", {"help": "省级系统的“人员查询”文件（与家庭文件按户主身份证号关联）"}),
         ("--category", {"help": "文件中没有“保障类别”列时使用的类别"}),
         ("--village", {"help": "文件中没有“村（居）”列时使用的村（居）"}), *COMMON)
    _cmd(isub, "source", cmd_import_source, "导入外部比对数据（死亡名单、财政供养人员、车辆、房产等）",
         ("file", {}), ("--kind", {"required": True, "choices": list(sources.KINDS),
                                   "help": "；".join(f"{k}={v}" for k, v in sources.KINDS.items())}),
         ("--origin", {"help": "数据来源单位，如 县殡葬管理所（导入时必填）"}),
         ("--date", {"help": "数据日期 YYYY-MM-DD（默认今天）"}), *COMMON)

    s = sub.add_parser("source", help="外部比对数据源").add_subparsers(dest="source_command", metavar="子命令", required=True)
    _cmd(s, "list", cmd_source_list, "列出数据源", ("--kind", {"choices": list(sources.KINDS)}))
    _cmd(s, "remove", cmd_source_remove, "删除数据源（以后的比对不再使用）", ("ref", {"help": "数据源编号"}),
         ("--reason", {"required": True}))

    _cmd(sub, "check", cmd_check, "运行数据比对规则",
         ("rule", {"nargs": "?", "choices": list(checks.RULES),
                   "help": "；".join(f"{k}={v[0]}" for k, v in checks.RULES.items()) + "（默认全部）"}))

    f = sub.add_parser("finding", help="比对疑点").add_subparsers(dest="finding_command", metavar="子命令", required=True)
    _cmd(f, "list", cmd_finding_list, "列出疑点", ("--rule", {"choices": list(checks.RULES)}),
         ("--state", {"choices": list(findings.STATES)}), ("--village", {}), ("--text", {}))
    _cmd(f, "confirm", cmd_finding_confirm, "确认疑点，转入问题台账（来源：大数据比对）", ("ref", {}),
         ("--responsible", {"help": "责任人（默认本人）"}), ("--deadline", {"help": "整改时限 YYYY-MM-DD"}),
         ("--note", {}))
    _cmd(f, "dismiss", cmd_finding_dismiss, "排除疑点（须说明理由）", ("ref", {}), ("--reason", {"required": True}))

    _cmd(sub, "push", cmd_push, "名单推送：导出在保低保、特困、低收入对象名单（医保、教育、住建部门）",
         ("--out", {"required": True, "help": "输出文件 .xlsx"}))


def _day(value: str | None, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(what, value, "应为 YYYY-MM-DD，如 2026-11-01") from None


def _corrections(pairs: list[str], allowed: tuple[str, ...]) -> dict[int, str | None]:
    by_label = {mp.label_of(f): f for f in allowed} | {f: f for f in allowed}
    out: dict[int, str | None] = {}
    for pair in pairs:
        col, _, fld = pair.partition("=")
        col = col.strip().upper()
        if not col.isalpha() or not col.isascii():
            raise ValidationError("--map", pair, "应为 列字母=项目，如 C=身份证号")
        index = sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(col))) - 1
        fld = fld.strip()
        if fld and fld not in by_label:
            raise ValidationError("--map", pair, f"项目应为：{'、'.join(mp.label_of(f) for f in allowed)}")
        out[index] = by_label.get(fld) if fld else None
    return out


def _print_issues(title: str, issues: list, limit: int = 50) -> None:
    if issues:
        print(f"{title}（{len(issues)}）：")
        for i in issues[:limit]:
            print(f"  {i.text()}")
        if len(issues) > limit:
            print(f"  ……另有 {len(issues) - limit} 条")


def _mapping_lines(tables: list[mp.Table]) -> None:
    for t in tables:
        cols = "；".join(f"{t.column_name(c)}→{mp.label_of(f)}" for c, f in sorted(t.mapping.items()))
        print(f"工作表“{t.sheet}”表头在第 {t.header_row} 行：{cols}")


def cmd_import_roster(ctx: Context) -> int:
    a = ctx.args
    db = ctx.database()
    corrections = _corrections(a.map, mp.ROSTER_FIELDS) or None
    if not a.dry_run:
        backups.safety_backup(db, "import")  # verified, before anything can be written
    with db.session() as s:
        actor = ctx.actor(s)
        plan = ro.plan_roster(s, a.file, persons_path=a.persons, category=a.category, village=a.village,
                              corrections=corrections)
        if a.save_layout and plan.tables:
            mp.save_layout(s, actor, plan.tables[0], kind="roster")
        _show_roster(ctx, plan)
        if a.dry_run:
            if plan.refused:
                raise ap.refusal_error(plan)
            return 0
        result = ap.apply_roster(s, actor, plan, skip_refused=a.skip_refused)
        if result.changed and not a.no_check:
            _after_import(ctx, s, actor)
    info(result.summary())
    return 0


def _show_roster(ctx: Context, plan: ro.RosterPlan) -> None:
    if ctx.json:
        dump_json({"summary": plan.summary(), "notes": plan.notes,
                   "mapping": [{"sheet": t.sheet, "header_row": t.header_row,
                                "columns": {t.column_name(c): mp.label_of(f) for c, f in sorted(t.mapping.items())}}
                               for t in plan.tables],
                   "households": [asdict(h) for h in plan.households if h.action != "same"
                                  or any(p.action != "same" for p in h.members)],
                   "refused": [asdict(i) | {"text": i.text()} for i in plan.refused],
                   "warnings": [asdict(i) | {"text": i.text()} for i in plan.warnings]})
        return
    s = plan.summary()
    _mapping_lines(plan.tables)
    for n in plan.notes:
        print(f"说明：{n}")
    print(f"预览：新增 {s['households_add']} 户 {s['persons_add']} 人；更新 {s['households_update']} 户、"
          f"{s['persons_update']} 人；无变化 {s['households_same']} 户；有误 {s['refused']} 处"
          f"（其中身份证号被 Excel 损坏 {s['damaged']} 处）；提示 {s['warnings']} 条")
    for h in plan.households:
        if h.action == "update":
            changes = "；".join(f"{ro.LABELS[k]}：{o} → {n}" for k, (o, n) in h.changes.items())
            print(f"  更新 {h.village} {h.head_name}户：{changes}")
        for p in h.members:
            if h.action != "add" and p.action == "add":
                print(f"  新增成员 {p.name}（{h.head_name}户）")
            elif p.action == "update":
                print(f"  更新成员 {p.name}：" + "；".join(f"{ro.LABELS[k]}：{o} → {n}" for k, (o, n) in p.changes.items()))
    _print_issues("有误的行（未导入）", plan.refused)
    _print_issues("提示", plan.warnings, 20)


def cmd_import_source(ctx: Context) -> int:
    a = ctx.args
    corrections = _corrections(a.map, mp.SOURCE_FIELDS) or None
    if not a.dry_run:
        backups.safety_backup(ctx.database(), "import")  # verified, before anything can be written
    with ctx.database().session() as s:
        actor = ctx.actor(s)
        plan = sources.plan_source(s, a.file, kind=a.kind, corrections=corrections)
        if a.save_layout and plan.tables:
            mp.save_layout(s, actor, plan.tables[0], kind=a.kind)
        if ctx.json:
            dump_json({"summary": plan.summary(), "notes": plan.notes,
                       "refused": [asdict(i) | {"text": i.text()} for i in plan.refused],
                       "warnings": [asdict(i) | {"text": i.text()} for i in plan.warnings]})
        else:
            _mapping_lines(plan.tables)
            for n in plan.notes:
                print(f"说明：{n}")
            print(f"预览：{sources.KINDS[a.kind]} 可导入 {len(plan.rows)} 行；有误 {len(plan.refused)} 处")
            _print_issues("有误的行（未导入）", plan.refused)
            _print_issues("提示", plan.warnings, 20)
        if a.dry_run:
            if plan.refused:
                raise ValidationError("导入文件", plan.file, f"有 {len(plan.refused)} 处错误：{plan.refused[0].text()}")
            return 0
        if not a.origin:
            raise ValidationError("--origin", None, "导入时须填写数据来源单位，如 --origin 县殡葬管理所")
        src = sources.apply_source(s, actor, plan, origin=a.origin, list_date=_day(a.date, "数据日期") or _today(),
                                   skip_refused=a.skip_refused)
        if src is not None and not a.no_check:
            _after_import(ctx, s, actor)
    info("此文件已导入过，未重复导入。" if src is None else
         f"已导入数据源 {src.id[:8]}：{src.kind_label}，{src.origin}，{src.list_date}，{src.rows_accepted} 行。")
    return 0


def _after_import(ctx: Context, session, actor) -> None:  # noqa: ANN001
    """Checks run after every import (in the same transaction as the import)."""
    reports = findings.run_checks(session, actor)
    if not ctx.json:
        new = [f"{r.label} {r.new}" for r in reports if r.new]
        info("导入后已运行数据比对：" + ("新增疑点 " + "、".join(new) if new else "无新增疑点") + "。")


def _today() -> date:
    return clock.today()


def cmd_source_list(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        rows = sources.list_sources(s, kind=ctx.args.kind)
    if ctx.json:
        dump_json(rows)
        return 0
    for r in rows:
        print(f"{r.id[:8]}\t{r.kind_label}\t{r.origin}\t数据日期 {r.list_date}\t{r.file_name}\t"
              f"共 {r.rows_total} 行，导入 {r.rows_accepted}，有误 {r.rows_refused}\t导入于 {r.imported_at}")
    info(f"共 {len(rows)} 个数据源。")
    return 0


def cmd_source_remove(ctx: Context) -> int:
    with ctx.database().session() as s:
        r = sources.remove_source(s, ctx.actor(s), ctx.args.ref, reason=ctx.args.reason)
    info(f"已删除数据源 {r.id[:8]}（{r.kind_label}，{r.origin}）。")
    return 0


def cmd_check(ctx: Context) -> int:
    with ctx.database().session() as s:
        reports = findings.run_checks(s, ctx.actor(s), rule=ctx.args.rule)
    if ctx.json:
        dump_json(reports)
        return 0
    for r in reports:
        print(f"{r.rule}\t{r.label}\t疑点 {r.found}\t新增 {r.new}\t已消失 {r.gone}")
    info("比对完成；用 finding list 查看疑点。")
    return 0


def cmd_finding_list(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session(write=False) as s:
        rows = findings.list_findings(s, rule=a.rule, state=a.state, village=a.village, text=a.text)
    if ctx.json:
        dump_json(rows)
        return 0
    for f in rows:
        print(f"{f.id[:8]}\t{f.state}\t{f.rule_label}\t{f.evidence}" + (f"\t问题 {f.problem_number}" if f.problem_number else ""))
    info(f"共 {len(rows)} 条疑点，待处理 {sum(f.state == findings.PENDING for f in rows)} 条。")
    return 0


def cmd_finding_confirm(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        f = findings.confirm_finding(s, ctx.actor(s), a.ref, responsible=a.responsible,
                                     deadline=_day(a.deadline, "整改时限"), note=a.note)
    if ctx.json:
        dump_json(f)
    else:
        info(f"已确认，转入问题台账：问题 {f.problem_number}。")
    return 0


def cmd_finding_dismiss(ctx: Context) -> int:
    with ctx.database().session() as s:
        f = findings.dismiss_finding(s, ctx.actor(s), ctx.args.ref, reason=ctx.args.reason)
    if ctx.json:
        dump_json(f)
    else:
        info(f"已排除疑点 {f.id[:8]}：{f.reason}")
    return 0


def cmd_push(ctx: Context) -> int:
    out = Path(ctx.args.out)
    if out.suffix.lower() != ".xlsx":
        raise ValidationError("--out", str(out), "应为 .xlsx 文件")
    with ctx.database().session() as s:
        n = push.export_recipients(s, ctx.actor(s), out)
    if ctx.json:
        dump_json({"file": str(out), "rows": n})
    else:
        info(f"已导出 {n} 人到 {out}（含个人信息，已记入审计日志；请按规定传递和保管）。")
    return 0
