"""What a 公示 may show — the one home of this rule.

Every 公示 builder (and any future web export) gets its rows from here and
from nowhere else.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from app.documents.model import CaseNotice, HouseholdRow, PublicCaseRow, PublicRow

TEKUN_CATEGORIES = frozenset({"特困人员", "特困人员(分散供养)", "特困人员(集中供养)"})
ADULT_AGE = 18


def _norm(text: str | None) -> str:
    # NFKC turns full-width brackets （） into ( ) and strips odd spacing.
    return unicodedata.normalize("NFKC", text or "").replace(" ", "")


def is_tekun(category: str | None) -> bool:
    """True for 特困人员 in any of its spellings (分散供养 / 集中供养)."""
    c = _norm(category)
    return c in TEKUN_CATEGORIES or c.startswith("特困")


def _birth_date(h: HouseholdRow) -> date | None:
    if h.head_birth_date is not None:
        return h.head_birth_date
    idn = _norm(h.head_id_number)
    try:
        if len(idn) == 18:
            return date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
        if len(idn) == 15:
            return date(1900 + int(idn[6:8]), int(idn[8:10]), int(idn[10:12]))
    except ValueError:
        return None
    return None


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


_CAUSE_CUTS = re.compile(r"[(（\[【:：,，;；]")


def public_cause(cause: str | None) -> str:
    """The coded part of a 致贫原因, without any parenthesised detail."""
    text = (cause or "").strip()
    return _CAUSE_CUTS.split(text, maxsplit=1)[0].strip()


def is_withheld(h: HouseholdRow, *, today: date) -> bool:
    """A 特困 household whose covered persons are all minors on ``today`` (e.g. a grandchild
    covered, the uncovered grandparent at the head), or that has no covered person at all.

    Without the list of covered persons the head stands for them: the birth date comes from
    ``head_birth_date``, else from the ID number. When nothing gives a date the household is
    published (nothing shows that it is a minor's); the data-quality checks flag missing dates.
    """
    if not is_tekun(h.category):
        return False
    if h.covered is not None:
        return all(born is not None and age_on(born, today) < ADULT_AGE for _n, born in h.covered)
    born = _birth_date(h)
    return born is not None and age_on(born, today) < ADULT_AGE


def _published_name(h: HouseholdRow) -> str:
    """The head when covered (or when the covered persons are unknown); else the covered persons."""
    head = (h.head_name or "").strip()
    if h.covered is None or not h.covered or head in {n for n, _b in h.covered}:
        return head
    return "、".join(n for n, _b in h.covered)


def _published_size(h: HouseholdRow) -> int:
    return len(h.covered) if h.covered is not None else int(h.household_size or 0)


def public_rows(households: Iterable[HouseholdRow], *, today: date) -> list[PublicRow]:
    """The rows a 公示 may show, in the given order.

    Rule (《最低生活保障审核确认办法》, 民发〔2021〕57号, and
    《特困人员认定办法》, 民发〔2021〕43号, on 公示 and the protection of
    personal information): a 公示 publishes only 户主姓名、家庭人口、
    致贫原因 / 保障类别 and 保障金额 (with the 村(居) it belongs to).  Never a
    full or partial ID number, bank account, telephone, illness or disability
    detail.  特困人员 who are minors are not published: a 特困 household whose
    head / only covered person is under 18 on ``today`` is left out entirely.
    The 致贫原因 is cut to its coded part ("因病（尿毒症）" prints "因病"), so a
    diagnosis typed into the cause never reaches the board.
    """
    out: list[PublicRow] = []
    for h in households:
        if is_withheld(h, today=today):
            continue
        out.append(PublicRow(
            village=(h.village or "").strip(),
            head_name=_published_name(h),
            household_size=_published_size(h),
            category=(h.category or "").strip(),
            poverty_cause=public_cause(h.poverty_cause),
            monthly_amount=Decimal(h.monthly_amount or 0).quantize(Decimal("0.01")),
        ))
    return out


def public_case_rows(cases: Iterable[CaseNotice], *, today: date) -> list[PublicCaseRow]:
    """Rows of a case-by-case 公示 (拟新增 / 拟终止 / 拟调整); same rule as
    :func:`public_rows`.  The printed reason is the poverty cause for 拟新增 /
    拟调整 and the ending reason for 拟终止 (``CaseNotice.reason`` or ``exit_reason``),
    both cut to their coded part by :func:`public_cause` ("死亡（肺癌晚期）" prints "死亡").
    """
    out: list[PublicCaseRow] = []
    for c in cases:
        rows = public_rows([c.household], today=today)
        if not rows:
            continue
        if c.kind == "拟终止":
            reason = public_cause(c.reason or c.household.exit_reason)
        else:
            reason = public_cause(c.reason) or rows[0].poverty_cause
        out.append(PublicCaseRow(kind=c.kind, row=rows[0], reason=reason))
    return out
