"""What the 报表打印 page asks for: the documents, a request, and running it (no widgets).

``generate`` runs in the worker thread: the report service writes the file and its audit entry
in one unit of work; a cancel rolls both back.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app import documents, jobs, publicity_service, reports
from app.errors import QingfengError


@dataclass(frozen=True)
class DocKind:
    key: str
    label: str  # shown in the picker
    name: str  # used in file names and messages
    suffix: str  # ".pdf" or ".xlsx"
    periods: tuple[str, ...]  # allowed period kinds, the first is the default


DOCS = [
    DocKind("gongshi_village", "公示（村·月度）", "公示", ".pdf", ("month",)),
    DocKind("gongshi_township", "公示（全乡镇·季度）", "公示", ".pdf", ("quarter",)),
    DocKind("gongshi_case", "个案公示（拟新增·拟调整·拟终止）", "个案公示", ".pdf", ("month",)),
    DocKind("selfcheck", "自查自纠报告", "自查自纠报告", ".pdf", ("quarter", "month", "year")),
    DocKind("monthly_pdf", "动态管理月报 PDF", "动态管理月报", ".pdf", ("month",)),
    DocKind("monthly_xlsx", "动态管理月报 Excel", "动态管理月报", ".xlsx", ("month",)),
    DocKind("screening", "排查统计表 Excel", "排查统计表", ".xlsx", ("year", "quarter", "month")),
    DocKind("ledger_pdf", "专项整治工作台账 PDF", "专项整治工作台账", ".pdf", ("month",)),
    DocKind("ledger_xlsx", "专项整治工作台账 Excel", "专项整治工作台账", ".xlsx", ("month",)),
]
DOC_BY_KEY = {d.key: d for d in DOCS}
DESCRIPTIONS = {
    "gongshi_village": "本村（居）在保对象公示名单，按月张贴。不显示完整身份证号、银行账号、电话和病残情况；"
                       "特困人员中的未成年人依规不公示。",
    "gongshi_township": "全乡镇在保对象公示名单（含村（居）列），按季度公示，内容限制同村级公示。",
    "gongshi_case": "一户待审核的纳入、调整或退出事项的个案公示（7 天）。理由只印编码部分"
                    "（如“死亡（……）”印“死亡”），特困未成年人不公示。",
    "selfcheck": "GB/T 9704 公文格式。统计数字按所选期间自动生成，正文可按本单位情况修改；"
                 "问题台账中的问题列为附件。",
    "monthly_pdf": "本月新增、退出、调整和死亡人员；无变动的部分写“零报告”。逾期报送会提示。",
    "monthly_xlsx": "同动态管理月报，保存为 Excel 工作簿，便于报送和汇总。",
    "ledger_pdf": "按月：本月新发现、整改完成、销号和逾期的问题，移交线索、信访举报和标注的典型问题。"
                  "与动态管理月报同期报送。",
    "ledger_xlsx": "同专项整治工作台账，保存为 Excel 工作簿。",
    "screening": "内部工作底稿：在保、退出、申请未通过三张表，含完整身份证号，仅供内部使用，请妥善保管。",
}
PERIOD_KINDS = {"month": "月", "quarter": "季度", "year": "年"}
QUARTERS = ["第一季度", "第二季度", "第三季度", "第四季度"]
PAPERS = [("A4 纵向", "A4"), ("A3 横向（张贴用）", "A3L")]
WARN_STYLE = ("#warnbox { background: #fff8e1; border: 1px solid #f0b429; border-radius: 6px; }")
NOTE_STYLE = "color: #5f6b7a;"
OK_STYLE = "color: #1b5e20;"


class Refused(QingfengError):
    """A choice on the form that cannot make a document; the message says what to change."""


@dataclass(frozen=True)
class Request:
    """Everything one generation needs, checked on the UI thread before any worker starts."""

    doc: DocKind
    period: reports.Period
    village: str | None = None
    start: date | None = None
    paper: str = "A4"
    number: int = 1
    addressee: str = ""
    title: str | None = None
    paragraphs: tuple[str, ...] = ()
    household: str | None = None  # 个案公示: 户编号 or a member's ID number
    signer: str | None = None  # 自查自纠报告: 签发人
    copy_to: str | None = None  # 自查自纠报告: 抄送 (版记)

    def file_name(self) -> str:
        if self.household:
            return f"{self.doc.name}-{self.household}{self.doc.suffix}"
        parts = [self.doc.name] + ([self.village] if self.village else []) + [self.period.label]
        return "-".join(parts) + self.doc.suffix


def default_paragraphs(office: documents.OfficeInfo, period: reports.Period) -> list[str]:
    return reports.selfcheck_default_paragraphs(office, period)


def default_title(period: reports.Period) -> str:
    return reports.selfcheck_default_title(period)


def body_paragraphs(text: str) -> list[str]:
    """The editor's text as paragraphs: one per non-empty line; ``{figures}`` inside a line
    splits it, so the figures paragraph is inserted exactly there."""
    out: list[str] = []
    for line in text.splitlines():
        pieces = line.split(documents.FIGURES)
        for i, piece in enumerate(pieces):
            if i:
                out.append(documents.FIGURES)
            if piece.strip():
                out.append(piece.strip())
    return out


def generate(database, actor, req: Request, out: Path, *, today: date,  # noqa: ANN001
             cancelled=None) -> documents.DocumentResult:  # noqa: ANN001
    """Run the report service for ``req`` into ``out`` (worker thread). A cancel rolls back the
    audit entry; a file this call wrote but did not finish (or that was cancelled) is removed."""
    before = out.stat().st_mtime_ns if out.exists() else None
    try:
        with database.session() as s:
            key = req.doc.key
            if key == "gongshi_case":
                result = publicity_service.make_case_gongshi(s, actor, out, household=req.household or "",
                                                             start=req.start or today, paper=req.paper,
                                                             today=today)
            elif key.startswith("gongshi"):
                result = reports.make_gongshi(s, actor, out, period=req.period, village=req.village,
                                              start=req.start or today, paper=req.paper, today=today)
            elif key == "selfcheck":
                result = reports.make_selfcheck(s, actor, out, period=req.period, number=req.number,
                                                addressee=req.addressee,
                                                paragraphs=list(req.paragraphs),
                                                title=req.title, today=today, signer=req.signer,
                                                copy_to=req.copy_to)
            elif key.startswith("ledger"):
                from app import ledger_report

                result = ledger_report.make_ledger(s, actor, out, period=req.period, today=today)
            elif key.startswith("monthly"):
                result = reports.make_monthly(s, actor, out, period=req.period, today=today)
            else:
                result = reports.make_screening(s, actor, out, period=req.period)
            jobs.raise_if_cancelled(cancelled)
        return result
    except BaseException:
        try:
            if out.exists() and (before is None or out.stat().st_mtime_ns != before):
                out.unlink()
        except OSError:
            pass
        raise
