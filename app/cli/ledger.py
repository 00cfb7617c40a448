"""ledger …: problem, petition, relative, calendar, export, overview."""
from __future__ import annotations

from datetime import date

from app import offices, workdays
from app.cli.common import Context, add_json, dump_json, info
from app.errors import ValidationError
from app.idcard import mask_id
from app.ledgers import export as ex
from app.ledgers import overview
from app.ledgers import petitions as pt
from app.ledgers import problems as pr
from app.ledgers import relatives as rl


def option_date(value: str | None, what: str = "日期") -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(what, value, "应为 YYYY-MM-DD，如 2026-11-23") from None


def subcommand(parent, name: str, handler, help_text: str, *args: tuple) -> object:  # noqa: ANN001
    p = parent.add_parser(name, help=help_text)
    for flags, kw in args:
        p.add_argument(*((flags,) if isinstance(flags, str) else flags), **kw)
    add_json(p)
    p.set_defaults(handler=handler)
    return p


R = {"required": True}


def register(sub) -> None:  # noqa: ANN001
    top = sub.add_parser("ledger", help="问题台账、信访举报台账、近亲属备案、工作日历")
    lsub = top.add_subparsers(dest="ledger_command", metavar="台账", required=True)

    p = lsub.add_parser("problem", help="问题清单及整改台账").add_subparsers(
        dest="problem_command", metavar="子命令", required=True)
    subcommand(p, "add", cmd_problem_add, "登记问题",
         ("--source", {**R, "choices": pr.SOURCES}), ("--category", {**R, "choices": pr.CATEGORIES}),
         ("--description", R), ("--found", {**R, "help": "发现日期 YYYY-MM-DD"}),
         ("--responsible", {**R, "help": "责任人"}), ("--deadline", {"help": "整改时限"}),
         ("--measures", {}), ("--household", {"action": "append", "default": [],
                                               "help": "关联家庭：户编号或身份证号（可重复）"}),
         ("--village", {}), ("--clue", {"action": "store_true", "help": "属违纪违法问题线索，须移交"}),
         ("--note", {}))
    subcommand(p, "list", cmd_problem_list, "列出问题", ("--state", {"choices": pr.STATES}),
         ("--category", {}), ("--source", {}), ("--village", {}), ("--responsible", {}),
         ("--overdue", {"action": "store_true", "help": "只列逾期未整改的"}))
    subcommand(p, "show", cmd_problem_show, "查看一个问题", ("ref", {"help": "问题编号或 ID"}))
    subcommand(p, "move", cmd_problem_move, "变更整改状态", ("ref", {}),
         ("--to", {**R, "choices": pr.STATES[:3]}), ("--date", {}), ("--note", {}), ("--measures", {}))
    subcommand(p, "close", cmd_problem_close, "核验销号（审核人）", ("ref", {}),
         ("--note", {**R, "help": "核验意见"}), ("--date", {}))
    subcommand(p, "transfer", cmd_problem_transfer, "移交纪检监察机关（审核人）", ("ref", {}),
         ("--organ", {**R, "help": "接收机关"}), ("--date", R), ("--doc", {"help": "移交文号"}),
         ("--note", {}))
    subcommand(p, "typical", cmd_problem_typical, "标注为典型问题（列入专项整治工作台账）", ("ref", {}),
         ("--summary", {"help": "典型问题说明"}), ("--off", {"action": "store_true", "help": "取消标注"}))

    q = lsub.add_parser("petition", help="信访举报台账").add_subparsers(
        dest="petition_command", metavar="子命令", required=True)
    subcommand(q, "add", cmd_petition_add, "登记信访举报", ("--channel", {**R, "choices": pt.CHANNELS}),
         ("--content", R), ("--received", {**R, "help": "收到日期"}), ("--petitioner", {}),
         ("--anonymous", {"action": "store_true"}), ("--id", {"dest": "id_number"}), ("--phone", {}),
         ("--household", {"action": "append", "default": []}),
         ("--related", {"help": "同一事项的信访件编号"}), ("--village", {}),
         ("--handler", {"dest": "handler_name", "help": "承办人"}), ("--note", {}),
         ("--subject", {"help": "反映事项（同一信访人同一事项累计 3 次标注重点）"}))
    subcommand(q, "list", cmd_petition_list, "列出信访件", ("--state", {"choices": pt.STATES}),
         ("--channel", {}), ("--village", {}), ("--handler", {"dest": "handler_name"}),
         ("--priority", {"action": "store_true"}), ("--overdue", {"action": "store_true"}))
    subcommand(q, "show", cmd_petition_show, "查看信访件", ("ref", {}))
    subcommand(q, "sort", cmd_petition_sort, "登记转送承办人", ("ref", {}), ("--handler", {**R, "dest": "handler_name"}), ("--date", R))
    subcommand(q, "extend", cmd_petition_extend, "延长办理期限（一次，须说明理由）", ("ref", {}),
         ("--days", {**R, "type": int}), ("--reason", R))
    subcommand(q, "reply", cmd_petition_reply, "答复办结", ("ref", {}), ("--reply", R),
         ("--outcome", {**R, "choices": pt.OUTCOMES}), ("--date", {}),
         ("--satisfaction", {"choices": pt.SATISFACTION}), ("--handler", {"dest": "handler_name"}))
    subcommand(q, "to-problem", cmd_petition_problem, "转入问题台账", ("ref", {}),
         ("--category", {**R, "choices": pr.CATEGORIES}), ("--responsible", R), ("--deadline", {}))

    r = lsub.add_parser("relative", help="近亲属备案").add_subparsers(
        dest="relative_command", metavar="子命令", required=True)
    subcommand(r, "add-official", cmd_add_official, "登记须备案近亲属的人员", ("--name", R),
         ("--id", {**R, "dest": "id_number"}), ("--type", {**R, "dest": "post_type", "choices": rl.POST_TYPES}),
         ("--unit", {"help": "单位及职务"}), ("--village", {}))
    subcommand(r, "add-relative", cmd_add_relative, "备案近亲属",
         ("--official", {**R, "help": "备案人员身份证号"}), ("--name", R), ("--id", {**R, "dest": "id_number"}),
         ("--relation", R), ("--date", {}))
    subcommand(r, "list", cmd_relative_list, "列出备案人员和近亲属")
    subcommand(r, "check", cmd_relative_check, "核查近亲属享受救助情况",
         ("--household", {"help": "只查一户（户编号或身份证号）"}),
         ("--no-open", {"action": "store_true", "help": "只报告，不自动登记“近亲属未备案”问题"}))

    c = lsub.add_parser("calendar", help="工作日历（法定节假日和调休）").add_subparsers(
        dest="calendar_command", metavar="子命令", required=True)
    subcommand(c, "seed", cmd_calendar_seed, "从内置数据写入 2004 年以来的节假日安排")
    subcommand(c, "set", cmd_calendar_set, "修改一天（管理员）", ("day", {}),
         ("--kind", {**R, "choices": ["holiday", "workday", "normal"]}), ("--name", {}))
    subcommand(c, "show", cmd_calendar_show, "查看某年的节假日和调休", ("year", {"type": int}))
    subcommand(c, "deadline", cmd_calendar_deadline, "计算若干工作日后的日期", ("start", {}),
         ("days", {"type": int}))

    subcommand(lsub, "export", cmd_export, "导出台账到 Excel",
         ("--kind", {**R, "choices": list(ex.KINDS)}), ("--out", R))
    subcommand(lsub, "overview", cmd_overview, "台账概况（到期、超时、各状态数量）",
         ("--within", {"type": int, "default": 7, "help": "临近期限的天数"}))


