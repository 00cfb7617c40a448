"""What the district sends besides records: the holiday calendar of the coming years.

The calendar is data in the database (``app.workdays``); the district's rows replace whole years
at the township, audited, exactly as a calendar import typed in settings would.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app import workdays
from app.permissions import Actor
from app.sync.format import PackageRefused


def plan_calendar(session: Session, rows: list[dict]) -> dict:
    """Validate the calendar rows and compare them year by year with ours."""
    by_year: dict[int, dict[date, tuple[str, str | None]]] = {}
    for r in rows:
        try:
            year = r["year"]
            if not isinstance(year, int) or not 2000 <= year <= 2100:
                raise ValueError
            by_year.setdefault(year, {})
            if r["day"] is not None:
                day = date.fromisoformat(r["day"])
                if day.year != year or r["kind"] not in ("holiday", "workday"):
                    raise ValueError
                by_year[year][day] = (r["kind"], r["name"])
        except (KeyError, TypeError, ValueError):
            raise PackageRefused("数据包中的工作日历格式不对。") from None
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    covered = set(workdays.covered_years(session))
    for year, days in by_year.items():
        mine = {d.day: (d.kind, d.name) for d in workdays.list_days(session, year)} if year in covered else None
        counts["new" if mine is None else "unchanged" if mine == days else "updated"] += 1
    return {"years": by_year, "counts": counts}


def apply_calendar(session: Session, actor: Actor, plan: dict, sender: str) -> None:
    report = workdays.CalendarImport(years=sorted(plan["years"]))
    for year, days in sorted(plan["years"].items()):
        workdays._write_year(session, actor, year, days, f"区县下发（{sender}）", report)
