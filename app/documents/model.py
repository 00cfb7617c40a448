"""Plain input/output dataclasses of the document builders.

The database layer fills these; the builders never touch a session.  Money is
always ``Decimal`` (yuan), dates are ``datetime.date``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass
class HouseholdRow:
    """One household (保户) as the documents need it.

    ``head_*`` describe the household head, or for a single-person case the
    only covered person.  Fields after ``status`` are optional.  The private
    fields (ID number, phone, bank account, illness, disability) are used only
    by internal working papers (排查统计表); :func:`app.documents.publicity.public_rows`
    strips them before anything is published.
    """

    uuid: str
    village: str
    head_name: str
    head_id_number: str | None
    head_birth_date: date | None
    household_size: int
    category: str  # 保障类别, e.g. 农村低保 / 特困人员(分散供养)
    poverty_cause: str  # 致贫原因
    monthly_amount: Decimal
    status: str  # 在保 / 退出 / 未通过 / 审核中 ...
    apply_date: date | None = None
    approve_date: date | None = None
    exit_date: date | None = None
    exit_reason: str | None = None
    refuse_reason: str | None = None
    phone: str | None = None
    bank_account: str | None = None
    illness: str | None = None
    disability: str | None = None
    # Covered persons (保障对象) living in the household: (name, birth date). None: unknown, the
    # head stands for the household (older callers); a 公示 publishes only covered persons.
    covered: tuple[tuple[str, date | None], ...] | None = None
    # 排查统计表 only (internal): the screening conclusion and proposed handling.
    screening_conclusion: str | None = None
    handling_opinion: str | None = None


@dataclass
class OfficeInfo:
    """The issuing township/subdistrict office."""

    code: str  # 9-digit statistical code, e.g. 640424100
    name: str  # e.g. 香山镇人民政府
    district_name: str  # e.g. 某某县民政局
    phone: str  # the office's complaint telephone
    district_phone: str  # the district bureau's supervision telephone
    address: str  # where objections are received
    doc_prefix: str  # 机关代字, e.g. 香民发
    mark: str | None = None  # 发文机关标志; default: f"{name}文件"


@dataclass(frozen=True)
class PublicRow:
    """What a 公示 may show of one household, and nothing else."""

    village: str
    head_name: str
    household_size: int
    category: str
    poverty_cause: str
    monthly_amount: Decimal


@dataclass
class CaseNotice:
    """One household in a case-by-case 公示 (拟新增 / 拟终止 / 拟调整)."""

    kind: str  # 拟新增 | 拟终止 | 拟调整
    household: HouseholdRow
    # For 拟终止: the coded ending reason (收入超标 / 死亡 / 迁出 / 自愿退出 ...),
    # never free text with health details.  Defaults to household.exit_reason.
    reason: str | None = None


@dataclass(frozen=True)
class PublicCaseRow:
    kind: str
    row: PublicRow
    reason: str


@dataclass
class ChangeRow:
    """One line of the 动态管理月报."""

    kind: str  # 新增 | 退出 | 调整 | 死亡
    name: str  # head of household (or the deceased person for 死亡)
    village: str
    household_size: int
    amount_before: Decimal | None  # None for 新增
    amount_after: Decimal | None  # None / 0 for 退出 and 死亡 that ends the case
    reason: str = ""
    date: date | None = None
    category: str = ""
    late: bool = False  # 补报: took effect in an earlier month, entered after that month's report


@dataclass
class StockFigures:
    """Optional month-end stock for the monthly report (在保总数)."""

    households: int
    persons: int
    monthly_amount: Decimal


@dataclass
class ProblemRow:
    """One problem for the 自查自纠 attachment (问题清单)."""

    category: str  # 问题类别, e.g. 错保
    source: str  # 问题来源, e.g. 自查自纠 / 信访举报
    description: str
    status: str  # 整改中 / 已整改 / 已销号 / 已移交
    deadline: date | None = None
    responsible: str = ""


@dataclass
class SelfCheckFigures:
    """Figures quoted in the 自查自纠报告 body."""

    households_reviewed: int
    persons_reviewed: int
    newly_included_households: int = 0
    newly_included_persons: int | None = None
    exited_households: int = 0
    exited_persons: int | None = None
    adjusted_households: int = 0
    problems_by_category: dict[str, int] = field(default_factory=dict)
    rectified: int = 0
    overdue: int = 0
    transferred: int = 0  # clues transferred to 纪检监察机关
    petitions_received: int = 0
    petitions_concluded: int = 0
    problems_by_source: dict[str, int] = field(default_factory=dict)
    transfers_late: int = 0  # transferred after the due day, or due and not yet transferred
    petitions_overdue: int = 0
    petitions_priority: int = 0  # 重点 petitions

    @property
    def problems_found(self) -> int:
        return sum(self.problems_by_category.values())


@dataclass
class GlyphWarning:
    """A character the embedded font cannot print, and whose it is."""

    person: str  # the name (or other text) as stored
    chars: str  # the characters without a glyph
    where: str = ""  # e.g. "户主姓名" / "第 3 行"

    def __str__(self) -> str:
        codes = "、".join(f"U+{ord(c):04X}" for c in self.chars)
        where = f"（{self.where}）" if self.where else ""
        return f"“{self.person}”{where}含字体无法显示的字：{codes}，请核对后手写补正"


@dataclass
class DocumentResult:
    """What every builder returns."""

    path: str
    pages: int = 0  # PDF pages; for Excel the number of sheets
    rows: int = 0  # data rows written
    warnings: list[str] = field(default_factory=list)
    glyph_warnings: list[GlyphWarning] = field(default_factory=list)
    withheld: int = 0  # households not published (特困 minors)
