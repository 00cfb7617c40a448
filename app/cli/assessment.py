"""approval …, review due, assess …, standard …, recalc …, grace …: the family economic
assessment and the two-person approval on the command line."""
from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

from app import clock, queries, reviews
from app.assessment import approvals, gradual, income, recalc, standards
from app.assessment.propose import propose_assessed
from app.assessment.assess import Inputs, assess, save_assessment
from app.cli.common import Context, add_json, dump_json, info
from app.cli.registry import parse_date
from app.errors import ValidationError


def _today(value: str | None) -> date:
    return parse_date(value) or clock.today()


def register(sub) -> None:  # noqa: ANN001
    p = sub.add_parser("approval", help="两人审核：经办人提出、审核人批准或退回")
    a = p.add_subparsers(dest="approval_command", metavar="子命令", required=True)
    ls = a.add_parser("list", help="待审核的提议（--all 含已处理）")
    ls.add_argument("--all", action="store_true")
    ls.add_argument("--batch")
    add_json(ls)
    ls.set_defaults(handler=cmd_approval_list)
    for name, helptext in (("show", "查看提议：变更前后对照"), ("approve", "批准（审核人，不能是提出人）"),
                           ("refuse", "退回（须写理由）"), ("withdraw", "撤回自己提出的提议（须写理由）")):
        c = a.add_parser(name, help=helptext)
        c.add_argument("proposal", help="提议编号（可写前 8 位）")
        c.add_argument("--reason", required=name in ("refuse", "withdraw"))
        c.add_argument("--note")
        if name == "approve":
            c.add_argument("--override-reason", help="程序环节未完成仍批准（先行救助）的书面理由，审核人")
        add_json(c)
        c.set_defaults(handler=cmd_approval_decide, action=name)
    b = a.add_parser("approve-batch", help="批准一个批次（如标准调整重算）中全部待审核提议")
    b.add_argument("batch")
    b.add_argument("--note")
    add_json(b)
    b.set_defaults(handler=cmd_approval_batch)
    pr = a.add_parser("propose", help="提议金额调整或类别变更（在保家庭）")
    pr.add_argument("ref")
    pr.add_argument("--amount")
    pr.add_argument("--category")
    pr.add_argument("--reason", required=True)
    pr.add_argument("--date", help="生效日期 YYYY-MM-DD（默认今天）")
    add_json(pr)
    pr.set_defaults(handler=cmd_approval_propose)

    r = sub.add_parser("review", help="复核")
    rs = r.add_subparsers(dest="review_command", metavar="子命令", required=True)
    d = rs.add_parser("due", help="到期和逾期未复核的家庭")
    d.add_argument("--within", type=int, default=0, metavar="DAYS", help="含今后 DAYS 天内到期的")
    d.add_argument("--date", help="按哪一天计算（默认今天）")
    add_json(d)
    d.set_defaults(handler=cmd_review_due)

    s = sub.add_parser("assess", help="家庭经济状况评估")
    ss = s.add_subparsers(dest="assess_command", metavar="子命令", required=True)
    sh = ss.add_parser("show", help="评估一户：收入、标准、金额推算和建议")
    sh.add_argument("ref")
    sh.add_argument("--date")
    sh.add_argument("--category")
    sh.add_argument("--method", choices=["差额", "分档"])
    sh.add_argument("--tier", type=int)
    sh.add_argument("--save", action="store_true", help="保存评估结果（记入审计）")
    sh.add_argument("--propose", metavar="REASON", help="保存并按评估金额提交审核（纳入或金额调整）")
    add_json(sh)
    sh.set_defaults(handler=cmd_assess_show)
    inc = ss.add_parser("income", help="登记一项收入")
    inc.add_argument("ref")
    inc.add_argument("--kind", required=True, choices=income.INCOME_KINDS)
    inc.add_argument("--amount", required=True)
    inc.add_argument("--period", default="monthly", choices=["monthly", "yearly"])
    inc.add_argument("--member", help="成员身份证号")
    inc.set_defaults(handler=cmd_assess_income)

    st = sub.add_parser("standard", help="保障标准")
    sts = st.add_subparsers(dest="standard_command", metavar="子命令", required=True)
    sl = sts.add_parser("list", help="全部标准及起执行日期")
    add_json(sl)
    sl.set_defaults(handler=cmd_standard_list)
    si = sts.add_parser("import", help="导入标准（JSON 数组或 CSV：kind,variant,value,unit,effective_from）")
    si.add_argument("file")
    add_json(si)
    si.set_defaults(handler=cmd_standard_import)

    rc = sub.add_parser("recalc", help="标准调整后重算")
    rcs = rc.add_subparsers(dest="recalc_command", metavar="子命令", required=True)
    for name in ("preview", "apply"):
        c = rcs.add_parser(name, help="预览受影响的家庭" if name == "preview" else "按预览生成一批金额调整提议")
        c.add_argument("--date", required=True, help="新标准起执行日期")
        add_json(c)
        c.set_defaults(handler=cmd_recalc, action=name)

    g = sub.add_parser("grace", help="渐退")
    gs = g.add_subparsers(dest="grace_command", metavar="子命令", required=True)
    gst = gs.add_parser("start", help="进入渐退期")
    gst.add_argument("ref")
    gst.add_argument("--reason", required=True)
    gst.add_argument("--date")
    gst.set_defaults(handler=cmd_grace_start)
    ge = gs.add_parser("ending", help="本月和下月期满的渐退期")
    ge.add_argument("--date")
    add_json(ge)
    ge.set_defaults(handler=cmd_grace_ending)
    gp = gs.add_parser("process", help="为本月期满的渐退期提交退出提议")
    gp.add_argument("--date")
    add_json(gp)
    gp.set_defaults(handler=cmd_grace_process)


