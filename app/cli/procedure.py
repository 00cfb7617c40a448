"""procedure …: a household's steps, time limits and tasks; recompute deadlines; approve with
missing steps (先行救助); objections during 公示; the 不予确认告知书.
ledger supervision … and ledger board …: 督导检查 and 公示栏 records (added to ``ledger``)."""
from __future__ import annotations

import argparse
from pathlib import Path

from app import casestatus, clock, deadlines, procedure, queries, supervision
from app.assessment import approvals
from app.cli.common import Context, add_json, dump_json, info
from app.cli.ledger import subcommand, option_date
from app.errors import ValidationError
from app.permissions import require
from app.refusal import make_refusal_notice

R = {"required": True}


def register(sub) -> None:  # noqa: ANN001
    top = sub.add_parser("procedure", help="办理程序和时限：环节、时限、任务、先行救助、告知书")
    psub = top.add_subparsers(dest="procedure_command", metavar="子命令", required=True)
    subcommand(psub, "show", cmd_show, "查看一户的办理环节、时限和任务", ("ref", {"help": "户编号或身份证号"}),
         ("--date", {"help": "按哪一天判断（默认今天）"}))
    subcommand(psub, "tasks", cmd_tasks, "列出待办的时限任务", ("--within", {"type": int, "default": None,
                                                                   "help": "只列 N 天内到期或已逾期的"}))
    subcommand(psub, "recompute", cmd_recompute, "重新计算全部时限（工作日历或设置变更后）；补建在保必核任务")
    subcommand(psub, "override", cmd_override, "环节未完成仍批准（先行救助，审核人，须书面理由）",
         ("proposal", {"help": "提议编号（可写前 8 位）"}), ("--reason", {**R, "help": "书面理由"}),
         ("--note", {}))
    subcommand(psub, "findings", cmd_findings, "先行救助等程序未完成即批准的记录（供督导检查）",
         ("--since", {}))
    subcommand(psub, "objection", cmd_objection, "登记公示期间的异议（最近一次公示）", ("ref", {}),
         ("--date", R), ("--text", R))
    subcommand(psub, "resolve", cmd_resolve, "登记异议复查结论", ("ref", {}), ("--date", R), ("--text", R))
    subcommand(psub, "notice", cmd_notice, "出具不予确认告知书（PDF）并登记告知环节", ("ref", {}),
         ("--out", R), ("--no-step", {"action": "store_true", "help": "不登记告知环节"}))
    _register_ledger(sub)


