"""report gongshi|selfcheck|monthly|screening|ledger, and office (details printed on documents)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from app import clock, offices, reports
from app.cli.common import Context, add_json, dump_json, info
from app.errors import ValidationError


def register(sub) -> None:  # noqa: ANN001
    p = sub.add_parser("report", help="打印文书：公示、自查自纠报告、动态管理月报、排查统计表")
    rsub = p.add_subparsers(dest="report_command", metavar="文书", required=True)
    for name, helptext in (("gongshi", "公示（按村每月；不写 --village 则全乡镇按季度）"),
                           ("selfcheck", "自查自纠报告（GB/T 9704 公文格式）"),
                           ("monthly", "动态管理月报（.pdf 或 .xlsx）"),
                           ("screening", "排查统计表（Excel：在保、退出、申请未通过）"),
                           ("ledger", "专项整治工作台账（按月；.pdf 或 .xlsx）")):
        r = rsub.add_parser(name, help=helptext)
        r.add_argument("--period", help="期间：2026-11、2026Q4、2026 或 2026-01-01:2026-06-30（默认本月）")
        r.add_argument("--out", required=True, help="输出文件")
        add_json(r)
        r.set_defaults(handler=cmd_report, kind=name)
        if name == "gongshi":
            r.add_argument("--village")
            r.add_argument("--start", help="公示开始日期（默认今天）")
            r.add_argument("--paper", choices=["A4", "A3L"], default="A4")
            r.add_argument("--case", metavar="HOUSEHOLD",
                           help="个案公示（拟新增/拟调整/拟终止）：户编号、成员身份证号或家庭 ID")
        if name == "selfcheck":
            r.add_argument("--number", type=int, required=True, help="发文序号，如 12")
            r.add_argument("--addressee", help="主送机关（默认：单位信息中的上级民政部门）")
            r.add_argument("--title")
            r.add_argument("--signer", help="签发人（上行文须标注，如：张三）")
            r.add_argument("--copy-to", dest="copy_to", help="抄送机关（印在版记中，逗号分隔）")
            r.add_argument("--body", help="正文段落文件（UTF-8，空行分段；写 {figures} 处插入统计数字）")

    p = sub.add_parser("office", help="单位信息（印在文书上）")
    osub = p.add_subparsers(dest="office_command", metavar="子命令", required=True)
    s = osub.add_parser("show")
    add_json(s)
    s.set_defaults(handler=cmd_office_show)
    s = osub.add_parser("set")
    for opt in ("name", "phone", "district-phone", "address", "doc-prefix", "district-name"):
        s.add_argument(f"--{opt}")
    s.set_defaults(handler=cmd_office_set)


def _body(path: str | None) -> list[str] | None:
    if not path:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError("--body", path, f"无法读取（{exc}）") from None
    from app.documents import FIGURES

    return [FIGURES if p.strip() == "{figures}" else " ".join(p.split())
            for p in text.split("\n\n") if p.strip()]


def _start(text: str | None, today: date) -> date:
    if not text:
        return today
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError("--start", text, "应为 YYYY-MM-DD，如 2026-11-23") from None


def cmd_report(ctx: Context) -> int:
    a = ctx.args
    today = clock.today()
    out = Path(a.out)
    want = {"gongshi": ".pdf", "selfcheck": ".pdf", "screening": ".xlsx"}.get(a.kind)
    if want and out.suffix.lower() != want:
        raise ValidationError("--out", a.out, f"此文书应保存为 {want} 文件")
    if a.kind in ("monthly", "ledger") and out.suffix.lower() not in (".pdf", ".xlsx"):
        what = "动态管理月报" if a.kind == "monthly" else "专项整治工作台账"
        raise ValidationError("--out", a.out, f"{what}应保存为 .pdf 或 .xlsx 文件")
    out.parent.mkdir(parents=True, exist_ok=True)
    period = reports.parse_period(a.period, today=today)
    with ctx.database().session() as s:
        actor = ctx.actor(s)
        if a.kind == "gongshi" and a.case:
            from app import publicity_service

            result = publicity_service.make_case_gongshi(s, actor, out, household=a.case,
                                                         start=_start(a.start, today), paper=a.paper,
                                                         today=today)
        elif a.kind == "gongshi":
            start = _start(a.start, today)
            result = reports.make_gongshi(s, actor, out, period=period, village=a.village,
                                          start=start, paper=a.paper, today=today)
        elif a.kind == "selfcheck":
            result = reports.make_selfcheck(s, actor, out, period=period, number=a.number,
                                            addressee=a.addressee, paragraphs=_body(a.body),
                                            title=a.title, today=today, signer=a.signer,
                                            copy_to=a.copy_to)
        elif a.kind == "monthly":
            result = reports.make_monthly(s, actor, out, period=period, today=today)
        elif a.kind == "ledger":
            from app import ledger_report

            result = ledger_report.make_ledger(s, actor, out, period=period, today=today)
        else:
            result = reports.make_screening(s, actor, out, period=period)
    for w in result.warnings:
        info(f"注意：{w}")
    if ctx.json:
        dump_json({"file": str(out.resolve()), "pages": result.pages, "rows": result.rows,
                   "warnings": result.warnings, "withheld": result.withheld})
    else:
        info(f"已生成 {out.resolve()}（{result.rows} 行，{result.pages} {'页' if out.suffix == '.pdf' else '张表'}）。")
    return 0


def cmd_office_show(ctx: Context) -> int:
    with ctx.database().session(write=False) as s:
        ctx.actor(s)
        o = reports.office_info(s)
    if ctx.json:
        dump_json(o)
    else:
        for k, v in o.__dict__.items():
            print(f"{k}\t{v or ''}")
    return 0


def cmd_office_set(ctx: Context) -> int:
    a = ctx.args
    changes = {k: getattr(a, k) for k in ("name", "phone", "district_phone", "address", "doc_prefix",
                                           "district_name") if getattr(a, k) is not None}
    with ctx.database().session() as s:
        offices.update_office(s, ctx.actor(s), **changes)
    info("已保存单位信息。")
    return 0