def _print_proposal(p: approvals.ProposalInfo) -> None:
    print(f"提议 {p.id[:8]}  {p.kind}  {p.state}  {p.village} {p.head_name}户（{p.household_number}）"
          f"  生效 {p.day}  提出人 {p.proposed_by}")
    print(f"  理由：{p.reason}")
    for f in p.pairs:
        mark = "  ←" if f.changed else ""
        print(f"  {f.label}：{f.before or '-'}  →  {f.after or '-'}{mark}")
    for line in p.derivation:
        print(f"    {line}")
    if p.decided_by:
        print(f"  {p.state}：{p.decided_by} {p.decided_at:%Y-%m-%d %H:%M} {p.decision_note or ''}")


def cmd_approval_list(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        ctx.actor(s)
        rows = approvals.list_proposals(s, state=None if ctx.args.all else approvals.PENDING,
                                        batch_id=ctx.args.batch)
    if ctx.json:
        dump_json(rows)
        return 0
    for p in rows:
        changed = "；".join(f"{f.label} {f.before}→{f.after}" for f in p.pairs if f.changed)
        print(f"{p.id[:8]}\t{p.kind}\t{p.state}\t{p.village}\t{p.head_name}\t{changed}\t{p.proposed_by}")
    info(f"共 {len(rows)} 条{'' if ctx.args.all else '待审核'}提议。")
    return 0


def cmd_approval_decide(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session(write=a.action != "show") as s:
        actor = ctx.actor(s)
        pid = approvals.find(s, a.proposal)
        if a.action == "approve":
            p = approvals.approve(s, actor, pid, note=a.note, override_reason=a.override_reason)
        elif a.action == "refuse":
            p = approvals.refuse(s, actor, pid, reason=a.reason)
        elif a.action == "withdraw":
            p = approvals.withdraw(s, actor, pid, reason=a.reason)
        else:
            p = approvals.get(s, pid)
    if ctx.json:
        dump_json(p)
    else:
        _print_proposal(p)
        if a.action != "show":
            info(f"提议已{p.state.removeprefix('已')}。")
    return 0


def cmd_approval_batch(ctx: Context) -> int:
    with ctx.database().session() as s:
        done = approvals.approve_batch(s, ctx.actor(s), ctx.args.batch, note=ctx.args.note)
    if ctx.json:
        dump_json(done)
    info(f"已批准 {len(done)} 条提议。")
    return 0


def cmd_approval_propose(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        actor = ctx.actor(s)
        hid = queries.find_household_id(s, a.ref)
        p = approvals.propose_change(s, actor, hid, day=_today(a.date), reason=a.reason,
                                     category=a.category, monthly_amount=a.amount)
    if ctx.json:
        dump_json(p)
    else:
        _print_proposal(p)
        info("已提交审核，待审核人批准后生效。")
    return 0


def cmd_review_due(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        ctx.actor(s)
        rows = reviews.due_reviews(s, today=_today(ctx.args.date), within_days=ctx.args.within)
    if ctx.json:
        dump_json(rows)
        return 0
    for r in rows:
        when = f"逾期 {r.days} 天" if r.overdue else ("今天到期" if r.days == 0 else f"{-r.days} 天后到期")
        print(f"{r.number}\t{r.village}\t{r.head_name}\t{r.category}\t{r.classification or '-'}类\t"
              f"{r.next_review_date}\t{when}")
    info(f"共 {len(rows)} 户需要复核（逾期 {sum(r.overdue for r in rows)} 户）。")
    return 0


def cmd_assess_show(ctx: Context) -> int:
    a = ctx.args
    write = a.save or bool(a.propose)
    with ctx.database().session(write=write) as s:
        actor = ctx.actor(s)
        hid = queries.find_household_id(s, a.ref)
        detail = queries.household_detail(s, hid)
        inputs = Inputs(category=a.category or detail.category, method=a.method, tier=a.tier)
        day = _today(a.date)
        proposal = None
        if a.propose:  # the same use case as the household window's 测算 tab
            result, proposal = propose_assessed(s, actor, hid, assessed_on=day, inputs=inputs, day=day,
                                                reason=a.propose)
        else:
            result = save_assessment(s, actor, hid, day=day, inputs=inputs) if write else \
                assess(s, hid, day=day, inputs=inputs)
    if ctx.json:
        dump_json(dict(result.as_dict(), amount=str(result.amount), assessment_id=result.assessment_id,
                       proposal=proposal.id if proposal else None))
        return 0
    print(f"{detail.head_name}户（{detail.number}）{inputs.category}  评估日期 {day}")
    for line in result.lines():
        print(f"  {line}")
    if proposal:
        info(f"已提交审核：提议 {proposal.id[:8]}（{proposal.kind}）。")
    return 0


def cmd_assess_income(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        actor = ctx.actor(s)
        hid = queries.find_household_id(s, a.ref)
        member_id = None
        if a.member:
            found = [m for m in queries.household_detail(s, hid).members if m.id_number == a.member.upper()]
            if not found:
                raise ValidationError("--member", a.member, "不是该户成员的身份证号")
            member_id = found[0].id
        income.add_income(s, actor, hid, kind=a.kind, amount=a.amount, period=a.period, member_id=member_id)
    info("已登记收入。")
    return 0


def cmd_standard_list(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        ctx.actor(s)
        rows = standards.all_standards(s)
    if ctx.json:
        dump_json(rows)
        return 0
    for r in rows:
        print(f"{r.effective_from}\t{r.label}\t{r.value}{r.unit}\t{r.source or ''}")
    return 0


def _read_rows(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        return json.loads(text)
    return list(csv.DictReader(text.splitlines()))


def cmd_standard_import(ctx: Context) -> int:
    path = Path(ctx.args.file)
    with ctx.database().session() as s:
        report = standards.import_rows(s, ctx.actor(s), _read_rows(path), source=path.name)
    if ctx.json:
        dump_json(report)
    for number, why in report.refused:
        info(f"第 {number} 行未导入：{why}")
    info(f"新增 {report.new}，更新 {report.updated}，未变 {report.unchanged}，拒绝 {len(report.refused)}。")
    return 0


def cmd_recalc(ctx: Context) -> int:
    day = parse_date(ctx.args.date)
    with ctx.database().session(write=ctx.args.action == "apply") as s:
        actor = ctx.actor(s)
        preview = recalc.preview_recalculation(s, day=day)
        batch = recalc.apply_recalculation(s, actor, day=day) if ctx.args.action == "apply" else None
    if ctx.json:
        dump_json({"preview": preview, "batch": batch.batch_id if batch else None})
        return 0
    for line in preview.changed:
        info(line)
    for r in preview.rows:
        print(f"{r.number}\t{r.village}\t{r.head_name}\t{r.category}\t{r.old}\t{r.new if r.new is not None else '-'}"
              f"\t{r.change}\t{r.note or ''}")
    counts = "，".join(f"{k} {preview.count(k)}" for k in ("增发", "减发", "不变", "未评估", "渐退期内", "有待审核提议"))
    info(f"共 {len(preview.rows)} 户：{counts}。")
    if batch:
        info(f"已生成 {len(batch.proposals)} 条金额调整提议，批次 {batch.batch_id}；"
             f"请审核人用 approval approve-batch {batch.batch_id} 批准。")
    return 0


def cmd_grace_start(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        actor = ctx.actor(s)
        started = gradual.start_grace(s, actor, queries.find_household_id(s, a.ref), reason=a.reason,
                                      day=_today(a.date))
    for line in started.lines:
        print(f"  {line}")
    if started.proposal:
        info(f"金额超过标准×家庭人口：已提交调整提议 {started.proposal.id[:8]}。")
    return 0


def cmd_grace_ending(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        ctx.actor(s)
        rows = gradual.grace_ending(s, today=_today(ctx.args.date))
    if ctx.json:
        dump_json(rows)
        return 0
    for g in rows:
        print(f"{g.number}\t{g.village}\t{g.head_name}\t{g.reason}\t{g.start}—{g.end}\t{g.amount}")
    info(f"本月和下月期满的渐退期 {len(rows)} 个。")
    return 0


def cmd_grace_process(ctx: Context) -> int:
    with ctx.database().session() as s:
        report = gradual.process_due_exits(s, ctx.actor(s), today=_today(ctx.args.date))
    if ctx.json:
        dump_json(report)
        return 0
    for p in report.proposed:
        print(f"{p.id[:8]}\t{p.head_name}\t退出 {p.day}\t{p.reason}")
    for name, why in report.skipped:
        info(f"{name}：{why}")
    info(f"已提交 {len(report.proposed)} 条退出提议，待审核人批准。")
    return 0