# ---------------------------------------------------------------- problems

def _problem_line(p: pr.ProblemInfo) -> str:
    flags = ("  【逾期】" if p.overdue else "") + ("  【移交超时】" if p.transfer and p.transfer.late else "")
    return (f"{p.number}\t{p.state}\t{p.category}\t{p.village or '-'}\t责任人 {p.responsible}\t"
            f"时限 {p.deadline or '-'}{flags}")


def _show_problem(ctx: Context, p: pr.ProblemInfo, message: str | None = None) -> int:
    if ctx.json:
        dump_json(p)
        return 0
    if message:
        info(message)
    print(_problem_line(p))
    print(f"来源 {p.source}  发现 {p.found_date}  涉及 {p.households_text or '-'}")
    print(f"描述：{p.description}")
    print(f"整改措施：{p.measures or '-'}")
    for t in p.transitions:
        print(f"  {t.day}\t{t.from_state or '登记'} → {t.to_state}\t{t.signer}\t{t.note or ''}")
    if p.transfer:
        t = p.transfer
        print(f"移交纪检监察：时限 {t.due_date}，" + (f"已于 {t.transferred_date} 移交 {t.organ}" if
                                                t.transferred_date else "尚未移交")
              + ("（超时）" if t.late else ""))
        if t.warning:
            info(f"提示：{t.warning}")
    return 0


