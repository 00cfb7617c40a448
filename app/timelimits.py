"""Time limits of a case, each a named rule with its regulation; all figures are settings.

Working-day limits are counted by :mod:`app.workdays` (the holiday calendar); a limit counted in
calendar days whose last day is not a working day ends on the next working day
(:func:`calendar_limit`, 民法典 第二百零三条). Nothing here is stored: every limit is computed
from the recorded steps, so a change of the calendar or of a setting shows at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import codes, rulesettings, workdays
from db.models import Household, Step, Village
from db.procedure_models import StepDetail

DONE, OPEN, NEAR, LATE = "已完成", "未到期", "临近", "逾期"


@dataclass(frozen=True)
class Limit:
    """One time limit of a case: what, from when, due when, done when, and its state today."""

    rule: str  # the named rule, e.g. 低保审核确认时限
    regulation: str
    start: date
    due: date
    done: date | None
    state: str
    warning: str | None = None


def calendar_limit(session: Session, start: date, days: int) -> workdays.Deadline:
    """``days`` calendar days after ``start``; a last day that is a statutory holiday or a rest
    day moves to the next working day.

    Rule: 《民法典》第二百零三条 — 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日.
    """
    day = start + timedelta(days=days)
    covered = workdays.is_covered(session, day)
    while not workdays.is_working_day(session, day):
        day += timedelta(days=1)
        covered = covered and workdays.is_covered(session, day)
    return workdays.Deadline(day, covered, None if covered else workdays.uncovered_warning([day.year]))


def _state(due: date, done: date | None, today: date, near_days: int) -> str:
    if done is not None:
        return DONE if done <= due else LATE
    if today > due:
        return LATE
    return NEAR if (due - today).days <= near_days else OPEN


def _limit(rule: str, regulation: str, start: date, deadline: workdays.Deadline, done: date | None,
           today: date, near_days: int) -> Limit:
    return Limit(rule, regulation, start, deadline.day, done, _state(deadline.day, done, today, near_days),
                 deadline.warning)


def decision_limit(session: Session, accepted: date, *, extended: bool, tekun: bool) -> workdays.Deadline:
    """审核确认时限: 低保 within ``dibao_decision_working_days`` (30) working days of 受理, plus
    ``dibao_decision_extension_working_days`` (15) when extended with a written reason.

    Rule: 《最低生活保障审核确认办法》第二十三条 (乡镇人民政府应当自受理之日起 30 个工作日内完成审核确认；
    情况复杂的可延长 15 个工作日). For 特困 the township's investigation and initial opinion is
    due within ``tekun_investigation_working_days`` (15), 《特困人员认定办法》第十二条.
    """
    if tekun:
        return workdays.add_working_days(session, accepted,
                                         rulesettings.get(session, "tekun_investigation_working_days"))
    n = rulesettings.get(session, "dibao_decision_working_days")
    if extended:
        n += rulesettings.get(session, "dibao_decision_extension_working_days")
    return workdays.add_working_days(session, accepted, n)


def tekun_decision_limit(session: Session, gongshi_end: date) -> workdays.Deadline:
    """特困 审核确认 within ``tekun_decision_working_days`` (10) working days after the 公示.

    Rule: 《特困人员认定办法》第十四条."""
    return workdays.add_working_days(session, gongshi_end, rulesettings.get(session, "tekun_decision_working_days"))


def refusal_notice_limit(session: Session, decided: date) -> workdays.Deadline:
    """不予确认 told in writing, with the reason, within ``refusal_notice_working_days`` (3).

    Rule: 《最低生活保障审核确认办法》第二十四条；《特困人员认定办法》第十五条."""
    return workdays.add_working_days(session, decided, rulesettings.get(session, "refusal_notice_working_days"))


def objection_limit(session: Session, raised: date) -> workdays.Deadline:
    """An objection during the 公示 re-investigated within ``tekun_objection_working_days`` (15).

    Rule: 《特困人员认定办法》第十三条 (对公示有异议的，应当在 15 个工作日内重新调查核实)."""
    return workdays.add_working_days(session, raised, rulesettings.get(session, "tekun_objection_working_days"))


def _rows(session: Session, households: list[Household]) -> dict[str, list]:
    """(Step, StepDetail) of the current case of each household, oldest first, in one query."""
    if not households:
        return {}
    since = {hh.id: hh.apply_date or date.min for hh in households}
    out: dict[str, list] = {hid: [] for hid in since}
    ids = list(since)
    for i in range(0, len(ids), 500):
        for s, d in session.execute(select(Step, StepDetail).outerjoin(StepDetail, StepDetail.step_id == Step.id)
                                    .where(Step.household_id.in_(ids[i:i + 500]), Step.deleted_at.is_(None))
                                    .order_by(Step.day, Step.created_at)):
            if s.day >= since[s.household_id]:
                out[s.household_id].append((s, d))
    return out


def _case_limits(session: Session, hh: Household, rows: list, today: date, near_days: int) -> list[Limit]:
    from app import procedure

    first = {}
    for s, d in rows:
        first.setdefault(s.kind, (s, d))
    accepted = next((s.day for s, _d in rows if s.kind == "受理"), None)
    decided = next((s.day for s, _d in rows if s.kind == "审核确认"), None)
    out: list[Limit] = []
    tekun = codes.is_tekun(hh.category)
    if accepted is not None:
        extended = "延期" in first
        dl = decision_limit(session, accepted, extended=extended, tekun=tekun)
        if tekun:
            opinion = first.get("公示", (None,))[0]
            out.append(_limit("特困调查及初审时限", "《特困人员认定办法》第十二条", accepted, dl,
                              opinion.day if opinion else decided, today, near_days))
        else:
            out.append(_limit("低保审核确认时限" + ("（已延期）" if extended else ""),
                              "《最低生活保障审核确认办法》第二十三条", accepted, dl, decided, today, near_days))
    for s, d in rows:
        if s.kind == "公示" and d is not None and d.objection_date:
            out.append(_limit("公示异议复查时限", "《特困人员认定办法》第十三条", d.objection_date,
                              objection_limit(session, d.objection_date), d.objection_resolved, today, near_days))
        if s.kind == "公示" and tekun:
            end = procedure.gongshi_end(s.day, (d.period_days if d and d.period_days else
                                                rulesettings.get(session, "gongshi_days")))
            out.append(_limit("特困审核确认时限", "《特困人员认定办法》第十四条", end,
                              tekun_decision_limit(session, end), decided, today, near_days))
    refused = [s for s, _d in rows if s.kind == "审核确认" and s.outcome == "不予确认"]
    if refused:
        told = next((s.day for s, _d in rows if s.kind == "告知" and s.day >= refused[-1].day), None)
        out.append(_limit("不予确认书面告知时限", "《最低生活保障审核确认办法》第二十四条", refused[-1].day,
                          refusal_notice_limit(session, refused[-1].day), told, today, near_days))
    return out


def case_limits(session: Session, household_id: str, *, today: date, near_days: int = 5) -> list[Limit]:
    """The time limits of a household's current case, with their state today."""
    hh = session.get(Household, household_id)
    return _case_limits(session, hh, _rows(session, [hh])[hh.id], today, near_days)


@dataclass(frozen=True)
class DueCase:
    household_id: str
    number: str
    head_name: str
    village: str
    limit: Limit


def near_or_late(session: Session, *, today: date, near_days: int = 5) -> list[DueCase]:
    """Cases with a limit near (within ``near_days`` calendar days) or late, for 首页."""
    stmt = (select(Household, Village.name).join(Village, Village.id == Household.village_id)
            .where(Household.deleted_at.is_(None), (Household.status == "申请中") | (
                (Household.status == "未通过") & (Household.exit_date >= today - timedelta(days=30)))))
    out = []
    found = session.execute(stmt).all()
    rows = _rows(session, [hh for hh, _v in found])
    for hh, village in found:
        for lim in _case_limits(session, hh, rows[hh.id], today, near_days):
            if lim.state in (NEAR, LATE) and not (lim.state == LATE and lim.done is not None):
                out.append(DueCase(hh.id, hh.number, hh.head_name, village, lim))
    out.sort(key=lambda c: (c.limit.due, c.number))
    return out