def _register_ledger(sub) -> None:  # noqa: ANN001
    """Add ``supervision`` and ``board`` under the existing ``ledger`` command."""
    ledger = sub.choices["ledger"]
    lsub = next(a for a in ledger._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
    v = lsub.add_parser("supervision", help="督导检查记录").add_subparsers(
        dest="supervision_command", metavar="子命令", required=True)
    subcommand(v, "add", cmd_visit_add, "登记一次督导检查", ("--date", R), ("--inspectors", {**R, "help": "检查人员，顿号分隔"}),
         ("--method", {"action": "append", "default": [], "choices": supervision.METHODS, "help": "检查方式（可重复）"}),
         ("--unit", {}), ("--household", {"action": "append", "default": [], "help": "检查的家庭（可重复）"}),
         ("--summary", {}),
         ("--finding", {"action": "append", "default": [],
                        "help": "发现的问题：类别|描述|责任人[|户编号]（可重复；转入问题台账，来源 督导检查）"}))
    subcommand(v, "list", cmd_visit_list, "列出督导检查", ("--since", {}))
    b = lsub.add_parser("board", help="村（居）公示栏").add_subparsers(dest="board_command", metavar="子命令",
                                                                  required=True)
    subcommand(b, "set", cmd_board_set, "登记公示栏及其责任人", ("--village", R), ("--responsible", R),
         ("--location", {}), ("--phone", {}))
    subcommand(b, "inspect", cmd_board_inspect, "登记一次公示栏检查（不规范的自动列入问题台账）",
         ("--village", R), ("--date", R), ("--inspector", R), ("--absent", {"action": "store_true"}),
         ("--damaged", {"action": "store_true"}), ("--incomplete", {"action": "store_true"}),
         ("--last-update", {"help": "公示内容最近更新日期"}), ("--visit", {"help": "所属督导检查编号"}),
         ("--note", {}))
    subcommand(b, "list", cmd_board_list, "各村（居）公示栏状态")
    subcommand(b, "check", cmd_board_check, "核查：未登记或未按时更新的公示栏列入问题台账（公示不规范）")


def _hid(s, ref: str) -> str:  # noqa: ANN001
    return queries.find_household_id(s, ref)


def _today(ctx: Context):  # noqa: ANN202
    return option_date(getattr(ctx.args, "date", None)) or clock.today()


def cmd_show(ctx: Context) -> int:
    today = _today(ctx)
    with ctx.database().session(write=False) as s:
        ctx.actor(s)
        st = casestatus.case_status(s, _hid(s, ctx.args.ref), today=today)
    if ctx.json:
        dump_json(st)
        return 0
    print(f"状态：{st.status}　类别：{st.category}" + (f"　待决定：{st.decision}" if st.decision else ""))
    for c in st.checks:
        print(f"  {'✓' if c.done else '✗'} {c.step}\t{c.day or ''}\t{c.detail}")
    for lim in st.limits:
        print(f"  时限 {lim.rule}：{lim.start} 起，{lim.due} 到期，{lim.state}"
              + (f"（{lim.done} 完成）" if lim.done else "") + (f"　{lim.warning}" if lim.warning else ""))
    for t in st.tasks:
        late = f"，已逾期 {(today - t.due).days} 天" if t.late(today) else ""
        print(f"  任务 {t.kind}：{t.due} 到期{late}" + (f"　{t.warning}" if t.warning else ""))
    if st.missing:
        info("未完成的环节：" + "、".join(st.missing))
    return 0


def cmd_tasks(ctx: Context) -> int:
    from datetime import timedelta

    from app import casetasks

    today = clock.today()
    with ctx.database().session(write=False) as s:
        ctx.actor(s)
        due_by = today + timedelta(days=ctx.args.within) if ctx.args.within is not None else None
        rows = casetasks.list_tasks(s, due_by=due_by)
    if ctx.json:
        dump_json(rows)
        return 0
    for t in rows:
        print(f"{t.due}\t{t.kind}\t{t.village}\t{t.household}\t{'逾期' if t.late(today) else ''}")
    info(f"共 {len(rows)} 项待办任务。")
    return 0


def cmd_recompute(ctx: Context) -> int:
    with ctx.database().session() as s:
        actor = ctx.actor(s)
        require(actor, "household.step")
        r = deadlines.recompute_all(s, actor, today=clock.today())
    if ctx.json:
        dump_json(r)
    info(f"已重新计算：任务 {r.tasks} 项、移交时限 {r.transfers} 项、复核日期 {r.reviews} 户，"
         f"补建在保必核任务 {r.opened} 项。")
    return 0


def cmd_override(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        actor = ctx.actor(s)
        p = approvals.approve(s, actor, approvals.find(s, a.proposal), note=a.note, override_reason=a.reason)
    if ctx.json:
        dump_json(p)
    info(f"已批准（先行救助）：{p.head_name}户 {p.kind}；已记为督导检查发现，须在规定工作日内补办程序。")
    return 0


def cmd_findings(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        ctx.actor(s)
        rows = procedure.overrides(s, since=option_date(ctx.args.since))
    if ctx.json:
        dump_json(rows)
        return 0
    for o in rows:
        print(f"{o.day}\t{o.household}\t{o.approved_by}\t{'已补办' if o.completed else '未补办'}\t缺：{o.missing}\t理由：{o.reason}")
    info(f"共 {len(rows)} 条。")
    return 0


def _last_gongshi(s, hid: str) -> str:  # noqa: ANN001
    st = casestatus.case_status(s, hid, today=clock.today())
    if not st.gongshi:
        raise ValidationError("公示环节", hid, "该户没有登记公示环节")
    return st.gongshi[-1].step_id


def cmd_objection(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        actor = ctx.actor(s)
        hid = _hid(s, a.ref)
        procedure.record_objection(s, actor, _last_gongshi(s, hid), day=option_date(a.date, "异议日期"),
                                   objection=a.text, today=clock.today())
    info("已登记异议：审核确认须待异议复查处理完毕。")
    return 0


def cmd_resolve(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        actor = ctx.actor(s)
        hid = _hid(s, a.ref)
        procedure.resolve_objection(s, actor, _last_gongshi(s, hid), day=option_date(a.date, "复查日期"),
                                    resolution=a.text, today=clock.today())
    info("已登记异议复查结论。")
    return 0


def cmd_notice(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        actor = ctx.actor(s)
        res = make_refusal_notice(s, actor, _hid(s, a.ref), Path(a.out), record_step=not a.no_step)
    for w in res.warnings:
        info(f"提示：{w}")
    info(f"已生成不予确认告知书：{a.out}（{res.pages} 页）。")
    return 0


def _finding(text: str) -> supervision.Finding:
    parts = [p.strip() for p in text.split("|")]
    if len(parts) < 3:
        raise ValidationError("发现的问题", text, "格式为 类别|描述|责任人[|户编号]")
    return supervision.Finding(parts[0], parts[1], parts[2], tuple(p for p in parts[3:] if p))


def cmd_visit_add(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        v = supervision.record_visit(s, ctx.actor(s), day=option_date(a.date, "检查日期"), inspectors=a.inspectors,
                                     methods=a.method, unit=a.unit, households=a.household,
                                     summary=a.summary, findings=[_finding(f) for f in a.finding])
    if ctx.json:
        dump_json(v)
    info(f"已登记督导检查 {v.number}" + (f"，发现问题 {'、'.join(v.problems)}" if v.problems else "") + "。")
    return 0


def cmd_visit_list(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        ctx.actor(s)
        rows = supervision.list_visits(s, since=option_date(ctx.args.since))
    if ctx.json:
        dump_json(rows)
        return 0
    for v in rows:
        print(f"{v.number}\t{v.day}\t{v.inspectors}\t{'、'.join(v.methods)}\t检查 {len(v.households)} 户\t"
              f"问题 {'、'.join(v.problems) or '无'}")
    info(f"共 {len(rows)} 次督导检查。")
    return 0


def cmd_board_set(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        supervision.set_board(s, ctx.actor(s), village=a.village, responsible=a.responsible,
                              location=a.location, phone=a.phone)
    info(f"已登记{a.village}公示栏，责任人 {a.responsible}。")
    return 0


def cmd_board_inspect(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        b = supervision.inspect_board(s, ctx.actor(s), village=a.village, day=option_date(a.date, "检查日期"),
                                      inspector=a.inspector, present=not a.absent, damaged=a.damaged,
                                      items_complete=not a.incomplete,
                                      last_update=option_date(a.last_update, "最近更新日期"), visit=a.visit,
                                      note=a.note)
    if ctx.json:
        dump_json(b)
    info(f"{a.village}公示栏：" + ("；".join(b.faults) + "（已列入问题台账：公示不规范）" if b.faults else "规范"))
    return 0


def cmd_board_list(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        ctx.actor(s)
        rows = supervision.board_status(s, today=clock.today())
    if ctx.json:
        dump_json(rows)
        return 0
    for b in rows:
        print(f"{b.village}\t{b.responsible or '—'}\t{b.last_inspection or '未检查'}\t"
              f"{'；'.join(b.faults) or '规范'}")
    return 0


def cmd_board_check(ctx: Context) -> int:
    with ctx.database().session() as s:
        numbers = supervision.check_boards(s, ctx.actor(s))
    if ctx.json:
        dump_json(numbers)
    info(f"公示不规范的问题：{'、'.join(numbers) or '无'}。")
    return 0

