"""Working days (工作日): the one module that counts them.

A working day is Monday to Friday, except the statutory holidays (法定节假日, 《全国年节及纪念日
放假办法》 and the State Council's yearly 放假安排 notice), plus the 调休 make-up working days
announced in the same notice (a Saturday or Sunday worked in exchange for a bridge day).

The calendar is data in the database (``calendar_years`` = the years covered, ``calendar_days``
= the exceptions to the Monday–Friday week). It is seeded from the ``chinese_calendar`` package
(which knows 2004–2026 only and raises for later years); the administrator may change single
days, and a new year's rows are imported with :func:`import_calendar_rows` (from a sync package
of the district, or typed in). Until a year is seeded into the database the package's data for
it is used as the built-in default, like the defaults of :mod:`app.rulesettings`.

A deadline that runs through a year the calendar does not cover is counted on weekends alone
and carries a visible Chinese warning: never silently.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app import audit
from app.errors import ValidationError
from app.permissions import Actor, require
from db.ledger_models import LEDGER_LABELS, CalendarDay, CalendarYear
from db.models import utcnow

# app.audit.verify names every audited entity by its label; the ledger entities (this module's
# calendar and app.ledgers) are registered here, the first module every ledger service imports.
audit.ENTITY_LABELS.update(LEDGER_LABELS)

KINDS = {"holiday": "法定节假日", "workday": "调休上班"}
KIND_BY_LABEL = {v: k for k, v in KINDS.items()}
HOLIDAY_NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
                 "Labour Day": "劳动节", "Dragon Boat Festival": "端午节",
                 "Mid-autumn Festival": "中秋节", "National Day": "国庆节",
                 "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"}
_CACHE = "workdays"


@dataclass(frozen=True)
class Deadline:
    day: date
    covered: bool
    warning: str | None = None


@dataclass(frozen=True)
class DayInfo:
    day: date
    kind: str  # holiday | workday
    name: str | None
    source: str


@dataclass
class CalendarImport:
    years: list[int]
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    notices: list[str] = field(default_factory=list)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:  # noqa: ANN001
    if transaction.parent is None:
        session.info.pop(_CACHE, None)


# ---------------------------------------------------------------- built-in data (the package)

@lru_cache(maxsize=1)
def _package() -> tuple[str, dict[int, dict[date, tuple[str, str | None]]]]:
    """(source label, year -> {day: (kind, Chinese name)}) from ``chinese_calendar``."""
    import chinese_calendar
    from chinese_calendar import constants

    version = getattr(chinese_calendar, "__version__", "")
    years: dict[int, dict[date, tuple[str, str | None]]] = {}
    for kind, table in (("holiday", constants.holidays), ("workday", constants.workdays)):
        for day, name in table.items():
            if kind == "holiday" and day.weekday() >= 5:
                continue  # a holiday on a weekend changes nothing in the count
            years.setdefault(day.year, {})[day] = (kind, HOLIDAY_NAMES.get(str(name), str(name)))
    first, last = min(constants.holidays).year, max(constants.holidays).year
    for y in range(first, last + 1):
        years.setdefault(y, {})
    return f"chinese_calendar {version}".strip(), years


def builtin_years() -> list[int]:
    return sorted(_package()[1])


# ---------------------------------------------------------------- reading the calendar

def _load(session: Session) -> dict:
    cache = session.info.get(_CACHE)
    if cache is None:
        db_years = {y.year: y.source for y in session.execute(select(CalendarYear)).scalars()}
        days: dict[date, str] = {}
        for y, rows in _package()[1].items():
            if y not in db_years:
                days.update({d: kind for d, (kind, _name) in rows.items()})
        for d in session.execute(select(CalendarDay)).scalars():
            days[d.day] = d.kind
        cache = {"years": set(db_years) | set(_package()[1]), "days": days}
        session.info[_CACHE] = cache
    return cache


def covered_years(session: Session) -> list[int]:
    return sorted(_load(session)["years"])


def is_covered(session: Session, day: date) -> bool:
    return day.year in _load(session)["years"]


def is_working_day(session: Session, day: date) -> bool:
    """Monday–Friday unless a statutory holiday; a 调休 Saturday/Sunday is a working day."""
    kind = _load(session)["days"].get(day)
    if kind == "holiday":
        return False
    if kind == "workday":
        return True
    return day.weekday() < 5


def uncovered_warning(years: Iterable[int]) -> str:
    shown = "、".join(f"{y} 年" for y in sorted(set(years)))
    return (f"工作日历尚未录入{shown}的法定节假日和调休安排，此期限仅按周末计算（未扣除节假日、"
            f"未计调休上班日），可能不准确，请人工核对；管理员可在工作日历中补录{shown}的安排。")


def add_working_days(session: Session, start: date, n: int) -> Deadline:
    """The day ``n`` working days after ``start`` (``start`` itself not counted).

    Used for every time limit counted in working days (工作日), e.g. 移交纪检监察 within 5
    working days of discovery. ``n = 0`` gives ``start``.
    """
    if n < 0:
        raise ValidationError("工作日数", n, "不能为负数")
    cache = _load(session)
    memo = cache.setdefault("added", {})  # dropped with the cache when the calendar changes
    if (start, n) in memo:
        return memo[(start, n)]
    memo[(start, n)] = result = _add_working_days(session, cache, start, n)
    return result


def _add_working_days(session: Session, cache: dict, start: date, n: int) -> Deadline:
    day, counted, missing = start, 0, set()
    while counted < n:
        day += timedelta(days=1)
        if day.year not in cache["years"]:
            missing.add(day.year)
        if is_working_day(session, day):
            counted += 1
    if missing:
        return Deadline(day, False, uncovered_warning(missing))
    return Deadline(day, True, None)


def working_days_between(session: Session, start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(session, day)
    return count


def list_days(session: Session, year: int) -> list[DayInfo]:
    """The exceptions of one year (database rows, or the built-in data when not seeded)."""
    rows = session.execute(select(CalendarDay).where(
        CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        .order_by(CalendarDay.day)).scalars().all()
    if rows or session.get(CalendarYear, str(year)) is not None:
        return [DayInfo(r.day, r.kind, r.name, r.source) for r in rows]
    source, years = _package()
    return [DayInfo(d, k, name, source) for d, (k, name) in sorted(years.get(year, {}).items())]


# ---------------------------------------------------------------- writing the calendar

def write_year(session: Session, actor: Actor, year: int, rows: dict[date, tuple[str, str | None]],
                source: str, report: CalendarImport) -> None:
    """Make the database rows of ``year`` exactly ``rows`` and mark the year covered."""
    existing = {d.day: d for d in session.execute(select(CalendarDay).where(
        CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))).scalars()}
    for day, (kind, name) in sorted(rows.items()):
        row = existing.pop(day, None)
        if row is None:
            row = CalendarDay(id=day.isoformat(), day=day, kind=kind, name=name, source=source,
                              updated_at=utcnow(), updated_by=actor.username)
            session.add(row)
            audit.record_change(session, actor, "calendar.add", "calendar_day", row, None)
            report.added += 1
        elif (row.kind, row.name) != (kind, name):
            before = audit.state(row)
            row.kind, row.name, row.source = kind, name, source
            row.updated_at, row.updated_by = utcnow(), actor.username
            audit.record_change(session, actor, "calendar.update", "calendar_day", row, before)
            report.changed += 1
        else:
            report.unchanged += 1
    for row in existing.values():
        before = audit.state(row)
        session.delete(row)
        session.flush()
        audit.record(session, actor, "calendar.delete", "calendar_day", row.id, before, None)
        report.removed += 1
    year_row = session.get(CalendarYear, str(year))
    if year_row is None:
        year_row = CalendarYear(id=str(year), year=year, source=source, updated_at=utcnow(),
                                updated_by=actor.username)
        session.add(year_row)
        audit.record_change(session, actor, "calendar.cover", "calendar_year", year_row, None)
    elif year_row.source != source:
        before = audit.state(year_row)
        year_row.source, year_row.updated_at, year_row.updated_by = source, utcnow(), actor.username
        audit.record_change(session, actor, "calendar.cover", "calendar_year", year_row, before)
    session.info.pop(_CACHE, None)


def seed_calendar(session: Session, actor: Actor) -> CalendarImport:
    """Copy the package's years that are not yet in the database (never overwrites a year).

    Safe at first use by any signed-in user: it only writes the built-in data, audited.
    """
    source, years = _package()
    have = set(session.execute(select(CalendarYear.year)).scalars())
    todo = [y for y in sorted(years) if y not in have]
    report = CalendarImport(years=todo)
    for y in todo:
        write_year(session, actor, y, years[y], source, report)
    if todo:
        _recompute(session, actor)
    return report


def _recompute(session: Session, actor: Actor) -> None:
    """Stored working-day due dates follow the calendar (app.deadlines)."""
    from app import deadlines  # here: deadlines counts working days with this module

    deadlines.after_calendar(session, actor)


def ensure_seeded(session: Session, actor: Actor) -> None:
    """Seed once, at the first ledger write of a database whose calendar is still empty."""
    if session.execute(select(CalendarYear.id).limit(1)).first() is None:
        seed_calendar(session, actor)


def _kind(value: str) -> str:
    kind = KIND_BY_LABEL.get(value, value)
    if kind not in KINDS and kind != "normal":
        raise ValidationError("日期类型", value, "应为 holiday（法定节假日）、workday（调休上班）"
                              "或 normal（按周一至周五）")
    return kind


def set_day(session: Session, actor: Actor, *, day: date, kind: str, name: str | None = None,
            source: str = "管理员修改") -> DayInfo | None:
    """Administrator: make ``day`` a holiday, a 调休 working day, or ``normal`` (no exception).

    The year is seeded from the built-in data first, so one change never loses the rest.
    """
    require(actor, "calendar.edit")
    kind = _kind(kind)
    if kind == "holiday" and day.weekday() >= 5:
        raise ValidationError("日期", day.isoformat(), "周六、周日本来就不上班，无须设为法定节假日")
    if kind == "workday" and day.weekday() < 5:
        raise ValidationError("日期", day.isoformat(), "周一至周五本来就上班；调休上班日应为周六或周日")
    if session.get(CalendarYear, str(day.year)) is None and day.year in _package()[1]:
        write_year(session, actor, day.year, _package()[1][day.year], _package()[0],
                    CalendarImport(years=[day.year]))
    row = session.get(CalendarDay, day.isoformat())
    before = None if row is None else audit.state(row)
    session.info.pop(_CACHE, None)
    if kind == "normal":
        if row is not None:
            session.delete(row)
            session.flush()
            audit.record(session, actor, "calendar.delete", "calendar_day", day.isoformat(), before, None)
            _recompute(session, actor)
        return None
    if row is None:
        row = CalendarDay(id=day.isoformat(), day=day, kind=kind)
        session.add(row)
    row.kind, row.name, row.source = kind, (name or "").strip() or None, source
    row.updated_at, row.updated_by = utcnow(), actor.username
    audit.record_change(session, actor, "calendar.update" if before else "calendar.add",
                        "calendar_day", row, before)
    session.info.pop(_CACHE, None)
    _recompute(session, actor)
    return DayInfo(row.day, row.kind, row.name, row.source)


def import_calendar_rows(session: Session, actor: Actor, rows: Iterable, *,
                         source: str, years: Iterable[int] | None = None) -> CalendarImport:
    """Replace whole years with ``rows`` (day, kind, name) and mark them covered.

    For a new year's 放假安排 from the district's sync package or typed in by the administrator.
    Every row is checked before anything is written; a year with no exceptions may be declared
    covered through ``years``. Re-importing the same rows changes nothing.
    """
    require(actor, "calendar.edit")
    by_year: dict[int, dict[date, tuple[str, str | None]]] = {y: {} for y in (years or ())}
    for i, raw in enumerate(rows, start=1):
        if isinstance(raw, dict):
            day, kind, name = raw.get("day"), raw.get("kind"), raw.get("name")
        else:
            day, kind, name = (tuple(raw) + (None,))[:3]
        if isinstance(day, str):
            try:
                day = date.fromisoformat(day.strip())
            except ValueError:
                raise ValidationError(f"第 {i} 行日期", day, "应为 YYYY-MM-DD") from None
        if not isinstance(day, date):
            raise ValidationError(f"第 {i} 行日期", day, "应为 YYYY-MM-DD")
        kind = _kind(str(kind or ""))
        if kind == "normal":
            raise ValidationError(f"第 {i} 行类型", kind, "导入的行应为法定节假日或调休上班日")
        if kind == "workday" and day.weekday() < 5:
            raise ValidationError(f"第 {i} 行日期", day.isoformat(), "调休上班日应为周六或周日")
        year_rows = by_year.setdefault(day.year, {})
        if day in year_rows:
            raise ValidationError(f"第 {i} 行日期", day.isoformat(), "同一日期出现了两次")
        if kind == "holiday" and day.weekday() >= 5:
            continue  # weekend holidays change nothing
        year_rows[day] = (kind, (str(name).strip() if name else None))
    if not by_year:
        raise ValidationError("导入内容", None, "没有任何日期行，也没有指定年度")
    report = CalendarImport(years=sorted(by_year))
    for y in sorted(by_year):
        write_year(session, actor, y, by_year[y], source, report)
    _recompute(session, actor)
    return report
