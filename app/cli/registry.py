"""household …: add, show, list, search, status, step, edit; member add/remove."""
from __future__ import annotations

from datetime import date

from app import households as hs
from app import queries
from app import search as search_mod
from app.cli.common import Context, add_json, dump_json, info
from app.errors import ValidationError
from app.idcard import mask_id


def parse_date(value: str | None) -> date | None:
    """A YYYY-MM-DD option (None when not given); refused in Chinese otherwise."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError("日期", value, "应为 YYYY-MM-DD，如 2026-11-23") from None


def _member(spec: str) -> hs.MemberInput:
    parts = [p.strip() for p in spec.replace("，", ",").split(",")]
    if len(parts) < 2:
        raise ValidationError("--member", spec, "格式为 姓名,身份证号,与户主关系")
    return hs.MemberInput(name=parts[0], id_number=parts[1] or None,
                          relation=parts[2] if len(parts) > 2 and parts[2] else "其他")


def register(sub) -> None:  # noqa: ANN001
    p = sub.add_parser("household", help="救助对象（家庭）")
    hsub = p.add_subparsers(dest="household_command", metavar="子命令", required=True)

    a = hsub.add_parser("add", help="登记新申请")
    a.add_argument("--village", required=True)
    a.add_argument("--category", required=True)
    a.add_argument("--head", required=True, help="户主姓名")
    a.add_argument("--id", dest="id_number", help="户主身份证号")
    a.add_argument("--member", action="append", default=[], help="成员：姓名,身份证号,与户主关系（可重复）")
    a.add_argument("--urban-rural", default="农村", choices=["城市", "农村"])
    a.add_argument("--cause", help="致贫原因")
    a.add_argument("--class", dest="classification", choices=["A", "B", "C"])
    a.add_argument("--amount", default="0", help="月保障金额（元）")
    a.add_argument("--address")
    a.add_argument("--date", help="申请日期 YYYY-MM-DD")
    add_json(a)
    a.set_defaults(handler=cmd_add)

    s = hsub.add_parser("show", help="查看一户（户编号、身份证号或 ID）")
    s.add_argument("ref")
    add_json(s)
    s.set_defaults(handler=cmd_show)

    ls = hsub.add_parser("list", help="列出家庭")
    for opt in ("village", "category", "status"):
        ls.add_argument(f"--{opt}")
    ls.add_argument("--class", dest="classification")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--offset", type=int, default=0)
    add_json(ls)
    ls.set_defaults(handler=cmd_list)

    q = hsub.add_parser("search", help="按姓名、拼音首字母、全拼、身份证号前几位或村名查找")
    q.add_argument("query")
    q.add_argument("--limit", type=int, default=20)
    add_json(q)
    q.set_defaults(handler=cmd_search)

    st = hsub.add_parser("status", help="变更保障状态（须写原因）")
    st.add_argument("ref")
    st.add_argument("--to", required=True, dest="status")
    st.add_argument("--reason", required=True)
    st.add_argument("--date")
    add_json(st)
    st.set_defaults(handler=cmd_status)

    sp = hsub.add_parser("step", help="登记办理环节")
    sp.add_argument("ref")
    sp.add_argument("--kind", required=True)
    sp.add_argument("--date", required=True)
    sp.add_argument("--handler", dest="step_handler", help="经办人（默认：当前用户）")
    sp.add_argument("--outcome")
    sp.add_argument("--note")
    sp.add_argument("--report-number", help="家庭经济状况核对：核对平台报告编号")
    sp.add_argument("--signers", help="入户调查：签字的工作人员，顿号或逗号分隔（至少两人）")
    sp.add_argument("--attendee", help="民主评议：参加的乡镇（街道）工作人员姓名")
    sp.add_argument("--days", type=int, help="公示/终止公示：公示天数（默认按设置）")
    sp.set_defaults(handler=cmd_step)

    e = hsub.add_parser("edit", help="修改家庭信息：--set 字段=值")
    e.add_argument("ref")
    e.add_argument("--set", action="append", default=[], dest="changes")
    e.add_argument("--version", type=int, help="修改所依据的版本（防止覆盖别人的修改）")
    e.set_defaults(handler=cmd_edit)

    m = hsub.add_parser("member-add", help="增加成员")
    m.add_argument("ref")
    m.add_argument("member", help="姓名,身份证号,与户主关系")
    add_json(m)
    m.set_defaults(handler=cmd_member_add)

    r = hsub.add_parser("member-remove", help="移出成员（身份证号）")
    r.add_argument("id_number")
    r.add_argument("--reason", required=True)
    r.add_argument("--death-date", dest="death_date", help="死亡日期 YYYY-MM-DD（原因为死亡时必填）")
    r.set_defaults(handler=cmd_member_remove)


def cmd_add(ctx: Context) -> int:
    a = ctx.args
    members = [hs.MemberInput(name=a.head, id_number=a.id_number, relation="户主")]
    members += [_member(spec) for spec in a.member]
    with ctx.database().session() as s:
        saved = hs.create_household(s, ctx.actor(s), village=a.village, category=a.category,
                                    members=members, urban_rural=a.urban_rural,
                                    poverty_cause=a.cause, classification=a.classification,
                                    monthly_amount=a.amount, address=a.address,
                                    apply_date=parse_date(a.date))
        number = queries.household_detail(s, saved.id).number
    for notice in saved.notices:
        info(f"提示：{notice}")
    if ctx.json:
        dump_json({"id": saved.id, "number": number, "notices": saved.notices})
    else:
        info(f"已登记：{a.head}户，户编号 {number}。")
    return 0


def cmd_show(ctx: Context) -> int:
    with ctx.database().session() as s:
        actor = ctx.actor(s)
        detail = queries.household_detail(s, queries.find_household_id(s, ctx.args.ref))
        from app import audit

        audit.record(s, actor, "view", "document", f"household:{detail.id}", None,
                     {"what": "household show", "number": detail.number, "json": ctx.json})
    if ctx.json:
        dump_json(detail)
        return 0
    d = detail
    print(f"{d.head_name}户  户编号 {d.number}  {d.village}  {d.category}  状态：{d.status}")
    print(f"分类 {d.classification or '-'}  月保障金额 {d.monthly_amount} 元  致贫原因 {d.poverty_cause or '-'}"
          f"  下次复核 {d.next_review_date or '-'}  版本 {d.version}")
    print("成员：")
    for m in d.members:
        apart = "" if m.lives_together else "\t（不共同生活）"
        print(f"  {m.relation}\t{m.name}\t{mask_id(m.id_number) if m.id_number else '-'}\t"
              f"{m.gender or ''}\t{m.birth_date or ''}{apart}")
    print("办理环节：")
    for st in d.steps:
        print(f"  {st.day}\t{st.kind}\t{st.handler}\t{st.outcome or ''}\t{st.note or ''}")
    return 0


def cmd_list(ctx: Context) -> int:
    a = ctx.args
    f = queries.Filters(village=a.village, category=a.category, status=a.status,
                        classification=a.classification)
    with ctx.database().session(write=False) as s:
        ctx.actor(s)
        total = queries.count_households(s, f)
        rows = queries.list_households(s, f, offset=a.offset, limit=a.limit)
    if ctx.json:
        dump_json({"total": total, "rows": rows})
        return 0
    for r in rows:
        print(f"{r.number}\t{r.village}\t{r.head_name}\t{r.size}人\t{r.category}\t{r.status}\t{r.monthly_amount}")
    info(f"共 {total} 户，显示第 {a.offset + 1}–{a.offset + len(rows)} 户。")
    return 0


def cmd_search(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        ctx.actor(s)
        hits = search_mod.search(s, ctx.args.query, limit=ctx.args.limit)
    if ctx.json:
        dump_json(hits)
        return 0
    for h in hits:
        print(f"{h.number}\t{h.village}\t{h.head_name}\t{h.category}\t{h.status}\t{h.monthly_amount}")
    info(f"找到 {len(hits)} 户。" if hits else f"没有找到与“{ctx.args.query}”相符的家庭。")
    return 0


def cmd_status(ctx: Context) -> int:
    """A grant (申请中→在保) or an exit (→已退出) becomes a proposal for a 审核人 to approve
    (two pairs of eyes); other transitions (暂停, 未通过, 重新申请) change directly."""
    from app.assessment import approvals

    with ctx.database().session() as s:
        actor = ctx.actor(s)
        hid = queries.find_household_id(s, ctx.args.ref)
        current = queries.household_detail(s, hid).status
        if hs.is_gated_transition(current, ctx.args.status):
            p = approvals.propose_status(s, actor, hid, status=ctx.args.status,
                                         reason=ctx.args.reason, day=parse_date(ctx.args.date))
            saved = None
        else:
            saved = hs.change_status(s, actor, hid, status=ctx.args.status,
                                     reason=ctx.args.reason, day=parse_date(ctx.args.date))
    if saved is None:
        if ctx.json:
            dump_json({"id": hid, "proposal": p.id, "state": p.state, "status": current})
        else:
            info(f"已提交审核（提议 {p.id[:8]}，{p.kind}）：审核人批准后变更为“{ctx.args.status}”。"
                 f"审核人用 qingfeng-cli approval approve {p.id[:8]} 批准。")
        return 0
    if ctx.json:
        dump_json({"id": saved.id, "version": saved.version, "status": ctx.args.status})
    else:
        info(f"已变更为“{ctx.args.status}”。")
    return 0


def cmd_step(ctx: Context) -> int:
    a = ctx.args
    with ctx.database().session() as s:
        actor = ctx.actor(s)
        hid = queries.find_household_id(s, a.ref)
        hs.record_step(s, actor, hid, kind=a.kind, day=parse_date(a.date),
                       handler=a.step_handler or actor.display_name, outcome=a.outcome, note=a.note,
                       report_number=a.report_number, signers=a.signers, attendee=a.attendee,
                       period_days=a.days)
    info(f"已登记环节“{a.kind}”。")
    return 0


def cmd_edit(ctx: Context) -> int:
    changes = {}
    for item in ctx.args.changes:
        if "=" not in item:
            raise ValidationError("--set", item, "格式为 字段=值，如 monthly_amount=650")
        key, value = item.split("=", 1)
        changes[key.strip()] = parse_date(value) if key.strip() == "apply_date" else value
    with ctx.database().session() as s:
        hid = queries.find_household_id(s, ctx.args.ref)
        saved = hs.edit_household(s, ctx.actor(s), hid, expected_version=ctx.args.version,
                                  changes=changes)
    info(f"已保存（版本 {saved.version}）。")
    return 0


def cmd_member_add(ctx: Context) -> int:
    with ctx.database().session() as s:
        hid = queries.find_household_id(s, ctx.args.ref)
        saved = hs.add_member(s, ctx.actor(s), hid, _member(ctx.args.member))
    for notice in saved.notices:
        info(f"提示：{notice}")
    info("已增加成员。")
    return 0


def cmd_member_remove(ctx: Context) -> int:
    from sqlalchemy import select

    from app.errors import NotFound
    from db.models import Member

    with ctx.database().session() as s:
        actor = ctx.actor(s)
        mid = s.execute(select(Member.id).where(Member.id_number == ctx.args.id_number.upper(),
                                                Member.deleted_at.is_(None))).scalar()
        if mid is None:
            raise NotFound(f"没有身份证号为 {ctx.args.id_number} 的在册成员。")
        hs.remove_member(s, actor, mid, reason=ctx.args.reason,
                         death_date=parse_date(ctx.args.death_date))
    info("已移出成员。")
    return 0