def cmd_problem_add(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        p = pr.create_problem(s, ctx.actor(s), source=a.source, category=a.category,
                              description=a.description, found_date=option_date(a.found, "发现日期"),
                              responsible=a.responsible, measures=a.measures,
                              deadline=option_date(a.deadline, "整改时限"), households=a.household,
                              village=a.village, is_clue=a.clue, note=a.note)
    return _show_problem(ctx, p, f"已登记问题 {p.number}。")


def cmd_problem_list(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session(write=False) as s:
        rows = pr.list_problems(s, state=a.state, category=a.category, source=a.source,
                                village=a.village, responsible=a.responsible, overdue_only=a.overdue)
    if ctx.json:
        dump_json(rows)
        return 0
    for p in rows:
        print(_problem_line(p))
    info(f"共 {len(rows)} 个问题，其中逾期 {sum(p.overdue for p in rows)} 个。")
    return 0


def cmd_problem_show(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        return _show_problem(ctx, pr.get_problem(s, ctx.args.ref))


def cmd_problem_move(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        p = pr.move_problem(s, ctx.actor(s), a.ref, to=a.to, day=option_date(a.date), note=a.note,
                            measures=a.measures)
    return _show_problem(ctx, p, f"问题 {p.number} 已转为“{p.state}”。")


def cmd_problem_close(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        p = pr.close_problem(s, ctx.actor(s), a.ref, verification_note=a.note, day=option_date(a.date))
    return _show_problem(ctx, p, f"问题 {p.number} 已核验销号。")


def cmd_problem_transfer(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        p = pr.transfer_problem(s, ctx.actor(s), a.ref, day=option_date(a.date, "移交日期"), organ=a.organ,
                                doc_number=a.doc, note=a.note)
    return _show_problem(ctx, p, f"问题 {p.number} 已登记移交{a.organ}。")


def cmd_problem_typical(ctx: Context) -> int:
    from app.ledgers import reporting

    a = ctx.args
    with ctx.database().session() as s:
        reporting.set_typical(s, ctx.actor(s), a.ref, typical=not a.off, summary=a.summary)
        p = pr.get_problem(s, a.ref)
    return _show_problem(ctx, p, f"问题 {p.number} 已{'取消' if a.off else ''}标注为典型问题。")


# ---------------------------------------------------------------- petitions

def _petition_line(p: pt.PetitionInfo) -> str:
    flags = ("  【重点】" if p.priority else "") + ("  【超期】" if p.overdue and p.state == pt.OPEN else "")
    return (f"{p.number}\t{p.state}\t{p.channel}\t{p.petitioner}\t收到 {p.received_date}\t"
            f"办结时限 {p.deadlines.conclude_due}\t反映 {p.repeat_count} 次{flags}")


def _show_petition(ctx: Context, p: pt.PetitionInfo, message: str | None = None) -> int:
    if ctx.json:
        dump_json(p)
        return 0
    if message:
        info(message)
    print(_petition_line(p))
    print(f"内容：{p.content}")
    d = p.deadlines
    print(f"转送时限 {d.sort_due}（{p.sorted_date or '未转送'}）  办结时限 {d.conclude_due}"
          + (f"（已延期 {p.extension_days} 日：{p.extension_reason}）" if p.extension_days else ""))
    if p.reply_date:
        print(f"答复 {p.reply_date}：{p.reply}（{p.outcome}，{p.satisfaction or '未评价'}）  "
              f"复查申请期限 {d.review_request_due}")
    if p.related:
        print(f"同一事项的其他信访件：{'、'.join(p.related)}")
    return 0


def cmd_petition_add(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        p = pt.create_petition(s, ctx.actor(s), channel=a.channel, content=a.content,
                               received_date=option_date(a.received, "收到日期"), petitioner=a.petitioner,
                               anonymous=a.anonymous, id_number=a.id_number, phone=a.phone,
                               households=a.household, related_to=a.related, village=a.village,
                               handler=a.handler_name, note=a.note, subject=a.subject)
    msg = f"已登记信访件 {p.number}。" + (f"同一事项已反映 {p.repeat_count} 次，已标注为重点。" if p.priority else "")
    return _show_petition(ctx, p, msg)


def cmd_petition_list(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session(write=False) as s:
        rows = pt.list_petitions(s, state=a.state, channel=a.channel, village=a.village,
                                 handler=a.handler_name, priority_only=a.priority, overdue_only=a.overdue)
    if ctx.json:
        dump_json(rows)
        return 0
    for p in rows:
        print(_petition_line(p))
    info(f"共 {len(rows)} 件，其中重点 {sum(p.priority for p in rows)} 件。")
    return 0


def cmd_petition_show(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        return _show_petition(ctx, pt.get_petition(s, ctx.args.ref))


def cmd_petition_sort(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        p = pt.sort_petition(s, ctx.actor(s), a.ref, day=option_date(a.date, "转送日期"), handler=a.handler_name)
    return _show_petition(ctx, p, f"信访件 {p.number} 已转送 {p.handler}。")


def cmd_petition_extend(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        p = pt.extend_petition(s, ctx.actor(s), a.ref, days=a.days, reason=a.reason)
    return _show_petition(ctx, p, f"信访件 {p.number} 办结时限延至 {p.deadlines.conclude_due}，请将延期理由告知信访人。")


def cmd_petition_reply(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        p = pt.reply_petition(s, ctx.actor(s), a.ref, reply=a.reply, outcome=a.outcome,
                              day=option_date(a.date, "答复日期"), satisfaction=a.satisfaction, handler=a.handler_name)
    return _show_petition(ctx, p, f"信访件 {p.number} 已答复办结。")


def cmd_petition_problem(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        p = pt.open_problem(s, ctx.actor(s), a.ref, category=a.category, responsible=a.responsible,
                            deadline=option_date(a.deadline, "整改时限"))
    return _show_problem(ctx, p, f"已转入问题台账：{p.number}。")


# ---------------------------------------------------------------- relatives

def cmd_add_official(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        o = rl.add_official(s, ctx.actor(s), name=a.name, id_number=a.id_number,
                            post_type=a.post_type, unit=a.unit, village=a.village)
    if ctx.json:
        dump_json(o)
    else:
        info(f"已登记备案人员 {o.name}（{o.post_type}，{mask_id(o.id_number)}）。")
    return 0


def cmd_add_relative(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        r = rl.add_relative(s, ctx.actor(s), official=a.official, name=a.name, id_number=a.id_number,
                            relation=a.relation, filed_date=option_date(a.date, "备案日期"))
    if ctx.json:
        dump_json(r)
    else:
        info(f"已备案近亲属 {r.name}（{r.relation}，{mask_id(r.id_number)}）。")
    return 0


def cmd_relative_list(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        rows = rl.list_officials(s)
    if ctx.json:
        dump_json(rows)
        return 0
    for o in rows:
        print(f"{o.name}\t{o.post_type}\t{mask_id(o.id_number)}\t{o.unit or ''}\t近亲属 {len(o.relatives)} 人")
        for r in o.relatives:
            print(f"  {r.relation}\t{r.name}\t{mask_id(r.id_number)}\t备案 {r.filed_date}")
    return 0


def cmd_relative_check(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        actor = ctx.actor(s)
        if a.household:
            from app import queries

            findings = rl.check_household(s, queries.find_household_id(s, a.household),
                                          actor=None if a.no_open else actor)
        else:
            findings = rl.check_all(s, actor=None if a.no_open else actor)
    if ctx.json:
        dump_json(findings)
        return 0
    for f in findings:
        opened = f"  → 问题 {f.problem_number}" + ("（新登记）" if f.new_problem else "") if f.problem_number else ""
        print(f"【{f.kind}】{f.message}{opened}")
    info(f"核查完毕：发现 {len(findings)} 条，新登记问题 {sum(f.new_problem for f in findings)} 个。")
    return 0


# ---------------------------------------------------------------- calendar, export, overview

def cmd_calendar_seed(ctx: Context) -> int:
    with ctx.database().session() as s:
        report = workdays.seed_calendar(s, ctx.actor(s))
    if ctx.json:
        dump_json(report)
    elif report.years:
        info(f"已写入 {report.years[0]}–{report.years[-1]} 年的节假日安排，共 {report.added} 天。")
    else:
        info("工作日历已是最新，无须写入。")
    return 0


def cmd_calendar_set(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        day = workdays.set_day(s, ctx.actor(s), day=option_date(a.day), kind=a.kind, name=a.name)
    if ctx.json:
        dump_json(day or {"day": a.day, "kind": "normal"})
    else:
        info(f"已将 {a.day} 设为" + (workdays.KINDS[day.kind] if day else "普通日（按周一至周五）") + "。")
    return 0


def cmd_calendar_show(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        days = workdays.list_days(s, ctx.args.year)
        covered = ctx.args.year in workdays.covered_years(s)
    if ctx.json:
        dump_json({"year": ctx.args.year, "covered": covered, "days": days})
        return 0
    if not covered:
        info(workdays.uncovered_warning([ctx.args.year]))
    for d in days:
        print(f"{d.day}\t{'一二三四五六日'[d.day.weekday()]}\t{workdays.KINDS[d.kind]}\t{d.name or ''}\t{d.source}")
    return 0


def cmd_calendar_deadline(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        d = workdays.add_working_days(s, option_date(ctx.args.start), ctx.args.days)
    if ctx.json:
        dump_json(d)
        return 0
    print(d.day.isoformat())
    if d.warning:
        info(f"警告：{d.warning}")
    return 0


def cmd_export(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        office = offices.own_office(s)
        n = ex.export_ledger(s, ctx.actor(s), kind=a.kind, path=a.out, office_name=office.name)
    if ctx.json:
        dump_json({"kind": a.kind, "rows": n, "out": a.out})
    else:
        info(f"已导出{ex.KINDS[a.kind]} {n} 条到 {a.out}。文件含个人信息，请妥善保管。")
    return 0


def cmd_overview(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        data = {"counts": overview.counts_by_state(s),
                "rectifications_due": overview.rectifications_by_deadline(s, within_days=ctx.args.within),
                "late_transfers": overview.late_transfers(s),
                "petitions_near_limits": overview.petitions_near_limits(s, within_days=ctx.args.within)}
    if ctx.json:
        dump_json(data)
        return 0
    c = data["counts"]
    print("问题：" + "，".join(f"{k} {v}" for k, v in c.problems.items()) + f"；逾期 {c.problems_overdue}")
    print(f"移交：待移交 {c.transfers_pending}，超时 {c.transfers_late}")
    print("信访：" + "，".join(f"{k} {v}" for k, v in c.petitions.items())
          + f"；重点 {c.petitions_priority}，超期 {c.petitions_overdue}")
    for r in data["rectifications_due"]:
        print(f"  整改 {r.number}\t时限 {r.deadline}\t{'逾期' if r.overdue else f'剩 {r.days_left} 天'}")
    for t in data["late_transfers"]:
        print(f"  移交超时 {t.number}\t时限 {t.due_date}\t超 {t.days_late} 天")
    for p in data["petitions_near_limits"]:
        print(f"  信访 {p.number}\t{p.limit}时限 {p.due}\t" + ("已超期" if p.days_left < 0 else f"剩 {p.days_left} 天"))
    return 0
